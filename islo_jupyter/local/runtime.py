"""The server's long-lived state in one object: settings, store, keys, launcher, running execs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
from collections import Counter
from datetime import datetime, timezone

from .config import ServerSettings
from .keys import KeyRing, ensure_default_key, ensure_secret
from .launcher import Launcher, SandboxDirs, sandbox_dirs
from .processes import ExecRegistry
from .provisioning import run_setup_scripts
from .store import SandboxRecord, Store

log = logging.getLogger("islo_jupyter.local")
#: How long a request on a ``starting`` sandbox waits for it to become ready.
READY_WAIT_SECS = 10.0


def utc_now() -> str:
    """ISO 8601 with microseconds: sorts as text in creation order."""
    return datetime.now(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


class LocalRuntime:
    def __init__(self, settings: ServerSettings, launcher: Launcher | None = None):
        self.settings = settings
        settings.home.mkdir(parents=True, exist_ok=True)
        ensure_default_key(settings.keys_path)
        self.secret = ensure_secret(settings.secret_path)
        self.keys = KeyRing(settings.keys_path)
        self.store = Store(settings.db_path)
        self.launcher = launcher or Launcher(settings.isolation)
        self.execs = ExecRegistry()
        self.token_exchanges: Counter[str] = Counter()
        self.execs_started: Counter[str] = Counter()
        self._preparing: dict[str, asyncio.Future[None]] = {}

    def startup(self) -> None:
        failed = self.store.fail_orphaned_execs(utc_now())
        if failed:
            log.warning("%d exec(s) were running when the server stopped: marked failed", failed)
        self.store.settle_transient_sandboxes()

    async def shutdown(self) -> None:
        await self.execs.kill_all()
        self.store.close()

    def dirs(self, sandbox: SandboxRecord) -> SandboxDirs:
        return sandbox_dirs(self.settings.sandboxes_dir, sandbox.tenant, sandbox.id)

    def begin_prepare(self, sandbox: SandboxRecord) -> None:
        """Make the sandbox's directories in the background, then mark it ``running``."""

        async def _prepare() -> None:
            try:
                await asyncio.to_thread(self.dirs(sandbox).prepare, sandbox.workdir)
                ready = not sandbox.setup_scripts or await run_setup_scripts(self, sandbox)
                self.store.set_status_if(sandbox.id, "starting", "running" if ready else "failed")
            except (OSError, ValueError):
                log.exception("sandbox %s: preparing its workspace failed", sandbox.name)
                self.store.set_status_if(sandbox.id, "starting", "failed")
            finally:
                self._preparing.pop(sandbox.id, None)

        self._preparing[sandbox.id] = asyncio.ensure_future(_prepare())

    async def cancel_prepare(self, sandbox: SandboxRecord) -> None:
        """Stop a pending preparation (and its setup script) before a stop or delete."""
        pending = self._preparing.pop(sandbox.id, None)
        if pending is not None and not pending.done():
            pending.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pending

    async def wait_ready(self, sandbox: SandboxRecord) -> SandboxRecord:
        """The sandbox as it is once any pending preparation has finished."""
        pending = self._preparing.get(sandbox.id)
        if pending is not None:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.shield(pending), READY_WAIT_SECS)
            # Still starting (long setup scripts): the caller answers 409 as for any state.
        elif sandbox.status != "starting":
            return sandbox
        else:
            # Left `starting` by a dead server: make the directories now.
            await asyncio.to_thread(self.dirs(sandbox).prepare, sandbox.workdir)
            self.store.set_status_if(sandbox.id, "starting", "running")
        return self.store.get_sandbox_by_id(sandbox.tenant, sandbox.id) or sandbox

    async def remove_sandbox_files(self, sandbox: SandboxRecord) -> None:
        root = self.dirs(sandbox).workspace.parent
        await asyncio.to_thread(shutil.rmtree, root, True)
