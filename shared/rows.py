"""The unit of work's write-behind buffer of a batch's rows (docs/decisions/0016-*).

Every statement a repository runs goes through its unit of work's `Rows`, which is the one place that knows
what the transaction holds back:

- reads: `load` reads (and locks) the rows of a batch with one statement per table; `get`, `group` and
  `exists` answer from memory what was loaded or written in this transaction, and read only what is not known;
- writes: `add` (an INSERT) and `update` (an UPDATE by primary key) are applied in memory at once and held;
  `flush` writes them at commit, table by table, each table's rows in primary-key order (so replicas cannot
  deadlock), rows of the same shape together in one executemany;
- any other statement goes through `execute`, which first writes what is held for the tables it touches (so
  it sees the transaction's own writes) and then forgets what it knew of the tables it may have changed.

Nothing else holds writes: no hook on the Session, no private SQLAlchemy attribute.
"""
from __future__ import annotations

from types import SimpleNamespace
from typing import Any, Iterable, Mapping

from sqlalchemy import Select, Table, Update
from sqlalchemy.engine import Result, Row
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import TextClause

from shared.db import (
    InsertConstruct,
    dialect_insert,
    insert_new,
    prebuilt,
    select_by,
    select_in,
    tables_of,
    update_by,
    update_params,
)

Key = tuple[Any, ...]
Record = SimpleNamespace  # a row as the buffer knows it: attribute access like a Row, a copy of its values


class _Known:
    """What the buffer knows of one table in this transaction."""

    def __init__(self, table: Table):
        self.table = table
        self.key_columns = tuple(c.name for c in table.primary_key.columns)
        self.rows: dict[Key, dict[str, Any]] = {}  # by primary key: as read, with this transaction's writes
        self.partial: set[Key] = set()  # rows read with some of their columns only
        self.locked: set[Key] = set()  # rows this transaction locked (read FOR UPDATE) or inserted
        self.groups: dict[str, dict[Any, list[Key]]] = {}  # column -> value -> every row with it (complete)
        self.new: set[Key] = set()  # held INSERTs
        self.changed: dict[Key, set[str]] = {}  # held UPDATEs: the columns set

    def key(self, values: Mapping[str, Any]) -> Key:
        return tuple(values[c] for c in self.key_columns)

    def unique(self, column: str) -> bool:
        """Whether a value of `column` names at most one row (then a row added completes its group)."""
        return self.key_columns == (column,) or bool(self.table.c[column].unique)

    def held(self) -> bool:
        return bool(self.new or self.changed)

    def remember(self, values: dict[str, Any], partial: bool, locked: bool) -> Key:
        """A row read from the database; what this transaction wrote to it stays on top."""
        key = self.key(values)
        mine = self.rows.get(key)
        if mine is None:
            self.rows[key] = values
            if partial:
                self.partial.add(key)
        elif partial or key in self.new:
            for column, value in values.items():
                mine.setdefault(column, value)
        else:
            self.rows[key] = {**values, **{c: mine[c] for c in self.changed.get(key, ())}}
            self.partial.discard(key)
        if locked:
            self.locked.add(key)
        return key

    def place(self, key: Key, whole: str | None = None) -> None:
        """Put a row this transaction wrote into the groups it belongs to: those known, its key's (when the
        key is one column), and `whole`'s (a column whose group these written rows are all of)."""
        values = self.rows[key]
        columns = {*self.groups, *([whole] if whole else [])}
        if len(self.key_columns) == 1:
            columns.add(self.key_columns[0])
        for column in columns:
            if column not in values:
                continue  # a row remembered with some columns only
            groups = self.groups.setdefault(column, {})
            value = values[column]
            if value in groups:
                if key not in groups[value]:
                    groups[value].append(key)
            elif column == whole or self.unique(column):
                groups[value] = [key]

    def forget_values(self) -> None:
        """After an UPDATE of any rows: their values may have changed, which rows exist (and their keys: no
        UPDATE here sets a primary key) has not."""
        self.rows, self.partial = {}, set()
        self.groups = {c: g for c, g in self.groups.items() if c in self.key_columns}

    def record(self, key: Key) -> Record:
        return SimpleNamespace(**self.rows[key])


