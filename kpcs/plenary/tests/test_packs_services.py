"""Document packs built by Celery tasks, one language per task: idempotent by the content's
fingerprint, a failing language retried and failed on its own, nothing registered that is not
completely written, progress on the pack's job, and the broker being down. The renderer is a
fake here (tests/factories_packs.py); test_packs_rendering.py builds real PDFs once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.test import override_settings
from django.utils import timezone

from kpcs.accounts.tests.factories import UserFactory
from kpcs.common.models import AuditEntry, BackgroundJob
from kpcs.plenary.models import DocumentPack, DocumentPackFile
from kpcs.plenary.selectors import packs as selectors
from kpcs.plenary.services import packs as services
from kpcs.plenary.tasks import pack_file_build
from kpcs.plenary.tests.factories import DocumentFactory, MeetingFactory
from kpcs.plenary.tests.factories_packs import FakeRendering, install_fake_rendering, install_queue

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake_rendering(monkeypatch):
    return install_fake_rendering(monkeypatch)


@pytest.fixture
def queue(monkeypatch):
    return install_queue(monkeypatch)


FIVE = ["en", "fr", "es", "ru", "zh-hans"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KPCS_DOCUMENT_LANGUAGES = FIVE
    return settings.MEDIA_ROOT


@pytest.fixture
def secretariat():
    return UserFactory(role="secretariat")


@pytest.fixture
def document():
    return DocumentFactory(
        translated={
            "fr": ("Décision", "La Plénière décide."),
            "es": ("Decisión", "El Pleno decide."),
            "ru": ("Решение", "Пленарное заседание постановляет."),
            "zh-hans": ("决定", "全体会议决定。"),
        }
    )


def request_pack(document, actor, captured, **kwargs):
    with captured(execute=True):
        return services.pack_request(subject="document", document=document, actor=actor, **kwargs)


def files_of(pack: DocumentPack) -> dict[str, DocumentPackFile]:
    return {f.language: f for f in DocumentPackFile.objects.filter(pack=pack)}


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in Path(root).rglob("*") if p.is_file())


# --- Building ---------------------------------------------------------------------------------


def test_a_pack_builds_every_required_language_in_its_own_task(
    fake_rendering, queue, document, secretariat, django_capture_on_commit_callbacks
):
    pack = request_pack(document, secretariat, django_capture_on_commit_callbacks)

    assert pack.languages == FIVE
    assert len(queue.queued) == 5  # one task per language, queued after commit
    assert fake_rendering.renders == []  # asking only queues
    assert queue.run_all() == ["done"] * 5
    files = files_of(pack)
    assert {f.status for f in files.values()} == {"done"}
    for language, pack_file in files.items():
        assert pack_file.file.name.endswith(f"pack-{pack.pk}-{language}.pdf")
        assert pack_file.file.read().startswith(b"%PDF-")
        assert pack_file.pages == 3
        assert pack_file.size == pack_file.file.size
        assert pack_file.attempts == 1
    job = BackgroundJob.objects.get(pk=pack.job_id)
    assert (job.status, job.progress_done, job.progress_total) == ("succeeded", 5, 5)
    assert AuditEntry.objects.filter(object_id=str(pack.pk), action="create").exists()


def test_the_progress_counts_the_languages_ready(
    fake_rendering, queue, document, secretariat, django_capture_on_commit_callbacks
):
    pack = request_pack(document, secretariat, django_capture_on_commit_callbacks)
    job = BackgroundJob.objects.get(pk=pack.job_id)
    assert (job.status, job.progress_done, job.progress_total) == ("queued", 0, 5)
    assert selectors.pack_progress(pack).state == "queued"

    seen = []
    for file_id in list(queue.queued):
        pack_file_build.apply(args=[file_id])
        job.refresh_from_db()
        seen.append((job.progress_done, job.status))
    assert seen == [
        (1, "running"),
        (2, "running"),
        (3, "running"),
        (4, "running"),
        (5, "succeeded"),
    ]
    progress = selectors.pack_progress(pack)
    assert (progress.done, progress.total, progress.percent, progress.state) == (5, 5, 100, "ready")
    assert progress.finished


def test_a_language_being_built_shows_as_running_with_an_indeterminate_bar(
    fake_rendering, queue, document, secretariat, django_capture_on_commit_callbacks
):
    pack = request_pack(document, secretariat, django_capture_on_commit_callbacks)
    DocumentPackFile.objects.filter(pack=pack, language="fr").update(status="running")
    progress = selectors.pack_progress(pack)
    by_language = {lang.language: lang for lang in progress.languages}
    assert by_language["fr"].percent is None
    assert by_language["en"].percent == 0
    assert progress.state == "building"
    assert not progress.finished


# --- Idempotency -----------------------------------------------------------------------------


def test_the_same_content_asked_for_twice_is_the_same_pack_with_the_same_files(
    fake_rendering, queue, document, secretariat, django_capture_on_commit_callbacks
):
    first = request_pack(document, secretariat, django_capture_on_commit_callbacks)
    queue.run_all()
    names = {lang: f.file.name for lang, f in files_of(first).items()}
    renders = len(fake_rendering.renders)

    second = request_pack(document, secretariat, django_capture_on_commit_callbacks)

    assert second.pk == first.pk
    assert queue.queued == []  # nothing queued again
    assert len(fake_rendering.renders) == renders
    assert {lang: f.file.name for lang, f in files_of(second).items()} == names
    assert DocumentPack.objects.count() == 1


def test_asking_again_while_the_pack_builds_queues_nothing_more(
    fake_rendering, queue, document, secretariat, django_capture_on_commit_callbacks
):
    request_pack(document, secretariat, django_capture_on_commit_callbacks)
    assert len(queue.queued) == 5
    request_pack(document, secretariat, django_capture_on_commit_callbacks)
    assert len(queue.queued) == 5


def test_a_task_run_again_on_a_ready_file_changes_nothing(
    fake_rendering, queue, document, secretariat, django_capture_on_commit_callbacks
):
    pack = request_pack(document, secretariat, django_capture_on_commit_callbacks)
    file_ids = list(queue.queued)
    queue.run_all()
    before = {(f.language, f.file.name, f.attempts, f.finished_at) for f in files_of(pack).values()}
    renders = len(fake_rendering.renders)

    assert pack_file_build.apply(args=[file_ids[0]]).get() == "skipped"

    after = {(f.language, f.file.name, f.attempts, f.finished_at) for f in files_of(pack).values()}
    assert after == before
    assert len(fake_rendering.renders) == renders


def test_a_change_in_any_language_gives_a_new_pack(
    fake_rendering, queue, document, secretariat, django_capture_on_commit_callbacks
):
    first = request_pack(document, secretariat, django_capture_on_commit_callbacks)
    queue.run_all()
    document.body_fr = "La Plénière décide autrement."
    document.save()

    second = request_pack(document, secretariat, django_capture_on_commit_callbacks)

    assert second.pk != first.pk
    assert second.fingerprint != first.fingerprint
    assert len(queue.queued) == 5
    queue.run_all()
    assert b"autrement" in files_of(second)["fr"].file.read()
    assert b"autrement" not in files_of(first)["fr"].file.read()


def test_other_languages_are_another_pack(
    fake_rendering, queue, document, secretariat, django_capture_on_commit_callbacks
):
    five = request_pack(document, secretariat, django_capture_on_commit_callbacks)
    two = request_pack(
        document, secretariat, django_capture_on_commit_callbacks, languages=["fr", "en"]
    )
    assert two.pk != five.pk
    assert two.languages == ["en", "fr"]  # in the order of settings.LANGUAGES


def test_a_pack_row_created_by_a_concurrent_request_is_completed_not_duplicated(
    fake_rendering, queue, document, secretariat, django_capture_on_commit_callbacks
):
    """The other request won the race for the row (the unique constraint sends this one to
    read it); this one finds its files missing and creates and queues them, once."""
    fingerprint = services.pack_fingerprint("document", str(document.pk), FIVE)
    winner = DocumentPack.objects.create(
        subject="document",
        subject_key=str(document.pk),
        document=document,
        fingerprint=fingerprint,
        languages=FIVE,
    )
    pack = request_pack(document, secretariat, django_capture_on_commit_callbacks)
    assert pack.pk == winner.pk
    assert DocumentPackFile.objects.filter(pack=pack).count() == 5
    assert len(queue.queued) == 5


# --- Failures ----------------------------------------------------------------------------------


def test_a_failing_language_is_retried_then_failed_while_the_others_are_ready(
    fake_rendering, queue, document, secretariat, django_capture_on_commit_callbacks
):
    fake_rendering.fail["ru"] = -1
    pack = request_pack(document, secretariat, django_capture_on_commit_callbacks)

    queue.run_all()  # Celery runs ru three times: the first attempt and two retries

    files = files_of(pack)
    assert files["ru"].status == "failed"
    assert files["ru"].attempts == 3
    assert files["ru"].error == "RenderingBroke: the ru renderer broke"
    assert "Traceback" not in files["ru"].error
    assert not files["ru"].file
    assert {lang: f.status for lang, f in files.items() if lang != "ru"} == {
        "en": "done",
        "fr": "done",
        "es": "done",
        "zh-hans": "done",
    }
    job = BackgroundJob.objects.get(pk=pack.job_id)
    assert job.status == "failed"
    assert job.progress_done == 4
    assert "ru" in job.message
    progress = selectors.pack_progress(pack)
    assert (progress.state, progress.failed, progress.done) == ("failed", 1, 4)


def test_a_failed_language_retried_later_succeeds_without_touching_the_others(
    fake_rendering, queue, document, secretariat, django_capture_on_commit_callbacks
):
    fake_rendering.fail["ru"] = 3
    pack = request_pack(document, secretariat, django_capture_on_commit_callbacks)
    queue.run_all()
    others = {(f.language, f.file.name, f.finished_at) for f in files_of(pack).values()}
    others = {row for row in others if row[0] != "ru"}

    with django_capture_on_commit_callbacks(execute=True):
        assert services.pack_resume(pack=pack, actor=secretariat, languages=["ru"]) == ["ru"]
    assert len(queue.queued) == 1
    queue.run_all()

    files = files_of(pack)
    assert files["ru"].status == "done"
    assert files["ru"].error == ""
    assert files["ru"].attempts == 4
    assert {(f.language, f.file.name, f.finished_at) for f in files.values()} - {
        (files["ru"].language, files["ru"].file.name, files["ru"].finished_at)
    } == others
    assert BackgroundJob.objects.get(pk=pack.job_id).status == "succeeded"


def test_a_language_that_fails_once_is_retried_and_built(
    fake_rendering, queue, document, secretariat, django_capture_on_commit_callbacks
):
    fake_rendering.fail["zh-hans"] = 1
    pack = request_pack(document, secretariat, django_capture_on_commit_callbacks)
    queue.run_all()
    chinese = files_of(pack)["zh-hans"]
    assert (chinese.status, chinese.attempts, chinese.error) == ("done", 2, "")


def test_a_language_waits_with_its_error_between_attempts(fake_rendering, document, secretariat):
    fake_rendering.fail["fr"] = 1
    pack = services.pack_request(subject="document", document=document, actor=secretariat)
    french = DocumentPackFile.objects.get(pack=pack, language="fr")
    with pytest.raises(services.PackBuildRetry):
        services.pack_file_build(file_id=french.pk, final_attempt=False)
    french.refresh_from_db()
    assert french.status == "pending"
    assert "it will be tried again" in french.error


def test_asking_again_queues_the_languages_that_failed(
    fake_rendering, queue, document, secretariat, django_capture_on_commit_callbacks
):
    fake_rendering.fail["ru"] = 3
    pack = request_pack(document, secretariat, django_capture_on_commit_callbacks)
    queue.run_all()
    again = request_pack(document, secretariat, django_capture_on_commit_callbacks)
    assert again.pk == pack.pk
    assert queue.queued == [files_of(pack)["ru"].pk]


def test_no_file_is_registered_when_rendering_fails(
    fake_rendering, queue, document, secretariat, media, django_capture_on_commit_callbacks
):
    fake_rendering.fail["fr"] = -1
    pack = request_pack(document, secretariat, django_capture_on_commit_callbacks, languages=["fr"])
    queue.run_all()
    french = files_of(pack)["fr"]
    assert french.status == "failed"
    assert not french.file
    assert (french.size, french.pages) == (0, 0)
    assert stored_files(media) == []


def test_no_file_is_registered_when_writing_it_fails_midway(
    fake_rendering, queue, document, secretariat, media, monkeypatch,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    def disk_full(self, name, content, max_length=None):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "save", disk_full)
    pack = request_pack(document, secretariat, django_capture_on_commit_callbacks, languages=["fr"])
    queue.run_all()
    french = files_of(pack)["fr"]
    assert french.status == "failed"
    assert not french.file
    assert "No space left on device" in french.error
    assert stored_files(media) == []  # no temporary file left behind either


def test_a_page_count_failure_after_rendering_leaves_nothing_stored(
    fake_rendering, queue, document, secretariat, media, monkeypatch,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    def broken(pdf):
        raise ValueError("not a PDF")

    monkeypatch.setattr(fake_rendering, "page_count", broken)
    pack = request_pack(document, secretariat, django_capture_on_commit_callbacks, languages=["en"])
    queue.run_all()
    assert files_of(pack)["en"].status == "failed"
    assert stored_files(media) == []


def test_a_content_change_before_the_worker_builds_fails_the_language_at_once(
    fake_rendering, queue, document, secretariat, django_capture_on_commit_callbacks
):
    pack = request_pack(document, secretariat, django_capture_on_commit_callbacks)
    document.body_es = "El Pleno decide otra cosa."
    document.save()
    queue.run_all()
    files = files_of(pack)
    assert files["es"].status == "failed"
    assert files["es"].attempts == 1  # not worth another try
    assert "content changed" in files["es"].error
    assert files["fr"].status == "done"


def test_a_subject_that_is_gone_fails_without_retrying(
    fake_rendering, queue, secretariat, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        pack = services.pack_request(
            subject="participant_list", actor=secretariat, languages=["en"]
        )

    def gone(*args):
        raise FakeRendering.SubjectNotFound("gone")

    fake_rendering.render_report_pdf = gone  # type: ignore[method-assign]
    queue.run_all()
    english = files_of(pack)["en"]
    assert (english.status, english.attempts) == ("failed", 1)


# --- The broker ----------------------------------------------------------------------------------


def test_with_the_broker_down_the_files_wait_and_the_pack_says_so(
    fake_rendering, queue, document, secretariat, django_capture_on_commit_callbacks
):
    queue.down = True
    pack = request_pack(document, secretariat, django_capture_on_commit_callbacks)

    assert {f.status for f in files_of(pack).values()} == {"pending"}
    progress = selectors.pack_progress(pack)
    assert progress.queue_unreachable
    assert progress.state == "queued"
    job = BackgroundJob.objects.get(pk=pack.job_id)
    assert job.status == "queued"  # not failed: it will run
    assert "when the queue is back" in job.message


def test_resume_queues_the_waiting_languages_once_the_broker_is_back(
    fake_rendering, queue, document, secretariat, django_capture_on_commit_callbacks
):
    queue.down = True
    pack = request_pack(document, secretariat, django_capture_on_commit_callbacks)
    queue.down = False

    with django_capture_on_commit_callbacks(execute=True):
        queued = services.pack_resume(pack=pack, actor=secretariat)

    assert queued == sorted(FIVE)
    queue.run_all()
    assert {f.status for f in files_of(pack).values()} == {"done"}
    assert not selectors.pack_progress(pack).queue_unreachable


def test_asking_again_once_the_broker_is_back_queues_the_waiting_languages(
    fake_rendering, queue, document, secretariat, django_capture_on_commit_callbacks
):
    queue.down = True
    pack = request_pack(document, secretariat, django_capture_on_commit_callbacks)
    queue.down = False
    again = request_pack(document, secretariat, django_capture_on_commit_callbacks)
    assert again.pk == pack.pk
    assert len(queue.queued) == 5


def test_resume_queues_a_language_a_dead_worker_left_running(
    fake_rendering, queue, document, secretariat, django_capture_on_commit_callbacks
):
    pack = request_pack(document, secretariat, django_capture_on_commit_callbacks)
    queue.run_all()
    DocumentPackFile.objects.filter(pack=pack, language="fr").update(
        status="running",
        file="",
        started_at=timezone.now() - dt.timedelta(hours=2),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.pack_resume(pack=pack, actor=secretariat) == ["fr"]


def test_resume_refuses_a_language_that_is_ready(
    fake_rendering, queue, document, secretariat, django_capture_on_commit_callbacks
):
    pack = request_pack(document, secretariat, django_capture_on_commit_callbacks)
    queue.run_all()
    with pytest.raises(ValidationError) as refused:
        services.pack_resume(pack=pack, actor=secretariat, languages=["fr"])
    assert "nothing to retry" in str(refused.value)
    with pytest.raises(ValidationError) as outside:
        services.pack_resume(pack=pack, actor=secretariat, languages=["ar"])
    assert "no ar version" in str(outside.value)


def test_eager_celery_runs_the_whole_pack_with_retries(
    fake_rendering, document, secretariat, django_capture_on_commit_callbacks
):
    """With the real task (CELERY_TASK_ALWAYS_EAGER in the test settings) and no stand-in
    for the queue: retries of a failing language run through Celery's own machinery."""
    fake_rendering.fail["ru"] = 2
    pack = request_pack(document, secretariat, django_capture_on_commit_callbacks)
    files = files_of(pack)
    assert {f.status for f in files.values()} == {"done"}
    assert files["ru"].attempts == 3


