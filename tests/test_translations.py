"""The interface speaks the six UN languages: every string translated, none a copy of the
English, placeholders intact, and dates and numbers written the way each language writes them."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import formats, translation
from django.utils.translation import gettext

LOCALE = Path(settings.LOCALE_PATHS[0])
CATALOGUES = {
    "fr": "fr",
    "es": "es",
    "ru": "ru",
    "zh-hans": "zh_Hans",
    "ar": "ar",
}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")
# A plural form for one (or two) may spell the number out instead of showing the count.
COUNTS = {"%(counter)s", "%(count)s", "%(count)d", "%(counter)d"}


def catalogue(lang: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / CATALOGUES[lang] / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("lang", CATALOGUES)
def test_every_interface_string_is_translated(lang: str) -> None:
    po = catalogue(lang)
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert untranslated == [], f"{lang}: {len(untranslated)} untranslated, e.g. {untranslated[:5]}"
    assert fuzzy == [], f"{lang}: {len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"


@pytest.mark.parametrize("lang", CATALOGUES)
def test_translations_are_not_copies_of_the_english(lang: str) -> None:
    po = catalogue(lang)
    entries = [e for e in po.translated_entries() if not e.msgid_plural]
    copies = [e.msgid for e in entries if e.msgstr.strip() == e.msgid.strip()]
    # Codes and names such as "API" or "ISO" stay as they are; sentences never do.
    assert len(copies) <= len(entries) * 0.05, f"{lang}: copied {copies}"
    # Sentences (three words or more, placeholders aside) are never the same in two languages.
    sentences = [c for c in copies if len(re.findall(r"[A-Za-z]+", PLACEHOLDER.sub("", c))) > 2]
    assert not sentences, f"{lang}: copied sentences {sentences}"


@pytest.mark.parametrize("lang", CATALOGUES)
def test_translations_keep_every_placeholder(lang: str) -> None:
    for entry in catalogue(lang).translated_entries():
        wanted = sorted(PLACEHOLDER.findall(entry.msgid_plural or entry.msgid))
        forms = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for form in forms:
            found = sorted(set(PLACEHOLDER.findall(form)))
            # A plural form may leave out the count ("one participant"), nothing else.
            assert set(found) <= set(wanted), (lang, entry.msgid, form)
            assert set(wanted) - set(found) <= COUNTS, (
                lang,
                entry.msgid,
                form,
            )


@pytest.mark.parametrize(
    ("lang", "expected_direction"),
    [("en", False), ("fr", False), ("es", False), ("ru", False), ("zh-hans", False), ("ar", True)],
)
def test_compiled_catalogues_are_used_at_run_time(lang: str, expected_direction: bool) -> None:
    with translation.override(lang):
        assert (gettext("Standing today") == "Standing today") is (lang == "en")
        assert translation.get_language_bidi() is expected_direction


@pytest.mark.parametrize(
    ("lang", "number", "date"),
    [
        ("en", "1,234,567.5", "March 1, 2024"),
        ("fr", "1\xa0234\xa0567,5", "1 mars 2024"),
        ("es", "1\xa0234\xa0567,5", "1 de marzo de 2024"),
        ("ru", "1\xa0234\xa0567,5", "1 марта 2024 г."),
        ("zh-hans", "1234567.5", "2024年3月1日"),
        ("ar", "1234567,5", "1 مارس، 2024"),
    ],
)
def test_numbers_and_dates_follow_the_language(lang: str, number: str, date: str) -> None:
    with translation.override(lang):
        assert formats.number_format(1234567.5, 1, force_grouping=True) == number
        template = Template('{{ d|date:"DATE_FORMAT" }}')
        rendered = template.render(Context({"d": dt.date(2024, 3, 1)}))
        assert rendered == date
