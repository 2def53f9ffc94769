"""The audit trail covers every model that holds submitted or official data, in every app.

Two proofs: every model is placed in `kpcs.common.audit_registry` (a new model fails the
suite until it is), and, after the demo data are loaded through the same services the pages
and imports use, every row of every audited model has its create entry.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import models

from kpcs.common.audit_registry import APPS, AUDITED, IMPORT, NOT_AUDITED, OWN
from kpcs.common.models import AuditEntry


def _label(model: type[models.Model]) -> str:
    return f"{model._meta.app_label}.{model._meta.object_name}"


def _project_models() -> list[type[models.Model]]:
    return [
        model
        for app in APPS
        for model in apps.get_app_config(app).get_models(include_auto_created=True)
        if not model._meta.proxy
    ]


def test_every_model_of_every_app_is_either_audited_or_says_why_not() -> None:
    labels = [_label(model) for model in _project_models()]
    unplaced = sorted(set(labels) - set(AUDITED) - set(NOT_AUDITED))
    assert not unplaced, (
        f"New model(s) {unplaced}: add each to AUDITED (it holds submitted or official data; "
        "write it through kpcs.common.audit) or to NOT_AUDITED with a one-line reason, in "
        "kpcs/common/audit_registry.py."
    )
    both = sorted(set(AUDITED) & set(NOT_AUDITED))
    assert not both, f"{both} are in both lists of kpcs/common/audit_registry.py"
    stale = sorted((set(AUDITED) | set(NOT_AUDITED)) - set(labels))
    assert not stale, f"{stale} no longer exist: remove them from kpcs/common/audit_registry.py"
    assert set(AUDITED.values()) <= {OWN, IMPORT}
    assert all(reason.strip() for reason in NOT_AUDITED.values())


def _created(model: type[models.Model]) -> set[str]:
    return set(
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model), action="create"
        ).values_list("object_id", flat=True)
    )


def _uncovered_imports(model: type[models.Model]) -> list[str]:
    """Rows with neither their own create entry, nor their upload's, nor a batch entry of
    the same actor recorded with them."""
    own = _created(model)
    uploads = _created(apps.get_model("certificates", "CertificateUpload"))
    batches = list(
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model),
            action="create",
            object_id="batch",
        ).values_list("actor_id", "timestamp")
    )
    missing = []
    for pk, upload_id, recorded_by, recorded_at in model._default_manager.values_list(
        "pk", "upload_id", "recorded_by_id", "recorded_at"
    ):
        if str(pk) in own or (upload_id is not None and str(upload_id) in uploads):
            continue
        if any(actor == recorded_by and at >= recorded_at for actor, at in batches):
            continue
        missing.append(str(pk))
    return missing


@pytest.mark.django_db
@pytest.mark.usefixtures("reference_data")
def test_every_row_of_every_audited_model_has_its_create_entry_after_the_demo_load() -> None:
    call_command("load_demo_data", stdout=StringIO())
    gaps = {}
    for label, coverage in AUDITED.items():
        model = apps.get_model(label)
        if coverage == IMPORT:
            missing = _uncovered_imports(model)
        else:
            rows = {str(pk) for pk in model._default_manager.values_list("pk", flat=True)}
            missing = sorted(rows - _created(model))
        if missing:
            gaps[label] = f"{len(missing)} row(s) without a create entry, e.g. {missing[:3]}"
    assert not gaps, gaps
    # The demo touches each app, so the proof is not empty.
    for label in (
        "accounts.User",
        "participants.Participant",
        "statistics.Submission",
        "statistics.Release",
        "certificates.Certificate",
        "reviews.ReviewVisit",
        "reviews.AnnualReport",
        "reviews.ComplianceCase",
        "plenary.Meeting",
        "plenary.Document",
    ):
        assert apps.get_model(label)._default_manager.exists(), label
