"""Exec against the real local server: streaming, polling, timeouts, cancellation."""

from __future__ import annotations

import time

import pytest

from islo_jupyter import errors
from islo_jupyter.client import IsloClient
from tests.faultproxy import FaultProxy


def test_streamed_exec_result(client: IsloClient, sandbox: str) -> None:
    out: list[str] = []
    err: list[str] = []
    result = client.exec(
        sandbox, "echo hi; echo oops >&2; exit 3", on_stdout=out.append, on_stderr=err.append
    )
    assert (result.stdout, result.stderr, result.exit_code) == ("hi\n", "oops\n", 3)
    assert "".join(out) == "hi\n" and "".join(err) == "oops\n"
    assert result.status == "completed" and not result.ok and result.exec_id
    assert result.duration > 0


def test_argv_env_workdir(client: IsloClient, sandbox: str) -> None:
    client.exec(sandbox, "mkdir -p sub")
    result = client.exec(
        sandbox, ["/bin/sh", "-c", 'echo "$X $1"; pwd', "sh", "a b"], env={"X": "y"}, workdir="sub"
    )
    assert result.stdout.splitlines()[0] == "y a b"
    assert result.stdout.splitlines()[1].endswith("/sub")


def test_output_arrives_while_the_command_runs(client: IsloClient, sandbox: str) -> None:
    arrivals: list[float] = []
    started = time.monotonic()
    client.exec(
        sandbox,
        "echo one; sleep 1; echo two",
        on_stdout=lambda _: arrivals.append(time.monotonic() - started),
    )
    assert len(arrivals) >= 2 and arrivals[-1] - arrivals[0] >= 0.5


def test_multibyte_output_is_never_mangled(client: IsloClient, sandbox: str) -> None:
    # Many small writes of 4-byte characters: chunk and event edges fall mid-character.
    script = "i=0; while [ $i -lt 400 ]; do printf '😀é€'; i=$((i+1)); done"
    pieces: list[str] = []
    result = client.exec(sandbox, script, on_stdout=pieces.append)
    assert result.stdout == "😀é€" * 400
    assert "\ufffd" not in "".join(pieces)


def test_large_output(client: IsloClient, sandbox: str) -> None:
    result = client.exec(sandbox, "head -c 3000000 /dev/zero | tr '\\0' 'x'")
    assert len(result.stdout) == 3_000_000


def test_polled_exec_matches_streamed(client: IsloClient, sandbox: str) -> None:
    command = "echo out; echo err >&2; exit 4"
    streamed = client.exec(sandbox, command)
    polled = client.exec(sandbox, command, stream=False)
    assert (polled.stdout, polled.stderr, polled.exit_code) == (
        streamed.stdout,
        streamed.stderr,
        streamed.exit_code,
    )


def test_start_and_wait_pair(client: IsloClient, sandbox: str) -> None:
    started = client.start_exec(sandbox, "sleep 0.3; echo done")
    assert client.get_exec_result(sandbox, started.exec_id).status not in {"completed"}
    seen: list[str] = []
    result = client.wait_exec(sandbox, started.exec_id, timeout=30, on_stdout=seen.append)
    assert result.stdout == "done\n" == "".join(seen)


def test_local_timeout_says_the_process_was_not_killed(client: IsloClient, sandbox: str) -> None:
    started = time.monotonic()
    with pytest.raises(errors.IsloTimeoutError, match="may still be running"):
        client.exec(sandbox, "sleep 20", timeout=1)
    assert time.monotonic() - started < 15


def _pid_alive(client: IsloClient, sandbox: str, pidfile: str) -> bool:
    return client.exec(sandbox, f"kill -0 $(cat {pidfile}) 2>/dev/null").exit_code == 0


def test_cancellable_timeout_kills_the_process_group(client: IsloClient, sandbox: str) -> None:
    # `sleep` runs as a grandchild in the background: only a group kill reaches it.
    command = "sleep 60 & echo $! > /tmp/cancel-timeout.pid; wait"
    with pytest.raises(errors.IsloTimeoutError, match="process group was killed"):
        client.exec(sandbox, command, timeout=1.5, cancellable=True)
    deadline = time.monotonic() + 15
    while _pid_alive(client, sandbox, "/tmp/cancel-timeout.pid"):
        assert time.monotonic() < deadline, "the grandchild survived the cancel"
        time.sleep(0.1)


def test_keyboard_interrupt_cancels_and_re_raises(client: IsloClient, sandbox: str) -> None:
    def interrupt(text: str) -> None:
        if "ready" in text:
            raise KeyboardInterrupt

    command = "sleep 60 & echo $! > /tmp/cancel-kbd.pid; echo ready; wait"
    with pytest.raises(KeyboardInterrupt):
        client.exec(sandbox, command, cancellable=True, on_stdout=interrupt)
    deadline = time.monotonic() + 15
    while _pid_alive(client, sandbox, "/tmp/cancel-kbd.pid"):
        assert time.monotonic() < deadline, "the background process survived the interrupt"
        time.sleep(0.1)


def test_cancellable_exec_passes_exit_code_and_output(client: IsloClient, sandbox: str) -> None:
    result = client.exec(sandbox, "echo a; echo b >&2; exit 5", cancellable=True)
    assert (result.stdout, result.stderr, result.exit_code) == ("a\n", "b\n", 5)


def test_missing_sandbox(client: IsloClient) -> None:
    with pytest.raises(errors.NotFoundError):
        client.exec("no-such-sandbox-here", "true")


def test_a_callback_error_propagates_unchanged(client: IsloClient, sandbox: str) -> None:
    def broken(_: str) -> None:
        raise ValueError("callback bug")

    with pytest.raises(ValueError, match="callback bug"):
        client.exec(sandbox, "echo x", on_stdout=broken)


def test_keep_output_false_streams_without_accumulating(client: IsloClient, sandbox: str) -> None:
    size = [0]
    result = client.exec(
        sandbox,
        "head -c 200000 /dev/zero | tr '\\0' 'y'",
        on_stdout=lambda text: size.__setitem__(0, size[0] + len(text)),
        keep_output=False,
    )
    assert size[0] == 200_000 and result.stdout == "" and result.exit_code == 0


def test_streamed_execs_reuse_one_connection(
    proxy: FaultProxy, proxied_client: IsloClient, sandbox: str
) -> None:
    # The end of each body is read after `exit`, so the connection goes back to the pool.
    for _ in range(5):
        assert proxied_client.exec(sandbox, "echo again").stdout == "again\n"
    assert proxy.count("POST", f"/sandboxes/{sandbox}/exec/stream") == 5
    assert proxy.connections == 1


def test_stream_without_chunked_framing_still_arrives_live(
    proxy: FaultProxy, proxied_client: IsloClient, sandbox: str
) -> None:
    # A body delimited by connection close is read with read1(): output must not wait
    # for the end of the response.
    proxy.add_rule("POST", r"/exec/stream$", "unchunked", times=None)
    arrivals: list[float] = []
    started = time.monotonic()
    result = proxied_client.exec(
        sandbox,
        "echo one; sleep 1; echo two",
        on_stdout=lambda _: arrivals.append(time.monotonic() - started),
    )
    assert result.stdout == "one\ntwo\n" and result.exit_code == 0
    assert len(arrivals) >= 2 and arrivals[-1] - arrivals[0] >= 0.5
