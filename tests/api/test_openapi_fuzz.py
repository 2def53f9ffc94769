"""Schemathesis against the OpenAPI schema: every operation, fuzzed as an anonymous client, an
authority and the secretariat, must answer without a server error and as its schema says
(a documented status code, the documented content type, a body matching the schema).

The schema is the one the app serves at /api/schema/ (generated in-process); the requests go
through Django's WSGI handler in this thread, inside the test's transaction, so everything a
fuzzed write does is rolled back. Examples per operation: `SCHEMATHESIS_MAX_EXAMPLES` (default
10, for the fuzzing phase; the coverage phase adds its own deterministic set); generation is
derandomized so that a run is reproducible. See docs/security.md.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.meta import TestPhase
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import ROLES

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "10"))
# Optional: append "role METHOD path status" for every request, to see how deep a run reached.
STATUS_LOG = os.environ.get("SCHEMATHESIS_STATUS_LOG")


def _served_schema() -> dict[str, Any]:
    """The OpenAPI document exactly as /api/schema/ renders it (JSON round trip: lazy
    translations and decimals become plain values)."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated))


schema = schemathesis.openapi.from_dict(_served_schema())

# Filled by the test below before each operation runs: the world's real path parameters.
_REAL_PATH_PARAMETERS: dict[str, dict[str, Any]] = {}


@schema.hook
def before_generate_path_parameters(context: Any, strategy: Any) -> Any:
    """Often a path that names an object that exists (otherwise nearly every answer is a 404).
    The strategy is built at collection, before the world exists (and a world rebuilt later
    has new ids), so the real parameters are looked up at each draw."""
    path = context.operation.path
    real = st.just(path).map(lambda p: dict(_REAL_PATH_PARAMETERS.get(p, {}))).filter(bool)
    return st.one_of(real, strategy)


def _aim_at_real_objects(case: Any) -> None:
    """The coverage phase (boundary values, missing and wrong fields, one at a time) does not
    go through the path parameter strategy above: unless it is the path that is under test,
    send its requests to an object that exists, so that the bodies reach the validation."""
    real = _REAL_PATH_PARAMETERS.get(case.operation.path)
    phase = case.meta.phase if case.meta is not None else None
    if (
        real
        and phase is not None
        and phase.name == TestPhase.COVERAGE
        and getattr(phase.data, "parameter_location", None) != ParameterLocation.PATH
    ):
        case.path_parameters = dict(real)


@pytest.fixture
def world(fuzz_world: Any) -> Any:
    """The world, with its path parameters registered before the first example is drawn."""
    _REAL_PATH_PARAMETERS.clear()
    _REAL_PATH_PARAMETERS.update(fuzz_world.path_parameters)
    return fuzz_world


@pytest.fixture
def wsgi_app() -> Any:
    from kpcs.wsgi import application

    return application


@pytest.mark.parametrize("role", ROLES)
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_documented(
    case: Any, role: str, world: Any, db: Any, in_process_requests: None, wsgi_app: Any
) -> None:
    _aim_at_real_objects(case)
    headers = dict(world.headers[role])
    # Werkzeug's test client drops a Cookie header and sends its own cookie jar instead.
    cookies = dict(
        part.strip().split("=", 1) for part in headers.pop("Cookie", "").split(";") if part
    )
    response = case.call_and_validate(
        app=wsgi_app,
        headers=headers,
        cookies=cookies,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
    if STATUS_LOG:
        with open(STATUS_LOG, "a") as out:
            out.write(f"{role} {case.method} {case.operation.path} {response.status_code}\n")
