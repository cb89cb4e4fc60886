"""What a handler, and the domain code it calls, knows about the call it answers."""
from __future__ import annotations

from typing import Any

from mockecs.state.store import Transaction
from mockecs.wire.records import record


@record
class Context:
    """What a handler knows about the call it answers."""

    engine: Any  # the Engine (modes and ops reach it; the world only reads config, clock, plugins)
    txn: Transaction  # None for stateless operations
    action: str
    account: str  # 16-digit account id of the caller
    region: str
    request_id: str
    host: str
    now: float  # mock-clock seconds since the epoch
    params: dict[str, str]  # the flat wire parameters, for handlers that need the raw form

    @property
    def config(self) -> Any:
        return self.engine.config

    def listed(self, option: str) -> set[str]:
        """A comma-separated option (``regions_without_image_transfer`` ...) as a set of its items."""
        return {item.strip() for item in (self.engine.config.options[option] or "").split(",") if item.strip()}

    def hook(self) -> Any:
        return self.engine.plugins.hook


class TimedContext(Context):
    """A Context that notes whether the mock clock was read through it (``clock_read``): the engine keeps no
    answer that depended on the time (see ``Engine._keep``)."""

    clock_read = False

    def __init__(self, engine: Any, txn: Transaction, action: str, account: str, region: str, request_id: str,
                 host: str, now: float, params: dict[str, str]) -> None:
        # (Context's fields, ``now`` stored as ``_now`` directly: the generated __init__ would set it through the
        # property's setter, a Python call per request; tests/test_answer_memo.py checks the fields match)
        self.engine, self.txn, self.action, self.account, self.region = engine, txn, action, account, region
        self.request_id, self.host, self._now, self.params = request_id, host, now, params

    @property  # type: ignore[override]
    def now(self) -> float:
        self.clock_read = True
        return self._now

    @now.setter
    def now(self, value: float) -> None:
        self._now = value
