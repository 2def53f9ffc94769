"""HTML and JavaScript in every text field, shown everywhere as text.

The demo data is loaded, then every free-text column of every project model (names,
contacts, comments, findings, recommendations, annual report notes, compliance notes,
meeting and document titles and bodies, …) is overwritten with one of the payloads of
tests/hostile/corpus.py. Every page reachable by following links from the start pages is
then read as the secretariat, an authority, a reviewer and an anonymous visitor: no page may
hold a payload unescaped, and a payload must show up escaped somewhere. CSV exports are
checked to hold the payload as plain text; the PDFs of plenary documents and meetings
(WeasyPrint) to show it literally as text."""

from __future__ import annotations

import io
import re
from collections import deque
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import DatabaseError, models, transaction
from django.test import Client
from pypdf import PdfReader

from tests.hostile.corpus import ESCAPED_MARKERS, IMG, SCRIPT, TEMPLATE, UNESCAPED_MARKERS

pytestmark = [pytest.mark.django_db]

PAYLOADS = (SCRIPT, IMG, f"{SCRIPT}{IMG}", TEMPLATE)
APPS = {"participants", "statistics", "certificates", "reviews", "plenary", "accounts"}
# Columns that are keys, codes or machine values, not text people write: a payload there
# only breaks the links the crawl follows (and the database refuses it in most of them).
NOT_TEXT = re.compile(
    r"(^|_)(code|codes|symbol|number|slug|fingerprint|language|languages|status|kind|key|"
    r"token|hs_code|username|password|email|url|file|image|document|path|subject|"
    r"period|dataset|flow|rule|role|area|rating|priority|distribution|action|"
    r"revision_kind|compendium_section|mime|content_type|ip|version|alpha2|alpha3|"
    r"iso|checksum|hash|secret|search_\w+|field|column|model|app_label|object_id|"
    r"object_repr|first_name|last_name)(_[a-z]{2})?$"
)
START_PAGES = {
    "anonymous": [
        "/en/",
        "/en/statistics/",
        "/en/participants/",
        "/en/meetings/",
        "/en/documents/",
        "/en/compendium/",
        "/en/certificates/verify/",
    ],
    "secretariat": [
        "/en/",
        "/en/secretariat/participants/",
        "/en/secretariat/statistics/",
        "/en/secretariat/statistics/anomalies/",
        "/en/secretariat/statistics/questions/",
        "/en/secretariat/audit-log/",
        "/en/certificates/",
        "/en/certificates/uploads/",
        "/en/certificates/specimens/",
        "/en/reviews/visits/",
        "/en/reviews/",
        "/en/annual-reports/",
        "/en/compliance/",
        "/en/plenary/meetings/",
        "/en/plenary/documents/",
        "/en/questionnaire/",
    ],
    "zaf-authority": ["/en/", "/en/submissions/", "/en/certificates/", "/en/annual-reports/"],
    "reviewer": ["/en/", "/en/reviews/visits/"],
}
MAX_PAGES = 120
SKIP = re.compile(r"/logout|/accounts/|/i18n/|/jsi18n/|/admin/|/api/|/static/|/media/|/delete/")


def _text_columns() -> list[tuple[type[models.Model], str]]:
    columns = []
    for model in apps.get_models():
        if model._meta.app_label not in APPS or model._meta.proxy:
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.CharField | models.TextField):
                continue
            if field.primary_key or field.unique or field.choices or NOT_TEXT.search(field.name):
                continue
            if field.max_length is not None and field.max_length < len(SCRIPT):
                continue
            columns.append((model, field.name))
    return columns


def inject_payloads() -> list[str]:
    """Overwrite every free-text column with a payload (cut to the column's length); the
    columns the database refuses it in (a check constraint) are left as they were."""
    written = []
    for index, (model, name) in enumerate(_text_columns()):
        field = model._meta.get_field(name)
        payload = PAYLOADS[index % len(PAYLOADS)]
        max_length = getattr(field, "max_length", None)
        value = payload if max_length is None else payload[:max_length]
        if not model.objects.exists():
            continue
        try:
            with transaction.atomic():
                model.objects.update(**{name: value})
        except DatabaseError:
            continue
        written.append(f"{model._meta.label}.{name}")
    return written


@pytest.fixture(scope="module")
def hostile_world(django_db_setup, django_db_blocker):
    """The demo data with a payload in every free-text column; loaded once for the module
    (the tests only read it, or change it inside their own transaction) and flushed after."""
    from django.utils import translation

    from kpcs.participants.services import reference_data_load
    from kpcs.plenary.models import Document

    with django_db_blocker.unblock():
        with translation.override("en"):
            reference_data_load()
        call_command("load_demo_data", verbosity=0)
        # A document body of the demo: the payloads spread over its blocks (heading, table).
        Document.objects.filter(pk=Document.objects.order_by("pk").values("pk")[:1]).update(
            body=f"# {SCRIPT}\n\n{IMG}\n\n| {SCRIPT} | x |\n|---|---|\n| {TEMPLATE} | y |"
        )
        written = inject_payloads()
        yield written
        call_command("flush", interactive=False, verbosity=0)


