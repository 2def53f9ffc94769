"""Benchmark: document packs — a ~30-page plenary document built in five languages through the
pack pipeline, against plain WeasyPrint rendering of the same five HTML strings, and the web
request that starts a build against a bare Django view. Both floors are measured in the same run.

- (a) pipeline: `pack_request` (the content fingerprint of each language, the pack, its files,
  its job, the audit entry) and then the five Celery tasks run in-process one after the other
  as a worker would (`pack_file_build.apply`: claim, check the language's fingerprint, render
  the HTML, WeasyPrint, count the pages, write the file beside the media folder and rename it
  into place, register it, update the job). Floor: `weasyprint.HTML(string=…).write_pdf()` of
  the five HTML strings `kpcs.plenary.rendering.render_html` gives for the same content (made
  before the clock starts), with the renderer's base URL and a fresh FontConfiguration, as
  kpcs.plenary.rendering does. Goal: the pipeline within 1.25× of the floor. Rounds alternate
  floor and pipeline; each round edits the document first, so every pipeline round is a new
  pack (the same content would be a no-op: that is the idempotency).
- (b) the request that starts a build: the Django test client POSTs `plenary:pack-build` as the
  secretariat, the content edited before each request (untimed) so that each one creates a
  pack. Celery's apply_async is replaced by a recorder (no broker), or with BENCH_PACKS_BROKER=1
  really published to the configured broker (Redis with REDIS_URL, else the filesystem
  transport) on a queue of its own that no worker reads, purged at the end. Floor: a bare Django
  view answering the same client. Goal: under 200 ms (it only queues).

The script works in a scratch database of its own on the server DATABASE_URL names (or the
embedded one): `<name>_bench_plenary_packs`, created, migrated and dropped again; files go to a
temporary media folder. It is not a test (pytest collects test_*.py only).

Knobs: BENCH_PACK_PAGES (30: the target length of the English version), BENCH_RUNS (3 rounds
of (a)), BENCH_REQUESTS (25 requests for (b)), BENCH_ONLY=pipeline,request, BENCH_PACKS_BROKER=1,
BENCH_PROFILE=1 (a cProfile of one pipeline round), BENCH_KEEP_DB=1. A full run takes about
two to three minutes on the 2-core machine.
"""

from __future__ import annotations

import atexit
import cProfile
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpcs.settings.local")
# Thousands of anonymous requests a minute from one address: the benchmark measures the work of
# a request, not the rate limits (docs/security.md), so those are lifted for it.
os.environ.setdefault("PUBLIC_API_RATE", "100000000/minute")
os.environ.setdefault("CERTIFICATE_VERIFY_RATE", "100000000/minute")
os.environ["DEBUG"] = "false"

from _benchkit import env_flag, env_int, env_only, scratch_database

PAGES = env_int("BENCH_PACK_PAGES", 30)
RUNS = env_int("BENCH_RUNS", 3)
REQUESTS = env_int("BENCH_REQUESTS", 25, minimum=3)
ONLY = env_only()
PROFILE = env_flag("BENCH_PROFILE")
REAL_BROKER = env_flag("BENCH_PACKS_BROKER")
LANGUAGES = ["en", "fr", "es", "ru", "zh-hans"]
GOAL_PIPELINE = 1.25
GOAL_REQUEST_MS = 200.0
BENCH_QUEUE = "bench-plenary-packs"

SCRATCH_NAME = scratch_database("bench_plenary_packs")
MEDIA = tempfile.mkdtemp(prefix="kpcs-bench-packs-")
os.environ["MEDIA_ROOT"] = MEDIA
atexit.register(shutil.rmtree, MEDIA, ignore_errors=True)

import django  # noqa: E402

django.setup()

import logging  # noqa: E402

# WeasyPrint logs every page it lays out, Celery every task: not what the figures are about.
for noisy in ("weasyprint", "celery", "kpcs.plenary.services.packs"):
    logging.getLogger(noisy).setLevel(logging.WARNING)

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.urls import path, reverse  # noqa: E402
from django.utils import translation  # noqa: E402

