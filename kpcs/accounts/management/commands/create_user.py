from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kpcs.accounts.models import Role
from kpcs.accounts.services import user_create_or_update


class Command(BaseCommand):
    help = "Create a user with a role (or update the role and password of an existing one)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--participant", help="participant code, e.g. BWA or EUR")
        parser.add_argument("--observer", help="observer code, e.g. WDC")
        parser.add_argument("--password", required=True)
        parser.add_argument("--email", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = user_create_or_update(
                username=options["username"],
                role=options["role"],
                password=options["password"],
                participant_code=options["participant"],
                observer_code=options["observer"],
                email=options["email"],
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        acting = user.participant or user.observer
        suffix = f" for {acting}" if acting else ""
        self.stdout.write(self.style.SUCCESS(f"{user.username}: {user.get_role_display()}{suffix}"))
