"""The annual report pages, under /<lang>/annual-reports/.

- the list: the secretariat's overview of one year (every participant expected to report,
  its status, due date and days late, the missing ones, a CSV export); an authority's own
  reports by year with a button to start the last complete year's;
- a report: its sections, enforcement figures, document, history, assessment and feedback;
  the secretariat assesses it or returns it for correction there;
- the participant's form (its own authority only, while a draft), pre-filled from last year
  with last year's text beside each section and a "no change" button per section;
- two years of a participant side by side.

Anonymous visitors go to the log-in page. A report the user may not see (another
participant's; any for reviewers and observers) answers 404; an action the user may not
take on a report it sees answers 403 with the reason.
"""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from kpcs.accounts.permissions import is_secretariat
from kpcs.common.audit import entries_for
from kpcs.common.spreadsheets import spreadsheet_cell
from kpcs.common.uploads import document_response
from kpcs.participants.models import Participant
from kpcs.participants.selectors import participant_get
from kpcs.participants.views import paginate
from kpcs.reviews import annual_report_forms as forms
from kpcs.reviews.models import AnnualReport
from kpcs.reviews.selectors import annual_reports as ar
from kpcs.reviews.services import annual_reports as services

TEMPLATES = "reviews/annual_reports/"
PAGE_SIZE = 100
TITLE = gettext_lazy("Annual reports")
CSV_COLUMNS = (
    "participant",
    "name",
    "year",
    "status",
    "due_date",
    "submitted_at",
    "days_late",
    "missing",
)


def _breadcrumbs(*trail: tuple[Any, str]) -> list[tuple[Any, str]]:
    return [(TITLE, reverse("annual_reports:list")), *trail]


def _refuse(request: HttpRequest, status: int, message: str) -> HttpResponse:
    titles = {
        400: _("Bad request"),
        403: _("Not allowed"),
        409: _("Not possible now"),
    }
    return render(
        request,
        "error.html",
        {"status": status, "title": titles.get(status, _("Not allowed")), "message": message},
        status=status,
    )


def may_use_annual_reports(user: Any) -> bool:
    return is_secretariat(user) or bool(
        getattr(user, "is_authority", False) and getattr(user, "participant_id", None)
    )


def _is_own_authority(user: Any, participant: Participant) -> bool:
    return bool(getattr(user, "is_authority", False) and user.participant_id == participant.pk)


class AnnualReportView(AccessMixin, View):
    """Anonymous visitors go to the log-in page; everyone else is scoped by the selectors."""

    request: HttpRequest

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)

    def participant_or_404(self, code: str, year: int | None = None) -> Participant:
        """The participant whose reports the user may see (the secretariat any, an authority
        its own); 404 otherwise, the same answer as for a participant that does not exist."""
        participant = participant_get(code=code[:3])
        user = self.request.user
        if participant is None or not (
            is_secretariat(user) or _is_own_authority(user, participant)
        ):
            raise Http404(
                _("There are no annual reports of %(code)s for you.") % {"code": code.upper()[:3]}
            )
        return participant

    def report_or_404(self, code: str, year: int) -> AnnualReport:
        report = ar.annual_report_get(user=self.request.user, code=code, year=year)
        if report is None:
            raise Http404(
                _("There is no annual report of %(code)s on %(year)s for you.")
                % {"code": code.upper()[:3], "year": year}
            )
        return report


# --- The list ---------------------------------------------------------------------------------


