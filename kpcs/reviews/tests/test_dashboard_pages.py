"""The secretariat's peer-review dashboards: visits by round and status (linking to the filtered
visit list), participants never visited and not visited for N years (N validated), open and
overdue recommendations per participant with a CSV download whose cells cannot run as
formulas; every other role is refused."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from kpcs.accounts.tests.factories import UserFactory
from kpcs.participants.models import Participant, StatusEvent
from kpcs.participants.tests.factories import ParticipantFactory, WorkingBodyFactory
from kpcs.reviews.models import Recommendation, ReviewVisit
from kpcs.reviews.selectors.dashboard import (
    participants_never_visited,
    participants_not_visited_since,
    years_before,
)
from kpcs.reviews.tests.factories import RecommendationFactory, ReviewVisitFactory
from kpcs.reviews.tests.factories_followup import visit_world

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("review_dashboard:dashboard")
OPEN = reverse("review_dashboard:recommendations")
CSV = reverse("review_dashboard:recommendations-csv")
Status = ReviewVisit.Status


@pytest.fixture
def secretariat(client):
    user = UserFactory(role="secretariat")
    client.force_login(user)
    return user


def _adopted(**kwargs):
    return {
        "adopted_on": dt.date(2009, 3, 1),
        "adopted_by": WorkingBodyFactory(code="WGM"),
        **kwargs,
    }


def _visit(participant, status=Status.INVITED, round_=2, **kwargs):
    values = {"participant": participant, "status": status, "round": round_}
    if status in (Status.ADOPTED, Status.PUBLISHED, Status.RESTRICTED):
        values.update(_adopted())
    if status == Status.PUBLISHED:
        values["published_on"] = dt.date(2009, 6, 1)
    return ReviewVisitFactory(**{**values, **kwargs})


# --- Access --------------------------------------------------------------------------------------


@pytest.mark.parametrize("address", [DASHBOARD, OPEN, CSV])
@pytest.mark.parametrize("role", ["authority", "reviewer", "observer"])
def test_other_roles_get_403(client, address, role):
    client.force_login(UserFactory(role=role))
    assert client.get(address).status_code == 403


@pytest.mark.parametrize("address", [DASHBOARD, OPEN, CSV])
def test_anonymous_visitors_log_in(client, address):
    response = client.get(address)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_team_lead_is_refused_the_dashboard(client):
    world = visit_world()
    client.force_login(world.lead)
    assert client.get(DASHBOARD).status_code == 403


# --- Visits by round and status ------------------------------------------------------------------


def test_visits_are_counted_by_round_and_status(client, secretariat):
    a, b, c = ParticipantFactory(), ParticipantFactory(), ParticipantFactory()
    _visit(
        a,
        Status.PUBLISHED,
        round_=1,
        invited_on=dt.date(2008, 1, 1),
        planned_start=None,
        planned_end=None,
    )
    _visit(
        b,
        Status.PUBLISHED,
        round_=1,
        invited_on=dt.date(2008, 1, 1),
        planned_start=None,
        planned_end=None,
    )
    _visit(a, Status.DRAFT_REPORT, round_=2)
    _visit(c, Status.INVITED, round_=2)
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    table = response.context["table"]
    cells = {(row.round, status): n for row in table.rows for status, n in row.counts}
    assert cells[(1, "published")] == 2
    assert cells[(2, "draft_report")] == 1 and cells[(2, "invited")] == 1
    assert cells[(1, "invited")] == 0
    assert [row.total for row in table.rows] == [2, 2]
    assert table.total == 4
    page = response.content.decode()
    visit_list = reverse("reviews:list")
    assert f'href="{visit_list}?round=1&amp;status=published"' in page
    assert f'href="{visit_list}?round=2&amp;status=draft_report"' in page


def test_no_visits_shows_an_empty_table_message(client, secretariat):
    assert "No review visits have been recorded yet." in client.get(DASHBOARD).content.decode()


# --- Never visited, not visited for N years ----------------------------------------------------


def test_who_counts_as_visited():
    today = dt.date(2026, 11, 23)
    done = ParticipantFactory(code="XDN")
    _visit(
        done, Status.DRAFT_REPORT, actual_start=dt.date(2026, 5, 4), actual_end=dt.date(2026, 5, 8)
    )
    status_only = ParticipantFactory(code="XSO")
    _visit(status_only, Status.VISIT_DONE)
    mission = ParticipantFactory(code="XMI")
    _visit(mission, Status.VISIT_DONE, kind=ReviewVisit.Kind.REVIEW_MISSION, invited_on=None)
    invited_only = ParticipantFactory(code="XIN")
    _visit(invited_only, Status.SCHEDULED)
    expert_only = ParticipantFactory(code="XEX")
    _visit(
        expert_only,
        Status.VISIT_DONE,
        kind=ReviewVisit.Kind.EXPERT_MISSION,
        actual_start=dt.date(2026, 5, 4),
        actual_end=dt.date(2026, 5, 8),
    )
    never = ParticipantFactory(code="XNV")
    removed = ParticipantFactory(code="XRM")
    StatusEvent.objects.create(participant=removed, date=dt.date(2010, 1, 1), event="removed")
    ParticipantFactory(code="XTE", kind=Participant.Kind.TRADING_ENTITY)
    codes = list(participants_never_visited(today=today).values_list("code", flat=True))
    assert codes == sorted([invited_only.code, expert_only.code, never.code])


def test_not_visited_for_n_years_lists_those_visited_long_ago():
    today = dt.date(2026, 11, 23)
    old = ParticipantFactory(code="XOL")
    _visit(
        old,
        Status.PUBLISHED,
        round_=1,
        invited_on=dt.date(2008, 1, 10),
        planned_start=dt.date(2008, 5, 1),
        planned_end=dt.date(2008, 5, 5),
        actual_start=dt.date(2008, 5, 1),
        actual_end=dt.date(2008, 5, 5),
    )
    recent_too = ParticipantFactory(code="XRC")
    _visit(
        recent_too,
        Status.PUBLISHED,
        round_=1,
        invited_on=dt.date(2008, 1, 10),
        planned_start=None,
        planned_end=None,
        actual_start=dt.date(2008, 5, 1),
        actual_end=dt.date(2008, 5, 5),
    )
    _visit(
        recent_too,
        Status.FINAL_REPORT,
        actual_start=dt.date(2024, 3, 1),
        actual_end=dt.date(2024, 3, 5),
    )
    ParticipantFactory(code="XNV")  # never visited: another list

    five = participants_not_visited_since(years=5, today=today)
    assert [(p.code, p.last_visited_on) for p in five] == [("XOL", dt.date(2008, 5, 5))]
    assert not participants_not_visited_since(years=20, today=today).exists()
    assert [p.code for p in participants_not_visited_since(years=1, today=today)] == ["XOL", "XRC"]


def test_years_before_handles_29_february():
    assert years_before(dt.date(2028, 2, 29), 5) == dt.date(2023, 2, 28)
    assert years_before(dt.date(2026, 11, 23), 5) == dt.date(2021, 11, 23)


def test_dashboard_shows_never_and_long_ago_visited(client, secretariat):
    never = ParticipantFactory(name="Never Visited Land")
    old = ParticipantFactory(name="Long Ago Land")
    long_ago = timezone.localdate() - dt.timedelta(days=365 * 7)
    _visit(
        old,
        Status.VISIT_DONE,
        invited_on=long_ago,
        planned_start=None,
        planned_end=None,
        actual_start=long_ago,
        actual_end=long_ago,
    )
    page = client.get(DASHBOARD).content.decode()
    assert "Never Visited Land" in page and never.code in page
    assert "Not visited for more than 5 years" in page
    assert "Long Ago Land" in page
    page = client.get(DASHBOARD, {"years": "10"}).content.decode()
    assert "Not visited for more than 10 years" in page
    assert "Long Ago Land" not in page.split("not-visited-heading")[1]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "whole number"),
        ("0", "at least 1"),
        ("51", "at most 50"),
        ("2.5", "whole number"),
    ],
)
def test_bad_number_of_years_is_400_with_a_message(client, secretariat, value, message):
    response = client.get(DASHBOARD, {"years": value})
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert response.context["not_visited"] is None


# --- Open and overdue recommendations ------------------------------------------------------------


def _recommendations():
    today = timezone.localdate()
    a = ParticipantFactory(code="XAB", name="Alpha")
    b = ParticipantFactory(code="XBC", name="Beta")
    visit_a = _visit(a, Status.FINAL_REPORT)
    visit_b = _visit(b, Status.DRAFT_REPORT)
    late = today - dt.timedelta(days=3)
    soon = today + dt.timedelta(days=10)
    RecommendationFactory(visit=visit_a, number=1, due_on=late)
    RecommendationFactory(visit=visit_a, number=2, due_on=late, status="answered")
    RecommendationFactory(visit=visit_a, number=3, due_on=soon)
    RecommendationFactory(visit=visit_a, number=4, due_on=late, status="implemented")
    RecommendationFactory(
        visit=visit_b,
        number=1,
        due_on=soon,
        owner='=HYPERLINK("http://evil")',
        text="+SUM(A1)",
    )
    RecommendationFactory(visit=visit_b, number=2, due_on=soon, owner="@cmd", text="-1 and more")
    return a, b


def test_open_and_overdue_recommendations_per_participant(client, secretariat):
    _recommendations()
    response = client.get(OPEN)
    assert response.status_code == 200
    rows = {
        p.code: (p.open_count, p.overdue_count, p.answered_count)
        for p in response.context["by_participant"]
    }
    assert rows == {"XAB": (3, 2, 1), "XBC": (2, 0, 0)}
    assert response.context["by_participant"][0].code == "XAB"  # the most overdue first
    listed = [(r.visit.participant.code, r.number, r.is_overdue) for r in response.context["page"]]
    assert len(listed) == 5 and ("XAB", 4, True) not in listed
    assert response.content.decode().count('class="row-late"') >= 3  # 1 participant + 2 rows


def test_dashboard_summarises_recommendations_per_participant(client, secretariat):
    _recommendations()
    response = client.get(DASHBOARD)
    assert [p.code for p in response.context["by_participant"]] == ["XAB", "XBC"]


def test_filters_by_participant_and_overdue(client, secretariat):
    _recommendations()
    response = client.get(OPEN, {"participant": "XAB", "overdue": "on"})
    listed = [(r.visit.participant.code, r.number) for r in response.context["page"]]
    assert listed == [("XAB", 1), ("XAB", 2)]


def test_unknown_participant_filter_is_400(client, secretariat):
    _recommendations()
    response = client.get(OPEN, {"participant": "ZZZ"})
    assert response.status_code == 400
    assert "not a participant with recommendations" in response.content.decode()
    assert client.get(CSV, {"participant": "ZZZ"}).status_code == 400


def _csv_rows(response):
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_csv_lists_open_recommendations_and_neutralises_formulas(client, secretariat):
    _recommendations()
    response = client.get(CSV)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv_rows(response)
    header, body = rows[0], rows[1:]
    assert header[0] == "participant" and header[-1] == "text"
    assert len(body) == 5
    beta = [row for row in body if row[0] == "XBC"]
    cells = {cell for row in beta for cell in row}
    assert '\'=HYPERLINK("http://evil")' in cells
    assert "'+SUM(A1)" in cells and "'@cmd" in cells and "'-1 and more" in cells
    assert not any(cell[:1] in "=+-@" for row in body for cell in row if cell)
    overdue = next(row for row in body if row[0] == "XAB" and row[4] == "1")
    assert overdue[10] == "yes"


def test_csv_follows_the_filters(client, secretariat):
    _recommendations()
    rows = _csv_rows(client.get(CSV, {"participant": "XBC"}))
    assert {row[0] for row in rows[1:]} == {"XBC"}


def test_recommendations_page_links_to_the_csv_with_its_filters(client, secretariat):
    _recommendations()
    page = client.get(OPEN, {"participant": "XAB"}).content.decode()
    assert f"{CSV}?participant=XAB" in page


def test_implemented_recommendations_are_not_open(client, secretariat):
    participant = ParticipantFactory()
    visit = _visit(participant, Status.FINAL_REPORT)
    RecommendationFactory(visit=visit, status=Recommendation.Status.IMPLEMENTED)
    response = client.get(OPEN)
    assert list(response.context["by_participant"]) == []
    assert "No open recommendations." in response.content.decode()
