"""A fake of kpcs.plenary.rendering for the pack tests (fast: no WeasyPrint), and helpers to
run the queued build tasks by hand.

`FakeRendering` follows the contract: its content fingerprint changes when the document's
title or body in that language changes (or a report's `version`), it returns small PDFs that
say what they are, counts its calls, and fails a language on demand (`fail["ru"] = n`: the
next n renders of Russian raise; -1: always)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import pytest

from kpcs.plenary.models import Document, Meeting
from kpcs.plenary.services import packs as services


class SubjectNotFound(Exception):
    pass


class FontsMissing(Exception):
    pass


class RenderingBroke(RuntimeError):
    pass


@dataclass
class FakeRendering:
    renders: list[tuple[str, str, str]] = field(default_factory=list)
    fingerprints: list[tuple[str, str, str]] = field(default_factory=list)
    fail: dict[str, int] = field(default_factory=dict)
    version: str = "1"
    pages: int = 3

    SubjectNotFound = SubjectNotFound
    FontsMissing = FontsMissing

    def _content(self, subject: str, key: str, language: str) -> str:
        suffix = language.replace("-", "_")
        if subject == "document":
            document = Document.objects.filter(pk=int(key)).first()
            if document is None:
                raise SubjectNotFound(f"no document {key}")
            source = "en"  # the fallback, as the real renderer's
            title = getattr(document, f"title_{suffix}") or getattr(document, f"title_{source}")
            body = getattr(document, f"body_{suffix}") or getattr(document, f"body_{source}")
            return f"{document.symbol}|{title}|{body}"
        if subject == "meeting":
            meeting = Meeting.objects.filter(pk=int(key)).first()
            if meeting is None:
                raise SubjectNotFound(f"no meeting {key}")
            return f"{meeting.code}|{meeting.title}"
        return f"{subject}|{key}|{self.version}"

    def content_fingerprint(self, subject: str, key: str, language: str) -> str:
        self.fingerprints.append((subject, key, language))
        text = f"{language}|{self._content(subject, key, language)}"
        return hashlib.sha256(text.encode()).hexdigest()

    def _pdf(self, subject: str, key: str, language: str) -> bytes:
        left = self.fail.get(language, 0)
        if left:
            self.fail[language] = left - 1 if left > 0 else left
            raise RenderingBroke(f"the {language} renderer broke")
        self.renders.append((subject, key, language))
        content = self._content(subject, key, language)
        return f"%PDF-1.7\n% fake {language}\n{content}\n%%EOF\n".encode()

    def render_document_pdf(self, document: Document, language: str) -> bytes:
        return self._pdf("document", str(document.pk), language)

    def render_meeting_pdf(self, meeting: Meeting, language: str) -> bytes:
        return self._pdf("meeting", str(meeting.pk), language)

    def render_report_pdf(self, subject: str, key: str, language: str) -> bytes:
        return self._pdf(subject, key, language)

    def page_count(self, pdf: bytes) -> int:
        return self.pages


def install_fake_rendering(monkeypatch: pytest.MonkeyPatch) -> FakeRendering:
    """Put a FakeRendering in the place of kpcs.plenary.rendering for the pack services."""
    fake = FakeRendering()
    monkeypatch.setattr(services, "_rendering", lambda: fake)
    return fake


@dataclass
class QueueRecorder:
    """Stands in for pack_file_build.apply_async: records the file ids instead of running
    them (as a broker would), and runs them on demand like a worker."""

    queued: list[int] = field(default_factory=list)
    down: bool = False

    def apply_async(self, args: Any = None, kwargs: Any = None, **options: Any) -> None:
        if self.down:
            from kombu.exceptions import OperationalError

            raise OperationalError("Error 111 connecting to localhost:6379. Connection refused.")
        self.queued.append(args[0])

    def run_all(self) -> list[str]:
        from kpcs.plenary.tasks import pack_file_build, retries_in_process

        outcomes = []
        while self.queued:
            file_id = self.queued.pop(0)
            with retries_in_process():  # a retry runs the task again, as a worker does
                result = pack_file_build.apply(args=[file_id])
            if result.failed():
                raise result.result
            outcomes.append(result.get())
        return outcomes


def install_queue(monkeypatch: pytest.MonkeyPatch) -> QueueRecorder:
    """Put a QueueRecorder in the place of the build task's apply_async."""
    from kpcs.plenary.tasks import pack_file_build

    recorder = QueueRecorder()
    monkeypatch.setattr(pack_file_build, "apply_async", recorder.apply_async)
    return recorder
