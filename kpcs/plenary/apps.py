from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlenaryConfig(AppConfig):
    name = "kpcs.plenary"
    label = "plenary"
    verbose_name = _("Plenary and documents")