class AnnualReportListView(AnnualReportView):
    def get(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if is_secretariat(user):
            return self.overview(request)
        if may_use_annual_reports(user):
            return self.own(request)
        raise PermissionDenied

    def overview(self, request: HttpRequest) -> HttpResponse:
        form = forms.AnnualReportFilterForm(request.GET or None)
        status = 400 if form.is_bound and not form.is_valid() else 200
        filters = form.filters()
        today = timezone.localdate()
        year = filters["year"]
        participants = ar.annual_report_overview(**filters, today=today)
        page = paginate(request, participants, per_page=PAGE_SIZE)
        missing = list(ar.annual_reports_missing(year=year, scope=filters["scope"], today=today))
        context = {
            "form": form,
            "filters": filters,
            "year": year,
            "due": ar.due_date(year),
            "past_due": today > ar.due_date(year),
            "page": page,
            "rows": ar.overview_rows(page.object_list, year=year, today=today),
            "counts": [
                (key, label, n)
                for (key, label), n in zip(
                    ar.STATUS_CHOICES,
                    ar.status_counts(year=year, scope=filters["scope"]).values(),
                    strict=True,
                )
            ],
            "missing": ar.overview_rows(missing, year=year, today=today),
            "export_query": request.GET.urlencode(),
            "breadcrumbs": [(TITLE, "")],
        }
        return render(request, TEMPLATES + "list.html", context, status=status)

    def own(self, request: HttpRequest) -> HttpResponse:
        participant = getattr(request.user, "participant", None)
        if participant is None:  # may_use_annual_reports let only authorities with one in
            raise PermissionDenied
        years = ar.participant_years(user=request.user, participant=participant)
        started = {item.year for item in years if item.report is not None}
        status, error = 200, ""
        if "start" in request.GET:
            # "Start a report on another year": a year picked from the list below.
            try:
                year = services.check_year(request.GET["start"])
            except ValidationError as exc:
                status, error = 400, " ".join(exc.message_dict["year"])
            else:
                return redirect("annual_reports:edit", participant.code, year)
        context = {
            "participant": participant,
            "years": years,
            "other_years": [y for y in ar.reportable_years() if y not in started],
            "error": error,
            "breadcrumbs": [(TITLE, "")],
        }
        return render(request, TEMPLATES + "participant_list.html", context, status=status)


class AnnualReportExportView(AnnualReportView):
    """The secretariat's list as CSV, with the same filters."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not is_secretariat(request.user):
            raise PermissionDenied
        form = forms.AnnualReportFilterForm(request.GET or None)
        if form.is_bound and not form.is_valid():
            problems = " ".join(
                f"{name}: {error}" for name, errors in form.errors.items() for error in errors
            )
            return _refuse(request, 400, problems)
        filters = form.filters()
        today = timezone.localdate()
        rows = ar.overview_rows(
            ar.annual_report_overview(**filters, today=today), year=filters["year"], today=today
        )
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        name = f"annual-reports-{filters['year']}-{filters['scope']}"
        if filters["status"]:
            name += f"-{filters['status']}"
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow(CSV_COLUMNS)
        for row in rows:
            writer.writerow(
                [
                    spreadsheet_cell(row.participant.code),
                    spreadsheet_cell(row.participant.name),
                    row.year,
                    row.status,
                    row.due.isoformat(),
                    row.submitted_at.isoformat() if row.submitted_at else "",
                    row.days_late,
                    "yes" if row.missing else "no",
                ]
            )
        return response


# --- One report -------------------------------------------------------------------------------


def _history(report: AnnualReport) -> list[dict[str, Any]]:
    """The report's steps, oldest first: started, each return for correction (from the audit
    trail), the current submission and the assessment."""
    steps: list[dict[str, Any]] = [{"what": _("started"), "at": report.created_at, "by": ""}]
    for entry in entries_for(report):
        change = entry.changes.get("status")
        if change and change[0] == AnnualReport.Status.SUBMITTED and change[1] == "draft":
            steps.append(
                {
                    "what": _("returned for correction"),
                    "at": entry.timestamp,
                    "by": entry.actor_name,
                }
            )
    if report.submitted_at:
        steps.append(
            {
                "what": _("submitted"),
                "at": report.submitted_at,
                "by": report.submitted_by.username if report.submitted_by else "",
            }
        )
    if report.assessed_at and report.status == AnnualReport.Status.ASSESSED:
        steps.append(
            {
                "what": _("assessed"),
                "at": report.assessed_at,
                "by": report.assessed_by.username if report.assessed_by else "",
            }
        )
    return sorted(steps, key=lambda step: step["at"])


def detail_page(
    request: HttpRequest,
    report: AnnualReport,
    *,
    assess_form: forms.AssessmentForm | None = None,
    return_form: forms.ReturnForm | None = None,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request.user
    secretariat = is_secretariat(user)
    can_assess = secretariat and report.status in ar.SUBMITTED_STATUSES
    can_return = secretariat and report.status == AnnualReport.Status.SUBMITTED
    if can_assess and assess_form is None:
        assess_form = forms.AssessmentForm(
            initial={"assessment": report.assessment, "feedback": report.feedback}
            if report.status == AnnualReport.Status.ASSESSED
            else None
        )
    sections = [
        {
            "name": section,
            "label": AnnualReport.Section(section).label,
            "text": getattr(report, section),
            "unchanged": section in report.unchanged_sections,
        }
        for section in ar.SECTIONS
    ]
    context = {
        "report": report,
        "participant": report.participant,
        "sections": sections,
        "due": ar.due_date(report.year),
        "days_late": ar.days_late(year=report.year, submitted_at=report.submitted_at),
        "history": _history(report),
        "can_edit": _is_own_authority(user, report.participant)
        and report.status == AnnualReport.Status.DRAFT,
        "assess_form": assess_form if can_assess else None,
        "return_form": (return_form or forms.ReturnForm()) if can_return else None,
        "refusal": refusal,
        "breadcrumbs": _breadcrumbs((f"{report.participant.name} · {report.year}", "")),
    }
    return render(request, TEMPLATES + "detail.html", context, status=status)


class AnnualReportDetailView(AnnualReportView):
    def get(self, request: HttpRequest, code: str, year: int) -> HttpResponse:
        return detail_page(request, self.report_or_404(code, year))


class AnnualReportDocumentView(AnnualReportView):
    """The report's document, to those who may see the report (MEDIA is never served)."""

    def get(self, request: HttpRequest, code: str, year: int) -> HttpResponseBase:
        report = self.report_or_404(code, year)
        missing = _("The report of %(code)s on %(year)s has no document.") % {
            "code": report.participant.code,
            "year": year,
        }
        if not report.document:
            raise Http404(missing)
        try:
            return document_response(
                report.document,
                name=report.document_name or (report.document.name or "").rsplit("/", 1)[-1],
                content_type=report.document_content_type,
            )
        except FileNotFoundError as exc:
            raise Http404(missing) from exc


