"""Every %islo subcommand against the local server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from IPython.core.interactiveshell import InteractiveShell

from islo_jupyter.client import IsloClient
from islo_jupyter.errors import IsloExecError, NotFoundError
from islo_jupyter.magics.listing import SandboxTable
from islo_jupyter.models import Sandbox

from .conftest import Output, run, unique


def test_bare_islo_is_status(ip: InteractiveShell, output: Output, islo_env: Any) -> None:
    run(ip, "%islo")
    assert f"Connected to Islo at {islo_env.base_url}" in output.out
    assert "Reachable: yes" in output.out
    assert "ak_..." in output.out or "..." in output.out  # the key only masked
    status = output.out
    output.clear()
    run(ip, "%islo status")
    assert output.out == status


def test_help_lists_every_subcommand(ip: InteractiveShell, output: Output) -> None:
    run(ip, "%islo -h")
    for verb in ("status", "login", "ls", "create", "rm", "exec", "upload", "local", "cleanup"):
        assert f"  {verb} " in output.out


def test_each_subcommand_has_dash_h(ip: InteractiveShell, output: Output) -> None:
    run(ip, "%islo create -h")
    assert "usage: %islo create" in output.out and "--image" in output.out
    output.clear()
    run(ip, "%%islo_exec -h\nunused body")
    assert output.out.startswith("usage: %%islo_exec [-h]") and "--no-raise-error" in output.out


def test_create_info_use_stop_resume_pause_rm(
    ip: InteractiveShell, output: Output, client: IsloClient
) -> None:
    name = unique("life")
    run(ip, f"%islo create {name} --env A=1 --workdir /workspace")
    assert f"Created sandbox {name!r}" in output.out and "running" in output.out
    assert client.get_sandbox(name).status == "running"
    output.clear()
    run(ip, f"%islo info {name}")
    assert f"name:       {name}" in output.out and "status:     running" in output.out
    run(ip, f"%islo use {name}")
    run(ip, "%%islo_exec\necho $A")
    assert output.out.endswith("1\n")
    run(ip, f"%islo pause {name}")
    assert client.get_sandbox(name).status == "paused"
    run(ip, f"%islo resume {name}")
    assert client.get_sandbox(name).status == "running"
    run(ip, f"%islo stop {name}")
    assert client.get_sandbox(name).status in {"stopped", "stopping"}
    run(ip, f"%islo rm {name}")
    with pytest.raises(NotFoundError):
        client.get_sandbox(name)


def test_create_no_wait_returns_at_once(
    ip: InteractiveShell, output: Output, client: IsloClient
) -> None:
    name = unique("nowait")
    run(ip, f"%islo create {name} --no-wait --image python:3.12-slim")
    assert f"Created sandbox {name!r} (python:3.12-slim)" in output.out
    client.wait_until_running(name)
    run(ip, f"%islo rm {name}")


def test_ls_and_list_return_a_table_with_filters(
    ip: InteractiveShell, output: Output, client: IsloClient
) -> None:
    prefix = unique("ls")
    for i in range(3):
        client.create_sandbox(f"{prefix}-{i}")
    try:
        table = run(ip, f"%islo ls --prefix {prefix}")
        assert isinstance(table, SandboxTable)
        assert sorted(s.name for s in table) == [f"{prefix}-{i}" for i in range(3)]
        assert all(isinstance(s, Sandbox) for s in table)
        limited = run(ip, f"%islo list --prefix {prefix} --limit 2")
        assert len(limited) == 2 and limited.total == 3
        searched = run(ip, f"%islo ls --search {prefix}-1")
        assert f"{prefix}-1" in searched.names
        assert "<table" in table._repr_html_()
        none = run(ip, f"%islo ls --prefix {prefix} --status paused")
        assert len(none) == 0
    finally:
        for i in range(3):
            client.delete_sandbox(f"{prefix}-{i}")


def test_rm_several_and_force(ip: InteractiveShell, output: Output, client: IsloClient) -> None:
    names = [unique("rm") for _ in range(2)]
    for name in names:
        client.create_sandbox(name)
    run(ip, f"%islo rm {' '.join(names)}")
    for name in names:
        assert f"Deleted sandbox {name!r}" in output.out
    with pytest.raises(NotFoundError):
        run(ip, f"%islo rm {names[0]}")
    run(ip, f"%islo rm -f {names[0]}")


def test_exec_subcommand_runs_one_command(
    ip: InteractiveShell, output: Output, sandbox: str
) -> None:
    run(ip, f"%islo exec {sandbox} --env X=42 -- echo $X | tr 4 f")
    assert output.out == "f2\n"
    with pytest.raises(IsloExecError):
        run(ip, f"%islo exec {sandbox} -- exit 2")
    run(ip, f"%islo exec {sandbox} --no-raise-error --result R -- exit 2")
    assert ip.user_ns["R"].exit_code == 2


def test_upload_and_download_files_and_directories(
    ip: InteractiveShell, output: Output, sandbox: str, tmp_path: Path
) -> None:
    source = tmp_path / "src"
    (source / "sub").mkdir(parents=True)
    (source / "a.txt").write_text("alpha ✓\n")
    (source / "sub" / "b.bin").write_bytes(bytes(range(256)))
    run(ip, f"%islo upload {sandbox} {source / 'a.txt'} up/a.txt")
    run(ip, f"%islo upload {sandbox} {source} updir")
    run(ip, f"%islo exec {sandbox} -- cat up/a.txt updir/a.txt; wc -c < updir/sub/b.bin")
    assert "alpha ✓\nalpha ✓\n256\n" in output.out
    run(ip, f"%islo download {sandbox} up/a.txt {tmp_path / 'back.txt'}")
    assert (tmp_path / "back.txt").read_text() == "alpha ✓\n"
    run(ip, f"%islo download {sandbox} updir/ {tmp_path / 'backdir'}")
    assert (tmp_path / "backdir" / "sub" / "b.bin").read_bytes() == bytes(range(256))
    run(ip, f"%islo download -r {sandbox} updir {tmp_path / 'backdir2'}")
    assert (tmp_path / "backdir2" / "a.txt").read_text() == "alpha ✓\n"


def test_login_prompts_for_the_key_and_never_shows_it(
    ip: InteractiveShell, output: Output, islo_env: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = islo_env.new_api_key()
    prompts: list[str] = []

    def fake_getpass(prompt: str) -> str:
        prompts.append(prompt)
        return key

    monkeypatch.setattr("getpass.getpass", fake_getpass)
    run(ip, f"%islo login --base-url {islo_env.base_url}")
    assert prompts == ["Islo API key: "]
    assert key not in output.out + output.err
    assert f"...{key[-4:]}" in output.out
    # The kernel now works as the new tenant: it sees none of the default tenant's sandboxes.
    assert len(run(ip, "%islo ls")) == 0
    assert key not in repr(ip.user_ns) and key not in "".join(ip.history_manager.input_hist_raw)


def test_login_with_a_bad_key_fails_and_keeps_the_old_client(
    ip: InteractiveShell, output: Output, islo_env: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from islo_jupyter.errors import IsloError

    monkeypatch.setattr("getpass.getpass", lambda prompt: "ak_not_a_real_key_123456")
    with pytest.raises(IsloError):
        run(ip, f"%islo login --base-url {islo_env.base_url}")
    assert "ak_not_a_real_key_123456" not in output.out + output.err
    output.clear()
    run(ip, "%islo status")
    assert "Reachable: yes" in output.out


def test_cleanup_deletes_only_what_this_kernel_created(
    ip: InteractiveShell, output: Output, client: IsloClient
) -> None:
    mine = [unique("mine") for _ in range(2)]
    other = unique("other")
    client.create_sandbox(other)
    try:
        for name in mine:
            run(ip, f"%islo create {name} --no-wait")
        output.clear()
        run(ip, "%islo cleanup")
        assert output.out.startswith("Deleted 2 sandboxes")
        for name in mine:
            with pytest.raises(NotFoundError):
                client.get_sandbox(name)
        assert client.get_sandbox(other).name == other
        output.clear()
        run(ip, "%islo cleanup")
        assert output.out == "No sandboxes created by this kernel.\n"
    finally:
        client.delete_sandbox(other)


def test_cleanup_on_exit_hook(ip: InteractiveShell, output: Output, client: IsloClient) -> None:
    name = unique("exit")
    run(ip, f"%islo create {name} --no-wait")
    magics = ip.magics_manager.registry["IsloMagics"]
    magics.cleanup_at_exit()  # off by default: nothing happens
    assert client.get_sandbox(name).name == name
    run(ip, "%config IsloMagics.cleanup_on_exit = True")
    magics.cleanup_at_exit()
    with pytest.raises(NotFoundError):
        client.get_sandbox(name)


def test_panel_shows_the_sandbox_browser_with_the_shared_client(
    ip: InteractiveShell, output: Output, sandbox: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import islo_jupyter.panel

    made: list[dict[str, Any]] = []

    class RecordingBrowser(islo_jupyter.panel.SandboxBrowser):  # type: ignore[misc]
        def __init__(self, client: Any = None, **kwargs: Any) -> None:
            made.append({"client": client, **kwargs})
            super().__init__(client, **kwargs)

    shown: list[Any] = []
    monkeypatch.setattr(islo_jupyter.panel, "SandboxBrowser", RecordingBrowser)
    monkeypatch.setattr("islo_jupyter.magics.commands.display", shown.append)
    run(ip, "%islo panel")
    magics = ip.magics_manager.registry["IsloMagics"]
    (browser,) = shown
    assert isinstance(browser, RecordingBrowser)
    assert made[0]["client"] is magics.state.client  # one client per kernel
    # The panel's "use as default" lands in the magics' config.
    made[0]["on_use_default"](sandbox)
    assert magics.default_sandbox == sandbox


def test_panel_missing_shows_a_clear_message(
    ip: InteractiveShell, output: Output, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "islo_jupyter.panel", None)  # import fails
    run(ip, "%islo panel")
    assert output.out.startswith("The sandbox browser is not available")


def test_local_start_status_stop_on_a_data_directory_of_its_own(
    ip: InteractiveShell, output: Output, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ISLO_LOCAL_HOME", str(tmp_path / "home"))
    run(ip, "%islo local status")
    assert output.out == "The local Islo server is not running.\n"
    output.clear()
    try:
        run(ip, "%islo local start")
        assert output.out.startswith("The local Islo server runs at http://127.0.0.1:")
        output.clear()
        run(ip, "%islo local status")
        assert "runs at http://127.0.0.1:" in output.out
    finally:
        run(ip, "%islo local stop")
    assert output.out.endswith("The local Islo server is stopped.\n")
