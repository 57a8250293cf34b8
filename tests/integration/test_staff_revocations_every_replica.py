"""A sign-out and a disabled account reach every replica of every service, also one started afterwards.

Before the staff stream, intake's two replicas competed for the staff events on their one queue: the replica that
did not get the sign-out still accepted the ended session's cookie, and a replica started later knew of no
sign-out at all. Now each process reads the stream (shared/providers/staff_feed.py) from its start."""
from __future__ import annotations

import re
import subprocess

import pytest
import requests

from yici_testkit import BIN, ROOT, Cluster, wait_for

pytestmark = [pytest.mark.rabbit, pytest.mark.postgres]
PASSWORD = "hall-staff-password-2"
WINDOW_CASES = "/api/v1/window/cases"
DISTRIBUTED = str(ROOT / "deploy" / "config" / "distributed.yaml")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    from yici_testkit import broker_vhost, postgres_database, require_postgres, require_rabbit
    require_rabbit()
    require_postgres()
    with broker_vhost() as vhost, postgres_database() as pg_url:
        cluster = Cluster(tmp_path_factory.mktemp("staff-stream"), vhost, pg_url).start("intake", "oversight")
        cluster.add_replicas("intake", 1)
        for account in ("zc11", "zc12"):
            added = subprocess.run([str(BIN / "yici"), "users", "add", account, "--config", DISTRIBUTED, "--name", f"综窗 {account}",
                                    "--role", "window_clerk", "--password-stdin"], env=cluster.env,
                                   input=PASSWORD + "\n", text=True, capture_output=True, timeout=60)
            assert added.returncode == 0, added.stderr
        yield cluster
        cluster.stop()


def intakes(cluster) -> list:
    return [cluster.processes["intake"], *cluster.extra_replicas["intake"]]


def sign_in(cluster, account: str) -> requests.Session:
    session = requests.Session()
    answer = session.post(cluster.url("oversight", "/staff/signin"), allow_redirects=False, timeout=30,
                          data={"account_id": account, "password": PASSWORD})
    assert answer.status_code == 303, answer.text
    return session


def status_on(process, cookie: str) -> int:
    return requests.get(process.url(WINDOW_CASES), cookies={"yici_staff": cookie}, timeout=10).status_code


def test_a_sign_out_is_refused_by_every_replica_and_by_one_started_later(cluster):
    clerk = sign_in(cluster, "zc11")
    cookie = clerk.cookies.get("yici_staff")
    assert [status_on(p, cookie) for p in intakes(cluster)] == [200, 200]
    page = clerk.get(cluster.url("intake", "/"), timeout=10).text  # the header's sign-out form
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert csrf, page
    out = clerk.post(cluster.url("oversight", "/staff/signout"), data={"csrf": csrf.group(1)},
                     allow_redirects=False, timeout=10)
    assert out.status_code == 303
    wait_for(lambda: [status_on(p, cookie) for p in intakes(cluster)] == [401, 401], timeout=20,
             what="both intake replicas refusing the ended session")
    late = cluster.add_replicas("intake", 1)[0]
    wait_for(lambda: status_on(late, cookie) == 401, timeout=20, what="a replica started later refusing it")


def test_a_disabled_account_is_refused_by_every_replica(cluster):
    cookie = sign_in(cluster, "zc12").cookies.get("yici_staff")
    assert {status_on(p, cookie) for p in intakes(cluster)} == {200}
    disabled = subprocess.run([str(BIN / "yici"), "users", "disable", "zc12", "--config", DISTRIBUTED], env=cluster.env, text=True,
                              capture_output=True, timeout=60)
    assert disabled.returncode == 0, disabled.stderr
    wait_for(lambda: {status_on(p, cookie) for p in intakes(cluster)} == {401}, timeout=20,
             what="every intake replica refusing the disabled account's session")
