"""Translated fields (django-modeltranslation): English is the source, the other five UN
languages are filled by translators; DocumentTranslation records each one's state."""

from modeltranslation.translator import TranslationOptions, register

from kpcs.plenary.models import AgendaItem, Document, Meeting


@register(Meeting)
class MeetingTranslation(TranslationOptions):
    fields = ("title",)


@register(AgendaItem)
class AgendaItemTranslation(TranslationOptions):
    fields = ("title",)


@register(Document)
class DocumentTranslationOptions(TranslationOptions):
    fields = ("title", "body")
    # Only English is required; an empty translation is "missing" in the language matrix.
    required_languages = ("en",)
