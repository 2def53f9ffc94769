"""Benchmark: the public participant list (API and page) against a bare Django JSON view.

The floor is a view that returns the same participants straight from `.values()` as JSON,
measured in the same run, so the ratios say what the API's standing subquery, serializers,
pagination and templates cost. Run with `make bench` (embedded PostgreSQL, or DATABASE_URL).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpcs.settings.local")
# Thousands of anonymous requests a minute from one address: the benchmark measures the work of
# a request, not the rate limits (docs/security.md), so those are lifted for it.
os.environ.setdefault("PUBLIC_API_RATE", "100000000/minute")
os.environ.setdefault("CERTIFICATE_VERIFY_RATE", "100000000/minute")
os.environ["DEBUG"] = "false"

import django

django.setup()

from django.http import JsonResponse  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.urls import path  # noqa: E402
from django.utils import translation  # noqa: E402

from kpcs import urls as project_urls  # noqa: E402
from kpcs.participants.models import Participant  # noqa: E402


def bare_participants(request):  # the floor: no framework on top
    rows = list(Participant.objects.values("code", "iso2", "name_en", "kind", "admitted_on"))
    return JsonResponse({"results": rows}, json_dumps_params={"default": str})


urlpatterns = [path("bench/bare/", bare_participants), *project_urls.urlpatterns]


def timed(client: Client, url: str, repeat: int) -> float:
    for _ in range(5):  # warm caches, connections, templates
        assert client.get(url).status_code == 200, url
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        samples.append(time.perf_counter() - start)
        assert response.status_code == 200
    return statistics.median(samples)


def main() -> None:
    if not Participant.objects.exists():
        from kpcs.participants.services import reference_data_load

        with translation.override("en"):
            reference_data_load()
    repeat = int(os.environ.get("BENCH_REPEAT", "200"))
    with override_settings(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["testserver"]):
        client = Client()
        floor = timed(client, "/bench/bare/", repeat)
        cases = {
            "API /api/v1/participants/?page_size=100": "/api/v1/participants/?page_size=100",
            "API /api/v1/participants/BWA/": "/api/v1/participants/BWA/",
            "page /en/participants/": "/en/participants/",
        }
        print(f"participants: {Participant.objects.count()}, median of {repeat} requests")
        print(f"{'floor: bare JSON view':45s} {floor * 1000:8.2f} ms   1.00x")
        for label, url in cases.items():
            took = timed(client, url, repeat)
            print(f"{label:45s} {took * 1000:8.2f} ms {took / floor:6.2f}x")


if __name__ == "__main__":
    main()
