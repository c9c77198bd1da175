"""The embedded Islo-compatible server: same wire protocol, real local processes, SQLite state."""
