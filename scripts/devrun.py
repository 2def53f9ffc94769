"""`make run`: the whole app on one machine with nothing installed but Python.

Starts PostgreSQL (embedded unless DATABASE_URL is set), migrates, loads the reference and
demo data (both idempotent), then runs the web server and a real Celery worker (with beat)
side by side until Ctrl-C, which stops all of them and the embedded database cleanly.
Without REDIS_URL the worker talks to the web process through kombu's filesystem transport
under var/broker, so no message server is needed either.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import embedded_db  # noqa: E402

PYTHON = sys.executable


def manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> int:
    # Ctrl-C and a plain `kill` both stop everything cleanly; set the handlers explicitly
    # because a process started in the background inherits an ignored SIGINT.
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
    args = parser.parse_args()

    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "kpcs.settings.local")
    started_db = False
    if not env.get("DATABASE_URL"):
        started_db = not embedded_db.is_running()
        env["DATABASE_URL"] = embedded_db.start()
        print(f"PostgreSQL (embedded, data in var/pgdata): {env['DATABASE_URL']}")
    else:
        print("PostgreSQL: DATABASE_URL from the environment")
    print(
        "Broker: "
        + (
            "REDIS_URL from the environment"
            if env.get("REDIS_URL")
            else "kombu filesystem transport in var/broker (no server needed)"
        )
    )

    processes: list[subprocess.Popen[bytes]] = []
    try:
        manage("migrate", "--no-input", env=env)
        manage("load_reference_data", env=env)
        manage("load_demo_data", env=env)
        # Start the worker in its own session so that we decide when it gets Ctrl-C.
        processes.append(
            subprocess.Popen(  # noqa: S603
                [
                    PYTHON,
                    "-m",
                    "celery",
                    "-A",
                    "kpcs",
                    "worker",
                    "--beat",
                    "--loglevel=INFO",
                    "--concurrency=2",
                    "--without-mingle",
                    "--without-gossip",
                    "--schedule",
                    str(ROOT / "var" / "celerybeat-schedule"),
                ],
                cwd=ROOT,
                env=env,
                start_new_session=True,
            )
        )
        processes.append(
            subprocess.Popen(  # noqa: S603
                [PYTHON, "manage.py", "runserver", "--noreload", f"127.0.0.1:{args.port}"],
                cwd=ROOT,
                env=env,
                start_new_session=True,
            )
        )
        time.sleep(2)
        print(
            f"\nKPCS Secretariat is running at http://127.0.0.1:{args.port}/\n"
            "Demo accounts (password: kpcs-demo-2026):\n"
            "  secretariat   secretariat (full access; asks for a two-factor code:\n"
            "                run `.venv/bin/python scripts/demo_totp.py` for the current one)\n"
            "  authority     bwa-authority (Botswana), zaf-authority (South Africa),\n"
            "                nam-authority (Namibia)\n"
            "  review team   zaf-lead (lead), reviewer, ind-reviewer, wdc-reviewer,\n"
            "                csc-reviewer (Botswana's second-round visit)\n"
            "  observer      wdc-observer (World Diamond Council)\n"
            "Press Ctrl-C to stop everything.\n",
            flush=True,
        )
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
        print("A process stopped; shutting down the others.")
        return 1
    except KeyboardInterrupt:
        print("\nStopping the web server, the worker and the database...")
        return 0
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        if started_db:
            embedded_db.stop()


if __name__ == "__main__":
    sys.exit(main())
