"""A stand-in for the regional platform's single sign-on (蒙速办 / 政务服务网) in the /apply tests: an adapter of
the `RegionalSignOn` port (services/intake/applicants.py) whose "platform" sends the browser straight back with a
ticket naming the number; a ticket that does not start with ok- is one the platform refuses."""
from __future__ import annotations

from typing import Mapping
from urllib.parse import urlencode

from services.intake.applicants import VerifiedApplicant


class FakePlatform:
    name = "fake-regional-platform"

    def authorize_url(self, state: str, return_to: str) -> str:
        return f"{return_to}?{urlencode({'ticket': 'ok-13900001111', 'state': state})}"

    def complete(self, params: Mapping[str, str], state: str) -> VerifiedApplicant | None:
        ticket = params.get("ticket", "")
        return VerifiedApplicant(ticket[3:], self.name) if ticket.startswith("ok-") else None


def platform(settings) -> FakePlatform:
    return FakePlatform()
