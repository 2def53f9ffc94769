"""Which models the audit trail covers, and why the others are left out.

Every concrete model of the project's apps is in exactly one of the two lists below;
`kpcs/common/tests/test_audit_coverage.py` fails for a model in neither (a new model must be
placed here, with a reason if it is not audited) and proves, by loading the demo data through
the same code the application uses, that every row of an AUDITED model has its create entry.

AUDITED maps a model to how its rows are covered:
- `OWN`: each row has its own entries (create, update, delete).
- `IMPORT`: rows that arrive in bulk are covered by the entry of their upload
  (`upload` foreign key, a CertificateUpload with its own entries) or, for a batch without
  an upload (the import command, the API's batch endpoint), by one "batch" entry for the
  model recorded by the same actor in the same transaction (a million rows do not make a
  million entries); rows recorded one at a time, and every later change, have their own.
"""

from __future__ import annotations

OWN = "own entries"
IMPORT = "own entries, or the entry of the upload or batch that brought them"

# app_label.ModelName -> coverage
AUDITED: dict[str, str] = {
    "accounts.User": OWN,
    "accounts.ApiClient": OWN,
    "participants.Country": OWN,
    "participants.Participant": OWN,
    "participants.StatusEvent": OWN,
    "participants.Observer": OWN,
    "participants.Authority": OWN,
    "participants.AuthorityContact": OWN,
    "participants.WorkingBody": OWN,
    "participants.WorkingBodyMembership": OWN,
    "participants.Chairmanship": OWN,
    "statistics.Submission": OWN,
    "statistics.StockDeclaration": OWN,
    "statistics.ReportingDeadline": OWN,
    "statistics.DeadlineExtension": OWN,
    "statistics.Release": OWN,
    "statistics.AnomalyQuestion": OWN,
    "certificates.CertificateUpload": OWN,
    "certificates.Certificate": IMPORT,
    "certificates.ImportConfirmation": IMPORT,
    "certificates.VoidNotice": OWN,
    "certificates.Specimen": OWN,
    "certificates.SpecimenImage": OWN,
    "reviews.ReviewVisit": OWN,
    "reviews.ExpertNomination": OWN,
    "reviews.TeamMember": OWN,
    "reviews.Finding": OWN,
    "reviews.ReportVersion": OWN,
    "reviews.ReportComment": OWN,
    "reviews.Recommendation": OWN,
    "reviews.RecommendationUpdate": OWN,
    "reviews.EvidenceFile": OWN,
    "reviews.AnnualReport": OWN,
    "reviews.ComplianceCase": OWN,
    "reviews.ComplianceAction": OWN,
    "reviews.ActionMilestone": OWN,
    "reviews.ComplianceDecision": OWN,
    "plenary.Meeting": OWN,
    "plenary.AgendaItem": OWN,
    "plenary.Attendance": OWN,
    "plenary.Document": OWN,
    "plenary.DocumentTranslation": OWN,
}

# app_label.ModelName -> why the trail does not hold entries for its rows
NOT_AUDITED: dict[str, str] = {
    "common.AuditEntry": "the trail itself (insert-only, guarded by a database trigger)",
    "common.BackgroundJob": "progress of a queued task; what the task writes is audited",
    "common.WorkerHeartbeat": "a worker's last sign of life, operational only",
    "accounts.User_groups": "through table of Django groups, which the roles do not use",
    "accounts.User_user_permissions": "through table of Django permissions, unused by roles",
    "participants.Participant_member_countries": (
        "through table: the links are recorded in the participant's own entries "
        "(member_countries before and after)"
    ),
    "statistics.ProductionRecord": (
        "a submission's figures: every change of a value is in the submission's entry "
        "('figures: …' fields) and in its revisions"
    ),
    "statistics.TradeRecord": (
        "a submission's figures: every change of a value is in the submission's entry "
        "('figures: …' fields) and in its revisions"
    ),
    "statistics.SubmissionTradeTotal": "derived cache, rebuilt from the audited figures",
    "statistics.SubmissionPartnerTotal": "derived cache, rebuilt from the audited figures",
    "statistics.SubmissionTransition": (
        "append-only workflow log; each step is also an update entry of the submission"
    ),
    "statistics.SubmissionRevision": (
        "append-only snapshot of a submission's figures, written with the submission's entry"
    ),
    "statistics.ValidationFinding": (
        "computed by validation at each save (rebuilt); a participant's explanation is "
        "recorded as an update entry of the finding"
    ),
    "statistics.ReleaseProduction": (
        "frozen sums of accepted figures in a release, written once with the release's entry"
    ),
    "statistics.ReleaseTrade": (
        "frozen sums of accepted figures in a release, written once with the release's entry"
    ),
    "statistics.Anomaly": (
        "computed from accepted figures by each analysis run; the secretariat's decisions on "
        "it are recorded as update entries (questionnaire)"
    ),
    "certificates.CertificateLine": (
        "part of its certificate, written with it and never changed alone"
    ),
    "certificates.CertificateAlert": (
        "a notice the system raises from audited events (expiry, carats differing)"
    ),
    "reviews.RecommendationReminder": "log of reminders sent, so each is sent once",
    "reviews.AnnualReportReminder": "log of reminders sent, so each is sent once",
    "plenary.AgendaItem_documents": (
        "through table: the links are recorded in the agenda item's own entries"
    ),
    "plenary.SourceVersion": (
        "append-only history of a document's English text, written with the document's entry"
    ),
    "plenary.DocumentPack": "generated PDFs, rebuilt from the audited documents",
    "plenary.DocumentPackFile": "one generated PDF of a pack and its build progress",
}

APPS = ("common", "accounts", "participants", "statistics", "certificates", "reviews", "plenary")
