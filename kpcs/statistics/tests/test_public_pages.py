"""The public statistics pages: released figures in every language, charts with a text
alternative, links to the data, clear errors, and nothing unreleased."""

from __future__ import annotations

import re

import pytest

from kpcs.participants.models import Participant
from kpcs.participants.tests.factories import ParticipantFactory
from kpcs.statistics.models import Flow, Period, Submission
from kpcs.statistics.publication import release_publish
from kpcs.statistics.tests import test_public_api
from kpcs.statistics.tests.test_public_api import participant, plant_participants, production, trade

pytestmark = pytest.mark.django_db

SUMMARY = "/en/statistics/"
planted = test_public_api.planted  # the same planted data set as the API tests


def html_of(response) -> str:
    return response.content.decode()


# The summary ------------------------------------------------------------------------------------


@pytest.mark.usefixtures("planted")
def test_summary_shows_the_latest_year_with_totals_and_dollars_per_carat(client) -> None:
    response = client.get(SUMMARY)
    assert response.status_code == 200
    html = html_of(response)
    assert "Rough-diamond statistics 2023" in html
    for figure in ("200.00", "2,001.00", "10.01", "4,500.00", "15.00"):
        assert figure in html
    # World totals: production, imports (17.04 $/ct) and exports, and the certificates.
    for figure in ("500.00", "6,501.00", "13.00", "1,533.33", "17.04", "1,200.00"):
        assert figure in html
    assert "Botswana" in html and "South Africa" in html
    assert "Release 1 of the 2023 statistics" in html
    assert "First release." in html


def test_summary_names_participants_in_the_readers_language_or_else_in_english(
    client, planted
) -> None:
    Participant.objects.filter(pk=planted["bwa"].pk).update(name_fr="Botswana (en français)")
    french = html_of(client.get("/fr/statistics/"))
    # In the production table, the trade table and the chart.
    assert french.count("Botswana (en français)") >= 3
    assert "South Africa" in french  # no French name given: the English one
    assert "Botswana (en français)" not in html_of(client.get(SUMMARY))


@pytest.mark.usefixtures("planted")
def test_summary_links_to_the_same_data_as_csv_json_and_xlsx(client) -> None:
    html = html_of(client.get(SUMMARY))
    for dataset in ("production", "trade"):
        for fmt in ("csv", "json", "xlsx"):
            url = f"/api/v1/public/statistics/{dataset}/?year=2023&amp;release=1&amp;format={fmt}"
            assert url in html
    assert 'href="/en/statistics/?year=2023&amp;release=1"' in html


@pytest.mark.usefixtures("planted")
def test_summary_in_arabic_is_right_to_left_with_arabic_number_format(client) -> None:
    response = client.get("/ar/statistics/")
    html = html_of(response)
    assert response.status_code == 200
    assert 'dir="rtl"' in html and 'lang="ar"' in html
    # Arabic (Django's formats): a comma for decimals and no grouping.
    assert "2001,00" in html and "10,01" in html and "6501,00" in html


@pytest.mark.usefixtures("planted")
@pytest.mark.parametrize(
    ("lang", "figure"),
    [
        ("en", "6,501.00"),
        ("fr", "6\xa0501,00"),
        ("es", "6\xa0501,00"),
        ("ru", "6\xa0501,00"),
        ("zh-hans", "6501.00"),
        ("ar", "6501,00"),
    ],
)
def test_summary_speaks_each_un_language(client, lang, figure) -> None:
    response = client.get(f"/{lang}/statistics/")
    assert response.status_code == 200
    assert f'lang="{lang}"' in html_of(response)
    assert figure in html_of(response)


@pytest.mark.usefixtures("planted")
def test_summary_draws_the_top_producers_with_a_text_alternative(client) -> None:
    html = html_of(client.get(SUMMARY))
    found = re.search(r"<svg class=\"chart-svg\".*?</svg>", html, re.S)
    assert found is not None
    svg = found.group(0)
    assert 'role="img"' in svg
    assert 'aria-labelledby="top-producers-title top-producers-desc"' in svg
    assert '<title id="top-producers-title">The 2 largest producers' in svg
    assert '<desc id="top-producers-desc">' in svg
    # Largest first: South Africa (300 ct) before Botswana (200 ct), with their figures.
    assert svg.index(">ZAF<") < svg.index(">BWA<")
    assert "South Africa (ZAF): 300.00 carats" in svg
    # Geometry is never localised (a French comma would break the SVG).
    french = html_of(client.get("/fr/statistics/"))
    assert re.search(r'<rect x="[\d.]+" y="[\d.]+" width="[\d.]+"', french)


