from __future__ import annotations

from typing import Any, cast

import factory
from rest_framework.test import APIClient

from kpcs.accounts.api_clients import api_client_create
from kpcs.accounts.models import ApiClient, Role, User
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


class ApiClientFactory(factory.django.DjangoModelFactory):
    """A machine client, made through the service (so with its service account and a real
    key). The plain key, which the database does not keep, is on `.key` for the test."""

    class Meta:
        model = ApiClient

    participant = factory.SubFactory(ParticipantFactory)
    name = factory.Sequence(lambda n: f"Customs system {n}")
    created_by = None

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> ApiClient:
        client, key = api_client_create(
            participant=kwargs["participant"], name=kwargs["name"], actor=kwargs["created_by"]
        )
        client.key = key  # type: ignore[attr-defined]
        return client


def api_auth(client: ApiClient) -> dict[str, str]:
    """The request headers of a machine client: `api_client.get(url, **api_auth(client))`."""
    return {"HTTP_AUTHORIZATION": f"Token {client.key}"}  # type: ignore[attr-defined]


def machine_api_client(participant: Any = None, **kwargs: Any) -> APIClient:
    """A DRF test client that sends the key of a new API client of `participant` with every
    request; the ApiClient is on `.api_client` (its account, the actor, on `.api_client.user`)."""
    if participant is not None:
        kwargs["participant"] = participant
    api_client = cast(ApiClient, ApiClientFactory(**kwargs))
    client = APIClient()
    client.credentials(**api_auth(api_client))
    client.api_client = api_client  # type: ignore[attr-defined]
    return client


def api_client_as(user: Any = None) -> APIClient:
    """A DRF test client calling the API the way `user` would: nobody (None) anonymously; an
    authority through a machine client of its participant (an API key, as a national system
    does); the secretariat, reviewers and observers, who have no machine keys, as persons
    logged in through the site."""
    if user is None:
        return APIClient()
    if user.is_authority:
        return machine_api_client(user.participant, created_by=user)
    client = APIClient()
    client.force_authenticate(user)
    return client