class AnnualReportAssessView(AnnualReportView):
    """The secretariat records the working group's assessment and feedback."""

    def post(self, request: HttpRequest, code: str, year: int) -> HttpResponse:
        report = self.report_or_404(code, year)
        if not is_secretariat(request.user):
            return _refuse(
                request, 403, _("Only the secretariat records the working group's assessment.")
            )
        form = forms.AssessmentForm(request.POST)
        if not form.is_valid():
            return detail_page(request, report, assess_form=form, status=400)
        try:
            services.annual_report_assess(
                actor=request.user,
                report=report,
                assessment=form.cleaned_data["assessment"],
                feedback=form.cleaned_data["feedback"],
            )
        except services.AnnualReportWorkflowError as exc:
            return detail_page(request, report, refusal=str(exc), status=409)
        except ValidationError as exc:
            _place(form, exc)
            return detail_page(request, report, assess_form=form, status=400)
        messages.success(
            request,
            _("The assessment of the report of %(code)s on %(year)s is recorded.")
            % {"code": report.participant.code, "year": year},
        )
        return redirect("annual_reports:detail", report.participant.code, year)


class AnnualReportReturnView(AnnualReportView):
    """The secretariat returns a submitted report to the participant for correction."""

    def post(self, request: HttpRequest, code: str, year: int) -> HttpResponse:
        report = self.report_or_404(code, year)
        if not is_secretariat(request.user):
            return _refuse(request, 403, _("Only the secretariat returns a report for correction."))
        form = forms.ReturnForm(request.POST)
        if not form.is_valid():
            return detail_page(request, report, return_form=form, status=400)
        try:
            services.annual_report_return(
                actor=request.user, report=report, feedback=form.cleaned_data["feedback"]
            )
        except services.AnnualReportWorkflowError as exc:
            return detail_page(request, report, refusal=str(exc), status=409)
        except ValidationError as exc:
            _place(form, exc)
            return detail_page(request, report, return_form=form, status=400)
        messages.success(
            request,
            _("The report of %(code)s on %(year)s is returned to the participant for correction.")
            % {"code": report.participant.code, "year": year},
        )
        return redirect("annual_reports:detail", report.participant.code, year)


