"""How the HTTP edge answers the rules' refusals, for unit tests that check a status (no server, no Nameko).

The rules raise refusals (shared.errors); shared/providers/web.py maps them to HTTP once. Importing it
imports eventlet, which warns on import that it is deprecated: said by the services, not here.
"""
from __future__ import annotations

import contextlib
import warnings
from typing import Iterator

from shared.errors import Refusal

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from shared.providers.server import json_response
    from shared.providers.web import refusal_error

__all__ = ["as_http", "json_response", "refusal_error"]


@contextlib.contextmanager
def as_http() -> Iterator[None]:
    """A refusal raised in the block comes out as the ApiError (status, problems) the edge answers with."""
    try:
        yield
    except Refusal as refusal:
        raise refusal_error(refusal) from refusal
