"""The compendium's writes (kpcs.plenary.services.compendium) and reads
(kpcs.plenary.selectors.compendium): sections, supersession and its rules (only by an adopted
or published administrative decision, never by itself, no circles, no date before either
document's), the in-force mark, revisions under their original, and versions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kpcs.accounts.tests.factories import UserFactory
from kpcs.common.models import AuditEntry
from kpcs.plenary.models import Document, SourceVersion
from kpcs.plenary.selectors.compendium import (
    compendium_documents,
    compendium_sections,
    section_from_slug,
    section_slug,
)
from kpcs.plenary.services.compendium import (
    compendium_section_set,
    document_supersede,
    document_supersession_clear,
)
from kpcs.plenary.tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db

Section = Document.CompendiumSection
Status = Document.Status


@pytest.fixture
def secretariat():
    return UserFactory(role="secretariat")


def decision(year, number, **kwargs):
    kwargs.setdefault("status", Status.PUBLISHED)
    kwargs.setdefault("compendium_section", Section.ADMINISTRATIVE_DECISIONS)
    return DocumentFactory(
        symbol=f"KP/{year}/Plenary/Administrative Decision {number}",
        date=kwargs.pop("date", dt.date(year, 11, 6)),
        **kwargs,
    )


def refusal(exc_info, field):
    return " ".join(exc_info.value.message_dict[field])


# --- Sections --------------------------------------------------------------------------------


def test_secretariat_puts_a_document_in_a_section_audited(secretariat):
    document = DocumentFactory(status=Status.PUBLISHED)
    compendium_section_set(document=document, section=Section.GUIDANCE, actor=secretariat)
    document.refresh_from_db()
    assert document.compendium_section == Section.GUIDANCE
    entry = AuditEntry.objects.get(object_id=str(document.pk))
    assert entry.changes["compendium_section"] == ["", "guidance"]
    assert entry.actor == secretariat


def test_empty_section_takes_a_document_out(secretariat):
    document = DocumentFactory(compendium_section=Section.GUIDANCE)
    compendium_section_set(document=document, section="", actor=secretariat)
    document.refresh_from_db()
    assert document.compendium_section == ""


def test_unknown_section_is_refused(secretariat):
    document = DocumentFactory()
    with pytest.raises(ValidationError) as exc_info:
        compendium_section_set(document=document, section="laws", actor=secretariat)
    assert "“laws” is not a section" in refusal(exc_info, "section")
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("role", ["authority", "observer", "reviewer"])
def test_only_the_secretariat_changes_sections(role):
    document = DocumentFactory()
    with pytest.raises(PermissionDenied):
        compendium_section_set(
            document=document, section=Section.GUIDANCE, actor=UserFactory(role=role)
        )
    document.refresh_from_db()
    assert document.compendium_section == ""


def test_anonymous_cannot_change_sections():
    with pytest.raises(PermissionDenied):
        compendium_section_set(document=DocumentFactory(), section=Section.OTHER, actor=None)


def test_section_slugs_round_trip():
    for section in Section:
        assert section_from_slug(section_slug(section)) == section
    assert section_from_slug("laws") is None


# --- Supersession ----------------------------------------------------------------------------


def test_decision_is_superseded_by_a_later_decision_audited(secretariat):
    old, new = decision(2012, 2), decision(2026, 1)
    document_supersede(
        document=old, superseded_by=new, superseded_on=dt.date(2026, 11, 6), actor=secretariat
    )
    old.refresh_from_db()
    assert old.superseded_by == new
    assert old.superseded_on == dt.date(2026, 11, 6)
    entry = AuditEntry.objects.get(object_id=str(old.pk))
    assert entry.changes["superseded_on"] == [None, "2026-11-06"]


def test_adopted_but_unpublished_decision_may_supersede(secretariat):
    old, new = decision(2012, 2), decision(2026, 1, status=Status.ADOPTED)
    document_supersede(
        document=old, superseded_by=new, superseded_on=dt.date(2026, 11, 6), actor=secretariat
    )
    old.refresh_from_db()
    assert old.superseded_by == new


def test_a_document_is_not_superseded_by_itself(secretariat):
    old = decision(2012, 2)
    with pytest.raises(ValidationError) as exc_info:
        document_supersede(
            document=old, superseded_by=old, superseded_on=dt.date(2013, 1, 1), actor=secretariat
        )
    assert "cannot be superseded by itself" in refusal(exc_info, "superseded_by")


def test_supersession_cannot_go_round_in_a_circle(secretariat):
    first, second = decision(2012, 2), decision(2016, 1)
    document_supersede(
        document=first, superseded_by=second, superseded_on=dt.date(2016, 11, 6), actor=secretariat
    )
    with pytest.raises(ValidationError) as exc_info:
        document_supersede(
            document=second,
            superseded_by=first,
            superseded_on=dt.date(2016, 11, 6),
            actor=secretariat,
        )
    assert "circle" in refusal(exc_info, "superseded_by")
    second.refresh_from_db()
    assert second.superseded_by is None


def test_longer_circles_are_refused_too(secretariat):
    a, b, c = decision(2010, 1), decision(2012, 1), decision(2014, 1)
    document_supersede(
        document=a, superseded_by=b, superseded_on=dt.date(2014, 12, 1), actor=secretariat
    )
    document_supersede(
        document=b, superseded_by=c, superseded_on=dt.date(2014, 12, 1), actor=secretariat
    )
    with pytest.raises(ValidationError) as exc_info:
        document_supersede(
            document=c, superseded_by=a, superseded_on=dt.date(2014, 12, 1), actor=secretariat
        )
    assert "circle" in refusal(exc_info, "superseded_by")


def test_date_may_not_be_before_the_superseded_document(secretariat):
    old, new = decision(2012, 2), decision(2010, 1)
    with pytest.raises(ValidationError) as exc_info:
        document_supersede(
            document=old, superseded_by=new, superseded_on=dt.date(2011, 1, 1), actor=secretariat
        )
    assert "before the date of KP/2012/Plenary/Administrative Decision 2" in refusal(
        exc_info, "superseded_on"
    )


def test_date_may_not_be_before_the_superseding_decision(secretariat):
    old, new = decision(2012, 2), decision(2026, 1)
    with pytest.raises(ValidationError) as exc_info:
        document_supersede(
            document=old, superseded_by=new, superseded_on=dt.date(2026, 11, 5), actor=secretariat
        )
    assert "before the date of KP/2026/Plenary/Administrative Decision 1" in refusal(
        exc_info, "superseded_on"
    )


def test_date_on_the_superseding_decisions_date_is_accepted(secretariat):
    old, new = decision(2012, 2), decision(2026, 1)
    document_supersede(document=old, superseded_by=new, superseded_on=new.date, actor=secretariat)


def test_date_is_required(secretariat):
    old, new = decision(2012, 2), decision(2026, 1)
    with pytest.raises(ValidationError) as exc_info:
        document_supersede(document=old, superseded_by=new, superseded_on=None, actor=secretariat)
    assert "Give the date" in refusal(exc_info, "superseded_on")


def test_only_an_administrative_decision_supersedes(secretariat):
    old = decision(2012, 2)
    communique = DocumentFactory(
        kind=Document.Kind.COMMUNIQUE, status=Status.PUBLISHED, date=dt.date(2026, 11, 6)
    )
    with pytest.raises(ValidationError) as exc_info:
        document_supersede(
            document=old,
            superseded_by=communique,
            superseded_on=dt.date(2026, 11, 6),
            actor=secretariat,
        )
    assert "only an administrative decision" in refusal(exc_info, "superseded_by")


def test_a_draft_decision_does_not_supersede(secretariat):
    old, draft = decision(2012, 2), decision(2026, 1, status=Status.DRAFT)
    with pytest.raises(ValidationError) as exc_info:
        document_supersede(
            document=old, superseded_by=draft, superseded_on=dt.date(2026, 11, 6), actor=secretariat
        )
    assert "still a draft" in refusal(exc_info, "superseded_by")


def test_a_draft_document_is_not_superseded(secretariat):
    draft, new = decision(2012, 2, status=Status.DRAFT), decision(2026, 1)
    with pytest.raises(ValidationError) as exc_info:
        document_supersede(
            document=draft, superseded_by=new, superseded_on=dt.date(2026, 11, 6), actor=secretariat
        )
    assert "is a draft" in refusal(exc_info, "document")


@pytest.mark.parametrize("role", ["authority", "observer"])
def test_only_the_secretariat_marks_supersession(role):
    old, new = decision(2012, 2), decision(2026, 1)
    with pytest.raises(PermissionDenied):
        document_supersede(
            document=old,
            superseded_by=new,
            superseded_on=dt.date(2026, 11, 6),
            actor=UserFactory(role=role),
        )
    old.refresh_from_db()
    assert old.superseded_by is None


def test_clearing_puts_the_document_back_in_force(secretariat):
    new = decision(2026, 1)
    old = decision(2012, 2, superseded_by=new, superseded_on=dt.date(2026, 11, 6))
    document_supersession_clear(document=old, actor=secretariat)
    old.refresh_from_db()
    assert old.superseded_by is None and old.superseded_on is None
    assert AuditEntry.objects.filter(object_id=str(old.pk)).exists()


def test_only_the_secretariat_clears_supersession():
    new = decision(2026, 1)
    old = decision(2012, 2, superseded_by=new, superseded_on=dt.date(2026, 11, 6))
    with pytest.raises(PermissionDenied):
        document_supersession_clear(document=old, actor=UserFactory(role="authority"))


# --- Reads -----------------------------------------------------------------------------------


def test_in_force_until_the_supersession_date():
    new = decision(2026, 1)
    old = decision(2012, 2, superseded_by=new, superseded_on=dt.date(2026, 11, 6))
    before = {d.symbol: d.in_force for d in compendium_documents(None, on=dt.date(2026, 11, 5))}
    after = {d.symbol: d.in_force for d in compendium_documents(None, on=dt.date(2026, 11, 6))}
    assert before == {old.symbol: True, new.symbol: True}
    assert after == {old.symbol: False, new.symbol: True}


def test_sections_order_decisions_by_year_then_number():
    for year, number in [(2026, 10), (2012, 2), (2026, 2), (2026, 1)]:
        decision(year, number)
    (section,) = compendium_sections(None, section=Section.ADMINISTRATIVE_DECISIONS)
    assert [entry.document.symbol for entry in section.entries] == [
        "KP/2012/Plenary/Administrative Decision 2",
        "KP/2026/Plenary/Administrative Decision 1",
        "KP/2026/Plenary/Administrative Decision 2",
        "KP/2026/Plenary/Administrative Decision 10",
    ]


def test_every_section_is_listed_in_order_even_when_empty():
    decision(2026, 1)
    sections = compendium_sections(None)
    assert [s.section for s in sections] == [
        Section.CORE_DOCUMENT,
        Section.ADMINISTRATIVE_DECISIONS,
        Section.GUIDANCE,
        Section.OTHER,
    ]
    assert [len(s.entries) for s in sections] == [0, 1, 0, 0]


def test_revisions_are_listed_under_their_original_down_the_chain():
    original = decision(2012, 2)
    corrigendum = DocumentFactory(
        symbol=f"{original.symbol}/Corr.1",
        date=dt.date(2013, 1, 15),
        status=Status.PUBLISHED,
        revision_of=original,
        revision_kind=Document.RevisionKind.CORRIGENDUM,
    )
    second = DocumentFactory(
        symbol=f"{original.symbol}/Corr.1/Rev.1",
        date=dt.date(2013, 3, 1),
        status=Status.PUBLISHED,
        revision_of=corrigendum,
        revision_kind=Document.RevisionKind.REVISION,
    )
    (section,) = compendium_sections(None, section=Section.ADMINISTRATIVE_DECISIONS)
    (entry,) = section.entries
    assert entry.document == original
    assert entry.revisions == [corrigendum, second]


def test_versions_are_counted_with_the_date_of_the_latest():
    document = decision(2026, 1)
    SourceVersion.objects.create(document=document, fingerprint="a" * 64, title="t", body="1")
    SourceVersion.objects.create(document=document, fingerprint="b" * 64, title="t", body="2")
    (listed,) = compendium_documents(None)
    assert listed.version_count == 2
    assert listed.version_at == SourceVersion.objects.latest("created_at").created_at


def test_the_public_sees_only_published_public_documents_of_the_compendium():
    public = decision(2026, 1)
    decision(2026, 2, status=Status.DRAFT)
    decision(2026, 3, distribution=Document.Distribution.PARTICIPANTS_OBSERVERS)
    assert [d.symbol for d in compendium_documents(None)] == [public.symbol]


def test_the_secretariat_sees_drafts_in_the_compendium(secretariat):
    decision(2026, 1)
    decision(2026, 2, status=Status.DRAFT)
    assert len(compendium_documents(secretariat)) == 2


def test_superseding_decision_the_user_may_not_open_is_shown_without_a_link():
    adopted = decision(2026, 1, status=Status.ADOPTED)
    decision(2012, 2, superseded_by=adopted, superseded_on=dt.date(2026, 11, 6))
    (section,) = compendium_sections(None, section=Section.ADMINISTRATIVE_DECISIONS)
    (entry,) = section.entries
    assert entry.document.superseded_by == adopted
    assert entry.superseded_by_visible is False
