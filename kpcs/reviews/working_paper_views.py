"""Pages of a visit's working papers: the findings by requirement area with their evidence,
filing and editing a finding, evidence downloads, the report with all its versions, the lead's
new version (draft or final), the reviewed participant's comments and their sending.

Who may come in is decided by kpcs.reviews.selectors (a visit, or its working papers, that
the user may not see answers 404 as if it did not exist); what each may do by the services,
which raise PermissionDenied (403) or a ValidationError naming the field (the form again,
400, nothing stored). A move refused because of the visit's status on a GET goes back to the
report or findings page with the reason.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from kpcs.common.uploads import document_response
from kpcs.reviews.models import Finding, ReportVersion, ReviewVisit
from kpcs.reviews.selectors import working_papers as papers
from kpcs.reviews.selectors.access import (
    can_see_working_papers,
    is_reviewed_participant,
    is_team_lead,
    is_team_member,
    visit_visible_to,
)
from kpcs.reviews.services import working_papers as services
from kpcs.reviews.working_paper_forms import FindingForm, ReportCommentForm, ReportVersionForm

TEMPLATES = "reviews/papers/"


# --- Shared ---------------------------------------------------------------------------------------


def _not_found(visit_id: int) -> Http404:
    return Http404(_("There is no review visit number %(id)s for you.") % {"id": visit_id})


def visit_breadcrumbs(visit: ReviewVisit, *trail: tuple[Any, str]) -> list[tuple[Any, str]]:
    return [
        (gettext_lazy("Review visits"), reverse("reviews:list")),
        (str(visit), reverse("reviews:detail", kwargs={"visit_id": visit.pk})),
        *trail,
    ]


def _place_errors(form: BaseForm, exc: ValidationError) -> None:
    """Each of the service's messages at the field it names, the others above the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, errors in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


class PapersView(View):
    """Resolves the visit from the address for a user who may see its working papers."""

    request: HttpRequest
    visit: ReviewVisit

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        visit = self.resolve_visit(request, kwargs["visit_id"])
        if visit is None:
            raise _not_found(kwargs["visit_id"])
        self.visit = visit
        refusal = self.check(request, **kwargs)
        if refusal is not None:
            return refusal
        return super().dispatch(request, *args, **kwargs)

    def resolve_visit(self, request: HttpRequest, visit_id: int) -> ReviewVisit | None:
        return papers.visit_for_papers(user=request.user, visit_id=visit_id)

    def check(self, request: HttpRequest, **kwargs: Any) -> HttpResponseBase | None:
        """Raise 404/403, or answer a redirect with the reason; None lets the request in."""
        return None


# --- Findings -------------------------------------------------------------------------------------


class FindingsView(PapersView):
    """The findings by requirement area, with ratings, evidence and who filed them."""

    def get(self, request: HttpRequest, visit_id: int) -> HttpResponse:
        visit = self.visit
        user = request.user
        groups = papers.findings_by_area(visit)
        editable = {
            finding.pk
            for group in groups
            for finding in group.findings
            if papers.can_edit_finding(user, finding)
        }
        context = {
            "visit": visit,
            "groups": groups,
            "editable": editable,
            "can_file": papers.can_file_findings(user, visit),
            "is_team_member": is_team_member(user, visit),
            "working_papers": True,
            "breadcrumbs": visit_breadcrumbs(visit, (gettext_lazy("Findings"), "")),
        }
        return render(request, TEMPLATES + "findings.html", context)


