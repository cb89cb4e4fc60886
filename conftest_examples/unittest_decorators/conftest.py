"""unittest-style suites need no mockecs fixtures: ``@mock_ecs`` on a TestCase runs setUp, the
test and tearDown inside a fresh fake for every test, and ``mockecs.modes.mock.current_mock()`` gives
the active mock (for ``calls`` and ``inject``).

This conftest only gives the code under test the environment it reads its keys from (use it
on a TestCase with ``@pytest.mark.usefixtures("fake_credentials")``)."""
import pytest

from mockecs.state.accounts import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET


@pytest.fixture
def fake_credentials(monkeypatch):
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", DEFAULT_ACCESS_KEY_ID)
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", DEFAULT_ACCESS_KEY_SECRET)
