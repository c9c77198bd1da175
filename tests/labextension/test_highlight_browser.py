"""The labextension in a real JupyterLab and headless Chromium: `%%islo_exec` bodies are
highlighted as shell on open and after edits, other cells are left alone, and the Islo
commands insert their cells."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.fixtures import ARTIFACTS
from tests.browser.lab import KERNEL_IDLE_TIMEOUT_MS, JupyterLab, open_notebook, run_lab_command

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NOTEBOOK = Path(__file__).with_name("islo_exec_cells.ipynb")
# Cells of NOTEBOOK, in order.
MARKDOWN, SHELL, PYTHON, PYTHON_BODY, RAW = range(5)
# Generous: Lab, the kernel and the languages all load on a busy 2-core machine.
HIGHLIGHT_TIMEOUT_MS = 30_000
PANEL_TIMEOUT_MS = 90_000
# The class the extension adds to every token (lezer's classHighlighter), and nowhere else.
ANY_TOKEN = '[class*="tok-"]'


def _open(page: Any, lab: JupyterLab, name: str) -> Any:
    """Open a fresh copy of NOTEBOOK and make it current; returns a locator of its cells."""
    lab.add_notebook(NOTEBOOK, name)
    panel_id = open_notebook(page, lab, name)
    return page.locator(f"#{panel_id} .jp-Notebook .jp-Cell")


def _keywords(cell: Any, words: str) -> Any:
    """Tokens of `cell` highlighted as keywords whose text is one of `words` (a regex)."""
    return cell.locator(".cm-content .tok-keyword").filter(has_text=re.compile(rf"^({words})$"))


def _run_palette_command(page: Any, label: str) -> None:
    """Run a command the way a user does: through the command palette, by its label."""
    # Opened through Lab's own command rather than a key press, which a busy page can drop.
    run_lab_command(page, "apputils:activate-command-palette")
    palette = page.locator(".lm-CommandPalette-input")
    palette.wait_for(state="visible", timeout=HIGHLIGHT_TIMEOUT_MS)
    palette.fill(label)
    page.locator(".lm-CommandPalette-item", has_text=label).first.click()
    palette.wait_for(state="hidden", timeout=HIGHLIGHT_TIMEOUT_MS)


def test_bodies_are_highlighted_on_open_without_a_click(
    jupyter_lab: JupyterLab, lab_page: Any
) -> None:
    cells = _open(lab_page, jupyter_lab, "highlight-on-open.ipynb")
    shell = cells.nth(SHELL)

    # Shell keywords and options in the body: Python has no `then`, `fi` or `-la`.
    expect(_keywords(shell, "then|fi")).to_have_count(2, timeout=HIGHLIGHT_TIMEOUT_MS)
    expect(shell.locator(".tok-propertyName", has_text="-la")).to_have_count(1)
    expect(shell.locator(".tok-variableName.tok-definition", has_text="$HOME")).to_have_count(1)
    # The magic line keeps IPython's tokens: `--timeout` is two operators, not a shell option.
    magic_line = shell.locator(".cm-line").nth(1)
    expect(magic_line).to_have_text(re.compile(r"^%%islo_exec demo-box"))
    expect(magic_line.locator(".tok-propertyName")).to_have_count(0)
    expect(magic_line.locator(".tok-operator", has_text="-")).to_have_count(3)

    python = cells.nth(PYTHON)
    expect(_keywords(python, "def|return")).to_have_count(3)
    expect(python.locator(".tok-definition", has_text="greet")).to_have_count(1)

    # `--python`: the body is Python again, after the magic line.
    python_body = cells.nth(PYTHON_BODY)
    expect(_keywords(python_body, "import")).to_have_count(1)

    # Markdown and raw cells mention the magic on their first line, and stay untouched.
    for index in (MARKDOWN, RAW):
        editor = cells.nth(index).locator(".cm-content")
        expect(editor).to_contain_text("%%islo_exec demo-box")
        expect(editor.locator(ANY_TOKEN)).to_have_count(0)

    _save_screenshot(lab_page, [shell, python, python_body], "islo-exec-highlighting.png")


def _save_screenshot(page: Any, cells: list[Any], name: str) -> None:
    """Keep a picture of `cells` in test-artifacts/ (docs/images/ has a copy for the README)."""
    boxes = [cell.bounding_box() for cell in cells]
    left, top = min(b["x"] for b in boxes), min(b["y"] for b in boxes)
    right = max(b["x"] + b["width"] for b in boxes)
    bottom = max(b["y"] + b["height"] for b in boxes)
    clip = {"x": left, "y": top, "width": right - left, "height": bottom - top}
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), clip=clip)


def test_file_editor_with_the_magic_is_left_alone(jupyter_lab: JupyterLab, lab_page: Any) -> None:
    page = lab_page
    script = jupyter_lab.root_dir / "mentions_magic.py"
    script.write_text("%%islo_exec demo-box\nif true; then echo yes; fi\ndef f():\n    pass\n")
    page.goto(
        f"{jupyter_lab.url}/lab/workspaces/file-editor/tree/{script.name}?token={jupyter_lab.token}"
    )
    editor = page.locator(".jp-FileEditor:visible .cm-content").first
    expect(editor).to_contain_text("then echo yes", timeout=KERNEL_IDLE_TIMEOUT_MS)
    # Lab's own Python highlighting is there (so the editor is ready), ours is not.
    expect(editor.locator(".cm-line").nth(2).locator("span").first).to_have_text(
        "def", timeout=HIGHLIGHT_TIMEOUT_MS
    )
    expect(editor.locator(ANY_TOKEN)).to_have_count(0)


def test_highlighting_follows_edits_that_add_or_remove_the_magic(
    jupyter_lab: JupyterLab, lab_page: Any
) -> None:
    page = lab_page
    cells = _open(page, jupyter_lab, "highlight-edits.ipynb")
    python, shell = cells.nth(PYTHON), cells.nth(SHELL)
    expect(_keywords(python, "def|return")).to_have_count(3, timeout=HIGHLIGHT_TIMEOUT_MS)

    # Adding the magic turns the body into shell: `if` stays a keyword, `def`/`return` not.
    python.locator(".cm-content").click()
    page.keyboard.press("Control+Home")
    page.keyboard.type("%%islo_exec demo-box")
    page.keyboard.press("Enter")
    expect(_keywords(python, "def|return")).to_have_count(0, timeout=HIGHLIGHT_TIMEOUT_MS)
    expect(_keywords(python, "if")).to_have_count(1)

    # Removing it (line 0 is blank, line 1 the magic) makes the shell cell plain IPython.
    expect(_keywords(shell, "then|fi")).to_have_count(2)
    shell.locator(".cm-content").click()
    page.keyboard.press("Control+Home")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Home")
    page.keyboard.press("Shift+End")
    page.keyboard.press("Backspace")
    expect(_keywords(shell, "then|fi")).to_have_count(0, timeout=HIGHLIGHT_TIMEOUT_MS)
    expect(_keywords(shell, "if")).to_have_count(1)


def test_highlighting_follows_the_kernel_language(jupyter_lab: JupyterLab, lab_page: Any) -> None:
    page = lab_page
    cells = _open(page, jupyter_lab, "kernel-language.ipynb")
    shell = cells.nth(SHELL)
    expect(_keywords(shell, "then|fi")).to_have_count(2, timeout=HIGHLIGHT_TIMEOUT_MS)

    # What the notebook does on a kernel change: a new mime type for every code cell.
    set_mime = """(mime) => {
        const cells = window.jupyterapp.shell.currentWidget.content.model.cells;
        for (let i = 0; i < cells.length; i++) { cells.get(i).mimeType = mime; }
    }"""
    page.evaluate(set_mime, "text/x-python")  # e.g. xeus-python: no IPython magics
    expect(shell.locator(ANY_TOKEN)).to_have_count(0, timeout=HIGHLIGHT_TIMEOUT_MS)
    page.evaluate(set_mime, "text/x-ipython")
    expect(_keywords(shell, "then|fi")).to_have_count(2, timeout=HIGHLIGHT_TIMEOUT_MS)


def test_insert_exec_cell_uses_the_kernels_default_sandbox(
    jupyter_lab: JupyterLab, lab_page: Any
) -> None:
    page = lab_page
    cells = _open(page, jupyter_lab, "insert-exec-cell.ipynb")
    status = page.evaluate(
        """async () => {
            const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
            const code = "%load_ext islo_jupyter\\n%config IsloMagics.default_sandbox = 'demo-box'";
            const reply = await kernel.requestExecute({ code, store_history: false }).done;
            return reply.content.status;
        }"""
    )
    assert status == "ok"
    expect(cells).to_have_count(5)

    _run_palette_command(page, "Insert Islo exec cell")

    # Below the active (first) cell, naming the sandbox, with the cursor on the body line.
    expect(cells).to_have_count(6, timeout=HIGHLIGHT_TIMEOUT_MS)
    new_cell = cells.nth(1)
    expect(new_cell).to_have_class(re.compile(r"\bjp-CodeCell\b"))
    expect(new_cell.locator(".cm-line").first).to_have_text("%%islo_exec demo-box")
    page.keyboard.type("if true; then ls -la; fi")
    expect(_keywords(new_cell, "then|fi")).to_have_count(2, timeout=HIGHLIGHT_TIMEOUT_MS)

    # Both commands are in the notebook's context menu too.
    cells.nth(0).click(button="right")
    menu = page.locator(".lm-Menu")
    for label in ("Insert Islo exec cell", "Open Islo sandbox browser"):
        expect(menu.locator(".lm-Menu-itemLabel", has_text=label)).to_be_visible()
    page.keyboard.press("Escape")


def test_open_sandbox_browser_runs_a_panel_cell(jupyter_lab: JupyterLab, lab_page: Any) -> None:
    page = lab_page
    cells = _open(page, jupyter_lab, "open-sandbox-browser.ipynb")

    _run_palette_command(page, "Open Islo sandbox browser")

    new_cell = cells.nth(1)
    expect(cells).to_have_count(6, timeout=HIGHLIGHT_TIMEOUT_MS)
    # The kernel had not loaded the extension, so the cell does it first.
    expect(new_cell.locator(".cm-content")).to_have_text(
        re.compile(r"%load_ext islo_jupyter\s*%islo panel")
    )
    expect(new_cell.locator(".islo-sandbox-browser")).to_be_visible(timeout=PANEL_TIMEOUT_MS)
