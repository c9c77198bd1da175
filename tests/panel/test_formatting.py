"""Unit tests of the panel's pure formatting: times, resources, snapshots, env parsing."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from islo_jupyter.models import Sandbox, SandboxSpec
from islo_jupyter.panel.formatting import (
    build_count_text,
    build_snapshot_html,
    build_snapshot_text,
    build_status_badge,
    format_relative_time,
    format_resources,
    parse_env_text,
)

NOW = datetime(2026, 1, 2, 12, 0, 0, tzinfo=timezone.utc)


def make_sandbox(name: str, status: str = "running", **extra: object) -> Sandbox:
    fields: dict[str, object] = {
        "id": f"id-{name}",
        "name": name,
        "image": "python:3.12-slim",
        "status": status,
        "created_at": (NOW - timedelta(minutes=5)).isoformat(),
        "spec": SandboxSpec(vcpus=2, memory_mb=2048, disk_gb=10),
    }
    fields.update(extra)
    return Sandbox.model_validate(fields)


@pytest.mark.parametrize(
    ("age", "expected"),
    [
        (timedelta(seconds=3), "just now"),
        (timedelta(seconds=42), "42 s ago"),
        (timedelta(minutes=5, seconds=10), "5 min ago"),
        (timedelta(hours=3), "3 h ago"),
        (timedelta(days=2, hours=1), "2 d ago"),
        (timedelta(days=800), "2 y ago"),
        (timedelta(seconds=-30), "in the future"),
    ],
)
def test_relative_time_buckets(age: timedelta, expected: str) -> None:
    assert format_relative_time(NOW - age, NOW) == expected


def test_relative_time_unknown_and_naive() -> None:
    assert format_relative_time(None, NOW) == "?"
    naive = (NOW - timedelta(hours=1)).replace(tzinfo=None)
    assert format_relative_time(naive, NOW) == "1 h ago"


def test_resources_in_gib_mib_and_missing() -> None:
    assert format_resources(make_sandbox("a")) == "2 vCPU / 2 GiB"
    small = make_sandbox("b", spec=SandboxSpec(vcpus=1, memory_mb=512, disk_gb=1))
    assert format_resources(small) == "1 vCPU / 512 MiB"
    assert format_resources(make_sandbox("c", spec=None)) == "-"


def test_status_badge_colours_known_and_escapes_unknown() -> None:
    assert "#2e7d32" in build_status_badge("running")
    odd = build_status_badge("<weird>")
    assert "&lt;weird&gt;" in odd and "<weird>" not in odd and "#757575" in odd


def test_count_text() -> None:
    assert build_count_text(50, 0, 1000) == "50 of 1000"
    assert build_count_text(50, 50, 1000) == "50 of 1000 (51-100)"
    assert build_count_text(0, 0, 0) == "0 of 0"


def test_snapshots_list_every_sandbox_escaped() -> None:
    boxes = [make_sandbox("alpha"), make_sandbox("<b>beta</b>", status="paused")]
    text = build_snapshot_text(boxes, total=7)
    assert text.splitlines()[0] == "Islo sandboxes: 2 of 7"
    assert "alpha" in text and "paused" in text and "2 vCPU / 2 GiB" in text
    page = build_snapshot_html(boxes, total=7)
    assert "&lt;b&gt;beta&lt;/b&gt;" in page and "<b>beta</b>" not in page
    assert page.count("<tr>") == 3  # header and two rows


def test_parse_env_text() -> None:
    text = "# comment\nA=1\n\n B = two words \nEMPTY=\nURL=http://x/?a=b\n"
    assert parse_env_text(text) == {
        "A": "1",
        "B": " two words",
        "EMPTY": "",
        "URL": "http://x/?a=b",
    }


@pytest.mark.parametrize("bad", ["NOEQUALS", "=value", "TWO WORDS=x"])
def test_parse_env_text_names_the_bad_line(bad: str) -> None:
    with pytest.raises(ValueError, match="line 2"):
        parse_env_text(f"OK=1\n{bad}")


def test_snapshots_carry_the_last_error() -> None:
    note = "refresh failed: HTTP 503"
    assert build_snapshot_text([], total=0, note=note).splitlines()[-1] == note
    assert note in build_snapshot_html([], total=0, note=note)
