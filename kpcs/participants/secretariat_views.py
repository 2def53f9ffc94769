"""The secretariat's pages for the reference data: participants and their status events,
authorities and contacts, observers, working bodies, chairmanships, the reload job and the
audit log. Every page is for the secretariat only (anonymous → log-in, other roles → 403)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from kpcs.accounts.permissions import SecretariatRequiredMixin
from kpcs.common import selectors as common_selectors
from kpcs.common.http import HtmxHttpRequest
from kpcs.common.jobs import background_job_start
from kpcs.common.spreadsheets import spreadsheet_cell
from kpcs.participants import secretariat_forms as sf
from kpcs.participants import selectors, services
from kpcs.participants.forms import ParticipantFilterForm
from kpcs.participants.models import (
    Authority,
    AuthorityContact,
    Chairmanship,
    Observer,
    Participant,
    StatusEvent,
    WorkingBody,
    WorkingBodyMembership,
)
from kpcs.participants.tasks import REFERENCE_DATA_RELOAD, reference_data_reload
from kpcs.participants.views import paginate

TEMPLATES = "participants/secretariat/"
AUDIT_TRAIL_LENGTH = 50

Crumbs = list[tuple[Any, str]]


# --- Lookups: an unknown code or number is a 404 that says what was not found ---------------


def _participant_or_404(code: str) -> Participant:
    participant = selectors.participant_get(code=code)
    if participant is None:
        raise Http404(_("No participant has the code “%(code)s”.") % {"code": code.upper()[:10]})
    return participant


def _status_event_or_404(participant: Participant, event_id: int) -> StatusEvent:
    event = selectors.status_event_get(participant=participant, event_id=event_id)
    if event is None:
        raise Http404(
            _("%(participant)s has no status event number %(id)s.")
            % {"participant": participant.name, "id": event_id}
        )
    return event


def _authority_or_404(participant: Participant, authority_id: int) -> Authority:
    authority = selectors.authority_get(participant=participant, authority_id=authority_id)
    if authority is None:
        raise Http404(
            _("%(participant)s has no authority number %(id)s.")
            % {"participant": participant.name, "id": authority_id}
        )
    return authority


def _contact_or_404(authority: Authority, contact_id: int) -> AuthorityContact:
    contact = selectors.authority_contact_get(authority=authority, contact_id=contact_id)
    if contact is None:
        raise Http404(
            _("%(authority)s has no contact number %(id)s.")
            % {"authority": authority.name, "id": contact_id}
        )
    return contact


def _observer_or_404(code: str) -> Observer:
    observer = selectors.observer_get(code=code)
    if observer is None:
        raise Http404(_("No observer has the code “%(code)s”.") % {"code": code.upper()[:10]})
    return observer


def _working_body_or_404(code: str) -> WorkingBody:
    working_body = selectors.working_body_get(code=code)
    if working_body is None:
        raise Http404(
            _("No working body has the acronym “%(code)s”.") % {"code": code.upper()[:10]}
        )
    return working_body


def _membership_or_404(working_body: WorkingBody, membership_id: int) -> WorkingBodyMembership:
    membership = selectors.working_body_membership_get(
        working_body=working_body, membership_id=membership_id
    )
    if membership is None:
        raise Http404(
            _("%(body)s has no seat number %(id)s.")
            % {"body": working_body.code, "id": membership_id}
        )
    return membership


def _chairmanship_or_404(year: int) -> Chairmanship:
    chairmanship = selectors.chairmanship_get(year=year)
    if chairmanship is None:
        raise Http404(_("No chairmanship is recorded for %(year)s.") % {"year": year})
    return chairmanship


def _show_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: on the field it names when the form has
    that field, otherwise above the form."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# --- Crumbs ----------------------------------------------------------------------------------


def _participants_crumb() -> tuple[Any, str]:
    return (gettext_lazy("Participants"), reverse("secretariat:participants"))


def _participant_crumbs(participant: Participant) -> Crumbs:
    return [
        _participants_crumb(),
        (participant.name, reverse("secretariat:participant", args=[participant.code])),
    ]


# --- Base views ------------------------------------------------------------------------------


class SecretariatView(SecretariatRequiredMixin, View):
    """A page for the secretariat only."""

    request: HttpRequest


class SecretariatFormView(SecretariatView):
    """Show a form (GET); on POST validate it, call one service, redirect with a message, or
    show the form again with its errors (400)."""

    template_name = TEMPLATES + "form_page.html"
    form_class: type[forms.BaseForm]
    submit_label: Any = gettext_lazy("Save")
    danger = False

    def load(self) -> None:
        """Fetch the records the address names (404 when unknown)."""

    def form_kwargs(self) -> dict[str, Any]:
        return {}

    def save(self, form: Any) -> str:
        """Call the service; return the message shown after the redirect."""
        raise NotImplementedError

    def success_url(self) -> str:
        raise NotImplementedError

    def page_context(self) -> dict[str, Any]:
        """title, breadcrumbs, cancel_url and anything else the template shows."""
        raise NotImplementedError

    def render_form(self, form: forms.BaseForm, *, status: int = 200) -> HttpResponse:
        context = {
            "form": form,
            "submit_label": self.submit_label,
            "danger": self.danger,
            **self.page_context(),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        self.load()
        return self.render_form(self.form_class(**self.form_kwargs()))

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        self.load()
        form = self.form_class(request.POST, **self.form_kwargs())
        if form.is_valid():
            try:
                message = self.save(form)
            except ValidationError as exc:
                _show_errors(form, exc)
            else:
                messages.success(request, message)
                return redirect(self.success_url())
        return self.render_form(form, status=400)


# --- Participants ----------------------------------------------------------------------------


class ParticipantListView(SecretariatView):
    def get(self, request: HtmxHttpRequest) -> HttpResponse:
        form = ParticipantFilterForm(request.GET or None)
        status, filters = 200, {}
        if form.is_bound and not form.is_valid():
            status = 400
        elif form.is_bound:
            filters = form.cleaned_data
        date = filters.get("date") or timezone.localdate()
        participants = selectors.participant_list(
            date=date,
            search=filters.get("q", ""),
            kind=filters.get("kind", ""),
            standing=filters.get("standing", ""),
        )
        if status != 200:
            participants = participants.none()
        context = {
            "form": form,
            "page": paginate(request, participants),
            "date": date,
            "breadcrumbs": [(gettext_lazy("Participants"), "")],
        }
        template = "_participant_table.html" if request.htmx else "participant_list.html"
        return render(request, TEMPLATES + template, context, status=status)


class ParticipantDetailView(SecretariatView):
    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        participant = _participant_or_404(code)
        trail = selectors.participant_audit_trail(participant=participant)
        context = {
            "participant": participant,
            "standing": selectors.participant_standing_on(
                participant=participant, date=timezone.localdate()
            ),
            "history": selectors.participant_status_history(participant=participant),
            "authorities": selectors.authorities_of(participant=participant),
            "audit_entries": trail[:AUDIT_TRAIL_LENGTH],
            "audit_trail_length": AUDIT_TRAIL_LENGTH,
            "breadcrumbs": [_participants_crumb(), (participant.name, "")],
        }
        return render(request, TEMPLATES + "participant_detail.html", context)


class ParticipantFormMixin:
    participant: Participant
    kwargs: dict[str, Any]

    def load(self) -> None:
        self.participant = _participant_or_404(self.kwargs["code"])

    def success_url(self) -> str:
        return reverse("secretariat:participant", args=[self.participant.code])


class ParticipantEditView(ParticipantFormMixin, SecretariatFormView):
    form_class = sf.ParticipantForm

    def form_kwargs(self) -> dict[str, Any]:
        return {"instance": self.participant}

    def save(self, form: sf.ParticipantForm) -> str:
        services.participant_update(
            participant=self.participant, actor=self.request.user, values=form.cleaned_data
        )
        return _("%(name)s has been saved.") % {"name": self.participant.name}

    def page_context(self) -> dict[str, Any]:
        return {
            "title": _("Edit %(name)s") % {"name": self.participant.name},
            "breadcrumbs": [*_participant_crumbs(self.participant), (_("Edit"), "")],
            "cancel_url": self.success_url(),
        }


class StatusEventFormView(ParticipantFormMixin, SecretariatFormView):
    form_class = sf.StatusEventForm
    event: StatusEvent | None = None

    def load(self) -> None:
        super().load()
        if "pk" in self.kwargs:
            self.event = _status_event_or_404(self.participant, self.kwargs["pk"])

    def form_kwargs(self) -> dict[str, Any]:
        return {"instance": self.event or StatusEvent(participant=self.participant)}

    def save(self, form: sf.StatusEventForm) -> str:
        event = services.status_event_record(
            participant=self.participant,
            actor=self.request.user,
            values=form.cleaned_data,
            event=self.event,
        )
        return _("The status event “%(event)s” has been saved.") % {"event": event}

    def page_context(self) -> dict[str, Any]:
        title = (
            _("Correct a status event of %(name)s")
            if self.event
            else _("Record a status event for %(name)s")
        ) % {"name": self.participant.name}
        return {
            "title": title,
            "intro": _(
                "The participant's standing on any date follows from its latest status event "
                "on or before that date."
            ),
            "breadcrumbs": [*_participant_crumbs(self.participant), (title, "")],
            "cancel_url": self.success_url(),
        }


class StatusEventDeleteView(ParticipantFormMixin, SecretariatFormView):
    form_class = sf.DeleteWithReasonForm
    submit_label = gettext_lazy("Delete the status event")
    danger = True

    def load(self) -> None:
        super().load()
        self.event = _status_event_or_404(self.participant, self.kwargs["pk"])

    def save(self, form: sf.DeleteWithReasonForm) -> str:
        description = str(self.event)
        services.status_event_delete(
            event=self.event, actor=self.request.user, reason=form.cleaned_data["reason"]
        )
        return _("The status event “%(event)s” has been deleted.") % {"event": description}

    def page_context(self) -> dict[str, Any]:
        title = _("Delete a status event of %(name)s") % {"name": self.participant.name}
        return {
            "title": title,
            "intro": _(
                "The event “%(event)s” will be deleted; the participant's standing will follow "
                "from the remaining events. The deletion and its reason stay in the audit trail."
            )
            % {"event": self.event},
            "breadcrumbs": [*_participant_crumbs(self.participant), (title, "")],
            "cancel_url": self.success_url(),
        }


class AuthorityFormView(ParticipantFormMixin, SecretariatFormView):
    form_class = sf.AuthorityForm
    authority: Authority | None = None

    def load(self) -> None:
        super().load()
        if "pk" in self.kwargs:
            self.authority = _authority_or_404(self.participant, self.kwargs["pk"])

    def form_kwargs(self) -> dict[str, Any]:
        return {"instance": self.authority or Authority(participant=self.participant)}

    def save(self, form: sf.AuthorityForm) -> str:
        authority = services.authority_save(
            participant=self.participant,
            actor=self.request.user,
            values=form.cleaned_data,
            authority=self.authority,
        )
        return _("The authority “%(name)s” has been saved.") % {"name": authority.name}

    def page_context(self) -> dict[str, Any]:
        title = (
            _("Edit the authority “%(name)s”") % {"name": self.authority.name}
            if self.authority
            else _("Add an authority for %(name)s") % {"name": self.participant.name}
        )
        return {
            "title": title,
            "breadcrumbs": [*_participant_crumbs(self.participant), (title, "")],
            "cancel_url": self.success_url(),
        }


class ContactFormMixin(ParticipantFormMixin):
    authority: Authority
    contact: AuthorityContact | None = None

    def load(self) -> None:
        super().load()
        self.authority = _authority_or_404(self.participant, self.kwargs["authority_pk"])
        if "pk" in self.kwargs:
            self.contact = _contact_or_404(self.authority, self.kwargs["pk"])


class ContactFormView(ContactFormMixin, SecretariatFormView):
    form_class = sf.AuthorityContactForm

    def form_kwargs(self) -> dict[str, Any]:
        return {"instance": self.contact or AuthorityContact(authority=self.authority)}

    def save(self, form: sf.AuthorityContactForm) -> str:
        contact = services.authority_contact_save(
            authority=self.authority,
            actor=self.request.user,
            values=form.cleaned_data,
            contact=self.contact,
        )
        return _("The contact “%(name)s” has been saved.") % {"name": contact.name}

    def page_context(self) -> dict[str, Any]:
        title = (
            _("Edit the contact “%(name)s”") % {"name": self.contact.name}
            if self.contact
            else _("Add a contact to “%(authority)s”") % {"authority": self.authority.name}
        )
        return {
            "title": title,
            "breadcrumbs": [*_participant_crumbs(self.participant), (title, "")],
            "cancel_url": self.success_url(),
        }


class ContactDeleteView(ContactFormMixin, SecretariatFormView):
    form_class = sf.ConfirmForm
    submit_label = gettext_lazy("Delete the contact")
    danger = True
    contact: AuthorityContact

    def save(self, form: sf.ConfirmForm) -> str:
        name = self.contact.name
        services.authority_contact_delete(contact=self.contact, actor=self.request.user)
        return _("The contact “%(name)s” has been deleted.") % {"name": name}

    def page_context(self) -> dict[str, Any]:
        title = _("Delete the contact “%(name)s”") % {"name": self.contact.name}
        return {
            "title": title,
            "intro": _(
                "%(name)s will no longer be listed as a contact of “%(authority)s”. "
                "The deletion stays in the audit trail."
            )
            % {"name": self.contact.name, "authority": self.authority.name},
            "breadcrumbs": [*_participant_crumbs(self.participant), (title, "")],
            "cancel_url": self.success_url(),
        }


# --- Observers -------------------------------------------------------------------------------


def _observers_crumb() -> tuple[Any, str]:
    return (gettext_lazy("Observers"), reverse("secretariat:observers"))


class ObserverListView(SecretariatView):
    def get(self, request: HttpRequest) -> HttpResponse:
        context = {
            "page": paginate(request, selectors.observer_list()),
            "breadcrumbs": [(gettext_lazy("Observers"), "")],
        }
        return render(request, TEMPLATES + "observer_list.html", context)


class ObserverFormView(SecretariatFormView):
    form_class = sf.ObserverForm
    observer: Observer | None = None

    def load(self) -> None:
        if "code" in self.kwargs:
            self.observer = _observer_or_404(self.kwargs["code"])

    def form_kwargs(self) -> dict[str, Any]:
        return {"instance": self.observer or Observer()}

    def save(self, form: sf.ObserverForm) -> str:
        observer = services.observer_save(
            actor=self.request.user, values=form.cleaned_data, observer=self.observer
        )
        return _("The observer %(code)s has been saved.") % {"code": observer.code}

    def success_url(self) -> str:
        return reverse("secretariat:observers")

    def page_context(self) -> dict[str, Any]:
        title = (
            _("Edit the observer %(code)s") % {"code": self.observer.code}
            if self.observer
            else _("Add an observer")
        )
        return {
            "title": title,
            "breadcrumbs": [_observers_crumb(), (title, "")],
            "cancel_url": self.success_url(),
        }


# --- Working bodies --------------------------------------------------------------------------


def _working_bodies_crumb() -> tuple[Any, str]:
    return (gettext_lazy("Working bodies"), reverse("secretariat:working-bodies"))


class WorkingBodyListView(SecretariatView):
    def get(self, request: HttpRequest) -> HttpResponse:
        context = {
            "page": paginate(request, selectors.working_body_list()),
            "breadcrumbs": [(gettext_lazy("Working bodies"), "")],
        }
        return render(request, TEMPLATES + "working_body_list.html", context)


class WorkingBodyMixin:
    working_body: WorkingBody
    kwargs: dict[str, Any]

    def load(self) -> None:
        self.working_body = _working_body_or_404(self.kwargs["code"])

    def success_url(self) -> str:
        return reverse("secretariat:working-body-edit", args=[self.working_body.code])


class WorkingBodyEditView(WorkingBodyMixin, SecretariatFormView):
    template_name = TEMPLATES + "working_body_edit.html"
    form_class = sf.WorkingBodyForm

    def form_kwargs(self) -> dict[str, Any]:
        return {"instance": self.working_body}

    def save(self, form: sf.WorkingBodyForm) -> str:
        services.working_body_save(
            actor=self.request.user, values=form.cleaned_data, working_body=self.working_body
        )
        return _("The working body %(code)s has been saved.") % {"code": self.working_body.code}

    def page_context(self) -> dict[str, Any]:
        return {
            "title": _("Edit the working body %(code)s") % {"code": self.working_body.code},
            "working_body": self.working_body,
            "memberships": selectors.working_body_memberships(working_body=self.working_body),
            "breadcrumbs": [_working_bodies_crumb(), (self.working_body.code, "")],
            "cancel_url": reverse("secretariat:working-bodies"),
        }


class MembershipCreateView(WorkingBodyMixin, SecretariatFormView):
    form_class = sf.WorkingBodyMembershipForm
    submit_label = gettext_lazy("Add the seat")

    def form_kwargs(self) -> dict[str, Any]:
        return {"instance": WorkingBodyMembership(working_body=self.working_body)}

    def save(self, form: sf.WorkingBodyMembershipForm) -> str:
        membership = services.working_body_membership_save(
            working_body=self.working_body, actor=self.request.user, values=form.cleaned_data
        )
        member = membership.participant or membership.observer
        return _("%(member)s now has a seat in %(body)s.") % {
            "member": member,
            "body": self.working_body.code,
        }

    def page_context(self) -> dict[str, Any]:
        title = _("Add a seat in %(body)s") % {"body": self.working_body.code}
        return {
            "title": title,
            "breadcrumbs": [
                _working_bodies_crumb(),
                (self.working_body.code, self.success_url()),
                (title, ""),
            ],
            "cancel_url": self.success_url(),
        }


class MembershipDeleteView(WorkingBodyMixin, SecretariatFormView):
    form_class = sf.ConfirmForm
    submit_label = gettext_lazy("Remove the seat")
    danger = True

    def load(self) -> None:
        super().load()
        self.membership = _membership_or_404(self.working_body, self.kwargs["pk"])

    def save(self, form: sf.ConfirmForm) -> str:
        member = str(self.membership.participant or self.membership.observer)
        services.working_body_membership_delete(membership=self.membership, actor=self.request.user)
        return _("%(member)s no longer has that seat in %(body)s.") % {
            "member": member,
            "body": self.working_body.code,
        }

    def page_context(self) -> dict[str, Any]:
        title = _("Remove a seat from %(body)s") % {"body": self.working_body.code}
        member = self.membership.participant or self.membership.observer
        return {
            "title": title,
            "intro": _(
                "The seat of %(member)s (%(role)s, from %(year)s) will be removed. "
                "The removal stays in the audit trail."
            )
            % {
                "member": member,
                "role": self.membership.get_role_display(),
                "year": self.membership.year_from,
            },
            "breadcrumbs": [
                _working_bodies_crumb(),
                (self.working_body.code, self.success_url()),
                (title, ""),
            ],
            "cancel_url": self.success_url(),
        }


# --- Chairmanships ---------------------------------------------------------------------------


def _chairmanships_crumb() -> tuple[Any, str]:
    return (gettext_lazy("Chairmanships"), reverse("secretariat:chairmanships"))


class ChairmanshipListView(SecretariatView):
    def get(self, request: HttpRequest) -> HttpResponse:
        context = {
            "page": paginate(request, selectors.chairmanship_list()),
            "breadcrumbs": [(gettext_lazy("Chairmanships"), "")],
        }
        return render(request, TEMPLATES + "chairmanship_list.html", context)


class ChairmanshipFormView(SecretariatFormView):
    form_class = sf.ChairmanshipForm
    chairmanship: Chairmanship | None = None

    def load(self) -> None:
        if "year" in self.kwargs:
            self.chairmanship = _chairmanship_or_404(self.kwargs["year"])

    def form_kwargs(self) -> dict[str, Any]:
        return {"instance": self.chairmanship or Chairmanship()}

    def save(self, form: sf.ChairmanshipForm) -> str:
        chairmanship = services.chairmanship_save(
            actor=self.request.user, values=form.cleaned_data, chairmanship=self.chairmanship
        )
        return _("The chairmanship of %(year)s has been saved.") % {"year": chairmanship.year}

    def success_url(self) -> str:
        return reverse("secretariat:chairmanships")

    def page_context(self) -> dict[str, Any]:
        title = (
            _("Edit the chairmanship of %(year)s") % {"year": self.chairmanship.year}
            if self.chairmanship
            else _("Add a chairmanship")
        )
        return {
            "title": title,
            "breadcrumbs": [_chairmanships_crumb(), (title, "")],
            "cancel_url": self.success_url(),
        }


# --- Reference data reload -------------------------------------------------------------------


class ReferenceDataView(SecretariatView):
    """The reload form and the latest reload jobs (the newest one with its progress bar)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return render_reference_data(request, sf.ReferenceDataReloadForm())


