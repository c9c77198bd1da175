"""Running a command from the panel: streamed output, exit status, busy state."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from islo_jupyter.client import IsloClient
from islo_jupyter.panel import SandboxBrowser
from tests.panel.helpers import WAIT, unique

Open = Callable[..., SandboxBrowser]


def output_text(browser: SandboxBrowser, stream: str) -> str:
    return "".join(
        o.get("text", "") for o in browser.command_runner.output.outputs if o.get("name") == stream
    )


@pytest.fixture
def selected(tenant: IsloClient, open_browser: Open) -> SandboxBrowser:
    name = unique("cmd")
    tenant.create_sandbox(name)
    tenant.wait_until_running(name)
    browser = open_browser(tenant)
    browser.select(name)
    return browser


def test_command_output_streams_into_the_panel(selected: SandboxBrowser) -> None:
    runner = selected.command_runner
    runner.command.value = "echo hello; echo oops >&2; exit 3"
    runner.run_button.click()
    assert runner.run_button.disabled  # in flight
    assert not selected.actions.pause_button.disabled  # a command does not lock the lifecycle
    assert selected.wait_idle(WAIT)
    assert output_text(selected, "stdout") == "hello\n"
    assert output_text(selected, "stderr") == "oops\n"
    assert "exit code 3" in runner.result_label.value
    assert not runner.run_button.disabled
    assert selected.last_error == ""  # a failing command is a result, not a panel error


def test_output_arrives_before_the_command_ends(selected: SandboxBrowser) -> None:
    runner = selected.command_runner
    runner.command.value = "echo first; sleep 3; echo second"
    runner.run_button.click()
    start = time.monotonic()
    while "first" not in output_text(selected, "stdout") and time.monotonic() - start < WAIT:
        time.sleep(0.02)
    assert output_text(selected, "stdout") == "first\n"
    assert selected.busy  # still running: the first line streamed in before the end
    assert selected.wait_idle(WAIT)
    assert output_text(selected, "stdout") == "first\nsecond\n"


def test_empty_command_asks_for_one(selected: SandboxBrowser) -> None:
    selected.command_runner.run_button.click()
    assert not selected.busy
    assert "type a command" in selected.status_message


def test_switching_sandbox_mid_command_keeps_outputs_apart(
    tenant: IsloClient, selected: SandboxBrowser
) -> None:
    first = selected.selected
    other = unique("cmd-other")
    tenant.create_sandbox(other)
    selected.refresh_button.click()
    assert selected.wait_idle(WAIT)
    runner = selected.command_runner
    runner.command.value = "sleep 1; echo from-the-first"
    runner.run_button.click()
    selected.select(other)  # the command keeps running in the first sandbox
    assert selected.wait_idle(WAIT)
    assert output_text(selected, "stdout") == ""
    assert runner.result_label.value == ""
    assert selected.status_message == f"command in {first} finished: exit code 0"


def test_clear_during_a_command_keeps_only_later_output(selected: SandboxBrowser) -> None:
    runner = selected.command_runner
    runner.command.value = "echo before; sleep 1.5; echo after"
    runner.run_button.click()
    start = time.monotonic()
    while "before" not in output_text(selected, "stdout") and time.monotonic() - start < WAIT:
        time.sleep(0.02)
    runner.clear_button.click()
    assert selected.wait_idle(WAIT)
    assert output_text(selected, "stdout") == "after\n"