# --- Input ---------------------------------------------------------------------------------------


def test_languages_are_checked_against_the_languages_of_the_system(
    fake_rendering, document, secretariat
):
    with pytest.raises(ValidationError) as unknown:
        services.pack_request(
            subject="document", document=document, actor=secretariat, languages=["fr", "xx"]
        )
    assert "languages" in unknown.value.message_dict
    assert "“xx”" in unknown.value.message_dict["languages"][0]
    with pytest.raises(ValidationError) as empty:
        services.pack_request(
            subject="document", document=document, actor=secretariat, languages=[]
        )
    assert "Choose at least one language" in str(empty.value)
    assert DocumentPack.objects.count() == 0


@override_settings(KPCS_DOCUMENT_LANGUAGES=["en", "ar"])
def test_the_default_languages_come_from_the_settings(fake_rendering, document, secretariat):
    pack = services.pack_request(subject="document", document=document, actor=secretariat)
    assert pack.languages == ["en", "ar"]


def test_a_meeting_pack_is_keyed_by_the_meeting(fake_rendering, queue, secretariat,
                                                django_capture_on_commit_callbacks):  # fmt: skip
    meeting = MeetingFactory()
    with django_capture_on_commit_callbacks(execute=True):
        pack = services.pack_request(subject="meeting", meeting=meeting, actor=secretariat)
    assert (pack.subject_key, pack.meeting_id) == (str(meeting.pk), meeting.pk)
    queue.run_all()
    assert ("meeting", str(meeting.pk), "en") in fake_rendering.renders


