"""The mock clock: frozen in tests (moves only with ``advance``, exactly), running on request."""
from __future__ import annotations

import time

from mockecs.engine.core import Config, Engine
from mockecs.modes import cli
from mockecs.world.clock import TICK, Clock
from tests.test_tasks import import_image, task


def test_a_frozen_clock_ignores_wall_time_and_advances_exactly(monkeypatch):
    clock = Clock()
    start = clock.now()
    wall = time.time()
    monkeypatch.setattr(time, "time", lambda: wall + 3600)  # an hour of wall time passes
    assert 0 < clock.now() - start < 10 * TICK
    before = clock.now()
    after = clock.advance(60)
    assert 60 <= after - before < 60 + 10 * TICK and clock.offset == 60
    # Readings are strictly ordered (records created one after another keep their order).
    readings = [clock.now() for _ in range(100)]
    assert readings == sorted(set(readings))


def test_thaw_runs_with_wall_time_from_where_it_stood(monkeypatch):
    clock = Clock()
    clock.advance(100)
    stood = clock.now()
    clock.thaw()
    assert not clock.frozen and abs(clock.now() - stood) < 1
    wall = time.time()
    monkeypatch.setattr(time, "time", lambda: wall + 50)
    assert clock.now() - stood > 49
    clock.freeze()
    assert clock.frozen and clock.now() - stood > 49
    running = Clock(frozen=False)
    assert not running.frozen and abs(running.now() - wall - 50) < 1


def test_engines_clock_is_frozen_unless_asked_to_run():
    assert Engine().clock.frozen
    engine = Engine(Config(options={"clock": "running"}))
    assert not engine.clock.frozen
    engine.config.options["clock"] = "frozen"  # a change at run time applies at the next reading
    engine.clock.now()
    assert engine.clock.frozen


def test_the_standalone_server_clock_runs_unless_frozen_is_asked():
    assert cli.build_config({}, (), None).options["clock"] == "running"
    assert cli.build_config({}, ("clock=frozen",), None).options["clock"] == "frozen"


def test_delayed_import_progress_does_not_move_with_wall_time(client, engine, monkeypatch):
    engine.lifecycle.delay("task", seconds=60)
    body = import_image(client)
    engine.clock.advance(30)
    wall = time.time()
    monkeypatch.setattr(time, "time", lambda: wall + 20)  # 20 s of wall time: nothing moves
    assert task(client, body.task_id).task_process == "50%"
    engine.clock.advance(30)
    assert task(client, body.task_id).task_status == "Finished"
