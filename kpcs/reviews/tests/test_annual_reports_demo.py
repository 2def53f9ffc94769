"""The demo annual reports on 2025: Botswana submitted (its 2024 report assessed), South
Africa assessed with feedback, Canada a draft, Namibia submitted with one section unchanged,
India (and the rest) missing; loading twice creates nothing more."""

from __future__ import annotations

import datetime as dt

import pytest

from kpcs.participants.demo import demo_data_load
from kpcs.reviews import demo_annual_reports
from kpcs.reviews.models import AnnualReport
from kpcs.reviews.selectors import annual_reports as ar

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


def test_the_demo_reports_tell_the_story_and_load_once():
    demo_data_load()
    assert demo_annual_reports.load() == {"annual reports": 6, "annual report accounts": 1}
    assert demo_annual_reports.load() == {"annual reports": 0, "annual report accounts": 0}

    def report(code: str, year: int = 2025) -> AnnualReport:
        return AnnualReport.objects.get(participant__code=code, year=year)

    assert report("BWA").status == "submitted"
    assert report("BWA", 2024).status == "assessed"
    assert report("ZAF").status == "assessed" and report("ZAF").feedback
    assert report("CAN").status == "draft"
    nam = report("NAM")
    assert nam.status == "submitted" and nam.unchanged_sections == ["legislation"]
    assert nam.legislation == report("NAM", 2024).legislation
    assert not AnnualReport.objects.filter(participant__code="IND").exists()
    for instance in AnnualReport.objects.all():
        instance.full_clean()

    missing = {p.code for p in ar.annual_reports_missing(year=2025, today=dt.date(2026, 5, 1))}
    assert {"IND", "CAN"} <= missing
    assert not {"BWA", "ZAF", "NAM"} & missing
