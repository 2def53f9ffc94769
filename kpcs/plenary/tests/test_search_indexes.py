"""The full-text indexes of migration 0002_compendium_search_indexes are the very expressions
the search uses: in every language PostgreSQL answers the match from its index (were the
ORM's expression and the index to drift apart, searches would silently rebuild every
document's vector again)."""

from __future__ import annotations

import pytest
from django.db import connection

from kpcs.plenary.models import Document
from kpcs.plenary.selectors.search import SEARCH_CONFIGS, document_search
from kpcs.plenary.tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", list(SEARCH_CONFIGS))
def test_search_in_each_language_uses_its_index(language):
    DocumentFactory()
    with connection.cursor() as cursor:
        # With a handful of rows a sequential scan is cheaper; forbid it to see whether the
        # index can serve the expression at all.
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = document_search(Document.objects.all(), "decision", language).explain()
    suffix = language.replace("-", "_")
    assert f"plenary_document_search_{suffix}" in plan, plan
