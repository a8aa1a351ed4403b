"""schemathesis against the native API's own OpenAPI document, on a real server.

Every ``/api/v1`` operation gets generated requests (valid and invalid) as the demo user; the
server must never answer 5xx, and every answer must match what the document says: status code,
content type (problem+json for errors, see ``condor.api.openapi``), headers (``Allow`` on 405)
and body schema. Two checks are left out on purpose: ``positive_data_acceptance`` (a request
that fits the schema may still break a business rule: a clock moved backward, an empty cursor,
an unknown order id) and ``negative_data_rejection`` (FastAPI accepts numbers for date-times,
as Unix times).
"""

from __future__ import annotations

import functools

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import negative_data_rejection, positive_data_acceptance

from condor.api.app import create_app

from server_fixtures import api_settings, server

schema = schemathesis.openapi.from_dict(create_app(api_settings()).openapi()).include(
    path_regex="^/api/v1"
)


@functools.cache
def _token(live) -> str:
    return live.token("demo")


@schema.parametrize()
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_native_operation_answers_as_documented(case, server):
    case.call_and_validate(
        base_url=server.url,
        headers={"Authorization": f"Bearer {_token(server)}"},
        excluded_checks=[positive_data_acceptance, negative_data_rejection],
    )
