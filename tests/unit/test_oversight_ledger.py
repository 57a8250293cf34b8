"""The ledger's figures equal a hand count over a generated set of cases, for every period and grouping."""
from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest

from services.oversight import ratings, reports, scan
from services.oversight.commands import RateCase
from services.oversight.periods import Period
from services.oversight.render import ledger_csv, ledger_html
from shared.catalog import default_catalog
from shared.catalog.reductions import reductions
from test_oversight_support import CALENDAR, Story, at, context, feed, make_store

CATALOG = default_catalog()
MATTERS = ["bankruptcy-check", "open-restaurant", "newborn"]
REGIONS = {"150626": "banner", "150626100": "township", "150626100001": "village", "150600": "city"}
CHANNELS = ["online", "window", "service_point", "bank_branch"]
FIRST, LAST = date(2026, 2, 23), date(2026, 4, 3)


@dataclass
class Spec:
    case_id: str
    matter: str
    channel: str
    region: str
    submitted: date
    corrected: date | None = None
    accepted: date | None = None
    outcome: str | None = None  # "completed" | "rejected"
    concluded: date | None = None
    score: int | None = None
    items: dict = field(default_factory=dict)


def workday_after(day: date, n: int) -> date:
    return CALENDAR.due(day, n).date


def generate(count: int, seed: int) -> list[Spec]:
    rng = random.Random(seed)
    specs = []
    for n in range(count):
        matter = rng.choice(MATTERS)
        spec = Spec(f"YC-L{n:03d}", matter, rng.choice(CHANNELS), rng.choice(list(REGIONS)),
                    FIRST + timedelta(days=rng.randrange((LAST - FIRST).days)))
        spec.items = {i.code: (i.department, i.promised_days) for i in CATALOG.items_for(matter, [])}
        if rng.random() < 0.3:
            spec.corrected = spec.submitted
        if rng.random() < 0.9:
            spec.accepted = workday_after(spec.corrected or spec.submitted, rng.choice([0, 1, 2]))
            if rng.random() < 0.8:
                spec.outcome = rng.choice(["completed"] * 4 + ["rejected"])
                spec.concluded = workday_after(spec.accepted, rng.randrange(0, 9))
                spec.score = rng.choice([None, 1, 2, 3, 4, 5, 5])
        specs.append(spec)
    return specs


def story_of(spec: Spec) -> Story:
    story = Story(spec.case_id, matter=spec.matter, channel=spec.channel, region=spec.region,
                  promised_days=CATALOG.matter(spec.matter).promised_days, items=spec.items)
    story.submitted(spec.submitted)
    if spec.corrected:
        story.correction(spec.corrected)
    if spec.accepted:
        story.accepted(spec.accepted)
        for item in spec.items:
            story.requested(item, spec.accepted)
    if spec.outcome == "completed":
        for item in spec.items:
            story.decided(item, "approved", spec.concluded)
        story.completed(spec.concluded)
    elif spec.outcome == "rejected":
        first = next(iter(spec.items))
        story.decided(first, "rejected", spec.concluded)
        story.rejected(first, spec.concluded)
    return story


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    specs = generate(150, seed=20261126)
    store = make_store(tmp_path_factory.mktemp("ledger"))
    ctx = context()
    for spec in specs:
        feed(store, ctx, story_of(spec).events)
    day = FIRST
    while day <= LAST + timedelta(days=20):
        scan.scan(store, ctx, day)
        day += timedelta(days=1)
    for spec in specs:
        if spec.score:
            store.run(ratings.rate_case, spec.case_id, RateCase(score=spec.score), at(spec.concluded, 16), ctx)
    with store.unit_of_work() as uow:
        warnings = uow.supervision.warnings(status=None, limit=10**6)
    return store, ctx, specs, warnings


def keys(spec: Spec, by: str) -> list[str]:
    if by == "department":
        lead = CATALOG.matter(spec.matter).lead_department
        return sorted({lead} | ({dept for dept, _ in spec.items.values()} if spec.accepted else set()))
    return [{"matter": spec.matter, "channel": spec.channel, "level": REGIONS[spec.region]}[by]]


