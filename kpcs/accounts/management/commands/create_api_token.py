from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kpcs.accounts.models import User
from kpcs.accounts.services import api_token_for


class Command(BaseCommand):
    help = "Print the API token of a user (clients send `Authorization: Token <token>`)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--rotate",
            action="store_true",
            help="replace the existing token; the old one stops working",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user is called “{options['username']}”.")
        if not user.is_active:
            raise CommandError(f"The account “{user.username}” is deactivated.")
        self.stdout.write(api_token_for(user=user, rotate=options["rotate"]).key)
