"""The participant authority's statistics pages: the overview of its reporting periods, the
grid of one period (save, explain warnings, submit), the file upload (a dry run first,
then "store these figures") and its declared opening stock.

Only a participant's own authority uses them (anonymous → log-in, every other role → 403,
another participant's submission → 404). Whatever the way in, figures are stored through
services.figures_save, the one validation and write path of the grid, uploads and the API.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import secrets
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.forms import BaseForm, BaseFormSet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View

from kpcs.participants.models import Participant
from kpcs.statistics import entry_forms as ef
from kpcs.statistics import services
from kpcs.statistics.deadlines import EditState, edit_state
from kpcs.statistics.importing import statistics_file_read
from kpcs.statistics.models import Dataset, Flow, Period, Submission, ValidationFinding
from kpcs.statistics.selectors import stock as stock_selectors
from kpcs.statistics.selectors import submissions as selectors
from kpcs.statistics.validation import (
    ERROR,
    FIRST_YEAR,
    PRODUCTION,
    Finding,
    StatisticsRejected,
    located,
)

TEMPLATES = "statistics/entry/"
# The overview shows this year and the two before (older years through ?year=).
RECENT_YEARS = 3
# The periods a participant reports in, in the order the overview lists them.
ENTRY_PERIODS: tuple[tuple[str, str], ...] = (
    (Dataset.TRADE, Period.Q1),
    (Dataset.TRADE, Period.Q2),
    (Dataset.TRADE, Period.Q3),
    (Dataset.TRADE, Period.Q4),
    (Dataset.PRODUCTION, Period.H1),
    (Dataset.PRODUCTION, Period.H2),
)
COLUMN_LABELS = {
    "participant": gettext_lazy("Participant"),
    "year": gettext_lazy("Year"),
    "period": gettext_lazy("Period"),
    "flow": gettext_lazy("Flow"),
    "partner": gettext_lazy("Partner"),
    "hs_code": gettext_lazy("HS code"),
    "carats": gettext_lazy("Carats"),
    "value_usd": gettext_lazy("Value (US$)"),
    "certificates": gettext_lazy("Certificates"),
}
# A file waiting for "store these figures" is kept on the server (never in the browser) under
# a random name the session knows; files left unconfirmed are removed after a day.
PENDING_UPLOAD_KEY = "statistics_upload"
UPLOAD_DIR = "statistics-uploads"
PENDING_UPLOAD_LIFETIME = dt.timedelta(days=1)

Status = Submission.Status


# --- Access ------------------------------------------------------------------------------------


class AuthorityRequiredMixin(AccessMixin):
    """Anonymous visitors go to the log-in page; every role but a participant authority gets
    403 (the secretariat reads submissions on its own pages but never enters figures)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if not user.is_authenticated:
            return self.handle_no_permission()
        if not selectors.user_may_enter_figures_for(
            user=user,
            participant_id=getattr(user, "participant_id", None),  # type: ignore[arg-type]
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


def _participant(request: HttpRequest) -> Participant:
    """The participant the signed-in authority acts for (AuthorityRequiredMixin let it in)."""
    participant = getattr(request.user, "participant", None)
    if participant is None:
        raise PermissionDenied
    return participant


class EntryView(AuthorityRequiredMixin, View):
    request: HttpRequest

    @property
    def participant(self) -> Participant:
        return _participant(self.request)


def _own_submission_or_404(request: HttpRequest, submission_id: int) -> Submission:
    submission = selectors.submission_get_visible_to(user=request.user, submission_id=submission_id)
    if submission is None or submission.participant_id != request.user.participant_id:  # type: ignore[union-attr]
        raise Http404(_("There is no submission number %(id)s.") % {"id": submission_id})
    return submission


# --- Periods ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodRef:
    """One reporting period of the participant: a year, a dataset and a period."""

    year: int
    dataset: str
    period: str

    @property
    def key(self) -> tuple[int, str, str]:
        return (self.year, self.dataset, self.period)

    @property
    def is_trade(self) -> bool:
        return self.dataset == Dataset.TRADE

    @property
    def dataset_label(self) -> str:
        return str(Dataset(self.dataset).label)

    @property
    def period_label(self) -> str:
        return str(Period(self.period).label)

    @property
    def title(self) -> str:
        return _("%(dataset)s, %(period)s %(year)s (%(code)s)") % {
            "dataset": self.dataset_label.capitalize(),
            "period": self.period_label,
            "year": self.year,
            "code": self.period,
        }

    @property
    def url(self) -> str:
        return reverse("submissions:grid", args=[self.year, self.dataset, self.period])


def _period_or_404(year: int, dataset: str, period: str) -> PeriodRef:
    if (dataset, period) not in ENTRY_PERIODS:
        raise Http404(
            _(
                "“%(dataset)s %(period)s” is not a reporting period: trade is reported by "
                "quarter (Q1 to Q4), production by half-year (H1, H2)."
            )
            % {"dataset": dataset[:20], "period": period[:10]}
        )
    if not FIRST_YEAR <= year <= timezone.localdate().year:
        raise Http404(
            _("There are no reporting periods in %(year)s: give a year from %(first)s to now.")
            % {"year": year, "first": FIRST_YEAR}
        )
    return PeriodRef(year=year, dataset=dataset, period=period)


def _edit_state(participant_id: int, ref: PeriodRef, submission: Submission | None) -> EditState:
    return edit_state(
        participant_id=participant_id,
        year=ref.year,
        dataset=ref.dataset,
        period=ref.period,
        submission=submission,
    )


# --- Overview ----------------------------------------------------------------------------------


@dataclass
class PeriodRow:
    ref: PeriodRef
    submission: Submission | None
    state: EditState

    @property
    def status(self) -> str:
        return self.submission.status if self.submission else "not_started"

    @property
    def status_label(self) -> str:
        if self.submission is None:
            return _("not started")
        return str(self.submission.get_status_display())


class OverviewView(EntryView):
    """ "My statistics": each reporting period of recent years with its status, due date and
    whether it can be edited now, and why not; the secretariat's questions first."""

    def get(self, request: HttpRequest) -> HttpResponse:
        this_year = timezone.localdate().year
        form = ef.OverviewYearForm(request.GET or None, years=range(this_year, FIRST_YEAR - 1, -1))
        status = 200
        years = list(range(this_year, this_year - RECENT_YEARS, -1))
        if form.is_bound:
            if form.is_valid() and form.cleaned_data.get("year"):
                years = [form.cleaned_data["year"]]
            elif not form.is_valid():
                status = 400
        participant = self.participant
        submissions = selectors.participant_submissions(participant_id=participant.pk, years=years)
        by_year = []
        for year in years:
            rows = []
            for dataset, period in ENTRY_PERIODS:
                ref = PeriodRef(year=year, dataset=dataset, period=period)
                submission = submissions.get(ref.key)
                rows.append(
                    PeriodRow(
                        ref=ref,
                        submission=submission,
                        state=_edit_state(participant.pk, ref, submission),
                    )
                )
            by_year.append((year, rows))
        queried = [
            row
            for _year, rows in by_year
            for row in rows
            if row.submission is not None and row.submission.status == Status.QUERIED
        ]
        context = {
            "participant": participant,
            "form": form,
            "by_year": by_year,
            "queried": queried,
            "breadcrumbs": [(gettext_lazy("My statistics"), "")],
        }
        return render(request, TEMPLATES + "overview.html", context, status=status)


# --- The grid of one period ---------------------------------------------------------------------


@dataclass
class GridCell:
    field: Any
    warning: str = ""


@dataclass
class GridRow:
    number: int
    form: BaseForm
    cells: list[GridCell]
    delete: Any = None
    notes: list[str] = field(default_factory=list)


@dataclass
class Problem:
    """A finding as the page lists it: where (grid row or file row, column) and what."""

    severity: str
    row: int | None
    column: str
    message: str
    anchor: str = ""

    @property
    def column_label(self) -> str:
        return str(COLUMN_LABELS.get(self.column, self.column))

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


def _bare_message(finding: Finding) -> str:
    """The finding's message without its "Row 7, column carats: " prefix, for a page that
    shows the row and column beside it."""
    prefix = located(finding.row_number, finding.column, "")
    if finding.row_number is not None and finding.message.startswith(prefix):
        return finding.message[len(prefix) :]
    return finding.message


def _stored_message(warning: ValidationFinding) -> str:
    """A stored warning's message without the row number it had when it was saved (a grid
    or file row; the page names the row by its flow, partner and HS code instead)."""
    pattern = re.escape(located(999999, warning.column, "")).replace("999999", r"\d+")
    return re.sub(f"^{pattern}", "", warning.message, count=1)


def _row_label(key: str) -> str:
    """A stored finding's row key ("export|ZAF|7102.31", "production") in words."""
    if key == PRODUCTION:
        return _("production")
    parts = key.split("|")
    if len(parts) == 3 and parts[0] in Flow.values:
        return f"{Flow(parts[0]).label} · {parts[1]} · {parts[2]}"
    return key


def _grid_forms(form: BaseForm | BaseFormSet) -> list[BaseForm]:
    return list(form.forms) if isinstance(form, BaseFormSet) else [form]


def _grid_rows(
    form: BaseForm | BaseFormSet, *, participant_code: str, ref: PeriodRef
) -> list[dict[str, Any]]:
    """The FORMATS.md §1 rows of the grid, one per grid row and in grid order, a removed or
    empty row giving {} (which validation skips without renumbering). So a Finding's
    row_number (spreadsheet convention: header = row 1) is the grid index + 2, and
    _place_findings maps it back. An entirely empty grid gives [] : a nil return."""
    rows: list[dict[str, Any]] = []
    for grid_form in _grid_forms(form):
        data = getattr(grid_form, "cleaned_data", None) or {}
        if data.get("DELETE"):
            rows.append({})
            continue
        rows.append(
            grid_form.row(  # type: ignore[attr-defined]
                participant_code=participant_code, year=ref.year, period=ref.period
            )
        )
    return rows if any(rows) else []


def _place_findings(form: BaseForm | BaseFormSet, findings: list[Finding]) -> list[Problem]:
    """Put each error on the grid cell it names (row_number - 2 is the grid index, see
    _grid_rows) and list every finding for the summary above the grid."""
    grid_forms = _grid_forms(form)
    problems = []
    for finding in findings:
        index = finding.row_number - 2 if finding.row_number is not None else None
        if index is None or not 0 <= index < len(grid_forms):
            problems.append(Problem(finding.severity, None, finding.column, finding.message))
            continue
        grid_form = grid_forms[index]
        text = _bare_message(finding)
        anchor = ""
        if finding.severity == ERROR:
            if finding.column in grid_form.fields:
                grid_form.add_error(finding.column, text)
                anchor = grid_form[finding.column].auto_id or ""
            else:
                grid_form.add_error(None, text)
        else:
            notes = grid_form.__dict__.setdefault("cell_warnings", {})
            notes[finding.column] = text
        if not anchor and grid_form.fields:
            anchor = grid_form[next(iter(grid_form.fields))].auto_id or ""
        problems.append(Problem(finding.severity, index + 1, finding.column, text, anchor))
    return problems


def _initial_form(
    ref: PeriodRef,
    records: list[Any],
    production: Any,
    partners: list[tuple[str, str]],
) -> BaseForm | BaseFormSet:
    if ref.is_trade:
        initial = [
            {
                "flow": record.flow,
                "partner": record.partner.code,
                "hs_code": record.hs_code,
                "carats": str(record.carats),
                "value_usd": str(record.value_usd),
                "certificates": str(record.certificates),
            }
            for record in records
        ]
        return ef.TradeFormSet(initial=initial, prefix="trade", form_kwargs={"partners": partners})
    initial_row = (
        {"carats": str(production.carats), "value_usd": str(production.value_usd)}
        if production is not None
        else {}
    )
    return ef.ProductionForm(initial=initial_row, prefix="production", row_number=1)


def _bound_form(
    ref: PeriodRef, data: Any, partners: list[tuple[str, str]], *, more_rows: bool = False
) -> BaseForm | BaseFormSet:
    if ref.is_trade:
        kwargs: dict[str, Any] = {"prefix": "trade", "form_kwargs": {"partners": partners}}
        if more_rows:
            return ef.trade_formset_with_more_rows(data, **kwargs)
        return ef.TradeFormSet(data, **kwargs)
    return ef.ProductionForm(data, prefix="production", row_number=1)


def _grid(
    form: BaseForm | BaseFormSet, warnings_by_row: dict[str, dict[str, str]]
) -> list[GridRow]:
    """The grid's rows for the template: each cell with its field and any stored warning."""
    rows = []
    for index, grid_form in enumerate(_grid_forms(form)):
        notes = dict(getattr(grid_form, "cell_warnings", {}))
        if not grid_form.is_bound:
            initial = grid_form.initial
            key = (
                f"{initial.get('flow')}|{initial.get('partner')}|{initial.get('hs_code')}"
                if "flow" in grid_form.fields
                else PRODUCTION
            )
            if initial or key == PRODUCTION:
                notes = {**warnings_by_row.get(key, {}), **notes}
        columns = grid_form.figure_columns  # type: ignore[attr-defined]
        rows.append(
            GridRow(
                number=index + 1,
                form=grid_form,
                cells=[GridCell(grid_form[name], notes.get(name, "")) for name in columns],
                delete=grid_form["DELETE"] if "DELETE" in grid_form.fields else None,
                notes=[text for column, text in notes.items() if column not in columns],
            )
        )
    return rows


class GridView(EntryView):
    """One period's figures: a grid to fill in and save, warnings to explain, and Submit."""

    def get(self, request: HttpRequest, year: int, dataset: str, period: str) -> HttpResponse:
        return grid_page(request, _period_or_404(year, dataset, period))

    def post(self, request: HttpRequest, year: int, dataset: str, period: str) -> HttpResponse:
        ref = _period_or_404(year, dataset, period)
        participant = self.participant
        submission = selectors.submission_for_period(
            participant_id=participant.pk, year=ref.year, dataset=ref.dataset, period=ref.period
        )
        state = _edit_state(participant.pk, ref, submission)
        if not state.editable:
            return grid_page(request, ref, refusal=state.reason, status=403)
        partners = selectors.partner_choices(exclude_participant_id=participant.pk)
        action = request.POST.get("action", "save")
        if action == "more" and ref.is_trade:
            return grid_page(
                request, ref, form=_bound_form(ref, request.POST, partners, more_rows=True)
            )
        form = _bound_form(ref, request.POST, partners)
        if not form.is_valid():
            return grid_page(request, ref, form=form, status=400)
        rows = _grid_rows(form, participant_code=participant.code, ref=ref)
        try:
            report = services.figures_save(
                participant=participant, actor=request.user, rows=rows, scope=[ref.key]
            )
        except StatisticsRejected as exc:
            problems = _place_findings(form, exc.findings)
            return grid_page(request, ref, form=form, problems=problems, status=400)
        warnings = len(report.warnings)
        saved = sum(1 for row in rows if row)
        if not saved:
            message = _("Saved as a nil return: nothing to report for this period.")
        else:
            message = ngettext("Saved %(count)s row.", "Saved %(count)s rows.", saved) % {
                "count": saved
            }
        if warnings:
            message += " " + ngettext(
                "%(count)s warning needs your explanation before you submit.",
                "%(count)s warnings need your explanation before you submit.",
                warnings,
            ) % {"count": warnings}
        messages.success(request, message)
        return redirect(ref.url)


def grid_page(
    request: HttpRequest,
    ref: PeriodRef,
    *,
    form: BaseForm | BaseFormSet | None = None,
    problems: list[Problem] | None = None,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    participant = _participant(request)
    submission = selectors.submission_for_period(
        participant_id=participant.pk, year=ref.year, dataset=ref.dataset, period=ref.period
    )
    state = _edit_state(participant.pk, ref, submission)
    records: list[Any] = []
    production = None
    warnings: list[ValidationFinding] = []
    transitions: list[Any] = []
    query = changes = None
    if submission is not None:
        if ref.is_trade:
            records = list(selectors.submission_trade_records(submission=submission))
        else:
            production = selectors.submission_production(submission=submission)
        warnings = list(selectors.submission_findings(submission=submission))
        transitions = list(selectors.submission_transitions(submission=submission))
        if submission.status == Status.QUERIED:
            query = selectors.submission_latest_query(submission=submission)
            changes = selectors.submission_changes(submission=submission)
    if form is None and state.editable:
        partners = selectors.partner_choices(exclude_participant_id=participant.pk)
        form = _initial_form(ref, records, production, partners)
    warnings_by_row: dict[str, dict[str, str]] = {}
    for warning in warnings:
        warnings_by_row.setdefault(warning.row, {})[warning.column] = _stored_message(warning)
    explain_forms = [
        (
            warning,
            ef.ExplanationForm(
                initial={"explanation": warning.explanation}, auto_id=f"id_warning_{warning.pk}_%s"
            ),
        )
        for warning in warnings
    ]
    context = {
        "ref": ref,
        "participant": participant,
        "submission": submission,
        "state": state,
        "refusal": refusal,
        "form": form,
        "is_formset": isinstance(form, BaseFormSet),
        "grid": _grid(form, warnings_by_row) if form is not None else [],
        "problems": problems or [],
        "errors": [p for p in problems or [] if p.is_error],
        "records": records,
        "production": production,
        "warnings": [(w, _row_label(w.row), _stored_message(w), f) for w, f in explain_forms],
        "unexplained": sum(1 for w in warnings if not w.explanation),
        "transitions": transitions,
        "query": query,
        "changes": changes,
        "change_rows": [
            {
                **change,
                "row_label": _row_label(change["row"]),
                "column_label": COLUMN_LABELS.get(change["column"], change["column"]),
            }
            for change in (changes.changes if changes else [])
        ],
        "can_submit": submission is not None
        and submission.status in (Status.DRAFT, Status.QUERIED)
        and state.editable,
        "column_labels": COLUMN_LABELS,
        "breadcrumbs": [
            (gettext_lazy("My statistics"), reverse("submissions:overview")),
            (ref.title, ""),
        ],
    }
    return render(request, TEMPLATES + "grid.html", context, status=status)


class SubmissionView(EntryView):
    """A submission by number: its period's grid (for links from lists and the API)."""

    def get(self, request: HttpRequest, submission_id: int) -> HttpResponse:
        submission = _own_submission_or_404(request, submission_id)
        return redirect("submissions:grid", submission.year, submission.dataset, submission.period)


def _ref_of(submission: Submission) -> PeriodRef:
    return PeriodRef(year=submission.year, dataset=submission.dataset, period=submission.period)


class SubmitView(EntryView):
    """The participant says the period's figures are complete."""

    def post(self, request: HttpRequest, submission_id: int) -> HttpResponse:
        submission = _own_submission_or_404(request, submission_id)
        ref = _ref_of(submission)
        try:
            services.submission_submit(submission=submission, actor=request.user)
        except services.WorkflowError as exc:
            return grid_page(request, ref, refusal=str(exc), status=400)
        messages.success(
            request,
            _("Submitted %(period)s. The secretariat will review the figures.")
            % {"period": ref.title},
        )
        return redirect(ref.url)


class ExplainView(EntryView):
    """The participant explains one warning of a submission."""

    def post(self, request: HttpRequest, submission_id: int, finding_id: int) -> HttpResponse:
        submission = _own_submission_or_404(request, submission_id)
        finding = selectors.submission_findings(submission=submission).filter(pk=finding_id).first()
        if finding is None:
            raise Http404(
                _("Submission %(submission)s has no warning number %(id)s.")
                % {"submission": submission_id, "id": finding_id}
            )
        ref = _ref_of(submission)
        form = ef.ExplanationForm(request.POST)
        if not form.is_valid():
            refusal = " ".join(str(e) for e in form.errors.get("explanation", []))
            return grid_page(request, ref, refusal=refusal, status=400)
        try:
            services.warning_explain(
                finding=finding, actor=request.user, explanation=form.cleaned_data["explanation"]
            )
        except services.WorkflowError as exc:
            return grid_page(request, ref, refusal=str(exc), status=400)
        messages.success(request, _("Your explanation is saved."))
        return redirect(f"{ref.url}#warning-{finding.pk}")


# --- Upload ------------------------------------------------------------------------------------


def _pending_discard(request: HttpRequest) -> None:
    entry = request.session.pop(PENDING_UPLOAD_KEY, None)
    if entry:
        default_storage.delete(entry["path"])


def _pending_prune() -> None:
    """Remove uploads nobody confirmed within a day (of any user)."""
    try:
        _dirs, files = default_storage.listdir(UPLOAD_DIR)
    except FileNotFoundError:
        return
    stale_before = timezone.now() - PENDING_UPLOAD_LIFETIME
    for name in files:
        path = f"{UPLOAD_DIR}/{name}"
        try:
            if default_storage.get_modified_time(path) < stale_before:
                default_storage.delete(path)
        except FileNotFoundError:  # removed meanwhile by another request
            continue


def _pending_keep(request: HttpRequest, data: bytes, filename: str) -> str:
    _pending_discard(request)
    _pending_prune()
    token = secrets.token_urlsafe(24)
    suffix = Path(filename).suffix.lower()
    path = default_storage.save(
        f"{UPLOAD_DIR}/{token}{suffix if suffix in ('.csv', '.xlsx', '.txt') else ''}",
        ContentFile(data),
    )
    request.session[PENDING_UPLOAD_KEY] = {
        "token": token,
        "path": path,
        "name": filename,
        "participant_id": request.user.participant_id,  # type: ignore[union-attr]
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    return token


def _pending_data(request: HttpRequest, token: str) -> tuple[dict[str, Any], bytes] | None:
    """The file waiting under `token` in this session, as it was uploaded; None if gone."""
    entry = request.session.get(PENDING_UPLOAD_KEY)
    if not entry or not secrets.compare_digest(str(entry.get("token", "")), token):
        return None
    if entry.get("participant_id") != request.user.participant_id:  # type: ignore[union-attr]
        return None
    try:
        with default_storage.open(entry["path"], "rb") as stored:
            data = stored.read()
    except FileNotFoundError:
        return None
    if hashlib.sha256(data).hexdigest() != entry.get("sha256"):
        return None
    return entry, data


def _file_problems(findings: list[Finding]) -> list[Problem]:
    return [Problem(f.severity, f.row_number, f.column, _bare_message(f)) for f in findings]


def _period_summary(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows per year, period and dataset in a file that passed validation (for the page)."""
    counts: Counter[tuple[str, str, str]] = Counter()
    for row in rows:
        flow = str(row.get("flow") or "").strip().lower()
        if not flow:
            continue
        dataset = Dataset.PRODUCTION if flow == PRODUCTION else Dataset.TRADE
        counts[
            (
                str(row.get("year") or "").strip(),
                str(row.get("period") or "").strip().upper(),
                dataset,
            )
        ] += 1
    return [
        {"year": year, "period": period, "dataset": Dataset(dataset).label, "rows": count}
        for (year, period, dataset), count in sorted(counts.items())
    ]


def upload_page(
    request: HttpRequest,
    *,
    form: ef.StatisticsUploadForm | None = None,
    problems: list[Problem] | None = None,
    filename: str = "",
    refused: bool = False,
    dry_run: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "form": form or ef.StatisticsUploadForm(),
        "problems": problems or [],
        "errors": [p for p in problems or [] if p.is_error],
        "filename": filename,
        "refused": refused,
        "dry_run": dry_run,
        "participant": _participant(request),
        "breadcrumbs": [
            (gettext_lazy("My statistics"), reverse("submissions:overview")),
            (gettext_lazy("Upload a file"), ""),
        ],
    }
    return render(request, TEMPLATES + "upload.html", context, status=status)


class UploadView(EntryView):
    """Upload a CSV or XLSX file: it is read and checked (a dry run) and nothing is stored
    until the participant confirms."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return upload_page(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        # A new file replaces any earlier one still waiting for confirmation.
        _pending_discard(request)
        form = ef.StatisticsUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return upload_page(request, form=form, status=400)
        upload = form.cleaned_data["file"]
        filename = Path(upload.name or "upload").name
        data = upload.read()
        try:
            rows = statistics_file_read(io.BytesIO(data), filename)
            report = services.figures_save(
                participant=self.participant, actor=request.user, rows=rows, dry_run=True
            )
        except StatisticsRejected as exc:
            return upload_page(
                request,
                problems=_file_problems(exc.findings),
                filename=filename,
                refused=True,
                status=400,
            )
        token = _pending_keep(request, data, filename)
        dry_run = {
            "token": token,
            "confirm_form": ef.UploadConfirmForm(initial={"token": token}),
            "periods": _period_summary(rows),
            "rows": sum(
                1 for row in rows if any(str(v).strip() for v in row.values() if v is not None)
            ),
        }
        return upload_page(
            request, problems=_file_problems(report.findings), filename=filename, dry_run=dry_run
        )


class UploadConfirmView(EntryView):
    """ "Store these figures": the file kept on the server is read and saved for real (and
    validated again: the stored figures or the deadlines may have changed meanwhile)."""

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ef.UploadConfirmForm(request.POST)
        pending = _pending_data(request, form.cleaned_data["token"]) if form.is_valid() else None
        if pending is None:
            messages.error(
                request,
                _(
                    "This upload is no longer waiting to be stored (it was stored, discarded, "
                    "replaced by another or kept too long). Upload the file again."
                ),
            )
            return upload_page(request, status=400)
        entry, data = pending
        try:
            rows = statistics_file_read(io.BytesIO(data), entry["name"])
            report = services.figures_save(
                participant=self.participant, actor=request.user, rows=rows
            )
        except StatisticsRejected as exc:
            _pending_discard(request)
            return upload_page(
                request,
                problems=_file_problems(exc.findings),
                filename=entry["name"],
                refused=True,
                status=400,
            )
        _pending_discard(request)
        stored = ngettext(
            "Stored the figures of %(name)s for %(count)s period.",
            "Stored the figures of %(name)s for %(count)s periods.",
            len(report.submissions),
        ) % {"name": entry["name"], "count": len(report.submissions)}
        if report.warnings:
            stored += " " + ngettext(
                "%(count)s warning needs your explanation before you submit.",
                "%(count)s warnings need your explanation before you submit.",
                len(report.warnings),
            ) % {"count": len(report.warnings)}
        messages.success(request, stored)
        return redirect("submissions:overview")


class UploadDiscardView(EntryView):
    def post(self, request: HttpRequest) -> HttpResponse:
        _pending_discard(request)
        messages.info(request, _("The upload was discarded; nothing was stored."))
        return redirect("submissions:upload")


# --- Declared stock ----------------------------------------------------------------------------


def stock_page(
    request: HttpRequest,
    *,
    form: ef.StockDeclarationForm | None = None,
    status: int = 200,
) -> HttpResponse:
    participant = _participant(request)
    declarations = list(
        stock_selectors.participant_stock_declarations(participant_id=participant.pk)
    )
    years = _stock_years()
    if form is None:
        # ?year= picks the declaration to change; anything else starts a new one.
        wanted = request.GET.get("year", "")
        declared = {d.year: d for d in declarations}
        chosen = declared.get(int(wanted)) if wanted.isascii() and wanted.isdigit() else None
        initial: dict[str, Any] = {"year": years[0]}
        if chosen is not None:
            initial = {
                "year": chosen.year,
                "carats": chosen.carats,
                "value_usd": chosen.value_usd,
                "note": chosen.note,
            }
        form = ef.StockDeclarationForm(initial=initial, years=years)
    context = {
        "participant": participant,
        "declarations": declarations,
        "form": form,
        "breadcrumbs": [
            (gettext_lazy("My statistics"), reverse("submissions:overview")),
            (gettext_lazy("Declared stock"), ""),
        ],
    }
    return render(request, TEMPLATES + "stock.html", context, status=status)


def _stock_years() -> list[int]:
    """The years stock can be declared for, latest first: a year's opening stock once the
    year has begun, back to the start of the KPCS."""
    return list(range(timezone.localdate().year, FIRST_YEAR - 1, -1))


class StockView(EntryView):
    """The participant's opening stock by year, and the form to declare or change one."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return stock_page(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ef.StockDeclarationForm(request.POST, years=_stock_years())
        if not form.is_valid():
            return stock_page(request, form=form, status=400)
        data = form.cleaned_data
        try:
            declaration = services.stock_declare(
                participant=self.participant,
                year=data["year"],
                carats=data["carats"],
                value_usd=data["value_usd"],
                note=data["note"],
                actor=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            return stock_page(request, form=form, status=400)
        messages.success(
            request,
            _("The opening stock of %(year)s is declared: %(carats)s ct worth US$ %(value)s.")
            % {
                "year": declaration.year,
                "carats": formats.number_format(declaration.carats, 2, force_grouping=True),
                "value": formats.number_format(declaration.value_usd, 2, force_grouping=True),
            },
        )
        return redirect("submissions:stock")
