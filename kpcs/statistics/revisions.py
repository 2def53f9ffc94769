"""Every change after submission is kept: a revision is a snapshot of a submission's figures,
and the value-level diff between two revisions is what a reviewer reads."""

from __future__ import annotations

from typing import Any

from django.db.models import Max

from kpcs.statistics.models import Submission, SubmissionRevision

Figures = dict[str, Any]


def trade_row_key(flow: str, partner_code: str, hs_code: str) -> str:
    return f"{flow}|{partner_code}|{hs_code}"


def figures_of(submission: Submission) -> Figures:
    """The submission's figures as plain text values, keyed by natural key."""
    production = getattr(submission, "production", None) if submission.pk else None
    trade = {
        trade_row_key(r.flow, r.partner.code, r.hs_code): {
            "carats": str(r.carats),
            "value_usd": str(r.value_usd),
            "certificates": r.certificates,
        }
        for r in submission.trade_records.select_related("partner")
    }
    return {
        "production": {"carats": str(production.carats), "value_usd": str(production.value_usd)}
        if production is not None
        else None,
        "trade": trade,
    }


def revision_record(*, submission: Submission, actor: Any = None) -> SubmissionRevision:
    """Snapshot the submission's current figures as its next revision."""
    last = submission.revisions.aggregate(last=Max("number"))["last"] or 0
    return SubmissionRevision.objects.create(
        submission=submission,
        number=last + 1,
        status=submission.status,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        figures=figures_of(submission),
    )


def figures_diff(before: Figures | None, after: Figures) -> list[dict[str, Any]]:
    """Value-level changes from `before` to `after`: one entry per changed value, with the
    row (`production` or a trade key), the column, and both values (None where absent)."""
    before = before or {"production": None, "trade": {}}
    changes: list[dict[str, Any]] = []
    old_prod, new_prod = before.get("production") or {}, after.get("production") or {}
    for column in sorted(set(old_prod) | set(new_prod)):
        if old_prod.get(column) != new_prod.get(column):
            changes.append(
                {
                    "row": "production",
                    "column": column,
                    "before": old_prod.get(column),
                    "after": new_prod.get(column),
                }
            )
    old_trade, new_trade = before.get("trade") or {}, after.get("trade") or {}
    for key in sorted(set(old_trade) | set(new_trade)):
        old_row, new_row = old_trade.get(key) or {}, new_trade.get(key) or {}
        for column in sorted(set(old_row) | set(new_row)):
            if old_row.get(column) != new_row.get(column):
                changes.append(
                    {
                        "row": key,
                        "column": column,
                        "before": old_row.get(column),
                        "after": new_row.get(column),
                    }
                )
    return changes


def changes_since_acceptance(*, submission: Submission) -> list[dict[str, Any]]:
    """What changed since the submission was last accepted (everything, if never)."""
    accepted = (
        submission.revisions.filter(status=Submission.Status.ACCEPTED).order_by("-number").first()
    )
    return figures_diff(accepted.figures if accepted else None, figures_of(submission))
