"""Build the argv, environment and cwd of one exec: under bubblewrap when present, else plain."""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .paths import WORKSPACE, PathEscapeError, host_path, inner_path

log = logging.getLogger("islo_jupyter.local")

SANDBOX_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
TMP = PurePosixPath("/tmp")
#: Files of /etc that programs need (users, DNS, TLS roots, locale, linker); nothing secret.
ETC_ENTRIES = (
    "passwd", "group", "hosts", "resolv.conf", "nsswitch.conf", "host.conf", "ssl",
    "ca-certificates", "ca-certificates.conf", "alternatives", "ld.so.cache", "ld.so.conf",
    "ld.so.conf.d", "localtime", "timezone", "os-release", "debian_version", "mime.types",
    "profile", "bash.bashrc", "inputrc", "gai.conf", "protocols", "services", "pip.conf",
)  # fmt: skip
MERGED_USR_LINKS = ("bin", "lib", "lib64", "sbin", "lib32", "libx32")


@dataclass(frozen=True)
class SandboxDirs:
    """Host directories of one sandbox: its workspace and its persistent /tmp."""

    workspace: Path
    tmp: Path

    @property
    def mounts(self) -> dict[PurePosixPath, Path]:
        return {WORKSPACE: self.workspace, TMP: self.tmp}

    def prepare(self, workdir: str | None = None) -> None:
        """Make the workspace, the persistent /tmp and the sandbox's default workdir."""
        self.workspace.mkdir(parents=True, exist_ok=True)
        self.tmp.mkdir(parents=True, exist_ok=True)
        os.chmod(self.tmp, 0o1777)
        if workdir:
            host_path(workdir, {WORKSPACE: self.workspace}).mkdir(parents=True, exist_ok=True)


def sandbox_dirs(sandboxes_dir: Path, tenant: str, sandbox_id: str) -> SandboxDirs:
    root = sandboxes_dir / tenant / sandbox_id
    return SandboxDirs(workspace=root / "workspace", tmp=root / "tmp")


@dataclass(frozen=True)
class Limits:
    memory_mb: int
    vcpus: int


@dataclass(frozen=True)
class LaunchSpec:
    argv: list[str]
    env: dict[str, str]
    cwd: Path


class CommandNotFoundError(Exception):
    """The program is not on the sandbox's PATH (answered as exit 127, like a shell)."""


def build_env(
    sandbox_env: dict[str, str], exec_env: dict[str, str | None], home: str
) -> dict[str, str]:
    """A clean environment: sane defaults, then the sandbox's, then the exec's (null unsets)."""
    env = {"PATH": SANDBOX_PATH, "HOME": home, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
    env.update(sandbox_env)
    for key, value in exec_env.items():
        if value is None:
            env.pop(key, None)  # null on the wire: unset it
        else:
            env[key] = value
    return env


class Launcher:
    """Knows which isolation this machine offers; decided once per server."""

    def __init__(self, isolation: str = "auto"):
        if isolation not in ("auto", "bubblewrap", "none"):
            raise ValueError(f"unknown isolation {isolation!r}: auto, bubblewrap or none")
        found = shutil.which("bwrap") if isolation != "none" else None
        if isolation == "bubblewrap" and found is None:
            raise RuntimeError("isolation 'bubblewrap' asked for, but bwrap is not installed")
        self.bwrap = found
        self.prlimit = shutil.which("prlimit")
        self.taskset = shutil.which("taskset")
        if self.bwrap is None:
            log.warning(
                "bubblewrap (bwrap) not found: sandboxes run as plain processes in their "
                "workspace directory, without filesystem or network isolation"
            )

    @property
    def isolation(self) -> str:
        return "bubblewrap" if self.bwrap else "none"

    def _limit_prefix(self, limits: Limits) -> list[str]:
        prefix: list[str] = []
        if self.prlimit:
            # Address space, not RSS: generous (4x memory_mb, at least 1 GiB) so runtimes that
            # reserve big virtual arenas still start.
            address_space = max(limits.memory_mb * 4, 1024) * 1024 * 1024
            prefix += [self.prlimit, f"--as={address_space}", "--nofile=4096", "--"]
        cpus = os.cpu_count() or 1
        if self.taskset and 0 < limits.vcpus < cpus:
            prefix += [self.taskset, "-c", f"0-{limits.vcpus - 1}"]
        return prefix

    def _resolve_program(self, program: str, env: dict[str, str]) -> None:
        """Fail fast with 127 when a bare program name is on no PATH dir of the sandbox."""
        if "/" in program or env.get("PATH") != SANDBOX_PATH:
            return
        for directory in SANDBOX_PATH.split(":"):
            host_dir = "/usr" + directory if directory in ("/bin", "/sbin") else directory
            if os.access(os.path.join(host_dir, program), os.X_OK):
                return
        raise CommandNotFoundError(f"{program}: command not found")

    def build(
        self,
        dirs: SandboxDirs,
        command: list[str],
        env: dict[str, str],
        workdir: str,
        limits: Limits,
        internet: bool,
    ) -> LaunchSpec:
        """Raises PathEscapeError for a workdir outside /workspace and /tmp or missing."""
        cwd_inner = inner_path(workdir)
        cwd_host = host_path(workdir, dirs.mounts)
        if not cwd_host.is_dir():
            raise PathEscapeError(f"workdir {workdir!r} does not exist in the sandbox")
        self._resolve_program(command[0], env)
        prefix = self._limit_prefix(limits)
        if self.bwrap is None:
            plain_env = {**env, "TMPDIR": str(dirs.tmp)}
            if plain_env.get("HOME") == str(WORKSPACE):
                plain_env["HOME"] = str(dirs.workspace)
            return LaunchSpec(prefix + command, plain_env, cwd_host)
        argv = [*prefix, self.bwrap, *self._bwrap_args(dirs, internet), "--chdir", str(cwd_inner)]
        argv.append("--clearenv")
        for key, value in env.items():
            argv += ["--setenv", key, value]
        argv += ["--", *command]
        return LaunchSpec(argv, {"PATH": SANDBOX_PATH}, dirs.workspace)

    def _bwrap_args(self, dirs: SandboxDirs, internet: bool) -> list[str]:
        args = ["--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL"]
        if internet:
            args.append("--share-net")
        args += ["--ro-bind", "/usr", "/usr"]
        for name in MERGED_USR_LINKS:
            link = Path("/") / name
            if link.is_symlink():
                args += ["--symlink", os.readlink(link), str(link)]
            elif link.is_dir():
                args += ["--ro-bind", str(link), str(link)]
        for entry in ETC_ENTRIES:
            args += ["--ro-bind-try", f"/etc/{entry}", f"/etc/{entry}"]
        args += ["--proc", "/proc", "--dev", "/dev"]
        args += ["--bind", str(dirs.tmp), "/tmp", "--bind", str(dirs.workspace), "/workspace"]
        args += ["--hostname", "sandbox"]
        return args
