"""HTTP and event handling don't starve each other: slow clients cost only HTTP capacity, stale requests are
refused unprocessed, and a worker stuck past its limit makes /healthz fail.

The suite runs with one HTTP worker, a 2 s request deadline and a 6 s body timeout, so each limit is reached
within seconds. Slow clients connect from 127.0.0.2 (loopback), so the per-client limit spares the others.
"""
from __future__ import annotations

import http.client
import json
import socket
import time
from concurrent.futures import Future, ThreadPoolExecutor

import pytest
import requests

from yici_testkit import AUTH, PDF, TOKEN, case_body, embedded_suite, submit, wait_for, with_uploads

SLOW_CLIENT = "127.0.0.2"
REQUESTS_PER_CLIENT = 4


@pytest.fixture(scope="module")
def suite(tmp_path_factory):
    with embedded_suite(tmp_path_factory.mktemp("isolation"), YICI_HTTP_WORKERS="1", YICI_REQUEST_DEADLINE="2",
                        YICI_HTTP_BODY_TIMEOUT="6", YICI_HTTP_REQUESTS_PER_CLIENT=str(REQUESTS_PER_CLIENT),
                        YICI_WEDGED_AFTER="2") as process:
        yield process


def _slow_sender(port: int, path: str, length: int) -> socket.socket:
    """A client that sends its headers and the first bytes of a body, then goes quiet."""
    sock = socket.create_connection(("127.0.0.1", port), source_address=(SLOW_CLIENT, 0), timeout=20)
    sock.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n"
                 f"Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n{{".encode())
    return sock


def _status(sock: socket.socket) -> int:
    return int(sock.recv(200).split(b" ", 2)[1])


@pytest.mark.timeout(60)
def test_slow_senders_hold_no_worker_and_are_cut_off_while_cases_flow(suite):
    held = []
    for _ in range(REQUESTS_PER_CLIENT):
        held.append(_slow_sender(suite.port, "/api/v1/cases", 500))
        time.sleep(0.2)
    refused = _slow_sender(suite.port, "/api/v1/cases", 500)
    assert _status(refused) == 429, "a client past its limit is answered at once, unread"
    started = time.monotonic()
    case = submit(suite.url(""), case_body("bankruptcy-check"))
    assert case.status_code == 201, case.text
    case_url = suite.url(f"/api/v1/cases/{case.json()['case_id']}")
    wait_for(lambda: requests.get(case_url, headers=AUTH, timeout=10).json()["status"] in ("completed", "delivered"),
             timeout=20, what="the case completes while the slow clients hold their connections")
    assert time.monotonic() - started < 6, "the case went through before the slow bodies timed out"
    assert [_status(sock) for sock in held] == [408] * REQUESTS_PER_CLIENT, "slow bodies are cut off"
    for sock in held + [refused]:
        sock.close()


@pytest.mark.timeout(60)
def test_a_request_that_waited_past_its_deadline_is_refused_unprocessed(suite):
    body = with_uploads(suite.url(""), case_body("bankruptcy-check"))  # its materials uploaded before the wedge
    upload = _in_background(_slow_upload, suite.port, 4.0)
    time.sleep(0.5)  # the upload now holds the only HTTP worker, for about 4 s
    key = {"Idempotency-Key": f"deadline-{time.time_ns()}"}
    wedged = requests.get(suite.url("/healthz"), timeout=10)
    waited = submit(suite.url(""), body, headers=key)
    upload.result()
    assert wedged.status_code == 200, "not wedged yet: the worker had run for less than 2 s"
    assert waited.status_code == 503 and waited.headers["Retry-After"] == "5", waited.text
    assert waited.json()["problems"][0]["code"] == "request_expired"
    again = submit(suite.url(""), body, headers=key)
    assert again.status_code == 201, "201, not 200 (a replay): the expired request created no case"


@pytest.mark.timeout(60)
def test_a_worker_stuck_past_its_limit_fails_healthz_until_it_ends(suite):
    upload = _in_background(_slow_upload, suite.port, 4.0)
    wedged = wait_for(lambda: _unhealthy(suite), timeout=10, what="/healthz to report the stuck worker")
    upload.result()
    assert "running for" in json.dumps(wedged["wedged"])
    ready = requests.get(suite.url("/readyz"), timeout=10)
    assert requests.get(suite.url("/healthz"), timeout=10).status_code == 200 and ready.status_code == 200


def _in_background(function, *args) -> Future:
    """Run `function` on a thread; the future's result() re-raises what failed there."""
    pool = ThreadPoolExecutor(1)
    future = pool.submit(function, *args)
    pool.shutdown(wait=False)
    return future


def _unhealthy(suite) -> dict | None:
    response = requests.get(suite.url("/healthz"), timeout=10)
    return response.json() if response.status_code == 503 else None


def _slow_upload(port: int, seconds: float) -> None:
    """An upload larger than max_body_bytes (streamed by its handler, in a worker), sent over `seconds`."""
    chunk, pieces = 200_000, 8
    head, trailer = PDF[:-6], PDF[-6:]  # the padding goes inside the PDF, before its %%EOF trailer
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.putrequest("POST", "/api/v1/files")
    for name, value in {**AUTH, "Content-Type": "application/pdf",
                        "Content-Length": str(len(PDF) + chunk * pieces)}.items():
        connection.putheader(name, value)
    connection.endheaders(head)
    for _ in range(pieces):
        time.sleep(seconds / pieces)
        connection.send(b"0" * chunk)
    connection.send(trailer)
    response = connection.getresponse()
    assert response.status == 201, response.read()
    connection.close()
