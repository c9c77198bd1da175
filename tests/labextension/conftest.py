"""Browser fixtures for the labextension tests, shared with tests/browser/ (a conftest's
fixtures reach only its own folder, so they are imported here)."""

from tests.browser.conftest import (  # noqa: F401
    chromium_browser,
    jupyter_lab,
    lab_page,
    pytest_runtest_makereport,
)
