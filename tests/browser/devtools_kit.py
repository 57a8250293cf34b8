"""A headless chromium and one page of it, driven over the DevTools protocol on a pipe.

--remote-debugging-pipe: the test types into the real forms and clicks the real links, and cookies stay in
the browser, as for a person at a desk. No port is opened and nothing is downloaded.
"""
from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

from chromium_kit import FLAGS, require_tool

# What chromium answers when the page asked about navigated away (or is navigating) meanwhile.
NAVIGATING = ("Inspected target navigated or closed", "Execution context was destroyed",
              "Cannot find context with specified id", "Cannot find default execution context")


class DevToolsError(AssertionError):
    """Chromium answered a command with an error."""

    def __init__(self, method: str, error: dict):
        super().__init__(f"{method}: {error}")
        self.error = error
        self.navigating = any(text in str(error.get("message", "")) for text in NAVIGATING)


class DevTools:
    """A headless chromium and one page of it, spoken to over --remote-debugging-pipe (NUL-framed JSON)."""

    def __init__(self, profile: Path, size=(1400, 1800)):
        to_child, self._commands = os.pipe()
        self._events, from_child = os.pipe()
        os.set_inheritable(to_child, True)
        os.set_inheritable(from_child, True)
        command = [require_tool("chromium"), *FLAGS, "--remote-debugging-pipe", f"--user-data-dir={profile}",
                   f"--window-size={size[0]},{size[1]}", "about:blank"]
        # The child finds the pipe at fds 3 and 4; only our two inheritable pipes are passed on.
        self.process = subprocess.Popen(command, close_fds=False, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL,
                                        preexec_fn=lambda: (os.dup2(to_child, 3), os.dup2(from_child, 4)))
        os.close(to_child)
        os.close(from_child)
        self._reader = os.fdopen(self._events, "rb")
        self._next, self._buffer = 0, b""
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]

    def call(self, method: str, session: str | None = None, **params) -> dict:
        self._next += 1
        message = {"id": self._next, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise DevToolsError(method, reply["error"])
                return reply["result"]

    def _read(self) -> dict:
        while b"\0" not in self._buffer:
            chunk = os.read(self._events, 1 << 16)
            assert chunk, "chromium closed the DevTools pipe"
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def page(self, method: str, **params) -> dict:
        return self.call(method, self.session, **params)

    def evaluate(self, expression: str):
        return self.page("Runtime.evaluate", expression=expression, returnByValue=True)["result"].get("value")

    def wait(self, expression: str, timeout: float = 20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                value = self.evaluate(expression)
            except DevToolsError as error:
                # A form submitted or a link clicked just before: the page being asked is going away.
                if not error.navigating:
                    raise
                value = None
            if value:
                return value
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {expression}")

    def close(self) -> None:
        try:
            self.call("Browser.close")
        except (DevToolsError, AssertionError, OSError):
            pass
        self.process.wait(20)
        os.close(self._commands)
        self._reader.close()
