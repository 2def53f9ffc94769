"""The machinery of the authorization matrix: walking the URL configuration, finding which
methods a view answers, sending one request as one role and judging the answer.

Outcomes (one letter per object variant in `rules.py`):
- `A` allow: not 401/403/404, not a redirect to a log-in page, never 5xx (2xx, 3xx, or a 4xx
  such as 400/405/409 that is about the request, not the caller);
- `D` deny: 403/404 (API also 401), or a redirect to the log-in page (a refusal too), and
  nothing written to the database;
- `L` log in: pages redirect to the log-in page, the API answers 401/403; nothing written.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponseBase
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

UNSAFE = ("post", "put", "patch", "delete")
ALLOW, DENY, LOGIN = "A", "D", "L"


@dataclass(frozen=True)
class Pattern:
    name: str  # "namespace:name" (nested namespaces joined with ":")
    route: str
    callback: Any


def url_patterns() -> dict[str, Pattern]:
    """Every named URL pattern of the project, by its full name (the first of a name wins, as
    `reverse` does)."""
    found: dict[str, Pattern] = {}

    def walk(patterns: list[Any], prefix: str, namespace: str | None) -> Iterator[Pattern]:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = namespace
                if entry.namespace:
                    inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                yield from walk(entry.url_patterns, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern) and entry.name:
                name = f"{namespace}:{entry.name}" if namespace else entry.name
                yield Pattern(name=name, route=prefix + str(entry.pattern), callback=entry.callback)

    for pattern in walk(get_resolver().url_patterns, "/", None):
        found.setdefault(pattern.name, pattern)
    return found


def view_methods(callback: Any) -> tuple[str, ...]:
    """The HTTP methods a view has handlers for (GET first), for class-based views and DRF
    views; None for a plain function view (its rule must say)."""
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    actions = getattr(callback, "actions", None)
    if actions:  # a DRF viewset's route
        return tuple(m for m in ("get", *UNSAFE) if m in actions)
    if view_class is None:
        return ()
    allowed = getattr(view_class, "http_method_names", ())
    return tuple(m for m in ("get", *UNSAFE) if m in allowed and hasattr(view_class, m))


def database_writes() -> int:
    """Rows inserted, updated or deleted so far in this transaction (PostgreSQL's own count),
    leaving out the session store and the log-in attempt log, which any request may touch."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM(n_tup_ins + n_tup_upd + n_tup_del), 0) "
            "FROM pg_stat_xact_user_tables "
            "WHERE relname <> 'django_session' AND relname NOT LIKE 'axes\\_%%'"
        )
        return int(cursor.fetchone()[0])


def send(
    client: Client, method: str, url: str, *, api: bool, body: dict[str, Any] | None = None
) -> tuple[HttpResponseBase, int]:
    """One request with `body` (empty if None); returns the response and the rows it wrote.
    The API gets JSON, unless the body carries a file (multipart, as a browser sends it)."""
    cache.clear()  # throttles count per address; every cell starts afresh
    before = database_writes()
    data = body or {}
    has_file = any(hasattr(value, "read") for value in data.values())
    if method == "get":
        response = client.get(url)
    elif has_file or (method == "post" and not api):
        response = getattr(client, method)(url, data=data)
    else:
        response = getattr(client, method)(
            url, data=json.dumps(data), content_type="application/json"
        )
    return response, database_writes() - before


def login_path() -> str:
    return str(resolve_url(settings.LOGIN_URL))


def is_login_redirect(response: HttpResponseBase, *, admin: bool = False) -> bool:
    if response.status_code not in (301, 302, 303, 307, 308):
        return False
    location = response.get("Location", "")
    if admin and location.startswith(reverse("admin:login")):
        return True
    return location.startswith(login_path())


def verdict(
    expected: str, response: HttpResponseBase, writes: int, *, api: bool, admin: bool = False
) -> str | None:
    """None when the answer fits the expectation, else what is wrong."""
    status = response.status_code
    if status >= 500:
        return f"server error {status}"
    login = is_login_redirect(response, admin=admin)
    refused = status in ((401, 403, 404) if api else (403, 404)) or login
    if expected == ALLOW:
        if status in (401, 403, 404) or login:
            return f"refused ({status} {response.get('Location', '')}) but should be allowed"
        return None
    if expected == LOGIN:
        ok = status in (401, 403) if api else login
        if not ok:
            return f"answered {status} {response.get('Location', '')}; expected the log-in refusal"
    elif not refused:
        return f"answered {status} {response.get('Location', '')}; expected a refusal"
    if writes:
        return f"refused ({status}) but wrote {writes} row(s) to the database"
    return None
