"""A standalone mockecs server per test session (per xdist worker), for code that runs in
another process: a CLI, a subprocess, a tool in another language. State is reset before
every test that uses ``ecs_server``."""
import os
import sys

import pytest


@pytest.fixture
def server_env(ecs_server):
    """Environment for a child process: where the fake ECS is and which keys to use."""
    from mockecs.state.accounts import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET

    return dict(os.environ, ECS_ENDPOINT=ecs_server.url, ALIBABA_CLOUD_ACCESS_KEY_ID=DEFAULT_ACCESS_KEY_ID,
                ALIBABA_CLOUD_ACCESS_KEY_SECRET=DEFAULT_ACCESS_KEY_SECRET)


@pytest.fixture
def python():
    return sys.executable
