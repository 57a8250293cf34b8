"""Scale benchmark: the four-department matter at increasing load with 1, 2 and 4 replicas of one service.

Prints cases/s and p99 latency per configuration and the CPU per case of every service, which names the
busiest. Asserts nothing. Run: .venv/bin/python bench/scale.py [--service NAME] [--cases 300] [--rates 10,20,40]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from pipeline import INFRASTRUCTURE, measure, percentile, work_dir  # noqa: E402
from yici_testkit import Cluster, broker_vhost, postgres_database  # noqa: E402


def busiest(cpu: dict[str, float]) -> str:
    """The Yici service that used the most CPU (the broker's and database's figures are not candidates)."""
    services = {k: v for k, v in cpu.items() if k not in INFRASTRUCTURE}
    return max(services, key=services.get)


def configuration(service: str | None, replicas: int, args) -> list[tuple]:
    """One fresh deployment: warm up, find the busiest service if none was named, then each rate."""
    rows = []
    with work_dir("yici-scale-") as tmp, broker_vhost() as vhost, postgres_database() as db:
        cluster = Cluster(tmp, vhost, db).start()
        try:
            _, _, cpu, _ = measure(cluster, vhost, 50, None, 8)
            service = service or busiest(cpu)
            cluster.add_replicas(service, replicas - 1)
            for rate in args.rates:
                throughput, latencies, cpu, _ = measure(cluster, vhost, args.cases, rate, 16)
                p99 = percentile([v * 1000 for v in latencies], 99) if latencies else float("nan")
                per_case = {k: 1000 * v / max(len(latencies), 1) for k, v in cpu.items()}
                rows.append((service, replicas, rate, throughput, p99, per_case))
        finally:
            cluster.stop()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--service", default=None, help="service to replicate (default: the busiest)")
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--rates", type=lambda v: [float(x) for x in v.split(",")], default=[10.0, 20.0, 40.0])
    parser.add_argument("--replicas", type=lambda v: [int(x) for x in v.split(",")], default=[1, 2, 4])
    args = parser.parse_args()
    service = args.service
    print(f"{'service':<10} {'replicas':>8} {'offered/s':>9} {'cases/s':>8} {'p99 ms':>9}   CPU ms per case")
    for replicas in args.replicas:
        for name, count, rate, throughput, p99, per_case in configuration(service, replicas, args):
            service = name
            cpu = ", ".join(f"{k} {v:.1f}" for k, v in per_case.items())
            print(f"{name:<10} {count:>8} {rate:>9g} {throughput:>8.1f} {p99:>9.0f}   {cpu}", flush=True)


if __name__ == "__main__":
    main()
