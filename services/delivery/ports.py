"""The ports delivery talks to the outside through: a courier and an SMS/notification gateway.

A real vendor plugs in by implementing these two Protocols (see services/delivery/README.md);
the simulated adapters in `simulated.py` are what the embedded default and the tests use.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol

from shared.errors import PermanentError, TransientError

TrackingCode = Literal["collected", "in_transit", "out_for_delivery", "delivered", "returned"]


@dataclass(frozen=True)
class ShipmentRequest:
    """One free-mail shipment. `idempotency_key` is the same on every retry of the same shipment."""
    idempotency_key: str
    case_id: str
    recipient_name: str = field(repr=False)
    recipient_phone: str | None = field(repr=False)
    address: str = field(repr=False)
    contents: str


@dataclass(frozen=True)
class Shipment:
    tracking_number: str
    courier: str


@dataclass(frozen=True)
class TrackingEvent:
    code: TrackingCode
    at: datetime
    note: str = ""


@dataclass(frozen=True)
class SmsMessage:
    """One text message. The gateway must send a `message_id` at most once."""
    message_id: str
    phone: str = field(repr=False)
    text: str = field(repr=False)


class CourierUnavailable(TransientError):
    """The courier did not answer (timeout, outage): the booking may or may not exist; retry with the same key."""


class CourierRefused(PermanentError):
    """The courier will not carry this shipment (address outside its area and the like)."""


class GatewayUnavailable(TransientError):
    """The SMS gateway did not answer: retry with the same message id."""


class Courier(Protocol):
    name: str

    def book(self, request: ShipmentRequest) -> Shipment:
        """Book, or return the shipment already booked under `request.idempotency_key`."""

    def track(self, tracking_number: str) -> list[TrackingEvent]:
        """Every tracking event of the shipment so far, oldest first."""


class Notifier(Protocol):
    def send(self, message: SmsMessage) -> str:
        """Send once per `message.message_id`; returns the gateway's id for it."""


@dataclass(frozen=True)
class Ports:
    """The courier and the SMS gateway of this deployment, built together from the settings (adapters.py)."""
    courier: Courier
    notifier: Notifier