from kpcs import urls as project_urls  # noqa: E402
from kpcs.accounts.models import Role, User  # noqa: E402
from kpcs.plenary import rendering  # noqa: E402
from kpcs.plenary.fingerprints import source_fingerprint  # noqa: E402
from kpcs.plenary.models import Document, DocumentPack, DocumentTranslation  # noqa: E402
from kpcs.plenary.services.packs import pack_request  # noqa: E402
from kpcs.plenary.tasks import pack_file_build  # noqa: E402

# --- A long document in five languages -----------------------------------------------------------

# Sentences of a plenary decision in each language; paragraphs are made of them in turn, with
# a heading every few paragraphs and a table now and then, as the body format allows.
SENTENCES = {
    "en": [
        "The Plenary welcomes the report of the Working Group on Monitoring on the review "
        "visits carried out during the year.",
        "Participants shall submit their annual statistics on production and trade of rough "
        "diamonds by the first of March of the following year.",
        "The Chair shall consult the participants and observers before the intersessional "
        "meeting on the implementation of this decision.",
        "Each participant shall ensure that every shipment of rough diamonds is accompanied by "
        "a duly validated Kimberley Process certificate.",
        "The secretariat shall publish the decision in all official languages of the Kimberley "
        "Process on its website.",
    ],
    "fr": [
        "La Plénière se félicite du rapport du Groupe de travail sur le suivi concernant les "
        "visites d'examen effectuées au cours de l'année.",
        "Les participants soumettent leurs statistiques annuelles de production et de commerce "
        "de diamants bruts au plus tard le premier mars de l'année suivante.",
        "La présidence consulte les participants et les observateurs avant la réunion "
        "intersessions sur la mise en œuvre de la présente décision.",
        "Chaque participant veille à ce que toute expédition de diamants bruts soit "
        "accompagnée d'un certificat du Processus de Kimberley dûment validé.",
        "Le secrétariat publie la décision dans toutes les langues officielles du Processus de "
        "Kimberley sur son site internet.",
    ],
    "es": [
        "El Pleno acoge con satisfacción el informe del Grupo de Trabajo de Supervisión sobre "
        "las visitas de examen realizadas durante el año.",
        "Los participantes presentarán sus estadísticas anuales de producción y comercio de "
        "diamantes en bruto a más tardar el primero de marzo del año siguiente.",
        "La Presidencia consultará a los participantes y observadores antes de la reunión "
        "entre períodos de sesiones sobre la aplicación de esta decisión.",
        "Cada participante velará por que todo envío de diamantes en bruto vaya acompañado de "
        "un certificado del Proceso de Kimberley debidamente validado.",
        "La secretaría publicará la decisión en todos los idiomas oficiales del Proceso de "
        "Kimberley en su sitio web.",
    ],
    "ru": [
        "Пленарное заседание приветствует доклад Рабочей группы по мониторингу о "
        "проведённых в течение года обзорных визитах.",
        "Участники представляют годовую статистику добычи и торговли необработанными "
        "алмазами не позднее первого марта следующего года.",
        "Председатель консультируется с участниками и наблюдателями до межсессионного "
        "совещания по вопросу осуществления настоящего решения.",
        "Каждый участник обеспечивает, чтобы каждая партия необработанных алмазов "
        "сопровождалась надлежащим образом заверенным сертификатом Кимберлийского процесса.",
        "Секретариат публикует решение на всех официальных языках Кимберлийского процесса "
        "на своём веб-сайте.",
    ],
    "zh-hans": [
        "全体会议欢迎监测工作组关于本年度所进行审查访问的报告。",
        "各参与方应在次年三月一日之前提交其毛坯钻石生产和贸易的年度统计数据。",
        "主席应在闭会期间会议之前就本决定的执行情况与各参与方和观察员进行协商。",
        "各参与方应确保每一批毛坯钻石均附有经正式验证的金伯利进程证书。",
        "秘书处应以金伯利进程所有正式语文在其网站上公布本决定。",
    ],
}
HEADINGS = {
    "en": "Part",
    "fr": "Partie",
    "es": "Parte",
    "ru": "Часть",
    "zh-hans": "部分",
}
TITLES = {
    "en": "Administrative decision on the implementation of the certification scheme",
    "fr": "Décision administrative relative à la mise en œuvre du système de certification",
    "es": "Decisión administrativa sobre la aplicación del sistema de certificación",
    "ru": "Административное решение об осуществлении системы сертификации",
    "zh-hans": "关于实施证书制度的行政决定",
}


