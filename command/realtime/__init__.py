"""Socket delivery, the way out to screens: the outbox relay's batches reach each process's
fan-out hub (`fanout`), which frames them for the sockets of `/ws/events/` (`consumers`,
`routing`), each following the streams `access` lets it read; `event_log` serves a client's
resync from the database; `static/citydesk/events.js` is the browser's side of it.

The incident core never imports this package: it writes outbox rows, and this reads them.
"""
