"""The selected sandbox's actions, driven through the panel's buttons against the local server."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from islo_jupyter.client import IsloClient
from islo_jupyter.errors import NotFoundError
from islo_jupyter.panel import SandboxBrowser
from tests.panel.helpers import WAIT, unique

Open = Callable[..., SandboxBrowser]


@pytest.fixture
def running(tenant: IsloClient) -> str:
    name = unique("act")
    tenant.create_sandbox(name)
    tenant.wait_until_running(name)
    return name


def test_clicking_a_row_selects_and_shows_details(
    tenant: IsloClient, running: str, open_browser: Open
) -> None:
    browser = open_browser(tenant)
    assert browser.selection_box.layout.display == "none"
    browser.select(running)
    assert browser.selected == running
    assert browser.selection_box.layout.display == "flex"
    assert running in browser.actions.details.value and "running" in browser.actions.details.value
    name_button = browser.table.children[2]  # after the two header cells
    assert name_button.description == running and name_button.button_style == "info"  # type: ignore[attr-defined]


def test_pause_then_resume(tenant: IsloClient, running: str, open_browser: Open) -> None:
    browser = open_browser(tenant)
    browser.select(running)
    browser.actions.pause_button.click()
    # Disabled at once, before the call returns: no double clicks while it is in flight.
    assert browser.actions.pause_button.disabled and browser.actions.delete_button.disabled
    assert browser.wait_idle(WAIT)
    assert tenant.get_sandbox(running).status == "paused"
    assert browser.actions.sandbox is not None and browser.actions.sandbox.status == "paused"
    assert not browser.actions.pause_button.disabled
    assert f"pause {running}: now paused" in browser.status_message
    assert "islo-status-paused" in browser.table.row_cells(running)
    browser.actions.resume_button.click()
    assert browser.wait_idle(WAIT)
    assert tenant.get_sandbox(running).status == "running"
    assert browser.last_error == ""


def test_resume_of_a_running_sandbox_shows_the_409(
    tenant: IsloClient, running: str, open_browser: Open
) -> None:
    browser = open_browser(tenant)
    browser.select(running)
    browser.actions.resume_button.click()
    assert browser.wait_idle(WAIT)
    assert browser.last_error.startswith(f"resume {running} failed: HTTP 409")
    assert "HTTP 409" in browser.status_line.value
    assert not browser.actions.resume_button.disabled


def test_stop(tenant: IsloClient, running: str, open_browser: Open) -> None:
    browser = open_browser(tenant)
    browser.select(running)
    browser.actions.stop_button.click()
    assert browser.wait_idle(WAIT)
    assert browser.last_error == ""
    assert tenant.get_sandbox(running).status in {"stopped", "stopping"}
    assert browser.actions.sandbox is not None
    assert browser.actions.sandbox.status in {"stopped", "stopping"}


def test_delete_asks_first_and_cancel_keeps_it(
    tenant: IsloClient, running: str, open_browser: Open
) -> None:
    browser = open_browser(tenant)
    browser.select(running)
    browser.actions.delete_button.click()
    assert browser.actions.confirm_box.layout.display == "flex"
    assert running in browser.actions.confirm_label.value
    assert not browser.busy  # asking is not acting
    browser.actions.confirm_no.click()
    assert browser.actions.confirm_box.layout.display == "none"
    assert browser.wait_idle(WAIT)
    assert tenant.get_sandbox(running).name == running
    assert browser.selected == running


def test_delete_after_confirmation(tenant: IsloClient, running: str, open_browser: Open) -> None:
    browser = open_browser(tenant)
    browser.select(running)
    browser.actions.delete_button.click()
    browser.actions.confirm_yes.click()
    assert browser.wait_idle(WAIT)
    with pytest.raises(NotFoundError):
        tenant.get_sandbox(running)
    assert browser.selected is None and browser.selection_box.layout.display == "none"
    assert running not in browser.table.names
    assert browser.status_message == f"deleted {running}"


def test_delete_without_confirmation_when_turned_off(
    tenant: IsloClient, running: str, open_browser: Open
) -> None:
    browser = open_browser(tenant, confirm_delete=False)
    browser.select(running)
    browser.actions.delete_button.click()
    assert browser.actions.confirm_box.layout.display == "none"
    assert browser.wait_idle(WAIT)
    with pytest.raises(NotFoundError):
        tenant.get_sandbox(running)
    assert browser.total == 0


def test_use_as_default_calls_back(tenant: IsloClient, running: str, open_browser: Open) -> None:
    chosen: list[str] = []
    browser = open_browser(tenant, on_use_default=chosen.append)
    browser.select(running)
    browser.actions.use_default_button.click()
    assert chosen == [running]
    assert "default sandbox" in browser.status_message


def test_use_as_default_without_a_handler_is_disabled(
    tenant: IsloClient, running: str, open_browser: Open
) -> None:
    browser = open_browser(tenant)
    assert browser.actions.use_default_button.disabled


def test_an_action_finishing_later_keeps_the_users_new_selection(
    tenant: IsloClient, running: str, open_browser: Open
) -> None:
    other = unique("other")
    tenant.create_sandbox(other)
    browser = open_browser(tenant)
    browser.select(running)
    browser.actions.pause_button.click()
    browser.select(other)  # clicked away while the pause is in flight
    assert browser.wait_idle(WAIT)
    assert browser.selected == other
    assert browser.actions.sandbox is not None and browser.actions.sandbox.name == other
    assert tenant.get_sandbox(running).status == "paused"


def test_a_failing_use_as_default_is_shown(
    tenant: IsloClient, running: str, open_browser: Open
) -> None:
    def refuse(name: str) -> None:
        raise ValueError(f"no thanks, {name}")

    browser = open_browser(tenant, on_use_default=refuse)
    browser.select(running)
    browser.actions.use_default_button.click()
    assert browser.last_error == f"could not use {running} as default: no thanks, {running}"
    assert "#c62828" in browser.status_line.value
