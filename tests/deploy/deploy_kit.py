"""Fixtures of the deploy tier: a throwaway vhost (and users) on the local RabbitMQ, a throwaway PostgreSQL
database. Both fail, never skip, when the server is missing."""
from __future__ import annotations

import subprocess
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from yici.deploy import broker

REPO = Path(__file__).resolve().parents[2]

POSTGRES = "postgresql+psycopg2://postgres@127.0.0.1:5432"


@contextmanager
def throwaway_vhost():
    """A fresh vhost; users appended to the yielded list are deleted with it."""
    name = f"yici-deploy-test-{uuid.uuid4().hex[:10]}"
    created_users: list[str] = []
    broker.rabbitmqctl("add_vhost", name)
    try:
        yield name, created_users
    finally:
        broker.rabbitmqctl("delete_vhost", name)
        delete_users(created_users)


@pytest.fixture
def deploy_vhost():
    with throwaway_vhost() as made:
        yield made


@pytest.fixture(scope="module")
def module_vhost():
    with throwaway_vhost() as made:
        yield made


def delete_users(users: list[str]) -> None:
    if not users:
        return
    names = ",".join(f'<<"{u}">>' for u in users)
    try:
        broker.rabbitmqctl("eval", f"[rabbit_auth_backend_internal:delete_user(U, <<\"yici-test\">>) "
                                   f"|| U <- [{names}]].")
    except RuntimeError:
        for user in users:
            subprocess.run(["rabbitmqctl", "-q", "delete_user", user], capture_output=True)


def grant_guest(vhost: str) -> None:
    broker.rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")


def guest_uri(vhost: str) -> str:
    return f"amqp://guest:guest@127.0.0.1:5672/{vhost}"


@pytest.fixture
def deploy_database():
    """A PostgreSQL database with a unique name, dropped afterwards; yields its URL."""
    name = f"yici_deploy_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(f"{POSTGRES}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{POSTGRES}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
