import math
from datetime import date

import pytest

from shared.sla import SlaClock, SlaStateError, Suspension
from shared.workdays import Due, WorkingCalendar

MON = date(2026, 3, 2)  # an ordinary week: Mon 2 … Fri 6, Mon 9 … Fri 13, Mon 16 …


@pytest.fixture(scope="module")
def calendar() -> WorkingCalendar:
    return WorkingCalendar()


def test_deadline_without_suspension_is_the_nth_working_day(calendar):
    assert SlaClock(date(2026, 9, 24), 5).deadline(calendar) == Due(date(2026, 10, 9), False)


def test_suspension_moves_the_deadline_by_the_working_days_suspended(calendar):
    clock = SlaClock(MON, 5).suspend(date(2026, 3, 4), "expert review").resume(date(2026, 3, 6))
    # Runs Tue 3, Wed 4 (2 days); stopped Thu 5, Fri 6; runs again Mon 9, Tue 10, Wed 11.
    assert clock.deadline(calendar) == Due(date(2026, 3, 11), False)
    assert SlaClock(MON, 5).deadline(calendar).date == date(2026, 3, 9)


def test_suspension_across_a_holiday_only_excludes_working_days(calendar):
    start = date(2026, 9, 21)  # Mon; Mid-Autumn 9-25…27, National Day 10-1…7, Sat 10-10 works
    clock = SlaClock(start, 10).suspend(date(2026, 9, 23), "supplement").resume(date(2026, 10, 9))
    # Used Tue 22, Wed 23; stopped over Thu 24, Mon 28 … Wed 30, Thu 8, Fri 9 (6 working days):
    # the holidays inside the stop are not counted twice. 8 left from 10-9: Sat 10, Mon 12 … Tue 20.
    assert clock.deadline(calendar).date == date(2026, 10, 20)
    assert SlaClock(start, 10).deadline(calendar).date == date(2026, 10, 12)  # 6 days earlier


def test_several_suspensions_add_up(calendar):
    clock = (
        SlaClock(MON, 5)
        .suspend(date(2026, 3, 3), "supplement")
        .resume(date(2026, 3, 4))
        .suspend(date(2026, 3, 5), "on-site inspection")
        .resume(date(2026, 3, 9))
    )
    # Runs Tue 3, Thu 5; stopped Wed 4, Fri 6, Mon 9; three left: Tue 10, Wed 11, Thu 12.
    assert clock.deadline(calendar).date == date(2026, 3, 12)
    assert len(clock.suspensions) == 2


def test_same_day_suspend_and_resume_changes_nothing(calendar):
    clock = SlaClock(MON, 5).suspend(date(2026, 3, 4), "call").resume(date(2026, 3, 4))
    assert clock.deadline(calendar).date == date(2026, 3, 9)


def test_suspension_after_the_deadline_does_not_rescue_an_overdue_case(calendar):
    clock = SlaClock(MON, 3).suspend(date(2026, 3, 7), "late review").resume(date(2026, 3, 20))
    assert clock.deadline(calendar).date == date(2026, 3, 5)


def test_suspension_on_the_deadline_day_makes_the_resumption_day_due(calendar):
    clock = SlaClock(MON, 3).suspend(date(2026, 3, 5), "expert review").resume(date(2026, 3, 12))
    assert clock.deadline(calendar).date == date(2026, 3, 12)


def test_open_suspension_needs_today_and_assumes_resumption_today(calendar):
    clock = SlaClock(MON, 5).suspend(date(2026, 3, 4), "expert review")
    with pytest.raises(SlaStateError, match="pass today"):
        clock.deadline(calendar)
    assert clock.deadline(calendar, today=date(2026, 3, 10)).date == date(2026, 3, 13)


def test_clocks_are_immutable(calendar):
    clock = SlaClock(MON, 5)
    suspended = clock.suspend(date(2026, 3, 4), "review")
    assert clock.suspensions == () and not clock.suspended
    assert suspended.suspended
    with pytest.raises(AttributeError):
        clock.budget_days = 6


def test_suspending_twice_is_rejected():
    clock = SlaClock(MON, 5).suspend(date(2026, 3, 4), "review")
    with pytest.raises(SlaStateError, match="already suspended since 2026-03-04"):
        clock.suspend(date(2026, 3, 5), "another")


def test_resuming_a_running_clock_is_rejected():
    with pytest.raises(SlaStateError, match="not suspended"):
        SlaClock(MON, 5).resume(date(2026, 3, 4))
    resumed = SlaClock(MON, 5).suspend(date(2026, 3, 4), "r").resume(date(2026, 3, 5))
    with pytest.raises(SlaStateError, match="not suspended"):
        resumed.resume(date(2026, 3, 6))


