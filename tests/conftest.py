"""Fixtures for mockecs' own tests: a fresh mock per test and real SDK clients pointed at it."""
from __future__ import annotations

import pytest

from mockecs.mock import MockECS

pytest_plugins = ["pytester"]


@pytest.fixture
def mock():
    with MockECS() as m:
        yield m


@pytest.fixture
def engine(mock):
    return mock.engine


@pytest.fixture
def client(mock):
    from tests.sdk import new_client

    return new_client()


@pytest.fixture
def legacy(mock):
    from tests.sdk import legacy_client

    return legacy_client()


@pytest.fixture
def other(mock):
    """A second account (its own keys and clients) in the same fake."""
    from tests.sdk import make_account

    return make_account(mock.engine, "2222333344445555")
