"""The embedded Islo-compatible server: same wire protocol, real local processes, SQLite state.

Start it with ``islo-jupyter local start`` (or :func:`lifecycle.ensure_running`); it listens on
127.0.0.1 only and serves the control and compute planes on one base URL. State lives under
``$ISLO_LOCAL_HOME`` (default: the user's data dir, ``islo-jupyter``): ``state.sqlite3``,
``api_keys`` and ``secret`` (mode 0600), ``server.json``/``server.log``, and
``sandboxes/<tenant>/<id>/{workspace,tmp}``.

Where it differs from the cloud, or adds to it (local extensions):

* ``image`` is recorded and returned, but commands run on this machine's own system
  (read-only under bubblewrap); ``user`` is accepted and ignored.
* Each exec runs under bubblewrap when installed (own pid/ipc/uts/net namespaces, no
  capabilities, read-only ``/usr``, only the workspace at ``/workspace`` and a per-sandbox
  persistent ``/tmp`` writable, loopback-only network unless ``internet_enabled``), with
  ``prlimit`` address-space limits (4x ``memory_mb``, at least 1 GiB) and ``taskset`` for
  ``vcpus``. ``ISLO_LOCAL_ISOLATION=none`` (or no bwrap) runs plain processes in the
  workspace directory instead, logged as a warning.
* ``setup_scripts`` run in order (``/bin/sh -c``) while the sandbox is ``starting``; each
  step lands in ``setup_steps``, ``creation_phase`` says where it is, and a failing step
  leaves the sandbox ``failed``. ``init``, ``sources``, ``snapshot_name``, ``lifecycle``
  timers and the other provisioning fields are recorded or accepted, not acted on.
* ``timeout_secs`` is enforced: the process group is killed, status ``timeout``, exit 124;
  on the stream, an ``error`` event "command timed out after N s and was killed".
* Exit codes: ``completed`` with the command's code (non-zero included); ``failed`` with
  128+N when killed by signal N (stop, delete, stream client gone), 127/126 when the
  program is missing or not executable. Polled output keeps the first 1 MiB per stream
  (``truncated`` beyond). Closing an ``/exec/stream`` response kills the command.
* Archives are made and unpacked by GNU tar inside the sandbox (under bubblewrap), so links
  resolve in the sandbox's view only; uploads are checked member by member first and
  refused whole if any member leaves the target, links out, is a device or is setuid.
* Stopping the server kills running execs (recorded ``failed``, 137) and cuts open streams
  after 2 s; execs of a server that died are marked ``failed`` on the next start.
* ``/exec/stream`` responses carry an ``X-Exec-Id`` header; the exec can be polled later.
* ``GET /sandboxes/{name}/events``: ``status`` events (sandbox JSON) until it leaves
  ``starting``. ``GET /healthz``: unauthenticated ``{"status": "ok"}``.
* ``GET /_local/stats``: token exchanges and execs started (per tenant and total);
  ``POST /_local/revoke-tokens``: refuse every token issued so far to the caller's tenant.
  A token exchange with the header ``X-Islo-Local-Uncounted: 1`` is not counted.
* Validation errors answer 400 ``VALIDATION_ERROR`` (malformed JSON: ``INVALID_REQUEST``)
  in the ``ErrorResponse`` shape, not FastAPI's 422.
"""
