"""Benchmark: cases through the distributed deployment vs a raw-pika baseline on the same broker.

Prints cases/s, p50/p95/p99 submit-to-completed latency, peak RSS per service, and the baseline ratio.
Asserts nothing. `--rate 50` paces submissions for latency at a fixed load.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pika
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from yici_testkit import (  # noqa: E402
    AUTH,
    Cluster,
    amqp_uri,
    broker_vhost,
    case_body,
    free_port,
    pika_channel,
    postgres_database,
    with_uploads,
)

PUBLISHES_PER_CASE = 12  # submitted, accepted, 4 requested, 4 decided, completed, dispatched
INFRASTRUCTURE = ("rabbitmq", "postgres", "bench client")  # measured beside the services


class CompletionTap(threading.Thread):
    """Records when each case_completed reaches the broker, from a queue of its own (one per measurement:
    a finished tap's consumer must not take, and drop, the next measurement's completions)."""

    def __init__(self, vhost: str, exchange: str = "yici.events"):
        super().__init__(daemon=True)
        self.vhost, self.completed, self._stop = vhost, {}, threading.Event()
        self.queue = f"bench.completed.{uuid.uuid4().hex[:8]}"
        connection, channel = pika_channel(vhost)
        channel.queue_declare(self.queue, durable=False, auto_delete=False)
        channel.queue_bind(self.queue, exchange, "case_completed")
        connection.close()

    def run(self) -> None:
        connection, channel = pika_channel(self.vhost)
        for method, _props, body in channel.consume(self.queue, auto_ack=True, inactivity_timeout=0.2):
            if method is not None:
                self.completed[json.loads(body)["case_id"]] = time.perf_counter()
            if self._stop.is_set():
                break
        channel.cancel()
        channel.queue_delete(self.queue)
        connection.close()

    def stop(self) -> None:
        self._stop.set()


def submit_all(url: str, n: int, rate: float | None, workers: int, body: str | None = None) -> dict[str, float]:
    submitted: dict[str, float] = {}
    body = body or json.dumps(with_uploads(url, case_body("bankruptcy-check")))
    session_local = threading.local()
    start = time.perf_counter()

    def one(i: int) -> None:
        if rate:
            time.sleep(max(0.0, start + i / rate - time.perf_counter()))
        session = getattr(session_local, "s", None) or requests.Session()
        session_local.s = session
        t0 = time.perf_counter()
        response = session.post(f"{url}/api/v1/cases", data=body,
                                headers={**AUTH, "Content-Type": "application/json"}, timeout=60)
        response.raise_for_status()
        view = response.json()
        if view["status"] == "correction_requested":
            raise SystemExit(f"bench case was not accepted: {view['notice']}")
        submitted[view["case_id"]] = t0

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(one, range(n)))
    return submitted


def progress(tap: CompletionTap, n: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while len(tap.completed) < n and time.monotonic() < deadline:
        done = len(tap.completed)
        bar = "#" * (40 * done // n)
        print(f"\r  [{bar:<40}] {done}/{n} completed", end="", file=sys.stderr, flush=True)
        time.sleep(0.5)
    print(f"\r  [{'#' * 40}] {len(tap.completed)}/{n} completed", file=sys.stderr)


def cpu_seconds(cluster: Cluster) -> dict[str, float]:
    """User + system CPU each service (all its replicas) has used so far (from /proc/<pid>/stat)."""
    out: dict[str, float] = {}
    for name, process in _all_processes(cluster):
        out[name] = out.get(name, 0.0) + _pids_cpu_seconds([process.popen.pid])
    return out


def infrastructure_cpu_seconds() -> dict[str, float]:
    """CPU used so far by the broker's and the database's processes on this machine (from /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    out = dict.fromkeys(("rabbitmq", "postgres"), 0.0)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue
        command = raw[raw.index("(") + 1:raw.rindex(")")]
        owner = "rabbitmq" if command in ("beam.smp", "erl_child_setup") else (
            "postgres" if command.startswith("postgres") else None)
        if owner:
            fields = raw.rsplit(")", 1)[1].split()  # utime, stime, and reaped children's cutime, cstime
            out[owner] += sum(int(f) for f in fields[11:15]) / ticks
    return out


def client_cpu_seconds() -> float:
    """CPU this process (the submitters and the completion tap) has used so far: it shares the machine."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _all_processes(cluster: Cluster):
    yield from cluster.processes.items()
    for name, replicas in cluster.extra_replicas.items():
        yield from ((name, p) for p in replicas)


def peak_rss_mb(cluster: Cluster) -> dict[str, float]:
    out = {}
    for name, process in _all_processes(cluster):
        status = Path(f"/proc/{process.popen.pid}/status").read_text()
        kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM"))
        out[name] = max(out.get(name, 0.0), round(kb / 1024, 1))
    return out


def baseline_cases_per_second(vhost: str, n: int) -> float:
    """Publish with confirms and consume the same number of persistent messages per case, raw pika."""
    connection, channel = pika_channel(vhost)
    channel.queue_declare("bench.baseline", durable=True)
    channel.confirm_delivery()
    total, body = n * PUBLISHES_PER_CASE, b'{"event_type": "x", "payload": {}}' * 8
    consumed = [0]

    def consume() -> None:
        c_conn, c_chan = pika_channel(vhost)
        c_chan.basic_qos(prefetch_count=10)
        for method, _p, _b in c_chan.consume("bench.baseline", inactivity_timeout=5):
            if method is None:
                break
            c_chan.basic_ack(method.delivery_tag)
            consumed[0] += 1
            if consumed[0] >= total:
                break
        c_conn.close()

    consumer = threading.Thread(target=consume)
    started = time.perf_counter()
    consumer.start()
    props = pika.BasicProperties(delivery_mode=2, content_type="application/json")
    for _ in range(total):
        channel.basic_publish("", "bench.baseline", body, props)
    consumer.join()
    elapsed = time.perf_counter() - started
    connection.close()
    return n / elapsed


def bare_nameko_baseline(vhost: str, tmp: Path, cases: int, rate: float | None, workers: int,
                         body: str) -> tuple[float, float, list[float]]:
    """The issue's reference, measured here: the same flow as bare Nameko without a database (bare_nameko.py),
    five `nameko run` processes on the same broker, the same submitters at the same rate. Returns (cases/s,
    CPU ms per case of its processes and RabbitMQ, latencies)."""
    import bare_nameko
    port = free_port()
    config = tmp / "bare-nameko.yaml"
    config.write_text(f"AMQP_URI: '{amqp_uri(vhost)}'\nWEB_SERVER_ADDRESS: '127.0.0.1:{port}'\n")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent)}
    processes = [subprocess.Popen([sys.executable, "-m", "nameko", "run", "--config", str(config),
                                   f"bare_nameko:{cls}"], env=env, cwd=tmp, start_new_session=True,
                                  stdout=(tmp / f"{name}.log").open("ab"), stderr=subprocess.STDOUT)
                 for name, cls in bare_nameko.CLASSES.items()]
    try:
        _wait_for_consumers(vhost, bare_nameko.QUEUES, processes, timeout=60)
        tap = CompletionTap(vhost, exchange="bare_routing.events")
        tap.start()
        mode = f"paced at {rate:g} cases/s" if rate else f"unpaced, {workers} submitters"
        print(f"bare Nameko pipeline: {cases} cases, {mode}", file=sys.stderr)
        cpu_before = _pids_cpu_seconds([p.pid for p in processes]) + infrastructure_cpu_seconds()["rabbitmq"]
        started = time.perf_counter()
        submitted = submit_all(f"http://127.0.0.1:{port}", cases, rate, workers, body)
        progress(tap, cases, timeout=max(120, cases / 5))
        tap.stop()
        finished = max(tap.completed.values(), default=time.perf_counter())
        cpu = _pids_cpu_seconds([p.pid for p in processes]) + infrastructure_cpu_seconds()["rabbitmq"] - cpu_before
        latencies = [tap.completed[c] - t for c, t in submitted.items() if c in tap.completed]
        return len(latencies) / (finished - started), 1000 * cpu / max(len(latencies), 1), latencies
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait_for_consumers(vhost: str, queues: tuple[str, ...], processes, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    waiting = set(queues)
    while waiting and time.monotonic() < deadline:
        if any(p.poll() is not None for p in processes):
            raise SystemExit("a bare Nameko process exited at start; its log is in the bench's /tmp directory")
        for queue in list(waiting):
            connection, channel = pika_channel(vhost)
            try:
                if channel.queue_declare(queue, passive=True).method.consumer_count:
                    waiting.discard(queue)
            except pika.exceptions.ChannelClosedByBroker:
                pass  # not declared yet
            finally:
                if connection.is_open:
                    connection.close()
        time.sleep(0.2)
    if waiting:
        raise SystemExit(f"bare Nameko consumers missing after {timeout:g}s: {sorted(waiting)}")


def _pids_cpu_seconds(pids: list[int]) -> float:
    """User + system CPU these processes have used so far (from /proc/<pid>/stat)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def batch_counters(cluster: Cluster) -> dict[str, dict[str, float]]:
    """Per service (summed over its replicas' /metrics): batches, events in them, database commits."""
    names = {"yici_batch_events_count": "batches", "yici_batch_events_sum": "events",
             "yici_db_commits_total": "commits"}
    out: dict[str, dict[str, float]] = {}
    for service, process in _all_processes(cluster):
        totals = out.setdefault(service, dict.fromkeys(names.values(), 0.0))
        text = requests.get(process.url("/metrics"), timeout=10).text
        for line in text.splitlines():
            name, _, rest = line.partition("{")
            if name in names and f'service="{service}"' in rest:
                totals[names[name]] += float(line.rsplit(" ", 1)[1])
    return out


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=None, help="cases per second (paced mode)")
    parser.add_argument("--workers", type=int, default=16, help="concurrent submitters")
    parser.add_argument("--no-bare", action="store_true",
                        help="skip the bare Nameko pipeline measured after the main run (bare_nameko.py)")
    args = parser.parse_args()
    with work_dir("yici-bench-") as tmp, broker_vhost() as vhost, postgres_database() as db:
        cluster = Cluster(tmp, vhost, db).start()
        try:
            run(cluster, vhost, args, tmp)
        finally:
            cluster.stop()


