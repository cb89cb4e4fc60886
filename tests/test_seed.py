"""The ``seed`` setting: the same calls on a fresh state make the same ids, addresses and RequestIds (as moto's
seed does), through every way in; without it every process draws its own."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request

import pytest
from alibabacloud_ecs20140526 import models

from mockecs.engine.config import Config, SettingError
from mockecs.engine.core import Engine
from mockecs.modes.clients import server_client
from mockecs.modes.mock import mock_ecs
from mockecs.modes.server import ServerThread
from mockecs.world import ids, resources
from tests.networks_helpers import new_vpc, new_vswitch
from tests.sdk import new_client

UBUNTU = "ubuntu_22_04_x64_20G_alibase_20240130.vhd"


def build(client) -> dict:
    """A small pipeline: network, group, instance, image, address; every id and RequestId it was answered."""
    vpc_id = new_vpc(client, cidr_block="172.16.0.0/12")
    vswitch_id = new_vswitch(client, vpc_id)
    group = client.create_security_group(models.CreateSecurityGroupRequest(region_id="cn-hangzhou", vpc_id=vpc_id))
    run = client.run_instances(models.RunInstancesRequest(
        region_id="cn-hangzhou", image_id=UBUNTU, instance_type="ecs.g7.large", v_switch_id=vswitch_id,
        security_group_id=group.body.security_group_id, amount=2))
    instance_id = run.body.instance_id_sets.instance_id_set[0]
    image = client.create_image(models.CreateImageRequest(region_id="cn-hangzhou", instance_id=instance_id,
                                                          image_name="seeded"))
    address = client.allocate_eip_address(models.AllocateEipAddressRequest(region_id="cn-hangzhou"))
    disks = client.describe_disks(models.DescribeDisksRequest(region_id="cn-hangzhou", instance_id=instance_id))
    return {"vpc": vpc_id, "vswitch": vswitch_id, "group": group.body.security_group_id,
            "instances": run.body.instance_id_sets.instance_id_set, "image": image.body.image_id,
            "eip": [address.body.allocation_id, address.body.eip_address],
            "disk": [d.disk_id for d in disks.body.disks.disk], "request_ids": [
                group.body.request_id, run.body.request_id, image.body.request_id, address.body.request_id]}


def seeded_run(seed) -> dict:
    with mock_ecs(seed=seed):
        return build(new_client())


def test_the_same_seed_makes_the_same_ids_and_request_ids():
    first, second = seeded_run(7), seeded_run(7)
    assert first == second
    assert first["image"].startswith("m-bp1") and len(first["image"]) == 22
    assert len(set(first["instances"])) == 2
    request_id = first["request_ids"][0]
    assert request_id == request_id.upper() and [len(p) for p in request_id.split("-")] == [8, 4, 4, 4, 12]
    assert request_id[14] == "4"  # a version 4 UUID, as the service's are


def test_other_seeds_and_no_seed_make_other_ids():
    seven, eight = seeded_run(7), seeded_run(8)
    assert not {seven["image"], seven["group"], seven["eip"][1]} & {eight["image"], eight["group"], eight["eip"][1]}
    free = [seeded_run(None) for _ in range(2)]
    assert free[0]["image"] != free[1]["image"] and free[0]["request_ids"][0] != free[1]["request_ids"][0]


def test_reset_starts_the_sequence_again():
    with mock_ecs(seed=3) as mock:
        client = new_client()
        first = build(client)
        mock.reset()
        assert build(client) == first


def test_ids_made_outside_a_call_follow_the_seed_while_the_mock_is_active():
    """What fixtures and helpers make between calls (``resources.new_id``) comes from the engine's source."""
    made = []
    for _ in range(2):
        with mock_ecs(seed=11):
            made.append((resources.new_id("image", "cn-hangzhou"), resources.random_uuid()))
    assert made[0] == made[1]
    assert resources.new_id("image", "cn-hangzhou") != made[0][0]  # (the process's source again)
    assert ids.CURRENT.get() is None


def test_the_server_and_its_control_api_follow_the_seed():
    def serve() -> tuple[dict, str]:  # (the agent's registration: a managed instance's mi- id)
        server = ServerThread(Engine(Config(seed=5))).start()
        try:
            client = server_client(server.url)
            answers = build(client)
            activation = client.create_activation(models.CreateActivationRequest(region_id="cn-hangzhou")).body
            request = urllib.request.Request(server.url + "/_mockecs/managed-instances", method="POST", data=json.dumps(
                {"activation_id": activation.activation_id, "activation_code": activation.activation_code}).encode())
            with urllib.request.urlopen(request) as reply:
                return answers, json.loads(reply.read())["instance_id"]
        finally:
            server.stop()

    assert serve() == serve()


def test_a_shared_store_refuses_the_seed(tmp_path):
    with pytest.raises(SettingError, match=r"^seed: needs the memory store"):
        Engine(Config(seed=1, store=f"sqlite:///{tmp_path / 'state.db'}"))
    assert not (tmp_path / "state.db").exists()  # (refused before the store file is made)
    done = subprocess.run([sys.executable, "-m", "mockecs", "server", "--seed", "1", "--port", "0", "--store",
                           f"sqlite:///{tmp_path / 'other.db'}"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1].startswith("Error: seed: needs the memory store (memory://)")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_process_draws_its_own_ids():
    """Server workers and xdist workers on one store must never make the same id: the child reseeds."""
    state = ids._process.getstate()
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover (the child)
        os.write(writer, resources.new_id("instance", "cn-hangzhou").encode())
        os._exit(0)
    os.close(writer)
    os.waitpid(pid, 0)
    child = os.read(reader, 64).decode()
    os.close(reader)
    ids._process.setstate(state)  # where the child started, had it not reseeded
    assert resources.new_id("instance", "cn-hangzhou") != child


SEEDED_TESTS = """
from alibabacloud_ecs20140526 import models

def made(client):
    group = client.create_security_group(models.CreateSecurityGroupRequest(region_id="cn-hangzhou")).body
    return group.security_group_id, group.request_id

def test_one(ecs_client):
    print("MADE", *made(ecs_client))

def test_two(ecs_client):
    print("MADE", *made(ecs_client))
"""


def made_lines(result: pytest.RunResult) -> list[str]:
    return [line[line.index("MADE"):] for line in result.stdout.lines if "MADE" in line]


def test_every_test_of_a_seeded_run_starts_the_same_sequence(pytester: pytest.Pytester) -> None:
    """``--mockecs-seed``: each test starts from a reset state, so from the start of the seed's sequence."""
    pytester.makepyfile(SEEDED_TESTS)
    lines = {}
    for run in range(2):
        result = pytester.runpytest_subprocess("-s", "-p", "no:randomly", "--mockecs-seed", "42")
        result.assert_outcomes(passed=2)
        lines[run] = made_lines(result)
    assert len(lines[0]) == 2 and lines[0][0] == lines[0][1] and lines[0] == lines[1]
    result = pytester.runpytest_subprocess("-s", "-p", "no:randomly")
    free = made_lines(result)
    assert free[0] != free[1]
