"""Print the current two-factor code of the demo `secretariat` account (`make run`).

    .venv/bin/python scripts/demo_totp.py          # the code now, and how long it lasts
    .venv/bin/python scripts/demo_totp.py --watch  # a new line each time the code changes

The demo key is public (kpcs/accounts/demo_two_factor.py): demo data only. You can also add
it to an authenticator app by hand: KPCS DEMO SECR ETAR IATK PCSD EMOT WOFA (time-based).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from django_otp.oath import TOTP  # pure Python: no Django settings needed

from kpcs.accounts.demo_two_factor import DEMO_TOTP_KEY_HEX, DEMO_TOTP_USERNAME

STEP = 30


def current_code(now: float | None = None) -> tuple[str, int]:
    """The code and the seconds it stays valid for."""
    now = time.time() if now is None else now
    generator = TOTP(bytes.fromhex(DEMO_TOTP_KEY_HEX), step=STEP)
    generator.time = now
    return f"{generator.token():06d}", STEP - int(now) % STEP


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--watch", action="store_true", help="keep printing new codes")
    args = parser.parse_args()
    last = ""
    while True:
        code, left = current_code()
        if code != last:
            print(f"{DEMO_TOTP_USERNAME}: {code}  (valid for {left} s more)", flush=True)
            last = code
        if not args.watch:
            return 0
        time.sleep(1)


if __name__ == "__main__":
    raise SystemExit(main())
