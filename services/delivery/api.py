"""HTTP edge of delivery: the clerk's hand-over, the applicant's download and link, the read side."""
from __future__ import annotations

from werkzeug.wrappers import Request

from services.delivery import handover, views
from services.delivery.commands import ConfirmPickup
from services.delivery.handlers import Context
from shared.api import caller_address, parse_json_body
from shared.audit_edge import Auditor, department_scope, stated_purpose
from shared.config import Settings
from shared.errors import NotFound
from shared.messaging import Store


def delivery(request: Request, store: Store, settings: Settings, case_id: str) -> dict:
    """Delivery is the applicant's and the hall's business, not a department's: a department client is answered
    as if the case were unknown (delivery does not know the case's items). Every read is audited."""
    if department_scope(request) is not None:
        raise NotFound("case_id", case_id)
    found = views.delivery_view(store, case_id, reveal_code=request.environ["yici.client"].role == "frontend")
    Auditor("delivery", settings).record(store, request, "case.delivery.read",
                                         stated_purpose(request, "case_progress"), case_id=case_id)
    return found


def notifications(request: Request, store: Store, settings: Settings, case_id: str) -> dict:
    """The texts sent to the applicant (they name the applicant): audited."""
    found = views.notifications_view(store, case_id)
    Auditor("delivery", settings).record(store, request, "case.notifications.read",
                                         stated_purpose(request, "case_progress"), case_id=case_id)
    return found


def confirm_pickup(request: Request, store: Store, context: Context, case_id: str) -> dict:
    """A wrong code is refused after its failure is counted (committed)."""
    command = parse_json_body(request, ConfirmPickup)
    clerk = request.environ["yici.client"].name
    return store.run(handover.confirm_pickup, case_id, command.pickup_code, clerk, context,
                     caller_address(request), command.id_number).answer()


def download(store: Store, context: Context, token: str) -> dict:
    return store.run(handover.download, token, context)


def reissue_link(store: Store, context: Context, case_id: str) -> tuple[int, dict]:
    return 201, store.run(handover.reissue_link, case_id, context)
