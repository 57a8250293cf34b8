"""structlog set-up: JSON off a terminal, readable on one; personal data masked in every line."""
from __future__ import annotations

import logging
import re
import sys
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Iterator

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

if TYPE_CHECKING:
    from shared.events import Event

_RESIDENT_ID = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])")
_RESIDENT_ID_15 = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{6}(\d{3})(?![0-9A-Za-z])")
# Written whole (13800138000) or grouped with hyphens, spaces or dots (138-0013-8000, 138 0013 8000).
_MOBILE = re.compile(r"(?<![\d.-])(\+?86[- ]?)?(1[3-9]\d)[-. ]?\d{4}[-. ]?(\d{4})(?![\d])")
# Secrets that travel in URLs and so reach access logs: the public status page's lookup code, signed download links.
_URL_SECRETS = re.compile(r"([?&]code=|/downloads/)[^&\s\"'?#]+")
_PII_KEYS = {"name", "applicant_name", "legal_representative", "phone", "id_number",
             "resident_id", "address", "contact"}


def mask_text(text: str) -> str:
    """Mask resident ID numbers, mobile numbers and the secrets of status and download links inside free text."""
    text = _RESIDENT_ID.sub(lambda m: m.group(1) + "*" * 12, text)
    text = _RESIDENT_ID_15.sub(lambda m: f"{m.group(1)}*********", text)
    text = _URL_SECRETS.sub(lambda m: f"{m.group(1)}***", text)
    return _MOBILE.sub(lambda m: f"{m.group(2)}****{m.group(3)}", text)


def mask_value(key: str, value: Any) -> Any:
    if key in _PII_KEYS and value:
        return "***"
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: mask_value(k, v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask_value("", v) for v in value]
    return value


def _mask_processor(_logger: WrappedLogger, _name: str, event_dict: EventDict) -> EventDict:
    return {key: mask_value(key, value) for key, value in event_dict.items()}


def configure(service: str = "yici", fmt: str = "auto", level: int = logging.INFO) -> None:
    """Route structlog and the standard library through the same masking processors."""
    json_output = fmt == "json" or (fmt == "auto" and not sys.stderr.isatty())
    shared: list[Processor] = [structlog.contextvars.merge_contextvars, structlog.stdlib.add_log_level,
              structlog.processors.TimeStamper(fmt="iso", utc=True),
              structlog.stdlib.ExtraAdder(), _add_service(service), _mask_processor]
    renderer = structlog.processors.JSONRenderer(ensure_ascii=False) if json_output \
        else structlog.dev.ConsoleRenderer(colors=False)
    structlog.configure(processors=shared + [structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
                        logger_factory=structlog.stdlib.LoggerFactory(), cache_logger_on_first_use=True)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared, processors=[_render_exception, renderer]))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def _add_service(service: str) -> Processor:
    def processor(_logger: WrappedLogger, _name: str, event_dict: EventDict) -> EventDict:
        event_dict.setdefault("service", service)
        return event_dict
    return processor


def _render_exception(logger: WrappedLogger, name: str, event_dict: EventDict) -> EventDict:
    event_dict = structlog.stdlib.ProcessorFormatter.remove_processors_meta(logger, name, event_dict)
    if event_dict.get("exc_info"):
        event_dict = structlog.processors.format_exc_info(logger, name, event_dict)
        event_dict["exception"] = mask_text(event_dict.get("exception", ""))
    return event_dict


@contextmanager
def bind_event(event: Event) -> Iterator[None]:
    """Bind case_id, event_id and event_type to every log line inside the block."""
    with structlog.contextvars.bound_contextvars(case_id=event.case_id, event_id=str(event.event_id),
                                                event_type=event.event_type):
        yield


def get_logger(name: str | None = None) -> Any:
    return structlog.get_logger(name)
