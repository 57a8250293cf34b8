"""HTTP edge of delivery: the clerk's hand-over, the applicant's download and link, the read side."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from werkzeug.wrappers import Request

from services.delivery import handover, views
from services.delivery.handlers import Delivery
from shared.api import parse_json_body
from shared.messaging import Store


class ConfirmPickup(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    pickup_code: str = Field(pattern=r"^\d{6}$", description="The six-digit code the applicant shows")


def delivery(request: Request, store: Store, case_id: str) -> dict:
    return views.delivery_view(store, case_id, reveal_code=request.environ["yici.client"].role == "frontend")


def confirm_pickup(request: Request, store: Store, ctx: Delivery, case_id: str) -> dict:
    body = parse_json_body(request, ConfirmPickup)
    clerk = request.environ["yici.client"].name
    with store.unit_of_work() as uow:
        return handover.confirm_pickup(uow, case_id, body.pickup_code, clerk, ctx.now())


def download(store: Store, ctx: Delivery, token: str) -> dict:
    with store.unit_of_work() as uow:
        return handover.download(uow, ctx, token)


def reissue_link(store: Store, ctx: Delivery, case_id: str) -> tuple[int, dict]:
    with store.unit_of_work() as uow:
        return 201, handover.reissue_link(uow, ctx, case_id)