@contextlib.contextmanager
def work_dir(prefix: str):
    """A fresh directory for a run's processes (logs, data); removed when the run succeeds, kept to read if not."""
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield tmp
    except BaseException:
        print(f"bench: logs kept in {tmp}", file=sys.stderr)
        raise
    shutil.rmtree(tmp, ignore_errors=True)


def measure(cluster: Cluster, vhost: str, cases: int, rate: float | None, workers: int):
    """Submit `cases`, wait for their completion; returns (throughput, latencies, CPU seconds by service)."""
    tap = CompletionTap(vhost)
    tap.start()
    mode = f"paced at {rate:g} cases/s" if rate else f"unpaced, {workers} submitters"
    print(f"yici bench: {cases} cases of bankruptcy-check (4 departments), {mode}", file=sys.stderr)
    counters_before = batch_counters(cluster)
    cpu_before = {**cpu_seconds(cluster), **infrastructure_cpu_seconds(), "bench client": client_cpu_seconds()}
    started = time.perf_counter()
    submitted = submit_all(cluster.url("intake", ""), cases, rate, workers)
    progress(tap, cases, timeout=max(120, cases / 5))
    tap.stop()
    finished = max(tap.completed.values(), default=time.perf_counter())
    latencies = [tap.completed[c] - t for c, t in submitted.items() if c in tap.completed]
    cpu_after = {**cpu_seconds(cluster), **infrastructure_cpu_seconds(), "bench client": client_cpu_seconds()}
    cpu = {k: v - cpu_before.get(k, 0.0) for k, v in cpu_after.items()}
    counters = {service: {k: v - counters_before[service][k] for k, v in totals.items()}
                for service, totals in batch_counters(cluster).items()}
    return len(latencies) / (finished - started), latencies, cpu, counters


