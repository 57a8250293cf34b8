"""Load from the outside: cases submitted at a rate, each retried with its own Idempotency-Key until answered,
and every attempt recorded (status, headers that matter, duration); readiness probed meanwhile."""
from __future__ import annotations

import json
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass

import requests

from yici_testkit import AUTH, case_body, with_uploads

RETRY_STATUSES = {429, 503}
RETRY_AFTER_CAP = 2.0
MIN_PAUSE = 0.05  # between two tries of one case, whatever Retry-After says
HUNG_SECONDS = 30.0
REQUEST_TIMEOUT = (5, 45)


@dataclass(frozen=True)
class Attempt:
    """One POST of one case: when it started (wall clock), how long it took, what came back."""
    case: int
    started: float
    seconds: float
    status: int | None  # None: no HTTP answer (refused, reset, timed out)
    error: str = ""
    retry_after: str | None = None
    problem_body: bool = False  # a JSON body with "problems", as every error of the API has

    @property
    def retryable(self) -> bool:
        return self.status is None or self.status >= 500 or self.status in RETRY_STATUSES


class LoadDriver:
    """Submits `rate` cases a second from a thread, for `duration` seconds at most or until `finish`; each case
    is POSTed until it gets 201/200 (retrying connection errors, 5xx, 429 and 503 with the same key, honouring
    Retry-After up to RETRY_AFTER_CAP) or `give_up` seconds pass."""

    def __init__(self, base_url: str, matters: tuple[str, ...], rate: float = 10, duration: float = 30,
                 give_up: float = 120, workers: int = 64):
        self.base_url, self.rate, self.duration, self.give_up = base_url, rate, duration, give_up
        self.bodies = [with_uploads(base_url, case_body(m)) for m in matters]
        self.key_prefix = f"fault-{uuid.uuid4().hex[:8]}-"
        self.attempts: list[Attempt] = []
        self.acknowledged: dict[int, str] = {}  # case number -> case_id
        self.refused: dict[int, Attempt] = {}  # answered with a status that retrying cannot change
        self.gave_up: list[int] = []
        self.submitted = 0
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="load")
        self._futures: list = []
        self._stop = threading.Event()
        self._end_at = float("inf")
        self._thread = threading.Thread(target=self._schedule, name="load-scheduler", daemon=True)

    def __enter__(self) -> "LoadDriver":
        self.started = time.time()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        if exc[0] is not None:
            self._stop.set()
        self.join()

    def _schedule(self) -> None:
        begin = time.monotonic()
        for n in range(int(self.rate * self.duration)):
            due = begin + n / self.rate
            if due > self._end_at or self._stop.wait(max(0.0, due - time.monotonic())):
                return
            self.submitted += 1
            self._futures.append(self._pool.submit(self._case, n))

    def finish(self, after: float) -> None:
        """Submit no case later than `after` seconds from now (the cases under way go on being retried)."""
        self._end_at = time.monotonic() + after

    def join(self) -> None:
        """Wait (bounded) until the schedule ended and every case was acknowledged, refused or given up."""
        self._thread.join(self.duration + 10)
        done, pending = wait(list(self._futures), timeout=self.give_up + 60)
        for future in done:
            future.result()
        assert not pending, f"{len(pending)} cases still being submitted after {self.give_up + 60}s"
        self._pool.shutdown(wait=False)

    def _case(self, n: int) -> None:
        key, body = f"{self.key_prefix}{n}", self.bodies[n % len(self.bodies)]
        deadline, pause = time.monotonic() + self.give_up, 0.2
        for _ in range(int(self.give_up / MIN_PAUSE)):
            if time.monotonic() >= deadline or self._stop.is_set():
                break
            attempt, case_id = self._post(n, key, body)
            self.attempts.append(attempt)
            if case_id is not None:
                self.acknowledged[n] = case_id
                return
            if not attempt.retryable:
                self.refused[n] = attempt
                return
            time.sleep(max(MIN_PAUSE, min(_hinted(attempt.retry_after, pause), deadline - time.monotonic())))
            pause = min(2 * pause, RETRY_AFTER_CAP)
        self.gave_up.append(n)

    def _post(self, n: int, key: str, body: dict) -> tuple[Attempt, str | None]:
        started, clock = time.time(), time.monotonic()
        headers = {**AUTH, "Content-Type": "application/json", "Idempotency-Key": key}
        try:
            response = requests.post(f"{self.base_url}/api/v1/cases", data=json.dumps(body), headers=headers,
                                     timeout=REQUEST_TIMEOUT)
        except requests.RequestException as exc:
            return Attempt(n, started, time.monotonic() - clock, None, type(exc).__name__), None
        attempt = Attempt(n, started, time.monotonic() - clock, response.status_code,
                          retry_after=response.headers.get("Retry-After"), problem_body=_has_problems(response))
        ok = response.status_code in (200, 201)
        return attempt, (response.json()["case_id"] if ok else None)


def _hinted(retry_after: str | None, pause: float) -> float:
    try:
        return min(float(retry_after), RETRY_AFTER_CAP) if retry_after else pause
    except ValueError:
        return pause


def _has_problems(response: requests.Response) -> bool:
    try:
        return bool(response.json().get("problems"))
    except (ValueError, AttributeError):
        return False


@dataclass(frozen=True)
class Probe:
    at: float
    service: str
    status: int | None
    failing: dict
    degraded: dict


class Prober:
    """Polls every service's /readyz every `interval` s from a thread until stopped."""

    def __init__(self, urls: dict[str, str], interval: float = 0.5, longest: float = 900):
        self.urls, self.interval, self.longest = urls, interval, longest
        self.probes: list[Probe] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, name="readyz-prober", daemon=True)

    def __enter__(self) -> "Prober":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(30)

    def _poll(self) -> None:
        for _ in range(int(self.longest / self.interval)):
            for service, url in self.urls.items():
                self.probes.append(_probe(service, url))
            if self._stop.wait(self.interval):
                return

    def between(self, service: str, start: float, end: float) -> list[Probe]:
        return [p for p in self.probes if p.service == service and start <= p.at <= end]

    def failing(self, service: str, start: float, end: float) -> list[dict]:
        """What `service`'s /readyz said was failing between `start` and `end` (one entry per 503)."""
        return [p.failing for p in self.between(service, start, end) if p.status != 200]

    def ready_again(self, after: float) -> float | None:
        """When every service had answered 200 again after `after` (None: one never did)."""
        firsts = [next((p.at for p in self.probes if p.service == s and p.at >= after and p.status == 200), None)
                  for s in self.urls]
        return None if None in firsts else max(firsts)


def _probe(service: str, url: str) -> Probe:
    at = time.time()
    try:
        response = requests.get(url, timeout=5)
    except requests.RequestException:
        return Probe(at, service, None, {"http": "no answer"}, {})
    try:
        body = response.json()
    except ValueError:
        body = {"failing": {"body": response.text[:100]}}
    return Probe(at, service, response.status_code, body.get("failing") or {}, body.get("degraded") or {})
