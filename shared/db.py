"""Engines and sessions: SQLite files in the embedded default, PostgreSQL when distributed."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterable, TypeVar, cast

from sqlalchemy import Table, bindparam, create_engine, event, select, update
from sqlalchemy.dialects.postgresql import Insert as PgInsert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql import Select, TableClause, Update
from sqlalchemy.sql.cache_key import CacheKey
from sqlalchemy.sql.dml import ReturningInsert
from sqlalchemy.sql.util import find_tables


def make_engine(url: str, pool_size: int = 10) -> Engine:
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    # No pre-ping: it costs a round trip per transaction; a dropped connection surfaces as an
    # invalidated-connection error, which the consumer retries. values_plus_batch: an UPDATE run with a list
    # of parameter sets goes as pages of statements in one round trip (psycopg2's execute_batch), not one by one.
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_recycle=300, future=True,
                         executemany_mode="values_plus_batch")


def _sqlite_engine(url: str) -> Engine:
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, future=True)
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, future=True)


InsertConstruct = Callable[[Table], PgInsert] | Callable[[Table], SqliteInsert]


def dialect_insert(bind: Session | Engine | Connection) -> InsertConstruct:
    """The INSERT construct with ON CONFLICT for the database (PostgreSQL or SQLite) of a session or an engine."""
    dialect = bind.dialect if hasattr(bind, "dialect") else bind.get_bind().dialect
    return pg_insert if dialect.name == "postgresql" else sqlite_insert


# Statements built once and reused with bound parameters: building a SQLAlchemy statement per call (and
# computing its cache key) costs more than executing it (the figures: deploy/CAPACITY.md, section 1), and the
# handlers run the same few statements for every event.
_STATEMENTS: dict[tuple[Any, ...], Any] = {}
_TABLES: dict[int, frozenset[TableClause]] = {}  # by id of a prebuilt statement (kept alive in _STATEMENTS)
_Statement = TypeVar("_Statement")


def prebuilt(key: tuple[Any, ...], build: Callable[[], _Statement]) -> _Statement:
    """The statement cached under `key`, built by `build()` the first time.

    It also gets a constant compiled-cache key. SQLAlchemy otherwise walks the statement to compute its key
    on every execution, and gives none at all to PostgreSQL's and SQLite's INSERT ... ON CONFLICT, which it
    then compiles afresh every time (seen as "[no key]" in the engine log; what that cost is in
    deploy/CAPACITY.md). The constant key is sound because a prebuilt statement never changes: its values
    are bound parameters supplied at execution, or constants that stay with the one compiled form.
    """
    statement: Any = _STATEMENTS.get(key)
    if statement is None:
        statement = build()
        cache_key = CacheKey(("yici.prebuilt", key), ())
        statement._generate_cache_key = lambda: cache_key
        _STATEMENTS[key] = statement
        _TABLES[id(statement)] = _tables(statement)
    return cast(_Statement, statement)


def select_by(table: Table, *columns: str, for_update: bool = False, order_by: str | None = None) -> Select[Any]:
    """SELECT * FROM table WHERE c1 = :c1 AND ... [ORDER BY order_by] (parameters named after the columns)."""
    def build() -> Select[Any]:
        query = select(table).where(*[table.c[c] == bindparam(c) for c in columns])
        query = query.order_by(table.c[order_by]) if order_by else query
        return query.with_for_update() if for_update else query
    return prebuilt(("select", table, columns, for_update, order_by), build)


def select_in(table: Table, column: str, *order_by: str, for_update: bool = False,
              columns: tuple[str, ...] = ()) -> Select[Any]:
    """SELECT * (or `columns`) FROM table WHERE column IN :ids [ORDER BY ...] [FOR UPDATE]: a batch's rows with
    one statement."""
    def build() -> Select[Any]:
        query = select(*[table.c[c] for c in columns]) if columns else select(table)
        query = query.where(table.c[column].in_(bindparam("ids", expanding=True)))
        query = query.order_by(*[table.c[c] for c in order_by]) if order_by else query
        return query.with_for_update() if for_update else query
    return prebuilt(("select in", table, column, order_by, for_update, columns), build)


def insert_new(session: Session, table: Table, *returning: str) -> ReturningInsert[Any]:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING the given columns (all when none): only new rows come back.

    With a list of parameter sets SQLAlchemy sends it as one multi-row INSERT (insertmanyvalues needs RETURNING).
    """
    dialect = dialect_insert(session)
    columns = [table.c[c] for c in returning] or list(table.c)
    return prebuilt(("insert new", table, dialect, returning),
                    lambda: dialect(table).on_conflict_do_nothing().returning(*columns))


def update_by(table: Table, keys: tuple[str, ...], values: Iterable[str]) -> Update:
    """UPDATE table SET v = :set_v ... WHERE k = :key_k ...; see `update_params`."""
    names = tuple(sorted(values))
    return prebuilt(("update", table, keys, names), lambda: update(table).where(
        *[table.c[k] == bindparam(f"key_{k}") for k in keys]).values({v: bindparam(f"set_{v}") for v in names}))


def update_params(keys: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    return {**{f"key_{k}": v for k, v in keys.items()}, **{f"set_{k}": v for k, v in values.items()}}


def tables_of(statement: Any) -> frozenset[TableClause]:
    """The tables a statement reads or writes (worked out once for a prebuilt statement)."""
    tables = _TABLES.get(id(statement))
    return _tables(statement) if tables is None else tables


def _tables(statement: Any) -> frozenset[TableClause]:
    return frozenset(find_tables(statement, include_crud=True))
