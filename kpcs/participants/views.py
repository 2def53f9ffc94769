"""Public pages: the participant list and a page per participant."""

from __future__ import annotations

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from kpcs.accounts.permissions import is_secretariat
from kpcs.common.audit import entries_for
from kpcs.common.http import HtmxHttpRequest
from kpcs.participants import selectors
from kpcs.participants.forms import ParticipantFilterForm

PAGE_SIZE = 50
# The public list shows all ~60 participants on one page; pagination still guards it.
PUBLIC_LIST_PAGE_SIZE = 100


def paginate(request: HttpRequest, items, per_page: int = PAGE_SIZE):
    """A page of `items`; a page number that is not a number or out of range is a 404 with
    a message saying so (never a 500)."""
    paginator = Paginator(items, per_page)
    number = request.GET.get("page") or 1
    try:
        return paginator.page(number)
    except PageNotAnInteger as exc:
        raise Http404(_("“%(page)s” is not a page number.") % {"page": number}) from exc
    except EmptyPage as exc:
        raise Http404(
            _("There is no page %(page)s: the list has %(count)s pages.")
            % {"page": number, "count": paginator.num_pages}
        ) from exc


def participant_list(request: HtmxHttpRequest) -> HttpResponse:
    form = ParticipantFilterForm(request.GET or None)
    status = 200
    filters = {}
    if form.is_bound and not form.is_valid():
        status = 400
    elif form.is_bound:
        filters = form.cleaned_data
    date = filters.get("date") or timezone.localdate()
    participants = (
        selectors.participant_list(
            date=date,
            search=filters.get("q", ""),
            kind=filters.get("kind", ""),
            standing=filters.get("standing", ""),
        )
        if status == 200
        else selectors.participant_list(date=date).none()
    )
    page = paginate(request, participants, per_page=PUBLIC_LIST_PAGE_SIZE)
    context = {"form": form, "page": page, "date": date}
    template = (
        "participants/_participant_table.html"
        if request.htmx
        else "participants/participant_list.html"
    )
    return render(request, template, context, status=status)


def participant_detail(request: HttpRequest, code: str) -> HttpResponse:
    participant = selectors.participant_get(code=code)
    if participant is None:
        raise Http404(_("No participant has the code “%(code)s”.") % {"code": code.upper()[:10]})
    today = timezone.localdate()
    context = {
        "participant": participant,
        "standing": selectors.participant_standing_on(participant=participant, date=today),
        "history": selectors.participant_status_history(participant=participant),
        "authorities": selectors.authorities_of(participant=participant),
        "chair_years": participant.chair_years.order_by("-year"),
        "can_edit": is_secretariat(request.user),
        # The compliance page (kpcs.reviews) is the secretariat's, and an authority's for its own.
        "can_see_compliance": is_secretariat(request.user)
        or (
            getattr(request.user, "is_authority", False)
            and getattr(request.user, "participant_id", None) == participant.pk
        ),
    }
    if is_secretariat(request.user):
        context["audit_entries"] = entries_for(participant)[:20]
    return render(request, "participants/participant_detail.html", context)
