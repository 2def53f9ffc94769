"""The reports built as PDFs by the same machinery as documents, each in every language:

- statistics_summary (key "YEAR/NUMBER"): a published release's production and trade by
  participant, with bar charts (charts.py), read through the public statistics selectors;
- review_report (key: the visit's id): the visit's facts, team, its latest final report (or
  the latest draft, marked as such) and its recommendations;
- participant_list (key "" for today or "YYYY-MM-DD"): every participant with its code, name in
  the language, kind and standing on that date.

Headings and labels go through gettext; names come in the language (modeltranslation) with
English where a name has no translation. Whoever may receive a report is the caller's decision.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models import CharField, F, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from modeltranslation.utils import build_localized_fieldname

from kpcs.plenary.rendering import pdf
from kpcs.plenary.rendering.body import parse_body, text_direction
from kpcs.plenary.rendering.charts import bar_chart
from kpcs.plenary.rendering.pdf import SubjectNotFound

CHART_BARS = 15


def _fallback_name(field: str = "name") -> Coalesce:
    """The name in the active language, or in English where it has none."""
    local = build_localized_fieldname(field, translation.get_language() or "en")
    english = build_localized_fieldname(field, settings.MODELTRANSLATION_DEFAULT_LANGUAGE)
    return Coalesce(NullIf(F(local), Value("")), F(english), output_field=CharField())


# Statistics annual summary ---------------------------------------------------------------------


def _release_key(key: str) -> tuple[int, int]:
    try:
        year, number = (int(part) for part in key.split("/"))
    except ValueError:
        raise SubjectNotFound(f"a release is named YEAR/NUMBER, not {key!r}") from None
    return year, number


def statistics_summary_html(key: str, language: str) -> str:
    from kpcs.statistics.selectors.published import (
        production_summary,
        release_get,
        trade_summary,
    )

    year, number = _release_key(key)
    release = release_get(year=year, number=number)
    if release is None:
        raise SubjectNotFound(f"no release {key!r}")
    rtl = pdf.language_direction(language) == "rtl"
    with translation.override(language):
        production = production_summary(year=year, release=release)
        trade = trade_summary(year=year, release=release)
        num = pdf.format_number
        production_rows = [
            {
                "name": row.participant.name if row.participant else "",
                "carats": num(row.carats, 2),
                "value": num(row.value_usd, 2),
                "per_carat": num(row.usd_per_carat, 2),
            }
            for row in (production.rows if production else [])
        ]
        trade_rows = [
            {
                "name": row.participant.name if row.participant else "",
                "imports_carats": num(row.imports_carats, 2),
                "imports_value": num(row.imports_value_usd, 2),
                "exports_carats": num(row.exports_carats, 2),
                "exports_value": num(row.exports_value_usd, 2),
            }
            for row in (trade.rows if trade else [])
        ]
        charts = []
        if production and production.rows:
            named = [
                (row, row.participant.name if row.participant else "") for row in production.rows
            ]
            charts = [
                {
                    "caption": _("Production by participant, carats (the %(count)s largest)")
                    % {"count": min(CHART_BARS, len(named))},
                    "bars": bar_chart(
                        [(name, row.carats, num(row.carats, 0)) for row, name in named],
                        rtl=rtl,
                        limit=CHART_BARS,
                    ),
                },
                {
                    "caption": _("Production by participant, US$ (the %(count)s largest)")
                    % {"count": min(CHART_BARS, len(named))},
                    "bars": bar_chart(
                        [(name, row.value_usd, num(row.value_usd, 0)) for row, name in named],
                        rtl=rtl,
                        limit=CHART_BARS,
                    ),
                },
            ]
        published = timezone.localtime(release.published_at).date()
        title = _("Kimberley Process statistics: annual summary %(year)s") % {"year": year}
        context: dict[str, Any] = pdf.base_context(language, title=title, dated=published)
        context.update(
            {
                "report_title": title,
                "letterhead_lines": [
                    (
                        "",
                        _("Release %(year)s/%(number)s") % {"year": year, "number": number},
                        "symbol-line",
                    ),
                    (_("Published"), pdf.format_date(published), ""),
                    (_("Language"), pdf.language_name(language), ""),
                ],
                "release_note": release.note,
                "production_rows": production_rows,
                "production_total": production
                and {
                    "carats": num(production.total.carats, 2),
                    "value": num(production.total.value_usd, 2),
                    "per_carat": num(production.total.usd_per_carat, 2),
                },
                "trade_rows": trade_rows,
                "trade_total": trade
                and {
                    "imports_carats": num(trade.total.imports_carats, 2),
                    "imports_value": num(trade.total.imports_value_usd, 2),
                    "exports_carats": num(trade.total.exports_carats, 2),
                    "exports_value": num(trade.total.exports_value_usd, 2),
                },
                "charts": charts,
            }
        )
        return pdf.render_template("plenary/pdf/statistics_summary.html", context, language)


# Review visit report ---------------------------------------------------------------------------


def _person(user: Any) -> str:
    return user.get_full_name() or user.get_username()


def review_report_html(key: str, language: str) -> str:
    from kpcs.reviews.models import ReportVersion, ReviewVisit

    try:
        visit = ReviewVisit.objects.select_related("participant", "adopted_by").get(pk=int(key))
    except (ValueError, ReviewVisit.DoesNotExist):
        raise SubjectNotFound(f"no review visit {key!r}") from None
    versions = ReportVersion.objects.filter(visit=visit).order_by("-number")
    version = versions.filter(kind=ReportVersion.Kind.FINAL).first() or versions.first()
    team = visit.team.select_related("user", "participant", "observer").order_by("role", "id")
    recommendations = visit.recommendations.order_by("number")
    with translation.override(language):
        participant = visit.participant.name
        title = _("%(kind)s: %(participant)s, round %(round)s") % {
            "kind": capfirst(str(visit.get_kind_display())),
            "participant": participant,
            "round": visit.round,
        }

        def period(start: dt.date | None, end: dt.date | None) -> str:
            if not start:
                return ""
            return pdf.format_date(start) + (f" – {pdf.format_date(end)}" if end else "")

        facts = [
            (_("Participant reviewed"), f"{participant} ({visit.participant.code})"),
            (_("Kind"), str(visit.get_kind_display())),
            (_("Round"), str(visit.round)),
            (_("Invitation date"), pdf.format_date(visit.invited_on)),
            (_("Planned dates"), period(visit.planned_start, visit.planned_end)),
            (_("Dates of the visit"), period(visit.actual_start, visit.actual_end)),
            (_("Status"), str(visit.get_status_display())),
        ]
        if visit.adopted_on:
            adopted = pdf.format_date(visit.adopted_on)
            if visit.adopted_by is not None:
                adopted = f"{adopted} ({visit.adopted_by.name})"
            facts.append((_("Adopted"), adopted))
        if visit.published_on:
            facts.append((_("Published on"), pdf.format_date(visit.published_on)))
        members = [
            {
                "name": _person(member.user),
                "role": str(member.get_role_display()),
                "represents": str(member.get_represents_display())
                + (
                    f": {(member.participant or member.observer).name}"  # type: ignore[union-attr]
                    if member.participant_id or member.observer_id
                    else ""
                ),
            }
            for member in team
        ]
        report = None
        if version is not None:
            report = {
                "number": version.number,
                "draft": version.kind != ReportVersion.Kind.FINAL,
                "date": pdf.format_date(timezone.localtime(version.created_at).date()),
                "body": parse_body(version.text, anchor_prefix="report-"),
                "direction": text_direction(version.text),
            }
        rows = [
            {
                "number": recommendation.number,
                "area": str(recommendation.get_area_display()),
                "text": recommendation.text,
                "direction": text_direction(recommendation.text),
                "priority": str(recommendation.get_priority_display()),
                "due": pdf.format_date(recommendation.due_on),
                "status": str(recommendation.get_status_display()),
            }
            for recommendation in recommendations
        ]
        dated = version.created_at if version is not None else visit.invited_on
        context: dict[str, Any] = pdf.base_context(language, title=title, dated=dated)
        context.update(
            {
                "report_title": title,
                "letterhead_lines": [
                    ("", capfirst(str(visit.get_kind_display())), "symbol-line"),
                    (_("Language"), pdf.language_name(language), ""),
                    *(
                        [("", _("Draft report"), "status-mark")]
                        if report and report["draft"]
                        else []
                    ),
                ],
                "facts": [(label, value) for label, value in facts if value],
                "team": members,
                "report": report,
                "terms_of_reference": visit.terms_of_reference,
                "terms_direction": text_direction(visit.terms_of_reference),
                "recommendations": rows,
            }
        )
        return pdf.render_template("plenary/pdf/review_report.html", context, language)


# Participant list ------------------------------------------------------------------------------


def _list_date(key: str) -> dt.date:
    if not key:
        return timezone.localdate()
    try:
        return dt.date.fromisoformat(key)
    except ValueError:
        raise SubjectNotFound(
            f"the participant list takes a date YYYY-MM-DD, not {key!r}"
        ) from None


def participant_list_html(key: str, language: str) -> str:
    from kpcs.participants.selectors import (
        NOT_IN_GOOD_STANDING,
        participants_with_standing_on,
        standing_label,
    )

    on = _list_date(key)
    with translation.override(language):
        participants = (
            participants_with_standing_on(date=on)
            .annotate(display_name=_fallback_name())
            .order_by("display_name", "code")
        )
        rows = [
            {
                "code": participant.code,
                "name": participant.display_name,
                "kind": str(participant.get_kind_display()),
                "standing": str(standing_label(participant.standing_event)),
                "since": pdf.format_date(participant.standing_since),
                "good": participant.standing_event is not None
                and participant.standing_event not in NOT_IN_GOOD_STANDING,
            }
            for participant in participants
        ]
        title = _("Participants in the Kimberley Process Certification Scheme")
        context: dict[str, Any] = pdf.base_context(language, title=title, dated=on)
        context.update(
            {
                "report_title": title,
                "letterhead_lines": [
                    ("", _("Participant list"), "symbol-line"),
                    (_("Standing on"), pdf.format_date(on), ""),
                    (_("Language"), pdf.language_name(language), ""),
                ],
                "participants": rows,
                "count": len(rows),
                "good_count": sum(1 for row in rows if row["good"]),
            }
        )
        return pdf.render_template("plenary/pdf/participant_list.html", context, language)


REPORTS: dict[str, Callable[[str, str], str]] = {
    "statistics_summary": statistics_summary_html,
    "review_report": review_report_html,
    "participant_list": participant_list_html,
}
