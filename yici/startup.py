"""Checks a process makes of its settings before it starts services; importable without greening anything
(yici.runner imports shared.providers.boot, which monkey-patches the standard library of whoever imports it)."""
from __future__ import annotations

from shared.config import Settings
from shared.providers.amqp import broker_user_of
from shared.topology import broker_user


def refuse_wrong_broker_user(settings: Settings, services: list[str]) -> None:
    """With verify_publishers each service must connect as its own broker user, or every consumer would refuse
    its events: stop at once rather than dead-letter them all."""
    if not settings.verify_publishers:
        return
    user = broker_user_of(settings.amqp_uri)
    expected = [broker_user(s, settings.broker_user_prefix) for s in services]
    if expected != [user]:
        raise SystemExit(f"verify_publishers: the broker user is {user!r}, but {', '.join(services)} must connect "
                         f"as {' and '.join(expected)} (one service per process, its own user; deploy/README.md)")