def _client(who: str) -> Client:
    from kpcs.accounts.models import User

    client = Client()
    if who != "anonymous":
        user = User.objects.filter(username=who).first()
        if user is None:
            user = User.objects.filter(role=who).order_by("pk").first()
        assert user is not None, who
        client.force_login(user)
    return client


def _links(html: str) -> list[str]:
    return [
        link.replace("&amp;", "&")
        for link in re.findall(r'href="(/en/[^"#]*)"', html)
        if not SKIP.search(link)
    ]


def crawl(who: str) -> tuple[dict[str, str], list[str]]:
    """(pages read: path → content type, problems found) for one kind of visitor."""
    client = _client(who)
    queue = deque(START_PAGES[who])
    seen: dict[str, str] = {}
    problems: list[str] = []
    escaped_seen = False
    per_prefix: dict[str, int] = {}
    while queue and len(seen) < MAX_PAGES:
        path = queue.popleft()
        if path in seen:
            continue
        # A few pages of each kind are enough: not every certificate of the demo.
        prefix = re.sub(r"/[A-Z]{3}(?=/)", "/CODE", re.sub(r"\d+", "N", path.split("?")[0]))
        if per_prefix.get(prefix, 0) >= 2:
            continue
        per_prefix[prefix] = per_prefix.get(prefix, 0) + 1
        response = client.get(path)
        content_type = response.get("Content-Type", "")
        seen[path] = content_type
        if response.status_code >= 500:
            problems.append(f"{who} {path}: {response.status_code}")
            continue
        if response.status_code != 200 or getattr(response, "streaming", False):
            continue
        body = response.content.decode("utf-8", "replace")
        if "html" in content_type:
            for marker in UNESCAPED_MARKERS:
                if marker in body:
                    at = body.index(marker)
                    problems.append(f"{who} {path}: unescaped …{body[max(0, at - 120) : at + 40]}")
            escaped_seen = escaped_seen or any(m in body for m in ESCAPED_MARKERS)
            if "49" in body and "{{7*7}}" not in body and TEMPLATE in body:
                problems.append(f"{who} {path}: a template payload was evaluated")
            queue.extend(_links(body))
    if not escaped_seen and who == "secretariat":
        problems.append(f"{who}: no page showed an escaped payload (were they injected?)")
    return seen, problems


@pytest.mark.parametrize("who", list(START_PAGES))
def test_html_in_every_text_field_is_shown_escaped_on_every_page(hostile_world, who) -> None:
    assert len(hostile_world) > 40, hostile_world
    seen, problems = crawl(who)
    assert len(seen) > 5, seen
    assert problems == [], "\n".join(problems)


def test_csv_exports_hold_the_payloads_as_plain_text_and_neutralise_formulas(
    hostile_world,
) -> None:
    import csv

    from kpcs.participants.models import Participant
    from kpcs.reviews.models import AnnualReport

    formula = '=HYPERLINK("http://evil.example","x")'
    Participant.objects.update(name_en=formula)
    client = _client("secretariat")
    year = AnnualReport.objects.order_by("-year").values_list("year", flat=True).first()
    response = client.get("/en/annual-reports/export.csv", {"year": year})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    cells = [cell for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for cell in row]
    assert f"'{formula}" in cells
    assert not [cell for cell in cells if cell.startswith(("=", "+", "@"))]


def _pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def test_plenary_document_and_meeting_pdfs_show_the_payloads_as_text(hostile_world) -> None:
    from kpcs.plenary.models import Document, Meeting
    from kpcs.plenary.rendering import render_document_pdf, render_meeting_pdf

    document = Document.objects.order_by("pk").first()
    assert document is not None
    rendered: Any = render_document_pdf(document, "en")
    data = rendered if isinstance(rendered, bytes) else rendered.pdf
    text = _pdf_text(data)
    # The payloads are laid out as text (the heading, the paragraph, the table cells).
    assert "<script>alert(1)</script>" in text.replace("\n", ""), text[:800]
    assert "onerror=alert(1)>" in text.replace("\n", ""), text[:800]

    meeting = Meeting.objects.order_by("pk").first()
    assert meeting is not None
    rendered = render_meeting_pdf(meeting, "en")
    data = rendered if isinstance(rendered, bytes) else rendered.pdf
    meeting_text = _pdf_text(data).replace("\n", "")
    assert any(p[:20] in meeting_text for p in PAYLOADS), meeting_text[:800]