def test_report_keys_are_checked(fake_rendering, secretariat):
    from kpcs.reviews.tests.factories import ReportVersionFactory, ReviewVisitFactory
    from kpcs.statistics.models import Release

    Release.objects.create(year=2025, number=1, published_at=timezone.now())
    Release.objects.create(year=2025, number=2, published_at=timezone.now())
    latest = services.pack_request(subject="statistics_summary", key="2025", actor=secretariat)
    assert latest.subject_key == "2025/2"
    for key in ("2024/1", "twenty", "2025/x"):
        with pytest.raises(ValidationError) as refused:
            services.pack_request(subject="statistics_summary", key=key, actor=secretariat)
        assert "key" in refused.value.message_dict

    visit = ReviewVisitFactory()
    ReportVersionFactory(visit=visit, kind="draft")
    with pytest.raises(ValidationError) as draft_only:
        services.pack_request(subject="review_report", key=str(visit.pk), actor=secretariat)
    assert "no final report" in str(draft_only.value)
    ReportVersionFactory(visit=visit, kind="final")
    report = services.pack_request(subject="review_report", key=str(visit.pk), actor=secretariat)
    assert report.subject_key == str(visit.pk)

    with pytest.raises(ValidationError):
        services.pack_request(subject="participant_list", key="yesterday", actor=secretariat)
    dated = services.pack_request(subject="participant_list", key="2026-01-31", actor=secretariat)
    assert dated.subject_key == "2026-01-31"
    with pytest.raises(ValidationError) as bad_subject:
        services.pack_request(subject="annual_report", actor=secretariat)
    assert "subject" in bad_subject.value.message_dict
    with pytest.raises(ValidationError) as no_document:
        services.pack_request(subject="document", actor=secretariat)
    assert "document" in no_document.value.message_dict
