"""The node: runs a chain, produces blocks on a schedule and serves the JSON API.

Nothing here is consensus-critical. The node reads the wall clock to decide *when*
to produce a block and *which* time the block carries, then hands that time to the
chain; the chain never looks at a clock. Importing this package loads nothing heavy:
the API (FastAPI) and the chain load when a node or client is built.
"""