def render_reference_data(
    request: HttpRequest, form: sf.ReferenceDataReloadForm, *, status: int = 200
) -> HttpResponse:
    jobs = list(common_selectors.background_job_list(kind=REFERENCE_DATA_RELOAD))
    context = {
        "form": form,
        "latest_job": jobs[0] if jobs else None,
        "earlier_jobs": jobs[1:],
        "breadcrumbs": [(gettext_lazy("Reference data"), "")],
    }
    return render(request, TEMPLATES + "reference_data.html", context, status=status)


class ReferenceDataReloadView(SecretariatView):
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        form = sf.ReferenceDataReloadForm(request.POST)
        if not form.is_valid():
            return render_reference_data(request, form, status=400)
        update = form.cleaned_data["update"]
        background_job_start(
            kind=REFERENCE_DATA_RELOAD,
            description=_("Reload reference data (correcting rows that differ)")
            if update
            else _("Reload reference data (adding missing rows)"),
            task=reference_data_reload,
            user=request.user,
            update=update,
        )
        messages.success(request, _("The reference data is being reloaded in the background."))
        return redirect("secretariat:reference-data")


# --- Audit log -------------------------------------------------------------------------------


class AuditLogView(SecretariatView):
    """Every change, newest first, for reading only: there is nothing here to edit or delete
    an entry with."""

    def get(self, request: HttpRequest) -> HttpResponse:
        form = sf.AuditLogFilterForm(request.GET or None)
        status = 200
        entries = common_selectors.audit_entry_list()
        if form.is_bound:
            if form.is_valid():
                entries = common_selectors.audit_entry_list(**form.filters())
            else:
                status, entries = 400, entries.none()
        filters = form.filters() if status == 200 and form.is_bound else {}
        # One object's history: named after the object as the latest entry recorded it.
        latest = entries.first() if filters.get("object_id") else None
        context = {
            "form": form,
            "page": paginate(request, entries),
            "subject": latest,
            "filtered": any(filters.values()),
            "breadcrumbs": [(gettext_lazy("Audit log"), "")],
        }
        return render(request, TEMPLATES + "audit_log.html", context, status=status)


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a stream."""

    def write(self, value: str) -> str:
        return value


AUDIT_CSV_COLUMNS = (
    "when",
    "who",
    "action",
    "record type",
    "record id",
    "record",
    "changes",
    "reason",
)


class AuditLogExportView(SecretariatView):
    """The filtered trail as CSV, for auditors who work in a spreadsheet: streamed (the trail
    grows for years), every cell neutralised against formulas."""

    def get(self, request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
        form = sf.AuditLogFilterForm(request.GET or None)
        if form.is_bound and not form.is_valid():
            messages.error(request, _("The filter is not valid; fix it and download again."))
            context = {
                "form": form,
                "page": paginate(request, common_selectors.audit_entry_list().none()),
                "subject": None,
                "filtered": True,
                "breadcrumbs": [(gettext_lazy("Audit log"), "")],
            }
            return render(request, TEMPLATES + "audit_log.html", context, status=400)
        filters = form.filters() if form.is_bound else {}
        entries = common_selectors.audit_entry_list(**filters)
        response = StreamingHttpResponse(
            _audit_csv_rows(entries), content_type="text/csv; charset=utf-8"
        )
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="kpcs-audit-log-{stamp}.csv"'
        return response


def _audit_csv_rows(entries: Any) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # spreadsheet programs then read the file as UTF-8
    yield writer.writerow(AUDIT_CSV_COLUMNS)
    for entry in entries.iterator(chunk_size=2000):
        yield writer.writerow(
            [
                entry.timestamp.isoformat(),
                spreadsheet_cell(entry.actor_name),
                entry.action,
                f"{entry.content_type.app_label}.{entry.content_type.model}",
                spreadsheet_cell(entry.object_id),
                spreadsheet_cell(entry.object_repr),
                spreadsheet_cell(json.dumps(entry.changes, ensure_ascii=False, sort_keys=True)),
                spreadsheet_cell(entry.reason),
            ]
        )
