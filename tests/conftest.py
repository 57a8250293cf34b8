"""Fixtures shared by every tier. Tests that need RabbitMQ or PostgreSQL fail, never skip, without them."""
from __future__ import annotations

import pytest

from yici_testkit import TOKEN, broker_vhost, free_port, postgres_database, require_postgres, require_rabbit


@pytest.fixture(scope="session")
def rabbit_available() -> None:
    require_rabbit()


@pytest.fixture(scope="session")
def postgres_available() -> None:
    require_postgres()


@pytest.fixture
def vhost(rabbit_available):
    with broker_vhost() as name:
        yield name


@pytest.fixture
def pg_url(postgres_available):
    with postgres_database() as url:
        yield url


@pytest.fixture
def token() -> str:
    return TOKEN


@pytest.fixture
def port() -> int:
    return free_port()
