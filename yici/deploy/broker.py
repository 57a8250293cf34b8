"""Loading definitions into a broker: `rabbitmqctl import_definitions` on the broker's own machine."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from . import access
from .definitions import definitions


def document(profile: str, vhost: str, departments: list[str] | None = None, with_users: bool = False,
             secrets_dir: Path | None = None, generate: bool = False, prefix: str = "") -> dict:
    """Topology, plus users with hashed passwords when asked (never written to the repository)."""
    doc = definitions(profile, vhost, departments)
    if with_users:
        departments = departments if departments is not None else _catalog_departments()
        grant_list = access.grants(departments, prefix)
        passwords = {g.user: access.password_for(g.user, secrets_dir, generate) for g in grant_list}
        doc.update(access.user_definitions(grant_list, passwords, vhost))
    return doc


def _catalog_departments() -> list[str]:
    from .definitions import departments_from_catalog
    return departments_from_catalog()


def rabbitmqctl(*args: str, stdin: str | None = None, timeout: float = 60) -> str:
    """Run rabbitmqctl; raises with its output when it fails."""
    binary = shutil.which("rabbitmqctl") or "/usr/sbin/rabbitmqctl"
    done = subprocess.run([binary, "-q", *args], input=stdin, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"rabbitmqctl {args[0]} failed ({done.returncode}): "
                           f"{done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


def import_definitions(doc: dict) -> None:
    """Through standard input, so a document with password hashes never touches the disk."""
    rabbitmqctl("import_definitions", "--format", "json", stdin=json.dumps(doc))
