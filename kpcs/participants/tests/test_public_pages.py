"""The public participant list and participant pages, in every language, with clear errors."""

import pytest

from kpcs.accounts.tests.factories import UserFactory
from kpcs.participants.tests.factories import AuthorityContactFactory

pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("reference_data")
def test_public_list_shows_the_eu_and_the_participants_without_login(client) -> None:
    response = client.get("/en/participants/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "European Union" in html
    assert "Botswana" in html
    assert "62 participants" in html


@pytest.mark.usefixtures("reference_data")
@pytest.mark.parametrize(
    ("lang", "name", "direction"),
    [
        ("en", "European Union", "ltr"),
        ("fr", "Union européenne", "ltr"),
        ("es", "Unión Europea", "ltr"),
        ("ru", "Европейский союз", "ltr"),
        ("zh-hans", "欧洲联盟", "ltr"),
        ("ar", "الاتحاد الأوروبي", "rtl"),
    ],
)
def test_participant_list_speaks_each_un_language(client, lang, name, direction) -> None:
    html = client.get(f"/{lang}/participants/?kind=regional_organisation").content.decode()
    assert name in html
    assert f'dir="{direction}"' in html
    assert f'lang="{lang}"' in html


@pytest.mark.usefixtures("reference_data")
def test_filter_by_kind_and_search(client) -> None:
    html = client.get("/en/participants/", {"kind": "trading_entity"}).content.decode()
    assert "Chinese Taipei" in html and "Botswana" not in html
    html = client.get("/en/participants/", {"q": "bwa"}).content.decode()
    assert "Botswana" in html and "Namibia" not in html


@pytest.mark.usefixtures("reference_data")
def test_standing_on_a_past_date_shows_who_was_not_in_good_standing(client) -> None:
    html = client.get(
        "/en/participants/", {"standing": "not_good", "date": "2010-01-01"}
    ).content.decode()
    for name in ("Côte d&#x27;Ivoire", "Venezuela"):
        assert name in html
    assert "Botswana" not in html


@pytest.mark.usefixtures("reference_data")
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"kind": "empire"}, "Select a valid choice"),
        ({"standing": "excellent"}, "Select a valid choice"),
        ({"date": "2023-02-30"}, "Enter a valid date"),
        ({"date": "1990-01-01"}, "started in 2003"),
    ],
)
def test_bad_filter_is_a_400_naming_the_problem(client, query, message) -> None:
    response = client.get("/en/participants/", query)
    assert response.status_code == 400
    assert message in response.content.decode()


@pytest.mark.usefixtures("reference_data")
@pytest.mark.parametrize(
    ("page", "message"),
    [("x", "is not a page number"), ("99", "There is no page 99"), ("0", "There is no page 0")],
)
def test_bad_page_number_is_a_404_naming_the_problem(client, page, message) -> None:
    response = client.get("/en/participants/", {"page": page})
    assert response.status_code == 404
    assert message in response.content.decode()


@pytest.mark.usefixtures("reference_data")
def test_unknown_participant_code_is_a_404_naming_the_code(client) -> None:
    response = client.get("/en/participants/XYZ/")
    assert response.status_code == 404
    assert "No participant has the code “XYZ”" in response.content.decode()


@pytest.mark.usefixtures("reference_data")
def test_participant_page_shows_standing_history_and_member_states(client) -> None:
    html = client.get("/en/participants/eur/").content.decode()
    assert "Member states covered" in html and "Belgium" in html
    html = client.get("/en/participants/COG/").content.decode()
    assert "removed" in html and "readmitted" in html


def test_authority_contacts_are_hidden_from_the_public(client) -> None:
    contact = AuthorityContactFactory(email="focal.point@example.org")
    url = f"/en/participants/{contact.authority.participant.code}/"
    assert "focal.point@example.org" not in client.get(url).content.decode()
    client.force_login(UserFactory(role="observer"))
    assert "focal.point@example.org" in client.get(url).content.decode()


def test_change_history_is_shown_to_the_secretariat_only(client) -> None:
    from kpcs.participants.services import participant_update

    participant = AuthorityContactFactory().authority.participant
    participant_update(participant=participant, actor=None, values={"source_note": "checked"})
    url = f"/en/participants/{participant.code}/"
    client.force_login(UserFactory(role="authority"))
    assert "Change history" not in client.get(url).content.decode()
    client.force_login(UserFactory(role="secretariat"))
    assert "Change history" in client.get(url).content.decode()


def test_the_bare_address_answers_without_a_redirect(client) -> None:
    response = client.get("/", headers={"accept-language": "fr"})
    assert response.status_code == 200
    assert 'lang="fr"' in response.content.decode()


def test_the_compliance_page_is_linked_for_the_secretariat_and_the_own_authority_only(
    client, reference_data
) -> None:
    from kpcs.participants.models import Participant

    bwa = Participant.objects.get(code="BWA")
    link = 'href="/en/compliance/participants/BWA/"'
    assert link not in client.get("/en/participants/BWA/").content.decode()
    client.force_login(
        UserFactory(role="authority", participant=Participant.objects.get(code="ZAF"))
    )
    assert link not in client.get("/en/participants/BWA/").content.decode()
    client.force_login(UserFactory(role="authority", participant=bwa))
    assert link in client.get("/en/participants/BWA/").content.decode()
    client.force_login(UserFactory(role="secretariat"))
    assert link in client.get("/en/participants/BWA/").content.decode()
