"""Writes held back until commit (shared.rows) are sent before any statement of the same transaction that
touches their table, and read back from memory without one."""
from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, String, Table, func, select, text

from shared.db import make_engine, make_session_factory
from shared.rows import Rows

metadata = MetaData()
things = Table("things", metadata, Column("id", Integer, primary_key=True), Column("name", String(20)))
others = Table("others", metadata, Column("id", Integer, primary_key=True))


def _session(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/held.db")
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(things.insert(), [{"id": 1, "name": "old"}, {"id": 2, "name": "old"}])
    return make_session_factory(engine)()


def _statements(session) -> list[str]:
    seen: list[str] = []
    from sqlalchemy import event
    event.listen(session.get_bind(), "before_cursor_execute",
                 lambda _c, _cur, statement, *_: seen.append(statement.split()[0]))
    return seen


def test_a_query_written_anywhere_sees_the_updates_held_back_in_its_transaction(tmp_path):
    rows = Rows(_session(tmp_path))
    rows.update(things, {"id": 1}, {"name": "new"})
    assert rows.execute(select(things.c.name).where(things.c.id == 1)).scalar() == "new"
    assert rows.execute(select(func.count()).select_from(things).where(things.c.name == "new")).scalar() == 1


def test_statements_on_other_tables_leave_the_held_updates_for_commit(tmp_path):
    session = _session(tmp_path)
    seen = _statements(session)
    rows = Rows(session)
    rows.update(things, {"id": 1}, {"name": "new"})
    rows.update(things, {"id": 2}, {"name": "new"})
    rows.execute(select(others))
    rows.execute(others.insert().values(id=1))
    assert seen == ["SELECT", "INSERT"], "nothing sent for the things table yet"
    rows.flush()
    assert seen == ["SELECT", "INSERT", "UPDATE"], "both rows in one executemany at flush"
    rows.flush()
    assert len(seen) == 3


def test_raw_sql_sends_everything_held_first(tmp_path):
    rows = Rows(_session(tmp_path))
    rows.update(things, {"id": 2}, {"name": "new"})
    assert rows.execute(text("SELECT name FROM things WHERE id = 2")).scalar() == "new"


def test_new_cases_held_by_intake_are_written_before_a_query_on_cases(tmp_path):
    from services.intake.repository import SqlCaseRepository, case_items, cases
    from services.intake.repository import metadata as intake_metadata
    engine = make_engine(f"sqlite:///{tmp_path}/intake.db")
    intake_metadata.create_all(engine)
    session = make_session_factory(engine)()
    rows = Rows(session)
    repository = SqlCaseRepository(rows)
    seen = _statements(session)
    from datetime import date
    repository.add({"case_id": "YC-1", "request_hash": "h", "lookup_code": "L", "matter_code": "m",
                    "catalog_version": "v", "status": "submitted", "channel": "web", "region_code": "150000",
                    "client": "web", "applicant": {}, "situations": [], "form": {}, "materials": [],
                    "delivery": {}, "commitment": False, "warnings": [], "submitted_on": date(2026, 11, 26),
                    "promised_days": 5},
                   [{"case_id": "YC-1", "item_code": "a", "position": 0, "name": "A", "department": "tax",
                     "status": "pending"}])
    repository.update("YC-1", status="accepted")
    assert seen == [], "a new case is kept in memory while nothing asks for it"
    assert repository.get("YC-1").status == "accepted" and [i.item_code for i in repository.items("YC-1")] == ["a"]
    assert seen == [], "and read back from memory"
    assert rows.execute(select(cases.c.status).where(cases.c.case_id == "YC-1")).scalar() == "accepted"
    assert rows.execute(select(func.count()).select_from(case_items)).scalar() == 1
    rows.flush()
    assert rows.execute(select(func.count()).select_from(cases)).scalar() == 1, "written once"


def test_a_plain_insert_leaves_held_updates_and_an_upsert_sends_them(tmp_path):
    """A plain INSERT reads nothing and held updates change no key; ON CONFLICT depends on what is there."""
    session = _session(tmp_path)
    seen = _statements(session)
    rows = Rows(session)
    rows.update(things, {"id": 1}, {"name": "new"})
    rows.insert(things, {"id": 3, "name": "added"})
    assert seen == ["INSERT"]
    upsert = rows.insert_construct(things).values(id=1, name="x").on_conflict_do_nothing()
    rows.execute(upsert)
    assert seen == ["INSERT", "UPDATE", "INSERT"]


def test_a_batchs_rows_are_read_once_and_answered_from_memory_with_the_writes_on_top(tmp_path):
    session = _session(tmp_path)
    seen = _statements(session)
    rows = Rows(session)
    found = rows.load(things, "id", [2, 1, 9], "id", lock=True)
    assert {k: [r.name for r in v] for k, v in found.items()} == {2: ["old"], 1: ["old"], 9: []}
    rows.update(things, {"id": 1}, {"name": "new"})
    rows.add(things, [{"id": 9, "name": "added"}])
    assert rows.get(things, {"id": 1}, lock=True).name == "new"
    assert rows.exists(things, "id", 9) and rows.get(things, {"id": 9}).name == "added"
    assert seen == ["SELECT"], "one read; the rest from memory"
    rows.flush()
    assert seen == ["SELECT", "INSERT", "UPDATE"]
    assert dict(session.execute(select(things.c.id, things.c.name)).all()) == {1: "new", 2: "old", 9: "added"}


def test_held_updates_are_written_in_key_order_one_executemany_per_shape(tmp_path):
    session = _session(tmp_path)
    sent: list[tuple[str, object]] = []
    from sqlalchemy import event
    event.listen(session.get_bind(), "before_cursor_execute",
                 lambda _c, _cur, statement, params, _ctx, _many: sent.append((statement.split()[0], params)))
    rows = Rows(session)
    rows.update(things, {"id": 2}, {"name": "b"})
    rows.update(things, {"id": 1}, {"name": "a"})
    rows.update(things, {"id": 2}, {"name": "b2"})
    rows.flush()
    [(verb, params)] = sent
    assert verb == "UPDATE" and [p[-1] for p in params] == [1, 2], "key order, one row per key"
    assert [p[0] for p in params] == ["a", "b2"], "later values win"
