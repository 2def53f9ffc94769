"""The simulated clients of bench/load_test.py, run by locust in a process of its own.

Each client asks, back to back (no think time), for one of the addresses of the targets named
in LOAD_TARGETS, chosen at random, from the plan (JSON) LOAD_PLAN names. Every answer must be
200; anything else (an error status, a redirect, a timeout) counts as an error. Requests are
grouped by target in locust's statistics.

Not Django: locust's gevent must patch the standard library before anything else imports it.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

from locust import FastHttpUser, constant, task

PLAN = json.loads(Path(os.environ["LOAD_PLAN"]).read_text())
TARGETS = [name for name in os.environ["LOAD_TARGETS"].split(",") if name]
PATHS = {name: PLAN["targets"][name] for name in TARGETS}


class Client(FastHttpUser):
    wait_time = constant(0)
    # A client that waits this long has been failed by the server, not merely slowed down.
    network_timeout = 30.0
    connection_timeout = 10.0

    @task
    def visit(self) -> None:
        target = random.choice(TARGETS)
        path = random.choice(PATHS[target])
        with self.client.get(
            path, name=target, catch_response=True, allow_redirects=False
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code} for {path}")
