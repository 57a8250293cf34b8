"""The official working-day calendar of mainland China, used for every statutory time limit.

Data: the `chinesecalendar` package plus admin-loaded State Council notices in
`shared/data/calendar-overrides.yaml`. Uncovered years fail loudly or are marked provisional.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import chinese_calendar
import yaml

from shared.logging import get_logger

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEFAULT_OVERRIDES = Path(__file__).parent / "data" / "calendar-overrides.yaml"
ONE_DAY = timedelta(days=1)
LOG = get_logger("yici.calendar")


class CalendarNotCovered(LookupError):
    """No official data for a year: deadlines there would be guesses."""

    def __init__(self, year: int):
        self.year = year
        super().__init__(
            f"no official working-day calendar for {year}: add the State Council holiday notice "
            f"for {year} to the calendar_overrides file (default {DEFAULT_OVERRIDES}) with published: true"
        )


class OverrideFileError(ValueError):
    """The override file does not follow the documented format."""


@dataclass(frozen=True)
class YearOverride:
    """One year's official schedule: holidays and adjusted working days (调休)."""

    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]
    published: bool
    source: str = ""

    def is_workday(self, d: date) -> bool:
        return d in self.workdays or (d.weekday() < 5 and d not in self.holidays)


@dataclass(frozen=True)
class Due:
    """A due date; provisional when part of it was counted by the weekends-only rule."""

    date: date
    provisional: bool = False


def today_in_shanghai(now: datetime | None = None) -> date:
    """The calendar date in Asia/Shanghai at the aware instant `now` (default: now)."""
    now = now or datetime.now(timezone.utc)
    if now.tzinfo is None:
        raise ValueError("today_in_shanghai needs an aware datetime, got a naive one")
    return now.astimezone(SHANGHAI).date()


def _library_years() -> range:
    known = chinese_calendar.holidays.keys()
    return range(min(known).year, max(known).year + 1)


@cache
def _library_workdays(year: int) -> frozenset[date]:
    days = (date(year, 1, 1) + k * ONE_DAY for k in range(366))
    return frozenset(d for d in days if d.year == year and chinese_calendar.is_workday(d))


class WorkingCalendar:
    """Working days on the official calendar: weekends and holidays off, 调休 days on."""

    def __init__(self, overrides: Iterable[YearOverride] = ()):
        self._overrides = {o.year: o for o in overrides if o.published}
        self._library = _library_years()

    @classmethod
    def from_file(cls, path: Path | str = DEFAULT_OVERRIDES) -> WorkingCalendar:
        """The package data plus the published years of an override file (default: shipped)."""
        return cls(load_overrides(path))

    def is_covered(self, year: int) -> bool:
        return year in self._overrides or year in self._library

    def is_workday(self, d: date) -> bool:
        """Whether `d` is an official working day; CalendarNotCovered for unknown years."""
        if d.year in self._overrides:
            return self._overrides[d.year].is_workday(d)
        if d.year in self._library:
            return d in _library_workdays(d.year)
        raise CalendarNotCovered(d.year)

    def add_workdays(self, start: date, n: int, *, strict: bool = False) -> Due:
        """The n-th working day after `start` (start itself never counts; n=0 gives start)."""
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        day, counted, provisional = start, 0, False
        while counted < n:
            day += ONE_DAY
            working, guessed = self._classify(day, strict)
            counted += working
            provisional = provisional or guessed
        return Due(day, provisional)

    def due(self, start: date, n: int, strict: bool = False) -> Due:
        """Like add_workdays; strict raises CalendarNotCovered instead of a provisional due."""
        return self.add_workdays(start, n, strict=strict)

    def workdays_between(self, a: date, b: date) -> int:
        """Working days after `a` up to and including `b`; negative when b < a."""
        if b < a:
            return -self.workdays_between(b, a)
        return sum(self.is_workday(a + k * ONE_DAY) for k in range(1, (b - a).days + 1))

    def covered_until(self) -> date:
        """Last day of the unbroken run of years with official data."""
        year = self._library.start
        while self.is_covered(year + 1):
            year += 1
        return date(year, 12, 31)

    def coverage_warning(self, today: date, days: int = 60) -> str | None:
        """An alarm text when official data ends within `days` days of `today`, else None."""
        end = self.covered_until()
        left = (end - today).days
        if left > days:
            return None
        when = f"ended on {end}" if left < 0 else f"ends on {end} ({left} days left)"
        return (
            f"working-day calendar {when}: deadlines after it are provisional until the "
            f"State Council holiday notice for {end.year + 1} is added to the calendar_overrides file"
        )

    def _classify(self, d: date, strict: bool) -> tuple[bool, bool]:
        # Returns (is a working day, was guessed by the weekends-only rule).
        if self.is_covered(d.year) or strict:
            return self.is_workday(d), False
        return d.weekday() < 5, True


