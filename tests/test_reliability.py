"""Reliability: error answers leave nothing behind, engines are collected after their mock ends."""
from __future__ import annotations

import gc
import tracemalloc
import weakref

from mockecs.engine import Engine
from mockecs.wire.protocol import HttpRequest

ERRORS = [  # each answers an error raised from a named error kind (a module-level constant before)
    "Action=StartInstance&InstanceId=i-missing",
    "Action=DescribeSnapshots&NextToken=bad",
    "Action=DeleteSnapshot&SnapshotId=s-missing",
    "Action=DescribeTaskAttribute&TaskId=t-missing",
    "Action=DeleteImagePipeline&ImagePipelineId=ip-missing",
    "Action=ModifyImageAttribute&ImageId=m-missing",
]


def _request(query: str) -> HttpRequest:
    return HttpRequest("GET", f"http://ecs.aliyuncs.com/?{query}&Version=2014-05-26&Format=JSON&RegionId=cn-hangzhou",
                       {"host": "ecs.aliyuncs.com"})


def _answer_errors(engine: Engine, n: int) -> None:
    requests = [_request(q) for q in ERRORS]
    for i in range(n):
        response = engine.handle(requests[i % len(requests)])
        assert response.status >= 400, response.body


def test_memory_stays_flat_over_many_error_answers():
    engine = Engine()
    engine.config.record_calls = False  # the call record is bounded on its own; this measures the errors
    _answer_errors(engine, 2_000)  # warm caches
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        _answer_errors(engine, 50_000)
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    # A shared error instance chained every request's frames: 50,000 answers grew by hundreds of MB.
    assert grown < 1_000_000, f"{grown} bytes kept after 50,000 error answers"


def test_an_engine_is_collected_after_its_mock_ends():
    from mockecs import mock_ecs

    with mock_ecs() as m:
        _answer_errors(m.engine, 20)
        ref = weakref.ref(m.engine)
    del m
    gc.collect()
    assert ref() is None, gc.get_referrers(ref())


def test_no_module_keeps_an_error_instance():
    # Raised again, a shared instance would chain tracebacks; error kinds (classes) are raised fresh.
    import importlib
    import pkgutil

    import mockecs
    from mockecs.wire.errors import EcsError

    shared = []
    for info in pkgutil.walk_packages(mockecs.__path__, "mockecs."):
        if info.name == "mockecs.__main__":
            continue
        module = importlib.import_module(info.name)
        shared += [f"{info.name}.{k}" for k, v in vars(module).items() if isinstance(v, EcsError)]
    assert not shared
