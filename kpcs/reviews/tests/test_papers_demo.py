"""The demo working papers: Botswana's second-round visit gets six findings by different team
members across the areas (one with a PDF as evidence) and a draft report version 1 assembled
from them; the 2008 first-round visit its final report; a second run creates nothing."""

from __future__ import annotations

import pytest

from kpcs.participants.demo import demo_data_load
from kpcs.reviews import demo_papers, demo_visits
from kpcs.reviews.models import EvidenceFile, Finding, ReportVersion, ReviewVisit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def first_round():
    """The demo's published first-round visit of Botswana (2008)."""
    demo_data_load()
    demo_visits.load()
    return ReviewVisit.objects.get(participant__code="BWA", round=1)


def test_demo_findings_and_draft_report_load_once(first_round, client):
    assert demo_papers.load() == {"findings": 6, "evidence files": 1, "report versions": 2}
    assert demo_papers.load() == {"findings": 0, "evidence files": 0, "report versions": 0}
    visit = ReviewVisit.objects.get(participant__code="BWA", round=2)
    assert visit.status == "draft_report"
    findings = Finding.objects.filter(visit=visit)
    assert findings.values("area").distinct().count() == 6
    assert findings.values("author").distinct().count() == 5
    assert set(findings.values_list("rating", flat=True)) == {"met", "partly_met", "not_met"}
    evidence = EvidenceFile.objects.get()
    assert evidence.file.open("rb").read(5) == b"%PDF-"
    draft = ReportVersion.objects.get(visit=visit)
    assert (draft.number, draft.kind, draft.created_by.username) == (1, "draft", "zaf-lead")
    assert "Enforcement" in draft.text and "Rating: not met" in draft.text
    final = ReportVersion.objects.get(visit=first_round)
    assert final.kind == "final"
    response = client.get(f"/en/reviews/visits/{first_round.pk}/report/")
    assert response.status_code == 200
    assert "first round (2008)" in response.content.decode()


def test_the_demo_evidence_pdf_is_accepted_as_a_pdf():
    from io import BytesIO

    from kpcs.common.uploads import PDF, sniff

    assert sniff(BytesIO(demo_visits.demo_pdf("A title (with brackets)"))) == PDF


def test_demo_papers_follow_the_demo_visits_without_a_second_visit():
    from kpcs.reviews import demo_visits

    demo_data_load()
    demo_visits.load()
    created = demo_papers.load()
    assert created["findings"] == 6
    assert created["report versions"] == 2  # the draft, and the 2008 visit's final report
    assert ReviewVisit.objects.filter(participant__code="BWA", round=2).count() == 1
    assert demo_papers.load() == {"findings": 0, "evidence files": 0, "report versions": 0}
