from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "kpcs.common"
    label = "common"
    verbose_name = "Common"
