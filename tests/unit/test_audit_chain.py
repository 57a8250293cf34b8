"""The audit trail's hash chain: any edited, deleted or reordered entry is found, and where."""
from __future__ import annotations

import pytest

from shared.audit import GENESIS, audit_event, canonical, chained, entry_of, pseudonym, verify
from shared.audit_edge import stated_purpose
from shared.events import AuditActor

KEY = b"k" * 32


def _chain(n: int = 5) -> list[dict]:
    actor = AuditActor(kind="client", name="window clerk", role="clerk")
    events = [audit_event(actor, "case.plan.read", "routing", "case_progress", f"YC{i}",
                          pseudonym("150626199001011234", KEY), "127.0.0.1") for i in range(n)]
    return chained([entry_of(e, i + 1) for i, e in enumerate(events)], GENESIS)


def test_an_intact_chain_verifies_with_its_head():
    rows = _chain()
    result = verify(rows)
    assert result.broken is None and result.entries == 5 and result.head == rows[-1]["hash"]


def test_an_edited_entry_is_found_by_its_number():
    rows = _chain()
    rows[2] = {**rows[2], "purpose": "curiosity"}
    assert (verify(rows).broken.seq, verify(rows).broken.kind) == (3, "edited")


def test_an_entry_edited_with_its_hash_recomputed_breaks_the_next_link():
    rows = _chain()
    forged = chained([{**rows[1], "actor_name": "nobody"}], rows[0]["hash"])[0]
    rows[1] = forged
    broken = verify(rows).broken
    assert (broken.seq, broken.kind) == (3, "reordered")


def test_a_deleted_entry_is_a_gap_and_a_renumbered_deletion_a_broken_link():
    rows = _chain()
    del rows[3]
    assert (verify(rows).broken.seq, verify(rows).broken.kind) == (4, "deleted")
    renumbered = [{**r, "seq": n} for n, r in enumerate(rows, start=1)]
    assert (verify(renumbered).broken.seq, verify(renumbered).broken.kind) == (4, "reordered")


def test_swapped_entries_are_reordered():
    rows = _chain()
    rows[1], rows[2] = {**rows[2], "seq": 2}, {**rows[1], "seq": 3}
    assert (verify(rows).broken.seq, verify(rows).broken.kind) == (2, "reordered")


def test_the_first_entry_must_follow_the_genesis():
    rows = _chain()[1:]
    rows = [{**r, "seq": n} for n, r in enumerate(rows, start=1)]
    assert verify(rows).broken.seq == 1


def test_the_pseudonym_is_keyed_and_never_the_number():
    person = "150626199001011234"
    assert pseudonym(person, KEY) == pseudonym(" 150626199001011234 ".lower(), KEY)
    assert pseudonym(person, KEY) != pseudonym(person, b"x" * 32)
    assert person not in canonical(_chain(1)[0]).decode()


def test_a_holder_lookup_needs_a_stated_purpose():
    from werkzeug.test import EnvironBuilder
    from werkzeug.wrappers import Request

    from shared.api import ApiError
    with pytest.raises(ApiError) as refused:
        stated_purpose(Request(EnvironBuilder(query_string="holder=x").get_environ()))
    assert refused.value.status == 400 and refused.value.problems[0]["field"] == "purpose"
    assert stated_purpose(Request(EnvironBuilder(query_string="purpose=reuse").get_environ())) == "reuse"


def test_an_entry_is_cut_to_the_tables_widths_never_refused():
    actor = AuditActor(kind="client", name="窗" * 500, role="clerk")
    entry = entry_of(audit_event(actor, "case.read", "intake", "p" * 300, "YC1"), 1)
    assert len(entry["actor_name"]) == 200 and len(entry["purpose"]) == 200


def test_the_tables_widths_are_those_of_the_chain_table():
    from services.oversight.tables import audit_chain
    from shared.audit import LENGTHS
    assert {k: audit_chain.c[k].type.length for k in LENGTHS} == LENGTHS


def test_a_weak_pseudonym_key_is_named_among_the_weak_secrets():
    from shared.config import REPO_ROOT, load_settings, weak_secrets
    from yici_testkit import CLERK_TOKEN, SUPERVISOR_TOKEN, TOKEN
    env = {"YICI_API_TOKEN": TOKEN, "YICI_CLERK_TOKEN": CLERK_TOKEN, "YICI_SUPERVISOR_TOKEN": SUPERVISOR_TOKEN}
    distributed = REPO_ROOT / "deploy" / "config" / "distributed.yaml"
    assert weak_secrets(load_settings(distributed, env=env)) == []
    weak = weak_secrets(load_settings(distributed, env={**env, "YICI_AUDIT_SUBJECT_KEY": "audit-key-change-me"}))
    assert len(weak) == 1 and weak[0].startswith("audit_subject_key")


def test_the_generated_key_is_made_once_and_kept(tmp_path):
    from shared.audit import subject_key
    first = subject_key(None, tmp_path)
    assert len(first) >= 32 and subject_key(None, tmp_path) == first
    assert (tmp_path / "audit-subject.key").stat().st_mode & 0o077 == 0
    assert subject_key("x" * 32, tmp_path) == b"x" * 32
