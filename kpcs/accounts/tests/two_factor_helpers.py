"""Authenticator devices with a known key for tests, and the codes they would show."""

from __future__ import annotations

import time

from django_otp.oath import hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

# A fixed test key (hex, 20 bytes); never used outside tests.
TEST_TOTP_KEY = "3132333435363738393031323334353637383930"


def give_authenticator(user, key: str = TEST_TOTP_KEY) -> TOTPDevice:
    """A confirmed authenticator for the user (replacing any other)."""
    TOTPDevice.objects.filter(user=user).delete()
    return TOTPDevice.objects.create(user=user, name="authenticator", key=key, confirmed=True)


def code_for(device: TOTPDevice, *, offset: int = 0) -> str:
    """A code the device accepts now: the current step's, or the next one's if the current
    one was used already (a code is accepted once). Waits when even that is used."""
    device.refresh_from_db()
    while True:
        # The device's idea of "now" includes the clock drift it has learnt.
        now_t = int((time.time() - device.t0) // device.step) + device.drift
        t = max(now_t, device.last_t + 1) + offset
        if t <= now_t + device.tolerance:
            break
        time.sleep(1)
    return f"{hotp(device.bin_key, t, digits=device.digits):0{device.digits}d}"


def wrong_code_for(device: TOTPDevice) -> str:
    good = code_for(device)
    return f"{(int(good) + 1) % 10**device.digits:0{device.digits}d}"