class CalendarFile:
    """A calendar built from an override file that an admin may edit while the services run: `current()` answers
    the calendar of the file's latest valid contents, re-reading it when its size or modification time changed.
    An invalid file at start is an error; an invalid edit later keeps the last good calendar and is logged."""

    def __init__(self, path: Path | str, kind: type[WorkingCalendar] = WorkingCalendar):
        self.path, self.kind = Path(path), kind
        self._stamp = self._read_stamp()
        self._calendar = kind.from_file(self.path)

    def current(self) -> WorkingCalendar:
        stamp = self._read_stamp()
        if stamp is not None and stamp != self._stamp:
            self._stamp = stamp  # an invalid edit is reported once, not on every call
            try:
                self._calendar = self.kind.from_file(self.path)
            except (OSError, OverrideFileError) as error:
                LOG.error(
                    "calendar_overrides_invalid", path=str(self.path), error=str(error),
                    action="kept the previous calendar; fix the file")
            else:
                LOG.info(
                    "calendar_overrides_loaded", path=str(self.path),
                    covered_until=self._calendar.covered_until().isoformat())
        return self._calendar

    def _read_stamp(self) -> tuple[int, int] | None:
        try:
            status = self.path.stat()
        except OSError:
            return None  # moved away for an edit, say: keep what was loaded
        return status.st_mtime_ns, status.st_size


_WATCHERS: dict[tuple[Path, type[WorkingCalendar]], CalendarFile] = {}


def calendar_file(path: Path | str = DEFAULT_OVERRIDES, kind: type[WorkingCalendar] = WorkingCalendar) -> CalendarFile:
    """One watcher per file and kind of calendar in a process (the embedded suite's services share it)."""
    key = (Path(path), kind)
    if key not in _WATCHERS:
        _WATCHERS[key] = CalendarFile(*key)
    return _WATCHERS[key]


def load_overrides(path: Path | str) -> list[YearOverride]:
    """Parse an override file; raise OverrideFileError with the year at fault."""
    try:
        document = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, ValueError) as error:  # YAML reads 2027-13-09 as a date, and fails on it
        raise OverrideFileError(f"{path}: not a readable YAML document: {error}") from None
    if not isinstance(document, Mapping):
        raise OverrideFileError(f"{path}: top level must be a mapping with a 'years' key")
    years = document.get("years") or {}
    if not isinstance(years, Mapping):
        raise OverrideFileError(f"{path}: 'years' must map a year to its schedule")
    return [_parse_year(year, entry or {}) for year, entry in years.items()]


def _parse_year(year: object, entry: object) -> YearOverride:
    if not isinstance(year, int) or not isinstance(entry, Mapping):
        raise OverrideFileError(f"year {year!r}: expected 'YYYY:' followed by a mapping")
    published, source = entry.get("published"), entry.get("source") or ""
    if not isinstance(published, bool):
        raise OverrideFileError(f"year {year}: 'published' must be true or false")
    if published and not str(source).strip():
        raise OverrideFileError(f"year {year}: a published year needs its 'source' notice")
    holidays = _parse_dates(year, "holidays", entry.get("holidays") or [])
    workdays = _parse_dates(year, "workdays", entry.get("workdays") or [])
    _check_consistent(year, holidays, workdays)
    return YearOverride(year, holidays, workdays, published, str(source))


def _parse_dates(year: int, key: str, values: object) -> frozenset[date]:
    if not isinstance(values, list):
        raise OverrideFileError(f"year {year}: '{key}' must be a list of dates")
    days = frozenset(_as_date(year, key, v) for v in values)
    outside = sorted(d for d in days if d.year != year)
    if outside:
        raise OverrideFileError(f"year {year}: '{key}' has dates of another year: {outside}")
    return days


def _as_date(year: int, key: str, value: object) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise OverrideFileError(f"year {year}: '{key}' has {value!r}, not a YYYY-MM-DD date") from None


def _check_consistent(year: int, holidays: frozenset[date], workdays: frozenset[date]) -> None:
    if holidays & workdays:
        raise OverrideFileError(f"year {year}: both holiday and working day: {sorted(holidays & workdays)}")
    # 调休 only ever turns a weekend day into a working day; a weekday here is a typo.
    weekdays = sorted(d for d in workdays if d.weekday() < 5)
    if weekdays:
        raise OverrideFileError(f"year {year}: 'workdays' lists Monday–Friday dates: {weekdays}")