@pytest.mark.parametrize(
    "make",
    [
        lambda: SlaClock(MON, 5).suspend(date(2026, 3, 1), "before the start"),
        lambda: SlaClock(MON, 5).suspend(date(2026, 3, 4), "r").resume(date(2026, 3, 3)),
        lambda: SlaClock(MON, 5).suspend(date(2026, 3, 4), "r").resume(date(2026, 3, 6)).suspend(date(2026, 3, 5), "r"),
        lambda: SlaClock(MON, 5).suspend(date(2026, 3, 4), "   "),
        lambda: SlaClock(MON, -1),
        lambda: SlaClock(MON, 5, (Suspension(date(2026, 3, 3), "open"), Suspension(date(2026, 3, 5), "r"))),
    ],
)
def test_invalid_ledgers_are_rejected(make):
    with pytest.raises(SlaStateError):
        make()


def test_used_share_excludes_suspended_days(calendar):
    clock = SlaClock(MON, 10).suspend(date(2026, 3, 4), "review").resume(date(2026, 3, 9))
    assert clock.used_share(MON, calendar) == 0.0
    assert clock.used_share(date(2026, 3, 6), calendar) == pytest.approx(0.2)  # Tue, Wed
    assert clock.used_share(date(2026, 3, 11), calendar) == pytest.approx(0.4)  # + Tue 10, Wed 11


def test_used_share_stops_while_suspended(calendar):
    clock = SlaClock(MON, 10).suspend(date(2026, 3, 4), "review")
    assert clock.used_share(date(2026, 3, 13), calendar) == pytest.approx(0.2)


def test_instant_budget_is_zero_on_the_start_day_then_overdue(calendar):
    clock = SlaClock(MON, 0)
    assert clock.deadline(calendar) == Due(MON, False)
    assert clock.used_share(MON, calendar) == 0.0
    assert clock.status(MON, calendar) == "green"
    assert clock.used_share(date(2026, 3, 3), calendar) == math.inf
    assert clock.status(date(2026, 3, 3), calendar) == "red"


@pytest.mark.parametrize(
    "today, expected",
    [
        (date(2026, 3, 2), "green"),
        (date(2026, 3, 12), "green"),  # 8 of 10 used -> 0.8: yellow starts here
        (date(2026, 3, 13), "yellow"),  # 9 of 10
        (date(2026, 3, 16), "yellow"),  # 10 of 10: the deadline day itself
        (date(2026, 3, 17), "red"),
    ],
)
def test_thresholds_with_yellow_above_eight_tenths(calendar, today, expected):
    assert SlaClock(MON, 10).status(today, calendar, yellow_share=0.81) == expected


@pytest.mark.parametrize(
    "today, expected",
    [(date(2026, 3, 11), "green"), (date(2026, 3, 12), "yellow"), (date(2026, 3, 14), "yellow")],
)
def test_default_yellow_threshold_is_inclusive(calendar, today, expected):
    assert SlaClock(MON, 10).status(today, calendar) == expected


def test_red_when_a_weekend_day_is_past_the_deadline(calendar):
    assert SlaClock(MON, 5).status(date(2026, 3, 10), calendar) == "red"


def test_status_while_suspended(calendar):
    clock = SlaClock(MON, 5).suspend(date(2026, 3, 4), "expert review")
    assert clock.status(date(2026, 3, 3), calendar) == "green"  # the stop lies ahead
    assert clock.status(date(2026, 3, 20), calendar) == "suspended"


def test_suspending_an_overdue_case_stays_red(calendar):
    clock = SlaClock(MON, 2).suspend(date(2026, 3, 9), "late review")
    assert clock.status(date(2026, 3, 10), calendar) == "red"


def test_status_after_resumption_uses_the_moved_deadline(calendar):
    clock = SlaClock(MON, 5).suspend(date(2026, 3, 4), "review").resume(date(2026, 3, 6))
    assert clock.status(date(2026, 3, 10), calendar) == "yellow"  # 4 of 5 used
    assert clock.status(date(2026, 3, 12), calendar) == "red"


@pytest.mark.parametrize("share", [0, -0.1, 1.5])
def test_yellow_share_must_be_a_fraction(calendar, share):
    with pytest.raises(ValueError):
        SlaClock(MON, 5).status(MON, calendar, yellow_share=share)


def test_deadline_into_an_unpublished_year_is_provisional(calendar):
    assert SlaClock(date(2026, 12, 21), 10).deadline(calendar).provisional
