"""Every write to the certificate registry (docs/certificates.md).

Certificates and import confirmations, whichever way they come (a file, the browser form,
the API, `manage.py import_certificates`), go through the same validation
(kpcs.certificates.validation) and the same all-or-nothing storage
(kpcs.certificates.importing). Services raise `CertificateValidationError` (every finding)
for bad input and `PermissionDenied` when the actor may not do it; nothing is half-saved.

Who may act: the secretariat for any participant; a participant's authority for its own
participant only; nobody else. `actor=None` is the system itself (management commands,
scheduled tasks), which acts as the secretariat.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kpcs.accounts.models import Role, User
from kpcs.certificates.importing import (
    DEFAULT_CHUNK_SIZE,
    CertificateFileError,
    CertificateImportReport,
    ConfirmationImportReport,
    Progress,
    certificate_file_read,
    certificate_rows_import,
    confirmation_file_read,
    confirmation_rows_import,
)
from kpcs.certificates.models import (
    Certificate,
    CertificateAlert,
    CertificateUpload,
    ImportConfirmation,
    Specimen,
    SpecimenImage,
    VoidNotice,
)
from kpcs.certificates.validation import (
    CERTIFICATE_COLUMNS,
    LINE_COLUMNS,
    CertificateValidationError,
    CertificateValidator,
    ConfirmationValidator,
    Finding,
)
from kpcs.common.audit import (
    record_create,
    record_many,
    record_update,
    save_with_audit,
    snapshot,
)
from kpcs.common.models import AuditEntry
from kpcs.participants.models import AuthorityContact, Participant

__all__ = [
    "CertificateFileError",
    "CertificateImportReport",
    "CertificateValidationError",
    "ConfirmationImportReport",
    "alert_dismiss",
    "certificate_record",
    "certificate_upload_process",
    "certificate_upload_start",
    "certificate_void",
    "certificates_expire",
    "certificates_import",
    "confirmation_record",
    "confirmations_import",
    "specimen_register",
]

logger = logging.getLogger(__name__)

# Uploads: a month of a large exporter is a few MB; twenty years of every participant
# (a million rows) about 150 MB.
MAX_UPLOAD_BYTES = 400 * 1024 * 1024
UPLOAD_SUFFIXES = (".csv", ".xlsx")
MAX_IMAGE_BYTES = 5 * 1024 * 1024
IMAGE_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "GIF": "GIF", "WEBP": "WebP"}
# An expiry e-mail lists this many certificates, then says how many more there are.
EMAIL_LIST_LIMIT = 50
EXPIRE_BATCH = 5_000
UPLOAD_JOB_KIND = "certificate_upload"


# --- Who may act ------------------------------------------------------------------------------


def _acting_participant(actor: Any, participant: Participant | None) -> Participant | None:
    """The participant the actor records for (None: the secretariat or the system, for any
    participant). PermissionDenied for a role that records nothing, or an authority acting
    for another participant."""
    if actor is None or getattr(actor, "is_secretariat", False):
        return participant
    if getattr(actor, "is_authority", False) and actor.participant_id is not None:
        if participant is not None and participant.pk != actor.participant_id:
            raise PermissionDenied(
                _("An authority records certificates for its own participant only.")
            )
        return participant if participant is not None else actor.participant
    raise PermissionDenied(
        _("Only participant authorities and the KP secretariat record certificates.")
    )


def _user(actor: Any) -> User | None:
    return actor if getattr(actor, "is_authenticated", False) else None


def _batch_audit(*, actor: Any, model: type[Any], description: str, changes: dict) -> None:
    """One trail entry for a whole import without an upload record (a file loaded by the
    command, a batch from the API): a million rows do not make a million entries."""
    user = _user(actor)
    AuditEntry.objects.create(
        actor=user,
        actor_name=user.get_username() if user else "system",
        action=AuditEntry.Action.CREATE,
        content_type=ContentType.objects.get_for_model(model),
        object_id="batch",
        object_repr=description[:255],
        changes=changes,
    )


# --- Certificates and confirmations in bulk ----------------------------------------------------


def certificates_import(
    *,
    rows: Iterable[Mapping[str, Any]],
    actor: Any,
    participant: Participant | None = None,
    upload: CertificateUpload | None = None,
    progress: Progress | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> CertificateImportReport:
    """Record certificate rows (FORMATS.md §2: one row per HS code, any number of
    certificates): all of them or none. An authority records its own participant's
    certificates; the secretariat (or the system) any. Certificates already recorded
    identically are left as they are, so importing a file twice changes nothing.
    `rows` may be a stream (certificate_file_read): it is read once, in batches."""
    acting = _acting_participant(actor, participant)
    user = _user(actor)
    with transaction.atomic():
        try:
            report = certificate_rows_import(
                rows,
                validator=CertificateValidator(participant=acting),
                recorded_by_id=user.pk if user else None,
                upload_id=upload.pk if upload else None,
                progress=progress,
                chunk_size=chunk_size,
            )
        except IntegrityError as exc:
            # Another import recorded one of these numbers meanwhile.
            raise _recorded_meanwhile() from exc
        if upload is not None:
            _upload_stored(
                upload,
                actor=actor,
                rows=report.rows,
                stored=report.created,
                unchanged=report.unchanged,
            )
        elif report.created:
            _batch_audit(
                actor=actor,
                model=Certificate,
                description=_("%(count)d certificates recorded in one batch")
                % {"count": report.created},
                changes={
                    "certificates": [None, str(report.created)],
                    "lines": [None, str(report.lines)],
                },
            )
    return report


def confirmations_import(
    *,
    rows: Iterable[Mapping[str, Any]],
    actor: Any,
    participant: Participant | None = None,
    upload: CertificateUpload | None = None,
    progress: Progress | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> ConfirmationImportReport:
    """Record import confirmation rows (FORMATS.md §3): all or none. An authority confirms
    what its own participant received; the secretariat (or the system) for any destination.
    Each confirmed certificate becomes `confirmed`; carats received beyond the tolerance
    are flagged and raise an alert for both authorities and the secretariat. Identical
    confirmations already recorded change nothing."""
    acting = _acting_participant(actor, participant)
    user = _user(actor)
    with transaction.atomic():
        try:
            report = confirmation_rows_import(
                rows,
                validator=ConfirmationValidator(participant=acting),
                recorded_by_id=user.pk if user else None,
                upload_id=upload.pk if upload else None,
                progress=progress,
                chunk_size=chunk_size,
            )
        except IntegrityError as exc:
            raise _recorded_meanwhile() from exc
        if upload is not None:
            _upload_stored(
                upload,
                actor=actor,
                rows=report.rows,
                stored=report.confirmed,
                unchanged=report.unchanged,
            )
        elif report.confirmed:
            _batch_audit(
                actor=actor,
                model=ImportConfirmation,
                description=_("%(count)d import confirmations recorded in one batch")
                % {"count": report.confirmed},
                changes={
                    "confirmations": [None, str(report.confirmed)],
                    "flagged": [None, str(report.flagged)],
                },
            )
    return report


def _recorded_meanwhile() -> CertificateValidationError:
    return CertificateValidationError(
        [
            Finding(
                None,
                "",
                "recorded_meanwhile",
                _(
                    "Some of these records were stored by someone else while they were being "
                    "checked; nothing was stored. Send them again."
                ),
            )
        ]
    )


# --- One certificate, one confirmation ----------------------------------------------------------


def _form_findings(findings: Sequence[Finding]) -> list[Finding]:
    """Findings of a form or API body: header fields by name (once, although every line
    repeats the header), line fields as "line N" (row 2 is line 1)."""
    placed: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for finding in findings:
        if finding.row is not None and (
            finding.column in LINE_COLUMNS or finding.code == "hs_code_repeated"
        ):
            placed.append(
                Finding(None, finding.column, finding.code, finding.message, line=finding.row - 1)
            )
        elif (finding.column, finding.code) not in seen:
            seen.add((finding.column, finding.code))
            placed.append(Finding(None, finding.column, finding.code, finding.message))
    return placed


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value).strip()


def certificate_record(
    *,
    actor: Any,
    participant: Participant | None,
    header: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]],
) -> Certificate:
    """Record one certificate with its lines (the browser form, the API), under exactly the
    rules of a file. `header` holds the FORMATS.md §2 header columns (`issuing_participant`
    defaults to the actor's participant), each line `hs_code`, `carats`, `value_usd`,
    `parcels`. Findings name the field, and for a line `line` (1, 2, …). A certificate
    recorded before exactly so is returned unchanged."""
    acting = _acting_participant(actor, participant)
    values = {
        column: _as_text(header.get(column))
        for column in CERTIFICATE_COLUMNS
        if column not in LINE_COLUMNS
    }
    if not values["issuing_participant"] and acting is not None:
        values["issuing_participant"] = acting.code
    if not lines:
        raise CertificateValidationError(
            [
                Finding(
                    None,
                    "lines",
                    "no_lines",
                    _("A certificate has at least one line (an HS code with its carats)."),
                )
            ]
        )
    rows = [
        (index + 2, {**values, **{c: _as_text(line.get(c)) for c in LINE_COLUMNS}})
        for index, line in enumerate(lines)
    ]
    user = _user(actor)
    with transaction.atomic():
        check = CertificateValidator(participant=acting).check(rows)
        if check.findings:
            raise CertificateValidationError(_form_findings(check.findings))
        if check.unchanged_ids:
            return Certificate.objects.select_related("issuing_participant").get(
                pk=check.unchanged_ids[0]
            )
        from kpcs.certificates.importing import _certificates_copy

        try:
            with transaction.atomic():
                _certificates_copy(
                    check.certificates,
                    now=timezone.now(),
                    recorded_by_id=user.pk if user else None,
                    upload_id=None,
                )
        except IntegrityError as exc:
            raise _recorded_meanwhile() from exc
        clean = check.certificates[0]
        certificate = Certificate.objects.select_related("issuing_participant").get(
            issuing_participant_id=clean.issuing_participant_id, number=clean.number
        )
        record_create(
            actor=actor,
            instance=certificate,
            after=snapshot(certificate)
            | {
                "lines": "; ".join(
                    f"{line.hs_code} {line.carats} ct {line.value_usd} US$ {line.parcels}"
                    for line in clean.lines
                )
            },
        )
    return certificate


def confirmation_record(
    *,
    actor: Any,
    participant: Participant | None,
    certificate_number: str,
    issuing_participant_code: str,
    date_received: dt.date | str,
    carats: Decimal | str,
) -> ImportConfirmation:
    """Record one import confirmation (the browser, the API) under the rules of a file. The
    confirming participant is the actor's (for the secretariat: `participant`, or else the
    certificate's destination). An identical confirmation recorded before is returned as it
    is."""
    acting = _acting_participant(actor, participant)
    number = _as_text(certificate_number).upper()
    issuer = _as_text(issuing_participant_code).upper()
    if acting is not None:
        confirming = acting.code
    else:
        destination = (
            Certificate.objects.filter(issuing_participant__code=issuer, number=number)
            .values_list("destination_participant__code", flat=True)
            .first()
        )
        confirming = destination or ""
        if destination is None:
            raise CertificateValidationError(
                [
                    Finding(
                        None,
                        "certificate_number",
                        "certificate_unknown",
                        _(
                            "%(issuer)s has recorded no certificate %(number)s; check the "
                            "number and the issuing participant."
                        )
                        % {"issuer": issuer or "—", "number": number or "—"},
                    )
                ]
            )
    row = {
        "certificate_number": number,
        "issuing_participant": issuer,
        "confirming_participant": confirming,
        "date_received": _as_text(date_received),
        "carats": _as_text(carats),
    }
    user = _user(actor)
    with transaction.atomic():
        check = ConfirmationValidator(participant=acting).check([(2, row)])
        if check.findings:
            raise CertificateValidationError(
                [Finding(None, f.column, f.code, f.message) for f in check.findings]
            )
        if check.unchanged_ids:
            return ImportConfirmation.objects.get(certificate_id=check.unchanged_ids[0])
        from kpcs.certificates.importing import _confirmations_store

        try:
            with transaction.atomic():
                stale = _confirmations_store(
                    check.confirmations,
                    now=timezone.now(),
                    recorded_by_id=user.pk if user else None,
                    upload_id=None,
                )
        except IntegrityError as exc:
            raise _recorded_meanwhile() from exc
        if stale:
            raise CertificateValidationError(
                [Finding(None, f.column, f.code, f.message) for f in stale]
            )
        confirmation = ImportConfirmation.objects.select_related("certificate").get(
            certificate_id=check.confirmations[0].certificate_id
        )
        record_create(actor=actor, instance=confirmation)
    return confirmation


# --- Void, expiry, alerts ------------------------------------------------------------------------


def certificate_void(
    *, actor: Any, certificate: Certificate, reason: str, note: str = ""
) -> VoidNotice:
    """Declare a certificate void (lost, stolen, cancelled): every participant sees the
    notice, and it can no longer be confirmed. The issuing participant's authority or the
    secretariat may do it, for an issued or expired certificate; a confirmed certificate
    (its shipment arrived) only the secretariat may void, for a certificate found forged or
    fraudulent after the fact."""
    secretariat = actor is None or getattr(actor, "is_secretariat", False)
    if not secretariat and not (
        getattr(actor, "is_authority", False)
        and actor.participant_id == certificate.issuing_participant_id
    ):
        raise PermissionDenied(
            _("Only the authority that issued a certificate, or the secretariat, declares it void.")
        )
    findings = []
    if reason not in VoidNotice.Reason.values:
        findings.append(
            Finding(
                None,
                "reason",
                "reason_invalid",
                _("“%(value)s” is not a reason: use lost, stolen or cancelled.")
                % {"value": str(reason)[:40]},
            )
        )
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.status == Certificate.Status.VOID:
            findings.append(
                Finding(
                    None,
                    "",
                    "already_void",
                    _("Certificate %(number)s is already void.") % {"number": locked.number},
                )
            )
        elif locked.status == Certificate.Status.CONFIRMED and not secretariat:
            findings.append(
                Finding(
                    None,
                    "",
                    "confirmed_not_voidable",
                    _(
                        "Certificate %(number)s is confirmed: its shipment arrived. Ask the "
                        "secretariat if it must be declared void (e.g. found forged)."
                    )
                    % {"number": locked.number},
                )
            )
        if findings:
            raise CertificateValidationError(findings)
        notice = VoidNotice(
            certificate=locked, reason=reason, note=note.strip(), declared_by=_user(actor)
        )
        save_with_audit(instance=notice, actor=actor)
        before = snapshot(locked)
        locked.status = Certificate.Status.VOID
        locked.status_changed_at = timezone.now()
        locked.save(update_fields=["status", "status_changed_at"])
        record_update(actor=actor, instance=locked, before=before, reason=reason)
    certificate.status = locked.status
    certificate.status_changed_at = locked.status_changed_at
    return notice


@dataclass
class _Digest:
    """The certificates one recipient hears about in one expiry run."""

    count: int = 0
    lines: list[str] = field(default_factory=list)

    def add(self, line: str) -> None:
        self.count += 1
        if len(self.lines) < EMAIL_LIST_LIMIT:
            self.lines.append(line)


def certificates_expire(*, today: dt.date | None = None) -> int:
    """Mark `expired` every issued certificate still unconfirmed
    CERTIFICATE_CONFIRMATION_GRACE_DAYS days after its expiry, with one alert each, and
    tell the two authorities and the secretariat by e-mail (one message per recipient per
    run, listing the certificates). Confirmed and void certificates never expire. Returns
    the number expired; a second run the same day finds none."""
    today = today or timezone.localdate()
    cutoff = today - dt.timedelta(days=settings.CERTIFICATE_CONFIRMATION_GRACE_DAYS)
    expired = 0
    by_participant: dict[int, _Digest] = defaultdict(_Digest)
    secretariat = _Digest()
    while True:
        with transaction.atomic():
            batch = list(
                Certificate.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(status=Certificate.Status.ISSUED, date_expiry__lt=cutoff)
                .order_by("date_expiry", "id")
                .values_list(
                    "id",
                    "number",
                    "issuing_participant_id",
                    "issuing_participant__code",
                    "destination_participant_id",
                    "destination_participant__code",
                    "date_issued",
                    "date_expiry",
                )[:EXPIRE_BATCH]
            )
            if not batch:
                break
            now = timezone.now()
            Certificate.objects.filter(pk__in=[b[0] for b in batch]).update(
                status=Certificate.Status.EXPIRED, status_changed_at=now
            )
            # Each certificate's history says when and why it expired (the system did it).
            record_many(
                actor=None,
                action=AuditEntry.Action.UPDATE,
                changes_by_instance=[
                    (
                        Certificate(pk=b[0], number=b[1], issuing_participant_id=b[2]),
                        {
                            "status": [Certificate.Status.ISSUED, Certificate.Status.EXPIRED],
                            "status_changed_at": [None, str(now)],
                        },
                    )
                    for b in batch
                ],
                reason="no import confirmation within the grace period",
            )
            alerts = []
            for pk, number, issuer_id, issuer, dest_id, dest, issued, expiry in batch:
                message = _expiry_message(number, issuer, dest, issued, expiry)
                alerts.append(
                    CertificateAlert(
                        certificate_id=pk,
                        kind=CertificateAlert.Kind.EXPIRED_UNCONFIRMED,
                        message=message,
                    )
                )
                line = (
                    f"{number} ({issuer} → {dest}), {_('issued')} {issued.isoformat()}, "
                    f"{_('expired')} {expiry.isoformat()}"
                )
                by_participant[issuer_id].add(line)
                by_participant[dest_id].add(line)
                secretariat.add(line)
            CertificateAlert.objects.bulk_create(alerts, batch_size=2000, ignore_conflicts=True)
            expired += len(batch)
    if expired:
        _expiry_emails(by_participant, secretariat, today=today)
    return expired


def _expiry_message(
    number: str, issuer: str, destination: str, issued: dt.date, expiry: dt.date
) -> str:
    return _(
        "No import confirmation arrived for certificate %(number)s, issued by %(issuer)s on "
        "%(issued)s for a shipment to %(destination)s. It expired on %(expiry)s and the "
        "%(days)s days allowed for the confirmation have passed: the importing authority "
        "should confirm the arrival, or the issuing authority find out what happened to the "
        "shipment."
    ) % {
        "number": number,
        "issuer": issuer,
        "destination": destination,
        "issued": issued.isoformat(),
        "expiry": expiry.isoformat(),
        "days": settings.CERTIFICATE_CONFIRMATION_GRACE_DAYS,
    }


def _participant_addresses(participant_ids: Iterable[int]) -> dict[int, set[str]]:
    """E-mail addresses of each participant's authority contacts and authority users."""
    addresses: dict[int, set[str]] = defaultdict(set)
    ids = list(participant_ids)
    for participant_id, email in (
        AuthorityContact.objects.filter(authority__participant_id__in=ids)
        .exclude(email="")
        .values_list("authority__participant_id", "email")
    ):
        addresses[participant_id].add(email)
    for participant_id, email in (
        User.objects.filter(participant_id__in=ids, role=Role.AUTHORITY, is_active=True)
        .exclude(email="")
        .values_list("participant_id", "email")
    ):
        addresses[participant_id].add(email)
    return addresses


def _expiry_emails(
    by_participant: Mapping[int, _Digest], secretariat: _Digest, *, today: dt.date
) -> None:
    subject = _("KP certificates expired without import confirmation (%(date)s)") % {
        "date": today.isoformat()
    }
    intro = _(
        "These KP certificates expired without an import confirmation; %(days)s days have "
        "passed since their expiry. Each is marked “expired unconfirmed” in the certificate "
        "registry, with an alert."
    ) % {"days": settings.CERTIFICATE_CONFIRMATION_GRACE_DAYS}

    def body(digest: _Digest) -> str:
        more = digest.count - len(digest.lines)
        tail = (
            ["", _("… and %(count)d more: see the alerts in the registry.") % {"count": more}]
            if more > 0
            else []
        )
        return "\n".join([intro, "", *digest.lines, *tail])

    addresses = _participant_addresses(by_participant)
    mails = [
        (sorted(addresses[pid]), body(d)) for pid, d in by_participant.items() if addresses.get(pid)
    ]
    staff = sorted(
        set(
            User.objects.filter(role=Role.SECRETARIAT, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )
    if staff:
        mails.append((staff, body(secretariat)))
    for recipients, text in mails:
        try:
            send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, recipients)
        except Exception:  # a mail server down must not undo the expiry; the alerts remain
            logger.exception("could not send the certificate expiry e-mail to %s", recipients)


def alert_dismiss(*, actor: Any, alert: CertificateAlert) -> CertificateAlert:
    """The actor's side (issuing authority, destination authority or secretariat)
    dismisses the alert; the other recipients still see it. Dismissing twice changes
    nothing."""
    certificate = alert.certificate
    if getattr(actor, "is_secretariat", False):
        side = "dismissed_by_secretariat_at"
    elif getattr(actor, "is_authority", False) and actor.participant_id is not None:
        if actor.participant_id == certificate.issuing_participant_id:
            side = "dismissed_by_issuer_at"
        elif actor.participant_id == certificate.destination_participant_id:
            side = "dismissed_by_destination_at"
        else:
            raise PermissionDenied(_("This alert is not addressed to your participant."))
    else:
        raise PermissionDenied(_("This alert is not addressed to you."))
    if getattr(alert, side) is None:
        with transaction.atomic():
            save_with_audit(
                instance=alert, actor=actor, values={side: timezone.now()}, validate=False
            )
    return alert


# --- Specimens -----------------------------------------------------------------------------------


def _image_finding(index: int, upload: Any) -> Finding | None:
    from PIL import Image, UnidentifiedImageError

    name = Path(getattr(upload, "name", "") or f"image {index}").name
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
    if size > MAX_IMAGE_BYTES:
        return Finding(
            None,
            "images",
            "image_too_large",
            _("%(name)s is %(size).1f MB; an image may be 5 MB at most.")
            % {"name": name, "size": size / (1024 * 1024)},
        )
    try:
        upload.seek(0)
        with Image.open(upload) as picture:
            kind = picture.format or ""
            picture.verify()
    except Image.DecompressionBombError:
        # A few bytes claiming billions of pixels: decoding it would fill the memory.
        return Finding(
            None,
            "images",
            "image_too_large",
            _(
                "%(name)s claims more than %(pixels)s million pixels, far more than a scan "
                "of a certificate; send a smaller picture."
            )
            % {"name": name, "pixels": (Image.MAX_IMAGE_PIXELS or 0) * 2 // 1_000_000},
        )
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        kind = ""
    finally:
        upload.seek(0)
    if kind not in IMAGE_FORMATS:
        return Finding(
            None,
            "images",
            "image_invalid",
            _("%(name)s is not a picture the registry keeps; send JPEG, PNG, GIF or WebP.")
            % {"name": name},
        )
    return None


def specimen_register(
    *,
    actor: Any,
    participant: Participant,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    notified_on: dt.date | None = None,
    security_features: str,
    images: Sequence[UploadedFile | tuple[UploadedFile, str]] = (),
) -> Specimen:
    """Register a participant's certificate specimen as notified through the Chair, with
    its pictures (JPEG, PNG, GIF or WebP, 5 MB each at most; an item may be (file,
    caption)). The participant's authority or the secretariat does it."""
    _acting_participant(actor, participant)
    findings = []
    if not security_features or not security_features.strip():
        findings.append(
            Finding(
                None,
                "security_features",
                "required",
                _("Describe the specimen's security features."),
            )
        )
    if valid_to is not None and valid_to < valid_from:
        findings.append(
            Finding(
                None,
                "valid_to",
                "valid_to_before_from",
                _("valid to %(to)s is before valid from %(from)s.")
                % {"to": valid_to.isoformat(), "from": valid_from.isoformat()},
            )
        )
    pictures = [item if isinstance(item, tuple) else (item, "") for item in images]
    for index, (upload, _caption) in enumerate(pictures, start=1):
        problem = _image_finding(index, upload)
        if problem is not None:
            findings.append(problem)
    if Specimen.objects.filter(participant=participant, valid_from=valid_from).exists():
        findings.append(
            Finding(
                None,
                "valid_from",
                "specimen_exists",
                _("%(code)s already has a specimen valid from %(date)s.")
                % {"code": participant.code, "date": valid_from.isoformat()},
            )
        )
    if findings:
        raise CertificateValidationError(findings)
    with transaction.atomic():
        specimen = Specimen(
            participant=participant,
            valid_from=valid_from,
            valid_to=valid_to,
            notified_on=notified_on,
            security_features=security_features.strip(),
            recorded_by=_user(actor),
        )
        try:
            with transaction.atomic():
                save_with_audit(instance=specimen, actor=actor)
        except (IntegrityError, ValidationError) as exc:
            # Registered meanwhile by someone else (full_clean checks the unique constraint).
            raise CertificateValidationError(
                [
                    Finding(
                        None,
                        "valid_from",
                        "specimen_exists",
                        _("%(code)s already has a specimen valid from %(date)s.")
                        % {"code": participant.code, "date": valid_from.isoformat()},
                    )
                ]
            ) from exc
        for upload, caption in pictures:
            picture = SpecimenImage(specimen=specimen, caption=(caption or "")[:200])
            picture.image.save(Path(upload.name or "specimen").name, upload, save=False)
            picture.save()
            record_create(actor=actor, instance=picture)
    return specimen


# --- Uploads -------------------------------------------------------------------------------------


def certificate_upload_start(
    *, actor: Any, participant: Participant | None, kind: str, uploaded_file: UploadedFile
) -> CertificateUpload:
    """Keep an uploaded certificates or confirmations file and queue its check (a background
    job with a progress bar: the browser may be closed meanwhile). The check stores the file
    whole or refuses it with every finding (tasks.certificate_upload_check)."""
    from kpcs.certificates.tasks import certificate_upload_check
    from kpcs.common.jobs import background_job_start

    acting = _acting_participant(actor, participant)
    name = Path(uploaded_file.name or "upload.csv").name
    findings = []
    if kind not in CertificateUpload.Kind.values:
        findings.append(
            Finding(
                None,
                "kind",
                "kind_invalid",
                _("“%(value)s” is not a kind of file: certificates or confirmations.")
                % {"value": str(kind)[:40]},
            )
        )
    if Path(name).suffix.lower() not in UPLOAD_SUFFIXES:
        findings.append(
            Finding(
                None,
                "file",
                "unsupported_format",
                _("%(name)s is neither a .csv nor an .xlsx file.") % {"name": name},
            )
        )
    if not uploaded_file.size:
        findings.append(
            Finding(None, "file", "empty_file", _("The file %(name)s is empty.") % {"name": name})
        )
    elif uploaded_file.size > MAX_UPLOAD_BYTES:
        findings.append(
            Finding(
                None,
                "file",
                "file_too_large",
                _("%(name)s is larger than %(size)d MB; split it, e.g. by year.")
                % {"name": name, "size": MAX_UPLOAD_BYTES // (1024 * 1024)},
            )
        )
    if findings:
        raise CertificateValidationError(findings)
    upload = CertificateUpload(
        kind=kind,
        participant=acting,
        uploaded_by=_user(actor),
        original_name=name[:255],
    )
    try:
        with transaction.atomic():
            # The file first (complete or not at all: kpcs.common.storage), then its row.
            upload.file.save(name, uploaded_file, save=False)
            upload.save()
            record_create(actor=actor, instance=upload)
            if kind == CertificateUpload.Kind.CERTIFICATES:
                description = _("Check of the certificates file %(name)s")
            else:
                description = _("Check of the import confirmations file %(name)s")
            job = background_job_start(
                kind=UPLOAD_JOB_KIND,
                description=(description % {"name": name})[:255],
                task=certificate_upload_check,
                user=actor,
                upload_id=upload.pk,
            )
            upload.job = job
            upload.save(update_fields=["job"])
    except BaseException:
        # The row is rolled back; the file written for it must not stay behind unregistered.
        if upload.file.name:
            upload.file.storage.delete(upload.file.name)
        raise
    return upload


def _upload_stored(
    upload: CertificateUpload, *, actor: Any, rows: int, stored: int, unchanged: int
) -> None:
    before = snapshot(upload)
    upload.status = CertificateUpload.Status.STORED
    upload.rows = rows
    upload.stored = stored
    upload.unchanged = unchanged
    upload.findings = []
    upload.finished_at = timezone.now()
    upload.save(update_fields=["status", "rows", "stored", "unchanged", "findings", "finished_at"])
    record_update(actor=actor, instance=upload, before=before)


def certificate_upload_process(
    *, upload_id: int, progress: Progress | None = None, chunk_size: int = DEFAULT_CHUNK_SIZE
) -> dict[str, Any]:
    """Check an uploaded file and store it whole, or refuse it with every finding kept on the
    upload. Idempotent: an upload already stored or refused is left as it is. What the
    background job shows as its result."""
    upload = CertificateUpload.objects.select_related("participant", "uploaded_by").get(
        pk=upload_id
    )
    if upload.status in (CertificateUpload.Status.STORED, CertificateUpload.Status.REFUSED):
        return _upload_result(upload)
    CertificateUpload.objects.filter(pk=upload.pk).update(status=CertificateUpload.Status.CHECKING)
    certificates = upload.kind == CertificateUpload.Kind.CERTIFICATES
    read = certificate_file_read if certificates else confirmation_file_read
    run = certificates_import if certificates else confirmations_import
    try:
        with upload.file.open("rb") as handle:
            run(
                rows=read(handle, upload.original_name),
                actor=upload.uploaded_by,
                participant=upload.participant,
                upload=upload,
                progress=progress,
                chunk_size=chunk_size,
            )
    except (CertificateValidationError, PermissionDenied) as exc:
        if isinstance(exc, PermissionDenied):
            findings = [Finding(None, "", "permission_denied", str(exc))]
            rows = 0
        else:
            findings = exc.findings
            rows = exc.rows or 0
        before = snapshot(upload)
        upload.status = CertificateUpload.Status.REFUSED
        upload.findings = [f.as_dict() for f in findings]
        upload.rows = rows
        upload.stored = 0
        upload.unchanged = 0
        upload.finished_at = timezone.now()
        upload.save(
            update_fields=["status", "findings", "rows", "stored", "unchanged", "finished_at"]
        )
        record_update(actor=None, instance=upload, before=before, reason="file refused")
        return _upload_result(upload)
    except Exception:
        CertificateUpload.objects.filter(pk=upload.pk).update(
            status=CertificateUpload.Status.FAILED, finished_at=timezone.now()
        )
        raise
    upload.refresh_from_db()
    return _upload_result(upload)


def _upload_result(upload: CertificateUpload) -> dict[str, Any]:
    return {
        "upload": upload.pk,
        "status": upload.status,
        "rows": upload.rows,
        "stored": upload.stored,
        "unchanged": upload.unchanged,
        "findings": len(upload.findings or []),
    }