@pytest.mark.usefixtures("planted")
def test_pages_have_no_inline_scripts_or_style_attributes(client) -> None:
    for url in (
        SUMMARY,
        "/ar/statistics/",
        "/en/statistics/participants/BWA/",
        "/en/statistics/releases/",
    ):
        html = html_of(client.get(url))
        assert " style=" not in html and "<style" not in html
        assert not re.search(r"<script(?![^>]*\bsrc=)", html)


def test_summary_defaults_to_the_latest_year_and_any_published_year_can_be_chosen(client) -> None:
    bwa = participant("BWA", "Botswana")
    production(bwa, Period.H1, "111.00", "1110.00", year=2022)
    release_publish(year=2022)
    production(bwa, Period.H1, "222.00", "2220.00", year=2023)
    release_publish(year=2023)
    html = html_of(client.get(SUMMARY))
    assert "222.00" in html and "111.00" not in html
    assert '<option value="2022">2022</option>' in html
    html = html_of(client.get(SUMMARY, {"year": 2022}))
    assert "Rough-diamond statistics 2022" in html
    assert "111.00" in html and "222.00" not in html


def test_an_earlier_release_is_shown_as_superseded_with_a_link_to_the_latest(
    client, planted
) -> None:
    production(participant("NAM", "Namibia"), Period.YEAR, "100.00", "5000.00")
    release_publish(year=2023, note="Namibia added.")
    latest = html_of(client.get(SUMMARY, {"year": 2023}))
    assert "Namibia" in latest and "Namibia added." in latest and ">latest<" in latest
    earlier = html_of(client.get(SUMMARY, {"year": 2023, "release": 1}))
    assert "Namibia" not in earlier
    assert "First release." in earlier
    assert "superseded" in earlier
    assert "Release 2 replaces them" in earlier
    assert 'href="?year=2023"' in earlier


def test_nothing_published_yet_is_an_empty_state(client) -> None:
    production(participant("BWA", "Botswana"), Period.H1, "100.00", "1000.00")
    response = client.get(SUMMARY)
    assert response.status_code == 200
    assert "No statistics have been published yet." in html_of(response)
    assert "Botswana" not in html_of(response)


@pytest.mark.usefixtures("planted")
@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ({"year": "abc"}, 400, "“abc” is not a year"),
        ({"year": "1800"}, 400, "between 2000 and 2100"),
        ({"year": "2023", "release": "abc"}, 400, "“abc” is not a release number"),
        ({"year": "2023", "release": "0"}, 400, "numbered from 1"),
        ({"year": "2019"}, 404, "No statistics have been published for 2019."),
        ({"year": "2023", "release": "99"}, 404, "There is no release 99 of the 2023 statistics"),
        ({"release": "99"}, 404, "There is no release 99"),
    ],
)
def test_bad_query_values_answer_with_a_clear_message(client, query, status, message) -> None:
    response = client.get(SUMMARY, query)
    assert response.status_code == status
    assert message in html_of(response)


# Deny: nothing unreleased ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "status",
    [
        Submission.Status.DRAFT,
        Submission.Status.SUBMITTED,
        Submission.Status.QUERIED,
        Submission.Status.ACCEPTED,
    ],
)
def test_unreleased_figures_never_appear_on_the_pages(client, planted, status) -> None:
    nam = participant("NAM", "Namibia")
    production(nam, Period.H1, "777.00", "7777.00", status=status)
    trade(nam, Period.Q1, Flow.EXPORT, planted["bwa"], "888.00", "8888.00", 8, status=status)
    if status != Submission.Status.ACCEPTED:
        # Published later, yet never accepted: still not in the release.
        release_publish(year=2023)
    for url in (SUMMARY, "/en/statistics/participants/NAM/"):
        html = html_of(client.get(url))
        # As the figures would be shown (a bare "777" can turn up in a random token).
        for figure in ("777.00", "7,777.00", "888.00", "8,888.00"):
            assert figure not in html
    assert "No statistics of Namibia have been published yet." in html_of(
        client.get("/en/statistics/participants/NAM/")
    )


# A participant's history ----------------------------------------------------------------------


