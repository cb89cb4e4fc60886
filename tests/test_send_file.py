"""Cloud Assistant's SendFile and DescribeSendFileResults: a file delivered to build instances (what an image
pipeline does before it runs its setup command), through the current SDK (sync and async) and the old one (JSON and
XML); its statuses on the invocation lifecycle, an instance that is not running, the filters and pages, and the
metadata's codes."""
from __future__ import annotations

import asyncio
import base64

import alibabacloud_ecs20140526.models as models
import pytest
from aliyunsdkecs.request.v20140526.DescribeSendFileResultsRequest import DescribeSendFileResultsRequest
from aliyunsdkecs.request.v20140526.SendFileRequest import SendFileRequest

from tests.sdk import error_of, legacy_call, legacy_xml
from tests.test_instances import REGION, assert_documented, run

SCRIPT = "#!/bin/bash\necho built > /etc/motd\n"


def send(client, instance_ids: list[str], **kw) -> str:
    args = {"name": "setup.sh", "target_dir": "/root", "content": SCRIPT, **kw}
    return client.send_file(models.SendFileRequest(region_id=REGION, instance_id=instance_ids, **args)).body.invoke_id


def results(client, **kw) -> models.DescribeSendFileResultsResponseBody:
    return client.describe_send_file_results(models.DescribeSendFileResultsRequest(region_id=REGION, **kw)).body


def one(client, invoke_id: str) -> dict:
    [found] = results(client, invoke_id=invoke_id).to_map()["Invocations"]["Invocation"]
    return found


def test_a_file_delivered_to_two_instances(client, engine):
    first, second = run(client, amount=2)
    engine.lifecycle.delay("invocation", seconds=10)
    invoke_id = send(client, [first, second], file_mode="0755", description="setup script",
                     tag=[models.SendFileRequestTag(key="pipeline", value="base")])
    assert invoke_id.startswith("f-")
    found = one(client, invoke_id)
    assert (found["Name"], found["TargetDir"], found["Content"], found["ContentType"]) == (
        "setup.sh", "/root", SCRIPT, "PlainText")
    assert (found["FileMode"], found["FileOwner"], found["FileGroup"], found["Overwrite"]) == (
        "0755", "root", "root", "false")
    assert (found["VmCount"], found["InvocationStatus"]) == (2, "Pending")
    assert found["Tags"]["Tag"] == [{"TagKey": "pipeline", "TagValue": "base"}]
    engine.clock.advance(10)
    assert one(client, invoke_id)["InvocationStatus"] == "Running"
    engine.clock.advance(10)
    found = one(client, invoke_id)
    assert found["InvocationStatus"] == "Success"
    rows = found["InvokeInstances"]["InvokeInstance"]
    assert [(r["InstanceId"], r["InvocationStatus"], r["ErrorCode"]) for r in rows] == [
        (first, "Success", ""), (second, "Success", "")]
    assert all(r["StartTime"] and r["FinishTime"] for r in rows)


def test_an_instance_not_running_and_a_failure(client, engine):
    running, stopped = run(client, amount=2)
    client.stop_instance(models.StopInstanceRequest(instance_id=stopped))
    found = one(client, send(client, [running, stopped]))
    assert found["InvocationStatus"] == "PartialFailed"
    rows = {r["InstanceId"]: r for r in found["InvokeInstances"]["InvokeInstance"]}
    assert (rows[stopped]["InvocationStatus"], rows[stopped]["ErrorCode"]) == ("Aborted", "InstanceNotRunning")
    engine.lifecycle.fail_next("invocation")
    assert one(client, send(client, [running]))["InvocationStatus"] == "Failed"


def test_base64_content_and_filters(client):
    [instance_id] = run(client)
    [other] = run(client)
    encoded = base64.b64encode(b"\x00binary\xff").decode()
    first = send(client, [instance_id], name="blob.bin", content=encoded, content_type="Base64")
    assert one(client, first)["Content"] == encoded and one(client, first)["ContentType"] == "Base64"
    second = send(client, [other], name="setup.sh")
    third = send(client, [instance_id], name="setup.sh")
    listed = lambda **kw: [i.invoke_id for i in results(client, **kw).invocations.invocation]  # noqa: E731
    assert listed() == [third, second, first]  # newest first
    assert listed(name="setup.sh") == [third, second]
    assert listed(instance_id=instance_id) == [third, first]
    assert listed(instance_id=instance_id, name="setup.sh") == [third]
    assert listed(invocation_status="Success") == [third, second, first]
    page = results(client, max_results=2)
    assert [i.invoke_id for i in page.invocations.invocation] == [third, second] and page.next_token
    rest = results(client, max_results=2, next_token=page.next_token)
    assert [i.invoke_id for i in rest.invocations.invocation] == [first] and rest.total_count == 3


@pytest.mark.parametrize("kw, code, status", [
    ({"target_dir": "relative/dir"}, "FileTargetDir.Invalid", 400),
    ({"file_mode": "rwx"}, "FileMode.Invalid", 400),
    ({"content": "not base64!", "content_type": "Base64"}, "FileContent.DecodeError", 400),
    ({"content_type": "Binary"}, "FileContentType.Invalid", 400),
    ({"content": "x" * 30000}, "FileSize.ExceedLimit", 403),
    ({"name": "n" * 256}, "FileName.ExceedLimit", 403),
    ({"description": "d" * 513}, "FileDesc.ExceedLimit", 403),
    ({"file_owner": "o" * 65}, "InvalidParameter.FileOwner", 400),
    ({"instances": []}, "MissingParam.InstanceId", 400),
    ({"instances": ["i-bp1nothere0000000000"]}, "InvalidInstance.NotFound", 404),
    ({"instances": [f"i-{n}" for n in range(51)]}, "InstanceIds.ExceedLimit", 403),
])
def test_refused(client, kw, code, status):
    [instance_id] = run(client)
    kw = dict(kw)
    instances = kw.pop("instances", [instance_id])
    err = error_of(send, client, instances, **kw)
    assert (err.code, err.status_code) == (code, status)
    assert_documented("SendFile", err)
    assert results(client).total_count == 0


def test_describe_refused(client):
    for kw, code in (({"page_size": 51}, "InvalidParam.PageSize"), ({"max_results": 0}, "InvalidParameter.MaxResults"),
                     ({"next_token": "forged"}, "InvalidParameter.NextToken")):
        err = error_of(results, client, **kw)
        assert (err.code, err.status_code) == (code, 400)
        assert_documented("DescribeSendFileResults", err)


def test_async_and_old_sdk(client, legacy):
    [instance_id] = run(client)

    async def go() -> str:
        resp = await client.send_file_async(models.SendFileRequest(
            region_id=REGION, instance_id=[instance_id], name="a.txt", target_dir="/tmp", content="hello"))
        return resp.body.invoke_id

    invoke_id = asyncio.run(go())
    request = SendFileRequest()
    request.set_InstanceIds([instance_id])
    request.set_Name("b.txt")
    request.set_TargetDir("/tmp")
    request.set_Content("bye")
    legacy_id = legacy_call(legacy, request)["InvokeId"]
    listing = DescribeSendFileResultsRequest()
    listing.set_InstanceId(instance_id)
    answered = legacy_call(legacy, listing)["Invocations"]["Invocation"]
    assert [(i["InvokeId"], i["Name"]) for i in answered] == [(legacy_id, "b.txt"), (invoke_id, "a.txt")]
    root = legacy_xml(legacy, listing)
    assert [e.text for e in root.iter("InvokeId")] == [legacy_id, invoke_id]
