"""API authentication for machine clients: `Authorization: Token <key>` with an ApiClient key.

The header is the one DRF's personal tokens used, so scripts written against it keep working
once given a client key. The request then acts as the client's service account (an authority
of its participant): the API's permission rules need no special case. A revoked or unknown key
is refused with 401 at once: every request looks the key up, nothing is cached.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from kpcs.accounts.api_clients import api_client_for_key, api_client_touch
from kpcs.accounts.models import ApiClient, Role, User

KEYWORD = "Token"


class ApiClientAuthentication(BaseAuthentication):
    keyword = KEYWORD

    def authenticate(self, request: Request) -> tuple[User, ApiClient] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None  # another scheme (or none): the next authentication class decides
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the key as `Authorization: Token <key>`, with one space and no other.")
            )
        try:
            key = parts[1].decode("ascii")
        except UnicodeError:
            raise exceptions.AuthenticationFailed(
                _("This is not an API key: keys are plain ASCII letters, digits, - and _.")
            ) from None
        return self.authenticate_credentials(key)

    def authenticate_credentials(self, key: str) -> tuple[User, ApiClient]:
        client = api_client_for_key(key)
        if client is None:
            raise exceptions.AuthenticationFailed(
                _("Unknown API key. Ask your participant's authority or the secretariat for one.")
            )
        if client.is_revoked:
            raise exceptions.AuthenticationFailed(_("This API key was revoked; ask for a new one."))
        user = client.user
        # The client acts for its participant and nothing else: if its account was changed
        # behind the service's back (the admin site), refuse rather than widen the scope.
        if not (
            user.is_active
            and user.is_api_client
            and user.role == Role.AUTHORITY
            and user.participant_id == client.participant_id
        ):
            raise exceptions.AuthenticationFailed(
                _("This API key's account no longer matches its participant; ask for a new key.")
            )
        api_client_touch(client=client)
        return user, client

    def authenticate_header(self, request: Request) -> str:
        # Makes DRF answer 401 (not 403) to a request without credentials.
        return self.keyword
