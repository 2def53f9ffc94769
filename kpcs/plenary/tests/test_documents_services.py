"""The document services: a symbol for all language versions (trimmed, spacing normalised,
unique in any case), the facts, the English source edited through TRANSLATIONS' source_edit,
the status (draft → adopted → published; publication waits for the required languages unless
an advance version is released on purpose), revisions and corrigenda that keep the history,
and the audit trail of every write."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from kpcs.accounts.models import Role
from kpcs.accounts.tests.factories import UserFactory
from kpcs.common.audit import entries_for
from kpcs.participants.tests.factories import WorkingBodyFactory
from kpcs.plenary.models import Document, DocumentTranslation, SourceVersion
from kpcs.plenary.selectors.documents import issued_languages, language_states
from kpcs.plenary.services import documents as services
from kpcs.plenary.tests.factories_docs import ALL_TRANSLATIONS, FRENCH, document

pytestmark = pytest.mark.django_db

S = Document.Status
D = Document.Distribution
DAY = dt.date(2026, 11, 6)


@pytest.fixture
def secretariat():
    return UserFactory(role=Role.SECRETARIAT, username="svc-secretariat")


def create(actor, **values):
    values = {
        "symbol": "KP/2026/Plenary/Administrative Decision 7",
        "kind": Document.Kind.ADMINISTRATIVE_DECISION,
        "date": DAY,
        "distribution": D.PUBLIC,
        "title": "On statistics",
        "body": "The Plenary decides.\r\n\r\nIt enters into force.",
    } | values
    return services.document_create(actor=actor, **values)


def messages(exc: ValidationError, field: str) -> str:
    return " ".join(exc.message_dict[field])


# --- Symbols and facts -----------------------------------------------------------------------


def test_a_new_document_is_a_draft_with_its_english_source_and_first_version(secretariat):
    made = create(secretariat)
    assert made.status == S.DRAFT
    assert made.title_en == "On statistics"
    assert made.body_en == "The Plenary decides.\n\nIt enters into force."
    assert made.created_by == secretariat
    version = SourceVersion.objects.get(document=made)
    assert version.fingerprint == made.source_fingerprint
    assert entries_for(made).get().reason == "document created"


def test_the_symbol_is_trimmed_and_its_spacing_normalised(secretariat):
    made = create(secretariat, symbol="  KP / 2026/Plenary /Administrative   Decision\t7  ")
    assert made.symbol == "KP/2026/Plenary/Administrative Decision 7"


def test_a_symbol_already_used_is_refused_in_any_case_and_spacing(secretariat):
    create(secretariat)
    with pytest.raises(ValidationError) as caught:
        create(secretariat, symbol="kp/2026/plenary/administrative  decision 7", title="Other")
    assert "is already used by “On statistics”" in messages(caught.value, "symbol")
    assert Document.objects.count() == 1


@pytest.mark.parametrize(
    ("symbol", "words"),
    [
        ("", "Give the document's symbol"),
        ("KP/2026/Plenary?x=1", "cannot contain ?"),
        ("KP/2026#1", "cannot contain #"),
        ("KP//2026", "Each part of the symbol"),
        ("/KP/2026", "Each part of the symbol"),
        ("K" * 201, "at most 200"),
    ],
)
def test_a_symbol_that_cannot_be_an_address_is_refused(secretariat, symbol, words):
    with pytest.raises(ValidationError) as caught:
        create(secretariat, symbol=symbol)
    assert words in messages(caught.value, "symbol")
    assert not Document.objects.exists()


def test_a_restricted_document_needs_its_working_body(secretariat):
    with pytest.raises(ValidationError) as caught:
        create(secretariat, distribution=D.WORKING_BODY)
    assert "needs that working body" in messages(caught.value, "working_body")
    body = WorkingBodyFactory()
    made = create(secretariat, distribution=D.WORKING_BODY, working_body=body)
    assert made.working_body == body


def test_a_working_body_given_to_a_public_document_is_not_kept(secretariat):
    made = create(secretariat, working_body=WorkingBodyFactory())
    assert made.working_body is None


def test_only_the_secretariat_creates_documents():
    authority = UserFactory(role=Role.AUTHORITY)
    with pytest.raises(PermissionDenied):
        create(authority)


def test_the_symbol_of_an_adopted_document_does_not_change(secretariat):
    adopted = document(status=S.ADOPTED)
    with pytest.raises(ValidationError) as caught:
        services.document_update(
            actor=secretariat,
            document=adopted,
            kind=adopted.kind,
            date=adopted.date,
            distribution=adopted.distribution,
            symbol="KP/2026/Other",
        )
    assert "Issue a revision instead" in messages(caught.value, "symbol")


def test_a_draft_may_change_its_symbol_but_not_to_another_documents(secretariat):
    draft = document(status=S.DRAFT)
    other = document()
    with pytest.raises(ValidationError):
        services.document_update(
            actor=secretariat,
            document=draft,
            kind=draft.kind,
            date=draft.date,
            distribution=draft.distribution,
            symbol=other.symbol,
        )
    services.document_update(
        actor=secretariat,
        document=draft,
        kind=draft.kind,
        date=draft.date,
        distribution=draft.distribution,
        symbol="KP/2026/New symbol",
    )
    draft.refresh_from_db()
    assert draft.symbol == "KP/2026/New symbol"


# --- The English source ----------------------------------------------------------------------


def test_editing_the_english_body_makes_the_translations_outdated(secretariat):
    edited = document(translated={"fr": FRENCH})
    services.document_edit(
        actor=secretariat,
        document=edited,
        title=edited.title_en,
        body="A new text.",
        kind=edited.kind,
        date=edited.date,
        distribution=edited.distribution,
    )
    edited.refresh_from_db()
    assert edited.body_en == "A new text."
    assert language_states(edited)["fr"] == "outdated"
    assert SourceVersion.objects.filter(document=edited).count() == 2


def test_a_minor_edit_keeps_the_translations_current(secretariat):
    edited = document(translated={"fr": FRENCH})
    services.document_edit(
        actor=secretariat,
        document=edited,
        title=edited.title_en,
        body=edited.body_en + " ",
        minor=True,
        kind=edited.kind,
        date=edited.date,
        distribution=edited.distribution,
    )
    services.document_edit(
        actor=secretariat,
        document=edited,
        title=edited.title_en + ".",
        body=edited.body_en,
        minor=True,
        kind=edited.kind,
        date=edited.date,
        distribution=edited.distribution,
    )
    edited.refresh_from_db()
    assert edited.title_en.endswith(".")
    assert language_states(edited)["fr"] == "final"


def test_changing_only_the_facts_leaves_the_source_alone(secretariat):
    edited = document(translated={"fr": FRENCH})
    fingerprint = edited.source_fingerprint
    services.document_edit(
        actor=secretariat,
        document=edited,
        title=edited.title_en,
        body=edited.body_en,
        kind=Document.Kind.GUIDANCE_NOTE,
        date=edited.date,
        distribution=edited.distribution,
    )
    edited.refresh_from_db()
    assert edited.kind == Document.Kind.GUIDANCE_NOTE
    assert edited.source_fingerprint == fingerprint
    assert language_states(edited)["fr"] == "final"


# --- Status ----------------------------------------------------------------------------------


def test_a_draft_is_adopted_on_a_date(secretariat):
    draft = document()
    adopted = services.document_transition(
        actor=secretariat, document=draft, action="adopt", on=DAY
    )
    assert adopted.status == S.ADOPTED
    assert adopted.adopted_on == DAY
    assert entries_for(draft).filter(reason="document adopted").exists()


def test_adoption_needs_a_date_not_in_the_future(secretariat):
    draft = document()
    with pytest.raises(ValidationError) as caught:
        services.document_transition(actor=secretariat, document=draft, action="adopt")
    assert "Give the date" in messages(caught.value, "date")
    with pytest.raises(ValidationError) as caught:
        services.document_transition(
            actor=secretariat, document=draft, action="adopt", on=dt.date(2099, 1, 1)
        )
    assert "in the future" in messages(caught.value, "date")
    draft.refresh_from_db()
    assert draft.status == S.DRAFT


def test_a_draft_cannot_be_published_directly(secretariat):
    draft = document()
    with pytest.raises(ValidationError) as caught:
        services.document_transition(actor=secretariat, document=draft, action="publish", on=DAY)
    assert "adopt it first" in messages(caught.value, "action")


def test_publication_is_refused_while_required_languages_are_not_final_and_names_them(
    secretariat,
):
    adopted = document(status=S.ADOPTED, translated={"fr": FRENCH})
    with pytest.raises(ValidationError) as caught:
        services.document_transition(actor=secretariat, document=adopted, action="publish", on=DAY)
    text = messages(caught.value, "advance")
    assert "Spanish (es)" in text
    assert "Russian (ru)" in text
    assert "zh-hans" in text
    assert "French" not in text
    adopted.refresh_from_db()
    assert adopted.status == S.ADOPTED
    assert adopted.published_on is None


def test_an_outdated_translation_holds_publication_back(secretariat):
    adopted = document(status=S.ADOPTED, translated=ALL_TRANSLATIONS)
    DocumentTranslation.objects.filter(document=adopted, language="ru").update(
        source_fingerprint="0" * 64
    )
    with pytest.raises(ValidationError) as caught:
        services.document_transition(actor=secretariat, document=adopted, action="publish", on=DAY)
    assert "Russian (ru)" in messages(caught.value, "advance")


def test_publication_goes_through_when_every_required_language_is_final(secretariat):
    adopted = document(status=S.ADOPTED, translated=ALL_TRANSLATIONS)
    published = services.document_transition(
        actor=secretariat, document=adopted, action="publish", on=DAY
    )
    assert published.status == S.PUBLISHED
    assert published.published_on == DAY
    assert published.advance_release is False


@override_settings(KPCS_DOCUMENT_LANGUAGES=["en", "fr"])
def test_the_required_languages_are_a_setting(secretariat):
    adopted = document(status=S.ADOPTED, translated={"fr": FRENCH})
    published = services.document_transition(
        actor=secretariat, document=adopted, action="publish", on=DAY
    )
    assert published.status == S.PUBLISHED


def test_the_secretariat_may_publish_an_advance_version_on_purpose(secretariat):
    adopted = document(status=S.ADOPTED)
    published = services.document_transition(
        actor=secretariat, document=adopted, action="publish", on=DAY, advance=True
    )
    assert published.status == S.PUBLISHED
    assert published.advance_release is True
    assert (
        entries_for(adopted).filter(reason__startswith="document published as an advance").exists()
    )


def test_an_adopted_document_may_be_released_in_advance_without_publishing(secretariat):
    adopted = document(status=S.ADOPTED)
    released = services.document_transition(
        actor=secretariat, document=adopted, action="release_advance"
    )
    assert released.status == S.ADOPTED
    assert released.advance_release is True
    with pytest.raises(ValidationError) as caught:
        services.document_transition(actor=secretariat, document=adopted, action="release_advance")
    assert "already released" in messages(caught.value, "action")


def test_a_draft_cannot_be_released_in_advance(secretariat):
    with pytest.raises(ValidationError) as caught:
        services.document_transition(
            actor=secretariat, document=document(), action="release_advance"
        )
    assert "Only an adopted document" in messages(caught.value, "action")


def test_publication_cannot_be_dated_before_adoption(secretariat):
    adopted = document(status=S.ADOPTED, translated=ALL_TRANSLATIONS)
    with pytest.raises(ValidationError) as caught:
        services.document_transition(
            actor=secretariat, document=adopted, action="publish", on=DAY - dt.timedelta(days=1)
        )
    assert "cannot be before" in messages(caught.value, "date")


def test_a_published_document_has_no_further_move(secretariat):
    published = document(status=S.PUBLISHED)
    assert services.available_actions(published) == []
    with pytest.raises(ValidationError) as caught:
        services.document_transition(actor=secretariat, document=published, action="adopt", on=DAY)
    assert "already published" in messages(caught.value, "action")


def test_an_unknown_action_is_named(secretariat):
    with pytest.raises(ValidationError) as caught:
        services.document_transition(actor=secretariat, document=document(), action="burn")
    assert "“burn”" in messages(caught.value, "action")


# --- Revisions and corrigenda ----------------------------------------------------------------


def test_a_revision_copies_the_document_and_links_to_it(secretariat):
    original = document(
        symbol="KP/2026/Plenary/Administrative Decision 3",
        status=S.PUBLISHED,
        translated={"fr": FRENCH},
    )
    revision = services.document_revise(
        actor=secretariat, document=original, kind="revision", date=DAY
    )
    assert revision.symbol == "KP/2026/Plenary/Administrative Decision 3/Rev.1"
    assert revision.revision_of == original
    assert revision.revision_kind == "revision"
    assert revision.status == S.DRAFT
    assert revision.title_en == original.title_en
    assert revision.body_en == original.body_en
    assert revision.title_fr == FRENCH[0]
    assert issued_languages(revision) == ["en", "fr"]
    assert SourceVersion.objects.filter(document=revision).exists()
    original.refresh_from_db()
    assert original.status == S.PUBLISHED
    assert list(original.revisions.all()) == [revision]


def test_the_next_revision_of_a_revision_counts_from_the_original_symbol(secretariat):
    original = document(symbol="KP/2026/Chair's Report", status=S.PUBLISHED)
    first = services.document_revise(actor=secretariat, document=original, kind="revision")
    first.status, first.adopted_on = S.ADOPTED, DAY
    first.save()
    second = services.document_revise(actor=secretariat, document=first, kind="revision")
    assert second.symbol == "KP/2026/Chair's Report/Rev.2"
    assert second.revision_of == first


def test_corrigenda_are_numbered_on_the_document_they_correct(secretariat):
    original = document(symbol="KP/2026/Communique", status=S.PUBLISHED)
    first = services.document_revise(actor=secretariat, document=original, kind="corrigendum")
    second = services.document_revise(actor=secretariat, document=original, kind="corrigendum")
    assert first.symbol == "KP/2026/Communique/Corr.1"
    assert second.symbol == "KP/2026/Communique/Corr.2"
    assert {d.revision_kind for d in original.revisions.all()} == {"corrigendum"}


def test_a_draft_is_edited_not_revised(secretariat):
    with pytest.raises(ValidationError) as caught:
        services.document_revise(actor=secretariat, document=document(), kind="revision")
    assert "editing it" in messages(caught.value, "kind")
    assert Document.objects.count() == 1


def test_editing_a_revision_leaves_the_original_and_its_history(secretariat):
    original = document(status=S.PUBLISHED, translated={"fr": FRENCH})
    revision = services.document_revise(actor=secretariat, document=original, kind="revision")
    services.document_edit(
        actor=secretariat,
        document=revision,
        title=revision.title_en,
        body="Revised text.",
        kind=revision.kind,
        date=revision.date,
        distribution=revision.distribution,
    )
    original.refresh_from_db()
    revision.refresh_from_db()
    assert original.body_en != "Revised text."
    assert language_states(original)["fr"] == "final"
    assert language_states(revision)["fr"] == "outdated"
    assert entries_for(revision).filter(reason=f"revision of {original.symbol}").exists()


def test_the_text_of_a_published_document_does_not_change(secretariat):
    published = document(status=S.PUBLISHED)
    with pytest.raises(ValidationError) as caught:
        services.document_edit(
            actor=secretariat,
            document=published,
            title=published.title_en,
            body="Another text.",
            kind=published.kind,
            date=published.date,
            distribution=published.distribution,
        )
    assert "issue a corrigendum or a revision" in messages(caught.value, "body")
    services.document_edit(
        actor=secretariat,
        document=published,
        title=published.title_en,
        body=published.body_en,
        kind=published.kind,
        date=published.date,
        distribution=D.PARTICIPANTS_OBSERVERS,
    )
    published.refresh_from_db()
    assert published.distribution == D.PARTICIPANTS_OBSERVERS
