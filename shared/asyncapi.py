"""AsyncAPI 3.0 document of the event contract, for department systems: shared/events.py on shared/topology.py.

Payloads are the events' JSON Schemas exactly as in tests/contract/schemas (`event_json_schema`). Intake serves
the document at /api/v1/asyncapi.json; shared/asyncapi.json is the committed copy (tests/contract checks it, and
runs the AsyncAPI project's parser on it: tools/asyncapi).
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any, Iterable

from shared import topology
from shared.events import EVENT_TYPES, Event, event_json_schema

AMQP = {"bindingVersion": "0.3.0"}
DECIDED = "department_decided"
QUEUE: dict[str, Any] = {"durable": True, "exclusive": False, "autoDelete": False}
# What each event says (Chinese names from the glossary of DOMAIN.md) and which service publishes it.
ABOUT: dict[str, tuple[str, str]] = {
    "case_submitted": ("intake", "A case was submitted at a window (一窗受理) and goes to pre-review (初审)."),
    "correction_requested": ("intake", "Pre-review found deficiencies: the one correction notice (一次性补正告知)."),
    "case_accepted": ("intake", "The case was accepted (受理): its approval plan, one form (一表申请), delivery."),
    "approval_requested": ("routing", "One item (政务服务事项) of a case goes to its department for parallel "
                                      "approval (并联审批): everything the department needs to decide it."),
    "approval_cancelled": ("routing", "An item still with its department is no longer needed: stop work on it."),
    DECIDED: ("department systems", "A department system's decision on one request."),
    "decision_answered": ("approval", "The approval service's answer to a department system's decision: "
                                      "`recorded` once; any other status changed nothing."),
    "approval_decided": ("approval", "A department's decision on an item, as recorded (with e-licenses issued)."),
    "license_changed": ("approval", "An issued e-license was revoked (吊销/撤销), corrected (更正) or replaced "
                                    "(换发/补发) by its department, with the reason; intake's reuse of held licenses "
                                    "follows it."),
    "supplement_provided": ("intake", "The applicant supplied what a department asked for during approval."),
    "case_completed": ("routing", "Every item approved: the case is done once (一次办成) and goes to delivery."),
    "case_rejected": ("routing", "An item was rejected: the case ends and its other items are cancelled. Carries "
                      "the legal basis, the items already approved with their licenses (still valid) and the "
                      "department's sealed written decision (不予许可决定书), delivered by the applicant's method."),
    "supplement_requested": ("routing", "A department asked the applicant for a supplement during approval: the "
                             "item's clock stopped; the reasons and the date to supply by (the applicant is told)."),
    "case_withdrawn": ("intake", "The applicant withdrew the case before completion."),
    "delivery_dispatched": ("delivery", "The result is on its way: pickup (现场递交), free mail (免费寄递) "
                                        "or online (网上反馈)."),
    "delivery_completed": ("delivery", "The result reached the applicant: exactly one delivery per case."),
    "rating_received": ("oversight", "The applicant's good/bad review (好差评), 1 to 5."),
    "case_rated": ("intake", "The applicant rated the concluded case (好差评) on the status page, perhaps one item."),
    "rectification_closed": ("oversight", "A bad rating's rectification was closed by the department it went "
                             "to (or a supervisor), with what was done; intake shows it to the applicant."),
    "supervision_warning": ("oversight", "Electronic supervision (电子监察): a case or item nears (yellow) or "
                                         "passes (red) its time limit."),
    "deadline_changed": ("oversight", "The SLA clock moved the case's deadline (a suspension or a resumption)."),
    "deferred_supplied": ("intake", "The applicant supplied materials accepted missing (容缺) under the commitment "
                                    "(承诺), also after completion: their deadlines are no longer watched."),
    "case_not_accepted": ("intake", "The correction notice was not answered in time: the application is closed "
                                    "as not accepted (不予受理, 逾期未补正)."),
    "commitment_due_soon": ("oversight", "A committed supply deadline of a deferred material nears: the applicant "
                                         "is reminded."),
    "staff_session_ended": ("oversight", "A person signed out: every service refuses the session's signed cookie "
                                         "from now on (case_id empty)."),
    "staff_account_disabled": ("oversight", "A staff account was disabled or its password reset: every service "
                                            "refuses the sessions it had (case_id empty)."),
    "audit_recorded": ("every service", "A read of a case's personal data or a decision (审计日志): who, when, from "
                                        "where, for what purpose; the person only as a keyed pseudonym. Oversight "
                                        "appends it to the hash-chained audit trail."),
}
NOTES = {
    "approval_requested": " Decide by `payload.due_date` (working days); `payload.round` grows with each supplement.",
    DECIDED: " A decision that does not match the schema, or whose routing key does not name its payload's "
             "department, is dead-lettered with the reason and never answered.",
}
UNIT = "a level unit of a department (village, township or city level, e.g. a township police station)"


def routing_key(event_type: str) -> str:
    if event_type in topology.DEPARTMENT_EVENTS:
        return f"{event_type}.<department>[.<unit>]"
    return topology.decision_routing_key("<department>") if event_type == DECIDED else event_type


def exchange_of(event_type: str) -> str:
    return topology.DECISIONS_EXCHANGE if event_type == DECIDED else topology.EVENTS_EXCHANGE


@lru_cache(maxsize=4)
def asyncapi_json(departments: tuple[tuple[str, str], ...]) -> str:
    """The document as JSON text, for departments given as sorted (code, Chinese name) pairs."""
    codes = [code for code, _ in departments]
    channels = {"events": _events_channel(), "decisions": _decisions_channel(codes)}
    operations = {}
    for code, name in departments:
        channels[f"department.{code}"] = _queue_channel(code, None, f"{name} ({code})")
        operations.update(_operations(f"department.{code}", code, f"{name} ({code})"))
    channels["levelUnit"] = _queue_channel("{department}", "{unit}", UNIT, codes)
    operations.update(_operations("levelUnit", "{department}", UNIT))
    schemas, messages = _components()
    document = {"asyncapi": "3.0.0", "id": "urn:yici:events", "info": _info(),
                "defaultContentType": "application/json", "servers": _servers(), "channels": channels,
                "operations": operations, "components": {"schemas": schemas, "messages": messages,
                                                         "securitySchemes": _security(),
                                                         "correlationIds": _correlation_ids()}}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def catalog_asyncapi_json() -> str:
    """The document for the shipped catalog's departments: what intake serves."""
    from shared.catalog import default_catalog
    return asyncapi_json(tuple(sorted((d.code, d.name) for d in default_catalog().departments.values())))


