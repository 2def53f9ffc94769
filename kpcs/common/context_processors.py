"""Navigation by role, built once per request for the base layout."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from kpcs.accounts.permissions import is_secretariat


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    items = [
        (_("Home"), reverse("home")),
        (_("Participants"), reverse("participants:list")),
        (_("Statistics"), reverse("statistics:summary")),
        (_("Verify a certificate"), reverse("certificates_public:verify")),
        # Everyone may read published review reports; the list shows each user what they may see.
        (_("Review visits"), reverse("reviews:list")),
        (_("Documents"), reverse("documents:list")),
        (_("Compendium"), reverse("compendium:index")),
    ]
    own_participant = getattr(user, "participant", None)
    if getattr(user, "is_authority", False) and own_participant is not None:
        items += [
            (_("My statistics"), reverse("submissions:overview")),
            (_("Data Anomaly Questionnaire"), reverse("questionnaire:list")),
            (_("Annual reports"), reverse("annual_reports:list")),
            (
                _("Compliance"),
                reverse("compliance:participant", kwargs={"code": own_participant.code}),
            ),
        ]
    if getattr(user, "is_authority", False) or is_secretariat(user):
        items.append((_certificates_label(user), reverse("certificates:list")))
    if is_secretariat(user):
        items += [
            (_("Statistics work"), reverse("statistics_secretariat:dashboard")),
            (_("Peer review"), reverse("review_dashboard:dashboard")),
            (_("Annual reports"), reverse("annual_reports:list")),
            (_("Compliance cases"), reverse("compliance:cases")),
            (_("Plenary"), reverse("plenary:documents")),
            (_("Secretariat"), reverse("secretariat:participants")),
            (_("Observers"), reverse("secretariat:observers")),
            (_("Working bodies"), reverse("secretariat:working-bodies")),
            (_("Chairmanships"), reverse("secretariat:chairmanships")),
            (_("Audit log"), reverse("secretariat:audit-log")),
        ]
    items.append((_("API"), reverse("api-docs")))
    path = request.path
    nav = [
        {
            "label": label,
            "url": url,
            "active": path == url or (url != reverse("home") and path.startswith(url)),
        }
        for label, url in items
    ]
    return {"nav_items": nav}


def _certificates_label(user: Any) -> Any:
    """ "Certificates", with the user's open alerts counted; lazy, so that a page which does
    not show the navigation (an htmx fragment) does not count them."""
    from kpcs.certificates.views import alert_count_label

    return lazy(alert_count_label, str)(user)