class Rows:
    """A unit of work's rows: read once, answered from memory after, written at commit (see the module)."""

    def __init__(self, session: Session):
        self.session = session
        self._known: dict[Table, _Known] = {}

    def _of(self, table: Table) -> _Known:
        known = self._known.get(table)
        if known is None:
            known = self._known[table] = _Known(table)
        return known

    @property
    def insert_construct(self) -> InsertConstruct:
        """The INSERT construct with ON CONFLICT for this transaction's database."""
        return dialect_insert(self.session)

    # reading
    def load(self, table: Table, column: str, values: Iterable[Any], *order_by: str, lock: bool = False,
             columns: tuple[str, ...] = ()) -> dict[Any, list[Record]]:
        """The rows of `table` whose `column` is one of `values`, read with one statement (locked with `lock`,
        in the order of its ORDER BY); only `columns` of them (and the key) when given. Grouped by value, every
        value present (an empty list where nothing matched); rows this transaction added are included, its
        held changes on top of what was read."""
        known = self._of(table)
        wanted = list(dict.fromkeys(values))
        if not wanted:
            return {}
        read = tuple(dict.fromkeys((*known.key_columns, column, *columns))) if columns else ()
        query = select_in(table, column, *order_by, for_update=lock, columns=read)
        groups: dict[Any, list[Key]] = {value: [] for value in wanted}
        for row in self.session.execute(query, {"ids": wanted}):
            found = row._asdict()
            groups[found[column]].append(known.remember(found, partial=bool(columns), locked=lock))
        for key in sorted(known.new):  # rows held for insertion: the database cannot see them yet
            value = known.rows[key].get(column)
            if value in groups and key not in groups[value]:
                groups[value].append(key)
                if order_by:
                    groups[value].sort(key=lambda k: tuple(known.rows[k][c] for c in order_by))
        known.groups.setdefault(column, {}).update(groups)
        return {value: [known.record(k) for k in keys] for value, keys in groups.items()}

    def group(self, table: Table, column: str, value: Any, *order_by: str) -> list[Record]:
        """The rows whose `column` is `value` (in `order_by` order): from memory when this transaction knows
        them all, else read."""
        known = self._of(table)
        keys = known.groups.get(column, {}).get(value)
        if keys is None or any(k not in known.rows or k in known.partial for k in keys):
            return self.load(table, column, [value], *order_by)[value]
        return [known.record(k) for k in keys]

    def exists(self, table: Table, column: str, value: Any) -> bool:
        """Whether a row has `column` = `value`: from memory when known, else read (its key only)."""
        known = self._of(table)
        keys = known.groups.get(column, {}).get(value)
        if keys is None:
            return bool(self.load(table, column, [value], columns=known.key_columns)[value])
        return bool(keys)

    def get(self, table: Table, key: Mapping[str, Any], lock: bool = False) -> Record | None:
        """The row with this primary key (locked with `lock`): from memory when this transaction knows all of
        it (and, with `lock`, locked or inserted it), else read."""
        known = self._of(table)
        k = known.key(key)
        if k in known.rows and k not in known.partial and (not lock or k in known.locked):
            return known.record(k)
        if k not in known.new:
            query = select_by(table, *known.key_columns, for_update=lock)
            row = self.session.execute(query, dict(zip(known.key_columns, k))).first()
            if row is None:
                if len(known.key_columns) == 1:
                    known.groups.setdefault(known.key_columns[0], {})[k[0]] = []
                return None
            known.remember(row._asdict(), partial=False, locked=lock)
        return known.record(k)

    # writing
    def add(self, table: Table, rows: list[dict[str, Any]], whole: str | None = None) -> list[Record]:
        """Hold INSERTs of these rows (the Python defaults of the columns not given filled in); `whole` names a
        column whose groups these rows are all of (a new case's items: no other row has that case id)."""
        known = self._of(table)
        added = []
        for given in rows:
            values = {**_defaults(table, given), **given}
            key = known.key(values)
            known.rows[key] = values
            known.partial.discard(key)
            known.new.add(key)
            known.locked.add(key)
            known.place(key, whole)
            added.append(known.record(key))
        return added

    def insert(self, table: Table, row: dict[str, Any]) -> None:
        """INSERT the row now, and remember it. A plain INSERT reads nothing, so what is held stays held."""
        self.session.execute(prebuilt(("rows insert", table), table.insert), row)
        known = self._of(table)
        values = {**_defaults(table, row), **row}
        key = known.key(values)
        known.rows[key] = values
        known.partial.discard(key)
        known.locked.add(key)
        known.place(key)

    def insert_new(self, table: Table, rows: list[dict[str, Any]], *returning: str) -> list[Row[Any]]:
        """INSERT ... ON CONFLICT DO NOTHING RETURNING `returning` (all columns when none), now: only the rows
        that were new come back (and are remembered). Rows held for insertion into `table` go first (they may
        conflict); held updates stay held (they change no key)."""
        if not rows:
            return []
        known = self._of(table)
        if known.new:
            self._write(known, inserts_only=True)
        found = list(self.session.execute(insert_new(self.session, table, *returning), rows))
        if not returning or all(c in returning for c in known.key_columns):
            for row in found:
                known.place(known.remember(row._asdict(), partial=bool(returning), locked=True))
        return found

    def update(self, table: Table, key: Mapping[str, Any], values: dict[str, Any]) -> None:
        """Hold an UPDATE of the row with this primary key; this transaction's reads see its values at once.
        Only for updates whose row count nobody needs (for those, `execute` an UPDATE)."""
        known = self._of(table)
        k = known.key(key)
        row = known.rows.get(k)
        if row is None:
            row = known.rows[k] = dict(key)
            known.partial.add(k)
        row.update(values)
        if k not in known.new:
            known.changed.setdefault(k, set()).update(values)

    @property
    def dialect(self) -> str:
        """The database's dialect name ("postgresql", "sqlite"), for the few statements only one of them has."""
        return self.session.get_bind().dialect.name

    def execute(self, statement: Any, params: Any = None) -> Result[Any]:
        """Any other statement. What is held for the tables it touches (every table, for raw SQL) is written
        first; afterwards what the buffer knew of the tables it may change is forgotten (for an UPDATE: the
        rows' values, not which rows exist)."""
        tables = None if isinstance(statement, TextClause) else tables_of(statement)
        touched = sorted((k for t, k in self._known.items() if tables is None or t in tables),
                         key=lambda k: k.table.name)
        for known in touched:
            if known.held():
                self._write(known)
        result = self.session.execute(statement, params)
        if not isinstance(statement, Select):
            for known in touched:
                if isinstance(statement, Update):
                    known.forget_values()
                else:
                    del self._known[known.table]
        return result

    def flush(self) -> None:
        """Write everything held: table by table (by name), each table's rows in key order."""
        for table in sorted(self._known, key=lambda t: t.name):
            known = self._known[table]
            if known.held():
                self._write(known)

    def _write(self, known: _Known, inserts_only: bool = False) -> None:
        """The held INSERTs (then UPDATEs) of one table in key order, one executemany per shape of row."""
        new, known.new = sorted(known.new), set()
        shapes: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for key in new:
            row = known.rows[key]
            shapes.setdefault(tuple(sorted(row)), []).append(dict(row))
        for columns, rows in shapes.items():
            self.session.execute(prebuilt(("rows add", known.table, columns), known.table.insert), rows)
        if inserts_only:
            return
        changed, known.changed = known.changed, {}
        updates: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for key in sorted(changed):
            row, names = known.rows[key], tuple(sorted(changed[key]))
            updates.setdefault(names, []).append(update_params(dict(zip(known.key_columns, key)),
                                                               {c: row[c] for c in names}))
        for names, params in updates.items():
            self.session.execute(update_by(known.table, known.key_columns, names), params)


def _defaults(table: Table, given: Mapping[str, Any]) -> dict[str, Any]:
    """The values an INSERT of `given` gives the other columns: their Python default, else NULL (columns with
    a server default are left out: the database fills them)."""
    filled: dict[str, Any] = {}
    for column in table.c:
        if column.name in given or column.server_default is not None:
            continue
        default: Any = column.default
        if default is None:
            filled[column.name] = None
        elif default.is_callable:
            filled[column.name] = default.arg(None)
        elif default.is_scalar:
            filled[column.name] = default.arg
    return filled

