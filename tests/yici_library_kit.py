"""A fake regional e-license library and shared-data exchange (docs/library-http.md) on 127.0.0.1, for tests.

`server.mode`: "ok" answers a fixed set (resident ID card, household register, an expired business licence;
the birth record), "all" holds everything asked, "down" answers 503, "slow" answers after a second.
"""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class FakeLibrary(BaseHTTPRequestHandler):
    """A regional library as docs/library-http.md describes it; `server.mode` makes it misbehave."""

    def do_POST(self):
        server = self.server
        server.requests.append((self.path, json.loads(self.rfile.read(int(self.headers["Content-Length"]))),
                                self.headers.get("Authorization")))
        if server.mode == "down":
            return self._send(503, {"error": "maintenance"})
        if server.mode == "slow":
            time.sleep(1.0)
        body = server.requests[-1][1]
        if self.path == "/v1/licenses/lookup":
            held = {"resident-id-card": None, "household-register": None, "business-license": "2020-01-01"}
            if server.mode == "all":
                held = dict.fromkeys(body["license_types"])
            licenses = [{"license_type": t, "number": f"N-{t}", "valid_until": held[t]}
                        for t in body["license_types"] if t in held]
            return self._send(200, {"holder_id": body["holder_id"], "licenses": licenses})
        if self.path == "/v1/shared/lookup":
            return self._send(200, {"holder_id": body["holder_id"], "records": [
                {"material": m, "reference": f"R-{m}"} for m in body["materials"]
                if m == "birth-record" or server.mode == "all"]})
        return self._send(404, {"error": "no such path"})

    def _send(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_library():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeLibrary)
    server.mode, server.requests = "ok", []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
