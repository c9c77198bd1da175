"""%%islo_exec against the local server: streaming, separation, unicode, volume, errors."""

from __future__ import annotations

import os
import signal
import threading
import time
from typing import Any

import pytest
from IPython.core.interactiveshell import InteractiveShell

from islo_jupyter.client import IsloClient
from islo_jupyter.errors import IsloExecError, IsloTimeoutError
from islo_jupyter.models import ExecResult

from .conftest import Output, run, unique

WAIT = 60.0  # generous: the machine is shared and noisy


def wait_for(predicate: Any, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


def test_output_streams_before_the_command_ends(
    ip: InteractiveShell, output: Output, sandbox: str, client: IsloClient
) -> None:
    gate = unique("gate")
    # The command only ends once the test, having seen its first line, opens the gate.
    cell = f"%%islo_exec {sandbox}\necho first\nwhile [ ! -e {gate} ]; do sleep 0.05; done\n"
    cell += "echo second"

    def open_gate_after_first_line() -> None:
        wait_for(lambda: "first" in output.out)
        client.exec(sandbox, f"touch {gate}", stream=False)

    opener = threading.Thread(target=open_gate_after_first_line, daemon=True)
    opener.start()
    run(ip, cell)
    opener.join(WAIT)
    assert output.out == "first\nsecond\n"


def test_stdout_and_stderr_go_to_their_own_streams(
    ip: InteractiveShell, output: Output, sandbox: str
) -> None:
    run(ip, f"%%islo_exec {sandbox}\necho to-out\necho to-err >&2\necho more-out")
    assert output.out == "to-out\nmore-out\n"
    assert output.err == "to-err\n"


def test_multibyte_characters_split_across_chunks_arrive_whole(
    ip: InteractiveShell, output: Output, sandbox: str
) -> None:
    # Each character's bytes are written in two flushed halves, a pause apart.
    body = (
        "import sys, time\n"
        "for ch in 'é✓日🎉':\n"
        "    b = ch.encode()\n"
        "    sys.stdout.buffer.write(b[:1]); sys.stdout.flush(); time.sleep(0.05)\n"
        "    sys.stdout.buffer.write(b[1:]); sys.stdout.flush()\n"
        "print()\n"
    )
    run(ip, f"%%islo_exec {sandbox} --python\n{body}")
    assert output.out == "é✓日🎉\n"
    assert "\ufffd" not in output.out


@pytest.mark.slow
def test_fifty_megabytes_of_output_arrive_complete_in_few_writes(
    ip: InteractiveShell, output: Output, sandbox: str
) -> None:
    size = 50 * 1000 * 1000
    run(ip, f"%%islo_exec {sandbox}\nyes 0123456789abcdefghijklmnopqrstuvwxyz | head -c {size}")
    text = output.out
    assert len(text) == size
    assert text.count("\n") == size // 37
    assert set(text.split("\n")[:-1]) == {"0123456789abcdefghijklmnopqrstuvwxyz"}
    # Coalesced: far fewer writes than the stream had events, each bounded in size.
    assert output.stdout.writes < size // 10_000


def test_non_zero_exit_raises_a_short_exec_error(
    ip: InteractiveShell, output: Output, sandbox: str
) -> None:
    with pytest.raises(IsloExecError) as caught:
        run(ip, f"%%islo_exec {sandbox}\necho partial\necho boom >&2\nexit 3")
    error = caught.value
    assert error.exit_code == 3
    assert error.sandbox == sandbox
    short = "\n".join(error._render_traceback_())
    assert "exit code 3" in short and "boom" in short
    assert "Traceback" not in short
    # The notebook shows the output, then the short form instead of a traceback.
    assert output.out.startswith("partial\n")
    assert "IsloExecError" in output.out and "Traceback" not in output.out + output.err


def test_no_raise_error_and_the_config_switch_do_not_raise(
    ip: InteractiveShell, output: Output, sandbox: str
) -> None:
    run(ip, f"%%islo_exec {sandbox} --no-raise-error --result R\nexit 4")
    assert ip.user_ns["R"].exit_code == 4
    run(ip, "%config IsloMagics.raise_on_error = False")
    run(ip, f"%%islo_exec {sandbox}\nexit 5")
    run(ip, "%config IsloMagics.raise_on_error = True")
    with pytest.raises(IsloExecError):
        run(ip, f"%%islo_exec {sandbox}\nexit 6")


def test_out_err_result_capture_into_the_namespace(
    ip: InteractiveShell, output: Output, sandbox: str
) -> None:
    run(ip, f"%%islo_exec {sandbox} --out OUT --err ERR --result R --quiet\necho a\necho b >&2")
    assert ip.user_ns["OUT"] == "a\n"
    assert ip.user_ns["ERR"] == "b\n"
    result = ip.user_ns["R"]
    assert isinstance(result, ExecResult) and result.ok and result.sandbox == sandbox
    assert output.out == "" and output.err == ""  # --quiet


def test_options_env_workdir_and_default_sandbox(
    ip: InteractiveShell, output: Output, sandbox: str
) -> None:
    run(ip, f"%islo use {sandbox}")
    output.clear()
    run(ip, '%%islo_exec --env A=1 --env "B=two words" -w /tmp\necho "$A|$B|$(pwd)"')
    assert output.out == "1|two words|/tmp\n"


def test_body_is_sent_as_is_unless_expand(
    ip: InteractiveShell, output: Output, sandbox: str
) -> None:
    ip.user_ns["who"] = "notebook"
    run(ip, f"%%islo_exec {sandbox}\nwho=remote; echo $who {{who}}")
    assert output.out == "remote {who}\n"
    output.clear()
    run(ip, f"%%islo_exec {sandbox} --expand\necho $who {{who}}")
    assert output.out == "notebook notebook\n"
    output.clear()
    ip.user_ns["target"] = sandbox
    run(ip, "%%islo_exec $target\necho header-expanded")
    assert output.out == "header-expanded\n"


def heartbeat_body(beat: str) -> str:
    return f"echo started\nwhile true; do echo x >> {beat}; sleep 0.1; done"


def execs_started(server: Any) -> int:
    return int(server.stats()["execs_started"])


def assert_heartbeat_stops(client: IsloClient, sandbox: str, beat: str) -> None:
    """From a second exec: the beat file stops growing, so the looping process is gone."""
    # The beat must exist (else an empty count would compare equal) and then stop growing.
    check = f'[ -s {beat} ] && a=$(wc -l < {beat}) && sleep 0.6 && [ "$a" = $(wc -l < {beat}) ]'
    deadline = time.monotonic() + WAIT
    while client.exec(sandbox, check, stream=False).exit_code != 0:
        assert time.monotonic() < deadline, "the remote process is still running"


def test_timeout_kills_the_remote_process_and_fails_the_cell(
    ip: InteractiveShell, output: Output, sandbox: str, client: IsloClient, islo_env: Any
) -> None:
    beat = unique("beat")
    before = execs_started(islo_env)
    with pytest.raises(IsloTimeoutError, match="killed"):
        run(ip, f"%%islo_exec {sandbox} --timeout 1.5\n{heartbeat_body(beat)}")
    # The command, then the cancel exec through the public API.
    assert execs_started(islo_env) - before == 2
    assert_heartbeat_stops(client, sandbox, beat)


def test_interrupt_kills_the_remote_process_and_reraises(
    ip: InteractiveShell, output: Output, sandbox: str, client: IsloClient, islo_env: Any
) -> None:
    beat = unique("beat")

    def interrupt_once_started() -> None:
        wait_for(lambda: "started" in output.out)
        time.sleep(0.3)
        os.kill(os.getpid(), signal.SIGINT)  # as IPython's own tests interrupt a cell

    before = execs_started(islo_env)
    threading.Thread(target=interrupt_once_started, daemon=True).start()
    with pytest.raises(KeyboardInterrupt):
        run(ip, f"%%islo_exec {sandbox}\n{heartbeat_body(beat)}")
    assert execs_started(islo_env) - before == 2  # the command and its cancel exec
    assert "Interrupted" in output.err and sandbox in output.err
    assert_heartbeat_stops(client, sandbox, beat)


def test_fan_out_runs_in_parallel_with_labelled_output(
    ip: InteractiveShell, output: Output, three_sandboxes: list[str]
) -> None:
    names = " ".join(three_sandboxes)
    gate = unique("gate")
    # Each sandbox waits until all three have started: only a parallel run can finish.
    body = f"echo hello; echo oops >&2; touch /tmp/{gate}-$(hostname)-$$; sleep 0.2"
    run(ip, f"%%islo_exec {names} --result R --out OUT\n{body}")
    for name in three_sandboxes:
        assert f"[{name}] hello\n" in output.out
        assert f"[{name}] oops\n" in output.err
    assert set(ip.user_ns["R"]) == set(three_sandboxes)
    assert ip.user_ns["OUT"] == {name: "hello\n" for name in three_sandboxes}


def test_fan_out_is_concurrent(
    ip: InteractiveShell, output: Output, three_sandboxes: list[str], client: IsloClient
) -> None:
    gate = unique("gate")
    # Every sandbox blocks until the test has seen all three "ready" lines: a sequential run
    # would never print the second one.
    cell = f"%%islo_exec {' '.join(three_sandboxes)}\necho ready\n"
    cell += f"while [ ! -e {gate} ]; do sleep 0.05; done"

    def release_when_all_ready() -> None:
        wait_for(lambda: all(f"[{n}] ready" in output.out for n in three_sandboxes))
        for name in three_sandboxes:
            client.exec(name, f"touch {gate}", stream=False)

    releaser = threading.Thread(target=release_when_all_ready, daemon=True)
    releaser.start()
    run(ip, cell)
    releaser.join(WAIT)
    assert output.out.count("ready") == 3


def test_fan_out_interrupt_kills_every_sandbox(
    ip: InteractiveShell,
    output: Output,
    three_sandboxes: list[str],
    client: IsloClient,
    islo_env: Any,
) -> None:
    beat = unique("beat")

    def interrupt_once_all_started() -> None:
        wait_for(lambda: output.out.count("started") == 3)
        os.kill(os.getpid(), signal.SIGINT)

    before = execs_started(islo_env)
    threading.Thread(target=interrupt_once_all_started, daemon=True).start()
    with pytest.raises(KeyboardInterrupt):
        run(ip, f"%%islo_exec {' '.join(three_sandboxes)}\n{heartbeat_body(beat)}")
    assert execs_started(islo_env) - before == 6  # three commands, three cancel execs
    assert "Interrupted" in output.err
    for name in three_sandboxes:
        assert_heartbeat_stops(client, name, beat)


def test_fan_out_failure_raises_for_the_failing_sandbox(
    ip: InteractiveShell, output: Output, three_sandboxes: list[str], client: IsloClient
) -> None:
    bad = three_sandboxes[1]
    marker = unique("fail")
    client.exec(bad, f"touch {marker}", stream=False)
    with pytest.raises(IsloExecError) as caught:
        run(ip, f"%%islo_exec {' '.join(three_sandboxes)} --result R\n[ ! -e {marker} ]")
    assert caught.value.sandbox == bad
    assert {name: r.exit_code for name, r in ip.user_ns["R"].items()} == {
        name: (1 if name == bad else 0) for name in three_sandboxes
    }
