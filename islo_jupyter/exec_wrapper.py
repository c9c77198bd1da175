"""The small shell wrapper that makes a remote command cancellable through the public API.

Islo has no "kill this exec" endpoint. The wrapper runs the real command in its own
process group (``setsid``) and starts a detached watchdog that kills that group (TERM,
then KILL) once a cancel file appears; creating the file is an ordinary exec. The
wrapper also forwards TERM/INT/HUP it receives (a server closing the stream) to the group.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

#: Directory of the cancel files: the sandbox's /tmp (the VM's on Islo, persistent locally).
CANCEL_DIR = "/tmp"

# $1 = cancel id, the rest = argv. The watchdog is setsid'd with its output on /dev/null
# so it neither dies with the exec's process group nor holds the exec's pipes open.
WRAPPER_SCRIPT = r"""f=/tmp/.islo-cancel-$1; shift
if command -v setsid >/dev/null 2>&1; then s=setsid; else s=; fi
$s "$@" & p=$!
trap 'kill -TERM -$p 2>/dev/null || kill -TERM $p 2>/dev/null' TERM INT HUP
$s /bin/sh -c 'while kill -0 $0 2>/dev/null; do
if [ -e "$1" ]; then kill -TERM -$0 2>/dev/null || kill -TERM $0; n=0
while [ $n -lt 20 ] && kill -0 -$0 2>/dev/null; do sleep 0.1; n=$((n+1)); done
kill -KILL -$0 2>/dev/null; break; fi; sleep 0.1; done
[ -e "$1" ] && rm -f "$1"' $p "$f" </dev/null >/dev/null 2>&1 &
while :; do wait $p; r=$?; kill -0 $p 2>/dev/null || break; done
[ -e "$f" ] && rm -f "$f"
exit $r
"""


def new_cancel_id() -> str:
    """A fresh id for one cancellable exec (safe in a file name)."""
    return secrets.token_hex(8)


def cancel_file(cancel_id: str) -> str:
    """Path of the file whose appearance cancels the exec with ``cancel_id``."""
    if not cancel_id.isalnum():
        raise ValueError("cancel id must be alphanumeric")
    return f"{CANCEL_DIR}/.islo-cancel-{cancel_id}"


def wrap_cancellable(argv: Sequence[str], cancel_id: str) -> list[str]:
    """The argv that runs ``argv`` under the wrapper, cancellable through ``cancel_id``."""
    cancel_file(cancel_id)  # validates the id
    return ["/bin/sh", "-c", WRAPPER_SCRIPT, "islo", cancel_id, *argv]


def cancel_command(cancel_id: str) -> list[str]:
    """The argv of the follow-up exec that cancels ``cancel_id``."""
    return ["/bin/sh", "-c", ': > "$0"', cancel_file(cancel_id)]
