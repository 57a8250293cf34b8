"""The SLA clock of a case and of each item: a supplement request stops both, a later decision restarts them."""
from __future__ import annotations

from datetime import date

from services.oversight import views
from shared.events import SupplementProvided
from test_oversight_support import Story, at, context, feed, published, store  # noqa: F401

MON, TUE, WED, THU, FRI, NEXT_MON = (date(2026, 3, d) for d in (2, 3, 4, 5, 6, 9))
ITEM = "enterprise-registration-inquiry"


def started(case_id: str) -> Story:
    story = Story(case_id, promised_days=3, items={ITEM: ("market-regulation", 2)})
    story.submitted(MON)
    story.accepted(MON)
    story.requested(ITEM, MON)
    return story


def test_without_suspension_the_deadlines_are_the_budgets_in_working_days(store):
    story = started("YC-C1")
    feed(store, context(), story.events)
    view = views.sla_view(store, context(), "YC-C1", MON)
    assert view["case"]["deadline"] == {"date": THU, "provisional": False}
    assert view["items"][0]["deadline"]["date"] == WED
    assert view["case"]["status"] == "green" and view["case"]["suspensions"] == []


def test_a_supplement_request_suspends_the_item_and_the_case(store):
    story = started("YC-C2")
    story.decided(ITEM, "supplement_requested", TUE)
    feed(store, context(), story.events)
    view = views.sla_view(store, context(), "YC-C2", THU)
    assert view["case"]["status"] == "suspended" and view["items"][0]["status"] == "suspended"
    assert view["case"]["suspensions"] == [{"suspended_on": TUE, "reason": f"supplement_requested:{ITEM}",
                                            "resumed_on": None}]
    # Used Tue; taken to resume today (Thu): two days left, Fri and Mon.
    assert view["case"]["deadline"]["date"] == NEXT_MON


def test_a_later_decision_resumes_both_clocks_and_moves_the_deadlines(store):
    story = started("YC-C3")
    story.decided(ITEM, "supplement_requested", TUE)
    story.decided(ITEM, "approved", FRI)
    feed(store, context(), story.events)
    view = views.sla_view(store, context(), "YC-C3", FRI)
    assert view["case"]["suspensions"][0]["resumed_on"] == FRI
    # Case: used Tue (1 of 3); stopped Wed, Thu, Fri; Mon 9 and Tue 10 remain.
    assert view["case"]["deadline"]["date"] == date(2026, 3, 10)
    # Item: used Tue (1 of 2); the day after resumption, Mon 9, is due.
    assert view["items"][0]["deadline"]["date"] == NEXT_MON
    assert view["case"]["status"] == "green"


def test_the_case_stays_suspended_while_any_item_waits_for_a_supplement(store):
    story = Story("YC-C4", promised_days=5, items={"a": ("tax", 3), "b": ("market-regulation", 3)})
    story.submitted(MON)
    story.accepted(MON)
    story.requested("a", MON)
    story.requested("b", MON)
    story.decided("a", "supplement_requested", TUE)
    story.decided("b", "supplement_requested", WED)
    story.decided("a", "approved", THU)
    feed(store, context(), story.events)
    view = views.sla_view(store, context(), "YC-C4", THU)
    assert view["case"]["status"] == "suspended"
    assert [i["status"] for i in view["items"]] == ["green", "suspended"]
    story.decided("b", "approved", FRI)
    feed(store, context(), story.events[-1:])
    view = views.sla_view(store, context(), "YC-C4", FRI)
    assert view["case"]["suspensions"] == [{"suspended_on": TUE, "reason": "supplement_requested:a",
                                            "resumed_on": FRI}]


def test_a_concluded_case_keeps_its_verdict(store):
    story = started("YC-C5")
    story.decided(ITEM, "approved", NEXT_MON)
    story.completed(NEXT_MON)
    feed(store, context(), story.events)
    view = views.sla_view(store, context(), "YC-C5", date(2026, 4, 1))
    assert view["as_of"] == NEXT_MON
    assert view["case"]["status"] == "red"  # Thu 5 was due; it concluded on Mon 9


def test_the_supplement_provided_restarts_the_clocks_before_the_next_decision(store):
    story = started("YC-C6")
    story.decided(ITEM, "supplement_requested", TUE)
    supplied = SupplementProvided(case_id="YC-C6", occurred_at=at(THU), payload={"item_code": ITEM})
    feed(store, context(), story.events + [supplied])
    view = views.sla_view(store, context(), "YC-C6", THU)
    assert view["case"]["suspensions"][0]["resumed_on"] == THU
    assert view["items"][0]["status"] != "suspended"
    # Case: used Tue (1 of 3); stopped Wed, Thu; Fri and Mon remain.
    assert view["case"]["deadline"]["date"] == NEXT_MON


def test_a_moved_deadline_is_published_for_intake_to_show(store, published):
    import json
    story = started("YC-C9")
    feed(store, context(), story.events, today=MON)
    assert not [m for m in published if json.loads(m.body)["event_type"] == "deadline_changed"]
    story.decided(ITEM, "supplement_requested", TUE)
    story.decided(ITEM, "approved", FRI)
    feed(store, context(), story.events[-2:], today=FRI)
    moved = [json.loads(m.body) for m in published if json.loads(m.body)["event_type"] == "deadline_changed"]
    assert moved and moved[-1]["payload"]["due_date"] == "2026-03-10"
    assert moved[0]["payload"]["suspended"] is True and moved[0]["case_id"] == "YC-C9"
