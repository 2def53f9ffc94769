"""Log-in lock-out against password guessing (django-axes, configured in settings AXES_*).

Two counts, never the address alone (an office behind one NAT address shares it):
- username + client address: locked after AXES_FAILURE_LIMIT failures (someone at one
  machine guessing one account);
- username from any address: locked after KPCS_USERNAME_FAILURE_LIMIT failures (guessing
  spread over many addresses).
Failures older than AXES_COOLOFF_TIME (counted from the last one) are forgotten, and a
lock-out lifts by itself then; the secretariat can lift it sooner (`unlock_username`, the
page /<lang>/accounts/lockouts/, or `manage.py axes_reset_username USERNAME`).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import math
from dataclasses import dataclass
from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt, AccessFailureLog
from axes.utils import reset
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db.models import Max, QuerySet, Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.throttling import BaseThrottle

from kpcs.common import audit


def client_ip_address(request: HttpRequest) -> str | None:
    """The client's address as the API's throttles see it: X-Forwarded-For is trusted only
    as far as REST_FRAMEWORK["NUM_PROXIES"] says there are proxies in front of us."""
    address = BaseThrottle().get_ident(request)  # type: ignore[arg-type]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        # Not an address (a misconfigured proxy): fall back to the connecting address rather
        # than store garbage in an inet column.
        return request.META.get("REMOTE_ADDR") or None


def _failures(attempts: QuerySet[AccessAttempt]) -> int:
    return int(attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0)


class KpcsAxesHandler(AxesDatabaseHandler):
    """django-axes' database handler with a second, larger limit for the username alone.

    Axes compares one number with AXES_FAILURE_LIMIT; this handler reports the failures of
    the username + address pair, raised to the limit when the username alone has reached
    KPCS_USERNAME_FAILURE_LIMIT (from any mix of addresses)."""

    def get_failures(self, request: Any, credentials: dict | None = None) -> int:
        username = get_client_username(request, credentials)
        recent = AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))
        for_username = recent.filter(username=username)
        pair = _failures(for_username.filter(ip_address=request.axes_ip_address))
        if _failures(for_username) >= settings.KPCS_USERNAME_FAILURE_LIMIT:
            return max(pair, get_failure_limit(request, credentials))
        return pair

    def reset_user_attempts(self, request: Any, credentials: dict | None = None) -> int:
        """On a successful log-in (AXES_RESET_ON_SUCCESS) forget only the failures from the
        user's own address: a guesser elsewhere keeps their count, and the user's own
        log-in does not hand them a fresh allowance."""
        count, _deleted = AccessAttempt.objects.filter(
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,
        ).delete()
        return count


def record_failed_attempt(*, request: HttpRequest, username: str) -> None:
    """Count a failure that Django's authenticate() does not see (a wrong two-factor code)
    exactly as a wrong password is counted."""
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)


def is_locked_out(*, request: HttpRequest, username: str) -> bool:
    if not getattr(settings, "AXES_ENABLED", True):
        return False
    return not AxesProxyHandler.is_allowed(request, {"username": username})


def lockout_ends_at(*, request: HttpRequest, username: str) -> dt.datetime | None:
    """When the lock-out on this username (from this client) lifts by itself."""
    cool_off = get_cool_off(request)
    if cool_off is None:
        return None
    latest = AccessAttempt.objects.filter(username=username).aggregate(last=Max("attempt_time"))[
        "last"
    ]
    return (latest or timezone.now()) + cool_off


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    """The answer to a locked-out log-in (AXES_LOCKOUT_CALLABLE): a page in the site's style
    with status 429, saying how long it lasts and how to get help."""
    username = get_client_username(request, credentials) or ""
    ends_at = lockout_ends_at(request=request, username=username)
    minutes = (
        max(1, math.ceil((ends_at - timezone.now()).total_seconds() / 60)) if ends_at else None
    )
    status = getattr(settings, "AXES_HTTP_RESPONSE_CODE", 429)
    if request.path.startswith("/api/"):
        return JsonResponse(
            {
                "detail": _("Too many failed log-in attempts: the account is locked."),
                "retry_after_minutes": minutes,
            },
            status=status,
        )
    response = render(
        request,
        "accounts/locked_out.html",
        {"locked_username": username, "minutes": minutes, "ends_at": ends_at},
        status=status,
    )
    if minutes:
        response["Retry-After"] = str(minutes * 60)
    return response


@dataclass(frozen=True)
class LockedAccount:
    username: str
    failures: int
    addresses: list[str]
    last_failure: dt.datetime
    locked: bool


def current_lockouts() -> list[LockedAccount]:
    """Usernames with failures still counted (within the cool-off), worst first, with
    whether they are locked out now (by either limit)."""
    cool_off = get_cool_off() or dt.timedelta(0)
    recent = AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - cool_off)
    rows: dict[str, list[AccessAttempt]] = {}
    for attempt in recent.order_by("-attempt_time"):
        rows.setdefault(attempt.username or "", []).append(attempt)
    limit = settings.AXES_FAILURE_LIMIT if isinstance(settings.AXES_FAILURE_LIMIT, int) else 5
    result = []
    for username, attempts in rows.items():
        per_address: dict[str, int] = {}
        for attempt in attempts:
            key = attempt.ip_address or "?"
            per_address[key] = per_address.get(key, 0) + attempt.failures_since_start
        total = sum(per_address.values())
        locked = total >= settings.KPCS_USERNAME_FAILURE_LIMIT or any(
            count >= limit for count in per_address.values()
        )
        result.append(
            LockedAccount(
                username=username,
                failures=total,
                addresses=sorted(per_address),
                last_failure=attempts[0].attempt_time,
                locked=locked,
            )
        )
    return sorted(result, key=lambda row: (not row.locked, -row.failures, row.username))


def recent_failures(limit: int = 50) -> QuerySet[AccessFailureLog]:
    return AccessFailureLog.objects.order_by("-attempt_time")[:limit]


def unlock_username(*, username: str, actor: Any) -> int:
    """Lift the lock-out on a username (from every address); recorded in the audit trail
    against the account when there is one. Returns how many failure records were removed."""
    from kpcs.accounts.models import User

    if not username:
        # axes would read an empty username as "every username".
        raise ValueError("A username is needed to lift a lock-out.")
    count = reset(username=username)
    user = User.objects.filter(username=username).first()
    if user is not None and count:
        audit.record_update(
            actor=actor,
            instance=user,
            before={"login_lockout": "locked"},
            after={"login_lockout": "lifted"},
            reason="Log-in lock-out lifted by the secretariat",
        )
    return count
