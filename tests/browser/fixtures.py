"""Browser-test fixtures: a real JupyterLab on loopback and headless Debian Chromium via Playwright.

A pytest plugin, loaded by tests/conftest.py, so every test folder shares one Lab.

JupyterLab runs with the ISLO_* environment of the test's local server, so notebook kernels
talk to it; its root is a temporary copy of ``notebooks/`` plus any notebooks a test adds.
A failed test leaves a screenshot and the JupyterLab log in ``test-artifacts/``.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.lab import JupyterLab, running_lab

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Flags from TOOLCHAIN.md: without the background-networking ones Chromium keeps dialling out
# and the closed network refuses it.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _require_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    message = f"Chromium not found at {CHROMIUM}; run scripts/setup.sh (apt install chromium)"
    if os.environ.get("CI"):
        pytest.fail(message)  # CI must never pass by skipping the browser tests
    pytest.skip(message)


@pytest.fixture(scope="session")
def jupyter_lab(
    local_server: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[JupyterLab]:
    _require_chromium()
    root = tmp_path_factory.mktemp("lab-root")
    for notebook in (REPO / "notebooks").glob("*.ipynb"):
        shutil.copyfile(notebook, root / notebook.name)
    ARTIFACTS.mkdir(exist_ok=True)
    log_path = ARTIFACTS / "jupyterlab.log"
    env = dict(os.environ)
    env.update(
        ISLO_API_KEY=local_server.api_key,
        ISLO_BASE_URL=local_server.base_url,
        ISLO_COMPUTE_URL=local_server.base_url,
    )
    # expose_app lets tests run Lab commands (run-all, the palette) without fragile key presses.
    with running_lab(
        sys.executable, root, log_path, env, ["--LabApp.expose_app_in_browser=True"]
    ) as lab:
        yield lab


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[Any]:
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Browser tests run last: Playwright's sync API keeps an event loop running in the main
    # thread while the session-wide browser lives, and asyncio.run() in later tests would fail.
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    # Keep each phase's report on the item so lab_page knows whether to save a screenshot.
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture
def lab_page(chromium_browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = chromium_browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    try:
        yield page
    finally:
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            ARTIFACTS.mkdir(exist_ok=True)
            safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
            page.screenshot(path=str(ARTIFACTS / f"{safe}.png"), full_page=True)
        context.close()
