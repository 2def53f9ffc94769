from __future__ import annotations

import datetime as dt
import string
from typing import cast

import factory

from kpcs.participants.models import (
    Authority,
    AuthorityContact,
    Chairmanship,
    Country,
    Observer,
    Participant,
    StatusEvent,
    WorkingBody,
    WorkingBodyMembership,
)


def _code(n: int, length: int) -> str:
    """Distinct upper-case codes that cannot collide with real ISO codes (they start with X,
    a range ISO 3166 leaves to user-assigned codes; Q is not safe: QAT is Qatar)."""
    letters = string.ascii_uppercase
    tail = ""
    for _ in range(length - 1):
        tail = letters[n % 26] + tail
        n //= 26
    return "X" + tail


def _alpha2(n: int) -> str:
    """Alpha-2 codes from the user-assigned ranges (XA-XZ, QB-QZ): never a real country's."""
    pairs = [f"X{c}" for c in string.ascii_uppercase] + [
        f"Q{c}"
        for c in string.ascii_uppercase
        if c != "A"  # QA is Qatar
    ]
    return pairs[n % len(pairs)]


class CountryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Country
        django_get_or_create = ("alpha3",)

    alpha3 = factory.Sequence(lambda n: _code(n, 3))
    alpha2 = factory.Sequence(lambda n: _alpha2(n))
    name = factory.LazyAttribute(lambda c: f"Country {c.alpha3}")
    name_en = factory.SelfAttribute("name")


class ParticipantFactory(factory.django.DjangoModelFactory):
    """A state participant admitted at the scheme's start (one `admitted` status event)."""

    class Meta:
        model = Participant
        django_get_or_create = ("code",)
        skip_postgeneration_save = True

    country = factory.SubFactory(CountryFactory)
    code = factory.SelfAttribute("country.alpha3")
    iso2 = factory.SelfAttribute("country.alpha2")
    name = factory.LazyAttribute(lambda p: f"Participant {p.code}")
    name_en = factory.SelfAttribute("name")
    kind = Participant.Kind.STATE
    admitted_on = dt.date(2003, 1, 1)

    @factory.post_generation
    def admitted(self, create: bool, extracted: bool | None, **kwargs: object) -> None:
        if create and extracted is not False:
            StatusEvent.objects.get_or_create(
                participant=cast(Participant, self),
                date=self.admitted_on,
                event=StatusEvent.Event.ADMITTED,
            )


class StatusEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StatusEvent

    participant = factory.SubFactory(ParticipantFactory)
    date = dt.date(2010, 6, 1)
    event = StatusEvent.Event.SUSPENDED


class ObserverFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Observer
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"OBS{n}")
    name = factory.LazyAttribute(lambda o: f"Observer {o.code}")
    name_en = factory.SelfAttribute("name")
    kind = Observer.Kind.CIVIL_SOCIETY


class AuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Authority

    participant = factory.SubFactory(ParticipantFactory)
    name = factory.Sequence(lambda n: f"Diamond Office {n}")
    handles_exports = True
    handles_imports = True


class AuthorityContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuthorityContact

    authority = factory.SubFactory(AuthorityFactory)
    name = factory.Sequence(lambda n: f"Contact {n}")
    email = factory.LazyAttribute(lambda c: f"contact{c.name.split()[-1]}@example.org")


class WorkingBodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkingBody
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"WG{n}")
    name = factory.LazyAttribute(lambda w: f"Working Group {w.code}")
    name_en = factory.SelfAttribute("name")
    kind = WorkingBody.Kind.WORKING_GROUP


class WorkingBodyMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkingBodyMembership

    working_body = factory.SubFactory(WorkingBodyFactory)
    participant = factory.SubFactory(ParticipantFactory)
    year_from = 2020


class ChairmanshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Chairmanship
        django_get_or_create = ("year",)

    # Stay within the plausible-year check (2000–2100) however many tests a session runs.
    year = factory.Sequence(lambda n: 2030 + n % 70)
    chair = factory.SubFactory(ParticipantFactory)
