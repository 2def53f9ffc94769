"""The demo secretariat account's authenticator key (`load_demo_data`, `make run`).

DEMO DATA ONLY: it is printed in the docs and by scripts/demo_totp.py, exactly like the demo
password, so a newcomer can log in as `secretariat`. Never give it to a real account. No
Django imports here: scripts/demo_totp.py reads it without settings.
"""

from __future__ import annotations

# Base32, as an authenticator app takes it: KPCS DEMO SECR ETAR IATK PCSD EMOT WOFA.
DEMO_TOTP_SECRET_BASE32 = "KPCSDEMOSECRETARIATKPCSDEMOTWOFA"  # noqa: S105 - public demo key
# The same key in hex, as django-otp's TOTPDevice stores it.
DEMO_TOTP_KEY_HEX = "53c521918e9105124c114026a78a43231d3b38a0"
DEMO_TOTP_USERNAME = "secretariat"
