"""How CityDesk is served: daphne, with every tuning of the server in this package.

    python -m citydesk.server -b 127.0.0.1 -p 8000 asgi:application   (daphne's own options)
    python -m citydesk.server.healthcheck     (the container's health check: GET /healthz)

Each tuning, and why (the figures are in the README's Performance section):

- uvloop as asyncio's event loop (`tuning.install_loop`): every frame registers and
  unregisters its socket for writing, which uvloop does in C and asyncio's loop in Python.
- autobahn's debug-log arguments passed uncoloured (`tuning.plain_log_arguments`): autobahn
  colours them for every frame sent, before the logger drops the debug line.
- rare, short full garbage collections (`tuning.collect_garbage_seldom`): a full pass stops the
  event loop, and every frame in flight waits for it.
- TCP writes sent at once when nothing is queued (`twisted_writes`): Twisted otherwise queues
  every write for the loop's next turn, two epoll changes per frame per socket.
- intake's district and merge indexes loaded in a thread as daphne starts
  (`tuning.warm_up_at_start`): loaded on first use, they held the first report up 0.4-1 s.
- Django's middleware and view run in one thread hop (`http_handler`): under Django's own ASGI
  handler each middleware hops to a thread and back, 16 trips through the loop that also
  writes every frame.

`twisted_writes` and `plain_log_arguments` reach into Twisted's and autobahn's internals: both
are pinned in pyproject.toml, and the tests marked `internals` fail when an upgrade changes
what they rely on.
"""
