"""`{% pack_pdf_links subject key as pdfs %}`: the newest ready PDFs of a report (or document,
meeting) for the "PDF in every language" box (plenary/packs/_report_pdf_links.html). The key
may be given as the object: a statistics Release, a ReviewVisit, a Document, a Meeting."""

from __future__ import annotations

from typing import Any

from django import template

from kpcs.plenary.selectors.packs import report_pdf_links

register = template.Library()


def subject_key(key: Any) -> str:
    """The stored form of a pack's key: "year/number" for a release, the id of a visit,
    document or meeting, the text itself otherwise."""
    if key is None or key == "":
        return ""
    if hasattr(key, "year") and hasattr(key, "number") and hasattr(key, "published_at"):
        return f"{key.year}/{key.number}"
    if hasattr(key, "pk"):
        return str(key.pk)
    return str(key)


@register.simple_tag(takes_context=True)
def pack_pdf_links(context: template.Context, subject: str, key: Any = "") -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    return report_pdf_links(user=user, subject=subject, key=subject_key(key))
