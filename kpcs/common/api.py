"""API conventions shared by every app: pagination and one shape for every error body.

Every error answers `{"status": <http status>, "code": "<machine code>", "detail": "<message
for a person>"}`, plus `"errors": {field: [messages]}` when input was invalid.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class StandardPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


def _flatten_codes(codes: Any) -> str:
    if isinstance(codes, dict):
        return "invalid"
    if isinstance(codes, list) and codes:
        return _flatten_codes(codes[0])
    return str(codes) if codes else "error"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or None)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    assert isinstance(exc, exceptions.APIException)
    body: dict[str, Any] = {"status": response.status_code}
    if isinstance(exc, exceptions.ValidationError):
        body["code"] = "invalid"
        detail = exc.detail
        if isinstance(detail, dict):
            body["detail"] = (
                "The request has invalid fields: " + ", ".join(str(k) for k in detail) + "."
            )
            body["errors"] = detail
        else:
            messages = detail if isinstance(detail, list) else [detail]
            body["detail"] = " ".join(str(m) for m in messages)
            body["errors"] = {"non_field_errors": messages}
    else:
        body["code"] = _flatten_codes(exc.get_codes())
        body["detail"] = str(exc.detail)
    response.data = body
    return response


def error_response(status_code: int, code: str, detail: str) -> Response:
    return Response({"status": status_code, "code": code, "detail": detail}, status=status_code)


BAD_REQUEST = status.HTTP_400_BAD_REQUEST
