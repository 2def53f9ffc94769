from __future__ import annotations

from django import template

from kpcs.participants.models import StatusEvent
from kpcs.participants.selectors import NOT_IN_GOOD_STANDING, standing_label

register = template.Library()


@register.simple_tag
def standing_of(event: str | None) -> dict[str, str]:
    """Label and colour of a standing, from the latest status event's code."""
    # Templates pass "" for a participant without status events (`standing.event.event` of None).
    if not event or event in NOT_IN_GOOD_STANDING:
        tone = "bad"
    elif event == StatusEvent.Event.PARTIALLY_RESUMED:
        tone = "warn"
    else:
        tone = "good"
    return {"label": str(standing_label(event or None)), "tone": tone}