def _info() -> dict[str, Any]:
    envelope = [f"| `{name}` | {field.description} |" for name, field in Event.model_fields.items()]
    return {"title": "Yici events (一次办): the contract for department systems", "version": "1",
            "description": "\n".join([
                "The events of Yici (一次办, one matter handled in one go) on RabbitMQ, for the systems of departments "
                "(部门) that decide their items (政务服务事项) themselves. A department configured `external` consumes "
                "its durable queue `yici.department.<code>` and publishes its decisions to the `yici.decisions` "
                "exchange with routing key `department_decision.<code>`; the answer comes back on its queue. "
                "`services/approval/client.py` implements this contract with plain pika; "
                "`services/approval/README.md` explains how each department decides.",
                "",
                "Every message is one event as plain JSON in UTF-8, persistent, its schema generated from the "
                "pydantic model the services use (`shared/events.py`). The envelope (schema `Event`):",
                "",
                "| field | meaning |", "|---|---|", *envelope,
                "| `payload` | the event's own fields |",
                "",
                "A message may be delivered more than once: deduplicate on `event_id`. A request "
                "(`approval_requested`) is identified by `payload.request_id` (`case_id:item_code`) and its "
                "`payload.round`; after a supplement only the latest round can be decided."])}


def _servers() -> dict[str, Any]:
    return {"rabbitmq": {
        "host": "{host}:{port}", "protocol": "amqp", "protocolVersion": "0.9.1",
        "title": "The deployment's RabbitMQ",
        "description": "The host is the deployment's own broker (there is no public one): its operators give "
                       "each department its host, port, virtual host (default `/`) and credentials. A cluster has "
                       "several nodes; connect to any. 127.0.0.1:5672 is the local development broker.",
        "variables": {"host": {"default": "127.0.0.1", "description": "The deployment's RabbitMQ host"},
                      "port": {"default": "5672", "description": "Its AMQP port"}},
        "security": [{"$ref": "#/components/securitySchemes/departmentUser"}]}}