class FindingCreateView(PapersView):
    """A team member files a finding with its evidence files."""

    def check(self, request: HttpRequest, **kwargs: Any) -> HttpResponseBase | None:
        visit = self.visit
        if not is_team_member(request.user, visit):
            raise PermissionDenied(_("Only the members of this visit's team file findings."))
        if visit.status not in papers.FINDING_STATUSES:
            messages.error(
                request,
                _("Findings are filed while the visit is scheduled and until the final report."),
            )
            return redirect("reviews:findings", visit_id=visit.pk)
        return None

    def get(self, request: HttpRequest, visit_id: int) -> HttpResponse:
        return self.page(FindingForm())

    def post(self, request: HttpRequest, visit_id: int) -> HttpResponse:
        form = FindingForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.page(form, status=400)
        data = form.cleaned_data
        try:
            finding = services.finding_create(
                actor=request.user,
                visit=self.visit,
                area=data["area"],
                rating=data["rating"],
                text=data["text"],
                files=data["evidence"],
            )
        except ValidationError as exc:
            _place_errors(form, exc)
            return self.page(form, status=400)
        messages.success(
            request,
            _("Your finding on %(area)s is filed.") % {"area": finding.get_area_display()},
        )
        return redirect(f"{reverse('reviews:findings', args=[self.visit.pk])}#finding-{finding.pk}")

    def page(self, form: FindingForm, status: int = 200) -> HttpResponse:
        visit = self.visit
        context = {
            "visit": visit,
            "form": form,
            "finding": None,
            "working_papers": True,
            "breadcrumbs": visit_breadcrumbs(
                visit,
                (gettext_lazy("Findings"), reverse("reviews:findings", args=[visit.pk])),
                (gettext_lazy("File a finding"), ""),
            ),
        }
        return render(self.request, TEMPLATES + "finding_form.html", context, status=status)


class FindingEditView(PapersView):
    """The author or the lead changes a finding and adds evidence files."""

    finding: Finding

    def check(self, request: HttpRequest, **kwargs: Any) -> HttpResponseBase | None:
        visit = self.visit
        finding = papers.finding_get(visit=visit, finding_id=kwargs["finding_id"])
        if finding is None:
            raise Http404(
                _("There is no finding number %(id)s on this visit.") % {"id": kwargs["finding_id"]}
            )
        user = request.user
        if not is_team_member(user, visit) or not (
            finding.author_id == user.pk or is_team_lead(user, visit)
        ):
            raise PermissionDenied(_("Only the finding's author or the team's lead changes it."))
        if visit.status not in papers.FINDING_STATUSES:
            messages.error(
                request, _("The final report is issued: findings can no longer be changed.")
            )
            return redirect("reviews:findings", visit_id=visit.pk)
        self.finding = finding
        return None

    def get(self, request: HttpRequest, visit_id: int, finding_id: int) -> HttpResponse:
        finding = self.finding
        initial = {"area": finding.area, "rating": finding.rating, "text": finding.text}
        return self.page(FindingForm(initial=initial))

    def post(self, request: HttpRequest, visit_id: int, finding_id: int) -> HttpResponse:
        form = FindingForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.page(form, status=400)
        data = form.cleaned_data
        try:
            finding = services.finding_update(
                actor=request.user,
                finding=self.finding,
                area=data["area"],
                rating=data["rating"],
                text=data["text"],
                files=data["evidence"],
            )
        except ValidationError as exc:
            _place_errors(form, exc)
            return self.page(form, status=400)
        messages.success(request, _("The finding is saved."))
        return redirect(f"{reverse('reviews:findings', args=[self.visit.pk])}#finding-{finding.pk}")

    def page(self, form: FindingForm, status: int = 200) -> HttpResponse:
        visit = self.visit
        context = {
            "visit": visit,
            "form": form,
            "finding": self.finding,
            "evidence": list(self.finding.evidence.all()),
            "working_papers": True,
            "breadcrumbs": visit_breadcrumbs(
                visit,
                (gettext_lazy("Findings"), reverse("reviews:findings", args=[visit.pk])),
                (gettext_lazy("Edit a finding"), ""),
            ),
        }
        return render(self.request, TEMPLATES + "finding_form.html", context, status=status)


class EvidenceView(View):
    """An evidence file (of a finding, or of a response to one of the visit's
    recommendations), sent as a download to those who may see the working papers."""

    def get(self, request: HttpRequest, visit_id: int, evidence_id: int) -> HttpResponseBase:
        evidence = papers.evidence_get(
            user=request.user, visit_id=visit_id, evidence_id=evidence_id
        )
        missing = _("There is no evidence file number %(id)s on this visit for you.") % {
            "id": evidence_id
        }
        if evidence is None:
            raise Http404(missing)
        try:
            return document_response(
                evidence.file, name=evidence.name, content_type=evidence.content_type
            )
        except FileNotFoundError as exc:
            raise Http404(missing) from exc


