"""Files from the panel: upload picked files, fetch as a link, save to the notebook's folder."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from islo_jupyter.client import IsloClient
from islo_jupyter.panel import SandboxBrowser
from tests.panel.helpers import WAIT, unique

Open = Callable[..., SandboxBrowser]


def test_upload_link_and_save(tenant: IsloClient, open_browser: Open, tmp_path: Path) -> None:
    name = unique("files")
    tenant.create_sandbox(name)
    tenant.wait_until_running(name)
    browser = open_browser(tenant)
    browser.select(name)
    files = browser.files
    files.save_dir = tmp_path
    payload = b"col\n1\n2\n"
    files.picker.value = (
        {
            "name": "data.csv",
            "type": "text/csv",
            "size": len(payload),
            "content": memoryview(payload),
            "last_modified": datetime.now(timezone.utc),
        },
    )
    files.remote_dir.value = "inbox"
    files.upload_button.click()
    assert browser.wait_idle(WAIT)
    assert browser.last_error == ""
    assert "inbox/data.csv" in files.result.value
    assert tenant.read_file(name, "inbox/data.csv") == payload
    assert files.picker.value == ()

    files.remote_path.value = "inbox/data.csv"
    files.link_button.click()
    assert browser.wait_idle(WAIT)
    match = re.search(r"base64,([A-Za-z0-9+/=]+)'", files.result.value)
    assert match and base64.b64decode(match.group(1)) == payload

    files.save_button.click()
    assert browser.wait_idle(WAIT)
    assert (tmp_path / "data.csv").read_bytes() == payload
    assert "saved to" in files.result.value


def test_download_of_a_missing_file_is_an_error_in_the_panel(
    tenant: IsloClient, open_browser: Open
) -> None:
    name = unique("nofile")
    tenant.create_sandbox(name)
    browser = open_browser(tenant)
    browser.select(name)
    browser.files.remote_path.value = "no/such/file.txt"
    browser.files.link_button.click()
    assert browser.wait_idle(WAIT)
    assert "404" in browser.last_error
    assert not browser.files.link_button.disabled
