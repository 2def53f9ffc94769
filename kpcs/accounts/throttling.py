"""Rate limits for the API (REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]).

- `public`: anonymous callers, per client address (NUM_PROXIES decides which address counts),
  on every view that lets them in. Certificate verification has its own stricter
  `certificate_verify` bucket (kpcs.certificates.verification), shared with the HTML page.
- `api_client`: each machine client (ApiClient) has its own bucket, whatever address it calls
  from, so one busy national system does not slow down another.
People logged in through the site are not throttled here.

Beyond the limit the answer is 429 in the API's error shape with a `Retry-After` header; the
schema documents that answer on every throttled operation (kpcs.accounts.schema).
Imports stay light: DRF imports this module while defining APIView.
"""

from __future__ import annotations

import math
from typing import Any

from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

_PERIODS = {1: _("second"), 60: _("minute"), 3600: _("hour"), 86400: _("day")}


class RateLimited(exceptions.Throttled):
    """429 with our own wording (DRF's would append its own sentence about the wait)."""

    def __init__(self, *, detail: str, wait: int) -> None:
        super().__init__(detail=detail)
        self.wait = wait  # DRF's exception handler turns this into the Retry-After header


class _ExplainedRateThrottle(SimpleRateThrottle):
    """A SimpleRateThrottle whose refusal says who was limited, to what, and for how long."""

    who: Any = ""

    def get_rate(self) -> str | None:
        # Read at each request from the (reloadable) settings rather than frozen into the class
        # at import, so that an operator's or a test's override takes effect.
        rates: dict[str, Any] = api_settings.DEFAULT_THROTTLE_RATES
        rate = rates.get(self.scope or "")
        return str(rate) if rate else None

    def allow_request(self, request: Request, view: Any) -> bool:
        if super().allow_request(request, view):
            return True
        wait = max(1, math.ceil(self.wait() or 1))
        count, duration = self.parse_rate(self.rate)
        period = _PERIODS.get(duration or 0, f"{duration} s")
        detail = " ".join(
            (
                gettext("Too many requests from %(who)s: at most %(count)s per %(period)s.")
                % {"who": self.who, "count": count, "period": period},
                ngettext("Try again in %(wait)s second.", "Try again in %(wait)s seconds.", wait)
                % {"wait": wait},
            )
        )
        raise RateLimited(detail=detail, wait=wait)


class PublicRateThrottle(_ExplainedRateThrottle):
    """Anonymous callers, per client address."""

    scope = "public"
    who = _("this address")

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if request.user and request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class ApiClientRateThrottle(_ExplainedRateThrottle):
    """Machine clients, per client (not per address)."""

    scope = "api_client"
    who = _("this API client")

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        from kpcs.accounts.models import ApiClient  # not at import: DRF loads this early

        if not isinstance(request.auth, ApiClient):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