def _place(form: BaseForm, exc: ValidationError) -> None:
    """Put a service's findings at the form's fields they name (or above the form)."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    for field, messages_ in errors.items():
        visible = field in form.fields and not form.fields[field].widget.is_hidden
        target = field if visible else None
        for message in messages_:
            form.add_error(target, message)


# --- The participant's form -------------------------------------------------------------------


class AnnualReportEditView(AnnualReportView):
    """The participant's own authority writes its report on a past year while it is a draft:
    "Save the draft", "Submit", or "No change" on a section (which copies last year's text,
    marks the section and saves the draft)."""

    def setup_report(
        self, request: HttpRequest, code: str, year: int
    ) -> tuple[Participant, AnnualReport | None, HttpResponse | None]:
        participant = self.participant_or_404(code)
        report = ar.annual_report_get(user=request.user, code=participant.code, year=year)
        if not _is_own_authority(request.user, participant):
            # The secretariat sees the report but does not write it.
            return (
                participant,
                report,
                _refuse(
                    request,
                    403,
                    _(
                        "The secretariat reads and assesses annual reports; only the participant's "
                        "own authority writes its report."
                    ),
                ),
            )
        if not ar.is_reportable_year(year):
            return (
                participant,
                report,
                _refuse(
                    request,
                    400,
                    _(
                        "An annual report covers a past year, from %(first)s (the scheme's start) "
                        "to %(last)s; %(year)s is not one."
                    )
                    % {"first": ar.FIRST_YEAR, "last": ar.last_complete_year(), "year": year},
                ),
            )
        return participant, report, None

    def get(self, request: HttpRequest, code: str, year: int) -> HttpResponse:
        participant, report, refusal = self.setup_report(request, code, year)
        if refusal is not None:
            return refusal
        if report is not None and report.status != AnnualReport.Status.DRAFT:
            messages.warning(
                request,
                _(
                    "The report on %(year)s is %(status)s: it can no longer be changed (the "
                    "secretariat may return it for correction)."
                )
                % {"year": year, "status": report.get_status_display()},
            )
            return redirect("annual_reports:detail", participant.code, year)
        previous = ar.previous_texts(participant=participant, year=year)
        if report is None:
            # Not started: the form starts from last year's text; nothing is stored until
            # the draft is saved.
            initial: dict[str, Any] = {s: t for s, t in previous.items() if t}
        else:
            initial = {
                name: getattr(report, name)
                for name in (
                    *ar.SECTIONS,
                    "penalties",
                    "enforcement_cases",
                    "seizures",
                    "seized_carats",
                    "unchanged_sections",
                )
            }
        form = forms.AnnualReportForm(initial=initial, previous=previous)
        return self.page(participant, year, report, form)

    def post(self, request: HttpRequest, code: str, year: int) -> HttpResponse:
        participant, report, refusal = self.setup_report(request, code, year)
        if refusal is not None:
            return refusal
        if report is not None and report.status != AnnualReport.Status.DRAFT:
            return _refuse(
                request,
                409,
                _(
                    "The report on %(year)s is %(status)s: it can no longer be changed (the "
                    "secretariat may return it for correction)."
                )
                % {"year": year, "status": report.get_status_display()},
            )
        previous = ar.previous_texts(participant=participant, year=year)
        action = request.POST.get("action", "save")
        carry = action.partition(":")[2] if action.startswith("unchanged:") else None
        data = request.POST.copy()
        if carry is not None:
            if carry not in ar.CARRIED_SECTIONS or not previous.get(carry):
                form = forms.AnnualReportForm(data, request.FILES, previous=previous)
                form.is_valid()
                form.add_error(
                    None,
                    _("There is no submitted report on %(year)s to carry this section over from.")
                    % {"year": year - 1},
                )
                return self.page(participant, year, report, form, status=400)
            # Show last year's text in the field and the mark at once, also if the rest of
            # the form is refused (the next save keeps both).
            data[carry] = previous[carry]
            marks = data.getlist("unchanged_sections")
            data.setlist("unchanged_sections", [*marks, carry] if carry not in marks else marks)
        form = forms.AnnualReportForm(data, request.FILES, previous=previous)
        if not form.is_valid():
            return self.page(participant, year, report, form, status=400)
        submit = action == "submit"
        try:
            report = services.annual_report_save(
                actor=request.user,
                participant=participant,
                year=year,
                values=form.values(),
                unchanged=form.declared_unchanged(carry),
                document=form.cleaned_data.get("document"),
                submit=submit,
            )
        except services.AnnualReportWorkflowError as exc:
            return _refuse(request, 409, str(exc))
        except ValidationError as exc:
            _place(form, exc)
            return self.page(participant, year, report, form, status=400)
        if submit:
            messages.success(
                request,
                _("Your report on %(year)s is submitted to the secretariat.") % {"year": year},
            )
            return redirect("annual_reports:detail", participant.code, year)
        if carry:
            messages.success(
                request,
                _("“%(section)s” is carried over from %(previous)s unchanged; the draft is saved.")
                % {"section": AnnualReport.Section(carry).label, "previous": year - 1},
            )
            url = reverse("annual_reports:edit", args=[participant.code, year])
            return redirect(f"{url}#section-{carry}")
        messages.success(
            request, _("The draft of your report on %(year)s is saved.") % {"year": year}
        )
        return redirect("annual_reports:edit", participant.code, year)

    def page(
        self,
        participant: Participant,
        year: int,
        report: AnnualReport | None,
        form: forms.AnnualReportForm,
        status: int = 200,
    ) -> HttpResponse:
        previous = ar.previous_report(participant=participant, year=year)
        context = {
            "participant": participant,
            "year": year,
            "report": report,
            "previous": previous,
            "form": form,
            "sections": form.section_fields(),
            "due": ar.due_date(year),
            "required_sections": ar.REQUIRED_SECTIONS,
            # A refused form cannot give the chosen file back: say so beside the field.
            "document_dropped": status != 200 and bool(form.files.get("document")),
            "breadcrumbs": _breadcrumbs(
                (
                    f"{participant.name} · {year}",
                    reverse("annual_reports:detail", args=[participant.code, year])
                    if report
                    else "",
                ),
                (_("Edit"), ""),
            ),
        }
        return render(self.request, TEMPLATES + "edit.html", context, status=status)


# --- Year on year -----------------------------------------------------------------------------


class AnnualReportCompareView(AnnualReportView):
    """Two years of one participant side by side: the secretariat and the participant."""

    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        participant = self.participant_or_404(code)
        error = ""
        years: tuple[int, int] | None
        raw = request.GET.get("years")
        if raw is not None:
            try:
                years = forms.parse_years(raw)
            except ValueError as exc:
                error, years = str(exc), None
        else:
            years = ar.comparison_years(user=request.user, participant=participant)
        comparison = (
            ar.annual_report_comparison(user=request.user, participant=participant, years=years)
            if years
            else None
        )
        context = {
            "participant": participant,
            "comparison": comparison,
            "error": error,
            "years_value": raw if raw is not None else (f"{years[0]},{years[1]}" if years else ""),
            "breadcrumbs": _breadcrumbs((participant.name, ""), (_("Year on year"), "")),
        }
        return render(request, TEMPLATES + "compare.html", context, status=400 if error else 200)
