"""Pydantic v2 models of the Islo wire protocol, shared by the client and the local server.

Field names and shapes follow ``shared/islo-wire-protocol.md``. Response models accept
fields they do not know (the real API grows); request models too, so the client can
forward newer fields. The local server builds strict variants of the request models
where it must refuse unknown input. Anything that is ours and not Islo's is marked
``# extension``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class WireModel(BaseModel):
    """Base of every wire model: keep unknown fields, never fail on them."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


# --- auth -------------------------------------------------------------------------


class TokenRequest(WireModel):
    access_key: str


class TokenResponse(WireModel):
    session_token: str
    cookie_max_age: int | None = None
    expires_in: int | None = None


# --- sandboxes ------------------------------------------------------------------


class LifecyclePolicy(WireModel):
    auto_resume: Literal["never", "on_activity"] | None = None
    delete_after: int | None = None
    pause_after: int | None = None
    pause_after_idle: int | None = None


class InitMinimal(WireModel):
    type: Literal["minimal"] = "minimal"


class InitFull(WireModel):
    type: Literal["full"] = "full"


class InitCustom(WireModel):
    type: Literal["custom"] = "custom"
    capabilities: list[str] = Field(default_factory=list)
    await_ready: bool | None = None


InitConfig = Annotated[InitMinimal | InitFull | InitCustom, Field(discriminator="type")]


class SetupScript(WireModel):
    name: str | None = None
    script: str


class GitSource(WireModel):
    repo_url: str
    branch: str | None = None
    target_path: str | None = None


class SandboxCreate(WireModel):
    """Body of ``POST /sandboxes``; every field is optional."""

    name: str | None = None
    image: str | None = None
    vcpus: int | None = None
    memory_mb: int | None = None
    disk_gb: int | None = None
    env: dict[str, str | None] | None = None
    workdir: str | None = None
    lifecycle: LifecyclePolicy | None = None
    init: InitConfig | None = None
    setup_scripts: list[SetupScript] | None = None
    sources: list[GitSource] | None = None
    snapshot_name: str | None = None
    internet_enabled: bool | None = None
    gateway_profile: str | None = None
    environment: str | None = None
    cache_key: str | None = None
    request_id: str | None = None


class SandboxSpec(WireModel):
    vcpus: int
    memory_mb: int
    disk_gb: int


class SetupStep(WireModel):
    name: str
    status: str
    stdout: str | None = None
    stderr: str | None = None


class Sandbox(WireModel):
    """``SandboxResponse``. ``status`` is free-form on the wire: unknown values mean not ready."""

    id: str
    name: str
    image: str
    status: str
    created_at: str
    created_by: str | None = None
    creation_phase: str | None = None
    deleted_at: str | None = None
    workdir: str | None = None
    lifecycle: LifecyclePolicy | None = None
    spec: SandboxSpec | None = None
    setup_steps: list[SetupStep] | None = None

    @property
    def created_datetime(self) -> datetime | None:
        """``created_at`` parsed, or None when the server sent something unparseable."""
        try:
            return datetime.fromisoformat(self.created_at.replace("Z", "+00:00"))
        except ValueError:
            return None


class SandboxPage(WireModel):
    """``PaginatedSandboxResponse``: one page of a sandbox listing."""

    items: list[Sandbox]
    limit: int
    offset: int
    total: int
    next_cursor: str | None = None


#: Statuses after which a sandbox will not become ``running`` by itself.
TERMINAL_SANDBOX_STATUSES = frozenset({"failed", "stopped", "stopping", "deleted"})


# --- exec -------------------------------------------------------------------------


class ExecRequest(WireModel):
    command: list[str]
    env: dict[str, str | None] | None = None
    workdir: str | None = None
    user: str | None = None
    timeout_secs: int | None = None


class ExecResponse(WireModel):
    exec_id: str
    sandbox_id: str
    status: str


class ExecResultResponse(WireModel):
    exec_id: str
    status: str
    stdout: str = ""
    stderr: str = ""
    exit_code: int | None = None
    truncated: bool = False


#: Exec statuses that mean the command has finished (anything else: still in progress).
TERMINAL_EXEC_STATUSES = frozenset({"completed", "failed", "timeout"})


# --- files ------------------------------------------------------------------------


class FileUploadResponse(WireModel):
    status: str


# --- errors -----------------------------------------------------------------------


class ErrorResponse(WireModel):
    """Body of every 4xx/5xx. ``code`` is an ``ErrorCode`` value; unknown values are kept."""

    code: str
    message: str
    request_id: str | None = None
    resource: str | None = None
    requested: int | None = None
    available: int | None = None
    limit: int | None = None


class ErrorCode:
    """The ``ErrorCode`` values of the wire protocol, as plain strings (unknown ones are kept)."""

    AUTH_REQUIRED = "AUTH_REQUIRED"
    INVALID_REQUEST = "INVALID_REQUEST"
    NOT_FOUND = "NOT_FOUND"
    VALIDATION_ERROR = "VALIDATION_ERROR"
    SANDBOX_NOT_FOUND = "SANDBOX_NOT_FOUND"
    SANDBOX_ALREADY_EXISTS = "SANDBOX_ALREADY_EXISTS"
    SANDBOX_INVALID_STATE = "SANDBOX_INVALID_STATE"
    SANDBOX_PROVISIONING_FAILED = "SANDBOX_PROVISIONING_FAILED"
    RESOURCE_NOT_FOUND = "RESOURCE_NOT_FOUND"
    FILE_NOT_FOUND = "FILE_NOT_FOUND"
    COMMAND_NOT_FOUND = "COMMAND_NOT_FOUND"
    EXEC_FAILED = "EXEC_FAILED"
    FILE_OPERATION_ERROR = "FILE_OPERATION_ERROR"
    RESOURCE_UNAVAILABLE = "RESOURCE_UNAVAILABLE"
    ACCESS_DENIED = "ACCESS_DENIED"
    CACHE_CONFLICT = "CACHE_CONFLICT"
    BILLING_NOT_ALLOWED = "BILLING_NOT_ALLOWED"
    TENANT_SUSPENDED = "TENANT_SUSPENDED"
    RATE_LIMITED = "RATE_LIMITED"
    TIMEOUT = "TIMEOUT"
    GONE = "GONE"
    BAD_GATEWAY = "BAD_GATEWAY"
    INTERNAL_ERROR = "INTERNAL_ERROR"


class ValidationIssue(WireModel):
    """One entry of FastAPI's 422 ``detail`` list."""

    loc: list[str | int] = Field(default_factory=list)
    msg: str = ""
    type: str = ""


# --- client-side results (not on the wire) --------------------------------------


class ExecResult(WireModel):  # extension: what IsloClient.exec returns
    """The outcome of one command: what it printed, how it ended, how long it took."""

    sandbox: str
    exec_id: str | None = None
    status: str
    stdout: str = ""
    stderr: str = ""
    exit_code: int | None = None
    truncated: bool = False
    duration: float = 0.0

    @property
    def ok(self) -> bool:
        return self.exit_code == 0