def test_participant_page_shows_each_year_from_its_latest_release_with_charts(client) -> None:
    bwa, zaf = participant("BWA", "Botswana"), participant("ZAF", "South Africa")
    production(bwa, Period.H1, "100.00", "1000.00", year=2022)
    release_publish(year=2022)
    production(bwa, Period.H1, "120.00", "1200.50", year=2023)
    trade(bwa, Period.Q1, Flow.EXPORT, zaf, "50.00", "1000.00", 2, year=2023)
    release_publish(year=2023)
    production(bwa, Period.H2, "80.00", "800.50", year=2023)
    release_publish(year=2023, note="Second half-year added.")

    response = client.get("/en/statistics/participants/bwa/")
    assert response.status_code == 200
    html = html_of(response)
    assert "Statistics of Botswana" in html
    assert "100.00" in html  # 2022
    assert "200.00" in html and "2,001.00" in html and "10.01" in html  # 2023, release 2
    assert "120.00" not in html  # 2023 release 1 is superseded
    assert "/en/statistics/?year=2023&amp;release=2" in html
    for chart in ("volume-chart", "value-chart"):
        assert f'<title id="{chart}-title">' in html
        assert f'<desc id="{chart}-desc">' in html
    assert "one point per year from 2022 to 2023" in html
    assert "<polyline" in html
    for fmt in ("csv", "json", "xlsx"):
        assert f"/api/v1/public/statistics/participants/BWA/?format={fmt}" in html


def test_participant_page_in_arabic_is_right_to_left(client, planted) -> None:
    html = html_of(client.get("/ar/statistics/participants/BWA/"))
    assert 'dir="rtl"' in html
    assert "2001,00" in html


def test_participant_page_of_an_unknown_code_is_a_404(client) -> None:
    response = client.get("/en/statistics/participants/QQQ/")
    assert response.status_code == 404
    assert "No participant has the code “QQQ”." in html_of(response)


# Releases ---------------------------------------------------------------------------------------


def test_release_list_gives_every_release_with_downloads(client, planted) -> None:
    release_publish(year=2023, note="Revised.")
    response = client.get("/en/statistics/releases/")
    html = html_of(response)
    assert response.status_code == 200
    assert "Revised." in html and "First release." in html
    assert "2 releases" in html
    assert "/api/v1/public/statistics/trade/?year=2023&amp;release=1&amp;format=xlsx" in html
    assert "/en/statistics/?year=2023&amp;release=2" in html
    assert "/api/v1/public/statistics/releases/?format=csv" in html


def test_release_list_filters_by_year_and_rejects_a_bad_year(client, planted) -> None:
    _something_accepted(2022)
    release_publish(year=2022)
    html = html_of(client.get("/en/statistics/releases/", {"year": 2022}))
    assert "1 release" in html and "First release." not in html
    html = html_of(client.get("/en/statistics/releases/", {"year": 2019}))
    assert "No statistics have been published for 2019." in html
    response = client.get("/en/statistics/releases/", {"year": "twenty"})
    assert response.status_code == 400
    assert "“twenty” is not a year" in html_of(response)


def test_release_list_without_releases_is_an_empty_state(client) -> None:
    html = html_of(client.get("/en/statistics/releases/"))
    assert "No statistics have been published yet." in html


# Query counts -----------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [2, 12])
def test_summary_query_count_does_not_grow_with_participants(
    client, django_assert_max_num_queries, count
) -> None:
    plant_participants(count)
    with django_assert_max_num_queries(8):
        response = client.get(SUMMARY)
    assert response.status_code == 200


@pytest.mark.parametrize("years", [1, 4])
def test_participant_page_query_count_does_not_grow_with_years(
    client, django_assert_max_num_queries, years
) -> None:
    who = ParticipantFactory()
    partner = ParticipantFactory()
    for year in range(2020, 2020 + years):
        production(who, Period.H1, "10.00", "100.00", year=year)
        trade(who, Period.Q1, Flow.EXPORT, partner, "5.00", "50.00", 1, year=year)
        release_publish(year=year)
    with django_assert_max_num_queries(3):
        response = client.get(f"/en/statistics/participants/{who.code}/")
    assert response.status_code == 200


def _something_accepted(year: int) -> None:
    """An accepted production figure, so that the year has something to publish."""
    from kpcs.statistics.models import Submission as _Submission
    from kpcs.statistics.tests.factories import ProductionRecordFactory

    ProductionRecordFactory(submission__year=year, submission__status=_Submission.Status.ACCEPTED)