# -- channels and operations ---------------------------------------------------------------------------------

def _exchange(name: str) -> dict[str, Any]:
    return {"amqp": {"is": "routingKey", "exchange": {"name": name, "type": "topic", "durable": True,
                                                      "autoDelete": False}, **AMQP}}


def _messages(event_types: Iterable[str]) -> dict[str, Any]:
    return {t: {"$ref": f"#/components/messages/{t}"} for t in sorted(event_types)}


def _events_channel() -> dict[str, Any]:
    carried = [t for t in EVENT_TYPES if exchange_of(t) == topology.EVENTS_EXCHANGE]
    examples = sorted(t if t not in topology.DEPARTMENT_EVENTS else f"{t}.tax" for t in carried)
    return {"address": "{routingKey}", "title": f"The {topology.EVENTS_EXCHANGE} exchange",
            "description": "The topic exchange every service publishes its events to, each with its routing key "
                           "(see a message's `x-routing-key`). The services' queues and the departments' queues "
                           "are bound to it; a department system reads its own queue, never this exchange.",
            "parameters": {"routingKey": {
                "description": "The event's routing key: its `event_type`, or for an event addressed to one "
                               "department `<event_type>.<department>[.<unit>]`", "examples": examples}},
            "messages": _messages(carried), "bindings": _exchange(topology.EVENTS_EXCHANGE)}


def _decisions_channel(codes: list[str]) -> dict[str, Any]:
    return {"address": topology.decision_routing_key("{department}"),
            "title": f"The {topology.DECISIONS_EXCHANGE} exchange",
            "description": f"The topic exchange department systems publish their decisions to, with routing key "
                           f"`{topology.decision_routing_key('<department>')}`; the approval service consumes them "
                           f"from `{topology.DECISIONS_QUEUE}` and answers on the department's queue.",
            "parameters": {"department": {"enum": codes, "description": "The deciding department's code "
                                                                        "(a level unit uses its department's)"}},
            "messages": _messages([DECIDED]), "bindings": _exchange(topology.DECISIONS_EXCHANGE)}


def _queue_channel(department: str, unit: str | None, title: str, codes: list[str] | None = None) -> dict[str, Any]:
    spec = topology.department_queue(department, unit)
    keys = ", ".join(f"`{k}`" for k in spec.routing_keys)
    channel: dict[str, Any] = {
        "address": spec.name, "title": f"Queue of {title}",
        "description": f"The durable queue of {title}: approval requests for its items, their cancellations and "
                       f"the answers to its decisions. The services bind it to `{spec.exchange}` with {keys} when "
                       f"the department is configured `external` (`approval.departments`), and leave it unbound "
                       f"while the approval service decides for it (`worklist`, `auto`); the broker definitions "
                       f"in deploy/ always bind it. A message rejected without requeue goes to "
                       f"`{spec.dead_letter_queue}` through `{topology.DEAD_LETTER_EXCHANGE}`.",
        "messages": _messages(topology.DEPARTMENT_EVENTS),
        "bindings": {"amqp": {"is": "queue", "queue": {"name": spec.name, **QUEUE},
                              "x-bindings": [{"exchange": spec.exchange, "routingKey": k} for k in spec.routing_keys],
                              "x-dead-letter": {"exchange": topology.DEAD_LETTER_EXCHANGE,
                                                "queue": spec.dead_letter_queue}, **AMQP}}}
    if codes is not None:
        channel["parameters"] = {
            "department": {"enum": codes, "description": "The department the unit belongs to"},
            "unit": {"description": "The unit's division code (区划代码), as configured in `routing.units`"}}
    return channel


