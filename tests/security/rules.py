"""The authorization rule table: one entry per named URL pattern of the project.

Each rule says how to fill the pattern's arguments (`fill`, for each object variant), and who
may do what, as one string per role in the order of ROLES, separated by "|":

    anonymous | authority | reviewer | observer | secretariat

each part one letter per variant (or one letter for all of them):
    A allow, D deny (403/404, API 401 too, or the log-in page), L log in (log-in page, API 401/403).

Variants: "-" (no object), "own"/"other" (the BWA side, which the authority acts for and
whose review visit the reviewer is on, and the ZAF side), "public"/"own"/"other" for plenary
material (public, or of a working body BWA / only ZAF sits on). See world.py.

`get` is the rule for GET; `write` for the unsafe methods (default: the same as `get`). The
matrix sends unsafe requests only in the cells that must be refused; allowed writes are not
sent (their side effects are the app tests' business).

**A new endpoint** fails `test_every_url_pattern_has_a_rule` until it has an entry here:
add `rule("namespace:name", fill, variants, get=..., write=...)` to RULES below (fillers in
kwargs.py, objects in world.py), saying who may use it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.security import kwargs as k
from tests.security.world import PDF, World

ROLES = ("anonymous", "authority", "reviewer", "observer", "secretariat")
ONE = ("-",)
OO = ("own", "other")
POO = ("public", "own", "other")

# The usual rules, by role (anonymous | authority | reviewer | observer | secretariat).
PUBLIC = "A|A|A|A|A"
LOGGED_IN = "L|A|A|A|A"
SECRETARIAT = "L|D|D|D|A"
AUTHORITY = "L|A|D|D|D"  # an authority's own work pages (its participant is implied)
AUTHORITY_OR_SECRETARIAT = "L|A|D|D|A"
OWN = "L|AD|D|D|A"  # the authority's own participant's object; the secretariat sees all
OWN_AUTHORITY = "L|AD|D|D|D"  # only the participant's own authority writes it
# Review visits (not published): the reviewed participant's authority and the visit's team.
VISIT = "D|AD|AD|D|A"
VISIT_TEAM = "D|D|AD|D|D"  # the team's work (findings, the draft report)
VISIT_TEAM_OR_SECRETARIAT = "D|D|AD|D|A"
VISIT_REVIEWED = "D|AD|D|D|D"  # the reviewed participant's part (comments, responses)
VISIT_SECRETARIAT = "D|D|D|D|A"
# Plenary material by variant public/own/other: published public, or restricted to a body.
PLENARY_READ = "ADD|AAD|ADD|ADD|A"

Body = Callable[[World, str], dict[str, Any]]


@dataclass(frozen=True)
class Rule:
    name: str
    fill: Callable[[World, str], dict[str, Any]] | None
    variants: tuple[str, ...]
    get: str | None
    write: str | None
    methods: tuple[str, ...] | None  # None: the view's own handlers (class-based views)
    body: Body | None  # a minimal valid body, where an empty one is refused before the caller
    get_writes: bool  # a GET that may write for an allowed caller (say why in a comment)
    unavailable_ok: bool  # 503 is an answer, not a fault (the health check)
    # Lists: a text of the other side's object that an allowed caller other than the
    # secretariat must not find in the answer (the list is scoped, not only the details).
    hides: Callable[[World], str] | None = None

    def expected(self, role: str, variant: str, *, unsafe: bool) -> str:
        spec = (self.write or self.get) if unsafe else self.get
        assert spec is not None, f"{self.name}: no rule for {'writes' if unsafe else 'GET'}"
        part = spec.split("|")[ROLES.index(role)]
        if len(part) == 1:
            return part
        return part[self.variants.index(variant)]


def rule(
    name: str,
    fill: Callable[[World, str], dict[str, Any]] | None = None,
    variants: tuple[str, ...] = ONE,
    *,
    get: str | None = None,
    write: str | None = None,
    methods: tuple[str, ...] | None = None,
    body: Body | None = None,
    get_writes: bool = False,
    unavailable_ok: bool = False,
    hides: Callable[[World], str] | None = None,
) -> Rule:
    for spec in (get, write):
        if spec is None:
            continue
        parts = spec.split("|")
        assert len(parts) == len(ROLES), f"{name}: {spec!r} needs one part per role"
        assert all(len(p) in (1, len(variants)) for p in parts), f"{name}: {spec!r} vs variants"
    return Rule(name, fill, variants, get, write, methods, body, get_writes, unavailable_ok, hides)


def _pdf(world: World, variant: str) -> dict[str, Any]:
    return {"document": SimpleUploadedFile("report.pdf", PDF, content_type="application/pdf")}


def _other_certificate(world: World) -> str:
    return str(world.other.certificate.number)


def _other_upload(world: World) -> str:
    return str(world.other.upload.original_name)


def _other_alert(world: World) -> str:
    return str(world.other.alert.certificate.number)


def _other_question(world: World) -> str:
    from django.urls import reverse

    return f'href="{reverse("questionnaire:question", args=[world.other.question.pk])}"'


def _other_code_in_json(world: World) -> str:
    return f'"{world.other.participant.code}"'


def _other_case(world: World) -> str:
    return str(world.other.case.title)


def _other_meeting(world: World) -> str:
    return str(world.other.meeting.code)


def _other_document(world: World) -> str:
    return str(getattr(world.other.document, "title_en"))  # noqa: B009 - modeltranslation


def _other_api_client(world: World) -> str:
    return str(world.other.api_client.name)


RULES: list[Rule] = [
    # --- Project-wide -----------------------------------------------------------------------
    # 503 while no Celery worker answers (as in the tests): the answer of a health check.
    rule("healthz", get=PUBLIC, methods=("get",), unavailable_ok=True),
    rule("root", get=PUBLIC, methods=("get",)),
    rule("home", get=PUBLIC, methods=("get",)),
    rule("set_language", get=PUBLIC, methods=("get",)),
    rule("javascript-catalog", get=PUBLIC),
    rule("api-schema", get=PUBLIC),
    rule("api-docs", get=PUBLIC),
    # --- Accounts ---------------------------------------------------------------------------
    rule("accounts:login", get=PUBLIC),
    rule("accounts:logout", get=LOGGED_IN, write=PUBLIC),
    # The second log-in steps need a first step in the session: without one, back to log-in.
    rule("accounts:login_verify", get="L|L|L|L|L"),
    rule("accounts:login_enrol", get="L|L|L|L|L"),
    rule("accounts:password_change", get=LOGGED_IN),
    rule("accounts:password_change_done", get=LOGGED_IN),
    rule("accounts:password_reset", get=PUBLIC),
    rule("accounts:password_reset_done", get=PUBLIC),
    rule("accounts:password_reset_confirm", k.password_reset, get=PUBLIC),
    rule("accounts:password_reset_complete", get=PUBLIC),
    rule("accounts:security", get=LOGGED_IN),
    # Opening the page makes an unconfirmed authenticator device for the user to scan.
    rule("accounts:two_factor_enable", get=LOGGED_IN, get_writes=True),
    # The secretariat must keep its second factor.
    rule("accounts:two_factor_disable", get="L|A|A|A|D"),
    rule("accounts:backup_codes", get=LOGGED_IN),
    rule("accounts:backup_codes_regenerate", get=LOGGED_IN),
    rule("accounts:lockouts", get=SECRETARIAT),
    rule("api_clients:list", get=AUTHORITY_OR_SECRETARIAT, hides=_other_api_client),
    rule("api_clients:create", get=AUTHORITY_OR_SECRETARIAT),
    rule("api_clients:detail", k.api_client, OO, get=OWN),
    # --- Participants (public reference data; the secretariat's pages) ------------------------
    rule("participants:list", get=PUBLIC, methods=("get",)),
    rule("participants:detail", k.code, OO, get=PUBLIC, methods=("get",)),
    rule("api:participant-list", get=PUBLIC),
    rule("api:participant-detail", k.code, OO, get=PUBLIC),
    rule("api:participant-standing", k.code, OO, get=PUBLIC),
    rule("api:observer-list", get=PUBLIC),
    rule("api:working-body-list", get=PUBLIC),
    rule("api:chairmanship-list", get=PUBLIC),
    rule("secretariat:participants", get=SECRETARIAT),
    rule("secretariat:participant", k.code, OO, get=SECRETARIAT),
    rule("secretariat:participant-edit", k.code, OO, get=SECRETARIAT),
    rule("secretariat:status-event-create", k.code, OO, get=SECRETARIAT),
    rule("secretariat:status-event-edit", k.status_event, OO, get=SECRETARIAT),
    rule("secretariat:status-event-delete", k.status_event, OO, get=SECRETARIAT),
    rule("secretariat:authority-create", k.code, OO, get=SECRETARIAT),
    rule("secretariat:authority-edit", k.authority_office, OO, get=SECRETARIAT),
    rule("secretariat:contact-create", k.authority_contacts, OO, get=SECRETARIAT),
    rule("secretariat:contact-edit", k.contact, OO, get=SECRETARIAT),
    rule("secretariat:contact-delete", k.contact, OO, get=SECRETARIAT),
    rule("secretariat:observers", get=SECRETARIAT),
    rule("secretariat:observer-create", get=SECRETARIAT),
    rule("secretariat:observer-edit", k.observer_code, get=SECRETARIAT),
    rule("secretariat:working-bodies", get=SECRETARIAT),
    rule("secretariat:working-body-edit", k.working_body, OO, get=SECRETARIAT),
    rule("secretariat:membership-create", k.working_body, OO, get=SECRETARIAT),
    rule("secretariat:membership-delete", k.membership, OO, get=SECRETARIAT),
    rule("secretariat:chairmanships", get=SECRETARIAT),
    rule("secretariat:chairmanship-create", get=SECRETARIAT),
    rule("secretariat:chairmanship-edit", k.chairmanship, get=SECRETARIAT),
    rule("secretariat:reference-data", get=SECRETARIAT),
    rule("secretariat:reference-data-reload", get=SECRETARIAT),
    rule("secretariat:audit-log", get=SECRETARIAT),
    rule("secretariat:audit-log-export", get=SECRETARIAT),
    # --- Background jobs: the one who started it, and the secretariat --------------------------
    rule("common:job-status", k.job_page, OO, get=OWN, methods=("get",)),
    rule("api:job-detail", k.job_api, OO, get=OWN),
    # --- Statistics -------------------------------------------------------------------------
    rule("statistics:summary", get=PUBLIC, methods=("get",)),
    rule("statistics:releases", get=PUBLIC, methods=("get",)),
    rule("statistics:not-reported", get=PUBLIC, methods=("get",)),
    rule("statistics:participant", k.code, OO, get=PUBLIC, methods=("get",)),
    rule("api:public-statistics-production", get=PUBLIC),
    rule("api:public-statistics-trade", get=PUBLIC),
    rule("api:public-statistics-releases", get=PUBLIC),
    rule("api:public-statistics-participant", k.code, OO, get=PUBLIC),
    # Data entry is the authority's; the secretariat reviews on its own pages.
    rule("submissions:overview", get=AUTHORITY),
    rule("submissions:grid", k.grid, get=AUTHORITY),
    rule("submissions:submission", k.submission, OO, get=OWN_AUTHORITY),
    rule("submissions:submit", k.submission, OO, get=OWN_AUTHORITY),
    rule("submissions:explain", k.submission_finding, OO, get=OWN_AUTHORITY),
    rule("submissions:upload", get=AUTHORITY),
    rule("submissions:upload-confirm", get=AUTHORITY),
    rule("submissions:upload-discard", get=AUTHORITY),
    rule("submissions:stock", get=AUTHORITY),
    rule("questionnaire:list", get=AUTHORITY_OR_SECRETARIAT, hides=_other_question),
    rule("questionnaire:question", k.question_pk, OO, get=OWN, write=OWN_AUTHORITY),
    rule(
        "api:statistics-submission-list",
        get=AUTHORITY_OR_SECRETARIAT,
        write=AUTHORITY,
        hides=_other_code_in_json,
    ),
    rule("api:statistics-submission-detail", k.submission, OO, get=OWN),
    rule("api:statistics-submission-submit", k.submission, OO, get=OWN_AUTHORITY),
    rule(
        "api:statistics-submission-finding-explain",
        k.submission_finding,
        OO,
        get=OWN_AUTHORITY,
    ),
    rule("api:statistics-stock-list", get=AUTHORITY_OR_SECRETARIAT, hides=_other_code_in_json),
    rule("api:statistics-stock-declare", k.stock_year, get=AUTHORITY),
    rule("api:statistics-anomaly-list", get=SECRETARIAT),
    rule("statistics_secretariat:dashboard", get=SECRETARIAT),
    rule("statistics_secretariat:submission", k.submission_pk, OO, get=SECRETARIAT),
    rule("statistics_secretariat:submission-query", k.submission_pk, OO, get=SECRETARIAT),
    rule("statistics_secretariat:submission-accept", k.submission_pk, OO, get=SECRETARIAT),
    rule("statistics_secretariat:submission-reopen", k.submission_pk, OO, get=SECRETARIAT),
    rule("statistics_secretariat:deadlines", get=SECRETARIAT),
    rule("statistics_secretariat:deadline-set", get=SECRETARIAT),
    rule("statistics_secretariat:extension-grant", get=SECRETARIAT),
    rule("statistics_secretariat:publication", get=SECRETARIAT),
    rule("statistics_secretariat:release-publish", get=SECRETARIAT),
    rule("statistics_secretariat:anomalies", get=SECRETARIAT),
    rule("statistics_secretariat:anomaly-analyse", get=SECRETARIAT),
    rule("statistics_secretariat:question-ask", k.open_anomaly_pk, OO, get=SECRETARIAT),
    rule("statistics_secretariat:stock", get=SECRETARIAT),
    rule("statistics_secretariat:questions", get=SECRETARIAT),
    rule("statistics_secretariat:question", k.question_pk, OO, get=SECRETARIAT),
    rule("statistics_secretariat:question-close", k.question_pk, OO, get=SECRETARIAT),
    rule("statistics_secretariat:question-escalate", k.question_pk, OO, get=SECRETARIAT),
    # --- Certificates: an authority its participant's (issued or received); void notices and
    # specimens every authority; reviewers and observers none of the registry ----------------
    rule("certificates_public:verify", get=PUBLIC),
    rule("api:public-certificate-verify", get=PUBLIC),
    rule("certificates:list", get=AUTHORITY_OR_SECRETARIAT, hides=_other_certificate),
    rule("certificates:record", get=AUTHORITY_OR_SECRETARIAT),
    rule("certificates:upload", get=AUTHORITY_OR_SECRETARIAT),
    rule("certificates:uploads", get=AUTHORITY_OR_SECRETARIAT, hides=_other_upload),
    rule("certificates:upload-detail", k.upload, OO, get=OWN),
    rule("certificates:upload-report", k.upload, OO, get=OWN),
    rule("certificates:void-notices", get=AUTHORITY_OR_SECRETARIAT),
    rule("certificates:specimens", get=AUTHORITY_OR_SECRETARIAT),
    rule("certificates:specimen-register", get=AUTHORITY_OR_SECRETARIAT),
    rule("certificates:specimen-image", k.specimen_image, OO, get=AUTHORITY_OR_SECRETARIAT),
    rule("certificates:alerts", get=AUTHORITY_OR_SECRETARIAT, hides=_other_alert),
    rule("certificates:alert-dismiss", k.alert, OO, get=OWN),
    rule("certificates:confirm", k.certificate_page, OO, get=OWN),
    rule("certificates:void", k.certificate_page, OO, get=OWN),
    rule("certificates:detail", k.certificate_page, OO, get=OWN),
    rule("api:certificate-list", get=AUTHORITY_OR_SECRETARIAT, hides=_other_certificate),
    rule("api:certificate-upload-list", get=AUTHORITY_OR_SECRETARIAT),
    rule("api:certificate-upload-detail", k.upload, OO, get=OWN),
    rule("api:certificate-void-notice-list", get=AUTHORITY_OR_SECRETARIAT),
    rule("api:certificate-specimen-list", get=AUTHORITY_OR_SECRETARIAT),
    rule("api:certificate-specimen-image", k.specimen_image, OO, get=AUTHORITY_OR_SECRETARIAT),
    rule("api:certificate-confirmation", k.certificate_api, OO, get=OWN),
    rule("api:certificate-void", k.certificate_api, OO, get=OWN),
    rule("api:certificate-detail", k.certificate_api, OO, get=OWN),
    rule("certificates_secretariat:reconciliation", get=SECRETARIAT),
    rule("certificates_secretariat:reconciliation-csv", get=SECRETARIAT),
    # --- Review visits ----------------------------------------------------------------------
    rule("reviews:list", get=PUBLIC),
    rule("api:review-visit-list", get=PUBLIC, write=SECRETARIAT, hides=_other_code_in_json),
    rule("reviews:create", get=SECRETARIAT),
    # Experts' roster: authorities and observers nominate people acting for them.
    rule("reviews:roster", get=LOGGED_IN, write="L|A|D|A|A"),
    rule("reviews:roster-withdraw", k.nomination, OO, get=OWN),
    rule("reviews:detail", k.visit, OO, get=VISIT),
    rule("reviews:edit", k.visit, OO, get=VISIT_SECRETARIAT),
    rule("reviews:team", k.visit, OO, get=VISIT_SECRETARIAT),
    rule("reviews:team-remove", k.visit_member, OO, get=VISIT_SECRETARIAT),
    rule("reviews:transition", k.visit, OO, get=VISIT_SECRETARIAT),
    rule("api:review-visit-detail", k.visit, OO, get=VISIT, write=VISIT_SECRETARIAT),
    rule("api:review-visit-team", k.visit, OO, get=VISIT, write=VISIT_SECRETARIAT),
    rule("api:review-visit-team-member", k.visit_member, OO, get=VISIT_SECRETARIAT),
    rule("api:review-visit-transition", k.visit, OO, get=VISIT_SECRETARIAT),
    # Working papers: the team files findings and writes the report; the reviewed participant
    # comments on the draft; both (and the secretariat) read.
    rule("reviews:findings", k.visit, OO, get=VISIT),
    rule("reviews:finding-create", k.visit, OO, get=VISIT_TEAM),
    rule("reviews:finding-edit", k.visit_finding, OO, get=VISIT_TEAM),
    rule("reviews:evidence", k.visit_evidence_page, OO, get=VISIT),
    rule("reviews:report", k.visit, OO, get=VISIT),
    rule("reviews:report-draft", k.visit, OO, get=VISIT_TEAM),
    rule("reviews:report-comments-send", k.visit, OO, get=VISIT_REVIEWED),
    rule("reviews:report-version", k.visit_report, OO, get=VISIT),
    rule("reviews:report-comment", k.visit_report, OO, get=VISIT_REVIEWED),
    rule("api:review-visit-finding-list", k.visit, OO, get=VISIT, write=VISIT_TEAM),
    rule("api:review-visit-finding-detail", k.visit_finding, OO, get=VISIT, write=VISIT_TEAM),
    rule("api:review-visit-finding-evidence", k.visit_evidence_api, OO, get=VISIT),
    rule(
        "api:review-visit-report-list",
        k.visit,
        OO,
        get=VISIT,
        write=VISIT_TEAM,
    ),
    rule("api:review-visit-report-comments-sent", k.visit, OO, get=VISIT_REVIEWED),
    rule("api:review-visit-report-detail", k.visit_report, OO, get=VISIT),
    rule(
        "api:review-visit-report-comment-list",
        k.visit_report,
        OO,
        get=VISIT,
        write=VISIT_REVIEWED,
    ),
    # Recommendations: the team (and the secretariat) write them, the reviewed participant
    # responds, the secretariat assesses.
    rule("recommendations:list", k.visit, OO, get=VISIT),
    rule("recommendations:create", k.visit, OO, get=VISIT_TEAM_OR_SECRETARIAT),
    rule("recommendations:detail", k.visit_recommendation, OO, get=VISIT),
    rule("recommendations:edit", k.visit_recommendation, OO, get=VISIT_TEAM_OR_SECRETARIAT),
    rule("recommendations:respond", k.visit_recommendation, OO, get=VISIT_REVIEWED),
    rule("recommendations:assess", k.visit_recommendation, OO, get=VISIT_SECRETARIAT),
    rule(
        "api:review-recommendation-list",
        k.visit,
        OO,
        get=VISIT,
        write=VISIT_TEAM_OR_SECRETARIAT,
    ),
    rule(
        "api:review-recommendation-detail",
        k.visit_recommendation,
        OO,
        get=VISIT,
        write=VISIT_TEAM_OR_SECRETARIAT,
    ),
    rule("api:review-recommendation-responses", k.visit_recommendation, OO, get=VISIT_REVIEWED),
    rule(
        "api:review-recommendation-assessments",
        k.visit_recommendation,
        OO,
        get=VISIT_SECRETARIAT,
    ),
    rule("review_dashboard:dashboard", get=SECRETARIAT),
    rule("review_dashboard:recommendations", get=SECRETARIAT),
    rule("review_dashboard:recommendations-csv", get=SECRETARIAT),
    # --- Annual reports: the authority its own (writes while a draft), the secretariat reads
    # all and assesses, never writes; nobody else anything -----------------------------------
    rule("annual_reports:list", get=AUTHORITY_OR_SECRETARIAT),
    rule("annual_reports:export", get=SECRETARIAT),
    rule("annual_reports:compare", k.code, OO, get=OWN),
    rule("annual_reports:detail", k.annual_report_page, OO, get=OWN),
    rule("annual_reports:edit", k.annual_report_page, OO, get=OWN_AUTHORITY),
    rule("annual_reports:document", k.annual_report_page, OO, get=OWN),
    rule("annual_reports:assess", k.annual_report_page, OO, get=SECRETARIAT),
    rule("annual_reports:return", k.annual_report_page, OO, get=SECRETARIAT),
    rule(
        "api:annual-report-list",
        get=AUTHORITY_OR_SECRETARIAT,
        write=AUTHORITY,
    ),
    rule("api:annual-report-missing", get=SECRETARIAT),
    rule("api:annual-report-detail", k.annual_report_api, OO, get=OWN, write=OWN_AUTHORITY),
    rule("api:annual-report-submit", k.annual_report_api, OO, get=OWN_AUTHORITY),
    rule("api:annual-report-assessment", k.annual_report_api, OO, get=SECRETARIAT),
    rule("api:annual-report-return", k.annual_report_api, OO, get=SECRETARIAT),
    rule(
        "api:annual-report-document",
        k.annual_report_api,
        OO,
        get=OWN,
        write=OWN_AUTHORITY,
        body=_pdf,
    ),
    # --- Compliance: the secretariat; the participant's authority reads its own -------------
    rule("compliance:cases", get=SECRETARIAT),
    rule("compliance:case-create", get=SECRETARIAT),
    rule("compliance:case", k.case, OO, get=OWN),
    rule("compliance:case-edit", k.case, OO, get=SECRETARIAT),
    rule("compliance:case-close", k.case, OO, get=SECRETARIAT),
    rule("compliance:case-reopen", k.case, OO, get=SECRETARIAT),
    rule("compliance:action-create", k.case, OO, get=SECRETARIAT),
    rule("compliance:action-status", k.case_action, OO, get=SECRETARIAT),
    rule("compliance:milestone-create", k.case_action, OO, get=SECRETARIAT),
    rule("compliance:milestone-complete", k.case_milestone, OO, get=SECRETARIAT),
    rule("compliance:decision-create", k.case, OO, get=SECRETARIAT),
    rule("compliance:participant", k.code, OO, get=OWN),
    rule(
        "api:compliance-case-list",
        get=AUTHORITY_OR_SECRETARIAT,
        write=SECRETARIAT,
        hides=_other_case,
    ),
    rule("api:compliance-case-participant", k.code, OO, get=OWN),
    rule("api:compliance-case-detail", k.case, OO, get=OWN, write=SECRETARIAT),
    rule("api:compliance-case-actions", k.case, OO, get=OWN, write=SECRETARIAT),
    rule("api:compliance-case-action-detail", k.case_action, OO, get=OWN, write=SECRETARIAT),
    rule("api:compliance-case-milestones", k.case_action, OO, get=OWN, write=SECRETARIAT),
    rule("api:compliance-case-milestone-detail", k.milestone, OO, get=OWN, write=SECRETARIAT),
    rule("api:compliance-case-decisions", k.case, OO, get=OWN, write=SECRETARIAT),
    # --- Plenary: public meetings, documents and compendium; the secretariat's work ---------
    rule("meetings:list", get=PUBLIC, methods=("get",), hides=_other_meeting),
    rule("meetings:detail", k.meeting, POO, get=PLENARY_READ, methods=("get",)),
    rule("documents:list", get=PUBLIC, methods=("get",), hides=_other_document),
    rule("documents:detail", k.document_symbol, POO, get=PLENARY_READ, methods=("get",)),
    rule("documents:pdf", k.document_pdf, POO, get=PLENARY_READ, methods=("get",)),
    rule("api:public-documents-list", get=PUBLIC, hides=_other_document),
    rule("api:public-documents-detail", k.document_symbol, POO, get=PLENARY_READ),
    rule("compendium:index", get=PUBLIC),
    rule("compendium:search", get=PUBLIC),
    rule("compendium:section", k.compendium_section, get=PUBLIC),
    rule("api:public-compendium-list", get=PUBLIC),
    rule("compendium:manage", get=SECRETARIAT),
    rule("compendium:manage-section", k.compendium_document, get=SECRETARIAT),
    rule("compendium:manage-supersede", k.compendium_document, get=SECRETARIAT),
    rule("compendium:manage-clear", k.compendium_document, get=SECRETARIAT),
    rule("api:plenary-compendium-list", get=SECRETARIAT),
    rule("api:plenary-compendium-section", k.compendium_document, get=SECRETARIAT),
    rule("api:plenary-compendium-supersession", k.compendium_document, get=SECRETARIAT),
    rule("plenary:meetings", get=SECRETARIAT),
    rule("plenary:meeting-create", get=SECRETARIAT),
    rule("plenary:meeting", k.meeting, POO, get=SECRETARIAT),
    rule("plenary:meeting-edit", k.meeting, POO, get=SECRETARIAT),
    rule("plenary:meeting-agenda-add", k.meeting, POO, get=SECRETARIAT),
    rule("plenary:meeting-agenda-item", k.agenda_item, OO, get=SECRETARIAT),
    rule("plenary:meeting-agenda-remove", k.agenda_item, OO, get=SECRETARIAT),
    rule("plenary:meeting-attendance-add", k.meeting, POO, get=SECRETARIAT),
    rule("plenary:meeting-attendance-remove", k.attendance, OO, get=SECRETARIAT),
    rule("plenary:meeting-languages", k.meeting, POO, get=SECRETARIAT),
    rule("plenary:documents", get=SECRETARIAT),
    rule("plenary:document-create", get=SECRETARIAT),
    rule("plenary:document", k.document_pk, POO, get=SECRETARIAT),
    rule("plenary:document-edit", k.document_pk, POO, get=SECRETARIAT),
    rule("plenary:document-status", k.document_pk, POO, get=SECRETARIAT),
    rule("plenary:document-revise", k.document_pk, POO, get=SECRETARIAT),
    rule("plenary:document-languages", k.document_pk, POO, get=SECRETARIAT),
    rule("plenary:translation", k.document_language, POO, get=SECRETARIAT),
    rule("api:plenary-meeting-list", get=SECRETARIAT),
    rule("api:plenary-meeting-detail", k.meeting, POO, get=SECRETARIAT),
    rule("api:plenary-meeting-agenda", k.meeting, POO, get=SECRETARIAT),
    rule("api:plenary-meeting-agenda-item", k.agenda_item, OO, get=SECRETARIAT),
    rule("api:plenary-meeting-attendance", k.meeting, POO, get=SECRETARIAT),
    rule("api:plenary-meeting-attendance-item", k.attendance, OO, get=SECRETARIAT),
    rule("api:plenary-document-list", get=SECRETARIAT),
    rule("api:plenary-document-detail", k.document_pk, POO, get=SECRETARIAT),
    rule("api:plenary-document-status", k.document_pk, POO, get=SECRETARIAT),
    rule("api:plenary-document-revise", k.document_pk, POO, get=SECRETARIAT),
    rule("api:plenary-translation-document", k.document_pk, POO, get=SECRETARIAT),
    rule("api:plenary-translation-detail", k.document_language, POO, get=SECRETARIAT),
    rule("api:plenary-translation-meeting", k.meeting, POO, get=SECRETARIAT),
    # Packs: the secretariat's; a review report's files also go to whoever may see the visit
    # (variant public = a document's pack, own/other = each side's review report pack).
    rule("plenary:packs", get=SECRETARIAT),
    rule("plenary:pack", k.pack, POO, get=SECRETARIAT),
    rule("plenary:pack-retry", k.pack, POO, get=SECRETARIAT),
    rule("plenary:pack-zip", k.pack, POO, get="D|DAD|DAD|D|A"),
    rule("plenary:pack-file", k.pack_file, POO, get="D|DAD|DAD|D|A"),
    rule("plenary:pack-build", k.document_pk, POO, get=SECRETARIAT),
    rule("plenary:meeting-pack-build", k.meeting, POO, get=SECRETARIAT),
    rule("plenary:report-pack-build", get=SECRETARIAT),
    rule("api:plenary-pack-list", get=SECRETARIAT),
    rule("api:plenary-pack-detail", k.pack, POO, get=SECRETARIAT),
    rule("api:plenary-pack-retry", k.pack, POO, get=SECRETARIAT),
    rule("api:plenary-pack-file", k.pack_file, POO, get="D|DAD|DAD|D|A"),
]

# The Django admin, one rule for its whole namespace (see test_authorization_matrix.py):
# everyone but the (second-factor verified) secretariat is sent to a log-in page: the admin's
# own log-in page sends everyone to the site's (accounts.admin). Logging out is open.
ADMIN_NAMESPACE = "admin"
ADMIN_OPEN = ("admin:logout",)

RULES_BY_NAME: dict[str, Rule] = {r.name: r for r in RULES}
assert len(RULES_BY_NAME) == len(RULES), "a URL name has two rules"
