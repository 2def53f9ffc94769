"""`make run`'s demo data includes published statistics, loaded once."""

from io import StringIO

import pytest
from django.core.management import call_command

from kpcs.statistics.models import Release, Submission

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


def test_demo_data_publishes_two_years_and_a_second_run_changes_nothing(api_client) -> None:
    call_command("load_demo_data", stdout=StringIO())
    counts = (Submission.objects.count(), Release.objects.count())
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    assert "nothing changed" in out.getvalue()
    assert counts == (Submission.objects.count(), Release.objects.count())
    assert set(Release.objects.values_list("year", flat=True)) == {2022, 2023}
    body = api_client.get("/api/v1/public/statistics/production/?year=2023").json()
    assert {row["participant"] for row in body["rows"]} >= {"BWA", "RUS", "CAN"}