def run(cluster: Cluster, vhost: str, args, tmp: Path) -> None:
    throughput, latencies, cpu, counters = measure(cluster, vhost, args.cases, args.rate, args.workers)
    rss = peak_rss_mb(cluster)
    baseline = baseline_cases_per_second(vhost, args.cases)
    body = json.dumps(with_uploads(cluster.url("intake", ""), case_body("bankruptcy-check")))
    bare = None if args.no_bare else bare_nameko_baseline(vhost, tmp, args.cases, args.rate, args.workers, body)
    report(args, len(latencies), throughput, latencies, rss, baseline, bare)
    per_case = {k: 1000 * v / max(len(latencies), 1) for k, v in cpu.items()}
    services = {k: v for k, v in per_case.items() if k not in INFRASTRUCTURE}
    print("CPU ms per case        " + ", ".join(f"{k} {v:.1f}" for k, v in services.items())
          + f" (busiest: {max(services, key=services.get)})")
    total = sum(per_case.values())
    report_batches(counters, max(len(latencies), 1))
    print(f"  + broker, database   rabbitmq {per_case['rabbitmq']:.1f}, postgres {per_case['postgres']:.1f},"
          f" bench client {per_case['bench client']:.1f};"
          f" all together {total:.1f} ms, so {os.cpu_count()} cores top out near "
          f"{os.cpu_count() * 1000 / total:.0f} cases/s on this machine")


