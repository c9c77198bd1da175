"""Strict request variants of the wire models (unknown fields refused), records to wire."""

from __future__ import annotations

import re

from pydantic import ConfigDict, Field, field_validator

from ..models import (
    ExecRequest,
    LifecyclePolicy,
    Sandbox,
    SandboxCreate,
    SandboxSpec,
    SetupScript,
    SetupStep,
    TokenRequest,
)
from .paths import WORKSPACE, inner_path
from .store import SandboxRecord

NAME_RE = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9._-]{0,62}")
NAME_RULE = (
    "1-63 characters: letters, digits, '.', '_' or '-', starting with a letter or digit, "
    "without '..'"
)
DEFAULT_IMAGE = "docker.io/library/islo-runner:latest"
STRICT = ConfigDict(extra="forbid", populate_by_name=True)


def is_valid_name(name: str) -> bool:
    return bool(NAME_RE.fullmatch(name)) and ".." not in name


class StrictTokenRequest(TokenRequest):
    model_config = STRICT


class StrictLifecycle(LifecyclePolicy):
    model_config = STRICT


class StrictSetupScript(SetupScript):
    model_config = STRICT

    script: str = Field(min_length=1)


class StrictSandboxCreate(SandboxCreate):
    model_config = STRICT

    # Narrower item type than the base (strict items); lists are invariant, hence the ignore.
    setup_scripts: list[StrictSetupScript] | None = Field(default=None, max_length=50)  # type: ignore[assignment]
    vcpus: int | None = Field(default=None, ge=1, le=64)
    memory_mb: int | None = Field(default=None, ge=64, le=1024 * 1024)
    disk_gb: int | None = Field(default=None, ge=1, le=10_000)
    workdir: str | None = Field(default=None, max_length=255)
    lifecycle: StrictLifecycle | None = None

    @field_validator("name")
    @classmethod
    def _check_name(cls, value: str | None) -> str | None:
        if value is not None and not is_valid_name(value):
            raise ValueError(f"invalid sandbox name {value!r}: {NAME_RULE}")
        return value

    @field_validator("workdir")
    @classmethod
    def _check_workdir(cls, value: str | None) -> str | None:
        """The sandbox's default workdir lives in its workspace (made at creation)."""
        if value is not None:
            inner = inner_path(value)  # raises PathEscapeError (a ValueError) on '..'
            if inner != WORKSPACE and WORKSPACE not in inner.parents:
                raise ValueError(f"workdir {value!r} must be inside /workspace")
        return value

    @field_validator("env")
    @classmethod
    def _check_env(cls, value: dict[str, str | None] | None) -> dict[str, str | None] | None:
        for key in value or {}:
            if not key or "=" in key or "\x00" in key:
                raise ValueError(f"invalid environment variable name {key!r}")
        return value


class StrictExecRequest(ExecRequest):
    model_config = STRICT

    command: list[str] = Field(min_length=1)
    timeout_secs: int | None = Field(default=None, ge=1, le=7 * 24 * 3600)

    @field_validator("command")
    @classmethod
    def _check_command(cls, value: list[str]) -> list[str]:
        if not value[0] or any("\x00" in arg for arg in value):
            raise ValueError("command must be a non-empty argv without NUL bytes")
        return value

    @field_validator("env")
    @classmethod
    def _check_env(cls, value: dict[str, str | None] | None) -> dict[str, str | None] | None:
        return StrictSandboxCreate._check_env(value)


def to_wire(rec: SandboxRecord) -> Sandbox:
    return Sandbox(
        id=rec.id,
        name=rec.name,
        image=rec.image,
        status=rec.status,
        created_at=rec.created_at,
        created_by=rec.created_by,
        workdir=rec.workdir,
        lifecycle=LifecyclePolicy(**rec.lifecycle) if rec.lifecycle else None,
        spec=SandboxSpec(vcpus=rec.vcpus, memory_mb=rec.memory_mb, disk_gb=rec.disk_gb),
        creation_phase=rec.creation_phase,
        setup_steps=[SetupStep(**step) for step in rec.setup_steps]
        if rec.setup_steps is not None
        else None,
    )
