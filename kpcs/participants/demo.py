"""A small, believable demo world for `make run`: accounts for each role, authorities with
contacts and working-body seats. Idempotent: existing rows are left as they are."""

from __future__ import annotations

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from kpcs.accounts.demo_two_factor import DEMO_TOTP_KEY_HEX, DEMO_TOTP_USERNAME
from kpcs.accounts.models import Role, User
from kpcs.accounts.services import user_create_or_update
from kpcs.common.audit import record_create
from kpcs.participants.models import (
    Authority,
    AuthorityContact,
    Observer,
    Participant,
    WorkingBody,
    WorkingBodyMembership,
)

DEMO_PASSWORD = "kpcs-demo-2026"  # noqa: S105 - printed by `make run` for local demos only

DEMO_USERS = [
    ("secretariat", Role.SECRETARIAT, None, None),
    ("bwa-authority", Role.AUTHORITY, "BWA", None),
    ("zaf-authority", Role.AUTHORITY, "ZAF", None),
    ("reviewer", Role.REVIEWER, "CAN", None),
    ("wdc-observer", Role.OBSERVER, None, "WDC"),
    # The demo review team (kpcs.reviews.demo_visits): ZAF leads, CAN ("reviewer") and IND
    # are the other participants, WDC and the civil society coalition sit for their sides.
    ("zaf-lead", Role.REVIEWER, "ZAF", None),
    ("ind-reviewer", Role.REVIEWER, "IND", None),
    ("wdc-reviewer", Role.REVIEWER, None, "WDC"),
    ("csc-reviewer", Role.REVIEWER, None, "CSC"),
]

DEMO_AUTHORITIES = [
    (
        "BWA",
        "Ministry of Minerals and Energy, Diamond Hub",
        (True, True, True),
        "Gaborone",
        "Kimberley Process Office",
        "kp@example.bw",
        "+267 000 0000",
    ),
    (
        "ZAF",
        "South African Diamond and Precious Metals Regulator",
        (True, True, True),
        "Johannesburg",
        "Head of Diamond Trade",
        "kp@example.za",
        "+27 00 000 0000",
    ),
    (
        "EUR",
        "European Commission, Directorate-General for Trade",
        (False, False, True),
        "Brussels",
        "KP Focal Point",
        "kp@example.eu",
        "",
    ),
]

DEMO_SEATS = [
    ("WGS", "EUR", None, WorkingBodyMembership.Role.CHAIR, 2023),
    ("WGS", "BWA", None, WorkingBodyMembership.Role.MEMBER, 2023),
    ("WGS", "ZAF", None, WorkingBodyMembership.Role.MEMBER, 2023),
    ("WGM", "ZAF", None, WorkingBodyMembership.Role.CHAIR, 2023),
    ("WGM", "CAN", None, WorkingBodyMembership.Role.MEMBER, 2023),
    ("WGM", None, "WDC", WorkingBodyMembership.Role.MEMBER, 2023),
    ("WGM", None, "CSC", WorkingBodyMembership.Role.MEMBER, 2023),
]


# Demo rows are written directly, not through the pages' services, so they are put in the
# audit trail here: the trail covers every official row, however it was made.
DEMO_REASON = "demo data"


@transaction.atomic
def demo_data_load() -> dict[str, int]:
    created = {"users": 0, "authorities": 0, "contacts": 0, "seats": 0}
    for username, role, participant_code, observer_code in DEMO_USERS:
        if not User.objects.filter(username=username).exists():
            user_create_or_update(
                username=username,
                role=role,
                password=DEMO_PASSWORD,
                participant_code=participant_code,
                observer_code=observer_code,
                email=f"{username}@example.org",
            )
            created["users"] += 1
    # The demo secretariat needs a second factor like any secretariat account: a fixed,
    # published demo key (scripts/demo_totp.py prints its current code). Demo data only.
    demo_secretariat = User.objects.get(username=DEMO_TOTP_USERNAME)
    if not TOTPDevice.objects.filter(user=demo_secretariat).exists():
        TOTPDevice.objects.create(
            user=demo_secretariat,
            name="authenticator (demo key)",
            key=DEMO_TOTP_KEY_HEX,
            confirmed=True,
        )
    for code, name, functions, address, position, email, phone in DEMO_AUTHORITIES:
        participant = Participant.objects.get(code=code)
        authority, made = Authority.objects.get_or_create(
            participant=participant,
            name=name,
            defaults={
                "handles_exports": functions[0],
                "handles_imports": functions[1],
                "handles_statistics": functions[2],
                "address": address or "",
            },
        )
        if made:
            record_create(actor=None, instance=authority, reason=DEMO_REASON)
        created["authorities"] += int(made)
        contact, made = AuthorityContact.objects.get_or_create(
            authority=authority,
            name=f"{position}, {participant.code}",
            defaults={"position": position or "", "email": email or "", "phone": phone or ""},
        )
        if made:
            record_create(actor=None, instance=contact, reason=DEMO_REASON)
        created["contacts"] += int(made)
    for body, seat_participant, seat_observer, seat_role, year in DEMO_SEATS:
        seat, made = WorkingBodyMembership.objects.get_or_create(
            working_body=WorkingBody.objects.get(code=body),
            participant=Participant.objects.filter(code=seat_participant).first()
            if seat_participant
            else None,
            observer=Observer.objects.filter(code=seat_observer).first() if seat_observer else None,
            year_from=year,
            defaults={"role": seat_role},
        )
        if made:
            record_create(actor=None, instance=seat, reason=DEMO_REASON)
        created["seats"] += int(made)
    return created
