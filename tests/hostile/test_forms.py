"""Hostile values in form fields: numbers that are not numbers (NaN, inf, 1e309), negative
and absurd figures, impossible dates (2023-02-30, 0000-00-00), NUL bytes and texts far too
long, posted to the forms that take figures, dates and text; and in the query strings of
every filter and search form (public and secretariat lists).

For each: no 5xx; a refusal is a 400 naming the field; nothing is stored (every row of
every project model counted before and after)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.test import Client

from tests.hostile.conftest import YEAR, page_text
from tests.hostile.corpus import DATES, NUMBERS, TEXTS, XSS_PAYLOADS

# The reference data is loaded before any test transaction begins (fixtures below are
# looked up by name, too late for a module-scoped fixture to be set up first).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_reference")]

BAD_NUMBERS = {**NUMBERS, "minus_inf": "-inf", "hex": "0x10", "huge_digits": "9" * 400}
BAD_DATES = {**DATES, "year_99999": "99999-12-31", "slashes": "30/02/2023"}
BAD_TEXTS = {"nul": TEXTS["nul"], "long": TEXTS["long"]}


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"participants", "statistics", "certificates", "reviews"}
        or model._meta.label in {"plenary.Meeting", "plenary.Document"}
    }


def _stock(botswana, bwa_authority, open_periods):
    client = Client()
    client.force_login(bwa_authority)
    data = {"year": str(YEAR), "carats": "20000.00", "value_usd": "3000000.00", "note": ""}
    return client, "/en/submissions/stock/", data


def _meeting(secretariat, reference):
    client = Client()
    client.force_login(secretariat)
    data = {
        "kind": "plenary",
        "code": "2027-plenary",
        "title": "Plenary 2027",
        "start_date": "2027-11-02",
        "end_date": "2027-11-05",
        "venue": "Brussels",
    }
    return client, "/en/plenary/meetings/new/", data


def _specimen(bwa_authority):
    client = Client()
    client.force_login(bwa_authority)
    data = {"valid_from": "2024-01-01", "security_features": "Hologram."}
    return client, "/en/certificates/specimens/register/", data


FORMS = {
    "stock": (_stock, {"carats": "number", "value_usd": "number", "note": "text"}),
    "meeting": (_meeting, {"start_date": "date", "title": "text", "venue": "text"}),
    "specimen": (_specimen, {"valid_from": "date", "security_features": "text"}),
}
VALUES = {"number": BAD_NUMBERS, "date": BAD_DATES, "text": BAD_TEXTS}


def form_cases():
    for form, (_setup, fields) in FORMS.items():
        for field, kind in fields.items():
            for key, value in VALUES[kind].items():
                yield pytest.param(form, field, value, id=f"{form}-{field}-{key}")


@pytest.mark.parametrize(("form", "field", "value"), list(form_cases()))
def test_a_hostile_value_is_refused_at_its_field_and_nothing_is_stored(
    request, form, field, value
) -> None:
    setup, _fields = FORMS[form]
    code = setup.__code__
    arguments = {n: request.getfixturevalue(n) for n in code.co_varnames[: code.co_argcount]}
    client, url, data = setup(**arguments)
    before = row_counts()
    response = client.post(url, {**data, field: value})
    assert response.status_code < 500
    if response.status_code == 302:
        # Taken: only a value the rules allow (a large but possible figure, a plausible date).
        assert value in (NUMBERS["billion"], DATES["year1"]) or value.isdigit(), (
            f"{form}.{field} took {value[:40]!r}"
        )
        return
    assert response.status_code == 400, response.status_code
    assert row_counts() == before, "a refused form stored something"
    context = response.context
    errors = context["form"].errors if context and "form" in context else {}
    assert field in errors or errors.get("__all__"), (
        f"{form}.{field}: the error is not at the field: {page_text(response)[:600]}"
    )


# --- Query strings of filter and search forms ----------------------------------------------------

GET_PAGES = {
    "public": [
        "/en/statistics/",
        "/en/statistics/releases/",
        "/en/statistics/participants/BWA/",
        "/en/certificates/verify/",
        "/en/meetings/",
        "/en/documents/",
        "/en/compendium/",
        "/en/participants/",
        "/api/v1/public/statistics/trade/",
        "/api/v1/certificates/verify/",
    ],
    "secretariat": [
        "/en/secretariat/statistics/",
        "/en/secretariat/statistics/anomalies/",
        "/en/secretariat/statistics/stock/",
        "/en/secretariat/audit-log/",
        "/en/secretariat/participants/",
        "/en/certificates/",
        "/en/certificates/specimens/",
        "/en/reviews/visits/",
        "/en/annual-reports/",
        "/en/annual-reports/export.csv",
        "/en/compliance/",
        "/en/plenary/documents/",
        "/en/plenary/meetings/",
        "/api/v1/certificates/",
        "/api/v1/reviews/annual-reports/",
    ],
}
PARAMETERS = (
    "q",
    "year",
    "participant",
    "period",
    "status",
    "kind",
    "number",
    "date_from",
    "date_to",
    "code",
    "ordering",
)
QUERY_VALUES = {
    "nan": "NaN",
    "1e309": "1e309",
    "feb30": "2023-02-30",
    "nul_long": "a\x00b" + "x" * 5000,
    "html": XSS_PAYLOADS["script"] + XSS_PAYLOADS["img"],
}


def query_cases():
    for who, pages in GET_PAGES.items():
        for page in pages:
            yield pytest.param(who, page, id=f"{who}:{page}")


@pytest.mark.parametrize(("who", "page"), list(query_cases()))
def test_hostile_query_strings_never_break_a_list_or_search_page(
    client, reference, secretariat, who, page
) -> None:
    if who == "secretariat":
        client.force_login(secretariat)
    failures = []
    for key, value in QUERY_VALUES.items():
        # Every filter at once (a form validates all its fields in one go); the page number
        # apart, since a page that does not exist is a 404 before any filter is read.
        for query in (dict.fromkeys(PARAMETERS, value), {"page": value}):
            response = client.get(page, query)
            if response.status_code >= 500:
                failures.append(f"{key} in {sorted(query)}: {response.status_code}")
                continue
            body = response.content.decode("utf-8", "replace")
            # JSON and CSV are not run by a browser (JSON goes with nosniff): HTML only.
            shown_as_html = "html" in response.get("Content-Type", "")
            if shown_as_html and ("<script>alert(1)" in body or "<img src=x onerror" in body):
                failures.append(f"{key} in {sorted(query)}: echoed unescaped")
    assert failures == []
