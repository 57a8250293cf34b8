"""HTTP edge of delivery: the clerk's hand-over, the applicant's download and link, the read side."""
from __future__ import annotations

from werkzeug.wrappers import Request

from services.delivery import handover, views
from services.delivery.commands import ConfirmPickup
from services.delivery.handlers import Context
from shared.api import caller_address, parse_json_body
from shared.messaging import Store


def delivery(request: Request, store: Store, case_id: str) -> dict:
    return views.delivery_view(store, case_id, reveal_code=request.environ["yici.client"].role == "frontend")


def notifications(store: Store, case_id: str) -> dict:
    return views.notifications_view(store, case_id)


def confirm_pickup(request: Request, store: Store, context: Context, case_id: str) -> dict:
    """A wrong code is refused after its failure is counted (committed)."""
    command = parse_json_body(request, ConfirmPickup)
    clerk = request.environ["yici.client"].name
    return store.run(handover.confirm_pickup, case_id, command.pickup_code, clerk, context,
                     caller_address(request)).answer()


def download(store: Store, context: Context, token: str) -> dict:
    return store.run(handover.download, token, context)


def reissue_link(store: Store, context: Context, case_id: str) -> tuple[int, dict]:
    return 201, store.run(handover.reissue_link, case_id, context)
