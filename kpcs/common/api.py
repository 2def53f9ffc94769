"""API conventions shared by every app: pagination and one shape for every error body.

Every error answers `{"status": <http status>, "code": "<machine code>", "detail": "<message
for a person>"}`, plus `"errors": {field: [messages]}` when input was invalid.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class StandardPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500
    # Lazy, so each answer is in the language of its request (DRF's stubs say `str`).
    invalid_page_message = _(  # type: ignore[assignment]
        "There is no page “{page_number}” in this list ({message})."
    )
    page_size_query_description = _(  # type: ignore[assignment]
        "Number of results per page (default 50; larger values are capped at 500)."
    )

    def get_page_size(self, request: Request) -> int | None:
        # DRF silently falls back to the default size on a bad value; a client that asked for
        # `page_size=abc` should hear that its request was not understood.
        value = request.query_params.get(self.page_size_query_param)
        if value is None:
            return self.page_size
        try:
            size = int(value)
        except ValueError:
            size = 0
        if size < 1:
            raise exceptions.ValidationError(
                {
                    self.page_size_query_param: [
                        gettext(
                            "“%(value)s” is not a valid page size: give a whole number "
                            "from 1 to %(max)s."
                        )
                        % {"value": value[:20], "max": self.max_page_size}
                    ]
                }
            )
        return min(size, self.max_page_size)


def findings_error_serializer(
    *, ref_name: str, finding_ref: str, description: str
) -> type[serializers.Serializer]:
    """The body of a refused batch, for the schema: the common error shape with every finding
    under `errors.findings`, each described by the component `finding_ref`. (The exception
    handler builds the body; statistics and certificates each document their findings.)"""
    component, finding = ref_name, finding_ref

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                "findings": {"type": "array", "items": {"$ref": f"#/components/schemas/{finding}"}}
            },
        }
    )
    class FindingsField(serializers.DictField):
        pass

    class FindingsErrorSerializer(serializers.Serializer):
        status = serializers.IntegerField()
        code = serializers.CharField()
        detail = serializers.CharField()
        # DRF takes declared fields off the class, so this does not hide Serializer.errors.
        # Not required: a body that could not be read at all (malformed JSON) has no findings.
        errors = FindingsField(required=False)  # type: ignore[assignment]

        class Meta:
            ref_name = component

    FindingsErrorSerializer.__doc__ = description
    return FindingsErrorSerializer


@extend_schema_field(
    {
        "type": "object",
        # Usually a list of messages; input with nested parts (a list of items, an object in
        # an object) gets the same shape nested: an object by field or item number, or a list
        # with one entry per item. A refused batch lists its findings (objects) instead.
        "additionalProperties": {
            "anyOf": [
                {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "object"}]}},
                {"type": "object"},
            ]
        },
    }
)
class _ErrorMessagesField(serializers.DictField):
    """`errors` of the error body: the messages by field or query parameter (for the schema)."""


class ErrorSerializer(serializers.Serializer):
    """The body of every error answer (for the schema; the exception handler builds it)."""

    status = serializers.IntegerField(help_text=_("The HTTP status code, repeated."))
    code = serializers.CharField(help_text=_("A machine-readable code, e.g. `not_found`."))
    detail = serializers.CharField(help_text=_("What went wrong, for a person to read."))
    # DRF takes declared fields off the class, so this does not hide Serializer.errors.
    errors = _ErrorMessagesField(  # type: ignore[assignment]
        required=False,
        help_text=_(
            "For invalid input: the messages for each field or query parameter (nested the "
            "same way for nested input)."
        ),
    )

    class Meta:
        ref_name = "Error"


# What each error status means in this API, for the schema (views may say more).
ERROR_DESCRIPTIONS: dict[int, Any] = {
    400: _("The request is invalid: `errors` names each field or query parameter at fault."),
    401: _("No credentials, or credentials that are not (or no longer) valid."),
    403: _("Authenticated, but not allowed to do this."),
    404: _("There is no such object, or it is not visible to the caller."),
    409: _("The object is not in a state that allows this (yet)."),
    413: _("The request body is larger than this address accepts."),
    429: _("Too many requests; wait the Retry-After seconds."),
}


def error_responses(*codes: int, **descriptions: Any) -> dict[int, OpenApiResponse]:
    """The schema's error answers of an operation, each the common error body with what the
    status means here: `error_responses(400, 401, 403, 404)`. A view that has more to say
    about one passes it by name: `error_responses(404, e404=_("No such certificate."))`."""
    return {
        code: OpenApiResponse(
            ErrorSerializer, description=descriptions.get(f"e{code}", ERROR_DESCRIPTIONS[code])
        )
        for code in codes
    }


def file_responses(*content_types: str, description: Any = None) -> dict[Any, Any]:
    """The schema's 200 answer of a download that is sent with the file's own content type
    (one of `content_types`)."""
    response = OpenApiResponse(
        OpenApiTypes.BINARY, description=description or _("The file, as a download.")
    )
    return {(200, content_type): response for content_type in sorted(set(content_types))}


def _flatten_codes(codes: Any) -> str:
    if isinstance(codes, dict):
        return "invalid"
    if isinstance(codes, list) and codes:
        return _flatten_codes(codes[0])
    return str(codes) if codes else "error"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        # A service refusing input (model validation, a domain rule) is the client's error.
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, Http404):
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
        errors = (
            detail
            if isinstance(detail, dict)
            else {"non_field_errors": detail if isinstance(detail, list) else [detail]}
        )
        fields = [str(k) for k in errors if k != "non_field_errors"]
        general = errors.get("non_field_errors", [])
        parts = [" ".join(str(m) for m in general)] if general else []
        if fields:
            parts.append(
                gettext("The request has invalid fields: %(fields)s.")
                % {"fields": ", ".join(fields)}
            )
        body["detail"] = " ".join(parts)
        body["errors"] = errors
    else:
        body["code"] = _flatten_codes(exc.get_codes())
        body["detail"] = str(exc.detail)
    response.data = body
    return response
