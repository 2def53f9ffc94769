"""Demo annual reports on 2025 (due 31 March 2026): Botswana submitted (with its 2024 report
assessed, so the year-on-year comparison and the pre-filled form show something), South
Africa assessed with feedback, Canada a draft, Namibia submitted with one section carried
over unchanged from its 2024 report; every other participant, India among them, has none (so
the list of missing reports is not empty).

Safe to re-run: a report is found again by participant and year and left as it is. Namibia's
report needs an authority account to have submitted it: `nam-authority` is created (demo
password) when missing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction

from kpcs.accounts.models import Role, User
from kpcs.accounts.services import user_create_or_update
from kpcs.common.audit import record_create
from kpcs.participants.demo import DEMO_PASSWORD
from kpcs.participants.models import Participant
from kpcs.reviews.models import AnnualReport

Status = AnnualReport.Status
UTC = dt.UTC


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


BWA_2024 = {
    "institutional_framework": (
        "The Ministry of Minerals and Energy is the KP authority. The Diamond Hub issues and "
        "validates KP certificates; the Department of Mines licenses producers and dealers."
    ),
    "legislation": (
        "Diamond Cutting Act; Precious and Semi-Precious Stones (Protection) Act; Mines and "
        "Minerals Act. No amendment in 2024."
    ),
    "import_export_regime": (
        "Every export and import of rough diamonds passes through the Diamond Hub in Gaborone, "
        "where government diamond valuators examine each parcel against its certificate."
    ),
    "internal_controls": (
        "Producers report production monthly; licensed dealers keep registers inspected "
        "quarterly by the Department of Mines."
    ),
    "statistics": "Trade and production statistics were submitted on time for every period.",
    "enforcement": "Two cases of unlicensed dealing were prosecuted.",
    "changes": "",
    "enforcement_cases": 2,
    "seizures": 1,
    "seized_carats": Decimal("312.40"),
    "penalties": "Fines of BWP 50,000 and BWP 20,000.",
}

BWA_2025 = {
    **BWA_2024,
    "legislation": (
        "Diamond Cutting Act; Precious and Semi-Precious Stones (Protection) Act; Mines and "
        "Minerals Act, amended in September 2025 to require beneficial-ownership disclosure "
        "for dealer licences."
    ),
    "internal_controls": (
        "Producers report production monthly; licensed dealers keep registers inspected "
        "quarterly by the Department of Mines. Since July 2025 dealers' registers are kept "
        "electronically and reconciled monthly with the Diamond Hub's records."
    ),
    "enforcement": "Three cases of unlicensed dealing were prosecuted; one seizure at the border.",
    "changes": (
        "Amendment of the Mines and Minerals Act; electronic dealer registers (see internal "
        "controls)."
    ),
    "enforcement_cases": 3,
    "seizures": 1,
    "seized_carats": Decimal("85.10"),
    "penalties": "Fines totalling BWP 95,000; one licence revoked.",
}

ZAF_2025 = {
    "institutional_framework": (
        "The South African Diamond and Precious Metals Regulator is the KP authority; the "
        "Government Diamond Valuator values every export."
    ),
    "legislation": "Diamonds Act 56 of 1986 as amended; Precious Metals Act 37 of 2005.",
    "import_export_regime": (
        "Exports through the Diamond Exchange and Export Centre; imports are inspected on "
        "arrival at the Regulator's offices in Johannesburg."
    ),
    "internal_controls": "Licensed producers, dealers and beneficiators report monthly.",
    "statistics": "Statistics submitted; one anomaly question answered in May 2026.",
    "enforcement": "Eleven cases investigated by the police's diamond and gold branch.",
    "changes": "New electronic permit system for exports.",
    "enforcement_cases": 11,
    "seizures": 4,
    "seized_carats": Decimal("1420.00"),
    "penalties": "Four convictions; sentences from fines to three years' imprisonment.",
}

CAN_2025_DRAFT = {
    "institutional_framework": (
        "Natural Resources Canada administers the Export and Import of Rough Diamonds Act."
    ),
    "legislation": "Export and Import of Rough Diamonds Act (EIRDA) and its regulations.",
}

NAM_2024 = {
    "institutional_framework": "The Ministry of Mines and Energy, Diamond Commission.",
    "legislation": "Diamond Act 13 of 1999.",
    "import_export_regime": "Exports are valued by the Government Diamond Valuator.",
    "internal_controls": "Diamond inspectors at every licensed mine and dealer.",
    "statistics": "Statistics submitted on time.",
    "enforcement": "One case of illicit possession.",
    "enforcement_cases": 1,
    "seizures": 1,
    "seized_carats": Decimal("12.75"),
    "penalties": "A fine of NAD 30,000.",
}

NAM_2025 = {
    **NAM_2024,
    "import_export_regime": (
        "Exports are valued by the Government Diamond Valuator and sealed at the Diamond "
        "Commission before shipment."
    ),
    "statistics": "Statistics submitted on time; revised 2024 production figures sent in May.",
    "enforcement": "Two cases of illicit possession; both prosecuted.",
    "enforcement_cases": 2,
    "seizures": 2,
    "seized_carats": Decimal("40.20"),
    "penalties": "Fines of NAD 30,000 and NAD 45,000.",
    "changes": "None beyond enforcement.",
}


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _nam_authority() -> tuple[User, int]:
    user = _user("nam-authority")
    if user is not None:
        return user, 0
    user = user_create_or_update(
        username="nam-authority",
        role=Role.AUTHORITY,
        password=DEMO_PASSWORD,
        participant_code="NAM",
        email="nam-authority@example.org",
    )
    return user, 1


def _report(
    code: str,
    year: int,
    values: dict[str, Any],
    *,
    status: str,
    started: dt.date,
    submitted: tuple[dt.date, User | None] | None = None,
    assessed: tuple[dt.date, User | None, str, str] | None = None,
    unchanged: list[str] | None = None,
) -> int:
    participant = Participant.objects.filter(code=code).first()
    if (
        participant is None
        or AnnualReport.objects.filter(participant=participant, year=year).exists()
    ):
        return 0
    report = AnnualReport(participant=participant, year=year, status=status, **values)
    report.unchanged_sections = unchanged or []
    if submitted is not None:
        report.submitted_at, report.submitted_by = _at(submitted[0]), submitted[1]
    if assessed is not None:
        day, by, assessment, feedback = assessed
        report.assessed_at, report.assessed_by = _at(day, 15), by
        report.assessment, report.feedback = assessment, feedback
    report.save()
    AnnualReport.objects.filter(pk=report.pk).update(created_at=_at(started, 9))
    record_create(actor=None, instance=report, reason="demo data")
    return 1


@transaction.atomic
def load() -> dict[str, int]:
    secretariat = _user("secretariat")
    bwa, zaf = _user("bwa-authority"), _user("zaf-authority")
    if secretariat is None or bwa is None or zaf is None:
        return {"annual reports": 0}
    nam, accounts = _nam_authority()
    created = 0
    created += _report(
        "BWA",
        2024,
        BWA_2024,
        status=Status.ASSESSED,
        started=dt.date(2025, 2, 3),
        submitted=(dt.date(2025, 3, 20), bwa),
        assessed=(
            dt.date(2025, 6, 18),
            secretariat,
            "Complete and on time. Controls at the Diamond Hub are thorough.",
            "Thank you. Please describe next year how dealers' registers are reconciled.",
        ),
    )
    created += _report(
        "BWA",
        2025,
        BWA_2025,
        status=Status.SUBMITTED,
        started=dt.date(2026, 2, 2),
        submitted=(dt.date(2026, 3, 25), bwa),
        unchanged=[
            "institutional_framework",
            "import_export_regime",
            "statistics",
        ],
    )
    created += _report(
        "ZAF",
        2025,
        ZAF_2025,
        status=Status.ASSESSED,
        started=dt.date(2026, 1, 20),
        submitted=(dt.date(2026, 3, 30), zaf),
        assessed=(
            dt.date(2026, 6, 17),
            secretariat,
            "The report meets the template. Enforcement figures rose markedly: the working "
            "group notes the effort of the police's diamond and gold branch.",
            "Please give the carats seized by case next year, and say how the electronic "
            "permit system checks certificates.",
        ),
    )
    created += _report(
        "CAN", 2025, CAN_2025_DRAFT, status=Status.DRAFT, started=dt.date(2026, 3, 2)
    )
    created += _report(
        "NAM",
        2024,
        NAM_2024,
        status=Status.SUBMITTED,
        started=dt.date(2025, 3, 1),
        submitted=(dt.date(2025, 3, 28), nam),
    )
    created += _report(
        "NAM",
        2025,
        NAM_2025,
        status=Status.SUBMITTED,
        started=dt.date(2026, 3, 10),
        submitted=(dt.date(2026, 4, 14), nam),
        unchanged=["legislation"],
    )
    return {"annual reports": created, "annual report accounts": accounts}
