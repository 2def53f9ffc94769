"""`make run`: a developer's machine, embedded database, mail printed to the console."""

from kpcs.settings.base import *

DEBUG = env.bool("DEBUG", default=True)
# Without collectstatic in development, serve files straight from static/ and the apps.
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
WHITENOISE_USE_FINDERS = True
# Files are served from the finders; there is no collected STATIC_ROOT outside production.
STATIC_ROOT = None
