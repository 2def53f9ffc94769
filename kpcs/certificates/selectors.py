"""Every read of the certificate registry, with its access rule.

An authority sees the certificates its participant issued or received (and their alerts and
files); the secretariat sees all; other roles see none. Void notices and specimens are seen
by every logged-in user (the views require the log-in). The public verification answers one
word about one certificate, and nothing commercial.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from kpcs.certificates.models import (
    Certificate,
    CertificateAlert,
    CertificateUpload,
    Specimen,
    VoidNotice,
)
from kpcs.participants.models import Participant

# certificate_status_public's answers.
VALID = "valid"
CONFIRMED = "confirmed"
EXPIRED = "expired"
VOID = "void"
UNKNOWN = "unknown"


def _role(user: Any) -> tuple[bool, int | None]:
    """(is the secretariat, the authority's participant id) for an active user."""
    if not getattr(user, "is_authenticated", False):
        return False, None
    if getattr(user, "is_secretariat", False):
        return True, None
    if getattr(user, "is_authority", False):
        return False, user.participant_id
    return False, None


def certificates_visible_to(*, user: Any) -> QuerySet[Certificate]:
    """The certificates `user` may see: all for the secretariat, those its participant issued
    or received for an authority, none otherwise."""
    secretariat, participant_id = _role(user)
    certificates = Certificate.objects.all()
    if secretariat:
        return certificates
    if participant_id is None:
        return certificates.none()
    return certificates.filter(
        Q(issuing_participant_id=participant_id) | Q(destination_participant_id=participant_id)
    )


def certificate_list(
    *,
    user: Any,
    issuing_participant: Participant | str | None = None,
    destination_participant: Participant | str | None = None,
    status: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    number: str | None = None,
) -> QuerySet[Certificate]:
    """The certificates `user` may see, newest issue first, filtered: by participant (a
    Participant or its code), status, date of issue (inclusive) and number (its beginning,
    as printed, in either case)."""
    certificates = certificates_visible_to(user=user)
    for name, value in (
        ("issuing_participant", issuing_participant),
        ("destination_participant", destination_participant),
    ):
        if isinstance(value, Participant):
            certificates = certificates.filter(**{f"{name}_id": value.pk})
        elif value:
            certificates = certificates.filter(**{f"{name}__code": str(value).strip().upper()})
    if status:
        certificates = certificates.filter(status=status)
    if date_from:
        certificates = certificates.filter(date_issued__gte=date_from)
    if date_to:
        certificates = certificates.filter(date_issued__lte=date_to)
    if number:
        certificates = certificates.filter(number__startswith=number.strip().upper())
    return certificates.select_related(
        "issuing_participant", "destination_participant", "exporting_country", "origin"
    ).order_by("-date_issued", "issuing_participant__code", "number")


def certificate_get(*, user: Any, issuing_code: str, number: str) -> Certificate | None:
    """One certificate with its lines, confirmation, void notice and alerts; None when it
    does not exist or `user` may not see it (the same answer for both)."""
    return (
        certificates_visible_to(user=user)
        .filter(
            issuing_participant__code=issuing_code.strip().upper(), number=number.strip().upper()
        )
        .select_related(
            "issuing_participant",
            "destination_participant",
            "exporting_country",
            "origin",
            "recorded_by",
            "upload",
            "confirmation__confirming_participant",
            "confirmation__recorded_by",
            "void_notice__declared_by",
        )
        .prefetch_related("lines", "alerts")
        .first()
    )


_STATUS_SQL = (
    "SELECT c.status, c.date_expiry, c.carats FROM {certificate} c "
    "JOIN {participant} p ON p.id = c.issuing_participant_id "
    "WHERE p.code = %s AND c.number = %s"
)


def certificate_status_public(
    *,
    participant_code: str,
    number: str,
    carats: Decimal | str | None = None,
    today: dt.date | None = None,
) -> str:
    """What anyone may know about a certificate: "valid" (issued, not past its expiry),
    "confirmed", "expired" (expired unconfirmed, or issued and past its expiry), "void", or
    "unknown". With `carats`, a certificate whose total differs beyond
    CERTIFICATE_CARATS_TOLERANCE is "unknown": the paper in front of the customs officer is
    not the certificate recorded, and answering "valid" would vouch for it. One query on the
    (issuer, number) unique index."""
    code = (participant_code or "").strip().upper()
    wanted = (number or "").strip().upper()
    if not code or not wanted:
        return UNKNOWN
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            _STATUS_SQL.format(
                certificate=quote(Certificate._meta.db_table),
                participant=quote(Participant._meta.db_table),
            ),
            [code, wanted],
        )
        found = cursor.fetchone()
    if found is None:
        return UNKNOWN
    status, expiry, total = found
    if carats not in (None, ""):
        try:
            given = Decimal(str(carats))
        except InvalidOperation:
            return UNKNOWN
        tolerance = Decimal(str(settings.CERTIFICATE_CARATS_TOLERANCE))
        if abs(given - total) > total * tolerance:
            return UNKNOWN
    if status == Certificate.Status.ISSUED:
        return VALID if expiry >= (today or timezone.localdate()) else EXPIRED
    return {
        Certificate.Status.CONFIRMED: CONFIRMED,
        Certificate.Status.EXPIRED: EXPIRED,
        Certificate.Status.VOID: VOID,
    }.get(status, UNKNOWN)