# --- The report -----------------------------------------------------------------------------------


class VisibleVisitView(View):
    """Resolves a visit the user may see (the public: a published one)."""

    visit: ReviewVisit

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        visit = visit_visible_to(request.user, kwargs["visit_id"])
        if visit is None:
            raise _not_found(kwargs["visit_id"])
        self.visit = visit
        return super().dispatch(request, *args, **kwargs)


def _report_actions(user: Any, visit: ReviewVisit) -> dict[str, Any]:
    return {
        "can_write": papers.can_write_report(user, visit),
        "can_send": papers.can_send_comments(user, visit),
        "working_papers": can_see_working_papers(user, visit),
        "current_draft": papers.current_draft(visit),
    }


class ReportView(VisibleVisitView):
    """The current version and the list of every version (drafts and final; the public and
    others without the working papers: the final report alone)."""

    def get(self, request: HttpRequest, visit_id: int) -> HttpResponse:
        visit = self.visit
        versions = list(papers.report_versions_for(user=request.user, visit=visit))
        current = versions[-1] if versions else None
        context = {
            "visit": visit,
            "versions": versions,
            "current": current,
            **_report_actions(request.user, visit),
            "breadcrumbs": visit_breadcrumbs(visit, (gettext_lazy("Report"), "")),
        }
        if current is not None and can_see_working_papers(request.user, visit):
            context["comments"] = list(papers.comments_of(current))
        return render(request, TEMPLATES + "report.html", context)


def _version_or_404(request: HttpRequest, visit: ReviewVisit, number: int) -> ReportVersion:
    version = papers.report_version_get(user=request.user, visit=visit, number=number)
    if version is None:
        raise Http404(
            _("There is no version %(number)s of this report for you.") % {"number": number}
        )
    return version


