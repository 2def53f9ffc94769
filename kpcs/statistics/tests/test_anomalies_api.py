"""GET /api/v1/statistics/anomalies/: the secretariat's list of a year's anomalies."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kpcs.accounts.tests.factories import UserFactory, machine_api_client
from kpcs.statistics.anomalies import anomaly_analysis_run
from kpcs.statistics.models import Anomaly
from kpcs.statistics.tests.test_anomalies import participant, production, trade

pytestmark = pytest.mark.django_db

URL = "/api/v1/statistics/anomalies/"
FIELDS = {"participant", "partner", "rule", "severity", "period", "message"}


@pytest.fixture
def planted():
    """A mirror gap BWA → ZAF in Q1 2023 and a supply gap of CIV; XCT and XCP are clean."""
    bwa, zaf, civ = participant("BWA"), participant("ZAF"), participant("CIV")
    xct, xcp = participant("XCT"), participant("XCP")
    trade(bwa, "export", zaf, 20_000, 3_000_000)
    trade(zaf, "import", bwa, 12_000, 1_800_000)
    production(civ, 50_000, 7_500_000)
    trade(civ, "export", zaf, 100_000, 15_000_000)
    trade(zaf, "import", civ, 100_000, 15_000_000)
    production(xct, 60_000, 9_000_000)
    trade(xct, "export", xcp, 10_000, 1_500_000)
    trade(xcp, "import", xct, 10_000, 1_500_000)
    return bwa, zaf, civ


@pytest.fixture
def secretariat_client(api_client, secretariat_user):
    # The secretariat has no machine key: it calls as a person logged in through the site.
    api_client.force_authenticate(secretariat_user)
    return api_client


def test_secretariat_token_sees_the_years_anomalies_in_the_documented_shape(
    secretariat_client, planted
) -> None:
    response = secretariat_client.get(URL, {"year": 2023})

    assert response.status_code == 200
    results = response.json()["results"]
    assert results
    for result in results:
        assert FIELDS | {"id", "status", "figures"} <= set(result)
    summary = {(r["participant"], r["partner"], r["rule"], r["period"]) for r in results}
    assert summary == {
        ("BWA", "ZAF", "mirror_discrepancy", "Q1"),
        ("BWA", "ZAF", "mirror_discrepancy", "Y"),
        ("BWA", None, "supply_gap", "Y"),
        ("CIV", None, "supply_gap", "Y"),
    }
    quarter = next(r for r in results if r["period"] == "Q1")
    assert quarter["severity"] == "high"
    assert quarter["status"] == "open"
    assert quarter["message"].startswith("In Q1 2023, BWA reported exports to ZAF of 20,000.00")
    assert quarter["figures"]["gap_carats"] == "8000.00"
    assert not [r for r in results if "XCT" in (r["participant"], r["partner"])]


def test_a_session_works_as_well_as_a_token(api_client, secretariat_user, planted) -> None:
    api_client.force_login(secretariat_user)

    response = api_client.get(URL, {"year": 2023})

    assert response.status_code == 200
    assert len(response.json()["results"]) == 4


def test_a_year_never_analysed_is_analysed_before_the_answer(secretariat_client, planted) -> None:
    assert not Anomaly.objects.exists()

    response = secretariat_client.get(URL, {"year": 2023})

    assert response.json()["count"] == 4
    assert Anomaly.objects.filter(year=2023).count() == 4


def test_the_list_can_be_filtered_by_rule_participant_and_severity(
    secretariat_client, planted
) -> None:
    def listed(**params: object) -> set[tuple[str, str, str]]:
        response = secretariat_client.get(URL, {"year": 2023, **params})
        assert response.status_code == 200
        return {(r["participant"], r["rule"], r["period"]) for r in response.json()["results"]}

    assert listed(rule="supply_gap") == {("BWA", "supply_gap", "Y"), ("CIV", "supply_gap", "Y")}
    assert listed(participant="civ") == {("CIV", "supply_gap", "Y")}
    assert listed(participant="BWA", rule="mirror_discrepancy") == {
        ("BWA", "mirror_discrepancy", "Q1"),
        ("BWA", "mirror_discrepancy", "Y"),
    }
    assert listed(severity="low") == set()
    assert listed(year=2022) == set()


def test_anomalies_no_longer_present_are_not_listed(secretariat_client, planted) -> None:
    bwa, zaf, _civ = planted
    anomaly_analysis_run(year=2023)
    record = zaf.submissions.get(year=2023, period="Q1").trade_records.get(partner=bwa)
    record.carats, record.value_usd = Decimal("20000"), Decimal("3000000")
    record.save()
    anomaly_analysis_run(year=2023)

    response = secretariat_client.get(URL, {"year": 2023, "rule": "mirror_discrepancy"})

    assert response.json()["results"] == []
    assert Anomaly.objects.filter(rule="mirror_discrepancy", still_present=False).count() == 2


def test_anonymous_clients_are_asked_to_authenticate(api_client, planted) -> None:
    response = api_client.get(URL, {"year": 2023})

    assert response.status_code == 401
    assert response.json()["status"] == 401
    assert not Anomaly.objects.exists()  # nothing was run for them


@pytest.mark.parametrize("role", ["authority", "reviewer", "observer"])
def test_other_roles_are_refused(api_client, planted, role) -> None:
    if role == "authority":  # a participant's system, with its API client key
        api_client = machine_api_client()
    else:
        api_client.force_authenticate(UserFactory(role=role))

    response = api_client.get(URL, {"year": 2023})

    assert response.status_code == 403
    body = response.json()
    assert (body["status"], body["code"]) == (403, "permission_denied")
    assert "results" not in body


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({}, "year"),
        ({"year": "abc"}, "year"),
        ({"year": "1999"}, "year"),
        ({"year": "2023", "rule": "foo"}, "rule"),
        ({"year": "2023", "severity": "urgent"}, "severity"),
        ({"year": "2023", "participant": "QQQ"}, "participant"),
        ({"year": "2023", "participant": "BOTSWANA"}, "participant"),
    ],
)
def test_bad_parameters_are_refused_naming_the_parameter(
    secretariat_client, params, parameter
) -> None:
    response = secretariat_client.get(URL, params)

    assert response.status_code == 400
    body = response.json()
    assert (body["status"], body["code"]) == (400, "invalid")
    assert list(body["errors"]) == [parameter]
    assert parameter in body["detail"]
    assert not Anomaly.objects.exists()