def hand_count(specs: list[Spec], warnings: list, period: Period, by: str) -> dict:
    """The ledger, counted the plain way (no clocks: the generated cases have no suspensions)."""
    rows = defaultdict(lambda: defaultdict(float))
    by_id = {s.case_id: s for s in specs}
    inside = lambda day: day is not None and period.start <= day < period.end  # noqa: E731
    for s in specs:
        for key in keys(s, by) + ["<total>"]:
            row = rows[key]
            row["received"] += inside(s.submitted)
            row["accepted"] += inside(s.accepted)
            row["corrected"] += inside(s.corrected)
            row["completed"] += inside(s.concluded) and s.outcome == "completed"
            row["rejected"] += inside(s.concluded) and s.outcome == "rejected"
            if inside(s.concluded) and s.score:
                row["ratings"] += 1
                row["score_total"] += s.score
                row["bad_ratings"] += s.score <= 2
            if inside(s.concluded) and (key == "<total>" or by != "department"):
                used = CALENDAR.workdays_between(s.accepted, s.concluded)
                row["concluded"] += 1
                row["in_time"] += s.concluded <= workday_after(s.accepted, CATALOG.matter(s.matter).promised_days)
                row["days"] += used
            if inside(s.concluded) and s.outcome == "completed":
                r = reductions(CATALOG, s.matter, [])
                row["time_days"] += r.time.before - CALENDAR.workdays_between(s.accepted, s.concluded)
                for name, measure in (("steps", r.steps), ("form_fields", r.form_fields),
                                      ("materials", r.materials), ("cost_yuan", r.cost), ("visits", r.visits)):
                    row[name] += measure.saved
        if by == "department" and inside(s.concluded):
            decided = list(s.items.items()) if s.outcome == "completed" else list(s.items.items())[:1]
            for code, (dept, days) in decided:
                rows[dept]["concluded"] += 1
                rows[dept]["in_time"] += s.concluded <= workday_after(s.accepted, days)
                rows[dept]["days"] += CALENDAR.workdays_between(s.accepted, s.concluded)
    for w in warnings:
        if inside(w.raised_on):
            for key in ([w.department] if by == "department" else keys(by_id[w.case_id], by)) + ["<total>"]:
                rows[key][f"warnings_{w.level}"] += 1
    return rows


def figures_of(row: dict) -> dict:
    counts = ("received", "accepted", "corrected", "completed", "rejected", "warnings_yellow", "warnings_red",
              "ratings", "bad_ratings", "not_accepted", "commitments_missed")
    out = {c: int(row.get(c, 0)) for c in counts}
    out["on_time_rate"] = round(row["in_time"] / row["concluded"], 4) if row.get("concluded") else None
    out["average_working_days"] = round(row["days"] / row["concluded"], 2) if row.get("concluded") else None
    out["average_rating"] = round(row["score_total"] / row["ratings"], 2) if row.get("ratings") else None
    out["reductions"] = {k: round(row.get(k, 0.0), 2) for k in
                         ("time_days", "steps", "form_fields", "materials", "cost_yuan", "visits")}
    return out


PERIODS = [Period.containing("monthly", date(2026, 3, 10)), Period.containing("half-monthly", date(2026, 3, 20)),
           Period.containing("half-monthly", date(2026, 3, 2)), Period.containing("weekly", date(2026, 3, 11)),
           Period.containing("weekly", date(2026, 2, 25))]


@pytest.mark.parametrize("by", ["matter", "department", "channel", "level"])
@pytest.mark.parametrize("period", PERIODS, ids=lambda p: f"{p.kind}-{p.start}")
def test_ledger_equals_the_hand_count(world, period, by):
    store, ctx, specs, warnings = world
    report = reports.ledger_report(store, ctx, period, by)
    expected = hand_count(specs, warnings, period, by)
    totals = expected.pop("<total>")
    got = {row["key"]: {k: v for k, v in row.items() if k not in ("key", "label")} for row in report["rows"]}
    expected = {k: figures_of(v) for k, v in expected.items() if any(v.values())}
    got = {k: v for k, v in got.items() if k in expected or any(x for x in v.values() if x and x != {})}
    assert got == expected
    assert report["totals"] == figures_of(totals)


def test_the_generated_world_has_something_of_everything(world):
    store, ctx, specs, warnings = world
    report = reports.ledger_report(store, ctx, PERIODS[0], "matter")["totals"]
    assert all(report[k] > 0 for k in ("received", "accepted", "corrected", "completed", "rejected",
                                       "warnings_yellow", "warnings_red", "ratings", "bad_ratings"))
    assert 0 < report["on_time_rate"] < 1 and report["reductions"]["visits"] > 0


def test_csv_and_html_carry_the_same_figures(world):
    store, ctx, _, _ = world
    report = reports.ledger_report(store, ctx, PERIODS[0], "channel")
    csv_text = ledger_csv(report)
    assert csv_text.startswith("\ufeff") and "网上办理" in csv_text
    total_line = csv_text.strip().splitlines()[-1].split(",")
    assert total_line[:3] == ["合计", "total", str(report["totals"]["received"])]
    html = ledger_html(report)
    assert "2026年3月" in html and "按时办结率" in html and "合计" in html


def test_the_readmes_short_period_names_are_the_same_periods():
    from pydantic import ValidationError

    from services.oversight.commands import ReportQuery
    assert [ReportQuery.model_validate({"period": p}).period for p in ("week", "half-month", "month")] == [
        "weekly", "half-monthly", "monthly"]
    assert ReportQuery.model_validate({"period": "weekly"}).period == "weekly"
    with pytest.raises(ValidationError):
        ReportQuery.model_validate({"period": "yearly"})
