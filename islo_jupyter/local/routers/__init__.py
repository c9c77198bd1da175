"""HTTP routers of the local server, one per area of the wire protocol."""
