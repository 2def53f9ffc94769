from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kpcs.participants.demo import demo_data_load
from kpcs.participants.models import Participant


class Command(BaseCommand):
    help = "Load demo accounts and data on top of the reference data (safe to re-run)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not Participant.objects.exists():
            raise CommandError("Load the reference data first: manage.py load_reference_data")
        from kpcs.certificates.demo import demo_certificates_load
        from kpcs.plenary.demo import load as demo_plenary_load
        from kpcs.reviews.demo import demo_reviews_load
        from kpcs.statistics.demo import demo_statistics_load

        created = demo_data_load()
        statistics = demo_statistics_load()
        certificates = demo_certificates_load()
        reviews = demo_reviews_load()
        plenary = demo_plenary_load()
        if (
            not any(created.values())
            and not statistics.changed
            and not certificates.changed
            and not reviews.changed
            and not any(plenary.values())
        ):
            self.stdout.write("Demo data already loaded: nothing changed.")
            return
        loaded = ", ".join(f"{n} {what}" for what, n in created.items() if n) or "no accounts"
        self.stdout.write(
            f"Demo data loaded: {loaded}; statistics: {statistics.summary()}; "
            f"certificates: {certificates.summary()}; reviews: {reviews.summary()}; plenary: "
            + (", ".join(f"{n} {what}" for what, n in plenary.items() if n) or "unchanged")
        )
