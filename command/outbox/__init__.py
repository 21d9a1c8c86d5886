"""The one way out: every recorded change writes a timeline entry and an outbox event in the
change's own transaction (`events`), with the streams it belongs to (`streams`); after the
commit the relay numbers the events and publishes them to the channel layer (`relay`).
"""
