"""drf-spectacular's schema class for the whole API (REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]
is kpcs.accounts.schema.ThrottledAutoSchema, built on this one). Kept out of kpcs.common.api:
drf_spectacular.openapi imports DRF's generic views, which load the pagination class from
kpcs.common.api while that module is still being imported."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework.pagination import PageNumberPagination

from kpcs.common.api import ErrorSerializer


class StandardAutoSchema(AutoSchema):
    """drf-spectacular's schema, plus what every operation of a kind answers whatever its view
    says: a paginated list (StandardPagination) answers 400 to a bad `page_size` and 404 to a
    `page` that is not one of its pages; an operation that reads a body answers 415 to a body
    in a format it does not read."""

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        added: list[tuple[str, str]] = []
        if (
            self.method == "GET"
            and isinstance(self._get_paginator(), PageNumberPagination)
            and self._is_list_view()
        ):
            added += [
                ("400", gettext("A query parameter is invalid, e.g. `page_size` is not a number.")),
                (
                    "404",
                    gettext(
                        "`page` is not a page of this list (past the last one, or not a number)."
                    ),
                ),
            ]
        if self.method in ("POST", "PUT", "PATCH") and self.get_request_serializer() is not None:
            added.append(
                (
                    "415",
                    gettext(
                        "The body is not in a format this operation reads (see its request "
                        "body's content types), or its Content-Type is missing."
                    ),
                )
            )
        for code, description in added:
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=description),
                    code,
                    direction=direction,
                )
        return dict(sorted(responses.items())) if added else responses
