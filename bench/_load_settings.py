"""Production settings for the load test (bench/load_test.py), with two differences only:

- ROOT_URLCONF adds the bare view the load test measures as its floor (bench/_bare_urls.py);
- static files are served from the app folders (as in the test settings) instead of a
  collected, compressed manifest: collecting takes longer than the whole run on a small
  machine, and no static file is requested by the load test (pages only link to them).

Everything else (DEBUG off, SECRET_KEY and ALLOWED_HOSTS from the environment, the
middleware, the throttles with their rates from the environment) is production's.
"""

from kpcs.settings.production import *  # noqa: F403 - settings extend settings

ROOT_URLCONF = "bench._bare_urls"
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
