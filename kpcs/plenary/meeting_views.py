"""Meeting pages: the public list and page of each meeting (agenda, attendance and the
documents the visitor may read), and the secretariat's work on meetings (list, new, edit, the
agenda and the attendance).

Who sees which meeting is decided by `access.meetings_visible_to` (a meeting the user may not
see answers 404); the documents listed are those the user may read. The secretariat's pages
answer 403 to every other user (anonymous visitors go to the log-in page).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from kpcs.accounts.permissions import SecretariatRequiredMixin, is_secretariat
from kpcs.participants.views import paginate
from kpcs.plenary import meeting_forms as mf
from kpcs.plenary.models import AgendaItem, Attendance, Meeting
from kpcs.plenary.selectors import meetings as selectors
from kpcs.plenary.selectors.documents import english, suffix
from kpcs.plenary.services import meetings as services

TEMPLATES = "plenary/meetings/"
PAGE_SIZE = 25
MEETINGS = gettext_lazy("Meetings")
SECRETARIAT_MEETINGS = gettext_lazy("Meetings (secretariat)")


def place_errors(form: BaseForm, exc: ValidationError) -> None:
    """Put each of the service's messages at the form field it names; messages about
    anything else go above the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        visible = field in form.fields and not form.fields[field].widget.is_hidden
        for error in errors:
            form.add_error(field if visible else None, error)


def filter_values(form: BaseForm) -> tuple[dict[str, Any], int]:
    """The valid filters of a bound filter form, or none and 400 when one is wrong."""
    if form.is_bound and not form.is_valid():
        return {}, 400
    if not form.is_bound:
        return {}, 200
    return {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}, 200


# --- Public pages ----------------------------------------------------------------------------


def public_meeting_list(request: HttpRequest) -> HttpResponse:
    form = mf.MeetingFilterForm(request.GET or None)
    filters, status = filter_values(form)
    meetings = selectors.meeting_list(user=request.user, **filters)
    if status != 200:
        meetings = meetings.none()
    context = {
        "form": form,
        "page": paginate(request, meetings, per_page=PAGE_SIZE),
        "filtered": bool(filters),
        "breadcrumbs": [(MEETINGS, "")],
    }
    return render(request, TEMPLATES + "public_list.html", context, status=status)


def _meeting_or_404(request: HttpRequest, code: str) -> Meeting:
    meeting = selectors.meeting_get(user=request.user, code=code)
    if meeting is None:
        raise Http404(_("There is no meeting “%(code)s” for you.") % {"code": code[:60]})
    return meeting


def public_meeting_detail(request: HttpRequest, code: str) -> HttpResponse:
    meeting = _meeting_or_404(request, code)
    context = {
        "meeting": meeting,
        "agenda": selectors.meeting_agenda(meeting=meeting, user=request.user),
        "attendance": selectors.meeting_attendance(meeting=meeting),
        "documents": selectors.meeting_documents(meeting=meeting, user=request.user),
        "breadcrumbs": [(MEETINGS, reverse("meetings:list")), (meeting.title, "")],
    }
    return render(request, TEMPLATES + "public_detail.html", context)


# --- The secretariat's list, new meeting, edit -----------------------------------------------


class SecretariatMeetingView(SecretariatRequiredMixin, View):
    """A secretariat page about one meeting: 403 for other users, then 404 if the meeting
    does not exist."""

    meeting: Meeting

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if is_secretariat(request.user):
            self.meeting = _meeting_or_404(request, kwargs["code"])
        return super().dispatch(request, *args, **kwargs)


def _crumbs(*trail: tuple[Any, str]) -> list[tuple[Any, str]]:
    return [(SECRETARIAT_MEETINGS, reverse("plenary:meetings")), *trail]


def _meeting_crumbs(meeting: Meeting, *trail: tuple[Any, str]) -> list[tuple[Any, str]]:
    return _crumbs((meeting.title, reverse("plenary:meeting", args=[meeting.code])), *trail)


