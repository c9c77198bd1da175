"""The SQLite store on its own: listing 10,000 sandboxes by index, cursors, orphaned execs."""

from __future__ import annotations

from pathlib import Path

import pytest

from islo_jupyter.local.store import (
    DuplicateNameError,
    ListQuery,
    SandboxRecord,
    Store,
    decode_cursor,
)


def _record(i: int, tenant: str = "t1", status: str = "running") -> SandboxRecord:
    return SandboxRecord(
        id=f"id-{tenant}-{i}",
        tenant=tenant,
        name=f"sb-{i:05d}",
        image="img",
        status=status,
        created_at=f"2026-01-01T00:00:00.{i:06d}Z",
    )


@pytest.fixture(scope="module")
def big_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    store = Store(tmp_path_factory.mktemp("store") / "state.sqlite3")
    for i in range(10_000):
        store.insert_sandbox(_record(i, status="paused" if i % 10 == 0 else "running"))
    store.insert_sandbox(_record(0, tenant="t2"))
    return store


def test_pages_come_from_the_index(big_store: Store) -> None:
    plan = big_store._db.execute(
        "EXPLAIN QUERY PLAN SELECT * FROM sandboxes WHERE tenant = ? "
        "ORDER BY created_at, name LIMIT 50",
        ("t1",),
    ).fetchall()
    detail = " ".join(row["detail"] for row in plan)
    assert "sandboxes_by_created" in detail
    assert "TEMP B-TREE" not in detail  # no sort of all rows per page


def test_cursor_walk_visits_each_sandbox_once(big_store: Store) -> None:
    seen: list[str] = []
    cursor = None
    while True:
        items, total, cursor = big_store.list_sandboxes("t1", ListQuery(limit=1000, cursor=cursor))
        seen += [item.name for item in items]
        if cursor is None:
            break
    assert total == 10_000
    assert seen == sorted(seen) and len(set(seen)) == 10_000


def test_filters_combine(big_store: Store) -> None:
    items, total, _ = big_store.list_sandboxes(
        "t1", ListQuery(statuses=["paused"], name_prefix="sb-01", limit=5)
    )
    assert total == 100 and all(item.status == "paused" for item in items)
    assert big_store.list_sandboxes("t2", ListQuery())[1] == 1


def test_duplicate_names_are_per_tenant(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    store.insert_sandbox(_record(1))
    store.insert_sandbox(_record(1, tenant="t2"))
    with pytest.raises(DuplicateNameError):
        store.insert_sandbox(_record(1))


def test_cursor_garbage_is_rejected() -> None:
    for bad in ("", "!!!", "bnVsbA", "WzEsMl0"):  # "", junk, null, [1,2]
        with pytest.raises(ValueError):
            decode_cursor(bad)


def test_orphaned_execs_become_failed(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    store.insert_exec("e1", "t1", "sb", ["sleep", "9"], "2026-01-01T00:00:00Z")
    assert store.fail_orphaned_execs("2026-01-01T00:00:01Z") == 1
    record = store.get_exec("t1", "sb", "e1")
    assert record is not None and record.status == "failed"
    assert "server stopped" in record.stderr
    assert store.fail_orphaned_execs("2026-01-01T00:00:02Z") == 0


def test_older_database_gains_new_columns(tmp_path: Path) -> None:
    import sqlite3

    from islo_jupyter.local.store import LATER_COLUMNS, SCHEMA

    old_schema = SCHEMA
    for name, declaration in LATER_COLUMNS:
        old_schema = old_schema.replace(f"    {name} {declaration},\n", "")
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(old_schema)
        columns = {row[1] for row in db.execute("PRAGMA table_info(sandboxes)")}
    assert "setup_steps" not in columns
    store = Store(path)
    store.insert_sandbox(_record(1))
    fetched = store.get_sandbox("t1", "sb-00001")
    assert fetched is not None and fetched.setup_steps is None
