"""Background jobs: queued after commit, progress recorded, failures reported, run once."""

import pytest
from celery import shared_task

from kpcs.accounts.tests.factories import UserFactory
from kpcs.common.jobs import background_job_start, run_job
from kpcs.common.models import BackgroundJob

pytestmark = pytest.mark.django_db

CALLS: list[str] = []


@shared_task
def count_to_three(job_id: str) -> None:
    def work(progress):
        for i in range(1, 4):
            progress(i, 3, f"step {i}")
        CALLS.append(job_id)
        return {"summary": "counted"}

    run_job(job_id, work)


@shared_task
def always_fails(job_id: str) -> None:
    def work(progress):
        raise ValueError("the file is not a statistics file")

    run_job(job_id, work)


def test_job_is_queued_only_after_the_transaction_commits(
    django_capture_on_commit_callbacks,
) -> None:
    CALLS.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = background_job_start(kind="test", description="Count", task=count_to_three)
    assert CALLS == []
    assert len(callbacks) == 1
    callbacks[0]()
    job.refresh_from_db()
    assert job.status == "succeeded"
    assert (job.progress_done, job.progress_total, job.percent) == (3, 3, 100)
    assert job.result == {"summary": "counted"}
    assert job.started_at and job.finished_at


def test_failed_job_records_the_reason(django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        background_job_start(kind="test", description="Fail", task=always_fails)
    job = BackgroundJob.objects.get()
    assert job.status == "failed"
    assert "not a statistics file" in job.message


def test_finished_job_is_not_run_twice(django_capture_on_commit_callbacks) -> None:
    CALLS.clear()
    with django_capture_on_commit_callbacks(execute=True):
        job = background_job_start(kind="test", description="Count", task=count_to_three)
    count_to_three(job_id=str(job.id))
    assert CALLS == [str(job.id)]


def test_unreachable_broker_leaves_the_job_queued_with_a_clear_message(
    django_capture_on_commit_callbacks, monkeypatch
) -> None:
    from kombu.exceptions import OperationalError

    def broken_apply_async(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    # As with a real broker: nothing runs in-process, publishing fails.
    monkeypatch.setitem(count_to_three.app.conf, "task_always_eager", False)
    monkeypatch.setattr(count_to_three, "apply_async", broken_apply_async)
    with django_capture_on_commit_callbacks(execute=True):
        job = background_job_start(kind="test", description="Count", task=count_to_three)
    job.refresh_from_db()
    assert job.status == "queued"
    assert job.dispatched_at is None
    assert job.waits_for_queue
    assert "task queue is unavailable" in job.message
    assert "Connection refused" in job.dispatch_error


def test_job_page_shows_progress_to_its_starter_and_hides_it_from_others(client) -> None:
    starter = UserFactory(role="reviewer")
    job = BackgroundJob.objects.create(
        kind="t",
        description="Import",
        created_by=starter,
        progress_done=1,
        progress_total=4,
        status="running",
    )
    client.force_login(starter)
    page = client.get(f"/en/jobs/{job.id}/")
    assert page.status_code == 200
    assert 'value="25"' in page.content.decode()
    partial = client.get(f"/en/jobs/{job.id}/", headers={"HX-Request": "true"})
    assert "<html" not in partial.content.decode()
    assert "hx-trigger" in partial.content.decode()
    client.force_login(UserFactory(role="reviewer"))
    assert client.get(f"/en/jobs/{job.id}/").status_code == 404


def test_secretariat_sees_every_job(client) -> None:
    job = BackgroundJob.objects.create(
        kind="t", description="Import", created_by=UserFactory(role="reviewer")
    )
    client.force_login(UserFactory(role="secretariat"))
    assert client.get(f"/en/jobs/{job.id}/").status_code == 200


def test_job_page_needs_a_login(client) -> None:
    job = BackgroundJob.objects.create(kind="t", description="Import")
    response = client.get(f"/en/jobs/{job.id}/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_malformed_job_id_is_not_found(client) -> None:
    client.force_login(UserFactory(role="secretariat"))
    assert client.get("/en/jobs/not-a-uuid/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_progress_of_work_inside_one_transaction_is_visible_to_other_connections() -> None:
    import psycopg
    from django.db import connection, transaction

    job = BackgroundJob.objects.create(kind="t", description="Reload")
    seen: list[tuple[int, int]] = []
    params = connection.get_connection_params()
    for key in ("cursor_factory", "context"):
        params.pop(key, None)

    def work(progress):
        with transaction.atomic():
            progress(2, 5, "halfway")
            # What the page polling from another connection sees while the work runs.
            with psycopg.connect(**params) as observer:
                seen.append(
                    observer.execute(
                        "SELECT progress_done, progress_total FROM common_backgroundjob"
                        " WHERE id = %s",
                        [str(job.id)],
                    ).fetchone()
                )
        return {}

    run_job(job.id, work)
    assert seen == [(2, 5)]
    job.refresh_from_db()
    assert job.status == "succeeded"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fails", [False, True])
def test_the_progress_connection_is_closed_when_the_job_ends(fails) -> None:
    from django.db import connection, transaction

    job = BackgroundJob.objects.create(kind="t", description="Reload")
    opened: list[int] = []

    def work(progress):
        with transaction.atomic():
            progress(1, 2, "halfway")
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            )
            opened.append(cursor.fetchone()[0])
        if fails:
            raise ValueError("broken file")
        return {}

    def connections_now() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            )
            return cursor.fetchone()[0]

    before = connections_now()
    if fails:
        with pytest.raises(ValueError):
            run_job(job.id, work)
    else:
        run_job(job.id, work)
    assert opened == [before + 1]  # the side connection, while the job ran
    assert connections_now() == before
