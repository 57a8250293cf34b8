"""Random JSON bodies never make intake answer 5xx (property-based, hypothesis)."""
from __future__ import annotations

import json

import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yici_testkit import AUTH, case_body

JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
                    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12),
                                                                                     children, max_size=4),
                    max_leaves=20)
KEYS = list(case_body().keys())


def mutated_bodies():
    return st.builds(lambda key, value: {**case_body(), key: value}, st.sampled_from(KEYS), JSON)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(JSON, mutated_bodies()))
def test_random_bodies_never_give_a_5xx(embedded, body):
    for path in ("/api/v1/cases", "/api/v1/cases/YC1/supplements", "/api/v1/cases/YC1/withdraw"):
        response = requests.post(embedded.url(path), data=json.dumps(body), timeout=10,
                                 headers={**AUTH, "Content-Type": "application/json"})
        assert response.status_code < 500, (path, body, response.text[:300])
        assert response.headers["Content-Type"].startswith("application/json")
