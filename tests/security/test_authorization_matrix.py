"""The authorization matrix: every named URL pattern × every role × own/other object × method.

Rules live in rules.py (how to read them, and how to add one for a new endpoint, is said
there and in docs/security.md). A cell's id names it exactly:
`<url name>|<method>|<role>|<variant>`, e.g. `annual_reports:detail|get|authority|other`.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.security.matrix import (
    ALLOW,
    DENY,
    UNSAFE,
    send,
    url_patterns,
    verdict,
    view_methods,
)
from tests.security.rules import ADMIN_NAMESPACE, ADMIN_OPEN, ROLES, RULES, RULES_BY_NAME, Rule

PATTERNS = url_patterns()
WHERE = "tests/security/rules.py (RULES; see docs/security.md)"


def _admin(name: str) -> bool:
    return name.split(":", 1)[0] == ADMIN_NAMESPACE


def test_every_url_pattern_has_a_rule() -> None:
    missing = sorted(n for n in PATTERNS if not _admin(n) and n not in RULES_BY_NAME)
    assert not missing, (
        f"URL pattern(s) without an authorization rule: {', '.join(missing)}. Add a rule for "
        f"each to {WHERE}, saying which roles may use it."
    )


def test_every_rule_names_an_existing_url_pattern() -> None:
    stale = sorted(n for n in RULES_BY_NAME if n not in PATTERNS)
    assert not stale, f"Rule(s) for URL names that no longer exist: {', '.join(stale)} ({WHERE})."


def test_every_rule_covers_the_methods_its_view_answers() -> None:
    problems = []
    for rule in RULES:
        if rule.name not in PATTERNS:
            continue
        methods = _methods(rule)
        if "get" in methods and rule.get is None:
            problems.append(f"{rule.name}: answers GET but its rule has no `get`")
        if any(m in UNSAFE for m in methods) and rule.write is None and rule.get is None:
            problems.append(f"{rule.name}: answers writes but its rule has no `write`")
    assert not problems, "\n".join(problems)


def _methods(rule: Rule) -> tuple[str, ...]:
    if rule.methods is not None:
        return rule.methods
    return view_methods(PATTERNS[rule.name].callback) or ("get",)


def _cells() -> list[Any]:
    cells = []
    for rule in RULES:
        if rule.name not in PATTERNS:
            continue  # reported by test_every_rule_names_an_existing_url_pattern
        for method in _methods(rule):
            unsafe = method in UNSAFE
            for role in ROLES:
                for variant in rule.variants:
                    expected = rule.expected(role, variant, unsafe=unsafe)
                    if unsafe and expected == ALLOW:
                        continue  # allowed writes are the app tests' business
                    cells.append(
                        pytest.param(
                            rule,
                            method,
                            role,
                            variant,
                            expected,
                            id=f"{rule.name}|{method}|{role}|{variant}",
                        )
                    )
    return cells


@pytest.mark.django_db
@pytest.mark.parametrize(("rule", "method", "role", "variant", "expected"), _cells())
def test_matrix(
    world: Any,
    role_cookies: dict[str, Any],
    rule: Rule,
    method: str,
    role: str,
    variant: str,
    expected: str,
) -> None:
    kwargs = rule.fill(world, variant) if rule.fill else None
    url = reverse(rule.name, kwargs=kwargs)
    client = Client()
    client.cookies = copy.deepcopy(role_cookies[role])
    api = url.startswith("/api/")
    body = rule.body(world, variant) if (rule.body and method in UNSAFE) else None
    response, writes = send(client, method, url, api=api, body=body)
    if rule.get_writes and method == "get" and expected == ALLOW:
        writes = 0
    if rule.unavailable_ok and response.status_code == 503:
        return
    problem = verdict(expected, response, writes, api=api)
    assert problem is None, f"{method.upper()} {url} as {role} ({variant}): {problem}"
    if rule.hides and expected == ALLOW and method == "get":
        hidden = rule.hides(world)
        body_text = b"".join(response).decode("utf-8", "replace")  # type: ignore[arg-type]
        if role == "secretariat":  # the control: the secretariat's list does show it
            assert hidden in body_text, f"GET {url}: {hidden!r} is not in the secretariat's list"
        else:
            assert hidden not in body_text, (
                f"GET {url} as {role}: the list shows the other participant's {hidden!r}"
            )


# --- The Django admin: one rule for the whole namespace -------------------------------------


def _admin_kwargs(name: str) -> dict[str, str]:
    route = PATTERNS[name].route
    names = re.findall(r"\(\?P<(\w+)>", route) + re.findall(r"<(?:\w+:)?(\w+)>", route)
    return {n: ("accounts" if n == "app_label" else "1") for n in names}


def _admin_cells() -> list[Any]:
    cells = []
    for name in sorted(n for n in PATTERNS if _admin(n)):
        for role in ROLES:
            if role == "secretariat" and name != "admin:index":
                continue  # the secretariat is checked on the index only
            expected = ALLOW if (name in ADMIN_OPEN or role == "secretariat") else DENY
            cells.append(pytest.param(name, role, expected, id=f"{name}|get|{role}"))
    return cells


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "role", "expected"), _admin_cells())
def test_admin(role_cookies: dict[str, Any], name: str, role: str, expected: str) -> None:
    url = reverse(name, kwargs=_admin_kwargs(name) or None)
    client = Client()
    client.cookies = copy.deepcopy(role_cookies[role])
    response, writes = send(client, "get", url, api=False)
    problem = verdict(expected, response, writes, api=False, admin=True)
    assert problem is None, f"GET {url} as {role}: {problem}"
