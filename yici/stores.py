"""One way for the command-line tools to reach a service's database: settings loaded, the store built, the
engine disposed, and the two ways it fails (a bad configuration, a database not there) said once."""
from __future__ import annotations

import importlib
import sys
from contextlib import contextmanager
from typing import Callable, Iterator

from sqlalchemy.exc import DBAPIError

from shared.config import ConfigError, Settings, load_settings
from shared.db import make_engine, make_session_factory
from shared.messaging import Store


@contextmanager
def open_store(service: str, config: str | None = None) -> Iterator[tuple[Settings, Store]]:
    """The settings of `config` (default $YICI_CONFIG or embedded) and `service`'s store; raises ConfigError."""
    settings = load_settings(config)
    repository = importlib.import_module(f"services.{service}.repository")
    engine = make_engine(settings.database_url_for(service))
    try:
        yield settings, Store(make_session_factory(engine), repository.TABLES, dict(repository.REPOSITORIES))
    finally:
        engine.dispose()


def run_with_store(prog: str, service: str, config: str | None, body: Callable[[Settings, Store], int]) -> int:
    """`body(settings, store)`'s exit code; 2 for a bad configuration, 1 when the database cannot be used."""
    try:
        with open_store(service, config) as (settings, store):
            return body(settings, store)
    except ConfigError as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return 2
    except DBAPIError as exc:
        print(f"{prog}: cannot use {service}'s database ({type(exc.orig).__name__}); "
              "start the suite or run `yici migrate` first", file=sys.stderr)
        return 1
