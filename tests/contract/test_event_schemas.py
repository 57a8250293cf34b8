"""The JSON Schema of every event is committed; a change to an event must update its snapshot.

Regenerate deliberately with: UPDATE_EVENT_SCHEMAS=1 pytest tests/contract
(which also rewrites shared/asyncapi.json, the AsyncAPI document generated from the same schemas).
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from shared.events import EVENT_TYPES, event_json_schema, parse_event

SNAPSHOTS = Path(__file__).parent / "schemas"


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES))
def test_event_schema_matches_its_snapshot(event_type):
    schema = event_json_schema(event_type)
    path = SNAPSHOTS / f"{event_type}.json"
    if os.environ.get("UPDATE_EVENT_SCHEMAS"):
        path.write_text(json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    assert path.exists(), f"no snapshot for {event_type}: run with UPDATE_EVENT_SCHEMAS=1"
    assert schema == json.loads(path.read_text(encoding="utf-8"))


def test_every_snapshot_belongs_to_an_event():
    assert {p.stem for p in SNAPSHOTS.glob("*.json")} == set(EVENT_TYPES)


def test_envelope_fields_are_in_every_event():
    for event_type, cls in EVENT_TYPES.items():
        fields = set(cls.model_json_schema()["properties"])
        assert {"event_id", "case_id", "occurred_at", "schema_version", "event_type", "payload"} <= fields


def test_wire_form_is_plain_json_and_round_trips():
    from shared.events import CaseWithdrawn
    event = CaseWithdrawn(case_id="YC1", payload={"reason": "不再需要"})
    wire = json.loads(json.dumps(event.to_wire()))
    assert isinstance(wire["event_id"], str) and wire["occurred_at"].endswith("Z")
    assert "__type__" not in json.dumps(wire)
    assert parse_event(wire) == event
