"""Issue section 5: the panel's first page with thousands of sandboxes vs one raw list call."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from typing import Any

import requests

from . import ours, sdk
from .context import BenchContext
from .harness import Contender, Metrics, run_interleaved
from .report import Section
from .server import BenchServer, create_sandboxes, run_server

PAGE = 50
RAW_LIST = "islo_jupyter IsloClient.list_sandboxes (one raw call)"
PANEL = "islo_jupyter SandboxBrowser: constructed + first page rendered"
PANEL_WIDGETS = "islo_jupyter SandboxBrowser: constructed only (widgets, listing not awaited)"


@contextlib.contextmanager
def seeded_server(ctx: BenchContext) -> Iterator[BenchServer]:
    """A server holding ``panel_sandboxes`` sandboxes; its home is kept under .cache for reruns."""
    count = ctx.config.panel_sandboxes
    home = ctx.cache_dir / f"panel-{count}"
    with run_server(3600, home) as server:
        token = server.exchange()
        total = requests.get(
            f"{server.base_url}/sandboxes",
            params={"limit": 1},
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        ).json()["total"]
        if total < count:
            ctx.log(f"[panel] creating {count - total} sandboxes (kept in {home} for next runs)")
            create_sandboxes(server, [f"panel-{i:05d}" for i in range(count)], wait=False)
        yield server


def _check_page(value: Any) -> None:
    items = value.get("items") if isinstance(value, dict) else getattr(value, "items", None)
    if not items or len(items) != PAGE:
        raise AssertionError(f"first page has {len(items or [])} rows, expected {PAGE}")


def run(ctx: BenchContext) -> list[Section]:
    ctx.log(f"[panel] first page with {ctx.config.panel_sandboxes} sandboxes")
    with seeded_server(ctx) as server:

        def raw_list(stack: contextlib.ExitStack) -> Callable[[], Any]:
            client = stack.enter_context(ours.make_client(server))
            return lambda: client.list_sandboxes(limit=PAGE)

        def panel(stack: contextlib.ExitStack) -> Callable[[], Any]:
            from islo_jupyter.panel import SandboxBrowser

            client = stack.enter_context(ours.make_client(server))
            client.list_sandboxes(limit=1)  # the token is cached, as it is in a running kernel

            def first_page() -> Any:
                browser = SandboxBrowser(client=client, page_size=PAGE)
                try:
                    if not browser.wait_idle(60):
                        raise TimeoutError("panel did not finish its first listing")
                    if browser.last_error:
                        raise RuntimeError(browser.last_error)
                    return browser
                finally:
                    browser.close()

            return first_page

        def widgets_only(stack: contextlib.ExitStack) -> Callable[[], Any]:
            from islo_jupyter.panel import SandboxBrowser

            client = stack.enter_context(ours.make_client(server))
            client.list_sandboxes(limit=1)

            def construct() -> Metrics:
                started = time.perf_counter()
                browser = SandboxBrowser(client=client, page_size=PAGE)
                elapsed = time.perf_counter() - started
                browser.wait_idle(60)  # not timed: keeps its listing out of the next sample
                browser.close()
                return Metrics({"ms": elapsed * 1000.0})

            return construct

        def bare(stack: contextlib.ExitStack) -> Callable[[], Any]:
            session = stack.enter_context(requests.Session())
            session.headers["Authorization"] = f"Bearer {server.exchange()}"
            url = f"{server.base_url}/sandboxes"
            return lambda: session.get(url, params={"limit": PAGE}, timeout=60).json()

        def official(_stack: contextlib.ExitStack) -> Callable[[], Any]:
            client = sdk.make_sdk(server)
            return lambda: client.sandboxes.list_sandboxes(limit=PAGE)

        contenders = [
            Contender(PANEL, panel, check=_check_page),
            Contender(PANEL_WIDGETS, widgets_only),
            Contender(RAW_LIST, raw_list, check=_check_page),
            Contender("bare requests.Session GET /sandboxes (floor)", bare, check=_check_page),
            Contender("official SDK sandboxes.list_sandboxes", official, check=_check_page),
        ]
        outcomes = run_interleaved(
            contenders, rounds=ctx.config.panel_rounds, warmup=ctx.config.warmup, log=ctx.log
        )
    return [
        Section(
            "panel",
            f"Panel first page ({PAGE} rows), {ctx.config.panel_sandboxes} sandboxes on the server",
            outcomes,
            baseline=RAW_LIST,
        )
    ]
