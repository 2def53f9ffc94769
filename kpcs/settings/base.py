"""Settings shared by every environment; the rest differ only in what they override."""

from __future__ import annotations

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
    "rest_framework.authtoken",
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
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="KPCS Secretariat <noreply@localhost>")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "kpcs.common.api.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "kpcs.common.api.exception_handler",
    # Public lookups that could be used to enumerate records (certificate verification) are
    # throttled per client address, with the counts in the cache (CACHES below).
    "DEFAULT_THROTTLE_RATES": {
        "certificate_verify": env.str("CERTIFICATE_VERIFY_RATE", default="30/minute"),
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
        "peer review and plenary documents. Machine clients authenticate with "
        "`Authorization: Token <token>` (see `manage.py create_api_token`)."
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
if redis_url():
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url(),
            "KEY_PREFIX": "kpcs-cache",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: Redis when REDIS_URL is set; otherwise kombu's filesystem transport, which needs no
# server and lets `make run` start a real worker process beside the web process.
_REDIS_URL = redis_url()
BROKER_DIR = Path(env.str("KPCS_BROKER_DIR", default=str(VAR_DIR / "broker")))
if _REDIS_URL:
    CELERY_BROKER_URL = _REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {"visibility_timeout": 3600}
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
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict = {
    # WGS anomaly analysis of this year and last year over the accepted figures.
    "statistics-anomaly-analysis-nightly": {
        "task": "kpcs.statistics.tasks.anomaly_analysis_nightly",
        "schedule": crontab(hour=2, minute=30),
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
# Certificates (docs/certificates.md): carats received may differ from the certificate's by
# this fraction (0.01 = 1 %) before the confirmation is flagged; an issued certificate with no
# import confirmation this many days after its expiry becomes "expired unconfirmed".
CERTIFICATE_CARATS_TOLERANCE = Decimal(env.str("CERTIFICATE_CARATS_TOLERANCE", default="0.01"))
CERTIFICATE_CONFIRMATION_GRACE_DAYS = env.int("CERTIFICATE_CONFIRMATION_GRACE_DAYS", default=30)

# How stale the worker's heartbeat may be before /healthz reports the worker as down.
KPCS_WORKER_HEARTBEAT_SECONDS = 10
KPCS_WORKER_STALE_AFTER_SECONDS = env.int("KPCS_WORKER_STALE_AFTER_SECONDS", default=60)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

SESSION_COOKIE_HTTPONLY = True
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
