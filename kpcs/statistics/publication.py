"""Publishing: accepted figures for a year become a dated, citable release.

A release is a snapshot (summary tables filled in SQL), so public pages and the public API
read a few rows per participant and never see a figure that was not accepted. A revision is
simply the next release of the same year, with a note on what changed; earlier releases stay.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from kpcs.statistics.models import Release, Submission, SubmissionTransition

PUBLISHABLE = (Submission.Status.ACCEPTED, Submission.Status.PUBLISHED)


@transaction.atomic
def release_publish(*, year: int, note: str = "", actor: Any = None) -> Release:
    """Publish every accepted (or already published) submission of `year` as a new release
    and mark the accepted ones published. Figures are summed over the year's periods."""
    # One release at a time per year: concurrent publications would race for the number.
    last = (
        Release.objects.select_for_update().filter(year=year).aggregate(last=Max("number"))["last"]
    )
    release = Release.objects.create(
        year=year,
        number=(last or 0) + 1,
        published_at=timezone.now(),
        published_by=actor if getattr(actor, "is_authenticated", False) else None,
        note=note,
    )
    statuses = [str(s) for s in PUBLISHABLE]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO statistics_releaseproduction (release_id, participant_id, carats, value_usd)
            SELECT %s, s.participant_id, SUM(p.carats), SUM(p.value_usd)
            FROM statistics_productionrecord p
            JOIN statistics_submission s ON s.id = p.submission_id
            WHERE s.year = %s AND s.dataset = 'production' AND s.status = ANY(%s)
            GROUP BY s.participant_id
            """,
            [release.pk, year, statuses],
        )
        cursor.execute(
            """
            INSERT INTO statistics_releasetrade
                (release_id, participant_id, flow, carats, value_usd, certificates)
            SELECT %s, s.participant_id, t.flow, SUM(t.carats), SUM(t.value_usd),
                   SUM(t.certificates)
            FROM statistics_traderecord t
            JOIN statistics_submission s ON s.id = t.submission_id
            WHERE s.year = %s AND s.dataset = 'trade' AND s.status = ANY(%s)
            GROUP BY s.participant_id, t.flow
            """,
            [release.pk, year, statuses],
        )
    newly_published = list(
        Submission.objects.filter(year=year, status=Submission.Status.ACCEPTED).values_list(
            "pk", flat=True
        )
    )
    SubmissionTransition.objects.bulk_create(
        SubmissionTransition(
            submission_id=pk,
            from_status=Submission.Status.ACCEPTED,
            to_status=Submission.Status.PUBLISHED,
            actor=release.published_by,
            comment=f"release {release.year}/{release.number}",
        )
        for pk in newly_published
    )
    Submission.objects.filter(pk__in=newly_published).update(
        status=Submission.Status.PUBLISHED, published_at=release.published_at
    )
    return release


def latest_release(*, year: int) -> Release | None:
    return Release.objects.filter(year=year).order_by("-number").first()
