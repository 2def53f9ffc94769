"""Settings shared by every environment; the rest differ only in what they override."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from kpcs.env import BASE_DIR, VAR_DIR, database_config, env, redis_url

SECRET_KEY = env.str("SECRET_KEY", default="insecure-development-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # modeltranslation must come before the admin to add its language tabs.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our own static files (CSP: 'self')
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "django_htmx",
    "kpcs.common",
    "kpcs.accounts",
    "kpcs.participants",
    "kpcs.statistics",
    "kpcs.certificates",
    "kpcs.reviews",
    "kpcs.plenary",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A database that is down or a full disk under a view: 503/507 with a clean page or JSON.
    "kpcs.common.outages.OutageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A body declared larger than the address accepts: 413 before any of it is read
    # (kpcs.common.request_limits; REQUEST_BODY_MAX_MB below). Nothing above reads the body.
    "kpcs.common.request_limits.RequestSizeLimitMiddleware",
    # Last, as django-axes asks: it turns a locked-out log-in into its lock-out answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kpcs.urls"
WSGI_APPLICATION = "kpcs.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kpcs.common.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": database_config()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
# django-axes first: it refuses a locked-out log-in before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Log-in lock-out (django-axes; docs/security.md). A failure counts against the pair
# "username + client address" and against the username alone, never against the address
# alone: a whole office behind one NAT address must not be locked out by one person's typos.
# The pair is locked after AXES_FAILURE_LIMIT failures; the username from any address after
# KPCS_USERNAME_FAILURE_LIMIT (guessing spread over many addresses). Wrong two-factor codes
# count too. kpcs.accounts.lockout.KpcsAxesHandler applies the two limits.
AXES_HANDLER = "kpcs.accounts.lockout.KpcsAxesHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
KPCS_USERNAME_FAILURE_LIMIT = env.int("KPCS_USERNAME_FAILURE_LIMIT", default=20)
# Failures are forgotten, and a lock-out lifts by itself, this long after the last failure.
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
# Knocking on a locked door does not push the lift time back: the page can say when it ends.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# A full log-in (password and, where set up, the second factor) clears the user's failures.
AXES_RESET_ON_SUCCESS = True
# The client address, with the same trust in X-Forwarded-For as the API's throttles (DRF's
# NUM_PROXIES, 0 = the connecting address only): a client cannot choose its own address.
AXES_CLIENT_IP_CALLABLE = "kpcs.accounts.lockout.client_ip_address"
# The lock-out answer: our own page (status 429), saying how long and whom to ask.
AXES_LOCKOUT_CALLABLE = "kpcs.accounts.lockout.lockout_response"
# Failures and lock-outs are kept for the secretariat's page /<lang>/accounts/lockouts/.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_SENSITIVE_PARAMETERS = ["password", "secret", "code", "token"]

# Two-factor authentication (django-otp; kpcs.accounts.two_factor). The name authenticator
# apps show next to the account; how long step 1 of the log-in (password accepted, code
# not yet given) stays valid.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="KPCS Secretariat")
KPCS_TWO_FACTOR_PENDING_SECONDS = env.int("KPCS_TWO_FACTOR_PENDING_SECONDS", default=300)

# Languages: the six UN languages everywhere; English is the reference.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("ru", _("Russian")),
    ("zh-hans", _("Chinese")),
    ("ar", _("Arabic")),
]
LANGUAGES_BIDI = ["ar"]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
# Which languages plenary documents must be issued in (DESIGN.md §2): public sources
# disagree, so the secretariat decides here rather than in code.
KPCS_DOCUMENT_LANGUAGES = env.list(
    "KPCS_DOCUMENT_LANGUAGES", default=["en", "fr", "es", "ru", "zh-hans"]
)

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
STORAGES = {
    # Writes each upload under a temporary name and renames it when complete: a full disk
    # or a crash mid-write leaves no partial file under the name a row would point at.
    "default": {"BACKEND": "kpcs.common.storage.AtomicFileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="KPCS Secretariat <noreply@localhost>")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Machine clients: `Authorization: Token <key>` with a key of an ApiClient (one
        # participant, revocable); personal user tokens are gone (docs: API clients).
        "kpcs.accounts.authentication.ApiClientAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "kpcs.common.api.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # drf-spectacular's, plus the 429 answer on every throttled operation.
    "DEFAULT_SCHEMA_CLASS": "kpcs.accounts.schema.ThrottledAutoSchema",
    "EXCEPTION_HANDLER": "kpcs.common.api.exception_handler",
    # Public lookups that could be used to enumerate records (certificate verification) are
    # throttled per client address, with the counts in the cache (CACHES below).
    # Every other view: anonymous callers per address (`public`), machine clients per client
    # (`api_client`); people logged in through the site are not throttled. 429 with Retry-After.
    "DEFAULT_THROTTLE_CLASSES": [
        "kpcs.accounts.throttling.PublicRateThrottle",
        "kpcs.accounts.throttling.ApiClientRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "certificate_verify": env.str("CERTIFICATE_VERIFY_RATE", default="30/minute"),
        "public": env.str("PUBLIC_API_RATE", default="120/minute"),
        "api_client": env.str("API_CLIENT_RATE", default="1200/minute"),
    },
    # How many reverse proxies in front of the app append to X-Forwarded-For: 0 (the default)
    # takes the client address from the connection, so a client cannot dodge the throttle by
    # sending its own X-Forwarded-For; behind one TLS proxy set 1.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "KPCS Secretariat API",
    "DESCRIPTION": (
        "Kimberley Process Certification Scheme: reference data, statistics, certificates, "
        "peer review and plenary documents. Machine clients (a participant's customs or "
        "licensing system) send `Authorization: Token <key>` with the key of an API client: "
        "one participant's, revocable, shown once when created (page Account → API clients, "
        "or `manage.py create_api_token --participant BWA --name ...`). Anonymous callers are "
        "limited per address (certificate verification more strictly), API clients per "
        "client: beyond the limit the answer is 429 with a `Retry-After` header."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a `kind`; give each set of values its own schema name.
    "ENUM_NAME_OVERRIDES": {
        "ParticipantKindEnum": "kpcs.participants.models.Participant.Kind",
        "ObserverKindEnum": "kpcs.participants.models.Observer.Kind",
        "WorkingBodyKindEnum": "kpcs.participants.models.WorkingBody.Kind",
        "StatusEventEnum": "kpcs.participants.models.StatusEvent.Event",
        "AnomalyRuleEnum": "kpcs.statistics.models.Anomaly.Rule",
        "AnomalySeverityEnum": "kpcs.statistics.models.Anomaly.Severity",
        "AnomalyStatusEnum": "kpcs.statistics.models.Anomaly.Status",
        "SubmissionStatusEnum": "kpcs.statistics.models.Submission.Status",
        "CertificateStatusEnum": "kpcs.certificates.models.Certificate.Status",
        "CertificateVerificationStatusEnum": "kpcs.certificates.verification.STATUSES",
        "CertificateUploadKindEnum": "kpcs.certificates.models.CertificateUpload.Kind",
        "CertificateUploadStatusEnum": "kpcs.certificates.models.CertificateUpload.Status",
        "VoidNoticeReasonEnum": "kpcs.certificates.models.VoidNotice.Reason",
        # Peer review: several models share field names (kind, status, role).
        "RequirementAreaEnum": "kpcs.reviews.models.RequirementArea",
        "ReviewRecommendationStatusEnum": "kpcs.reviews.models.Recommendation.Status",
        "RecommendationUpdateKindEnum": "kpcs.reviews.models.RecommendationUpdate.Kind",
        "RecommendationAssessmentEnum": "kpcs.reviews.models.RecommendationUpdate.Assessment",
        "ReportVersionKindEnum": "kpcs.reviews.models.ReportVersion.Kind",
        "ReviewVisitKindEnum": "kpcs.reviews.models.ReviewVisit.Kind",
        "ReviewVisitStatusEnum": "kpcs.reviews.models.ReviewVisit.Status",
        "TeamMemberRoleEnum": "kpcs.reviews.models.TeamMember.Role",
        "TeamMemberRepresentsEnum": "kpcs.reviews.models.TeamMember.Represents",
        "FindingRatingEnum": "kpcs.reviews.models.Finding.Rating",
        # Plenary.
        "PlenaryTranslationStatusEnum": "kpcs.plenary.translation_apis.TRANSLATION_STATUS_CHOICES",
        "PlenaryLanguageStateEnum": "kpcs.plenary.selectors.translations.STATE_CHOICES",
        "PlenaryMeetingKindEnum": "kpcs.plenary.models.Meeting.Kind",
        "PlenaryDocumentKindEnum": "kpcs.plenary.models.Document.Kind",
        "PlenaryDocumentStatusEnum": "kpcs.plenary.models.Document.Status",
        "PlenaryDocumentDistributionEnum": "kpcs.plenary.models.Document.Distribution",
        "PlenaryRevisionKindEnum": "kpcs.plenary.models.Document.RevisionKind",
        "PlenaryCompendiumSectionEnum": "kpcs.plenary.models.Document.CompendiumSection",
        "PlenaryDocumentActionEnum": "kpcs.plenary.services.documents.ACTIONS",
        "DocumentPackSubjectEnum": "kpcs.plenary.models.DocumentPack.Subject",
        "DocumentPackFileStatusEnum": "kpcs.plenary.models.DocumentPackFile.Status",
    },
}

# The cache holds the API throttle counts: Redis when REDIS_URL is set, so that every web
# process counts the same requests; otherwise each process's memory (the embedded mode runs one).
# With Redis down the cache falls back to each process's memory for a while instead of failing
# the request (kpcs.common.cache, docs/operations.md): pages answer and throttles keep counting.
if redis_url():
    CACHES = {
        "default": {
            "BACKEND": "kpcs.common.cache.ResilientRedisCache",
            "LOCATION": redis_url(),
            "KEY_PREFIX": "kpcs-cache",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: Redis when REDIS_URL is set; otherwise kombu's filesystem transport, which needs no
# server and lets `make run` start a real worker process beside the web process.
_REDIS_URL = redis_url()
BROKER_DIR = Path(env.str("KPCS_BROKER_DIR", default=str(VAR_DIR / "broker")))
KPCS_REDIS_TRANSPORT_OPTIONS: dict = {
    # An unacknowledged message (its worker died) comes back after an hour; jobs do not
    # wait for that: their heartbeat stops and the dispatcher queues them again.
    "visibility_timeout": 3600,
    # A web request that queues a job must not hang on a Redis that does not answer: a hung
    # Redis costs a publish 2 s (a stopped one a few ms). Above kombu's 1 s BRPOP wait.
    "socket_connect_timeout": 1,
    "socket_timeout": 2,
    # How a producer (re)connects before publishing: once more, at once, then give up
    # (kombu's default sleeps 2 s and more between attempts, inside the request).
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
if _REDIS_URL:
    CELERY_BROKER_URL = _REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = dict(KPCS_REDIS_TRANSPORT_OPTIONS)
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
# Progress and results are kept on BackgroundJob rows in the database, not in a result backend.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Publishing from a web request: one quick retry, then the job waits in the outbox
# (kpcs.common.jobs) rather than the request hanging; measured < 1 s with Redis stopped.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
# The worker itself waits for the broker as long as it takes (the default gives up after 100
# attempts and exits); a task running when the connection drops finishes and is acknowledged
# on the new connection.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict = {
    # WGS anomaly analysis of this year and last year over the accepted figures.
    "statistics-anomaly-analysis-nightly": {
        "task": "kpcs.statistics.tasks.anomaly_analysis_nightly",
        "schedule": crontab(hour=2, minute=30),
    },
    # The outbox: jobs whose message could not be sent (broker down) and jobs whose worker
    # died are sent again. Expires so that a backlog of sweeps never piles up.
    "background-jobs-dispatch-pending": {
        "task": "kpcs.common.tasks.background_jobs_dispatch_pending",
        "schedule": 60.0,
        "options": {"expires": 50},
    },
    "prune-finished-background-jobs": {
        "task": "kpcs.common.tasks.background_jobs_prune",
        "schedule": crontab(hour=3, minute=15),
    },
    # Certificates issued without an import confirmation past their grace days: expired,
    # with an alert to both authorities and the secretariat.
    "certificates-expire-daily": {
        "task": "kpcs.certificates.tasks.certificates_expire_daily",
        "schedule": crontab(hour=1, minute=45),
    },
    # Peer review: recommendations falling due (and overdue) and annual reports due by 31 March.
    "review-recommendation-reminders-daily": {
        "task": "kpcs.reviews.tasks.recommendation_reminders_daily",
        "schedule": crontab(hour=6, minute=0),
    },
    "annual-report-reminders-daily": {
        "task": "kpcs.reviews.tasks.annual_report_reminders_daily",
        "schedule": crontab(hour=6, minute=15),
    },
}
# Peer review (docs/reviews.md): a recommendation is reminded this many days before it falls
# due (and once when overdue); annual reports are reminded this many days before 31 March
# (and once after it, while missing); evidence and report files may be this large.
REVIEW_RECOMMENDATION_REMINDER_DAYS = env.int("REVIEW_RECOMMENDATION_REMINDER_DAYS", default=30)
ANNUAL_REPORT_REMINDER_DAYS = env.list("ANNUAL_REPORT_REMINDER_DAYS", cast=int, default=[30, 7])
REVIEW_UPLOAD_MAX_MB = env.int("REVIEW_UPLOAD_MAX_MB", default=20)
# Request bodies (docs/security.md). Uploaded files above FILE_UPLOAD_MAX_MEMORY_SIZE go to a
# temporary file, never into memory; form fields without files may total
# DATA_UPLOAD_MAX_MEMORY_SIZE (the longest text a form takes, a plenary document's body of
# 500,000 characters, is 4.5 MB when every character takes 3 bytes, percent-encoded).
# RequestSizeLimitMiddleware answers 413, before reading anything, to a body declared larger
# than REQUEST_BODY_MAX_MB (a statistics file of 10 MB, evidence files of 20 MB each, several
# at a time), or than the limit of the first REQUEST_BODY_LARGE_PATHS pattern matching the
# path: the certificates upload takes files up to 400 MB (kpcs.certificates.services).
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # Django's default, said aloud
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
REQUEST_BODY_MAX_MB = env.int("REQUEST_BODY_MAX_MB", default=60)
REQUEST_BODY_LARGE_PATHS = [
    (r"^/[a-z-]+/certificates/upload/$", 401),
    (r"^/api/v1/certificates/uploads/$", 401),
]
# Certificates (docs/certificates.md): carats received may differ from the certificate's by
# this fraction (0.01 = 1 %) before the confirmation is flagged; an issued certificate with no
# import confirmation this many days after its expiry becomes "expired unconfirmed".
CERTIFICATE_CARATS_TOLERANCE = Decimal(env.str("CERTIFICATE_CARATS_TOLERANCE", default="0.01"))
CERTIFICATE_CONFIRMATION_GRACE_DAYS = env.int("CERTIFICATE_CONFIRMATION_GRACE_DAYS", default=30)

# How stale the worker's heartbeat may be before /healthz reports the worker as down.
KPCS_WORKER_HEARTBEAT_SECONDS = 10
KPCS_WORKER_STALE_AFTER_SECONDS = env.int("KPCS_WORKER_STALE_AFTER_SECONDS", default=60)
# A running job (or pack language) writes a heartbeat this often; one silent this long was
# abandoned by a worker that died and is queued again, at most KPCS_JOB_MAX_ATTEMPTS runs.
KPCS_JOB_HEARTBEAT_SECONDS = env.float("KPCS_JOB_HEARTBEAT_SECONDS", default=10.0)
KPCS_JOB_STALE_AFTER_SECONDS = env.float("KPCS_JOB_STALE_AFTER_SECONDS", default=90.0)
KPCS_JOB_MAX_ATTEMPTS = env.int("KPCS_JOB_MAX_ATTEMPTS", default=3)
# What else the outbox sweep recovers, one function per app (returns counts for the log).
KPCS_JOB_RECOVERY_HOOKS = ["kpcs.plenary.services.packs.packs_recover"]
# Tests and the fault drill only: "point=seconds,..." makes a task sleep at a named point
# (kpcs.common.jobs.fault_injection_pause) so that its worker can be killed there. Never set
# in production.
KPCS_TEST_TASK_DELAY = {
    point.strip(): float(seconds)
    for point, _eq, seconds in (
        item.partition("=") for item in env.list("KPCS_TEST_TASK_DELAY", default=[])
    )
    if point.strip() and seconds.strip()
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # django-axes says INFO on every start and every log-in; failures and lock-outs are
    # WARNING and still logged (and on the secretariat's lock-outs page).
    "loggers": {"axes": {"level": env.str("AXES_LOG_LEVEL", default="WARNING")}},
}

SESSION_COOKIE_HTTPONLY = True
# A log-in lasts a working day, not Django's two weeks: after SESSION_HOURS the password and
# the second factor are asked again (OWASP ASVS 3.3), and a session cookie left on a shared
# computer does not outlive the day.
SESSION_COOKIE_AGE = env.int("SESSION_HOURS", default=12) * 3600
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True  # htmx sends the token from the page (hx-headers)
X_FRAME_OPTIONS = "DENY"
# Content Security Policy: only the site's own scripts, styles, fonts and images; no inline
# script or style anywhere (kpcs.js carries the small behaviours), no framing, no plugins.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
ADMIN_URL = env.str("ADMIN_URL", default="admin/")
