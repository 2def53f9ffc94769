"""Report PDFs built by the same machinery as documents: the statistics annual summary, a
review visit report and the participant list, each checked in two languages."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from kpcs.participants.models import StatusEvent
from kpcs.participants.tests.factories import ParticipantFactory, StatusEventFactory
from kpcs.plenary.rendering import (
    SubjectNotFound,
    content_fingerprint,
    render_html,
    render_report_pdf,
)
from kpcs.plenary.tests.factories_pdf import embedded_fonts, pdf_text
from kpcs.reviews.models import ReportVersion, ReviewVisit
from kpcs.reviews.tests.factories import (
    RecommendationFactory,
    ReportVersionFactory,
    ReviewVisitFactory,
)
from kpcs.statistics.models import Flow, Release, ReleaseProduction, ReleaseTrade

pytestmark = pytest.mark.django_db


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture
def release():
    botswana = ParticipantFactory(name="Botswana", name_en="Botswana", name_fr="Botswana")
    russia = ParticipantFactory(
        name="Russian Federation",
        name_en="Russian Federation",
        name_fr="Fédération de Russie",
        name_ar="الاتحاد الروسي",
    )
    release = Release.objects.create(
        year=2025, number=2, published_at=dt.datetime(2026, 6, 30, 12, tzinfo=dt.UTC)
    )
    ReleaseProduction.objects.create(
        release=release,
        participant=botswana,
        carats=Decimal("24000000"),
        value_usd=Decimal("3600000000"),
    )
    ReleaseProduction.objects.create(
        release=release,
        participant=russia,
        carats=Decimal("41000000"),
        value_usd=Decimal("4100000000"),
    )
    for participant, flow, carats in [
        (botswana, Flow.EXPORT, "20000000"),
        (russia, Flow.EXPORT, "35000000"),
        (botswana, Flow.IMPORT, "1500000"),
    ]:
        ReleaseTrade.objects.create(
            release=release,
            participant=participant,
            flow=flow,
            carats=Decimal(carats),
            value_usd=Decimal(carats) * 100,
            certificates=12,
        )
    return release


def test_statistics_summary_shows_the_releases_tables_and_a_chart_in_two_languages(release):
    english = pdf_text(render_report_pdf("statistics_summary", "2025/2", "en"))
    french = pdf_text(render_report_pdf("statistics_summary", "2025/2", "fr"))

    assert "Russian Federation" in english and "Botswana" in english
    assert "41,000,000.00" in english  # carats
    assert "100.00" in english  # US$/ct of Russia
    assert "65,000,000.00" in english  # world total
    assert "Fédération de Russie" in french
    assert "41\u00a0000\u00a0000,00" in french or "41 000 000,00" in french
    html = render_html("statistics_summary", "2025/2", "en")
    # The chart is inline SVG drawn in Python: the largest producer's bar is the full width.
    assert html.count("<svg") >= 4 and 'width="1000"' in html
    assert "<script" not in html


def test_statistics_summary_in_arabic_uses_arabic_names_and_fonts(release):
    pdf = render_report_pdf("statistics_summary", "2025/2", "ar")

    assert flat("الاتحاد الروسي") in flat(pdf_text(pdf))
    assert any("Naskh-Arabic" in name for name in embedded_fonts(pdf))


def test_statistics_summary_needs_an_existing_release(release):
    with pytest.raises(SubjectNotFound):
        render_html("statistics_summary", "2025/9", "en")
    with pytest.raises(SubjectNotFound):
        render_html("statistics_summary", "last", "en")


def test_review_report_shows_the_final_report_and_recommendations_in_two_languages():
    visit = ReviewVisitFactory(
        participant=ParticipantFactory(name="Sierra Leone", name_en="Sierra Leone"),
        status=ReviewVisit.Status.FINAL_REPORT,
    )
    ReportVersionFactory(visit=visit, number=1, text="An early draft.")
    ReportVersionFactory(
        visit=visit,
        number=2,
        kind=ReportVersion.Kind.FINAL,
        text="# Internal controls\n\nThe team found the mining registers complete.",
    )
    ReportVersionFactory(visit=visit, number=3, text="A later draft nobody adopted.")
    RecommendationFactory(visit=visit, number=1, text="Register all diamond buyers.")

    english = pdf_text(render_report_pdf("review_report", str(visit.pk), "en"))
    french = pdf_text(render_report_pdf("review_report", str(visit.pk), "fr"))

    for text in (flat(english), flat(french)):
        assert "SierraLeone" in text
        assert flat("The team found the mining registers complete.") in text
        assert flat("Register all diamond buyers.") in text
        assert "Anearlydraft." not in text and "Alaterdraft" not in text
    assert "Review visit" in english
    assert "Draft report" not in english


def test_review_report_without_a_final_version_shows_the_latest_draft_marked_as_draft():
    visit = ReviewVisitFactory(status=ReviewVisit.Status.DRAFT_REPORT)
    ReportVersionFactory(visit=visit, number=1, text="First draft of the findings.")

    text = pdf_text(render_report_pdf("review_report", str(visit.pk), "en"))

    assert "First draft of the findings." in text
    assert "Draft report (version 1" in text


def test_participant_list_gives_names_kinds_and_standing_in_two_languages():
    suspended = ParticipantFactory(name="Venezuela", name_en="Venezuela", name_fr="Venezuela")
    StatusEventFactory(
        participant=suspended, date=dt.date(2013, 1, 1), event=StatusEvent.Event.SELF_SUSPENDED
    )
    ParticipantFactory(name="Angola", name_en="Angola", name_ar="أنغولا")

    english = pdf_text(render_report_pdf("participant_list", "2026-01-01", "en"))
    arabic = pdf_text(render_report_pdf("participant_list", "2026-01-01", "ar"))

    assert "Angola" in english and "Venezuela" in english
    assert str(StatusEvent.Event.SELF_SUSPENDED.label) in english
    assert "2 participants, 1 in good standing." in english
    assert english.index("Angola") < english.index("Venezuela")
    assert flat("أنغولا") in flat(arabic)
    assert suspended.code in arabic


def test_participant_list_fingerprint_follows_the_date_and_the_language():
    ParticipantFactory()

    fingerprint = content_fingerprint("participant_list", "2026-01-01", "en")

    assert fingerprint == content_fingerprint("participant_list", "2026-01-01", "en")
    assert fingerprint != content_fingerprint("participant_list", "2026-01-02", "en")
    assert fingerprint != content_fingerprint("participant_list", "2026-01-01", "es")
    with pytest.raises(SubjectNotFound):
        content_fingerprint("participant_list", "yesterday", "en")
