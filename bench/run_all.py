"""Run every benchmark in this folder, one after the other (`make bench`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

if __name__ == "__main__":
    failed = 0
    for script in sorted(HERE.glob("*.py")):
        # load_test.py runs a server under load for minutes: `make load` runs it.
        if script.name in ("run_all.py", "load_test.py") or script.name.startswith("_"):
            continue
        print(f"== {script.name}", flush=True)
        failed |= subprocess.call([sys.executable, str(script)])  # noqa: S603
    sys.exit(failed)
