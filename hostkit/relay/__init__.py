"""The hall laptop: ``hostkit relay`` carries a venue on when the internet does not.

It serves the same pages to the hall's phones from a copy of the server's session,
forwards what they do through a durable outbox, and decides it in the hall while the
server cannot be reached; see docs/relay.md.
"""
