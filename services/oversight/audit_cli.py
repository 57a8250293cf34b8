"""`yici audit verify`: recompute the audit trail's hash chain and name the first entry that does not hold."""
from __future__ import annotations

import argparse
import sys

from services.oversight.audit import verify_chain
from shared.config import Settings
from shared.messaging import Store

SERVICE = "oversight"


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="yici audit", description="the audit trail (审计日志) in oversight's database")
    parser.add_argument("action", choices=["verify"])
    parser.add_argument("--head", action="append", default=[], metavar="SEQ:HASH",
                        help="a head published earlier (yici_audit_chain_head): it must still be in the chain")
    parser.add_argument("--config", default=None, help="YAML configuration (default $YICI_CONFIG or embedded)")
    return parser


def check(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    for head in args.head:
        seq, _, digest = head.partition(":")
        if not seq.isdigit() or len(digest) != 64:
            parser.error(f"--head {head!r}: give SEQ:HASH, e.g. 42:<64 hex digits>")


def run(args: argparse.Namespace, settings: Settings, store: Store) -> int:
    """Exit 0 when the chain holds (and contains every --head), 1 naming the first break."""
    heads = {int(seq): digest for seq, _, digest in (h.partition(":") for h in args.head)}
    seen: dict[int, str] = {}
    result = verify_chain(store, on_entry=lambda seq, digest: seen.update({seq: digest}) if seq in heads else None)
    if result.broken is not None:
        print(f"yici audit: chain broken at {result.broken}", file=sys.stderr)
        return 1
    missing = [seq for seq, digest in sorted(heads.items()) if seen.get(seq) != digest]
    if missing:
        print(f"yici audit: chain broken at entry {missing[0]}: the head published then is no longer there "
              f"(entries {missing[0]} and before were rewritten, or the chain was cut)", file=sys.stderr)
        return 1
    print(f"audit chain intact: {result.entries} entries, head {result.head}")
    return 0
