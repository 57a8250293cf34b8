"""Issue 17: longer public codes and per-client Idempotency-Keys come with a migration that keeps what exists:
a case taken in before it keeps its six-digit lookup code (still accepted) and its key, and afterwards two
clients may use one key."""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import create_engine, text

from services.delivery.commands import ConfirmPickup
from services.intake.domain import lookup_code_matches
from yici.deploy import migrations

ROW = {"request_hash": "h", "matter_code": "bankruptcy-check", "catalog_version": "v", "status": "accepted",
       "channel": "online", "region_code": "150626", "applicant": "{}", "situations": "[]", "form": "{}",
       "materials": "[]", "delivery": "{}", "commitment": False, "warnings": "[]", "promised_days": 5,
       "notices": "[]", "deferred": "[]", "due_provisional": False, "submitted_on": date(2026, 11, 2)}


def _insert(connection, case_id: str, client: str, key: str, lookup_code: str) -> None:
    now = datetime.now(timezone.utc)
    row = {**ROW, "case_id": case_id, "client": client, "idempotency_key": key, "lookup_code": lookup_code,
           "created_at": now, "updated_at": now}
    connection.execute(text(f"INSERT INTO intake_cases ({', '.join(row)}) VALUES ({', '.join(':' + k for k in row)})"),
                       row)


def test_existing_cases_keep_their_codes_and_keys_through_the_migration(tmp_path):
    url = f"sqlite:///{tmp_path}/intake.db"
    migrations.upgrade("intake", url, "intake_0002")
    engine = create_engine(url)
    with engine.begin() as connection:
        _insert(connection, "YC-OLD", "front end", "key-1", "042917")
    assert migrations.upgrade("intake", url) == migrations.head("intake")
    with engine.begin() as connection:
        _insert(connection, "YC-NEW", "second front end", "key-1", "ABCDEFGHJKMN")
        rows = connection.execute(text("SELECT case_id, lookup_code, idempotency_key FROM intake_cases "
                                       "ORDER BY case_id")).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [("YC-NEW", "ABCDEFGHJKMN", "key-1"), ("YC-OLD", "042917", "key-1")]
    assert lookup_code_matches("042917", "042917") and lookup_code_matches("abcd-efgh jkmn", "ABCDEFGHJKMN")
    assert not lookup_code_matches("042918", "042917")
    assert ConfirmPickup(pickup_code="042917") and ConfirmPickup(pickup_code="04291755")
