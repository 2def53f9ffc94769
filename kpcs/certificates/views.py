"""The certificate registry's pages for participant authorities and the secretariat: the
registry with its filters, a certificate with its confirmation, void notice and alerts, the
form for one certificate, file uploads with their progress and findings, void notices,
specimens and alerts.

Who may come in: a participant authority (for its own participant) and the secretariat;
anonymous visitors go to the log-in page, every other role gets 403. What each sees is
decided by the selectors (an authority sees the certificates its participant issued or
received: another participant's certificate answers 404, as if it did not exist); what each
may do by the services, which raise PermissionDenied. The pages only render and place the
services' findings at the field or line they name.
"""

from __future__ import annotations

import csv
import mimetypes
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied
from django.forms import BaseForm, BaseFormSet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View

from kpcs.accounts.permissions import is_secretariat
from kpcs.certificates import forms as cf
from kpcs.certificates import selectors, services
from kpcs.certificates.models import (
    Certificate,
    CertificateAlert,
    CertificateUpload,
    ImportConfirmation,
    SpecimenImage,
    VoidNotice,
)
from kpcs.certificates.validation import CertificateValidationError
from kpcs.common.http import HtmxHttpRequest
from kpcs.common.spreadsheets import spreadsheet_cell
from kpcs.participants.models import Participant
from kpcs.participants.selectors import participant_get
from kpcs.participants.views import paginate

TEMPLATES = "certificates/"
PAGE_SIZE = 50
REPORT_COLUMNS = ("row", "column", "code", "message")
FINDINGS_ON_PAGE = 500
COLUMN_LABELS = {
    "certificate_number": gettext_lazy("Certificate number"),
    "issuing_participant": gettext_lazy("Issuing participant"),
    "exporting_country": gettext_lazy("Exporting country"),
    "destination_participant": gettext_lazy("Destination participant"),
    "confirming_participant": gettext_lazy("Confirming participant"),
    "date_issued": gettext_lazy("Date of issue"),
    "date_expiry": gettext_lazy("Date of expiry"),
    "date_received": gettext_lazy("Date received"),
    "hs_code": gettext_lazy("HS code"),
    "carats": gettext_lazy("Carats"),
    "value_usd": gettext_lazy("Value (US$)"),
    "parcels": gettext_lazy("Parcels"),
    "origin": gettext_lazy("Country of origin"),
    "exporter": gettext_lazy("Exporter"),
    "importer": gettext_lazy("Importer"),
}
REGISTRY = gettext_lazy("Certificates")


# --- Access -----------------------------------------------------------------------------------


def may_use_registry(user: Any) -> bool:
    """The registry's pages are for the secretariat and participant authorities."""
    return is_secretariat(user) or bool(
        getattr(user, "is_authority", False) and getattr(user, "participant_id", None)
    )


