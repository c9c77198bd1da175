"""Every error the local server answers, in the wire ``ErrorResponse`` shape with a request_id."""

from __future__ import annotations

import logging
import secrets

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..models import ErrorCode, ErrorResponse

log = logging.getLogger("islo_jupyter.local")

_CODE_BY_STATUS = {
    400: ErrorCode.INVALID_REQUEST,
    401: ErrorCode.AUTH_REQUIRED,
    403: ErrorCode.ACCESS_DENIED,
    404: ErrorCode.NOT_FOUND,
    405: ErrorCode.INVALID_REQUEST,
    409: ErrorCode.SANDBOX_INVALID_STATE,
    413: ErrorCode.INVALID_REQUEST,
    415: ErrorCode.INVALID_REQUEST,
}


class ApiProblem(Exception):
    """Raise anywhere in a handler to answer ``status`` with ``{code, message, request_id}``."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def not_found(what: str, code: str = ErrorCode.SANDBOX_NOT_FOUND) -> ApiProblem:
    return ApiProblem(404, code, f"{what} not found")


def bad_request(message: str, code: str = ErrorCode.INVALID_REQUEST) -> ApiProblem:
    return ApiProblem(400, code, message)


def request_id_of(request: Request) -> str:
    rid = getattr(request.state, "request_id", None)
    if rid is None:
        rid = request.state.request_id = "req_" + secrets.token_hex(8)
    return str(rid)


def error_response(request: Request, status: int, code: str, message: str) -> JSONResponse:
    rid = request_id_of(request)
    body = ErrorResponse(code=code, message=message, request_id=rid)
    headers = {"X-Request-ID": rid}
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status, headers=headers)


def _describe_validation(exc: RequestValidationError) -> tuple[str, str]:
    """A short message naming each bad field; malformed JSON is INVALID_REQUEST."""
    parts = []
    code = ErrorCode.VALIDATION_ERROR
    for issue in exc.errors()[:5]:
        loc = ".".join(str(p) for p in issue.get("loc", ()) if p != "body")
        if issue.get("type") == "json_invalid":
            code = ErrorCode.INVALID_REQUEST
            parts.append("request body is not valid JSON")
        elif issue.get("type") == "extra_forbidden":
            parts.append(f"unknown field {loc!r}")
        else:
            msg = str(issue.get("msg", "invalid")).removeprefix("Value error, ")
            parts.append(f"{loc or 'body'}: {msg}")
    return code, "; ".join(parts) or "invalid request"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiProblem)
    async def _problem(request: Request, exc: ApiProblem) -> JSONResponse:
        return error_response(request, exc.status, exc.code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        # 400, not FastAPI's 422: the sandbox endpoints declare 400 with an ErrorResponse body.
        code, message = _describe_validation(exc)
        return error_response(request, 400, code, message)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _CODE_BY_STATUS.get(exc.status_code, ErrorCode.INTERNAL_ERROR)
        return error_response(request, exc.status_code, code, str(exc.detail))

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error in %s %s", request.method, request.url.path)
        return error_response(request, 500, ErrorCode.INTERNAL_ERROR, "internal server error")
