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
from django.utils.translation import gettext as _

from kpcs.common import audit
from kpcs.statistics.models import Release, Submission, SubmissionTransition

PUBLISHABLE = (Submission.Status.ACCEPTED, Submission.Status.PUBLISHED)
# Key of the PostgreSQL advisory lock that serialises publications (with the year).
RELEASE_LOCK = 7102


class PublicationError(Exception):
    """A release that must not be made; the message says why."""


@transaction.atomic
def release_publish(*, year: int, note: str = "", actor: Any = None) -> Release:
    """Publish every accepted (or already published) submission of `year` as a new release
    and mark the accepted ones published. Figures are summed over the year's periods.

    Refused when nothing of the year is accepted; a revision (release 2 and later) without a
    note gets one naming the participants whose newly accepted figures it publishes."""
    with connection.cursor() as cursor:
        # One publication of a year at a time: numbers are consecutive, and a submission
        # accepted meanwhile waits for the next release instead of being half-included.
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [RELEASE_LOCK, year])
    publishable = list(
        Submission.objects.filter(year=year, status__in=PUBLISHABLE).values_list("pk", "status")
    )
    if not publishable:
        raise PublicationError(
            _("Nothing of %(year)s is accepted yet: there is nothing to publish.") % {"year": year}
        )
    last = Release.objects.filter(year=year).aggregate(last=Max("number"))["last"] or 0
    newly_published = [pk for pk, status in publishable if status == Submission.Status.ACCEPTED]
    if last and not note.strip():
        # A revision always says what changed; without the secretariat's words, say whose.
        codes = sorted(
            Submission.objects.filter(pk__in=newly_published)
            .values_list("participant__code", flat=True)
            .distinct()
        )
        note = _("Revises release %(last)s: newly accepted figures of %(codes)s.") % {
            "last": last,
            "codes": ", ".join(codes) or "—",
        }
    release = Release.objects.create(
        year=year,
        number=last + 1,
        published_at=timezone.now(),
        published_by=actor if getattr(actor, "is_authenticated", False) else None,
        note=note.strip(),
    )
    audit.record_create(actor=actor, instance=release, reason=release.note)
    ids = [pk for pk, _status in publishable]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO statistics_releaseproduction (release_id, participant_id, carats, value_usd)
            SELECT %s, s.participant_id, SUM(p.carats), SUM(p.value_usd)
            FROM statistics_productionrecord p
            JOIN statistics_submission s ON s.id = p.submission_id
            WHERE s.id = ANY(%s) AND s.dataset = 'production'
            GROUP BY s.participant_id
            """,
            [release.pk, ids],
        )
        cursor.execute(
            """
            INSERT INTO statistics_releasetrade
                (release_id, participant_id, flow, carats, value_usd, certificates)
            SELECT %s, s.participant_id, t.flow, SUM(t.carats), SUM(t.value_usd),
                   SUM(t.certificates)
            FROM statistics_traderecord t
            JOIN statistics_submission s ON s.id = t.submission_id
            WHERE s.id = ANY(%s) AND s.dataset = 'trade'
            GROUP BY s.participant_id, t.flow
            """,
            [release.pk, ids],
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
    published = list(
        Submission.objects.filter(pk__in=newly_published).select_related("participant")
    )
    Submission.objects.filter(pk__in=newly_published).update(
        status=Submission.Status.PUBLISHED, published_at=release.published_at
    )
    audit.record_many(
        actor=actor,
        action="update",
        changes_by_instance=[
            (
                submission,
                {
                    "status": [submission.status, Submission.Status.PUBLISHED.value],
                    "published_at": [
                        None if submission.published_at is None else str(submission.published_at),
                        str(release.published_at),
                    ],
                },
            )
            for submission in published
        ],
        reason=f"release {release.year}/{release.number}",
    )
    return release


def latest_release(*, year: int) -> Release | None:
    return Release.objects.filter(year=year).order_by("-number").first()
