from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kpcs.accounts import api_clients
from kpcs.accounts.models import ApiClient, User
from kpcs.participants.models import Participant


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(m for messages in exc.message_dict.values() for m in messages)
    return " ".join(exc.messages)


class Command(BaseCommand):
    help = (
        "Create an API client for one participant and print its key once (clients send "
        "`Authorization: Token <key>`), or revoke one by its key prefix."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--participant", help="the participant's code, e.g. BWA")
        parser.add_argument("--name", help="what the client is, e.g. “Customs system”")
        parser.add_argument(
            "--created-by",
            metavar="USERNAME",
            help="the person asking for the key (secretariat or the participant's authority), "
            "recorded as its creator and in the audit trail",
        )
        parser.add_argument(
            "--revoke",
            metavar="PREFIX",
            help="revoke the client whose key starts with this prefix (see the list page)",
        )
        parser.add_argument("--reason", help="why the key is revoked (with --revoke)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["revoke"]:
            self._revoke(options)
            return
        code, name = options["participant"], options["name"]
        if not code or not name:
            raise CommandError(
                "Give --participant CODE and --name NAME to create a client "
                "(or --revoke PREFIX --reason TEXT to revoke one)."
            )
        participant = Participant.objects.filter(code=code.strip().upper()).first()
        if participant is None:
            raise CommandError(f"No participant has the code “{code}”.")
        creator = None
        if options["created_by"]:
            creator = User.objects.filter(username=options["created_by"]).first()
            if creator is None:
                raise CommandError(f"No user is called “{options['created_by']}”.")
        if creator is not None and not api_clients.can_manage_for(creator, participant):
            raise CommandError(
                f"“{creator.username}” may not create API clients for {participant.code}: "
                "only the secretariat or that participant's authority may."
            )
        try:
            # With no --created-by the command line itself is the (trusted) actor.
            client, key = api_clients.api_client_create(
                participant=participant, name=name, actor=creator
            )
        except ValidationError as exc:
            raise CommandError(_messages(exc)) from None
        self.stderr.write(
            f"API client “{client.name}” for {participant.code} (prefix {client.key_prefix}). "
            "Its key follows; it is shown only now."
        )
        self.stdout.write(key)

    def _revoke(self, options: dict[str, Any]) -> None:
        prefix = options["revoke"].strip()
        # People paste the start of the key as shown ("kpcs_1a2b3c4d…").
        prefix = prefix.removeprefix(f"{api_clients.KEY_SCHEME}_").rstrip("…_").lower()
        client = ApiClient.objects.filter(key_prefix=prefix).select_related("participant").first()
        if client is None:
            raise CommandError(f"No API client has a key starting with “{options['revoke']}”.")
        if not options["reason"]:
            raise CommandError("Give --reason: why the key is revoked.")
        try:
            api_clients.api_client_revoke(client=client, reason=options["reason"], actor=None)
        except ValidationError as exc:
            raise CommandError(_messages(exc)) from None
        self.stdout.write(
            f"Revoked “{client.name}” ({client.participant.code}, prefix {client.key_prefix})."
        )