def _operations(channel: str, department: str, who: str) -> dict[str, Any]:
    queue, key = f"#/channels/{channel}", topology.decision_routing_key(department)
    receive = {
        "action": "receive", "channel": {"$ref": queue}, "title": f"Requests to {who}",
        "summary": "Approval requests to decide, and cancellations",
        "description": "Consume the queue with manual acks. `approval_requested`: decide the item and ack once "
                       "the decision is answered. `approval_cancelled`: stop work on the request and ack. The "
                       "answers to its decisions (`decision_answered`) arrive on the same queue.",
        "messages": [{"$ref": f"{queue}/messages/{t}"} for t in ("approval_requested", "approval_cancelled")],
        "bindings": {"amqp": {"ack": True, "deliveryMode": 2, **AMQP}}}
    decide = {
        "action": "send", "channel": {"$ref": "#/channels/decisions"}, "title": f"Decisions of {who}",
        "summary": "A decision on one request; the answer comes on the department's queue",
        "description": f"Publish `department_decided` to `{topology.DECISIONS_EXCHANGE}` with routing key `{key}`, "
                       f"persistent and mandatory, with publisher confirms; the broker refuses any other key for "
                       f"the department's user. The answer, `decision_answered` with `payload.decision_event_id` "
                       f"= this event's `event_id`, comes on the department's queue.",
        "messages": [{"$ref": f"#/channels/decisions/messages/{DECIDED}"}],
        "reply": {"channel": {"$ref": queue}, "messages": [{"$ref": f"{queue}/messages/decision_answered"}]},
        "bindings": {"amqp": {"cc": [key], "deliveryMode": 2, "mandatory": True, **AMQP}}}
    return {f"{channel}.receive": receive, f"{channel}.decide": decide}


# -- components ---------------------------------------------------------------------------------------------

def _components() -> tuple[dict[str, Any], dict[str, Any]]:
    schemas = {"Event": _local(Event.model_json_schema(mode="serialization"))}
    for event_type in sorted(EVENT_TYPES):
        schema = event_json_schema(event_type)
        for name, definition in sorted(schema.pop("$defs", {}).items()):
            _add(schemas, name, _local(definition))
        _add(schemas, EVENT_TYPES[event_type].__name__, _local(schema))
    messages = {t: _message(t) for t in sorted(EVENT_TYPES)}
    return dict(sorted(schemas.items())), messages


def _local(schema: dict[str, Any]) -> dict[str, Any]:
    """pydantic's `#/$defs/X` references, pointed at this document's components."""
    text = json.dumps(schema, ensure_ascii=False)
    local: dict[str, Any] = json.loads(re.sub(r'"#/\$defs/([^"]+)"', r'"#/components/schemas/\1"', text))
    return local


def _add(schemas: dict[str, Any], name: str, schema: dict[str, Any]) -> None:
    if schemas.setdefault(name, schema) != schema:
        raise ValueError(f"two event models define {name} differently")


def _message(event_type: str) -> dict[str, Any]:
    publisher, summary = ABOUT[event_type]
    key, exchange, encoding = routing_key(event_type), exchange_of(event_type), event_type != DECIDED
    by = publisher if publisher.endswith("systems") else f"the {publisher} service"
    description = (f"{summary} Published by {by} to the `{exchange}` exchange with routing key `{key}`. "
                   f"The body is the whole event: the envelope (schema `Event`) and its `payload`. AMQP properties: "
                   f"content_type `application/json`, delivery_mode 2 (persistent), message_id = `event_id`"
                   + (", content_encoding `utf-8`." if encoding else ".") + NOTES.get(event_type, ""))
    message = {"name": event_type, "title": event_type.replace("_", " ").capitalize(), "summary": summary,
               "description": description, "contentType": "application/json",
               "payload": {"$ref": f"#/components/schemas/{EVENT_TYPES[event_type].__name__}"},
               "correlationId": {"$ref": "#/components/correlationIds/" + (
                   "decision" if event_type == "decision_answered" else "flow")},
               "x-routing-key": key}
    if encoding:
        message["bindings"] = {"amqp": {"contentEncoding": "utf-8", **AMQP}}
    return message


def _correlation_ids() -> dict[str, Any]:
    return {"flow": {"description": "The request or flow that caused the event, carried from event to event",
                     "location": "$message.payload#/correlation_id"},
            "decision": {"description": "The `event_id` of the department_decided message this answers",
                         "location": "$message.payload#/payload/decision_event_id"}}


def _security() -> dict[str, Any]:
    return {"departmentUser": {
        "type": "userPassword",
        "description": "One broker user per department, `dept-<code>` (deploy/README.md): it may read only its "
                       "queue `yici.department.<code>` (and its level units' queues), write only to "
                       "`yici.decisions` with routing key `department_decision.<code>`, and declare nothing."}}
