"""Found by the API fuzz (tests/api/test_openapi_fuzz.py): `str.isdigit()` says yes to digits
such as "³" that `int()` refuses, so a pack asked for by document number "³" (or a report key
"³") answered 500. Now each is a 400 naming the field, and nothing is stored."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from kpcs.accounts.tests.factories import UserFactory
from kpcs.plenary.models import DocumentPack
from kpcs.plenary.tests.factories_packs import install_fake_rendering, install_queue

pytestmark = pytest.mark.django_db

PACKS = "/api/v1/plenary/packs/"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"subject": "document", "document": "³"}, "document"),
        ({"subject": "document", "document": "٣"}, "document"),
        ({"subject": "statistics_summary", "key": "²⁰²⁵"}, "key"),
        ({"subject": "statistics_summary", "key": "2025/¹"}, "key"),
        ({"subject": "review_report", "key": "³"}, "key"),
    ],
)
def test_a_number_in_digits_other_than_0_to_9_is_refused_naming_the_field(
    monkeypatch, data, field
) -> None:
    install_fake_rendering(monkeypatch)
    install_queue(monkeypatch)
    client = APIClient()
    client.force_authenticate(UserFactory(role="secretariat"))

    response = client.post(PACKS, data, format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert DocumentPack.objects.count() == 0
