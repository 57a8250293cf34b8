"""The e-license library and shared-data ports: the demo file, the chain that records who answered, and the HTTP
adapter against a fake library this test starts on 127.0.0.1 (contract: docs/library-http.md)."""
from __future__ import annotations

import time
from datetime import date

import pytest

from services.intake.library import DEMO_LIBRARY, Chain, DemoExchange, DemoLibrary, SourceUnavailable, Wanted
from services.intake.library_http import HttpLibrary
from shared.catalog import default_catalog
from shared.config import LibrarySettings
from shared.identifiers import check_credit_code, check_resident_id
from yici_library_kit import fake_library  # noqa: F401  (a fixture)

TODAY = date(2026, 12, 2)
FATHER = "152727198803152016"


def test_every_sample_holder_has_valid_identifiers_and_known_licenses_and_materials():
    import yaml
    data = yaml.safe_load(DEMO_LIBRARY.read_text(encoding="utf-8"))
    catalog = default_catalog()
    types = catalog.issued_licenses() | set(catalog.external_licenses)
    assert data["people"] and data["companies"]
    for person in data["people"]:
        assert check_resident_id(person["id_number"], TODAY).ok and not check_resident_id(person["id_number"],
                                                                                            TODAY).warnings
    for company in data["companies"]:
        assert check_credit_code(company["credit_code"]).ok
        assert company["legal_representative"] in {p["id_number"] for p in data["people"]}
    for holder in data["people"] + data["companies"]:
        assert {lic["type"] for lic in holder["licenses"]} <= types
        assert set(holder["shared"]) <= {c for c, m in catalog.materials.items() if m.source == "shared"}


def test_a_company_holds_its_legal_representatives_id_card():
    library = DemoLibrary()
    assert library.holds("91150626MA0N1A2B3F", {"resident-id-card", "business-license", "marriage-certificate"},
                         TODAY) == {"resident-id-card", "business-license"}


class Down:
    name = "down"

    def holds(self, holder_id, license_types, on):
        raise SourceUnavailable("down", "timeout")

    def supplies(self, holder_id, material_codes):
        raise SourceUnavailable("down", "timeout")


def test_the_chain_records_the_source_that_answered_and_tells_not_held_from_unavailable():
    wanted = [Wanted("household-register", "household-register"), Wanted("birth-record"),
              Wanted("business-license", "business-license")]
    answer = Chain((DemoLibrary(),), (DemoExchange(),)).fetch(FATHER, wanted, TODAY)
    assert answer.found == {"household-register": "demo-library", "birth-record": "demo-exchange"}
    assert answer.not_found == {"business-license": "not_held"} and answer.complete
    down_first = Chain((Down(), DemoLibrary()), (Down(),)).fetch(FATHER, wanted, TODAY)
    assert down_first.found == {"household-register": "demo-library"}
    assert set(down_first.unavailable) == {"birth-record", "business-license"}
    assert not down_first.complete
    assert Chain((DemoLibrary(),)).fetch(None, wanted[:1], TODAY).not_found == {"household-register": "no_holder"}


def _adapter(server, **overrides) -> HttpLibrary:
    given = {"retries": 1, "retry_backoff_seconds": 0, "read_timeout_seconds": 0.3, **overrides}
    settings = LibrarySettings(sources=["http"], http_url=f"http://127.0.0.1:{server.server_address[1]}",
                               http_token="t0ken", **given)
    return HttpLibrary(settings)


def test_the_http_adapter_speaks_the_documented_contract(fake_library):
    http = _adapter(fake_library)
    assert http.holds(FATHER, {"resident-id-card", "marriage-certificate", "business-license"}, TODAY) \
        == {"resident-id-card"}  # the business licence expired in 2020
    assert http.supplies(FATHER, {"birth-record", "id-photo"}) == {"birth-record"}
    path, body, auth = fake_library.requests[0]
    assert path == "/v1/licenses/lookup" and auth == "Bearer t0ken"
    assert body == {"holder_id": FATHER, "license_types": ["business-license", "marriage-certificate",
                                                           "resident-id-card"], "on": "2026-12-02"}
    assert fake_library.requests[1][1] == {"holder_id": FATHER, "materials": ["birth-record", "id-photo"]}


def test_a_library_that_is_down_is_retried_then_unavailable_and_the_circuit_opens(fake_library):
    fake_library.mode = "down"
    http = _adapter(fake_library, breaker_failures=2, breaker_reset_seconds=60)
    with pytest.raises(SourceUnavailable) as first:
        http.holds(FATHER, {"resident-id-card"}, TODAY)
    assert first.value.reason == "http_503" and len(fake_library.requests) == 2  # one retry
    with pytest.raises(SourceUnavailable) as second:
        http.holds(FATHER, {"resident-id-card"}, TODAY)
    assert second.value.reason == "circuit_open"  # the second failure opened it
    asked = len(fake_library.requests)
    fake_library.mode = "ok"
    with pytest.raises(SourceUnavailable) as third:
        http.holds(FATHER, {"resident-id-card"}, TODAY)
    assert third.value.reason == "circuit_open" and len(fake_library.requests) == asked  # not even asked


def test_a_slow_library_times_out_within_the_bound(fake_library):
    fake_library.mode = "slow"
    http = _adapter(fake_library, retries=0)
    started = time.monotonic()
    with pytest.raises(SourceUnavailable) as slow:
        http.supplies(FATHER, {"birth-record"})
    assert slow.value.reason == "timeout" and time.monotonic() - started < 0.9


def test_an_http_source_needs_its_url():
    with pytest.raises(ValueError):
        LibrarySettings(sources=["http"])
