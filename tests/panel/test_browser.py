"""SandboxBrowser listing against the local server: first page, paging, search, filter, refresh."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from islo_jupyter.client import IsloClient
from islo_jupyter.panel import SandboxBrowser
from tests.panel.helpers import BIG_ACCOUNT, WAIT, create_many, unique

Open = Callable[..., SandboxBrowser]


def wait_for(predicate: Callable[[], bool], timeout: float = WAIT) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def test_first_page_of_a_big_account(
    big_tenant: tuple[IsloClient, list[str]], open_browser: Open
) -> None:
    client, _names = big_tenant
    browser = open_browser(client, page_size=50)
    first = [s.name for s in client.list_sandboxes(limit=50).items]  # the server's order
    assert browser.total == BIG_ACCOUNT
    assert [s.name for s in browser.items] == first
    assert browser.table.names == first
    assert browser.count_label.value == f"50 of {BIG_ACCOUNT}"
    assert browser.prev_button.disabled and not browser.next_button.disabled
    assert browser.last_error == ""


def test_paging_walks_every_sandbox_once_holding_one_page(
    big_tenant: tuple[IsloClient, list[str]], open_browser: Open
) -> None:
    client, names = big_tenant
    browser = open_browser(client, page_size=100)
    seen: list[str] = []
    while True:
        assert len(browser.items) <= 100  # never the whole account in memory
        seen += [s.name for s in browser.items]
        if browser.next_button.disabled:
            break
        browser.next_button.click()
        assert browser.wait_idle(WAIT)
    assert len(seen) == BIG_ACCOUNT and set(seen) == set(names)  # each exactly once
    assert browser.count_label.value == f"100 of {BIG_ACCOUNT} (901-1000)"
    browser.prev_button.click()
    assert browser.wait_idle(WAIT)
    assert browser.offset == 800 and browser.items[0].name == seen[800]


def test_search_is_sent_to_the_server(
    big_tenant: tuple[IsloClient, list[str]], open_browser: Open
) -> None:
    client, _names = big_tenant
    browser = open_browser(client, page_size=50)
    browser.next_button.click()
    assert browser.wait_idle(WAIT)
    browser.search.value = "pg-004"  # a Text with continuous_update=False: set on Enter
    assert browser.wait_idle(WAIT)
    assert browser.offset == 0  # a new search starts at its first page
    assert browser.total == 10
    assert sorted(s.name for s in browser.items) == [f"pg-004{i}" for i in range(10)]
    browser.search.value = "no-such-sandbox"
    assert browser.wait_idle(WAIT)
    assert browser.total == 0 and browser.items == []
    assert "No sandboxes match" in browser.table.children[2].value


def test_status_filter(tenant: IsloClient, open_browser: Open) -> None:
    names = [unique("flt") for _ in range(4)]
    create_many(tenant, names)
    for name in names:
        tenant.wait_until_running(name)
    tenant.pause_sandbox(names[1])
    tenant.pause_sandbox(names[3])
    browser = open_browser(tenant)
    assert browser.total == 4
    browser.status_dropdown.value = "paused"
    assert browser.wait_idle(WAIT)
    assert browser.status_filter == "paused"
    assert sorted(s.name for s in browser.items) == sorted([names[1], names[3]])
    browser.status_dropdown.value = "running"
    assert browser.wait_idle(WAIT)
    assert sorted(s.name for s in browser.items) == sorted([names[0], names[2]])
    browser.status_dropdown.value = "any status"
    assert browser.wait_idle(WAIT)
    assert browser.total == 4


def test_refresh_shows_a_sandbox_created_elsewhere(tenant: IsloClient, open_browser: Open) -> None:
    browser = open_browser(tenant)
    assert browser.total == 0
    name = unique("elsewhere")
    tenant.create_sandbox(name)
    browser.refresh_button.click()
    assert browser.wait_idle(WAIT)
    assert browser.table.names == [name]
    assert browser.count_label.value == "1 of 1"


def test_refresh_runs_off_the_main_thread_with_a_busy_state(
    tenant: IsloClient, open_browser: Open
) -> None:
    browser = open_browser(tenant)
    states: list[bool] = []
    threads: set[str] = set()
    browser.observe(lambda change: states.append(change["new"]), names="busy")
    original = tenant.list_sandboxes

    def spy(**kwargs: object) -> object:
        threads.add(threading.current_thread().name)
        return original(**kwargs)  # type: ignore[arg-type]

    tenant.list_sandboxes = spy  # type: ignore[method-assign]
    try:
        browser.refresh_button.click()
        assert browser.wait_idle(WAIT)
    finally:
        del tenant.list_sandboxes
    assert states == [True, False]
    assert threads and threading.main_thread().name not in threads
    assert browser.toolbar.busy_indicator.value == ""


def test_auto_refresh_picks_up_changes_and_stops_when_closed(
    tenant: IsloClient, open_browser: Open
) -> None:
    browser = open_browser(tenant)
    browser.poll_interval, browser.poll_max_interval = 0.05, 0.2
    browser.auto_toggle.value = True
    assert browser.auto_refresh and browser._poller.is_running
    name = unique("polled")
    tenant.create_sandbox(name)
    assert wait_for(lambda: name in browser.table.names), "auto-refresh never showed it"
    # Nothing changes now: the interval backs off to its cap.
    assert wait_for(lambda: browser._poller.backoff.current == 0.2)
    browser.close()
    assert wait_for(lambda: not browser._poller.is_running)
    polls = browser._poller.polls
    time.sleep(0.5)
    assert browser._poller.polls == polls


def test_errors_show_in_the_status_line(tenant: IsloClient, open_browser: Open) -> None:
    name = unique("gone")
    tenant.create_sandbox(name)
    browser = open_browser(tenant)
    browser.select(name)
    tenant.delete_sandbox(name)  # deleted elsewhere: the panel's pause now gets a 404
    browser.actions.pause_button.click()
    assert browser.wait_idle(WAIT)
    assert browser.last_error.startswith(f"pause {name} failed: HTTP 404")
    assert "HTTP 404" in browser.status_line.value and "#c62828" in browser.status_line.value
    assert not browser.actions.pause_button.disabled  # re-enabled after the failure


def test_mimebundle_falls_back_to_a_snapshot(tenant: IsloClient, open_browser: Open) -> None:
    name = unique("snap")
    tenant.create_sandbox(name)
    browser = open_browser(tenant)
    bundle = browser._repr_mimebundle_()
    assert bundle is not None
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert name in bundle["text/plain"] and "1 of 1" in bundle["text/plain"]
    assert name in bundle["text/html"] and "<table>" in bundle["text/html"]


def test_close_with_a_command_in_flight_is_quiet(tenant: IsloClient, open_browser: Open) -> None:
    name = unique("closing")
    tenant.create_sandbox(name)
    tenant.wait_until_running(name)
    browser = open_browser(tenant)
    browser.select(name)
    browser.command_runner.command.value = "sleep 1; echo late"
    browser.command_runner.run_button.click()
    browser.close()
    assert browser.wait_idle(WAIT)  # the call finishes into closed widgets without raising
    assert browser.refresh() is None  # a closed panel starts no new calls
    assert browser.table.comm is None and browser.comm is None