def body_text(language: str, paragraphs: int, run: int) -> str:
    sentences = SENTENCES[language]
    parts = []
    for index in range(paragraphs):
        if index % 8 == 0:
            parts.append(f"# {HEADINGS[language]} {index // 8 + 1}")
        if index % 24 == 12:
            rows = ["| Participant | 2024 | 2025 |"] + [
                f"| P{n:02d} | {1000 + 37 * n + run} | {1100 + 41 * n} |" for n in range(8)
            ]
            parts.append("\n".join(rows))
        start = index % len(sentences)
        parts.append(" ".join(sentences[(start + k) % len(sentences)] for k in range(4)))
    return "\n\n".join(parts) + f"\n\n({run})"


def set_content(document: Document, paragraphs: int, run: int) -> None:
    """Every language's text, with a mark of the round: a new content each round."""
    for language in LANGUAGES:
        suffix = language.replace("-", "_")
        setattr(document, f"title_{suffix}", TITLES[language])
        setattr(document, f"body_{suffix}", body_text(language, paragraphs, run))
    document.source_fingerprint = source_fingerprint(TITLES["en"], body_text("en", paragraphs, run))
    document.save()
    DocumentTranslation.objects.filter(document=document).update(
        source_fingerprint=document.source_fingerprint
    )


def set_up() -> tuple[Document, User, int, int]:
    import datetime as dt

    call_command("migrate", verbosity=0)
    # force_login below: the account needs no password.
    user = User.objects.create_user("bench-secretariat", role=Role.SECRETARIAT)
    document = Document.objects.create(
        symbol="KP/2026/Plenary/Administrative Decision 99",
        kind=Document.Kind.ADMINISTRATIVE_DECISION,
        date=dt.date(2026, 11, 6),
        distribution=Document.Distribution.PUBLIC,
        title_en=TITLES["en"],
        body_en="",
    )
    for language in LANGUAGES[1:]:
        DocumentTranslation.objects.create(
            document=document, language=language, status="final", source_fingerprint=""
        )
    # Find how many paragraphs make about PAGES pages in English (untimed).
    paragraphs = 8 * PAGES
    for _attempt in range(4):
        set_content(document, paragraphs, 0)
        pages = rendering.page_count(rendering.render_document_pdf(document, "en"))
        if abs(pages - PAGES) <= 1:
            break
        paragraphs = max(8, round(paragraphs * PAGES / pages))
    return document, user, paragraphs, pages


# --- (a) the pipeline against plain WeasyPrint ---------------------------------------------------


