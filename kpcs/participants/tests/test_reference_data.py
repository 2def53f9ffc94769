"""load_reference_data: the KP's reference files land in the database, and again changes nothing."""

import datetime as dt
import shutil
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from kpcs.common.models import AuditEntry
from kpcs.participants.models import (
    Chairmanship,
    Country,
    Observer,
    Participant,
    StatusEvent,
    WorkingBody,
)
from kpcs.participants.services import REFERENCE_DATA_DIR

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("load_reference_data", *args, stdout=out)
    return out.getvalue()


def test_loads_every_participant_observer_and_working_body_from_the_files() -> None:
    run()
    assert Participant.objects.count() == 62
    assert Observer.objects.count() == 4
    assert WorkingBody.objects.count() == 7
    assert Chairmanship.objects.filter(year=2007, chair__code="EUR").exists()
    assert Country.objects.filter(is_eu_member=True).count() == 27


def test_european_union_is_one_participant_covering_its_member_states() -> None:
    run()
    eu = Participant.objects.get(code="EUR")
    assert eu.kind == Participant.Kind.REGIONAL_ORGANISATION
    assert eu.country is None
    assert eu.member_countries.count() == 27
    assert eu.member_countries.filter(alpha3="BEL").exists()


def test_blank_admission_date_means_the_scheme_start_and_is_marked_unknown() -> None:
    run()
    uae = Participant.objects.get(code="ARE")
    assert uae.admitted_on == dt.date(2003, 1, 1)
    assert uae.admission_date_known is False
    cameroon = Participant.objects.get(code="CMR")
    assert cameroon.admitted_on == dt.date(2012, 8, 1)
    assert cameroon.admission_date_known is True


def test_every_participant_has_exactly_one_admission_event() -> None:
    run()
    for participant in Participant.objects.all():
        assert participant.status_events.filter(event="admitted").count() == 1, participant.code


def test_approximate_dates_are_flagged_from_the_note() -> None:
    run()
    removal = StatusEvent.objects.get(participant__code="COG", event="removed")
    assert removal.date_approximate is True
    readmission = StatusEvent.objects.get(participant__code="COG", event="readmitted")
    assert readmission.date_approximate is False


def test_names_are_loaded_in_the_six_languages() -> None:
    run()
    russia = Participant.objects.get(code="RUS")
    assert russia.name_en == "Russian Federation"
    assert russia.name_fr == "Fédération de Russie"
    assert russia.name_ru == "Российская Федерация"
    assert russia.name_zh_hans and russia.name_ar and russia.name_es
    with translation.override("ar"):
        assert Participant.objects.get(code="EUR").name == "الاتحاد الأوروبي"


def test_running_twice_changes_nothing() -> None:
    run()
    counts = (Participant.objects.count(), StatusEvent.objects.count(), AuditEntry.objects.count())
    output = run()
    assert "nothing changed" in output
    assert counts == (
        Participant.objects.count(),
        StatusEvent.objects.count(),
        AuditEntry.objects.count(),
    )


def test_rerun_keeps_secretariat_corrections_unless_asked_to_update() -> None:
    run()
    Participant.objects.filter(code="BWA").update(source_note="corrected by the secretariat")
    run()
    assert Participant.objects.get(code="BWA").source_note == "corrected by the secretariat"
    output = run("--update")
    assert "1 participants updated" in output
    assert Participant.objects.get(code="BWA").source_note.startswith("founding participant")
    entry = AuditEntry.objects.filter(action="update", object_repr="Botswana").get()
    assert entry.changes["source_note"][0] == "corrected by the secretariat"


def test_every_loaded_row_is_in_the_audit_trail() -> None:
    run()
    assert AuditEntry.objects.filter(action="create", reason="reference data").count() >= (
        Participant.objects.count() + StatusEvent.objects.count()
    )


def test_a_missing_file_is_reported_and_nothing_is_stored(tmp_path) -> None:
    for path in REFERENCE_DATA_DIR.glob("*.csv"):
        shutil.copy(path, tmp_path / path.name)
    (tmp_path / "observers.csv").unlink()
    with pytest.raises(CommandError, match=r"observers\.csv"):
        run("--directory", str(tmp_path))
    assert not Participant.objects.exists()


def test_a_folder_that_does_not_exist_is_reported(tmp_path) -> None:
    with pytest.raises(CommandError, match="is not a folder"):
        run("--directory", str(tmp_path / "nowhere"))
