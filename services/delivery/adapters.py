"""Choosing the courier and SMS adapters from the settings (only simulated ones ship with the project)."""
from __future__ import annotations

import logging

from services.delivery.ports import Ports
from services.delivery.simulated import SimulatedCourier, SimulatedSmsGateway
from shared.config import Settings, SimulatedCourierFaults
from shared.db import make_engine

log = logging.getLogger(__name__)


def build(settings: Settings) -> tuple[Ports, object]:
    """The ports and the engine they hold (dispose it on stop)."""
    engine = make_engine(settings.database_url_for("delivery"), pool_size=2)
    courier = settings.delivery.courier
    if courier.faults != SimulatedCourierFaults():  # a drill: say so, a forgotten one would look like a bug
        log.warning("simulated courier faults armed: %s", courier.faults.model_dump())
    return Ports(SimulatedCourier(engine, courier.name, courier.faults), SimulatedSmsGateway(engine)), engine
