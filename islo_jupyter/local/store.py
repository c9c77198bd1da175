"""SQLite state of the local server: sandboxes, exec records and per-tenant token generations.

One connection, used from the event loop thread only; every statement is a short indexed
lookup, so calling it inline costs less than handing it to a thread.
"""

from __future__ import annotations

import base64
import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS sandboxes (
    id TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    name TEXT NOT NULL,
    image TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT,
    workdir TEXT,
    vcpus INTEGER NOT NULL,
    memory_mb INTEGER NOT NULL,
    disk_gb INTEGER NOT NULL,
    env TEXT NOT NULL,
    lifecycle TEXT,
    internet_enabled INTEGER NOT NULL DEFAULT 0,
    setup_scripts TEXT,
    setup_steps TEXT,
    creation_phase TEXT,
    UNIQUE (tenant, name)
);
CREATE INDEX IF NOT EXISTS sandboxes_by_created ON sandboxes (tenant, created_at, name);
CREATE TABLE IF NOT EXISTS execs (
    id TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    sandbox_id TEXT NOT NULL,
    command TEXT NOT NULL,
    status TEXT NOT NULL,
    exit_code INTEGER,
    stdout TEXT NOT NULL DEFAULT '',
    stderr TEXT NOT NULL DEFAULT '',
    truncated INTEGER NOT NULL DEFAULT 0,
    started_at TEXT NOT NULL,
    finished_at TEXT
);
CREATE INDEX IF NOT EXISTS execs_by_status ON execs (status);
CREATE TABLE IF NOT EXISTS tenants (
    tenant TEXT PRIMARY KEY,
    token_generation INTEGER NOT NULL DEFAULT 0
);
"""

#: Columns added after the first release: (name, declaration), added to older databases.
LATER_COLUMNS = (
    ("setup_scripts", "TEXT"),
    ("setup_steps", "TEXT"),
    ("creation_phase", "TEXT"),
)

#: SandboxRecord fields stored as they are (the others are JSON or flags).
_PLAIN_COLUMNS = (
    "id", "tenant", "name", "image", "status", "created_at", "created_by", "workdir",
    "vcpus", "memory_mb", "disk_gb", "creation_phase",
)  # fmt: skip

ORPHANED_EXEC_MESSAGE = "islo local server: the server stopped while this command was running\n"


class DuplicateNameError(Exception):
    """A sandbox with this name already exists for the tenant."""


@dataclass
class SandboxRecord:
    id: str
    tenant: str
    name: str
    image: str
    status: str
    created_at: str
    created_by: str | None = None
    workdir: str | None = None
    vcpus: int = 2
    memory_mb: int = 2048
    disk_gb: int = 10
    env: dict[str, str] = field(default_factory=dict)
    lifecycle: dict[str, Any] | None = None
    internet_enabled: bool = False
    setup_scripts: list[dict[str, Any]] = field(default_factory=list)
    setup_steps: list[dict[str, Any]] | None = None
    creation_phase: str | None = None


@dataclass
class ExecRecord:
    id: str
    tenant: str
    sandbox_id: str
    status: str
    exit_code: int | None
    stdout: str
    stderr: str
    truncated: bool


@dataclass
class ListQuery:
    """Filters of ``GET /sandboxes``; ``cursor`` (keyset) wins over ``offset``."""

    q: str | None = None
    statuses: list[str] = field(default_factory=list)
    name_prefix: str | None = None
    created_by: str | None = None
    limit: int = 50
    offset: int = 0
    cursor: str | None = None


def encode_cursor(created_at: str, name: str) -> str:
    raw = json.dumps([created_at, name]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, str]:
    """Raises ValueError for anything that is not a cursor we issued."""
    padded = cursor + "=" * (-len(cursor) % 4)
    try:
        created_at, name = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except Exception as exc:  # any garbage is the caller's mistake, not ours
        raise ValueError("invalid cursor") from exc
    if not isinstance(created_at, str) or not isinstance(name, str):
        raise ValueError("invalid cursor")
    return created_at, name


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _sandbox_from_row(row: sqlite3.Row) -> SandboxRecord:
    return SandboxRecord(
        id=row["id"],
        tenant=row["tenant"],
        name=row["name"],
        image=row["image"],
        status=row["status"],
        created_at=row["created_at"],
        created_by=row["created_by"],
        workdir=row["workdir"],
        vcpus=row["vcpus"],
        memory_mb=row["memory_mb"],
        disk_gb=row["disk_gb"],
        env=json.loads(row["env"]),
        lifecycle=json.loads(row["lifecycle"]) if row["lifecycle"] else None,
        internet_enabled=bool(row["internet_enabled"]),
        setup_scripts=json.loads(row["setup_scripts"] or "[]"),
        setup_steps=json.loads(row["setup_steps"]) if row["setup_steps"] else None,
        creation_phase=row["creation_phase"],
    )


def _exec_from_row(row: sqlite3.Row) -> ExecRecord:
    return ExecRecord(
        id=row["id"],
        tenant=row["tenant"],
        sandbox_id=row["sandbox_id"],
        status=row["status"],
        exit_code=row["exit_code"],
        stdout=row["stdout"],
        stderr=row["stderr"],
        truncated=bool(row["truncated"]),
    )


class Store:
    def __init__(self, db_path: Path):
        db_path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(db_path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode survives a killed process; only a power cut may lose the last commit.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(SCHEMA)
        self._add_later_columns()

    def _add_later_columns(self) -> None:
        """A data directory from an older version keeps working: add what it lacks."""
        have = {row["name"] for row in self._db.execute("PRAGMA table_info(sandboxes)")}
        for name, declaration in LATER_COLUMNS:
            if name not in have:
                self._db.execute(f"ALTER TABLE sandboxes ADD COLUMN {name} {declaration}")

    def close(self) -> None:
        self._db.close()

    # --- sandboxes ---------------------------------------------------------------

    def insert_sandbox(self, rec: SandboxRecord) -> None:
        values = {
            **{name: getattr(rec, name) for name in _PLAIN_COLUMNS},
            "env": json.dumps(rec.env),
            "lifecycle": json.dumps(rec.lifecycle) if rec.lifecycle is not None else None,
            "internet_enabled": int(rec.internet_enabled),
            "setup_scripts": json.dumps(rec.setup_scripts),
            "setup_steps": json.dumps(rec.setup_steps) if rec.setup_steps is not None else None,
        }
        columns = ", ".join(values)
        marks = ", ".join(f":{name}" for name in values)
        try:
            self._db.execute(f"INSERT INTO sandboxes ({columns}) VALUES ({marks})", values)
        except sqlite3.IntegrityError as exc:
            raise DuplicateNameError(rec.name) from exc

    def get_sandbox(self, tenant: str, name: str) -> SandboxRecord | None:
        row = self._db.execute(
            "SELECT * FROM sandboxes WHERE tenant = ? AND name = ?", (tenant, name)
        ).fetchone()
        return _sandbox_from_row(row) if row else None

    def get_sandbox_by_id(self, tenant: str, sandbox_id: str) -> SandboxRecord | None:
        row = self._db.execute(
            "SELECT * FROM sandboxes WHERE tenant = ? AND id = ?", (tenant, sandbox_id)
        ).fetchone()
        return _sandbox_from_row(row) if row else None

    def set_status(self, sandbox_id: str, status: str) -> None:
        self._db.execute("UPDATE sandboxes SET status = ? WHERE id = ?", (status, sandbox_id))

    def set_status_if(self, sandbox_id: str, expected: str, status: str) -> None:
        self._db.execute(
            "UPDATE sandboxes SET status = ? WHERE id = ? AND status = ?",
            (status, sandbox_id, expected),
        )

    def set_setup(
        self, sandbox_id: str, phase: str | None, steps: list[dict[str, Any]] | None
    ) -> None:
        self._db.execute(
            "UPDATE sandboxes SET creation_phase = ?, setup_steps = ? WHERE id = ?",
            (phase, json.dumps(steps) if steps is not None else None, sandbox_id),
        )

    def delete_sandbox(self, sandbox_id: str) -> None:
        self._db.execute("DELETE FROM sandboxes WHERE id = ?", (sandbox_id,))
        self._db.execute("DELETE FROM execs WHERE sandbox_id = ?", (sandbox_id,))

    def list_sandboxes(
        self, tenant: str, query: ListQuery
    ) -> tuple[list[SandboxRecord], int, str | None]:
        """One page, the total matching the filters, and the cursor of the next page if any."""
        where, args = ["tenant = ?"], [tenant]
        if query.q:
            where.append("name LIKE ? ESCAPE '\\'")
            args.append(f"%{_like_escape(query.q)}%")
        if query.name_prefix:
            where.append("name LIKE ? ESCAPE '\\'")
            args.append(f"{_like_escape(query.name_prefix)}%")
        if query.statuses:
            where.append(f"status IN ({','.join('?' * len(query.statuses))})")
            args.extend(query.statuses)
        if query.created_by:
            where.append("created_by = ?")
            args.append(query.created_by)
        condition = " AND ".join(where)
        total = self._db.execute(
            f"SELECT COUNT(*) FROM sandboxes WHERE {condition}", args
        ).fetchone()[0]
        page_args = list(args)
        if query.cursor:
            created_at, name = decode_cursor(query.cursor)
            condition += " AND (created_at, name) > (?, ?)"
            page_args += [created_at, name]
            offset = 0
        else:
            offset = query.offset
        rows = self._db.execute(
            f"SELECT * FROM sandboxes WHERE {condition} ORDER BY created_at, name LIMIT ? OFFSET ?",
            [*page_args, query.limit + 1, offset],
        ).fetchall()
        items = [_sandbox_from_row(row) for row in rows[: query.limit]]
        next_cursor = None
        if len(rows) > query.limit and items:
            next_cursor = encode_cursor(items[-1].created_at, items[-1].name)
        return items, total, next_cursor

    # --- execs -------------------------------------------------------------------

    def insert_exec(
        self, exec_id: str, tenant: str, sandbox_id: str, command: list[str], started_at: str
    ) -> None:
        self._db.execute(
            "INSERT INTO execs (id, tenant, sandbox_id, command, status, started_at) "
            "VALUES (?, ?, ?, ?, 'running', ?)",
            (exec_id, tenant, sandbox_id, json.dumps(command), started_at),
        )

    def finish_exec(self, rec: ExecRecord, finished_at: str) -> None:
        self._db.execute(
            "UPDATE execs SET status = ?, exit_code = ?, stdout = ?, stderr = ?, truncated = ?, "
            "finished_at = ? WHERE id = ?",
            (
                rec.status, rec.exit_code, rec.stdout, rec.stderr, int(rec.truncated),
                finished_at, rec.id,
            ),
        )  # fmt: skip

    def get_exec(self, tenant: str, sandbox_id: str, exec_id: str) -> ExecRecord | None:
        row = self._db.execute(
            "SELECT * FROM execs WHERE id = ? AND tenant = ? AND sandbox_id = ?",
            (exec_id, tenant, sandbox_id),
        ).fetchone()
        return _exec_from_row(row) if row else None

    def fail_orphaned_execs(self, finished_at: str) -> int:
        """Execs a dead server left ``running`` can never finish: mark them failed, say why."""
        cursor = self._db.execute(
            "UPDATE execs SET status = 'failed', stderr = stderr || ?, finished_at = ? "
            "WHERE status = 'running'",
            (ORPHANED_EXEC_MESSAGE, finished_at),
        )
        return cursor.rowcount

    def settle_transient_sandboxes(self) -> None:
        """A sandbox left ``starting`` by a dead server: if its setup scripts were cut short
        it has ``failed``; otherwise its directories are made again on demand, so it is ready
        (rather than starting forever)."""
        self._db.execute(
            "UPDATE sandboxes SET status = 'failed', creation_phase = 'setup_interrupted' "
            "WHERE status = 'starting' AND creation_phase = 'running_setup_scripts'"
        )
        self._db.execute("UPDATE sandboxes SET status = 'running' WHERE status = 'starting'")

    # --- tokens ------------------------------------------------------------------

    def token_generation(self, tenant: str) -> int:
        row = self._db.execute(
            "SELECT token_generation FROM tenants WHERE tenant = ?", (tenant,)
        ).fetchone()
        return int(row[0]) if row else 0

    def bump_token_generation(self, tenant: str) -> int:
        self._db.execute(
            "INSERT INTO tenants (tenant, token_generation) VALUES (?, 1) "
            "ON CONFLICT (tenant) DO UPDATE SET token_generation = token_generation + 1",
            (tenant,),
        )
        return self.token_generation(tenant)
