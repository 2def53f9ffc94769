from modeltranslation.translator import TranslationOptions, register

from kpcs.participants.models import Country, Observer, Participant, WorkingBody


@register(Country)
class CountryTranslation(TranslationOptions):
    fields = ("name",)


@register(Participant)
class ParticipantTranslation(TranslationOptions):
    fields = ("name",)


@register(Observer)
class ObserverTranslation(TranslationOptions):
    fields = ("name",)


@register(WorkingBody)
class WorkingBodyTranslation(TranslationOptions):
    fields = ("name",)