class MeetingListView(SecretariatRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        form = mf.MeetingFilterForm(request.GET or None)
        filters, status = filter_values(form)
        meetings = selectors.meeting_list(user=request.user, **filters)
        if status != 200:
            meetings = meetings.none()
        context = {
            "form": form,
            "page": paginate(request, meetings, per_page=PAGE_SIZE),
            "filtered": bool(filters),
            "breadcrumbs": [(SECRETARIAT_MEETINGS, "")],
        }
        return render(request, TEMPLATES + "list.html", context, status=status)


def _form_page(
    request: HttpRequest, form: BaseForm, *, meeting: Meeting | None = None, status: int = 200
) -> HttpResponse:
    if meeting is None:
        crumbs = _crumbs((gettext_lazy("New meeting"), ""))
    else:
        crumbs = _meeting_crumbs(meeting, (gettext_lazy("Edit"), ""))
    context = {"form": form, "meeting": meeting, "breadcrumbs": crumbs}
    return render(request, TEMPLATES + "form.html", context, status=status)


class MeetingCreateView(SecretariatRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return _form_page(request, mf.MeetingForm(initial={"kind": Meeting.Kind.PLENARY}))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = mf.MeetingForm(request.POST)
        if not form.is_valid():
            return _form_page(request, form, status=400)
        try:
            meeting = services.meeting_create(actor=request.user, **form.service_values())
        except ValidationError as exc:
            place_errors(form, exc)
            return _form_page(request, form, status=400)
        messages.success(request, _("The meeting is recorded: now set its agenda."))
        return redirect("plenary:meeting", meeting.code)


class MeetingEditView(SecretariatMeetingView):
    FIELDS = ("kind", "title_en", "start_date", "end_date", "venue", "chair")

    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        meeting = self.meeting
        initial: dict[str, Any] = {name: getattr(meeting, name) for name in self.FIELDS}
        initial["title"] = initial.pop("title_en")
        initial["working_body"] = meeting.working_body.code if meeting.working_body else None
        initial["host"] = meeting.host.code if meeting.host else None
        for language in services.OTHER_LANGUAGES:
            name = f"title_{suffix(language)}"
            initial[name] = getattr(meeting, name) or ""
        return _form_page(request, mf.MeetingForm(initial=initial, editing=True), meeting=meeting)

    def post(self, request: HttpRequest, code: str) -> HttpResponse:
        form = mf.MeetingForm(request.POST, editing=True)
        if not form.is_valid():
            return _form_page(request, form, meeting=self.meeting, status=400)
        try:
            services.meeting_update(
                actor=request.user, meeting=self.meeting, **form.service_values()
            )
        except ValidationError as exc:
            place_errors(form, exc)
            return _form_page(request, form, meeting=self.meeting, status=400)
        messages.success(request, _("The meeting is updated."))
        return redirect("plenary:meeting", self.meeting.code)


# --- One meeting: agenda and attendance ------------------------------------------------------


def detail_page(
    request: HttpRequest,
    meeting: Meeting,
    *,
    agenda_form: mf.AgendaItemForm | None = None,
    attendance_form: mf.AttendanceForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "meeting": meeting,
        "agenda": selectors.meeting_agenda(meeting=meeting, user=request.user),
        "attendance": selectors.meeting_attendance(meeting=meeting),
        "documents": selectors.meeting_documents(meeting=meeting, user=request.user),
        "agenda_form": agenda_form or mf.AgendaItemForm(meeting=meeting, auto_id="agenda-%s"),
        "attendance_form": attendance_form or mf.AttendanceForm(auto_id="attendance-%s"),
        "breadcrumbs": _crumbs((meeting.title, "")),
    }
    return render(request, TEMPLATES + "detail.html", context, status=status)


class MeetingDetailView(SecretariatMeetingView):
    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        return detail_page(request, self.meeting)


class AgendaItemAddView(SecretariatMeetingView):
    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        return redirect("plenary:meeting", code)

    def post(self, request: HttpRequest, code: str) -> HttpResponse:
        form = mf.AgendaItemForm(request.POST, meeting=self.meeting, auto_id="agenda-%s")
        if not form.is_valid():
            return detail_page(request, self.meeting, agenda_form=form, status=400)
        try:
            item = services.agenda_item_add(
                actor=request.user, meeting=self.meeting, **form.service_values()
            )
        except ValidationError as exc:
            place_errors(form, exc)
            return detail_page(request, self.meeting, agenda_form=form, status=400)
        messages.success(request, _("Item %(number)s is on the agenda.") % {"number": item.number})
        return redirect(reverse("plenary:meeting", args=[code]) + "#agenda")


class AgendaItemView(SecretariatMeetingView):
    """One agenda item: its title, number (moving it) and documents."""

    def _item(self, item_id: int) -> AgendaItem:
        item = selectors.agenda_item_get(meeting=self.meeting, item_id=item_id)
        if item is None:
            raise Http404(_("This item is not on this meeting's agenda."))
        return item

    def _page(
        self, request: HttpRequest, item: AgendaItem, form: mf.AgendaItemForm, status: int = 200
    ) -> HttpResponse:
        context = {
            "meeting": self.meeting,
            "item": item,
            "form": form,
            "breadcrumbs": _meeting_crumbs(
                self.meeting, (gettext_lazy("Agenda item %(number)s") % {"number": item.number}, "")
            ),
        }
        return render(request, TEMPLATES + "agenda_item.html", context, status=status)

    def get(self, request: HttpRequest, code: str, item_id: int) -> HttpResponse:
        item = self._item(item_id)
        initial: dict[str, Any] = {
            "number": item.number,
            "title": english(item),
            "documents": list(item.documents.all()),
        }
        for language in services.OTHER_LANGUAGES:
            name = f"title_{suffix(language)}"
            initial[name] = getattr(item, name) or ""
        form = mf.AgendaItemForm(initial=initial, meeting=self.meeting)
        return self._page(request, item, form)

    def post(self, request: HttpRequest, code: str, item_id: int) -> HttpResponse:
        item = self._item(item_id)
        form = mf.AgendaItemForm(request.POST, meeting=self.meeting)
        if not form.is_valid():
            return self._page(request, item, form, status=400)
        try:
            services.agenda_item_update(actor=request.user, item=item, **form.service_values())
        except ValidationError as exc:
            place_errors(form, exc)
            return self._page(request, item, form, status=400)
        messages.success(request, _("The agenda item is updated."))
        return redirect(reverse("plenary:meeting", args=[code]) + "#agenda")


class AgendaItemRemoveView(SecretariatMeetingView):
    def post(self, request: HttpRequest, code: str, item_id: int) -> HttpResponse:
        item = selectors.agenda_item_get(meeting=self.meeting, item_id=item_id)
        if item is None:
            raise Http404(_("This item is not on this meeting's agenda."))
        services.agenda_item_remove(actor=request.user, item=item)
        messages.success(request, _("“%(title)s” is off the agenda.") % {"title": english(item)})
        return redirect(reverse("plenary:meeting", args=[code]) + "#agenda")


class AttendanceAddView(SecretariatMeetingView):
    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        return redirect("plenary:meeting", code)

    def post(self, request: HttpRequest, code: str) -> HttpResponse:
        form = mf.AttendanceForm(request.POST, auto_id="attendance-%s")
        if not form.is_valid():
            return detail_page(request, self.meeting, attendance_form=form, status=400)
        try:
            row = services.attendance_add(
                actor=request.user, meeting=self.meeting, **form.cleaned_data
            )
        except ValidationError as exc:
            place_errors(form, exc)
            return detail_page(request, self.meeting, attendance_form=form, status=400)
        messages.success(
            request,
            _("%(name)s's delegation is on the attendance.")
            % {"name": (row.participant or row.observer)},
        )
        return redirect(reverse("plenary:meeting", args=[code]) + "#attendance")


class AttendanceRemoveView(SecretariatMeetingView):
    def post(self, request: HttpRequest, code: str, attendance_id: int) -> HttpResponse:
        row: Attendance | None = selectors.attendance_get(
            meeting=self.meeting, attendance_id=attendance_id
        )
        if row is None:
            raise Http404(_("This delegation is not on this meeting's attendance."))
        services.attendance_remove(actor=request.user, attendance=row)
        messages.success(
            request,
            _("%(name)s's delegation is off the attendance.")
            % {"name": (row.participant or row.observer)},
        )
        return redirect(reverse("plenary:meeting", args=[code]) + "#attendance")
