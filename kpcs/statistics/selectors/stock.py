"""Who sees which stock declarations: a participant authority its own participant's, the
secretariat all of them, nobody else any. Stock is never published: no public page or public
API reads these."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from kpcs.accounts.permissions import is_secretariat
from kpcs.statistics.models import StockDeclaration

__all__ = [
    "participant_stock_declarations",
    "stock_declaration_for",
    "stock_declarations_visible_to",
]


def stock_declarations_visible_to(
    user: Any, *, year: int | None = None, participant_id: int | None = None
) -> QuerySet[StockDeclaration]:
    """The declarations `user` may read, latest year first, optionally of one year and one
    participant."""
    declarations = StockDeclaration.objects.select_related("participant", "declared_by")
    if is_secretariat(user):
        pass
    elif getattr(user, "is_authority", False) and user.participant_id:
        declarations = declarations.filter(participant_id=user.participant_id)
    else:
        return declarations.none()
    if year is not None:
        declarations = declarations.filter(year=year)
    if participant_id is not None:
        declarations = declarations.filter(participant_id=participant_id)
    return declarations.order_by("-year", "participant__code")


def participant_stock_declarations(*, participant_id: int) -> QuerySet[StockDeclaration]:
    """The participant's declarations, latest year first."""
    return (
        StockDeclaration.objects.filter(participant_id=participant_id)
        .select_related("participant", "declared_by")
        .order_by("-year")
    )


def stock_declaration_for(*, participant_id: int, year: int) -> StockDeclaration | None:
    """The participant's opening stock of `year`, or None when it declared none."""
    return participant_stock_declarations(participant_id=participant_id).filter(year=year).first()
