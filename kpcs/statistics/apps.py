from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatisticsConfig(AppConfig):
    # Lives at kpcs/statistics: a top-level `statistics` package would shadow the standard
    # library module of that name in every process started from the repository root.
    name = "kpcs.statistics"
    label = "statistics"
    verbose_name = _("Statistics")
