"""Unit tests of the ``%islo ls`` result object."""

from __future__ import annotations

from islo_jupyter.magics.listing import SandboxTable
from islo_jupyter.models import Sandbox


def make(name: str, **fields: str) -> Sandbox:
    values = {"id": f"id-{name}", "image": "img", "status": "running", "created_at": "2026-01-01"}
    values.update(fields)
    return Sandbox(name=name, **values)


def test_iterates_as_models_and_indexes() -> None:
    table = SandboxTable([make("a"), make("b")])
    assert [s.name for s in table] == ["a", "b"]
    assert table[1].name == "b"
    assert isinstance(table[:1], SandboxTable)
    assert len(table) == 2
    assert table.names == ["a", "b"]


def test_html_escapes_everything_from_the_server() -> None:
    table = SandboxTable([make("<script>alert(1)</script>", image='"><img src=x>')])
    html = table._repr_html_()
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<img" not in html


def test_text_form_aligns_columns_and_counts() -> None:
    text = repr(SandboxTable([make("a"), make("bbbb")], total=5))
    lines = text.splitlines()
    assert lines[0].startswith("name")
    assert lines[-1] == "(2 of 5 sandboxes)"


def test_empty_table() -> None:
    assert repr(SandboxTable([])) == "no sandboxes"
    assert "0 sandboxes" in SandboxTable([])._repr_html_()
