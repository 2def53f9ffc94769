"""pytest: PostgreSQL like production, tasks run in-process, fast password hashing."""

from kpcs.settings.base import *

DEBUG = False
SECRET_KEY = "test-only-secret-key"  # noqa: S105 - never used outside the test run
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
WHITENOISE_USE_FINDERS = True
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
MEDIA_ROOT = VAR_DIR / "test-media"
# Files are served from the finders; there is no collected STATIC_ROOT outside production.
STATIC_ROOT = None
# Each test run (and each xdist worker) counts throttled requests in its own memory, even
# where REDIS_URL is set for Celery: tests clear it and must not see each other's counts.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
