"""Django's deployment checklist passes with the production settings: `check --deploy` gives
no warning (secure cookies, HSTS with preload, SSL redirect, a long secret key, no DEBUG)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_check_deploy_with_production_settings_gives_no_warning() -> None:
    # The test run's own conveniences (conftest.py lets Playwright use the ORM) are not
    # production's.
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "kpcs.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "kpcs.example.org",
        # The checks read no data: any address will do, nothing connects to it.
        "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://kpcs@127.0.0.1:5432/kpcs"),
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout
