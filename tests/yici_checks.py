"""Assertions over a finished run, read from the services' own tables (the tests' privilege)."""
from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy import create_engine, text


def timelines(database_url: str, case_ids: list[str]) -> dict[str, list[tuple]]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT case_id, event_type, occurred_at, body FROM oversight_timeline "
                "WHERE case_id = ANY(:ids) ORDER BY occurred_at"), {"ids": case_ids}).all()
    finally:
        engine.dispose()
    out: dict[str, list[tuple]] = defaultdict(list)
    for case_id, event_type, occurred_at, body in rows:
        out[case_id].append((event_type, occurred_at, body))
    return out


def delivery_counts(database_url: str, case_ids: list[str]) -> Counter:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT case_id FROM delivery_deliveries WHERE case_id = ANY(:ids)"),
                                {"ids": case_ids}).all()
    finally:
        engine.dispose()
    return Counter(r[0] for r in rows)


def assert_exactly_once(timeline: dict[str, list[tuple]], case_ids: list[str]) -> None:
    for case_id in case_ids:
        kinds = Counter(event_type for event_type, _, _ in timeline.get(case_id, []))
        assert kinds["case_completed"] == 1, (case_id, kinds)
        assert kinds["delivery_dispatched"] == 1, (case_id, kinds)


def assert_prerequisites_respected(timeline: dict[str, list[tuple]], edges: dict[str, list[str]]) -> None:
    """An item is requested only after every prerequisite was decided (approved)."""
    for case_id, events in timeline.items():
        decided = {body["item_code"]: at for kind, at, body in events if kind == "approval_decided"}
        requested = {body["item_code"]: at for kind, at, body in events if kind == "approval_requested"}
        for item, prerequisites in edges.items():
            for prerequisite in prerequisites:
                assert decided[prerequisite] <= requested[item], (case_id, prerequisite, item)
                assert decided[prerequisite] < decided[item], (case_id, prerequisite, item)
