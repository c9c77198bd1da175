"""The create form against the local server: create, progress, selection, and the 409 path."""

from __future__ import annotations

from collections.abc import Callable

from islo_jupyter.client import IsloClient
from islo_jupyter.panel import SandboxBrowser
from tests.panel.helpers import WAIT, unique

Open = Callable[..., SandboxBrowser]


def test_create_waits_until_running_then_selects(tenant: IsloClient, open_browser: Open) -> None:
    browser = open_browser(tenant)
    form = browser.create_form
    name = unique("made")
    form.name.value = name
    form.vcpus.value = 1
    form.memory_mb.value = 512
    form.env.value = "GREETING=hello from the form\n"
    form.create_button.click()
    assert form.create_button.disabled  # one create at a time
    assert browser.wait_idle(WAIT)
    assert browser.last_error == ""
    assert browser.selected == name
    assert f"{name} is running" in form.progress.value
    assert not form.create_button.disabled
    assert name in browser.table.names
    made = tenant.get_sandbox(name)
    assert made.status == "running"
    assert made.spec is not None and (made.spec.vcpus, made.spec.memory_mb) == (1, 512)
    result = tenant.exec(name, "echo $GREETING")
    assert result.stdout.strip() == "hello from the form"


def test_duplicate_name_shows_the_409_in_the_panel(tenant: IsloClient, open_browser: Open) -> None:
    name = unique("dup")
    tenant.create_sandbox(name)
    browser = open_browser(tenant)
    browser.create_form.name.value = name
    browser.create_form.create_button.click()
    assert browser.wait_idle(WAIT)
    assert browser.last_error.startswith("create failed: HTTP 409")
    assert "SANDBOX_ALREADY_EXISTS" in browser.last_error
    assert "HTTP 409" in browser.status_line.value
    assert "create failed" in browser.create_form.progress.value
    assert not browser.create_form.create_button.disabled


def test_bad_env_line_is_shown_not_sent(tenant: IsloClient, open_browser: Open) -> None:
    browser = open_browser(tenant)
    browser.create_form.env.value = "NOT AN ASSIGNMENT"
    browser.create_form.create_button.click()
    assert not browser.busy
    assert "env line 1" in browser.create_form.progress.value
    assert "env line 1" in browser.status_message
    assert tenant.list_sandboxes().total == 0
