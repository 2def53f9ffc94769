"""Full-text search indexes of plenary documents, one per language.

kpcs.plenary.selectors.search.match_vector(language) matches the words of a document's title
and body in that language (the English text where the language version is empty) with the
language's text search configuration. Each index below is that exact expression, so a search
is an index lookup instead of rebuilding every document's vector (measured on 5,000 documents
of 400 words: 3 s → 2 ms for the match; docs/plenary.md). The expressions must
stay identical to what the ORM generates; test_search_indexes.py checks that each language's
search uses its index.

No model change: expression indexes written in SQL (the model state is untouched, so
makemigrations sees nothing to do).
"""

from django.db import migrations

# language suffix, PostgreSQL text search configuration
LANGUAGES = [
    ("en", "english"),
    ("fr", "french"),
    ("es", "spanish"),
    ("ru", "russian"),
    ("zh_hans", "simple"),
    ("ar", "arabic"),
]


def _text(field: str, suffix: str) -> str:
    english = f"COALESCE(\"{field}_en\", '')"
    if suffix == "en":
        return f"COALESCE({english}, '')"
    return f"COALESCE(COALESCE(NULLIF(\"{field}_{suffix}\", ''), {english}), '')"


def _create(suffix: str, config: str) -> str:
    expression = (
        f"to_tsvector('{config}'::regconfig, "
        f"{_text('title', suffix)} || ' ' || {_text('body', suffix)})"
    )
    return (
        f"CREATE INDEX plenary_document_search_{suffix} "
        f"ON plenary_document USING gin (({expression}));"
    )


class Migration(migrations.Migration):
    dependencies = [("plenary", "0001_initial")]

    operations = [
        migrations.RunSQL(
            sql=_create(suffix, config),
            reverse_sql=f"DROP INDEX IF EXISTS plenary_document_search_{suffix};",
        )
        for suffix, config in LANGUAGES
    ]
