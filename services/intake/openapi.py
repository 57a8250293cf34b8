"""OpenAPI 3.1 document of intake's HTTP API, generated from the same pydantic models the routes use."""
from __future__ import annotations

import re
from functools import lru_cache

from pydantic import BaseModel

from services.intake.commands import ClerkNotice, DeferredFile, SubmitCase, Supplement, Withdrawal

ERROR = {"$ref": "#/components/schemas/Error"}
# (method, werkzeug path, summary, request model, role or None for public, success status)
ROUTES: list[tuple[str, str, str, type[BaseModel] | None, str | None, str]] = [
    ("POST", "/api/v1/cases", "Submit a case (一窗受理): pre-review, then accepted or one correction notice",
     SubmitCase, "frontend", "201"),
    ("GET", "/api/v1/cases/<case_id>", "Read a case: status, notice, deferred materials, items, deadline, delivery",
     None, "frontend", "200"),
    ("POST", "/api/v1/cases/<case_id>/supplements", "Supply what the notice asked for, or deferred materials "
     "(a window clerk may too, with the files the case's front end uploaded)", Supplement, "frontend|clerk", "200"),
    ("POST", "/api/v1/cases/<case_id>/deferred/<material>", "Supply one deferred (容缺) material by its "
     "deadline, also after completion; it stops oversight's watch", DeferredFile, "frontend|clerk", "200"),
    ("POST", "/api/v1/cases/<case_id>/withdraw", "Withdraw a case before completion", Withdrawal, "frontend", "200"),
    ("GET", "/api/v1/cases/<case_id>/receipt", "Printable acceptance receipt (受理回执), HTML", None, "frontend", "200"),
    ("GET", "/track/<case_id>", "Applicant's status page (needs ?code=<lookup code>), HTML; wrong codes are "
     "limited per client and per case (429 with Retry-After)", None, None, "200"),
    ("POST", "/track/<case_id>/rating", "The status page's rating form (好差评), application/x-www-form-urlencoded: "
     "code (the lookup code), score 1-5, comment, item_code (optional: the item rated); once, after the case "
     "concluded; 303 back to the status page", None, None, "303"),
    ("GET", "/track/<case_id>/decision", "A rejected case's written decision (不予行政许可决定书), printable A4 HTML "
     "(needs ?code=<lookup code>; limited like /track)", None, None, "200"),
    ("POST", "/api/v1/files", "Upload a material file (raw body; pdf, jpeg, png or ofd)", None, "frontend", "201"),
    ("GET", "/api/v1/files/<ref>", "Read a material file: its uploader, or a department requested an item of a "
     "case holding it (audited; others 404)", None, "any", "200"),
    ("GET", "/api/v1/files/<ref>/download", "Read a material file by the signed, expiring link (?link=) an "
     "approval request carries for its department (no token; audited; altered 403, expired 410)", None, None, "200"),
    ("GET", "/api/v1/window/cases", "Cases waiting for the window clerk's review", None, "clerk", "200"),
    ("POST", "/api/v1/window/cases/<case_id>/accept", "The clerk accepts the case", None, "clerk", "200"),
    ("POST", "/api/v1/window/cases/<case_id>/notice", "The clerk issues the one correction notice", ClerkNotice,
     "clerk", "200"),
    ("GET", "/api/v1/openapi.json", "This document", None, None, "200"),
    ("GET", "/api/v1/asyncapi.json", "The event contract for department systems (AsyncAPI 3.0): queues, exchanges, "
     "events", None, None, "200"),
    ("GET", "/api/v1/matters", "The catalog's matters", None, None, "200"),
    ("GET", "/api/v1/matters/<code>", "One matter: items, materials, limits, reductions", None, None, "200"),
    ("GET", "/api/v1/matters/<code>/form", "The matter's one form as JSON Schema", None, None, "200"),
    ("GET", "/", "The front door: online application, guides, staff sign-in (HTML)", None, None, "200"),
    ("GET", "/static/<name>", "The suite's stylesheet (yici.css)", None, None, "200"),
    ("GET", "/guides/", "Handbook (一本通), HTML", None, None, "200"),
    ("GET", "/guides/<path:path>", "Guide pages, form sample, notice sheet, QR code", None, None, "200"),
    # the applicant's online application (一网通办), HTML pages for people (ADR 0029): every POST is a form with
    # the page's anti-forgery token (csrf); signed in by the applicant session cookie (yici_applicant)
    ("GET", "/apply", "Online application: sign-in by mobile number and SMS code, or what to do next", None, None,
     "200"),
    ("POST", "/apply/signin", "Send a one-time code to the mobile number (phone); throttled (429)", None, None, "303"),
    ("GET", "/apply/verify", "The code form of a sign-in challenge (?c=)", None, None, "200"),
    ("POST", "/apply/verify", "Check the code (c, code): the applicant session cookie, or the error (400, 429)",
     None, None, "303"),
    ("POST", "/apply/resend", "Another code to the same number (c); throttled (429)", None, None, "303"),
    ("POST", "/apply/signout", "End the applicant session", None, None, "303"),
    ("GET", "/apply/sso", "Sign in through the regional platform (intake.applicants.sign_in: regional_sso)", None,
     None, "303"),
    ("GET", "/apply/sso/callback", "Where the regional platform returns after its sign-in", None, None, "303"),
    ("GET", "/apply/sms-outbox", "The simulated SMS gateway's texts to a challenge's number (embedded default only)",
     None, None, "200"),
    ("GET", "/apply/matters", "The matters taken online, by life event and business event", None, None, "200"),
    ("GET", "/apply/matters/<code>", "Situation questions and the applicant", None, None, "200"),
    ("POST", "/apply/matters/<code>/begin", "Situations and applicant checked; the one form", None, None, "200"),
    ("POST", "/apply/matters/<code>/form", "The one form and its uploads (multipart), checked as the API checks; "
     "the review page, or the errors by field (422)", None, None, "200"),
    ("POST", "/apply/matters/<code>/submit", "Submit (channel online, the same use case as POST /api/v1/cases); "
     "303 to the receipt", None, None, "303"),
    ("GET", "/apply/cases", "The applicant's own cases", None, None, "200"),
    ("GET", "/apply/cases/<case_id>", "One of the applicant's cases (another's is 404): progress, notice, "
     "supplement requests, rating", None, None, "200"),
    ("GET", "/apply/cases/<case_id>/receipt", "The applicant's receipt of the case", None, None, "200"),
    ("POST", "/apply/cases/<case_id>/answer", "Answer the correction notice or a department's supplement request "
     "(multipart)", None, None, "303"),
    ("POST", "/apply/cases/<case_id>/rating", "Rate the concluded case (好差评): score, item_code, comment", None,
     None, "303"),
]

