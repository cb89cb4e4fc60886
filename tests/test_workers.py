"""``mockecs server --workers N`` on a shared store: races across processes lose and duplicate nothing."""
from __future__ import annotations

import socket
import ssl
import subprocess
import sys
import threading

import pytest
from alibabacloud_ecs20140526 import models

from tests.redis_server import redis_server, redis_url  # noqa: F401 - fixtures
from tests.sdk import new_client
from tests.test_concurrency import _snapshot
from tests.test_server import ServerProcess

RACERS = 12


def test_memory_store_with_workers_is_refused_in_one_line():
    proc = subprocess.run([sys.executable, "-m", "mockecs", "server", "--port", "0", "--workers", "2"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    error = [line for line in proc.stderr.splitlines() if line.startswith("Error:")]
    assert len(error) == 1 and "--workers 2 needs a store the workers share" in error[0], proc.stderr


@pytest.fixture(params=["redis", "sqlite"])
def workers(request, tmp_path):
    if request.param == "redis":
        store = request.getfixturevalue("redis_url")
    else:
        pytest.importorskip("mockecs_sqlite")
        store = f"sqlite:///{tmp_path / 'state.db'}"
    srv = ServerProcess("--workers", "2", "--store", store, "--option", "image_quota=6",
                        log_path=str(tmp_path / "server.log"))
    yield srv
    assert srv.stop() == 0


def _race(work) -> list:
    """``work(n)`` in RACERS threads at once (each its own client and connection): results or errors."""
    results: list = [None] * RACERS
    start = threading.Barrier(RACERS)

    def run(n: int) -> None:
        start.wait()
        try:
            results[n] = work(n)
        except Exception as exc:
            results[n] = exc

    threads = [threading.Thread(target=run, args=(n,)) for n in range(RACERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results


def test_races_across_processes_lose_and_duplicate_nothing(workers):
    client = lambda: new_client(endpoint=workers.netloc, protocol="HTTP")  # noqa: E731
    snapshot_id = _snapshot(client())

    def create(name: str, token: str = None):
        body = client().create_image(models.CreateImageRequest(region_id="cn-hangzhou", snapshot_id=snapshot_id,
                                                               image_name=name, client_token=token)).body
        return body.image_id, body.request_id

    # The same ClientToken: one image, every caller told its id.
    same_token = _race(lambda n: create("by-token", "token-1"))
    assert all(isinstance(r, tuple) for r in same_token), [str(r)[:300] for r in same_token if not isinstance(r, tuple)]
    assert len({image_id for image_id, _ in same_token}) == 1
    assert len({request_id[:8] for _, request_id in same_token}) == 2, "both workers answered"
    # The same name: one wins, the others are told it is taken.
    same_name = _race(lambda n: create("by-name"))
    won = [r for r in same_name if isinstance(r, tuple)]
    assert len(won) == 1, same_name
    assert {r.code for r in same_name if not isinstance(r, tuple)} == {"InvalidImageName.Duplicated"}
    # The quota edge (6): two images exist, so exactly four more fit.
    quota = _race(lambda n: create(f"quota-{n}"))
    assert len([r for r in quota if isinstance(r, tuple)]) == 4, quota
    assert {r.code for r in quota if not isinstance(r, tuple)} == {"QuotaExceed.Image"}
    listed = client().describe_images(models.DescribeImagesRequest(
        region_id="cn-hangzhou", image_owner_alias="self", page_size=100)).body
    expected = {same_token[0][0], won[0][0]} | {r[0] for r in quota if isinstance(r, tuple)}
    assert listed.total_count == 6 and {i.image_id for i in listed.images.image} == expected


SHARED_PROBE = """
import os
import pytest
from alibabacloud_ecs20140526 import models

@pytest.mark.parametrize("n", range(6))
def test_shared(ecs_mock, ecs_client, n):
    run = ecs_client.run_instances(models.RunInstancesRequest(
        region_id="cn-hangzhou", image_id="aliyun_3_x64_20G_alibase_20240819.vhd", instance_type="ecs.g7.large"))
    name = f"probe-{n}-{os.environ.get('PYTEST_XDIST_WORKER')}"
    ecs_client.create_image(models.CreateImageRequest(
        region_id="cn-hangzhou", instance_id=run.body.instance_id_sets.instance_id_set[0], image_name=name))
    assert len(ecs_mock.calls) == 2  # this test's calls in this process
"""


def test_pytest_option_makes_xdist_workers_share_one_fake(pytester, redis_url):  # noqa: F811 - fixture
    """--mockecs-shared: the 6 images two xdist workers create end up in one world (a fresh engine on
    the store lists all of them); a memory store is refused in one line."""
    pytester.makepyfile(SHARED_PROBE)
    result = pytester.runpytest_subprocess("-n", "2", "-p", "xdist", "--mockecs-shared", "--mockecs-store", redis_url)
    result.assert_outcomes(passed=6)
    from mockecs.engine.core import Config, Engine

    engine = Engine(Config(store=redis_url))
    try:
        with engine.store.transaction() as txn:
            names = sorted(txn.get("image", i)["ImageName"] for i in txn.ids(
                "image", ("owner", "1234567890123456")))
    finally:
        engine.store.close()
    assert [name.split("-")[1] for name in names] == [str(n) for n in range(6)]
    assert {name.split("-")[2] for name in names} == {"gw0", "gw1"}
    refused = pytester.runpytest_subprocess("--mockecs-shared")
    assert refused.ret == pytest.ExitCode.USAGE_ERROR
    refused.stderr.fnmatch_lines(["*--mockecs-shared needs a store the workers share*memory://*"])


def test_https_workers_answer_a_verifying_client_on_one_port(redis_url, tmp_path):  # noqa: F811 - fixture
    """--workers 2 --https: every worker serves TLS on the shared port with the certificate the mockecs CA
    signed; the current SDK, trusting only that CA, is answered by both and sees one world."""
    pytest.importorskip("cheroot", reason="the server-https extra is not installed")
    from darabonba.runtime import RuntimeOptions

    from mockecs.modes.server.tls import ca_cert_path

    srv = ServerProcess("--workers", "2", "--https", "--store", redis_url, "--option", "image_quota=100",
                        log_path=str(tmp_path / "server.log"))
    try:
        assert srv.url.startswith("https://") and "2 workers" in srv.line
        runtime = RuntimeOptions(ca=ca_cert_path())  # verified against the mockecs CA
        client = lambda: new_client(endpoint=srv.netloc, protocol="HTTPS")  # noqa: E731 - a new connection each
        run = client().run_instances_with_options(models.RunInstancesRequest(
            region_id="cn-hangzhou", image_id="aliyun_3_x64_20G_alibase_20240819.vhd",
            instance_type="ecs.g7.large"), runtime).body
        created = _race(lambda n: client().create_image_with_options(models.CreateImageRequest(  # (at once: the
            region_id="cn-hangzhou", instance_id=run.instance_id_sets.instance_id_set[0], image_name=f"tls-{n}"),
            runtime).body)  # SDK keeps connections, so concurrent calls take several and both workers see some)
        assert all(isinstance(body, models.CreateImageResponseBody) for body in created), created
        assert len({body.request_id[:8] for body in created}) == 2, "both workers answered"
        listed = client().describe_images_with_options(models.DescribeImagesRequest(
            region_id="cn-hangzhou", image_owner_alias="self", page_size=100), runtime).body
        assert {i.image_id for i in listed.images.image} == {body.image_id for body in created}
        # Each new connection (whichever worker takes it) shows a certificate issued by the mockecs CA.
        host, port = srv.netloc.rsplit(":", 1)
        context = ssl.create_default_context(cafile=ca_cert_path())
        for _ in range(4):
            with socket.create_connection((host, int(port)), timeout=10) as raw, \
                    context.wrap_socket(raw, server_hostname=host) as tls:
                assert dict(n[0] for n in tls.getpeercert()["issuer"])["commonName"] == "mockecs local CA"
    finally:
        assert srv.stop() == 0
