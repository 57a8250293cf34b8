"""The department workbench's rules without a browser: the warning a task shows (working days left; yellow from
`oversight.yellow_share` of its promised days, red past its deadline) and a supplement request's own period."""
from __future__ import annotations

from datetime import date

import pytest

from routing_support import RoutingHarness, accepted, of_type
from services.approval.handlers import Context
from services.approval.workbench import deadline
from shared.catalog import default_catalog
from shared.config import ApprovalSettings
from shared.workdays import WorkingCalendar

TUESDAY = date(2026, 12, 1)


@pytest.fixture
def context():
    return Context(default_catalog(), ApprovalSettings(), WorkingCalendar.from_file(), lambda: TUESDAY)


def task(due: date | None, promised: int = 5, status: str = "pending") -> dict:
    return {"due_date": due.isoformat() if due else None, "promised_days": promised, "status": status}


def test_a_task_with_time_left_is_not_warned(context):
    assert deadline(task(date(2026, 12, 8)), TUESDAY, context, 0.8) == {"left": 5, "level": None}


def test_a_task_past_yellow_share_of_its_days_is_yellow_and_on_its_last_day_still_yellow(context):
    assert deadline(task(date(2026, 12, 2)), TUESDAY, context, 0.8) == {"left": 1, "level": "yellow"}
    assert deadline(task(TUESDAY), TUESDAY, context, 0.8) == {"left": 0, "level": "yellow"}


def test_a_task_past_its_deadline_is_red_with_the_working_days_overdue(context):
    assert deadline(task(date(2026, 11, 27)), TUESDAY, context, 0.8) == {"left": -2, "level": "red"}


def test_a_decided_or_suspended_task_has_no_clock_on_the_worklist(context):
    for status in ("decided", "supplement_requested", "cancelled"):
        assert deadline(task(date(2026, 11, 27), status=status), TUESDAY, context, 0.8) == \
            {"left": None, "level": None}
    assert deadline(task(None), TUESDAY, context, 0.8) == {"left": None, "level": None}


def test_a_supplement_request_dated_by_the_departments_own_period(tmp_path):
    routing = RoutingHarness(tmp_path)
    routing.handle(accepted("YC9", "bankruptcy-check"))
    out = routing.decide("YC9", "tax-arrears-inquiry", "supplement_requested", ["缺少宗地图"], supplement_days=3)
    [told] = of_type(out, "supplement_requested")
    assert told.payload.due_date == date(2026, 12, 4), "three working days from Tue 1 Dec, not the default ten"