HEADERS = {("POST", "/api/v1/cases"): [{
    "name": "Idempotency-Key", "in": "header", "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 200},
    "description": "Names one submission of this client (keys are per client): a retry with the same key and body "
                   "answers 200 with the case it made; blank or longer than 200 characters is refused (400)"}]}


def openapi_path(path: str) -> str:
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", path)


@lru_cache(maxsize=1)
def openapi_document() -> dict:
    schemas: dict = {"Error": _error_schema()}
    paths: dict = {}
    for method, path, summary, model, role, status in ROUTES:
        operation: dict = {"summary": summary, "responses": {status: {"description": "success"},
                                                             "4XX": {"description": "error", "content": {
                                                                 "application/json": {"schema": ERROR}}}}}
        if model is not None:
            schemas.update(_schemas(model))
            operation["requestBody"] = {"required": True, "content": {"application/json": {
                "schema": {"$ref": f"#/components/schemas/{model.__name__}"}}}}
        if role:
            operation["security"] = [{"bearer": []}]
            operation["x-role"] = role
        params = re.findall(r"<(?:[a-z]+:)?([a-z_]+)>", path)
        if params:
            operation["parameters"] = [{"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
                                       for p in params]
        operation["parameters"] = operation.get("parameters", []) + HEADERS.get((method, path), [])
        if not operation["parameters"]:
            del operation["parameters"]
        paths.setdefault(openapi_path(path), {})[method.lower()] = operation
    return {"openapi": "3.1.0", "info": {"title": "Yici intake API (一次办)", "version": "1"},
            "paths": paths, "components": {"schemas": schemas, "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"}}}}


def _schemas(model: type[BaseModel]) -> dict:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    definitions = schema.pop("$defs", {})
    return {model.__name__: schema, **definitions}


def _error_schema() -> dict:
    problem = {"type": "object", "required": ["field", "code", "message_zh", "message_en"],
               "properties": {k: {"type": "string"} for k in ("field", "code", "message_zh", "message_en")}}
    return {"type": "object", "required": ["error", "status", "problems"],
            "properties": {"error": {"type": "string"}, "status": {"type": "integer"},
                           "problems": {"type": "array", "items": problem}}}
