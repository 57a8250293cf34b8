"""Where materials the applicant need not bring come from: the e-license library (电子证照库) and the shared-data
exchange (数据共享), as ports with adapters, and the chain that asks them in order.

A material the catalog marks `license_registry` is asked of the license libraries by its license type; one marked
`shared` is asked of the shared-data exchanges by its material code. Adapters: this system's own registry (the
licenses its approvals issued, which intake follows), the demo library shipped with the embedded default
(shared/data/demo-library.yaml, docs/demo-library.md) and the HTTP adapter of a regional library
(library_http.py, docs/library-http.md). The chain records which source answered each material; a source that
cannot be asked (down, timing out, its circuit open) makes the material `unavailable`, never `missing`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Iterable, Protocol

import yaml

DEMO_LIBRARY = Path(__file__).resolve().parents[2] / "shared" / "data" / "demo-library.yaml"


class SourceUnavailable(Exception):
    """The source could not be asked (down, timed out, refused, circuit open): say nothing about the holder."""

    def __init__(self, source: str, reason: str):
        super().__init__(f"{source}: {reason}")
        self.source, self.reason = source, reason


class LicenseLibrary(Protocol):
    """An e-license library: which of these license types does the holder hold, valid on `on`?"""
    name: str

    def holds(self, holder_id: str, license_types: set[str], on: date) -> set[str]: ...


class SharedData(Protocol):
    """A shared-data exchange: which of these materials can it supply for the holder?"""
    name: str

    def supplies(self, holder_id: str, material_codes: set[str]) -> set[str]: ...


@dataclass(frozen=True)
class Wanted:
    """One material to fetch: `license_type` for the license libraries, else the code for the exchanges."""
    code: str
    license_type: str | None = None


@dataclass
class Answer:
    """Per material code: the source that answered, or why nothing could be fetched."""
    found: dict[str, str] = field(default_factory=dict)          # code -> source name
    not_found: dict[str, str] = field(default_factory=dict)      # code -> reason ("not_held", "no_holder")
    unavailable: dict[str, str] = field(default_factory=dict)    # code -> "source: reason"

    @property
    def complete(self) -> bool:
        """Every source that could answer did: nothing waits on a source that was down."""
        return not self.unavailable


@dataclass(frozen=True)
class Chain:
    """The sources in the order they are asked; the first that has a material answers for it."""
    libraries: tuple[LicenseLibrary, ...] = ()
    exchanges: tuple[SharedData, ...] = ()

    def fetch(self, holder_id: str | None, wanted: Iterable[Wanted], on: date) -> Answer:
        wanted = list(wanted)
        answer = Answer()
        if not holder_id:
            answer.not_found.update({w.code: "no_holder" for w in wanted})
            return answer
        licenses = [w for w in wanted if w.license_type]
        shared = [w for w in wanted if not w.license_type]
        _ask(answer, self.libraries, licenses, lambda s, left: s.holds(holder_id, {w.license_type or ""
                                                                                   for w in left}, on),
             key=lambda w: w.license_type or "")
        _ask(answer, self.exchanges, shared, lambda s, left: s.supplies(holder_id, {w.code for w in left}),
             key=lambda w: w.code)
        return answer


def _ask(answer: Answer, sources, wanted: list[Wanted], ask, key) -> None:
    left, down = list(wanted), []
    for source in sources:
        if not left:
            break
        try:
            have = ask(source, left)
        except SourceUnavailable as exc:
            down.append(f"{exc.source}: {exc.reason}")
            continue
        answer.found.update({w.code: source.name for w in left if key(w) in have})
        left = [w for w in left if key(w) not in have]
    for w in left:
        if down:
            answer.unavailable[w.code] = "; ".join(down)
        else:
            answer.not_found[w.code] = "not_held"


class OwnRegistry:
    """The licenses this system's approvals issued (intake's copy, followed from approval's events)."""
    name = "registry"

    def __init__(self, cases):
        self.cases = cases

    def holds(self, holder_id: str, license_types: set[str], on: date) -> set[str]:
        return self.cases.license_types(holder_id, on) & license_types


class DemoLibrary:
    """The demo library of the embedded default: sample people and companies a newcomer can apply as
    (docs/demo-library.md). A company also holds its legal representative's resident ID card."""
    name = "demo-library"

    def __init__(self, path: Path = DEMO_LIBRARY):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        self.people = {p["id_number"]: p for p in data.get("people", [])}
        self.companies = {c["credit_code"]: c for c in data.get("companies", [])}

    def _entry(self, holder_id: str) -> dict:
        return self.people.get(holder_id) or self.companies.get(holder_id) or {}

    def holds(self, holder_id: str, license_types: set[str], on: date) -> set[str]:
        entry = self._entry(holder_id)
        held = {lic["type"] for lic in entry.get("licenses", [])
                if not lic.get("valid_until") or date.fromisoformat(str(lic["valid_until"])) >= on}
        representative = self.people.get(entry.get("legal_representative") or "")
        if representative is not None:
            held |= {"resident-id-card"} & {lic["type"] for lic in representative.get("licenses", [])}
        return held & license_types

    def supplies(self, holder_id: str, material_codes: set[str]) -> set[str]:
        return set(self._entry(holder_id).get("shared", [])) & material_codes


class DemoExchange(DemoLibrary):
    """The same demo file, as the shared-data exchange (its `shared:` lists)."""
    name = "demo-exchange"


_CHAINS: dict[str, Chain] = {}


def configured_chain(settings) -> Chain:
    """The external sources `settings` (LibrarySettings) name, built once per process so that a circuit
    breaker's state outlives the request that tripped it."""
    key = settings.model_dump_json()
    if key not in _CHAINS:
        libraries: list[LicenseLibrary] = []
        exchanges: list[SharedData] = []
        for source in settings.sources:
            if source == "demo":
                libraries.append(DemoLibrary())
                exchanges.append(DemoExchange())
            else:
                from services.intake.library_http import HttpLibrary
                http = HttpLibrary(settings)
                libraries.append(http)
                exchanges.append(http)
        _CHAINS[key] = Chain(tuple(libraries), tuple(exchanges))
    return _CHAINS[key]


def with_registry(chain: Chain, cases) -> Chain:
    """The chain with this system's own registry asked first (it needs the unit of work's repository)."""
    return Chain((OwnRegistry(cases), *chain.libraries), chain.exchanges)
