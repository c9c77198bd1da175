"""Unit tests of the magics' argument parsing helpers."""

from __future__ import annotations

import pytest
from IPython.core.error import UsageError
from IPython.core.magic_arguments import MagicArgumentParser

from islo_jupyter.magics.arguments import HelpRequested, parse_line, parse_pairs
from islo_jupyter.magics.commands import COMMANDS
from islo_jupyter.magics.core import _split_command, _split_verb


def test_parse_pairs_splits_on_the_first_equals_sign() -> None:
    assert parse_pairs(["A=1", "B=x=y", "C="]) == {"A": "1", "B": "x=y", "C": ""}


def test_parse_pairs_of_nothing_is_none() -> None:
    assert parse_pairs([]) is None
    assert parse_pairs(None) is None


@pytest.mark.parametrize("bad", ["A", "=1", "A B=1"])
def test_parse_pairs_rejects_malformed_pairs(bad: str) -> None:
    with pytest.raises(UsageError, match="KEY=VALUE"):
        parse_pairs([bad])


def test_unbalanced_quotes_are_a_usage_error() -> None:
    parser = COMMANDS["info"].parser
    with pytest.raises(UsageError, match="closing quotation"):
        parse_line(parser, "'box")


def test_dash_h_raises_help_with_the_parser_text() -> None:
    with pytest.raises(HelpRequested) as caught:
        parse_line(COMMANDS["create"].parser, "-h")
    assert caught.value.text.startswith("usage: %islo create [-h]")
    assert "--image" in caught.value.text


def test_every_verb_has_help_and_short_usage_errors() -> None:
    for verb, command in COMMANDS.items():
        parser = command.parser
        assert isinstance(parser, MagicArgumentParser)
        with pytest.raises(HelpRequested):
            parse_line(parser, "-h")
        with pytest.raises(UsageError):
            parse_line(parser, "--no-such-option")
        assert parser.prog.startswith("islo "), verb


@pytest.mark.parametrize(
    ("rest", "expected"),
    [
        ("box -- ls -l", ("box", "ls -l")),
        ("box -e A=1 -- echo $A | wc", ("box -e A=1", "echo $A | wc")),
        ("box -- echo -- x", ("box", "echo -- x")),
        ("box", ("box", "")),
        ("box --", ("box", "")),
        ("-- ls", ("", "ls")),
    ],
)
def test_split_command_keeps_the_command_raw(rest: str, expected: tuple[str, str]) -> None:
    assert _split_command(rest) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("", ("status", "")),
        ("   ", ("status", "")),
        ("ls", ("ls", "")),
        ("ls  --limit 2", ("ls", "--limit 2")),
        ("create\tbox -e A=1", ("create", "box -e A=1")),
    ],
)
def test_split_verb(line: str, expected: tuple[str, str]) -> None:
    assert _split_verb(line) == expected
