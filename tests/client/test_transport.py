"""Retry policy decisions, Retry-After parsing and error translation (pure logic, no network)."""

from __future__ import annotations

import email.utils
import json
import time

import pytest
import requests
from urllib3.exceptions import (
    MaxRetryError,
    NewConnectionError,
    ProtocolError,
)
from urllib3.response import HTTPResponse

from islo_jupyter import errors
from islo_jupyter.transport import (
    IsloRetry,
    error_from_response,
    parse_retry_after,
    translate_exception,
)


def _urllib3_response(status: int, headers: dict[str, str] | None = None) -> HTTPResponse:
    return HTTPResponse(body=b"", status=status, headers=headers or {}, preload_content=False)


def test_retry_after_seconds_ms_and_http_date() -> None:
    assert parse_retry_after({"Retry-After": "3"}) == 3.0
    assert parse_retry_after({"retry-after-ms": "250"}) == 0.25
    future = email.utils.formatdate(time.time() + 20, usegmt=True)
    assert 15 <= (parse_retry_after({"Retry-After": future}) or 0) <= 21
    past = email.utils.formatdate(time.time() - 100, usegmt=True)
    assert parse_retry_after({"Retry-After": past}) == 0.0


def test_retry_after_ms_wins_and_values_are_capped() -> None:
    assert parse_retry_after({"retry-after-ms": "100", "Retry-After": "9"}) == 0.1
    assert parse_retry_after({"Retry-After": "100000"}, cap=30) == 30
    assert parse_retry_after({"Retry-After": "soon"}) is None
    assert parse_retry_after({}) is None


@pytest.mark.parametrize("status", [408, 429, 502, 503, 504])
def test_idempotent_calls_retry_transient_statuses(status: int) -> None:
    assert IsloRetry.for_call(idempotent=True, attempts=3).is_retry("GET", status)


@pytest.mark.parametrize("status", [400, 401, 404, 409, 500, 501])
def test_idempotent_calls_do_not_retry_answers(status: int) -> None:
    assert not IsloRetry.for_call(idempotent=True, attempts=3).is_retry("GET", status)


def test_conflict_is_never_retried_even_if_listed() -> None:
    retry = IsloRetry.for_call(idempotent=True, attempts=3, statuses=frozenset({409}))
    assert not retry.is_retry("DELETE", 409)


def test_one_attempt_means_no_retry() -> None:
    assert not IsloRetry.for_call(idempotent=True, attempts=1).is_retry("GET", 503)


def test_non_idempotent_post_needs_retry_after_on_429_or_503() -> None:
    retry = IsloRetry.for_call(idempotent=False, attempts=3)
    assert not retry.is_retry("POST", 502)
    assert not retry.is_retry("POST", 504)
    with pytest.raises(MaxRetryError):  # no header: urlopen hands the 503 back unretried
        retry.increment("POST", "/sandboxes", response=_urllib3_response(503))
    again = retry.increment("POST", "/x", response=_urllib3_response(503, {"Retry-After": "1"}))
    assert again.total == 1
    ms = retry.increment("POST", "/x", response=_urllib3_response(429, {"retry-after-ms": "5"}))
    assert ms.get_retry_after(_urllib3_response(429, {"retry-after-ms": "5"})) == 0.005


def test_non_idempotent_post_retries_connect_errors_only() -> None:
    retry = IsloRetry.for_call(idempotent=False, attempts=3)
    refused = NewConnectionError(None, "refused")  # type: ignore[arg-type]
    assert retry.increment("POST", "/x", error=refused).total == 1
    with pytest.raises(ProtocolError):  # reset after sending: may have reached the server
        retry.increment("POST", "/x", error=ProtocolError("reset"))


def test_idempotent_call_retries_read_errors_and_keeps_its_kind() -> None:
    retry = IsloRetry.for_call(idempotent=True, attempts=3)
    after = retry.increment("POST", "/sandboxes/a/pause", error=ProtocolError("reset"))
    assert after.total == 1 and after.idempotent


def _response(
    status: int, body: object, headers: dict[str, str] | None = None
) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = body if isinstance(body, bytes) else json.dumps(body).encode()
    response.headers.update(headers or {})
    return response


def test_error_response_parsed_for_404() -> None:
    body = {"code": "SANDBOX_NOT_FOUND", "message": "no such sandbox", "request_id": "r1"}
    error = error_from_response(_response(404, body))
    assert isinstance(error, errors.NotFoundError)
    assert (error.code, error.message, error.request_id) == (
        "SANDBOX_NOT_FOUND",
        "no such sandbox",
        "r1",
    )


def test_fastapi_422_detail_is_readable() -> None:
    detail = [{"loc": ["body", "vcpus"], "msg": "must be positive", "type": "value_error"}]
    error = error_from_response(_response(422, {"detail": detail}))
    assert isinstance(error, errors.UnprocessableEntityError)
    assert error.message == "vcpus: must be positive"
    assert error.code == "VALIDATION_ERROR"


def test_raw_text_body_and_5xx_class() -> None:
    error = error_from_response(_response(502, b"upstream exploded"))
    assert isinstance(error, errors.ServerError)
    assert error.message == "upstream exploded" and error.code is None


def test_string_detail_and_request_id_header() -> None:
    error = error_from_response(_response(409, {"detail": "busy"}, {"x-request-id": "abc"}))
    assert isinstance(error, errors.ConflictError)
    assert (error.message, error.request_id) == ("busy", "abc")


def test_transport_errors_become_islo_errors() -> None:
    refused = requests.ConnectionError("Max retries exceeded ([Errno 111] Connection refused)")
    error = translate_exception(refused, "GET", "http://127.0.0.1:9/sandboxes?q=secret")
    assert isinstance(error, errors.IsloConnectionError)
    assert "q=secret" not in str(error) and "connection refused" in str(error)
    timeout = translate_exception(requests.ReadTimeout("x"), "GET", "http://h/x")
    assert isinstance(timeout, errors.IsloTimeoutError)


def test_backoff_pauses_before_the_first_retry_and_grows() -> None:
    retry = IsloRetry.for_call(idempotent=True, attempts=4)
    assert retry.get_backoff_time() == 0  # nothing failed yet
    first = retry.increment("GET", "/x", response=_urllib3_response(502))
    second = first.increment("GET", "/x", response=_urllib3_response(502))
    third = second.increment("GET", "/x", response=_urllib3_response(502))
    assert 0.1 <= first.get_backoff_time() <= 0.25
    assert first.get_backoff_time() < second.get_backoff_time() < third.get_backoff_time() <= 8
