"""The public statistics API: exact shapes on a planted data set, files, earlier releases, bad
parameters, and nothing that was not released."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl
import pytest

from kpcs.participants.tests.factories import CountryFactory, ParticipantFactory
from kpcs.statistics.models import Dataset, Flow, HSCode, Period, Release, Submission
from kpcs.statistics.publication import release_publish
from kpcs.statistics.tests.factories import (
    ProductionRecordFactory,
    SubmissionFactory,
    TradeRecordFactory,
)

pytestmark = pytest.mark.django_db

PRODUCTION = "/api/v1/public/statistics/production/"
TRADE = "/api/v1/public/statistics/trade/"
RELEASES = "/api/v1/public/statistics/releases/"
ACCEPTED = Submission.Status.ACCEPTED


# Planting ---------------------------------------------------------------------------------------


def participant(code: str, name: str):
    country = CountryFactory(alpha3=code, alpha2=code[:2], name=name, name_en=name)
    return ParticipantFactory(country=country, name=name)


def production(who, period, carats, value, *, status=ACCEPTED, year=2023):
    return ProductionRecordFactory(
        submission__participant=who,
        submission__year=year,
        submission__dataset=Dataset.PRODUCTION,
        submission__period=period,
        submission__status=status,
        carats=Decimal(carats),
        value_usd=Decimal(value),
    )


def trade(who, period, flow, partner, carats, value, certificates, **kwargs):
    status = kwargs.pop("status", ACCEPTED)
    year = kwargs.pop("year", 2023)
    submission = Submission.objects.filter(
        participant=who, year=year, dataset=Dataset.TRADE, period=period
    ).first() or SubmissionFactory(
        participant=who, year=year, dataset=Dataset.TRADE, period=period, status=status
    )
    return TradeRecordFactory(
        submission=submission,
        flow=flow,
        partner=partner,
        carats=Decimal(carats),
        value_usd=Decimal(value),
        certificates=certificates,
        **kwargs,
    )


@pytest.fixture
def planted():
    """Two participants, 2023, accepted and released once.

    Botswana: production in half-years (120.00 ct / 1,200.50 + 80.00 ct / 800.50 = 200.00 ct
    / 2,001.00, so 10.005 $/ct, which rounds half away from zero to 10.01); exports in two
    quarters (50 + 30 ct, 1,000 + 200 US$, 2 + 1 certificates), imports 10 ct / 333.33 US$.
    South Africa: production as a whole year (300 ct / 4,500 US$); imports in two quarters,
    no exports. World: 500 ct / 6,501 US$ = 13.002 → 13.00; imports 90 ct / 1,533.33 US$ =
    17.037 → 17.04; exports 80 ct / 1,200 US$ = 15.00.
    """
    bwa = participant("BWA", "Botswana")
    zaf = participant("ZAF", "South Africa")
    production(bwa, Period.H1, "120.00", "1200.50")
    production(bwa, Period.H2, "80.00", "800.50")
    production(zaf, Period.YEAR, "300.00", "4500.00")
    trade(bwa, Period.Q1, Flow.EXPORT, zaf, "50.00", "1000.00", 2)
    trade(bwa, Period.Q2, Flow.EXPORT, zaf, "30.00", "200.00", 1, hs_code=HSCode.UNSORTED)
    trade(bwa, Period.Q2, Flow.IMPORT, zaf, "10.00", "333.33", 1)
    trade(zaf, Period.Q1, Flow.IMPORT, bwa, "50.00", "1000.00", 2)
    trade(zaf, Period.Q3, Flow.IMPORT, bwa, "30.00", "200.00", 1)
    release = release_publish(year=2023, note="First release.")
    return {"bwa": bwa, "zaf": zaf, "release": release}


def release_json(release: Release) -> dict:
    return {
        "number": release.number,
        "published_at": release.published_at.isoformat().replace("+00:00", "Z"),
        "note": release.note,
    }


# Exact shapes ---------------------------------------------------------------------------------


def test_production_summary_sums_periods_and_computes_dollars_per_carat_to_the_cent(
    api_client, planted
) -> None:
    response = api_client.get(PRODUCTION, {"year": 2023})
    assert response.status_code == 200
    assert response.json() == {
        "year": 2023,
        "release": release_json(planted["release"]),
        "rows": [
            {
                "participant": "BWA",
                "carats": "200.00",
                "value_usd": "2001.00",
                "usd_per_carat": "10.01",
            },
            {
                "participant": "ZAF",
                "carats": "300.00",
                "value_usd": "4500.00",
                "usd_per_carat": "15.00",
            },
        ],
        "total": {"carats": "500.00", "value_usd": "6501.00", "usd_per_carat": "13.00"},
    }


def test_trade_summary_has_one_row_per_participant_with_imports_and_exports(
    api_client, planted
) -> None:
    response = api_client.get(TRADE, {"year": "2023"})
    assert response.status_code == 200
    assert response.json() == {
        "year": 2023,
        "release": release_json(planted["release"]),
        "rows": [
            {
                "participant": "BWA",
                "imports_carats": "10.00",
                "imports_value_usd": "333.33",
                "imports_usd_per_carat": "33.33",
                "import_certificates": 1,
                "exports_carats": "80.00",
                "exports_value_usd": "1200.00",
                "exports_usd_per_carat": "15.00",
                "export_certificates": 3,
            },
            {
                "participant": "ZAF",
                "imports_carats": "80.00",
                "imports_value_usd": "1200.00",
                "imports_usd_per_carat": "15.00",
                "import_certificates": 3,
                "exports_carats": "0.00",
                "exports_value_usd": "0.00",
                "exports_usd_per_carat": None,
                "export_certificates": 0,
            },
        ],
        "total": {
            "imports_carats": "90.00",
            "imports_value_usd": "1533.33",
            "imports_usd_per_carat": "17.04",
            "import_certificates": 4,
            "exports_carats": "80.00",
            "exports_value_usd": "1200.00",
            "exports_usd_per_carat": "15.00",
            "export_certificates": 3,
        },
    }


@pytest.mark.parametrize(
    ("api", "summarise", "to_json"),
    [
        ("ProductionSummaryApi", "production_summary", "production_json"),
        ("TradeSummaryApi", "trade_summary", "trade_json"),
    ],
)
def test_summary_json_is_what_the_documented_serializer_gives(
    planted, api, summarise, to_json
) -> None:
    # The summaries are built by hand for speed; the schema documents the serializers.
    from kpcs.statistics import public_apis, selectors

    summary = getattr(selectors, summarise)(year=2023)
    serializer = getattr(public_apis, api).OutputSerializer(summary)
    assert getattr(public_apis, to_json)(summary) == serializer.data


def test_a_release_without_trade_gives_no_rows_and_zero_totals(api_client) -> None:
    production(participant("BWA", "Botswana"), Period.H1, "10.00", "100.00")
    release = release_publish(year=2023, note="Production only.")
    body = api_client.get(TRADE, {"year": 2023}).json()
    assert body["release"] == release_json(release)
    assert body["rows"] == []
    assert body["total"]["exports_carats"] == "0.00"
    assert body["total"]["exports_usd_per_carat"] is None
    assert api_client.get(PRODUCTION, {"year": 2023, "release": 1}).json()["rows"] != []


@pytest.mark.parametrize("year", ["2000", "2023", "2100"])
def test_the_plain_year_shortcut_reads_what_the_serializer_reads(year) -> None:
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from kpcs.statistics.public_apis import YearQuerySerializer, _query

    request = Request(APIRequestFactory().get("/", {"year": year}))
    serializer = YearQuerySerializer(data=request.query_params)
    assert serializer.is_valid()
    assert _query(YearQuerySerializer, request) == dict(serializer.validated_data)


def test_the_api_needs_no_login_and_ignores_a_bad_session(client, planted) -> None:
    client.cookies["sessionid"] = "not-a-session"
    assert client.get(PRODUCTION, {"year": 2023}).status_code == 200


def test_release_list_gives_each_release_with_links_to_its_figures(api_client, planted) -> None:
    second = release_publish(year=2023, note="Nothing changed.")
    response = api_client.get(RELEASES)
    assert response.status_code == 200
    body = response.json()
    assert [(r["year"], r["number"], r["note"]) for r in body] == [
        (2023, 2, "Nothing changed."),
        (2023, 1, "First release."),
    ]
    assert body[0]["published_at"] == release_json(second)["published_at"]
    links = body[1]["links"]
    assert links["production"]["csv"] == (
        "http://testserver/api/v1/public/statistics/production/?year=2023&release=1&format=csv"
    )
    assert set(links["trade"]) == {"json", "csv", "xlsx"}
    assert links["page"] == "http://testserver/en/statistics/?year=2023&release=1"
    assert api_client.get(links["production"]["json"]).json()["release"]["number"] == 1


def test_participant_history_api_gives_each_year_from_its_latest_release(
    api_client, planted
) -> None:
    response = api_client.get("/api/v1/public/statistics/participants/zaf/")
    assert response.status_code == 200
    body = response.json()
    assert body["participant"] == "ZAF"
    [year] = body["years"]
    assert year["year"] == 2023
    assert year["production"] == {
        "carats": "300.00",
        "value_usd": "4500.00",
        "usd_per_carat": "15.00",
    }
    assert year["trade"]["imports_carats"] == "80.00"
    assert year["trade"]["exports_usd_per_carat"] is None
    csv_rows = read_csv(api_client.get("/api/v1/public/statistics/participants/ZAF/?format=csv"))
    assert csv_rows[0][:3] == ["year", "release", "production_carats"]
    assert csv_rows[1][:3] == ["2023", "1", "300.00"]


# Files ------------------------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"))))


def test_production_csv_has_the_json_columns_and_no_total_row(api_client, planted) -> None:
    response = api_client.get(PRODUCTION, {"year": 2023, "format": "csv"})
    assert response.status_code == 200
    assert 'filename="kpcs-production-2023-release-1.csv"' in response["Content-Disposition"]
    assert read_csv(response) == [
        ["participant", "carats", "value_usd", "usd_per_carat"],
        ["BWA", "200.00", "2001.00", "10.01"],
        ["ZAF", "300.00", "4500.00", "15.00"],
    ]


def test_trade_csv_leaves_dollars_per_carat_empty_without_carats(api_client, planted) -> None:
    rows = read_csv(api_client.get(TRADE, {"year": 2023, "format": "csv"}))
    assert rows[0] == [
        "participant",
        "imports_carats",
        "imports_value_usd",
        "imports_usd_per_carat",
        "import_certificates",
        "exports_carats",
        "exports_value_usd",
        "exports_usd_per_carat",
        "export_certificates",
    ]
    assert rows[2] == ["ZAF", "80.00", "1200.00", "15.00", "3", "0.00", "0.00", "", "0"]
    assert len(rows) == 3


def open_xlsx(response) -> openpyxl.Workbook:
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return openpyxl.load_workbook(io.BytesIO(response.content))


def test_production_xlsx_has_numbers_a_total_row_and_the_release(api_client, planted) -> None:
    response = api_client.get(PRODUCTION, {"year": 2023, "format": "xlsx"})
    assert response.status_code == 200
    workbook = open_xlsx(response)
    figures, release = workbook.worksheets
    rows = [list(row) for row in figures.iter_rows(values_only=True)]
    assert rows[0] == ["participant", "carats", "value_usd", "usd_per_carat"]
    assert rows[1] == ["BWA", 200, 2001, pytest.approx(10.01)]
    assert rows[3][0] == "World total"
    assert rows[3][1:3] == [500, 6501]
    assert figures.cell(row=4, column=1).font.b
    about = dict(release.iter_rows(min_row=2, values_only=True))
    assert about["Release"] == 1
    assert about["What changed"] == "First release."
    assert about["Source"] == (
        "http://testserver/api/v1/public/statistics/production/?year=2023&release=1&format=xlsx"
    )


def test_trade_xlsx_has_the_same_columns_as_the_json(api_client, planted) -> None:
    workbook = open_xlsx(api_client.get(TRADE, {"year": 2023, "format": "xlsx"}))
    rows = [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    assert rows[0][1:] == list(api_client.get(TRADE, {"year": 2023}).json()["rows"][0].keys())[1:]
    assert rows[2][:5] == ["ZAF", 80, 1200, 15, 3]
    assert rows[2][7] is None


def test_text_cells_that_look_like_formulas_are_neutralised(api_client, planted) -> None:
    release_publish(year=2023, note='=HYPERLINK("http://evil.example","click")')
    rows = read_csv(api_client.get(RELEASES, {"format": "csv"}))
    assert rows[1][3] == '\'=HYPERLINK("http://evil.example","click")'
    workbook = open_xlsx(api_client.get(PRODUCTION, {"year": 2023, "format": "xlsx"}))
    about = dict(workbook.worksheets[1].iter_rows(min_row=2, values_only=True))
    assert about["What changed"] == '\'=HYPERLINK("http://evil.example","click")'
    workbook = open_xlsx(api_client.get(RELEASES, {"format": "xlsx"}))
    assert workbook.worksheets[0].cell(row=2, column=4).value.startswith("'=")


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_neutralise_prefixes_every_formula_trigger(text) -> None:
    from kpcs.statistics.exports import neutralise

    assert neutralise(text) == "'" + text
    assert neutralise("Botswana") == "Botswana"


# Releases ---------------------------------------------------------------------------------------


def test_an_earlier_release_stays_readable_after_a_revision(api_client, planted) -> None:
    # A late submission arrives and is published as release 2.
    production(participant("NAM", "Namibia"), Period.YEAR, "100.00", "5000.00")
    release_publish(year=2023, note="Namibia added.")
    latest = api_client.get(PRODUCTION, {"year": 2023}).json()
    earlier = api_client.get(PRODUCTION, {"year": 2023, "release": 1}).json()
    assert latest["release"]["number"] == 2
    assert latest["release"]["note"] == "Namibia added."
    assert [r["participant"] for r in latest["rows"]] == ["BWA", "NAM", "ZAF"]
    assert earlier["release"]["number"] == 1
    assert [r["participant"] for r in earlier["rows"]] == ["BWA", "ZAF"]
    assert earlier["total"]["carats"] == "500.00"
    csv_rows = read_csv(api_client.get(PRODUCTION, {"year": 2023, "release": 1, "format": "csv"}))
    assert len(csv_rows) == 3


# Bad input ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [PRODUCTION, TRADE])
@pytest.mark.parametrize(
    ("query", "parameter", "message"),
    [
        ({}, "year", "Give the year"),
        ({"year": "abc"}, "year", "“abc” is not a year"),
        ({"year": "1800"}, "year", "no KP statistics before 2000"),
        ({"year": "3000"}, "year", "not plausible"),
        ({"year": "2023", "format": "pdf"}, "format", "“pdf” is not a format"),
        ({"year": "2023", "release": "0"}, "release", "numbered from 1"),
        ({"year": "2023", "release": "abc"}, "release", "“abc” is not a release number"),
        ({"year": "2023", "release": "-1"}, "release", "is not a release number"),
    ],
)
def test_bad_parameters_are_a_400_naming_the_parameter(
    api_client, planted, url, query, parameter, message
) -> None:
    response = api_client.get(url, query)
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400
    assert body["code"] == "invalid"
    assert parameter in body["detail"]
    assert message in body["errors"][parameter][0]


def test_bad_year_on_the_release_list_is_a_400(api_client) -> None:
    response = api_client.get(RELEASES, {"year": "twenty"})
    assert response.status_code == 400
    assert "year" in response.json()["errors"]


@pytest.mark.parametrize("url", [PRODUCTION, TRADE])
def test_a_year_without_a_release_is_a_404_saying_nothing_was_published(
    api_client, planted, url
) -> None:
    response = api_client.get(url, {"year": 2019})
    assert response.status_code == 404
    assert response.json() == {
        "status": 404,
        "code": "not_found",
        "detail": "No statistics have been published for 2019.",
    }


def test_a_release_that_does_not_exist_is_a_404_naming_the_latest(api_client, planted) -> None:
    response = api_client.get(PRODUCTION, {"year": 2023, "release": 99})
    assert response.status_code == 404
    assert "no release 99" in response.json()["detail"]
    assert "latest is release 1" in response.json()["detail"]


def test_an_unknown_participant_is_a_404(api_client) -> None:
    response = api_client.get("/api/v1/public/statistics/participants/QQQ/")
    assert response.status_code == 404
    assert "QQQ" in response.json()["detail"]


# Deny: nothing unreleased ---------------------------------------------------------------------


def test_accepted_figures_are_not_public_until_released(api_client) -> None:
    bwa = participant("BWA", "Botswana")
    production(bwa, Period.H1, "10.00", "100.00")
    response = api_client.get(PRODUCTION, {"year": 2023})
    assert response.status_code == 404
    assert api_client.get(RELEASES).json() == []
    assert api_client.get("/api/v1/public/statistics/participants/BWA/").json()["years"] == []


def test_figures_accepted_after_a_release_wait_for_the_next_release(api_client, planted) -> None:
    # Botswana's Q4 exports and a new participant's production arrive after release 1.
    trade(planted["bwa"], Period.Q4, Flow.EXPORT, planted["zaf"], "999.00", "999.00", 9)
    production(participant("NAM", "Namibia"), Period.H1, "777.00", "7777.00")
    for url in (PRODUCTION, TRADE):
        body = api_client.get(url, {"year": 2023}).content.decode()
        # Figures as the API writes them (a bare "777" can turn up in a timestamp).
        assert '"NAM"' not in body and '"999.00"' not in body and '"777.00"' not in body
    history = api_client.get("/api/v1/public/statistics/participants/NAM/").json()
    assert history["years"] == []


@pytest.mark.parametrize(
    "status",
    [Submission.Status.DRAFT, Submission.Status.SUBMITTED, Submission.Status.QUERIED],
)
def test_unaccepted_figures_never_reach_the_api_even_after_a_release(
    api_client, planted, status
) -> None:
    nam = participant("NAM", "Namibia")
    production(nam, Period.H1, "777.00", "7777.00", status=status)
    trade(nam, Period.Q1, Flow.EXPORT, planted["bwa"], "888.00", "8888.00", 8, status=status)
    release_publish(year=2023, note="Second release.")
    for url in (PRODUCTION, TRADE):
        for fmt in ("json", "csv", "xlsx"):
            response = api_client.get(url, {"year": 2023, "format": fmt})
            assert response.status_code == 200
            assert b"NAM" not in response.content
    json_body = api_client.get(TRADE, {"year": 2023}).json()
    assert json_body["total"]["exports_carats"] == "80.00"
    assert api_client.get("/api/v1/public/statistics/participants/NAM/").json()["years"] == []


# Query counts -----------------------------------------------------------------------------------


def plant_participants(count: int, *, year: int = 2024) -> None:
    partner = ParticipantFactory()
    for _index in range(count):
        who = ParticipantFactory()
        production(who, Period.H1, "10.00", "100.00", year=year)
        trade(who, Period.Q1, Flow.EXPORT, partner, "5.00", "50.00", 1, year=year)
        trade(who, Period.Q1, Flow.IMPORT, partner, "1.00", "10.00", 1, year=year)
    release_publish(year=year)


@pytest.mark.parametrize("url", [PRODUCTION, TRADE])
@pytest.mark.parametrize("count", [2, 12])
def test_api_query_count_does_not_grow_with_participants(
    api_client, django_assert_max_num_queries, url, count
) -> None:
    plant_participants(count)
    # The release, then the rows with the participants' codes.
    with django_assert_max_num_queries(2):
        response = api_client.get(url, {"year": 2024})
    assert len(response.json()["rows"]) == count


def test_release_list_query_count_does_not_grow_with_releases(
    api_client, django_assert_max_num_queries
) -> None:
    for year in (2020, 2021, 2022):
        _something_accepted(year)
        release_publish(year=year)
        release_publish(year=year, note="again")
    with django_assert_max_num_queries(2):
        assert len(api_client.get(RELEASES).json()) == 6


def _something_accepted(year: int) -> None:
    """An accepted production figure, so that the year has something to publish."""
    from kpcs.statistics.models import Submission as _Submission
    from kpcs.statistics.tests.factories import ProductionRecordFactory

    ProductionRecordFactory(submission__year=year, submission__status=_Submission.Status.ACCEPTED)
