"""Fixtures for mockecs' own tests: a fresh mock per test and real SDK clients pointed at it."""
from __future__ import annotations

import pytest

from mockecs.modes.mock import MockECS
from mockecs.ops.registry import load_all

# Tests list every operation (parameters against the SDK models, fuzzing, region rules): all modules, the lazy ones
# too (tests/test_lazy_ops.py covers loading them on first use, in fresh interpreters).
load_all()

pytest_plugins = ["pytester"]


@pytest.fixture(autouse=True, scope="session")
def mockecs_data_dir(tmp_path_factory):
    """The mockecs CA (``mockecs.modes.server.tls``) of this test run, not the user's; server subprocesses
    inherit it."""
    import os

    from mockecs.modes.server.tls import DATA_DIR_ENV

    saved = os.environ.get(DATA_DIR_ENV)
    os.environ[DATA_DIR_ENV] = str(tmp_path_factory.mktemp("mockecs-data"))
    yield os.environ[DATA_DIR_ENV]
    if saved is None:
        del os.environ[DATA_DIR_ENV]
    else:
        os.environ[DATA_DIR_ENV] = saved


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


@pytest.fixture(autouse=True)
def answers_match_sdk_models(monkeypatch):
    """Every successful JSON answer given during a test must fit the SDK's response model
    (field names and JSON types), whichever test produced it: see tests/sdk_shapes.py."""
    import json

    from mockecs.engine.core import Engine
    from mockecs.ops.registry import declared, spelled
    from mockecs.wire.apis import api_of
    from mockecs.wire.protocol import decode
    from tests.sdk_shapes import first_problem

    problems: list[str] = []
    original = Engine.handle

    def checked(self, http):
        resp = original(self, http)
        if resp.status == 200 and resp.headers.get("Content-Type", "").startswith("application/json") \
                and "x-oss-request-id" not in resp.headers:  # (OSS's JSON, a bucket policy: not an SDK model's)
            req = decode(http)
            version = api_of(req.host, req.version).version
            action = req.action if declared(req.action) else spelled(version, req.action)  # (DescribeUserdata)
            problem = first_problem(action, json.loads(resp.body), version)
            if problem:
                problems.append(problem)
        return resp

    monkeypatch.setattr(Engine, "handle", checked)
    yield
    assert not problems, f"answers that do not fit the SDK's response models: {sorted(set(problems))[:10]}"
