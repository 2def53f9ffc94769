from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "kpcs.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # Registers the schema's `tokenAuth` scheme for ApiClientAuthentication.
        from kpcs.accounts import schema  # noqa: F401
