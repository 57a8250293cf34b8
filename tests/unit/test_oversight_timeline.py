"""The case timeline and summary are rebuilt the same when events arrive out of order or twice."""
from __future__ import annotations

import random
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.oversight import views
from services.oversight.domain import Fact
from services.oversight.timeline import fold
from test_oversight_support import Story, context, feed, feed_batches, make_store, published, store  # noqa: F401

MON, TUE, WED = date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4)


def full_story(case_id: str = "YC-T1") -> Story:
    story = Story(case_id)
    story.submitted(MON)
    story.correction(MON)
    story.accepted(TUE)
    story.requested("enterprise-registration-inquiry", TUE)
    story.decided("enterprise-registration-inquiry", "supplement_requested", TUE)
    story.requested("tax-arrears-inquiry", TUE)
    story.decided("tax-arrears-inquiry", "approved", WED)
    story.decided("enterprise-registration-inquiry", "approved", WED)
    story.completed(WED)
    story.delivered(WED)
    return story


def facts(events):
    return [Fact(event_id=str(e.event_id), event_type=e.event_type, occurred_at=e.occurred_at,
                 payload=e.model_dump(mode="json")["payload"]) for e in events]


@settings(max_examples=60, deadline=None)
@given(st.randoms(use_true_random=False), st.integers(min_value=0, max_value=5))
def test_the_fold_does_not_depend_on_arrival_order_or_repeats(rng, repeats):
    events = full_story().events
    shuffled = events + [rng.choice(events) for _ in range(repeats)]
    rng.shuffle(shuffled)
    assert fold("YC-T1", facts(shuffled)) == fold("YC-T1", facts(events))


def test_the_stored_timeline_and_summary_are_rebuilt_from_shuffled_duplicated_deliveries(tmp_path):
    story = full_story()
    in_order = make_store(tmp_path / "a")
    feed(in_order, context(), story.events)
    shuffled = story.events * 2
    random.Random(7).shuffle(shuffled)
    scrambled = make_store(tmp_path / "b")
    feed(scrambled, context(), shuffled)
    expected = views.timeline_view(in_order, "YC-T1")
    assert views.timeline_view(scrambled, "YC-T1") == expected
    assert [e["event_type"] for e in expected["events"]] == [e.event_type for e in story.events]
    assert expected["status"] == "delivered"
    assert views.sla_view(scrambled, context(), "YC-T1", WED) == views.sla_view(in_order, context(), "YC-T1", WED)


def test_a_late_acceptance_does_not_regress_a_completed_case(store):
    story = full_story("YC-T2")
    completed = [e for e in story.events if e.event_type in ("case_submitted", "case_completed", "delivery_completed")]
    feed(store, context(), completed)
    assert views.timeline_view(store, "YC-T2")["status"] == "delivered"
    feed(store, context(), [e for e in story.events if e not in completed])
    view = views.timeline_view(store, "YC-T2")
    assert view["status"] == "delivered" and len(view["events"]) == len(story.events)


def test_timeline_names_who_acted(store):
    story = full_story("YC-T3")
    feed(store, context(), story.events)
    actors = {e["event_type"]: e["actor"] for e in views.timeline_view(store, "YC-T3")["events"]}
    assert actors["case_accepted"] == "intake" and actors["approval_decided"] == "market-regulation:clerk"
    assert actors["delivery_completed"] == "delivery"


@pytest.mark.parametrize("seed", range(12))
def test_batches_of_shuffled_duplicated_events_give_what_one_by_one_gives(tmp_path, seed):
    story = full_story()
    one_by_one = make_store(tmp_path / "a")
    feed(one_by_one, context(), story.events)
    shuffled = story.events * 2
    random.Random(seed).shuffle(shuffled)
    batched = make_store(tmp_path / "b")
    feed_batches(batched, context(), [shuffled[start:start + 5] for start in range(0, len(shuffled), 5)],
                 date(2026, 3, 2))
    assert views.timeline_view(batched, "YC-T1") == views.timeline_view(one_by_one, "YC-T1")
    assert views.sla_view(batched, context(), "YC-T1", WED) == views.sla_view(one_by_one, context(), "YC-T1", WED)


@settings(max_examples=40, deadline=None)
@given(st.randoms(use_true_random=False), st.integers(min_value=0, max_value=4))
def test_a_state_carried_on_batch_by_batch_equals_a_fold_of_the_whole_timeline(tmp_path_factory, rng, repeats):
    """Saved states are carried on by events that come after them and refolded otherwise: whatever the
    batches and the arrival order, the stored case is the fold of everything that arrived."""
    events = full_story().events
    arrivals = events + [rng.choice(events) for _ in range(repeats)]
    if rng.random() < 0.7:
        rng.shuffle(arrivals)
    store = make_store(tmp_path_factory.mktemp("carried"))
    batches = []
    while arrivals:
        size = rng.randint(1, 4)
        batch, arrivals = arrivals[:size], arrivals[size:]
        batches.append(batch)
    feed_batches(store, context(), batches, WED)
    with store.unit_of_work() as uow:
        saved = uow.oversight.states(["YC-T1"])["YC-T1"]
    assert saved == fold("YC-T1", facts(events))
    assert saved.status == "delivered"