def floor_render(html: str) -> tuple[float, int]:
    """Plain WeasyPrint, as kpcs.plenary.rendering calls it: seconds and pages."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    from kpcs.plenary.rendering.pdf import PRINT_CSS

    start = time.perf_counter()
    pdf = HTML(string=html, base_url=str(PRINT_CSS.parent)).write_pdf(
        font_config=FontConfiguration()
    )
    return time.perf_counter() - start, rendering.page_count(pdf)


class Recorder:
    """Stands in for apply_async: records the file ids the request queues."""

    def __init__(self) -> None:
        self.queued: list[int] = []

    def apply_async(self, args: Any = None, kwargs: Any = None, **options: Any) -> None:
        self.queued.append(args[0])


class WeasyPrintClock:
    """Adds up the time spent inside WeasyPrint (parsing the HTML and writing the PDF) while
    active: what is left of a pipeline round is the pipeline's own work (fingerprints, HTML,
    database, files)."""

    def __init__(self) -> None:
        from weasyprint import HTML

        self.html_class = HTML
        self.originals = {"__init__": HTML.__init__, "write_pdf": HTML.write_pdf}
        self.spent = 0.0
        self.active = True

    def _timed(self, original: Any) -> Any:
        clock = self

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                if clock.active:
                    clock.spent += time.perf_counter() - start

        return timed

    def __enter__(self) -> WeasyPrintClock:
        for name, original in self.originals.items():
            setattr(self.html_class, name, self._timed(original))
        return self

    def __exit__(self, *exc: Any) -> None:
        for name, original in self.originals.items():
            setattr(self.html_class, name, original)


def round_measured(document: Document, user: User, run: int) -> dict[str, Any]:
    """One round: the pipeline builds a new pack; each language's floor render runs right
    beside that language's task (order alternating by round), so that both meet the same
    machine. HTML strings for the floor are made before the clock starts."""
    htmls = {lang: rendering.render_html("document", str(document.pk), lang) for lang in LANGUAGES}
    recorder = Recorder()
    original = pack_file_build.apply_async
    pack_file_build.apply_async = recorder.apply_async  # type: ignore[method-assign]
    floor, pipeline, pages = 0.0, 0.0, []
    try:
        with WeasyPrintClock() as clock:
            start = time.perf_counter()
            pack = pack_request(subject="document", document=document, actor=user)
            pipeline += time.perf_counter() - start
            languages = dict(pack.files.values_list("pk", "language"))
            for file_id in recorder.queued:
                spent_before = clock.spent
                if run % 2:
                    start = time.perf_counter()
                    pack_file_build.apply(args=[file_id])  # what a worker runs
                    pipeline += time.perf_counter() - start
                clock.active = False
                took, count = floor_render(htmls[languages[file_id]])
                clock.active = True
                floor += took
                pages.append(count)
                if not run % 2:
                    start = time.perf_counter()
                    pack_file_build.apply(args=[file_id])
                    pipeline += time.perf_counter() - start
                assert clock.spent >= spent_before
    finally:
        pack_file_build.apply_async = original  # type: ignore[method-assign]
    files = list(pack.files.all())
    if len(files) != len(LANGUAGES) or any(f.status != "done" for f in files):
        raise SystemExit(f"the pack was not built: {[(f.language, f.error) for f in files]}")
    if sorted(f.pages for f in files) != sorted(pages):
        raise SystemExit("the pipeline's PDFs and the floor's differ in pages")
    page_of = {f.language: f.pages for f in files}
    return {
        "floor": floor,
        "pipeline": pipeline,
        "own": pipeline - clock.spent,
        "pages": [page_of[lang] for lang in LANGUAGES],
    }


def measure_pipeline(document: Document, user: User, paragraphs: int) -> None:
    floors, pipes, own = [], [], []
    pages: list[int] = []
    for language in LANGUAGES:  # warm up: the fonts of every script loaded once, untimed
        floor_render(rendering.render_html("document", str(document.pk), language))
    for run in range(1, RUNS + 1):
        set_content(document, paragraphs, run)
        profiler = cProfile.Profile()
        if PROFILE and run == RUNS:
            profiler.enable()
        measured = round_measured(document, user, run)
        if PROFILE and run == RUNS:
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        floors.append(measured["floor"])
        pipes.append(measured["pipeline"])
        own.append(measured["own"])
        pages = measured["pages"]
        print(
            f"  round {run}: WeasyPrint {measured['floor']:6.2f} s   pipeline "
            f"{measured['pipeline']:6.2f} s (its own work {measured['own']:5.2f} s)   "
            f"{measured['pipeline'] / measured['floor']:5.2f}x",
            flush=True,
        )
    floor, took = statistics.median(floors), statistics.median(pipes)
    overhead = statistics.median(own)
    ratio = statistics.median(p / f for p, f in zip(pipes, floors, strict=True))
    print(f"pages per language (en, fr, es, ru, zh-hans): {', '.join(map(str, pages))}")
    print(f"{'floor: plain WeasyPrint, 5 HTML strings':48s} {floor:8.2f} s   1.00x")
    verdict = "ok" if ratio <= GOAL_PIPELINE else "OVER GOAL"
    print(
        f"{'pipeline: pack_request + 5 tasks':48s} {took:8.2f} s {ratio:6.2f}x   "
        f"goal ≤ {GOAL_PIPELINE}x: {verdict}"
    )
    print(
        f"{'  of which outside WeasyPrint (own work)':48s} {overhead:8.2f} s "
        f"{overhead / floor:6.1%} of the floor"
    )


# --- (b) the request that starts a build ---------------------------------------------------------


def bare_view(request: Any) -> HttpResponse:  # the floor: a Django view that does nothing
    return HttpResponse("ok")


urlpatterns = [path("bench/bare/", bare_view), *project_urls.urlpatterns]


def timed_posts(client: Client, url: str, before: Any, repeat: int) -> list[float]:
    samples = []
    for index in range(repeat):
        before(index)
        start = time.perf_counter()
        response = client.post(url)
        samples.append(time.perf_counter() - start)
        if response.status_code not in (200, 302):
            raise SystemExit(f"{url} answered {response.status_code}")
    return samples


def measure_request(document: Document, user: User, paragraphs: int) -> None:
    recorder = Recorder()
    original = pack_file_build.apply_async
    if REAL_BROKER:

        def publish(args: Any = None, kwargs: Any = None, **options: Any) -> Any:
            return original(args=args, kwargs=kwargs, queue=BENCH_QUEUE, **options)

        pack_file_build.apply_async = publish  # type: ignore[method-assign]
        broker = settings.CELERY_BROKER_URL.split(":", 1)[0]
    else:
        pack_file_build.apply_async = recorder.apply_async  # type: ignore[method-assign]
        broker = "none (apply_async recorded)"
    packs_before = DocumentPack.objects.count()
    try:
        with override_settings(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["testserver"]):
            client = Client()
            client.force_login(user)
            build_url = reverse("plenary:pack-build", args=[document.pk])
            nothing = lambda index: None  # noqa: E731
            timed_posts(client, "/bench/bare/", nothing, 5)  # warm up
            floor = statistics.median(timed_posts(client, "/bench/bare/", nothing, REQUESTS))

            def edit(index: int) -> None:
                set_content(document, paragraphs, 1000 + index)

            timed_posts(client, build_url, edit, 2)  # warm up (templates, connections)
            samples = timed_posts(client, build_url, lambda i: edit(i + 10), REQUESTS)
            again = statistics.median(timed_posts(client, build_url, nothing, REQUESTS))
    finally:
        pack_file_build.apply_async = original  # type: ignore[method-assign]
        if REAL_BROKER:
            with pack_file_build.app.connection_for_write() as connection:
                connection.default_channel.queue_purge(BENCH_QUEUE)
    created = DocumentPack.objects.count() - packs_before
    took = statistics.median(samples)
    print(f"broker: {broker}; {created} packs created, median of {REQUESTS} requests")
    print(f"{'floor: bare Django view (POST)':48s} {floor * 1000:8.2f} ms   1.00x")
    verdict = "ok" if took * 1000 < GOAL_REQUEST_MS else "OVER GOAL"
    print(
        f"{'POST plenary:pack-build (new content)':48s} {took * 1000:8.2f} ms {took / floor:6.1f}x"
        f"   goal < {GOAL_REQUEST_MS:.0f} ms: {verdict}"
    )
    print(
        f"{'POST plenary:pack-build (same content again)':48s} {again * 1000:8.2f} ms "
        f"{again / floor:6.1f}x"
    )
    print(f"  slowest new-content request: {max(samples) * 1000:.2f} ms")


def main() -> None:
    started = time.perf_counter()
    with translation.override("en"):
        document, user, paragraphs, pages = set_up()
        print(
            f"document: {paragraphs} paragraphs, {pages} pages in English; languages "
            f"{', '.join(LANGUAGES)}; WeasyPrint {__import__('weasyprint').__version__}"
        )
        if not ONLY or "pipeline" in ONLY:
            print(f"(a) pipeline against plain WeasyPrint, median of {RUNS} rounds")
            measure_pipeline(document, user, paragraphs)
        if not ONLY or "request" in ONLY:
            print("(b) the web request that starts a build")
            measure_request(document, user, paragraphs)
    print(f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