def version_page(
    request: HttpRequest,
    visit: ReviewVisit,
    version: ReportVersion,
    *,
    comment_form: ReportCommentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    working_papers = can_see_working_papers(user, visit)
    previous = papers.previous_version(version) if working_papers else None
    may_comment = papers.can_comment(user, version)
    context = {
        "visit": visit,
        "version": version,
        "previous": previous,
        "diff": papers.version_diff(previous.text, version.text) if previous else [],
        "comments": list(papers.comments_of(version)) if working_papers else [],
        "comment_form": (comment_form or ReportCommentForm()) if may_comment else None,
        **_report_actions(user, visit),
        "breadcrumbs": visit_breadcrumbs(
            visit,
            (gettext_lazy("Report"), reverse("reviews:report", args=[visit.pk])),
            (_("Version %(number)s") % {"number": version.number}, ""),
        ),
    }
    return render(request, TEMPLATES + "report_version.html", context, status=status)


class ReportVersionView(VisibleVisitView):
    """One version with the participant's comments and what changed since the previous."""

    def get(self, request: HttpRequest, visit_id: int, number: int) -> HttpResponse:
        return version_page(request, self.visit, _version_or_404(request, self.visit, number))


class ReportDraftView(PapersView):
    """The lead writes a new version: pre-filled with the findings by area (first draft) or
    the latest version's text, editable; saved as a new draft or as the final report."""

    def check(self, request: HttpRequest, **kwargs: Any) -> HttpResponseBase | None:
        visit = self.visit
        if not is_team_lead(request.user, visit):
            raise PermissionDenied(_("Only the lead of the team writes the report."))
        if not papers.report_kinds_open(visit):
            messages.error(
                request,
                _(
                    "No version can be written now: the report is written once the visit is "
                    "done, until the final report is issued."
                ),
            )
            return redirect("reviews:report", visit_id=visit.pk)
        return None

    def get(self, request: HttpRequest, visit_id: int) -> HttpResponse:
        visit = self.visit
        latest = visit.report_versions.order_by("-number").first()
        from_findings = request.GET.get("from") == "findings" or latest is None
        text = papers.report_text_from_findings(visit) if from_findings else latest.text  # type: ignore[union-attr]
        return self.page(self.form(initial={"text": text}), latest=latest)

    def post(self, request: HttpRequest, visit_id: int) -> HttpResponse:
        form = self.form(request.POST)
        if not form.is_valid():
            return self.page(form, status=400)
        data = form.cleaned_data
        try:
            version = services.report_version_create(
                actor=request.user,
                visit=self.visit,
                text=data["text"],
                kind=data["kind"],
                note=data["note"],
            )
        except ValidationError as exc:
            _place_errors(form, exc)
            return self.page(form, status=400)
        if version.kind == ReportVersion.Kind.FINAL:
            messages.success(
                request,
                _("The final report (version %(number)s) is issued.") % {"number": version.number},
            )
        else:
            messages.success(
                request,
                _("Draft version %(number)s is saved; the reviewed participant can comment on it.")
                % {"number": version.number},
            )
        return redirect("reviews:report-version", visit_id=self.visit.pk, number=version.number)

    def form(self, *args: Any, **kwargs: Any) -> ReportVersionForm:
        return ReportVersionForm(*args, kinds=papers.report_kinds_open(self.visit), **kwargs)

    def page(
        self, form: ReportVersionForm, *, latest: ReportVersion | None = None, status: int = 200
    ) -> HttpResponse:
        visit = self.visit
        if latest is None:
            latest = visit.report_versions.order_by("-number").first()
        context = {
            "visit": visit,
            "form": form,
            "latest": latest,
            "finding_count": visit.findings.count(),
            "working_papers": True,
            "comments": list(papers.comments_of(latest)) if latest else [],
            "breadcrumbs": visit_breadcrumbs(
                visit,
                (gettext_lazy("Report"), reverse("reviews:report", args=[visit.pk])),
                (gettext_lazy("New version"), ""),
            ),
        }
        return render(self.request, TEMPLATES + "report_draft.html", context, status=status)


class ReportCommentView(PapersView):
    """The reviewed participant comments on the current draft (optionally on one area)."""

    version: ReportVersion

    def check(self, request: HttpRequest, **kwargs: Any) -> HttpResponseBase | None:
        visit = self.visit
        version = _version_or_404(request, visit, kwargs["number"])
        if not is_reviewed_participant(request.user, visit):
            raise PermissionDenied(
                _("Only the reviewed participant's authority comments on the draft report.")
            )
        if not papers.can_comment(request.user, version):
            messages.error(
                request,
                _("Comments are written on the current draft while it awaits them."),
            )
            return redirect("reviews:report-version", visit_id=visit.pk, number=version.number)
        self.version = version
        return None

    def get(self, request: HttpRequest, visit_id: int, number: int) -> HttpResponse:
        return version_page(request, self.visit, self.version)

    def post(self, request: HttpRequest, visit_id: int, number: int) -> HttpResponse:
        form = ReportCommentForm(request.POST)
        if not form.is_valid():
            return version_page(request, self.visit, self.version, comment_form=form, status=400)
        try:
            services.report_comment_add(
                actor=request.user,
                version=self.version,
                text=form.cleaned_data["text"],
                area=form.cleaned_data["area"],
            )
        except ValidationError as exc:
            _place_errors(form, exc)
            return version_page(request, self.visit, self.version, comment_form=form, status=400)
        messages.success(
            request,
            _("Your comment is saved. Send your comments when you have written them all."),
        )
        return redirect(
            "reviews:report-version", visit_id=self.visit.pk, number=self.version.number
        )


class ReportCommentsSendView(PapersView):
    """The reviewed participant sends its comments: the visit moves to comments received."""

    def post(self, request: HttpRequest, visit_id: int) -> HttpResponse:
        visit = self.visit
        if not is_reviewed_participant(request.user, visit):
            raise PermissionDenied(
                _("Only the reviewed participant's authority sends comments on the draft report.")
            )
        try:
            services.report_comments_send(actor=request.user, visit=visit)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request, _("Your comments are sent: the visit is now at “comments received”.")
            )
        return redirect("reviews:report", visit_id=visit.pk)
