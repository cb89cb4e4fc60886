"""A launch template's HostName with RunInstances' ``${instance_id}`` placeholder or a
``name_prefix[begin,bits]name_suffix`` sequence: CreateLaunchTemplate and CreateLaunchTemplateVersion keep it as
written, and RunInstances from the template names the instances as it would with that HostName of its own.
Through the current SDK."""
from __future__ import annotations

from typing import Any

import alibabacloud_ecs20140526.models as m
import pytest

from tests.sdk import error_of
from tests.test_instances import LINUX, REGION, X86_TYPE, assert_documented, describe
from tests.test_launch_templates import add_version, create, versions


def host_names(client, template_id: str, amount: int = 1, **kw: Any) -> tuple[list[str], list[str]]:
    ids = client.run_instances(m.RunInstancesRequest(region_id=REGION, launch_template_id=template_id, amount=amount,
                                                     **kw)).body.instance_id_sets.instance_id_set
    return [describe(client, i)["HostName"] for i in ids], ids


def stored(client, template_id: str) -> list[str]:
    return [v["LaunchTemplateData"].get("HostName")
            for v in versions(client, template_id)["LaunchTemplateVersionSets"]["LaunchTemplateVersionSet"]]


def test_the_instance_id_placeholder(client):
    template_id = create(client, image_id=LINUX, instance_type=X86_TYPE, host_name="k8s-${instance_id}")
    names, ids = host_names(client, template_id, 2)
    assert names == [f"k8s-{i}" for i in ids]
    assert stored(client, template_id) == ["k8s-${instance_id}"]  # (kept as written)
    # (RunInstances alike, for comparison)
    direct = client.run_instances(m.RunInstancesRequest(region_id=REGION, image_id=LINUX, instance_type=X86_TYPE,
                                                        host_name="k8s-${instance_id}")).body
    [direct_id] = direct.instance_id_sets.instance_id_set
    assert describe(client, direct_id)["HostName"] == f"k8s-{direct_id}"


def test_a_sequence_in_a_new_version(client):
    template_id = create(client, image_id=LINUX, instance_type=X86_TYPE, host_name="plain-host")
    number = add_version(client, template_id, image_id=LINUX, instance_type=X86_TYPE,
                         host_name="node-[5,2]-ecshost", instance_name="node-[5,3]")
    names, ids = host_names(client, template_id, 3, launch_template_version=number)
    assert names == ["node-05-ecshost", "node-06-ecshost", "node-07-ecshost"]
    assert [describe(client, i)["InstanceName"] for i in ids] == ["node-005", "node-006", "node-007"]
    assert host_names(client, template_id)[0] == ["plain-host"]  # (the default version: as written)
    # a sequence and the placeholder together, with the default bits (6)
    both = add_version(client, template_id, image_id=LINUX, instance_type=X86_TYPE, host_name="w[]-${instance_id}")
    names, ids = host_names(client, template_id, 2, launch_template_version=both)
    assert names == [f"w000000-{ids[0]}", f"w000001-{ids[1]}"]


@pytest.mark.parametrize("host_name", ["node-[x]", "node-[1,7]", "node-[1,2", "-bad-", "a--b", "node-[1]-[2]",
                                       "${instance_id}" + "x" * 50])
def test_what_the_launch_would_refuse_is_refused(client, host_name):
    err = error_of(create, client, image_id=LINUX, instance_type=X86_TYPE, host_name=host_name)
    assert_documented("CreateLaunchTemplate", err)
    assert (err.code, err.status_code) == ("InvalidHostName.Malformed", 400)
    template_id = create(client, "ok", image_id=LINUX, instance_type=X86_TYPE)
    err = error_of(add_version, client, template_id, host_name=host_name)
    assert_documented("CreateLaunchTemplateVersion", err)
    assert (err.code, err.status_code) == ("InvalidHostName.Malformed", 400)