class RegistryView(AccessMixin, View):
    """Anonymous visitors go to the log-in page; reviewers and observers get 403."""

    request: HttpRequest

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not may_use_registry(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @property
    def participant(self) -> Participant | None:
        """The participant an authority acts for; None for the secretariat."""
        if is_secretariat(self.request.user):
            return None
        return self.request.user.participant  # type: ignore[union-attr]


def _breadcrumbs(*trail: tuple[Any, str]) -> list[tuple[Any, str]]:
    return [(REGISTRY, reverse("certificates:list")), *trail]


# --- Findings ---------------------------------------------------------------------------------


@dataclass
class Problem:
    """A finding as a page lists it: where (file row or form line, column) and what."""

    row: int | None
    column: str
    code: str
    message: str
    line: int | None = None
    anchor: str = ""

    @property
    def column_label(self) -> str:
        return str(COLUMN_LABELS.get(self.column, self.column))


def _finding_value(finding: Any, name: str) -> Any:
    if isinstance(finding, Mapping):
        return finding.get(name)
    return getattr(finding, name, None)


def _problems(findings: Iterable[Any]) -> list[Problem]:
    return [
        Problem(
            row=_finding_value(f, "row"),
            column=_finding_value(f, "column") or "",
            code=_finding_value(f, "code") or "",
            message=str(_finding_value(f, "message") or ""),
            line=_finding_value(f, "line"),
        )
        for f in findings
    ]


def _place_on_form(form: BaseForm, problem: Problem) -> bool:
    """Show the problem at the form's field it names (or above the form); True if placed."""
    if problem.column in form.fields:
        form.add_error(problem.column, problem.message)
        problem.anchor = form[problem.column].auto_id or ""
        return True
    return False


# --- The registry -----------------------------------------------------------------------------


class CertificateListView(RegistryView):
    """The certificates the authority's participant issued or received (the secretariat:
    all), filtered by the query string; htmx swaps the table alone."""

    def get(self, request: HtmxHttpRequest) -> HttpResponse:  # type: ignore[override]
        form = cf.CertificateFilterForm(request.GET or None)
        status = 200
        filters: dict[str, Any] = {}
        if form.is_bound and not form.is_valid():
            status = 400
        elif form.is_bound:
            filters = {key: value for key, value in form.cleaned_data.items() if value}
        certificates = selectors.certificate_list(
            user=request.user,
            issuing_participant=filters.get("issuing_participant"),
            destination_participant=filters.get("destination_participant"),
            status=filters.get("status"),
            date_from=filters.get("date_from"),
            date_to=filters.get("date_to"),
            number=filters.get("number"),
        )
        if status != 200:
            certificates = certificates.none()
        page = paginate(request, certificates, per_page=PAGE_SIZE)
        context = {
            "form": form,
            "page": page,
            "filtered": bool(filters),
            "participant": self.participant,
            "alert_count": selectors.alerts_for(user=request.user).count(),
            "breadcrumbs": [(REGISTRY, "")],
        }
        template = "_certificate_table.html" if request.htmx else "certificate_list.html"
        return render(request, TEMPLATES + template, context, status=status)


def _certificate_or_404(request: HttpRequest, issuing: str, number: str) -> Certificate:
    certificate = selectors.certificate_get(user=request.user, issuing_code=issuing, number=number)
    if certificate is None:
        raise Http404(
            _("No certificate %(number)s of %(issuing)s is in the registry for you.")
            % {"number": number[:40], "issuing": issuing[:3]}
        )
    return certificate


def _related_or_none(certificate: Certificate, name: str) -> Any:
    try:
        return getattr(certificate, name)
    except (ImportConfirmation.DoesNotExist, VoidNotice.DoesNotExist):
        return None


def detail_page(
    request: HttpRequest,
    certificate: Certificate,
    *,
    confirm_form: cf.ConfirmationForm | None = None,
    void_form: cf.VoidForm | None = None,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request.user
    participant_id = getattr(user, "participant_id", None)
    confirmation = _related_or_none(certificate, "confirmation")
    void_notice = _related_or_none(certificate, "void_notice")
    is_void = certificate.status == Certificate.Status.VOID
    # Which forms to offer; the services decide (and refuse with a reason) on submission.
    can_confirm = (
        getattr(user, "is_authority", False)
        and participant_id == certificate.destination_participant_id
        and confirmation is None
        and not is_void
    )
    # A confirmed certificate (its shipment arrived) only the secretariat may void.
    can_void = not is_void and (
        is_secretariat(user)
        or (
            getattr(user, "is_authority", False)
            and participant_id == certificate.issuing_participant_id
            and certificate.status != Certificate.Status.CONFIRMED
        )
    )
    open_alerts = {alert.pk for alert in selectors.alerts_for(user=user)}
    alerts = [(alert, alert.pk in open_alerts) for alert in certificate.alerts.all()]
    context = {
        "certificate": certificate,
        "lines": certificate.lines.all(),
        "confirmation": confirmation,
        "void_notice": void_notice,
        "alerts": alerts,
        "confirm_form": (confirm_form or cf.ConfirmationForm()) if can_confirm else None,
        "void_form": (void_form or cf.VoidForm()) if can_void else None,
        "refusal": refusal,
        "breadcrumbs": _breadcrumbs((certificate.number, "")),
    }
    return render(request, TEMPLATES + "certificate_detail.html", context, status=status)


class CertificateDetailView(RegistryView):
    def get(self, request: HttpRequest, issuing: str, number: str) -> HttpResponse:
        return detail_page(request, _certificate_or_404(request, issuing, number))


class ConfirmationView(RegistryView):
    """The destination authority records the import confirmation of one certificate."""

    def post(self, request: HttpRequest, issuing: str, number: str) -> HttpResponse:
        certificate = _certificate_or_404(request, issuing, number)
        form = cf.ConfirmationForm(request.POST)
        if not form.is_valid():
            return detail_page(request, certificate, confirm_form=form, status=400)
        try:
            confirmation = services.confirmation_record(
                actor=request.user,
                participant=self.participant,
                certificate_number=certificate.number,
                issuing_participant_code=certificate.issuing_participant.code,
                date_received=form.cleaned_data["date_received"],
                carats=form.cleaned_data["carats"],
            )
        except CertificateValidationError as exc:
            refusal = _place_all(form, _problems(exc.findings))
            return detail_page(request, certificate, confirm_form=form, refusal=refusal, status=400)
        if confirmation.carats_differ:
            messages.warning(
                request,
                _(
                    "The import confirmation is recorded. The carats received differ from the "
                    "certificate's: both authorities and the secretariat are alerted."
                ),
            )
        else:
            messages.success(request, _("The import confirmation is recorded."))
        return redirect("certificates:detail", issuing, number)


class VoidView(RegistryView):
    """The issuing authority (or the secretariat) declares a certificate void."""

    def post(self, request: HttpRequest, issuing: str, number: str) -> HttpResponse:
        certificate = _certificate_or_404(request, issuing, number)
        form = cf.VoidForm(request.POST)
        if not form.is_valid():
            return detail_page(request, certificate, void_form=form, status=400)
        try:
            services.certificate_void(
                actor=request.user,
                certificate=certificate,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except CertificateValidationError as exc:
            refusal = _place_all(form, _problems(exc.findings))
            return detail_page(request, certificate, void_form=form, refusal=refusal, status=400)
        messages.success(
            request,
            _("Certificate %(number)s is void: every participant sees the notice.")
            % {"number": certificate.number},
        )
        return redirect("certificates:detail", issuing, number)


def _place_all(form: BaseForm, problems: list[Problem]) -> str:
    """Put each problem at its field; return the others as one sentence for the page."""
    elsewhere = [p.message for p in problems if not _place_on_form(form, p)]
    return " ".join(elsewhere)


# --- One certificate through the browser ------------------------------------------------------

LINES_PREFIX = "lines"


def record_page(
    request: HttpRequest,
    *,
    header: cf.CertificateHeaderForm | None = None,
    lines: BaseFormSet | None = None,
    problems: list[Problem] | None = None,
    status: int = 200,
) -> HttpResponse:
    participant = _own_participant(request)
    issuing_code = participant.code if participant is not None else None
    if header is None:
        initial = {}
        if participant is not None and participant.country_id is not None:
            initial["exporting_country"] = participant.country.alpha3  # type: ignore[union-attr]
        header = cf.CertificateHeaderForm(initial=initial, issuing_code=issuing_code)
    context = {
        "header": header,
        "lines": lines if lines is not None else cf.CertificateLineFormSet(prefix=LINES_PREFIX),
        "problems": problems or [],
        "participant": participant,
        "max_lines": cf.MAX_LINES,
        "breadcrumbs": _breadcrumbs((gettext_lazy("Record a certificate"), "")),
    }
    return render(request, TEMPLATES + "certificate_record.html", context, status=status)


def _own_participant(request: HttpRequest) -> Participant | None:
    if is_secretariat(request.user):
        return None
    return request.user.participant  # type: ignore[union-attr]


def _place_record_findings(
    header: cf.CertificateHeaderForm, lines: BaseFormSet, problems: list[Problem]
) -> list[Problem]:
    """Put each finding at the header field or the line it names. The service numbers the
    lines it was given (1, 2, ...): the filled ones, in page order, so a finding's line is
    mapped back to the form's line before it is placed and listed."""
    filled = [form for form in lines.forms if form.line()]  # type: ignore[attr-defined]
    for problem in problems:
        index = problem.line - 1 if problem.line is not None else None
        if index is not None and 0 <= index < len(filled):
            line_form = filled[index]
            problem.row = lines.forms.index(line_form) + 1
            if not _place_on_form(line_form, problem):
                line_form.add_error(None, problem.message)
        elif not _place_on_form(header, problem):
            header.add_error(None, problem.message)
    return problems


class CertificateRecordView(RegistryView):
    """One certificate with its HS-code lines, checked and stored by the service that checks
    files and the API too. "Add a line" re-renders the form with one more line."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return record_page(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        participant = self.participant
        issuing_code = participant.code if participant is not None else None
        header = cf.CertificateHeaderForm(request.POST, issuing_code=issuing_code)
        if request.POST.get("action") == "add-line":
            # The same form with one more line; nothing is checked or stored yet (every cell
            # is optional text, so the re-rendered form shows no premature error).
            lines = cf.line_formset_with_another_line(request.POST, prefix=LINES_PREFIX)
            return record_page(request, header=header, lines=lines)
        lines = cf.CertificateLineFormSet(request.POST, prefix=LINES_PREFIX)
        if not (header.is_valid() and lines.is_valid()):
            return record_page(request, header=header, lines=lines, status=400)
        try:
            certificate = services.certificate_record(
                actor=request.user,
                participant=participant,
                header=header.header(),
                lines=lines.lines(),  # type: ignore[attr-defined]
            )
        except CertificateValidationError as exc:
            problems = _place_record_findings(header, lines, _problems(exc.findings))
            return record_page(request, header=header, lines=lines, problems=problems, status=400)
        messages.success(
            request,
            _("Certificate %(number)s is recorded.") % {"number": certificate.number},
        )
        return redirect(
            "certificates:detail", certificate.issuing_participant.code, certificate.number
        )


# --- Uploads ----------------------------------------------------------------------------------


class UploadView(RegistryView):
    """Send a CSV or XLSX file of certificates or import confirmations: it is stored and
    checked in the background; the page of the upload follows the check."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page(cf.CertificateUploadForm(choose_participant=self.participant is None))

    def post(self, request: HttpRequest) -> HttpResponse:
        secretariat = self.participant is None
        form = cf.CertificateUploadForm(request.POST, request.FILES, choose_participant=secretariat)
        if not form.is_valid():
            return self.page(form, status=400)
        participant = self.participant
        if secretariat and form.cleaned_data.get("participant"):
            participant = participant_get(code=form.cleaned_data["participant"])
        try:
            upload = services.certificate_upload_start(
                actor=request.user,
                participant=participant,
                kind=form.cleaned_data["kind"],
                uploaded_file=form.cleaned_data["file"],
            )
        except CertificateValidationError as exc:
            refusal = _place_all(form, _problems(exc.findings))
            if refusal:
                form.add_error(None, refusal)
            return self.page(form, status=400)
        return redirect("certificates:upload-detail", upload.pk)

    def page(self, form: cf.CertificateUploadForm, status: int = 200) -> HttpResponse:
        context = {
            "form": form,
            "participant": self.participant,
            "recent": selectors.uploads_for(user=self.request.user)[:5],
            "breadcrumbs": _breadcrumbs((gettext_lazy("Upload a file"), "")),
        }
        return render(self.request, TEMPLATES + "upload.html", context, status=status)


def _upload_or_404(request: HttpRequest, upload_id: int) -> CertificateUpload:
    upload = selectors.upload_get(user=request.user, upload_id=upload_id)
    if upload is None:
        raise Http404(_("There is no upload number %(id)s for you.") % {"id": upload_id})
    return upload


FINISHED = (
    CertificateUpload.Status.STORED,
    CertificateUpload.Status.REFUSED,
    CertificateUpload.Status.FAILED,
)


def _upload_context(upload: CertificateUpload) -> dict[str, Any]:
    job = upload.job
    job_failed = job is not None and job.status == job.Status.FAILED
    finished = upload.status in FINISHED or job_failed
    findings = upload.findings or []
    return {
        "upload": upload,
        "job": job,
        "finished": finished,
        "failed": upload.status == CertificateUpload.Status.FAILED or job_failed,
        "finding_count": len(findings),
        # A refused national file can have thousands of findings: the page shows the first
        # ones, the downloadable report has them all.
        "problems": _problems(findings[:FINDINGS_ON_PAGE]),
        "more_findings": max(len(findings) - FINDINGS_ON_PAGE, 0),
    }


class UploadDetailView(RegistryView):
    """One upload: the check's progress while it runs (the page can be left and found again
    under "My uploads"), then the counts or every finding. htmx polls the outcome alone."""

    def get(self, request: HtmxHttpRequest, upload_id: int) -> HttpResponse:  # type: ignore[override]
        upload = _upload_or_404(request, upload_id)
        context = _upload_context(upload)
        if request.htmx:
            return render(request, TEMPLATES + "_upload_outcome.html", context)
        context["breadcrumbs"] = _breadcrumbs(
            (gettext_lazy("My uploads"), reverse("certificates:uploads")),
            (upload.original_name, ""),
        )
        return render(request, TEMPLATES + "upload_detail.html", context)


class UploadReportView(RegistryView):
    """The findings of a refused upload as CSV: row, column, code, message."""

    def get(self, request: HttpRequest, upload_id: int) -> HttpResponse:
        upload = _upload_or_404(request, upload_id)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        name = upload.original_name.rsplit(".", 1)[0] or "upload"
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)[:80]
        response["Content-Disposition"] = f'attachment; filename="{safe}-errors.csv"'
        # A byte-order mark, so spreadsheet programs read the messages as UTF-8.
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow(REPORT_COLUMNS)
        for problem in _problems(upload.findings or []):
            writer.writerow(
                [
                    problem.row if problem.row is not None else "",
                    spreadsheet_cell(problem.column),
                    spreadsheet_cell(problem.code),
                    spreadsheet_cell(problem.message),
                ]
            )
        return response


class UploadListView(RegistryView):
    """ "My uploads": the files the user (the secretariat: everyone) sent, newest first."""

    def get(self, request: HttpRequest) -> HttpResponse:
        page = paginate(request, selectors.uploads_for(user=request.user), per_page=PAGE_SIZE)
        context = {
            "page": page,
            "finished": FINISHED,
            "breadcrumbs": _breadcrumbs((gettext_lazy("My uploads"), "")),
        }
        return render(request, TEMPLATES + "upload_list.html", context)


# --- Void notices, specimens, alerts ----------------------------------------------------------


class VoidNoticeListView(RegistryView):
    """Every void certificate, whoever issued it: no authority may honour them."""

    def get(self, request: HttpRequest) -> HttpResponse:
        page = paginate(request, selectors.void_notice_list(), per_page=PAGE_SIZE)
        context = {
            "page": page,
            "breadcrumbs": _breadcrumbs((gettext_lazy("Void notices"), "")),
        }
        return render(request, TEMPLATES + "void_notice_list.html", context)


class SpecimenListView(RegistryView):
    """Each participant's certificate specimens, with their pictures."""

    def get(self, request: HttpRequest) -> HttpResponse:
        form = cf.SpecimenFilterForm(request.GET or None)
        status = 200
        participant = None
        if form.is_bound and not form.is_valid():
            status = 400
        elif form.is_bound and form.cleaned_data.get("participant"):
            participant = participant_get(code=form.cleaned_data["participant"])
        specimens = selectors.specimen_list(participant=participant)
        if status != 200:
            specimens = specimens.none()
        page = paginate(request, specimens, per_page=PAGE_SIZE)
        context = {
            "form": form,
            "page": page,
            "can_register": True,
            "breadcrumbs": _breadcrumbs((gettext_lazy("Specimens"), "")),
        }
        return render(request, TEMPLATES + "specimen_list.html", context, status=status)


class SpecimenRegisterView(RegistryView):
    """An authority registers its own participant's specimen; the secretariat any."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page(self.form())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self.form(request.POST, request.FILES)
        if not form.is_valid():
            return self.page(form, status=400)
        data = form.cleaned_data
        participant = self.participant or participant_get(code=data["participant"])
        if participant is None:  # the form offered only participants: one was just removed
            raise Http404(_("There is no such participant."))
        try:
            specimen = services.specimen_register(
                actor=request.user,
                participant=participant,
                valid_from=data["valid_from"],
                valid_to=data["valid_to"],
                notified_on=data["notified_on"],
                security_features=data["security_features"],
                images=data["images"],
            )
        except CertificateValidationError as exc:
            refusal = _place_all(form, _problems(exc.findings))
            if refusal:
                form.add_error(None, refusal)
            return self.page(form, status=400)
        messages.success(
            request,
            _("The specimen of %(participant)s valid from %(date)s is registered.")
            % {"participant": participant.name, "date": specimen.valid_from.isoformat()},
        )
        return redirect(f"{reverse('certificates:specimens')}?participant={participant.code}")

    def form(self, *args: Any) -> cf.SpecimenForm:
        participant = self.participant
        return cf.SpecimenForm(
            *args, participant_code=participant.code if participant is not None else None
        )

    def page(self, form: cf.SpecimenForm, status: int = 200) -> HttpResponse:
        context = {
            "form": form,
            "participant": self.participant,
            "breadcrumbs": _breadcrumbs(
                (gettext_lazy("Specimens"), reverse("certificates:specimens")),
                (gettext_lazy("Register a specimen"), ""),
            ),
        }
        return render(self.request, TEMPLATES + "specimen_register.html", context, status=status)


class SpecimenImageView(RegistryView):
    """A specimen's picture, for logged-in authorities and the secretariat only (the media
    folder is never served publicly: a specimen helps forgers too)."""

    def get(self, request: HttpRequest, image_id: int) -> HttpResponseBase:
        # Every registry user may see every specimen: no rule to apply beyond the view's.
        image = SpecimenImage.objects.filter(pk=image_id).first()
        if image is None or not image.image:
            raise Http404(_("There is no specimen picture number %(id)s.") % {"id": image_id})
        try:
            handle = image.image.open("rb")
        except FileNotFoundError as exc:
            raise Http404(
                _("The specimen picture number %(id)s is missing.") % {"id": image_id}
            ) from exc
        content_type = mimetypes.guess_type(image.image.name or "")[0] or "application/octet-stream"
        response = FileResponse(handle, content_type=content_type)
        response["Cache-Control"] = "private, max-age=3600"
        response["X-Content-Type-Options"] = "nosniff"
        return response


class AlertListView(RegistryView):
    """The user's open alerts: certificates expired without confirmation, carats that
    differ. Each recipient dismisses an alert for itself."""

    def get(self, request: HttpRequest) -> HttpResponse:
        page = paginate(request, selectors.alerts_for(user=request.user), per_page=PAGE_SIZE)
        context = {
            "page": page,
            "breadcrumbs": _breadcrumbs((gettext_lazy("Alerts"), "")),
        }
        return render(request, TEMPLATES + "alert_list.html", context)


class AlertDismissView(RegistryView):
    def post(self, request: HttpRequest, alert_id: int) -> HttpResponse:
        alert: CertificateAlert | None = (
            selectors.alerts_for(user=request.user).filter(pk=alert_id).first()
        )
        if alert is None:
            raise Http404(_("There is no open alert number %(id)s for you.") % {"id": alert_id})
        services.alert_dismiss(actor=request.user, alert=alert)
        messages.success(
            request,
            _("The alert about certificate %(number)s is dismissed.")
            % {"number": alert.certificate.number},
        )
        return redirect("certificates:alerts")


def alert_count_label(user: Any) -> str:
    """ "Certificates" with the user's open alerts, for the navigation."""
    count = selectors.alerts_for(user=user).count()
    if not count:
        return str(REGISTRY)
    return ngettext("Certificates (%(count)s alert)", "Certificates (%(count)s alerts)", count) % {
        "count": count
    }