def void_notice_list() -> QuerySet[VoidNotice]:
    """Every void notice, newest first (every logged-in user sees them)."""
    return VoidNotice.objects.select_related(
        "certificate__issuing_participant",
        "certificate__destination_participant",
        "declared_by",
    ).order_by("-declared_at", "-id")


def specimen_list(*, participant: Participant | None = None) -> QuerySet[Specimen]:
    """The specimens, by participant and newest first, with their pictures."""
    specimens = Specimen.objects.select_related("participant").prefetch_related("images")
    if participant is not None:
        specimens = specimens.filter(participant=participant)
    return specimens.order_by("participant__code", "-valid_from")


def alerts_for(*, user: Any, include_dismissed: bool = False) -> QuerySet[CertificateAlert]:
    """The alerts addressed to `user`'s side: the secretariat gets every alert, an authority
    those about certificates its participant issued or received. Without
    `include_dismissed`, only those its side has not dismissed."""
    secretariat, participant_id = _role(user)
    alerts = CertificateAlert.objects.select_related(
        "certificate__issuing_participant", "certificate__destination_participant"
    ).order_by("-created_at", "-id")
    if secretariat:
        if not include_dismissed:
            alerts = alerts.filter(dismissed_by_secretariat_at__isnull=True)
        return alerts
    if participant_id is None:
        return alerts.none()
    issued = Q(certificate__issuing_participant_id=participant_id)
    received = Q(certificate__destination_participant_id=participant_id)
    if include_dismissed:
        return alerts.filter(issued | received)
    return alerts.filter(
        (issued & Q(dismissed_by_issuer_at__isnull=True))
        | (received & Q(dismissed_by_destination_at__isnull=True))
    )


def uploads_for(*, user: Any) -> QuerySet[CertificateUpload]:
    """The files `user` may follow: all for the secretariat, its participant's for an
    authority (whoever of its authority sent them), none otherwise."""
    secretariat, participant_id = _role(user)
    uploads = CertificateUpload.objects.select_related(
        "participant", "uploaded_by", "job"
    ).order_by("-created_at", "-id")
    if secretariat:
        return uploads
    if participant_id is None:
        return uploads.none()
    return uploads.filter(participant_id=participant_id)


def upload_get(*, user: Any, upload_id: int) -> CertificateUpload | None:
    return uploads_for(user=user).filter(pk=upload_id).first()