def report_batches(counters: dict[str, dict[str, float]], cases: int) -> None:
    """Small batches are what makes a case cost more CPU at light load: each carries a transaction's fixed cost."""
    print("batches per case       " + ", ".join(
        f"{s} {c['batches'] / cases:.2f} ({c['events'] / c['batches']:.1f} events each)" if c["batches"]
        else f"{s} 0" for s, c in counters.items()))
    print("commits per case       " + ", ".join(f"{s} {c['commits'] / cases:.2f}" for s, c in counters.items()))


def report(args, completed, throughput, latencies, rss, baseline, bare) -> None:
    ms = [v * 1000 for v in latencies] or [float("nan")]
    print(f"completed              {completed}/{args.cases}")
    print(f"throughput             {throughput:.1f} cases/s")
    print(f"latency p50/p95/p99    {percentile(ms, 50):.0f} / {percentile(ms, 95):.0f} / {percentile(ms, 99):.0f} ms"
          f" (mean {statistics.fmean(ms):.0f} ms)")
    print("peak RSS per service   " + ", ".join(f"{k} {v} MB" for k, v in rss.items()))
    print(f"raw-pika baseline      {baseline:.1f} cases/s ({PUBLISHES_PER_CASE} confirmed persistent "
          f"publishes + consumes per case, same broker, same run)")
    print(f"ratio yici/baseline    {throughput / baseline:.3f}")
    if bare:
        bare_ms = [v * 1000 for v in bare[2]] or [float("nan")]
        print(f"bare Nameko pipeline   {bare[0]:.1f} cases/s, p50/p95/p99 {percentile(bare_ms, 50):.0f} / "
              f"{percentile(bare_ms, 95):.0f} / {percentile(bare_ms, 99):.0f} ms, {bare[1]:.1f} ms CPU per case with "
              "RabbitMQ (same events, consumers and load, no database; about 130 cases/s unpaced on the reference"
              " 2-core machine)")
        if not args.rate:
            print(f"ratio yici/bare Nameko {throughput / bare[0]:.3f}")


if __name__ == "__main__":
    main()
