"""Loading, reloading and unloading the extension; %config; completion against the server."""

from __future__ import annotations

from typing import Any

from IPython.core.completer import provisionalcompleter
from IPython.core.interactiveshell import InteractiveShell

import islo_jupyter
from islo_jupyter.client import IsloClient

from .conftest import Output, recording, run


def test_load_announces_the_connection_with_the_key_masked(islo_env: Any, output: Output) -> None:
    shell = InteractiveShell.instance()
    with recording():
        islo_jupyter.load_ipython_extension(shell)
        islo_jupyter.load_ipython_extension(shell)  # harmless: same magics, one more line
    try:
        lines = output.out.splitlines()
        assert len(lines) == 2 and lines[0] == lines[1]
        assert lines[0].startswith(f"islo_jupyter: connected to Islo at {islo_env.base_url}")
        assert f"...{islo_env.api_key[-4:]}" in lines[0]
        assert list(shell.magics_manager.magics["line"]).count("islo") == 1
    finally:
        with recording():
            islo_jupyter.unload_ipython_extension(shell)
    assert "islo" not in shell.magics_manager.magics["line"]
    assert "islo_exec" not in shell.magics_manager.magics["cell"]
    assert "IsloMagics" not in shell.magics_manager.registry
    assert not any(type(c).__name__ == "IsloMagics" for c in shell.configurables)


def test_load_ext_and_unload_ext_through_ipython(islo_env: Any, output: Output) -> None:
    shell = InteractiveShell.instance()
    run(shell, "%load_ext islo_jupyter")
    assert "islo_jupyter: connected to" in output.out
    run(shell, "%unload_ext islo_jupyter")
    assert "islo" not in shell.magics_manager.magics["line"]
    run(shell, "%load_ext islo_jupyter")
    run(shell, "%unload_ext islo_jupyter")


def test_config_traitlets_are_settable_with_percent_config(
    ip: InteractiveShell, output: Output, sandbox: str
) -> None:
    run(ip, "%config IsloMagics")
    for name in ("default_sandbox", "raise_on_error", "shell", "stream", "timeout"):
        assert f"IsloMagics.{name}" in output.out
    assert "IsloMagics.cleanup_on_exit" in output.out
    run(ip, f"%config IsloMagics.default_sandbox = '{sandbox}'")
    run(ip, "%config IsloMagics.shell = 'sh'")
    run(ip, "%config IsloMagics.stream = False")
    output.clear()
    run(ip, '%%islo_exec\necho "$0"')
    assert output.out == "sh\n"
    run(ip, "%config IsloMagics.timeout = 1.0")
    magics = ip.magics_manager.registry["IsloMagics"]
    assert magics.timeout == 1.0 and magics.stream is False


def test_shell_and_panel_share_one_client(ip: InteractiveShell, output: Output) -> None:
    magics = ip.magics_manager.registry["IsloMagics"]
    assert isinstance(magics.state.client, IsloClient)
    assert magics.state.client is magics.state.client


def complete(shell: InteractiveShell, line: str) -> list[str]:
    with provisionalcompleter():
        return [c.text for c in shell.Completer.completions(line, len(line))]


def test_completion_of_subcommands_and_sandbox_names(
    ip: InteractiveShell, output: Output, sandbox: str
) -> None:
    assert complete(ip, "%islo cr") == ["create"]
    assert {"ls", "list", "local"} <= set(complete(ip, "%islo l"))
    assert sandbox in complete(ip, f"%islo use {sandbox[:5]}")
    assert sandbox in complete(ip, f"%islo rm {sandbox[:5]}")
    assert sandbox in complete(ip, f"%%islo_exec {sandbox[:5]}")
    assert "--no-raise-error" in complete(ip, "%%islo_exec --no-r")
    assert "--image" in complete(ip, "%islo create x --ima")


def test_completion_after_unload_is_gone(islo_env: Any, output: Output) -> None:
    shell = InteractiveShell.instance()
    with recording():
        islo_jupyter.load_ipython_extension(shell)
        islo_jupyter.unload_ipython_extension(shell)
    assert "create" not in complete(shell, "%islo cr")
