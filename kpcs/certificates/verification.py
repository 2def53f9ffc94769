"""Public certificate verification, shared by the API and the page: who may ask how often, what
a well-formed question is, and the answer in plain words.

Anyone may ask whether participant X issued certificate N (and, optionally, for that many
carats); the answer is one word and nothing commercial. A client address may ask
`certificate_verify` times per period (REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]), the API and
the page counting together, so that the registry cannot be enumerated through either.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _
from rest_framework.throttling import SimpleRateThrottle

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# The answers, in the order the API documents them.
STATUSES = ("valid", "confirmed", "expired", "void", "unknown")

# What the page says for each answer; the API answers the word itself.
ANSWERS: dict[str, StrOrPromise] = {
    "valid": _("This certificate was issued and has not expired."),
    "confirmed": _("This certificate was confirmed by the importing participant."),
    "expired": _("This certificate expired without an import confirmation."),
    "void": _(
        "This certificate was declared void (lost, stolen or cancelled): it must not be honoured."
    ),
    "unknown": _("No certificate with this number is known for this participant."),
}

PARTICIPANT_RE = re.compile(r"[A-Za-z]{3}")
# As printed (models.NUMBER_PATTERN), in either case: people type what they read.
NUMBER_RE = re.compile(r"[A-Za-z0-9/.-]{1,40}")

PARTICIPANT_MESSAGE = _("Give the participant's three-letter code, for example BWA or EUR.")
NUMBER_MISSING_MESSAGE = _("Give the certificate number as printed, for example BW123456.")
NUMBER_MESSAGE = _(
    "A certificate number has at most 40 letters, digits and / . - characters, for example "
    "BW123456."
)
CARATS_MESSAGE = _(
    "Give the carats as a positive number with at most two decimals and a dot, for example "
    "1250.50 (or leave them out)."
)


class CertificateVerifyThrottle(SimpleRateThrottle):
    """Verification requests per client address, logged in or not (a login does not buy the
    right to enumerate)."""

    scope = "certificate_verify"

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def clean_participant(value: str) -> str:
    """The participant code, upper-cased; ValueError with the message for a person."""
    value = value.strip()
    if not PARTICIPANT_RE.fullmatch(value):
        raise ValueError(str(PARTICIPANT_MESSAGE))
    return value.upper()


def clean_number(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError(str(NUMBER_MISSING_MESSAGE))
    if not NUMBER_RE.fullmatch(value):
        raise ValueError(str(NUMBER_MESSAGE))
    return value.upper()


def clean_carats(value: str) -> Decimal | None:
    """None when left out; otherwise a positive amount with at most two decimals."""
    value = value.strip()
    if not value:
        return None
    if not re.fullmatch(r"\d{1,14}(\.\d{1,2})?", value):
        raise ValueError(str(CARATS_MESSAGE))
    try:
        carats = Decimal(value)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        raise ValueError(str(CARATS_MESSAGE)) from None
    if carats <= 0:
        raise ValueError(str(CARATS_MESSAGE))
    return carats
