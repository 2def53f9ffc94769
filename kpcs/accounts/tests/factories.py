from __future__ import annotations

import factory

from kpcs.accounts.models import Role, User
from kpcs.participants.tests.factories import ObserverFactory, ParticipantFactory

TEST_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    """A user of the given role; authorities get a participant, observers an observer."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    role = Role.SECRETARIAT
    password = factory.django.Password(TEST_PASSWORD)
    participant = factory.Maybe(
        factory.LazyAttribute(lambda u: u.role == Role.AUTHORITY),
        yes_declaration=factory.SubFactory(ParticipantFactory),
        no_declaration=None,
    )
    observer = factory.Maybe(
        factory.LazyAttribute(lambda u: u.role == Role.OBSERVER),
        yes_declaration=factory.SubFactory(ObserverFactory),
        no_declaration=None,
    )
