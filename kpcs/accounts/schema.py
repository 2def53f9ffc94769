"""drf-spectacular additions: the `tokenAuth` security scheme for ApiClientAuthentication and
the 429 answer on throttled operations. Imported by AccountsConfig.ready (extensions register
themselves when defined)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse

from kpcs.common.api import ErrorSerializer
from kpcs.common.schema import StandardAutoSchema


class ApiClientAuthenticationScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """The schema's `tokenAuth` security scheme for ApiClientAuthentication."""

    target_class = "kpcs.accounts.authentication.ApiClientAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "Token <key>: the key of an API client (one participant's, revocable, shown "
                "once when created)."
            ),
        }


_RETRY_AFTER = {
    "Retry-After": {
        "schema": {"type": "integer", "minimum": 1},
        "description": "Seconds to wait before trying again.",
    }
}


class ThrottledAutoSchema(StandardAutoSchema):
    """drf-spectacular's schema, plus the 429 answer (with Retry-After) on every operation
    whose view is throttled; views that document their own 429 keep their description."""

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        if direction != "response" or not self.view.get_throttles():
            return responses
        if "429" not in responses:
            responses["429"] = self._get_response_for_code(
                OpenApiResponse(
                    ErrorSerializer,
                    description=gettext(
                        "Too many requests (per address for anonymous callers, per client for "
                        "API clients); wait the Retry-After seconds."
                    ),
                ),
                "429",
                direction=direction,
            )
        responses["429"].setdefault("headers", {}).update(_RETRY_AFTER)
        return responses
