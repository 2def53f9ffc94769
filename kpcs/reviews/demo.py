"""Demo peer-review data for `load_demo_data`: a second-round review visit of Botswana with a
full team, findings, a draft report and recommendations; annual reports of several participants
(one missing); a compliance case. Each part lives in its own module and is safe to re-run."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction


@dataclass
class DemoReviewsReport:
    created: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(self.created.values())

    def summary(self) -> str:
        return ", ".join(f"{n} {what}" for what, n in self.created.items() if n) or "unchanged"


@transaction.atomic
def demo_reviews_load() -> DemoReviewsReport:
    from kpcs.reviews import (
        demo_annual_reports,
        demo_compliance,
        demo_papers,
        demo_recommendations,
        demo_visits,
    )

    report = DemoReviewsReport()
    # Order matters: findings, report and recommendations belong to the demo visit, and the
    # compliance case may cite a finding.
    parts = (
        demo_visits,
        demo_papers,
        demo_recommendations,
        demo_annual_reports,
        demo_compliance,
    )
    for part in parts:
        report.created.update(part.load())
    return report
