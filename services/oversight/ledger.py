"""The ledger (台账): per matter, department, channel or level, what happened in one period.

Definitions (also shipped in every report): a case is *received* on its submission day, *accepted*
on its acceptance day, *corrected* when a correction notice went out in the period, *completed* or
*rejected* on that day, *not accepted* (不予受理) on the day its unanswered notice closed it; a
commitment is *missed* (承诺失信) on the day its deferred material's deadline was found passed. On-time rate and average working days cover the cases concluded (completed
or rejected) in the period; for departments they cover the department's items decided in the period.
A case counts once under its lead department and every department that handles one of its items. Reductions achieved add up,
over the cases completed in the period, what bundling saved against applying item by item (time:
the items' summed limits minus the working days actually used).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable

from services.oversight.domain import CaseState, shanghai_date
from services.oversight.periods import Period
from services.oversight.supervision import case_clock, clock_of, on_time, used_workdays
from shared.catalog import Catalog, CatalogError
from shared.catalog.reductions import reductions
from shared.workdays import WorkingCalendar

CHANNELS = {"online": "网上办理", "window": "窗口办理", "service_point": "便民服务站点", "bank_branch": "政银合作网点"}
LEVELS = {"village": "嘎查村", "township": "苏木镇", "banner": "旗区", "city": "市"}
TAKING = {"unrecorded": "未登记受理点"}
REDUCTIONS = ("time_days", "steps", "form_fields", "materials", "cost_yuan", "visits")
COUNTS = ("received", "accepted", "corrected", "completed", "rejected", "warnings_yellow", "warnings_red",
          "ratings", "bad_ratings", "not_accepted", "commitments_missed")


@dataclass
class Tally:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))
    concluded: int = 0
    in_time: int = 0
    working_days: int = 0
    score_total: int = 0
    saved: dict[str, float] = field(default_factory=lambda: dict.fromkeys(REDUCTIONS, 0.0))

    def figures(self) -> dict:
        return {**self.counts,
                "on_time_rate": round(self.in_time / self.concluded, 4) if self.concluded else None,
                "average_working_days": round(self.working_days / self.concluded, 2) if self.concluded else None,
                "average_rating": round(self.score_total / self.counts["ratings"], 2) if self.counts["ratings"] else None,
                "reductions": {k: round(v, 2) for k, v in self.saved.items()}}


def ledger(period: Period, by: str, states: Iterable[CaseState], warnings: Iterable, ratings: Iterable,
           catalog: Catalog, calendar: WorkingCalendar, breaches: Iterable = ()) -> dict:
    """The report: one row per key of `by`, and the totals (where every case counts once). By taking point, a
    row is labelled with the point's name and banner as the cases recorded them. `breaches`: the commitments
    missed (承诺失信) in the period."""
    by_case = {s.case_id: s for s in states}
    points = {p["code"]: f"{p['name']}（{p['banner']}）" for s in by_case.values()
              if (p := s.taking_point) and p.get("code")}
    rows: dict[str, Tally] = defaultdict(Tally)
    total = Tally()
    for state in by_case.values():
        _tally_case(state, period, by, rows, total, catalog, calendar)
    for w in warnings:
        keys = [w.department] if by == "department" else _keys(by_case.get(w.case_id), by, catalog)
        for tally in [rows[k] for k in keys] + [total]:
            tally.counts[f"warnings_{w.level}"] += 1
    for b in breaches:
        keys = [b.department] if by == "department" else _keys(by_case.get(b.case_id), by, catalog)
        for tally in [rows[k] for k in keys] + [total]:
            tally.counts["commitments_missed"] += 1
    for r in ratings:
        for tally in [rows[k] for k in _keys(by_case.get(r.case_id), by, catalog)] + [total]:
            tally.counts["ratings"] += 1
            tally.counts["bad_ratings"] += r.score <= 2
            tally.score_total += r.score
    return {"period": period.as_dict(), "by": by,
            "rows": [{"key": k, "label": label(by, k, catalog, points), **rows[k].figures()} for k in sorted(rows)],
            "totals": total.figures(), "definitions": __doc__.split("\n\n", 1)[1].strip()}


def _keys(state: CaseState | None, by: str, catalog: Catalog) -> list[str]:
    if state is None:
        return ["unknown"]
    if by == "department":
        lead = catalog.matters[state.matter_code].lead_department if state.matter_code in catalog.matters else None
        return sorted(set(state.departments) | ({lead} if lead else set())) or ["unknown"]
    if by == "taking_point":
        return [(state.taking_point or {}).get("code") or "unrecorded"]
    return [{"matter": state.matter_code, "channel": state.channel, "level": state.level}[by] or "unknown"]


def _tally_case(state: CaseState, period: Period, by: str, rows: dict, total: Tally, catalog: Catalog,
                calendar: WorkingCalendar) -> None:
    tallies = [rows[k] for k in _keys(state, by, catalog)]
    events = {"received": _day(state.submitted_at or state.accepted_at), "accepted": _day(state.accepted_at),
              "completed": _day(state.completed_at), "rejected": _day(state.rejected_at),
              "not_accepted": _day(state.not_accepted_at)}
    happened = [name for name, day in events.items() if day in period]
    happened += ["corrected"] if any(d in period for d in state.corrections) else []
    for tally in tallies + [total]:
        for name in happened:
            tally.counts[name] += 1
    verdict = _case_verdict(state, period, calendar)
    for tally in ([] if by == "department" else tallies) + [total]:
        _add_verdict(tally, verdict)
    if by == "department":
        for department, item_verdict in _item_verdicts(state, period, calendar):
            _add_verdict(rows[department], item_verdict)
    if "completed" in happened:
        saved = _saved(catalog, state, verdict[1] if verdict else None)
        for tally in tallies + [total]:
            for k, v in saved.items():
                tally.saved[k] += v


def _day(moment):
    return shanghai_date(moment) if moment else None


def _case_verdict(state: CaseState, period: Period, calendar: WorkingCalendar) -> tuple[bool, int] | None:
    clock = case_clock(state)
    concluded = _day(state.completed_at or state.rejected_at)
    if clock is None or concluded not in period:
        return None
    return on_time(clock, concluded, calendar), used_workdays(clock, concluded, calendar)


def _item_verdicts(state: CaseState, period: Period, calendar: WorkingCalendar):
    for item in state.items.values():
        if item.decided and item.requested_on and item.decided_on is not None and item.decided_on in period:
            clock = clock_of(item.requested_on, item.promised_days, item.stops)
            yield item.department, (on_time(clock, item.decided_on, calendar),
                                    used_workdays(clock, item.decided_on, calendar))


def _add_verdict(tally: Tally, verdict: tuple[bool, int] | None) -> None:
    if verdict is not None:
        tally.concluded += 1
        tally.in_time += verdict[0]
        tally.working_days += verdict[1]


def _saved(catalog: Catalog, state: CaseState, used_days: int | None) -> dict[str, float]:
    measured = _reductions(catalog, state.matter_code or "", tuple(state.situations))
    if measured is None:
        return {}
    saved = dict(measured)
    if used_days is not None:
        saved["time_days"] = saved.pop("_time_before") - used_days
    else:
        saved.pop("_time_before")
    return saved


_CACHE: dict[tuple, tuple | None] = {}


def _reductions(catalog: Catalog, matter: str, situations: tuple) -> tuple | None:
    key = (id(catalog), catalog.version, matter, situations)
    if key not in _CACHE:
        _CACHE[key] = _measure(catalog, matter, situations)
    return _CACHE[key]


def _measure(catalog: Catalog, matter: str, situations: tuple) -> tuple | None:
    try:
        r = reductions(catalog, matter, situations)
    except (CatalogError, KeyError, ValueError):
        return None
    return (("time_days", r.time.saved), ("_time_before", r.time.before), ("steps", r.steps.saved),
            ("form_fields", r.form_fields.saved), ("materials", r.materials.saved),
            ("cost_yuan", r.cost.saved), ("visits", r.visits.saved))


def label(by: str, key: str, catalog: Catalog, points: dict[str, str] | None = None) -> str:
    if by == "matter" and key in catalog.matters:
        return catalog.matters[key].name
    if by == "department" and key in catalog.departments:
        return catalog.departments[key].name
    return {"channel": CHANNELS, "level": LEVELS, "taking_point": {**TAKING, **(points or {})}}.get(by, {}).get(key, key)
