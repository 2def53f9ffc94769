"""The meeting pages. Public: the list and a meeting's page (agenda, attendance and only the
documents the visitor may read); a working body's meeting for its members only. Secretariat:
the list, a new meeting, edit, the agenda and the attendance (403 for everyone else)."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from kpcs.participants.tests.factories import ObserverFactory, ParticipantFactory
from kpcs.plenary.models import Meeting
from kpcs.plenary.services import meetings as services
from kpcs.plenary.tests.factories import MeetingFactory
from kpcs.plenary.tests.factories_docs import docs_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return docs_world()


def as_user(client, user):
    if user is not None:
        client.force_login(user)
    return client


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_the_url_names_are_those_agreed(world):
    assert reverse("meetings:list") == "/en/meetings/"
    assert reverse("meetings:detail", args=["2026-plenary"]) == "/en/meetings/2026-plenary/"
    assert reverse("plenary:meetings") == "/en/plenary/meetings/"
    assert reverse("plenary:meeting-create") == "/en/plenary/meetings/new/"
    assert reverse("plenary:meeting", args=["2026-plenary"]) == "/en/plenary/meetings/2026-plenary/"
    assert reverse("plenary:meeting-edit", args=["2026-plenary"]).endswith("/edit/")


# --- Public pages ----------------------------------------------------------------------------


def test_a_meeting_page_shows_agenda_attendance_and_readable_documents(client, world):
    item = services.agenda_item_add(
        actor=world.secretariat,
        meeting=world.meeting,
        title="Statistics",
        documents=[world.public, world.participants, world.restricted, world.draft],
    )
    services.attendance_add(
        actor=world.secretariat,
        meeting=world.meeting,
        participant=world.member,
        delegates=3,
        head_of_delegation="Head <b>Minister</b>",
    )
    response = client.get(reverse("meetings:detail", args=[world.meeting.code]))
    assert response.status_code == 200
    body = response.content.decode()
    assert item.title_en in body
    assert world.member.name in body
    assert "Head &lt;b&gt;Minister&lt;/b&gt;" in body
    assert world.public.symbol in body
    for hidden in (world.participants, world.restricted, world.draft):
        assert hidden.symbol not in body
    agenda_documents = list(response.context["agenda"][0].documents.all())
    assert agenda_documents == [world.public]


def test_an_authority_sees_the_documents_for_participants(client, world):
    response = as_user(client, world.other_authority).get(
        reverse("meetings:detail", args=[world.meeting.code])
    )
    symbols = {d.symbol for d in response.context["documents"]}
    assert symbols == {world.public.symbol, world.participants.symbol, world.advance.symbol}


def test_a_working_body_meeting_is_for_its_members(client, world):
    world.body.open_to_observers = False
    world.body.save()
    meeting = MeetingFactory(
        code="wgx-2026", kind=Meeting.Kind.WORKING_BODY, working_body=world.body
    )
    url = reverse("meetings:detail", args=[meeting.code])
    assert client.get(url).status_code == 404
    assert as_user(client, world.other_authority).get(url).status_code == 404
    client.logout()
    assert as_user(client, world.member_authority).get(url).status_code == 200
    listed = client.get(reverse("meetings:list")).context["page"].object_list
    assert meeting in listed


def test_the_list_filters_and_names_a_bad_filter(client, world):
    MeetingFactory(code="2025-intersessional", kind=Meeting.Kind.INTERSESSIONAL)
    response = client.get(reverse("meetings:list"), {"kind": "intersessional"})
    assert [m.code for m in response.context["page"].object_list] == ["2025-intersessional"]
    bad = client.get(reverse("meetings:list"), {"kind": "party", "year": "x"})
    assert bad.status_code == 400
    assert "“party” is not a kind of meeting" in text(bad)
    assert "four digits" in text(bad)


def test_an_unknown_meeting_is_a_404(client, world):
    assert client.get(reverse("meetings:detail", args=["nowhere"])).status_code == 404


# --- The secretariat's pages -----------------------------------------------------------------


def secretariat_urls(code: str) -> list[str]:
    return [
        reverse("plenary:meetings"),
        reverse("plenary:meeting-create"),
        reverse("plenary:meeting", args=[code]),
        reverse("plenary:meeting-edit", args=[code]),
    ]


@pytest.mark.parametrize(
    "role", ["member_authority", "other_authority", "observer", "member_observer", "reviewer"]
)
def test_the_secretariat_pages_are_forbidden_to_everyone_else(client, world, role):
    client = as_user(client, world.users()[role])
    for url in secretariat_urls(world.meeting.code):
        assert client.get(url).status_code == 403, url
    posts = [
        reverse("plenary:meeting-create"),
        reverse("plenary:meeting-agenda-add", args=[world.meeting.code]),
        reverse("plenary:meeting-attendance-add", args=[world.meeting.code]),
    ]
    for url in posts:
        assert client.post(url, {"title": "X"}).status_code == 403, url
    assert not world.meeting.agenda_items.exists()


def test_anonymous_visitors_go_to_the_log_in_page(client, world):
    for url in secretariat_urls(world.meeting.code):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def meeting_post(**values: str) -> dict[str, str]:
    return {
        "kind": "plenary",
        "code": "2027-plenary",
        "title": "Plenary 2027",
        "title_fr": "Plénière 2027",
        "start_date": "2027-11-02",
        "end_date": "2027-11-05",
        "venue": "Brussels",
        "chair": "European Union",
    } | values


def test_the_secretariat_creates_and_edits_a_meeting(client, world):
    client = as_user(client, world.secretariat)
    response = client.post(reverse("plenary:meeting-create"), meeting_post(host=world.member.code))
    assert response.status_code == 302
    meeting = Meeting.objects.get(code="2027-plenary")
    assert meeting.title_fr == "Plénière 2027"
    assert meeting.host == world.member
    edit = reverse("plenary:meeting-edit", args=[meeting.code])
    assert client.get(edit).context["form"].initial["title_fr"] == "Plénière 2027"
    response = client.post(edit, meeting_post(title="Plenary 2027 (Brussels)", code="ignored"))
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.code, meeting.title_en) == ("2027-plenary", "Plenary 2027 (Brussels)")


def test_dates_out_of_order_are_named_at_the_field(client, world):
    client = as_user(client, world.secretariat)
    response = client.post(reverse("plenary:meeting-create"), meeting_post(end_date="2027-11-01"))
    assert response.status_code == 400
    assert "cannot end" in text(response)
    assert response.context["form"].errors["end_date"]
    assert not Meeting.objects.filter(code="2027-plenary").exists()


def test_a_working_body_meeting_without_its_body_is_refused(client, world):
    client = as_user(client, world.secretariat)
    response = client.post(reverse("plenary:meeting-create"), meeting_post(kind="working_body"))
    assert response.status_code == 400
    assert "needs its working body" in text(response)
    response = client.post(
        reverse("plenary:meeting-create"), meeting_post(kind="working_body", working_body="WGX")
    )
    assert response.status_code == 302


def test_the_agenda_is_managed_on_the_meeting_page(client, world):
    client = as_user(client, world.secretariat)
    code = world.meeting.code
    add = reverse("plenary:meeting-agenda-add", args=[code])
    client.post(add, {"title": "Opening"})
    client.post(add, {"title": "Statistics", "documents": [world.public.pk]})
    response = client.post(add, {"title": "Adoption of the agenda", "number": "1"})
    assert response.status_code == 302
    titles = list(world.meeting.agenda_items.order_by("number").values_list("title_en", flat=True))
    assert titles == ["Adoption of the agenda", "Opening", "Statistics"]
    statistics = world.meeting.agenda_items.get(title_en="Statistics")
    assert list(statistics.documents.all()) == [world.public]
    item_url = reverse("plenary:meeting-agenda-item", args=[code, statistics.pk])
    assert client.get(item_url).status_code == 200
    client.post(item_url, {"title": "Statistics", "number": "1"})
    titles = list(world.meeting.agenda_items.order_by("number").values_list("title_en", flat=True))
    assert titles == ["Statistics", "Adoption of the agenda", "Opening"]
    client.post(reverse("plenary:meeting-agenda-remove", args=[code, statistics.pk]))
    assert world.meeting.agenda_items.count() == 2
    bad = client.post(add, {"title": "", "number": "9"})
    assert bad.status_code == 400


def test_attendance_is_added_once_and_removed(client, world):
    client = as_user(client, world.secretariat)
    code = world.meeting.code
    add = reverse("plenary:meeting-attendance-add", args=[code])
    participant = ParticipantFactory()
    response = client.post(add, {"participant": participant.code, "delegates": "5"})
    assert response.status_code == 302
    again = client.post(add, {"participant": participant.code, "delegates": "2"})
    assert again.status_code == 400
    assert "already on this meeting's attendance" in text(again)
    both = client.post(
        add, {"participant": participant.code, "observer": ObserverFactory().code, "delegates": "1"}
    )
    assert both.status_code == 400
    assert "not both" in text(both)
    row = world.meeting.attendance.get()
    assert row.delegates == 5
    client.post(reverse("plenary:meeting-attendance-remove", args=[code, row.pk]))
    assert not world.meeting.attendance.exists()


def test_the_meeting_page_links_the_translations_and_the_pack(client, world):
    body = (
        as_user(client, world.secretariat)
        .get(reverse("plenary:meeting", args=[world.meeting.code]))
        .content.decode()
    )
    assert reverse("plenary:meeting-languages", args=[world.meeting.code]) in body
    assert reverse("plenary:meeting-pack-build", args=[world.meeting.code]) in body
