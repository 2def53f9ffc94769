"""Declared opening stock: a participant's authority declares it (browser or API), the
service refuses bad figures naming the field, the database refuses bad rows, the secretariat
reads every declaration, nobody else any, and no public page or public API shows it."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from kpcs.accounts.tests.factories import UserFactory, api_client_as
from kpcs.common import audit
from kpcs.common.models import AuditEntry
from kpcs.participants.models import Participant
from kpcs.statistics.models import StockDeclaration, Submission
from kpcs.statistics.services import stock_declare
from kpcs.statistics.tests import test_public_api
from kpcs.statistics.tests.factories import StockDeclarationFactory

pytestmark = pytest.mark.django_db

YEAR = 2024
PAGE = "/en/submissions/stock/"
SECRETARIAT_PAGE = "/en/secretariat/statistics/stock/"
API = "/api/v1/statistics/stock/"
planted = test_public_api.planted  # released public figures, for the public checks


def put_url(year: int = YEAR) -> str:
    return f"{API}{year}/"


def next_year() -> int:
    return timezone.localdate().year + 1


@pytest.fixture
def botswana(reference_data) -> Participant:
    return Participant.objects.get(code="BWA")


@pytest.fixture
def south_africa(reference_data) -> Participant:
    return Participant.objects.get(code="ZAF")


@pytest.fixture
def authority(botswana):
    return UserFactory(role="authority", participant=botswana, username="bwa-authority")


@pytest.fixture
def zaf_authority(south_africa):
    return UserFactory(role="authority", participant=south_africa, username="zaf-authority")


@pytest.fixture
def secretariat():
    return UserFactory(role="secretariat", username="secretariat")


@pytest.fixture
def bwa_client(client, authority):
    client.force_login(authority)
    return client


def token_client(api_client, user):
    """`user` calling the API: an authority through an API client key of its participant."""
    return api_client_as(user)


@pytest.fixture
def bwa_api(api_client, authority):
    return token_client(api_client, authority)


def declare(participant, actor, **values) -> StockDeclaration:
    figures = {"year": YEAR, "carats": "20000.00", "value_usd": "3000000.00", "note": ""}
    figures.update(values)
    return stock_declare(
        participant=participant,
        actor=actor,
        year=int(figures["year"]),
        carats=Decimal(figures["carats"]),
        value_usd=Decimal(figures["value_usd"]),
        note=figures["note"],
    )


def html(response) -> str:
    return response.content.decode()


# --- The service ----------------------------------------------------------------------------------


def test_an_authority_declares_its_opening_stock_and_each_change_is_audited(
    botswana, authority
) -> None:
    declaration = declare(botswana, authority, note="Counted at the vault on 1 January.")

    assert (declaration.carats, declaration.value_usd) == (Decimal("20000"), Decimal("3000000"))
    assert declaration.declared_by == authority
    created = audit.entries_for(declaration).get()
    assert created.action == AuditEntry.Action.CREATE
    assert created.actor == authority

    changed = declare(botswana, authority, carats="25000.50", note="Recounted.")

    assert changed.pk == declaration.pk
    assert StockDeclaration.objects.count() == 1
    update = audit.entries_for(declaration).get(action=AuditEntry.Action.UPDATE)
    assert update.changes["carats"] == ["20000.00", "25000.50"]
    assert update.changes["note"] == ["Counted at the vault on 1 January.", "Recounted."]


def test_declaring_the_same_figures_again_changes_nothing(botswana, authority) -> None:
    first = declare(botswana, authority)
    again = declare(botswana, authority)

    assert again.declared_at == first.declared_at
    assert audit.entries_for(first).count() == 1


@pytest.mark.parametrize(
    ("values", "field", "fragment"),
    [
        ({"carats": "-1"}, "carats", "The carats cannot be negative"),
        ({"value_usd": "-0.01"}, "value_usd", "The value (US$) cannot be negative"),
        ({"carats": "0", "value_usd": "500"}, "value_usd", "A value (US$) needs carats"),
        ({"carats": "10.125"}, "carats", "Give the carats with at most two decimals"),
        ({"value_usd": "1e20"}, "value_usd", "The value (US$) is more than"),
        ({"carats": "NaN"}, "carats", "The carats must be a number"),
        ({"year": 2002}, "year", "The year must be from 2003 to"),
        ({"note": "x" * 2001}, "note", "Keep the note under 2000 characters"),
    ],
)
def test_bad_figures_are_refused_naming_the_field(
    botswana, authority, values, field, fragment
) -> None:
    with pytest.raises(ValidationError) as refused:
        declare(botswana, authority, **values)

    assert list(refused.value.message_dict) == [field]
    assert fragment in refused.value.message_dict[field][0]
    assert not StockDeclaration.objects.exists()


def test_stock_of_a_year_that_has_not_begun_is_refused(botswana, authority) -> None:
    with pytest.raises(ValidationError) as refused:
        declare(botswana, authority, year=next_year())

    assert "once the year has begun" in refused.value.message_dict["year"][0]


@pytest.mark.parametrize("role", ["secretariat", "reviewer", "observer"])
def test_only_the_participants_own_authority_may_declare(botswana, role) -> None:
    with pytest.raises(PermissionDenied):
        declare(botswana, UserFactory(role=role))

    assert not StockDeclaration.objects.exists()


def test_another_participants_authority_may_not_declare_for_it(botswana, zaf_authority) -> None:
    with pytest.raises(PermissionDenied):
        declare(botswana, zaf_authority)

    assert not StockDeclaration.objects.exists()


# --- The database ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "constraint"),
    [
        ({"carats": Decimal("-1")}, "stock_declaration_not_negative"),
        ({"value_usd": Decimal("-1")}, "stock_declaration_not_negative"),
        (
            {"carats": Decimal("0"), "value_usd": Decimal("10")},
            "stock_declaration_value_needs_carats",
        ),
        ({"year": 2002}, "stock_declaration_year_plausible"),
    ],
)
def test_the_database_refuses_bad_rows(values, constraint) -> None:
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        StockDeclarationFactory(**values)


def test_the_database_holds_one_declaration_per_participant_and_year() -> None:
    first = StockDeclarationFactory()

    with pytest.raises(IntegrityError, match="stock_declaration_unique_year"), transaction.atomic():
        StockDeclarationFactory(participant=first.participant, year=first.year)
    StockDeclarationFactory(participant=first.participant, year=first.year - 1)


# --- The participant's page -----------------------------------------------------------------------


def stock_post(**values) -> dict[str, str]:
    data = {"year": str(YEAR), "carats": "20000.00", "value_usd": "3000000.00", "note": ""}
    data.update(values)
    return data


def test_the_overview_links_to_the_stock_page(bwa_client) -> None:
    assert f'href="{PAGE}"' in html(bwa_client.get("/en/submissions/"))


def test_the_stock_page_lists_the_declarations_by_year(bwa_client, botswana, authority) -> None:
    declare(botswana, authority, year=2022, carats="1500.00", value_usd="200000.00")
    declare(botswana, authority, year=YEAR, note="After the auction.")

    response = bwa_client.get(PAGE)

    assert response.status_code == 200
    page = html(response)
    assert re.findall(r'<th scope="row">(\d{4})</th>', page) == ["2024", "2022"]
    for text in ("1,500.00", "200,000.00", "20,000.00", "3,000,000.00", "After the auction."):
        assert text in page
    assert f'href="{PAGE}?year=2022#declare-heading"' in page


def test_choosing_a_year_to_change_fills_the_form_with_its_declaration(
    bwa_client, botswana, authority
) -> None:
    declare(botswana, authority, year=2022, carats="1500.00", value_usd="200000.00")

    page = html(bwa_client.get(PAGE, {"year": "2022"}))

    assert '<option value="2022" selected>' in page
    assert 'value="1500.00"' in page


def test_an_authority_declares_stock_in_the_browser(bwa_client, botswana, authority) -> None:
    response = bwa_client.post(
        PAGE, stock_post(carats="12500.5", value_usd="1875000", note="Year-end count."), follow=True
    )

    assert response.redirect_chain == [(PAGE, 302)]
    assert "The opening stock of 2024 is declared: 12,500.50 ct worth US$ 1,875,000.00." in (
        html(response)
    )
    declaration = StockDeclaration.objects.get(participant=botswana, year=YEAR)
    assert declaration.carats == Decimal("12500.50")
    assert declaration.note == "Year-end count."
    assert audit.entries_for(declaration).get().actor == authority


def test_declaring_a_year_again_in_the_browser_replaces_its_figures(
    bwa_client, botswana, authority
) -> None:
    declare(botswana, authority)

    bwa_client.post(PAGE, stock_post(carats="30000", value_usd="4000000"))

    declaration = StockDeclaration.objects.get(participant=botswana, year=YEAR)
    assert declaration.carats == Decimal("30000")


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"carats": "-5"}, "The carats cannot be negative"),
        ({"carats": "a lot"}, "The carats must be a number, with a dot for decimals"),
        ({"value_usd": "1,000"}, "The value (US$) must be a number, with a dot for decimals"),
        ({"carats": "0", "value_usd": "500"}, "A value (US$) needs carats"),
        ({"carats": ""}, "Give the carats held in stock"),
        ({"year": "2002"}, "The year must be from 2003 to"),
    ],
)
def test_bad_input_in_the_browser_is_shown_at_its_field_and_nothing_is_stored(
    bwa_client, values, message
) -> None:
    response = bwa_client.post(PAGE, stock_post(**values))

    assert response.status_code == 400
    page = html(response)
    assert "Please correct the fields marked below." in page
    assert 'class="form-row has-error"' in page
    assert message in page
    assert not StockDeclaration.objects.exists()


def test_another_participants_authority_sees_and_declares_only_its_own_stock(
    client, botswana, authority, south_africa, zaf_authority
) -> None:
    declare(botswana, authority, carats="4321.00", value_usd="654321.00")
    client.force_login(zaf_authority)

    page = html(client.get(PAGE))
    client.post(PAGE, stock_post(carats="10.00", value_usd="1000.00"))

    assert "4,321.00" not in page and "South Africa" in page
    assert StockDeclaration.objects.get(participant=botswana).carats == Decimal("4321.00")
    assert StockDeclaration.objects.get(participant=south_africa).carats == Decimal("10.00")


def test_anonymous_visitors_are_sent_to_log_in_and_declare_nothing(client, reference_data) -> None:
    for response in (client.get(PAGE), client.post(PAGE, stock_post())):
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not StockDeclaration.objects.exists()


@pytest.mark.parametrize("role", ["reviewer", "observer", "secretariat"])
def test_other_roles_may_not_use_the_stock_page(client, reference_data, role) -> None:
    client.force_login(UserFactory(role=role))

    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, stock_post()).status_code == 403
    assert not StockDeclaration.objects.exists()


# --- The secretariat's pages ----------------------------------------------------------------------


def test_the_review_page_shows_the_declared_stock_of_the_participant_and_year(
    client, botswana, authority, secretariat
) -> None:
    submission = Submission.objects.create(
        participant=botswana, year=YEAR, dataset="trade", period="Q1"
    )
    other_year = Submission.objects.create(
        participant=botswana, year=YEAR - 1, dataset="trade", period="Q1"
    )
    declare(botswana, authority, note="Counted in January.")
    client.force_login(secretariat)

    page = html(client.get(f"/en/secretariat/statistics/submissions/{submission.pk}/"))
    without = html(client.get(f"/en/secretariat/statistics/submissions/{other_year.pk}/"))

    assert "Opening stock 2024" in page
    assert "20,000.00 ct worth US$ 3,000,000.00" in page
    assert "by bwa-authority" in page and "Counted in January." in page
    assert "Opening stock 2023" in without
    assert "None declared: the supply checks count it as zero." in without


def test_the_secretariat_lists_every_declaration_and_filters_them(
    client, botswana, authority, south_africa, zaf_authority, secretariat
) -> None:
    declare(botswana, authority, carats="1111.00", value_usd="100.00")
    declare(south_africa, zaf_authority, year=2022, carats="2222.00", value_usd="200.00")
    client.force_login(secretariat)

    everything = html(client.get(SECRETARIAT_PAGE))
    one_year = html(client.get(SECRETARIAT_PAGE, {"year": "2022"}))
    one_participant = html(client.get(SECRETARIAT_PAGE, {"participant": "bwa"}))
    unknown = client.get(SECRETARIAT_PAGE, {"participant": "XXX"})

    assert "1,111.00" in everything and "2,222.00" in everything
    assert "2,222.00" in one_year and "1,111.00" not in one_year
    assert "1,111.00" in one_participant and "2,222.00" not in one_participant
    assert unknown.status_code == 400
    assert "No participant has the code “XXX”." in html(unknown)


@pytest.mark.parametrize("role", ["authority", "reviewer", "observer"])
def test_only_the_secretariat_sees_its_stock_list(client, reference_data, role) -> None:
    client.force_login(UserFactory(role=role))

    assert client.get(SECRETARIAT_PAGE).status_code == 403


# --- The API --------------------------------------------------------------------------------------


def test_an_authority_declares_stock_through_the_api_and_reads_it_back(bwa_api, botswana) -> None:
    body = {"carats": "12500.50", "value_usd": "1875000.00", "note": "Year-end count."}
    created = bwa_api.put(put_url(), body, format="json")
    changed = bwa_api.put(put_url(), {**body, "carats": "13000"}, format="json")
    listed = bwa_api.get(API)

    assert created.status_code == 201, created.json()
    assert created.json()["carats"] == "12500.50"
    assert changed.status_code == 200
    declaration = changed.json()
    assert declaration["participant"] == "BWA"
    assert declaration["year"] == YEAR
    assert (declaration["carats"], declaration["value_usd"]) == ("13000.00", "1875000.00")
    assert declaration["url"].endswith(put_url())
    assert [d["carats"] for d in listed.json()["results"]] == ["13000.00"]
    assert StockDeclaration.objects.get(participant=botswana).note == "Year-end count."


@pytest.mark.parametrize(
    ("body", "year", "field", "fragment"),
    [
        ({"carats": "-1", "value_usd": "0"}, YEAR, "carats", "cannot be negative"),
        ({"carats": "many", "value_usd": "0"}, YEAR, "carats", "The carats must be a number"),
        ({"carats": "10", "value_usd": "ten"}, YEAR, "value_usd", "The value (US$) must be"),
        ({"carats": "0", "value_usd": "500"}, YEAR, "value_usd", "A value (US$) needs carats"),
        ({"value_usd": "500"}, YEAR, "carats", "Give the carats held in stock"),
        ({"carats": "10", "value_usd": "5"}, 2002, "year", "The year must be from 2003 to"),
    ],
)
def test_bad_input_through_the_api_answers_400_naming_the_field(
    bwa_api, body, year, field, fragment
) -> None:
    response = bwa_api.put(put_url(year), body, format="json")

    assert response.status_code == 400
    error = response.json()
    assert set(error) == {"status", "code", "detail", "errors"}
    assert (error["status"], error["code"]) == (400, "invalid")
    assert list(error["errors"]) == [field]
    assert fragment in error["errors"][field][0]
    assert field in error["detail"]
    assert not StockDeclaration.objects.exists()


def test_the_secretariat_reads_every_declaration_and_filters_by_participant(
    api_client, botswana, authority, south_africa, zaf_authority, secretariat
) -> None:
    declare(botswana, authority)
    declare(south_africa, zaf_authority, year=2022)
    client = token_client(api_client, secretariat)

    everything = client.get(API).json()["results"]
    one = client.get(API, {"participant": "zaf"}).json()["results"]
    unknown = client.get(API, {"participant": "XXX"})

    assert [(d["participant"], d["year"]) for d in everything] == [("BWA", 2024), ("ZAF", 2022)]
    assert [(d["participant"], d["year"]) for d in one] == [("ZAF", 2022)]
    assert unknown.status_code == 400
    assert "participant" in unknown.json()["errors"]


def test_an_authority_reads_only_its_own_participants_stock(
    bwa_api, botswana, authority, south_africa, zaf_authority
) -> None:
    declare(botswana, authority)
    declare(south_africa, zaf_authority)

    own = bwa_api.get(API).json()["results"]
    other = bwa_api.get(API, {"participant": "ZAF"})

    assert [d["participant"] for d in own] == ["BWA"]
    assert other.status_code == 403
    assert other.json()["code"] == "permission_denied"


def test_the_secretariat_may_not_declare_stock_through_the_api(
    api_client, reference_data, secretariat
) -> None:
    client = token_client(api_client, secretariat)

    response = client.put(put_url(), {"carats": "1", "value_usd": "1"}, format="json")

    assert response.status_code == 403
    assert "the secretariat reads the declarations" in response.json()["detail"]
    assert not StockDeclaration.objects.exists()


@pytest.mark.parametrize("role", ["reviewer", "observer"])
def test_reviewers_and_observers_may_not_use_the_stock_api(
    api_client, reference_data, role
) -> None:
    StockDeclarationFactory()
    client = token_client(api_client, UserFactory(role=role))

    assert client.get(API).status_code == 403
    response = client.put(put_url(), {"carats": "1", "value_usd": "1"}, format="json")
    assert response.status_code == 403
    assert StockDeclaration.objects.count() == 1


def test_anonymous_clients_get_401_from_the_stock_api(api_client, reference_data) -> None:
    assert api_client.get(API).status_code == 401
    response = api_client.put(put_url(), {"carats": "1", "value_usd": "1"}, format="json")
    assert response.status_code == 401
    assert not StockDeclaration.objects.exists()


def test_the_stock_api_is_documented(api_client, db) -> None:
    schema = api_client.get("/api/schema/", {"format": "json"}).json()

    assert "get" in schema["paths"]["/api/v1/statistics/stock/"]
    assert "put" in schema["paths"]["/api/v1/statistics/stock/{year}/"]


# --- Never public ---------------------------------------------------------------------------------


def test_stock_is_never_shown_on_a_public_page_or_the_public_api(client, planted) -> None:
    StockDeclarationFactory(
        participant=planted["bwa"],
        year=2023,
        carats=Decimal("7777.77"),
        value_usd=Decimal("424242.42"),
        declared_at=dt.datetime(2023, 1, 2, tzinfo=dt.UTC),
    )
    public = [
        "/en/statistics/",
        "/en/statistics/?year=2023",
        "/en/statistics/releases/",
        "/en/statistics/participants/BWA/",
        "/en/statistics/not-reported/?year=2023",
        "/api/v1/public/statistics/production/?year=2023",
        "/api/v1/public/statistics/trade/?year=2023",
        "/api/v1/public/statistics/production/?year=2023&format=csv",
        "/api/v1/public/statistics/participants/BWA/",
        "/api/v1/public/statistics/releases/",
    ]
    for url in public:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        for figure in ("7777.77", "7,777.77", "424242", "424,242"):
            assert figure not in body, url
        if url.startswith("/api/"):
            assert "stock" not in body.lower(), url


def test_a_year_to_change_in_digits_other_than_0_to_9_starts_a_new_declaration(
    bwa_client,
) -> None:
    # str.isdigit() says yes to "²⁰²²", which int() refuses: this answered 500.
    assert bwa_client.get(PAGE, {"year": "²⁰²²"}).status_code == 200
