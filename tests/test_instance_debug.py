"""Looking at an instance from outside: GetInstanceConsoleOutput, GetInstanceScreenshot, and the small reads beside
them (DescribeNetworkInterfaceAttribute, DescribeDisksFullStatus, DescribeAccountAttributes) and the management
terminal (DescribeInstanceVncUrl, ModifyInstanceVncPasswd), through the real SDKs
(current sync and async, the old one in JSON and XML), with the documented codes, statuses and fields."""
from __future__ import annotations

import asyncio
import base64
import os
import shutil
import struct
import urllib.parse

import alibabacloud_ecs20140526.models as models
import pytest
from aliyunsdkecs.request.v20140526.DescribeAccountAttributesRequest import DescribeAccountAttributesRequest
from aliyunsdkecs.request.v20140526.DescribeDisksFullStatusRequest import DescribeDisksFullStatusRequest
from aliyunsdkecs.request.v20140526.DescribeInstanceVncUrlRequest import DescribeInstanceVncUrlRequest
from aliyunsdkecs.request.v20140526.DescribeNetworkInterfaceAttributeRequest import (
    DescribeNetworkInterfaceAttributeRequest,
)
from aliyunsdkecs.request.v20140526.GetInstanceConsoleOutputRequest import GetInstanceConsoleOutputRequest
from aliyunsdkecs.request.v20140526.GetInstanceScreenshotRequest import GetInstanceScreenshotRequest

from mockecs.world import disk_events, instance_types, resources
from tests.sdk import error_of, legacy_call, legacy_xml
from tests.sdk_shapes import schema
from tests.spec import response_problems
from tests.test_instances import LINUX, REGION, SECOND, WINDOWS, assert_documented, old_error, run
from tests.test_instances import describe as describe_instance
from tests.test_instances import disks as describe_disks
from tests.test_network_interfaces import create, enis, network

UBUNTU_ARM = "ubuntu_22_04_arm64_20G_alibase_20251226.vhd"


def console(client, instance_id: str, **kw) -> models.GetInstanceConsoleOutputResponseBody:
    return client.get_instance_console_output(models.GetInstanceConsoleOutputRequest(
        region_id=kw.pop("region_id", REGION), instance_id=instance_id, **kw)).body


def answer(client, instance_id: str, **kw) -> dict:
    """The answer's fields but RequestId."""
    return {k: v for k, v in console(client, instance_id, **kw).to_map().items() if k != "RequestId"}


def console_text(client, instance_id: str, **kw) -> str:
    return base64.b64decode(console(client, instance_id, **kw).console_output).decode()


def screenshot(client, instance_id: str, **kw) -> bytes:
    body = client.get_instance_screenshot(models.GetInstanceScreenshotRequest(
        region_id=kw.pop("region_id", REGION), instance_id=instance_id, **kw)).body
    assert body.instance_id == instance_id
    return base64.b64decode(body.screenshot)


def stop(client, instance_id: str) -> None:
    client.stop_instance(models.StopInstanceRequest(instance_id=instance_id))


def start(client, instance_id: str) -> None:
    client.start_instance(models.StartInstanceRequest(instance_id=instance_id))


def instance_record(engine, instance_id: str) -> dict:
    with engine.store.transaction() as txn:
        return dict(txn.get("instance", instance_id))


# -- GetInstanceConsoleOutput ---------------------------------------------------------------------------
def test_console_output_is_the_boot_log_of_this_instance(client, engine):
    _, vswitch, group = network(client)
    [instance_id] = run(client, host_name="build-host-1", v_switch_id=vswitch, security_group_id=group)
    body = console(client, instance_id)
    assert body.instance_id == instance_id
    assert not response_problems("GetInstanceConsoleOutput", body.to_map())
    text = base64.b64decode(body.console_output).decode()
    record = instance_record(engine, instance_id)
    assert "Linux version 5.10.134-16.3.al8.x86_64" in text  # the image's platform (Alibaba Cloud Linux), x86_64
    assert "Set hostname to <build-host-1>." in text
    assert f"from image {LINUX}" in text
    assert record["VpcAttributes"]["PrivateIpAddress"]["IpAddress"][0] in text
    assert record["NetworkInterfaces"]["NetworkInterface"][0]["MacAddress"] in text
    [classic] = run(client)  # (no vSwitch: its classic-network address)
    assert instance_record(engine, classic)["InnerIpAddress"]["IpAddress"][0] in console_text(client, classic)
    assert f"smp: Brought up 1 node, {record['Cpu']} CPUs" in text
    assert text.endswith(f"\n{record['OSNameEn']}\nKernel 5.10.134-16.3.al8.x86_64 on an x86_64\n\n"
                         "build-host-1 login: ")
    # LastUpdateTime: Beijing time, when the login prompt was printed (seconds after the start)
    started = resources.parse_iso(record["StartTime"])
    last = resources.parse_iso(body.last_update_time.replace(" ", "T") + "Z") - 8 * 3600
    assert 0 < last - started <= 9
    # the same start, the same log
    assert answer(client, instance_id) == {k: v for k, v in body.to_map().items() if k != "RequestId"}


def test_console_output_follows_the_image_architecture_and_platform(client):
    [instance_id] = run(client, image_id=UBUNTU_ARM, instance_type="ecs.g8y.large")
    text = console_text(client, instance_id)
    assert "Linux version 5.15.0-117-generic" in text and "on an aarch64" in text


def test_remove_symbols_takes_out_the_terminal_escapes(client):
    [instance_id] = run(client)
    raw, clean = console_text(client, instance_id), console_text(client, instance_id, remove_symbols=True)
    assert "\x1b[0;32m  OK  \x1b[0m" in raw
    assert "\x1b" not in clean and "[  OK  ] Started OpenSSH server daemon." in clean
    assert clean == raw.replace("\x1b[0;32m", "").replace("\x1b[0m", "")


def test_a_new_start_is_a_new_log_and_a_stopped_instance_keeps_the_last(client, engine):
    [instance_id] = run(client)
    first = answer(client, instance_id)
    stop(client, instance_id)
    assert answer(client, instance_id) == first  # cached since the last start (documented)
    engine.clock.advance(3600)
    start(client, instance_id)
    second = console(client, instance_id)
    assert second.console_output != first["ConsoleOutput"]
    assert second.last_update_time > first["LastUpdateTime"]


def test_console_output_errors(client, legacy, other):
    [created] = client.create_instance(models.CreateInstanceRequest(
        region_id=REGION, image_id=LINUX, instance_type="ecs.g7.large")).body.instance_id.split()
    err = error_of(console, client, created)  # created, never started: nothing printed yet
    assert (err.code, err.status_code) == ("IncorrectInstanceStatus", 405)
    assert_documented("GetInstanceConsoleOutput", err)
    [windows] = run(client, image_id=WINDOWS)
    err = error_of(console, client, windows)  # documented: Windows instances have none
    assert (err.code, err.status_code) == ("NotSupported", 405)
    assert_documented("GetInstanceConsoleOutput", err)
    for missing in ("i-bp1doesnotexist0000", windows):
        client_of = other.client if missing == windows else client
        err = error_of(console, client_of, missing)
        assert (err.code, err.status_code, err.data["Message"]) == (
            "InvalidParameter", 404, "The specified InstanceId does not exist.")
        assert_documented("GetInstanceConsoleOutput", err)
    err = error_of(console, client, windows, region_id="cn-beijing")  # (in its own region only)
    assert err.code == "InvalidParameter"
    err = error_of(client.get_instance_console_output, models.GetInstanceConsoleOutputRequest(region_id=REGION))
    assert (err.code, err.status_code) == ("MissingParameter", 400)
    request = GetInstanceConsoleOutputRequest()
    request.set_InstanceId("i-bp1doesnotexist0000")
    assert old_error(legacy, request).get_http_status() == 404


def test_console_output_old_sdk_json_and_xml_and_async(client, legacy):
    [instance_id] = run(client)
    request = GetInstanceConsoleOutputRequest()
    request.set_InstanceId(instance_id)
    request.set_RemoveSymbols(True)
    body = legacy_call(legacy, request)
    assert set(body) == {"RequestId", "InstanceId", "ConsoleOutput", "LastUpdateTime"}
    assert isinstance(body["ConsoleOutput"], str) and isinstance(body["LastUpdateTime"], str)
    assert base64.b64decode(body["ConsoleOutput"]).decode() == console_text(client, instance_id, remove_symbols=True)
    root = legacy_xml(legacy, request)
    assert root.tag == "GetInstanceConsoleOutputResponse"
    assert root.findtext("ConsoleOutput") == body["ConsoleOutput"]
    assert root.findtext("LastUpdateTime") == body["LastUpdateTime"]
    answer = asyncio.run(client.get_instance_console_output_async(models.GetInstanceConsoleOutputRequest(
        region_id=REGION, instance_id=instance_id)))
    assert base64.b64decode(answer.body.console_output).decode().endswith(" login: ")


# -- GetInstanceScreenshot ------------------------------------------------------------------------------
def jpeg_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a baseline JPEG's SOF0, checking the markers on the way."""
    assert data[:2] == b"\xff\xd8" and data[-2:] == b"\xff\xd9"
    at = 2
    while True:
        marker, length = struct.unpack(">HH", data[at:at + 4])
        assert marker >> 8 == 0xFF and marker != 0xFFC2, hex(marker)  # (not progressive)
        if marker == 0xFFC0:
            height, width = struct.unpack(">HH", data[at + 5:at + 9])
            return width, height
        at += 2 + length


def test_screenshot_is_a_jpeg_of_the_screen(client):
    [linux] = run(client)
    [windows] = run(client, image_id=WINDOWS)
    shot = screenshot(client, linux)
    assert jpeg_size(shot) == (640, 400)  # the text console, 80x25
    assert screenshot(client, linux, wake_up=True) == shot  # (instances do not hibernate here)
    assert jpeg_size(screenshot(client, windows)) == (1024, 768)
    answer = client.get_instance_screenshot(models.GetInstanceScreenshotRequest(region_id=REGION, instance_id=linux))
    assert not response_problems("GetInstanceScreenshot", answer.body.to_map())
    # a console that printed more shows more (the screen follows the log)
    [other] = run(client, host_name="a-much-longer-host-name-for-the-console-screen")
    assert screenshot(client, other) != shot


def test_screenshot_needs_a_running_instance(client, legacy, other):
    [instance_id] = run(client)
    stop(client, instance_id)
    err = error_of(screenshot, client, instance_id)
    assert (err.code, err.status_code) == ("IncorrectInstanceStatus", 405)
    assert_documented("GetInstanceScreenshot", err)
    start(client, instance_id)
    assert screenshot(client, instance_id)
    err = error_of(screenshot, other.client, instance_id)
    assert (err.code, err.status_code) == ("InvalidParameter", 404)
    assert_documented("GetInstanceScreenshot", err)
    request = GetInstanceScreenshotRequest()
    request.set_InstanceId(instance_id)
    request.set_WakeUp(False)
    body = legacy_call(legacy, request)
    assert set(body) == {"RequestId", "InstanceId", "Screenshot"}
    assert jpeg_size(base64.b64decode(body["Screenshot"])) == (640, 400)


def test_screenshot_throttling_is_an_injected_fault(mock, client):
    """The documented 10-second spacing is not enforced (a frozen mock clock would refuse every later call):
    inject it where a test needs it."""
    [instance_id] = run(client)
    mock.inject("GetInstanceScreenshot", code="Throttling", status=429, times=1)
    err = error_of(screenshot, client, instance_id)
    assert (err.code, err.status_code) == ("Throttling", 429)
    assert screenshot(client, instance_id)


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="chromium is not installed (apt-get install chromium)")
def test_a_browser_decodes_the_screenshots(client):
    """An independent decoder (Chromium's) reads both screens: their size and colours."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    [linux] = run(client)
    [windows] = run(client, image_id=WINDOWS)
    shots = {name: base64.b64encode(screenshot(client, i)).decode() for name, i in (("linux", linux),
                                                                                      ("windows", windows))}
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox",
                                                                             "--disable-gpu"])
        page = browser.new_page()
        seen = {name: page.evaluate("""async (data) => {
            const img = new Image(); img.src = 'data:image/jpeg;base64,' + data; await img.decode();
            const canvas = document.createElement('canvas');
            canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
            const g = canvas.getContext('2d'); g.drawImage(img, 0, 0);
            const pixels = g.getImageData(0, 0, canvas.width, canvas.height).data;
            let lit = 0; for (let i = 0; i < pixels.length; i += 4) if (pixels[i] > 100) lit++;
            return {size: [img.naturalWidth, img.naturalHeight], corner: Array.from(pixels.slice(0, 3)),
                    middle: Array.from(g.getImageData(512, 384, 1, 1).data.slice(0, 3)), lit: lit};
        }""", data) for name, data in shots.items()}
        browser.close()
    assert seen["linux"]["size"] == [640, 400] and max(seen["linux"]["corner"]) <= 8  # black (JPEG: near it)
    assert 5_000 < seen["linux"]["lit"] < 60_000  # text drawn on black
    assert seen["windows"]["size"] == [1024, 768]
    assert all(abs(a - b) <= 3 for a, b in zip(seen["windows"]["corner"], (0, 84, 166)))
    assert all(abs(a - b) <= 3 for a, b in zip(seen["windows"]["middle"], (38, 118, 196)))


# -- DescribeNetworkInterfaceAttribute ------------------------------------------------------------------
def eni_attribute(client, eni_id: str, **kw) -> dict:
    return client.describe_network_interface_attribute(models.DescribeNetworkInterfaceAttributeRequest(
        region_id=kw.pop("region_id", REGION), network_interface_id=eni_id, **kw)).body.to_map()


def model_fields(cls) -> set[str]:
    return set(schema(cls))


def test_network_interface_attribute_answers_what_the_listing_shows_and_every_model_field(client):
    vpc, vswitch, group = network(client)
    [instance_id] = run(client, v_switch_id=vswitch, security_group_id=group)
    eni_id = create(client, vswitch, group, network_interface_name="data-eni", description="the data path",
                    secondary_private_ip_address_count=1,
                    tag=[models.CreateNetworkInterfaceRequestTag(key="team", value="build")]).network_interface_id
    client.attach_network_interface(models.AttachNetworkInterfaceRequest(
        region_id=REGION, network_interface_id=eni_id, instance_id=instance_id))
    primary_id = describe_instance(client, instance_id)["NetworkInterfaces"]["NetworkInterface"][0][
        "NetworkInterfaceId"]
    for one in (eni_id, primary_id):
        body = eni_attribute(client, one)
        assert not response_problems("DescribeNetworkInterfaceAttribute", body)
        assert set(body) == model_fields(models.DescribeNetworkInterfaceAttributeResponseBody)
        [listed] = enis(client, network_interface_id=[one])
        for name in set(listed) & set(body) - {"RequestId", "PrivateIpSets", "Ipv6Sets", "Attachment"}:
            assert body[name] == listed[name], name
        assert [s["PrivateIpAddress"] for s in body["PrivateIpSets"]["PrivateIpSet"]] == \
            [s["PrivateIpAddress"] for s in listed["PrivateIpSets"]["PrivateIpSet"]]
        assert body["ConnectionTrackingConfiguration"] == {"TcpEstablishedTimeout": 910,
                                                           "TcpClosedAndTimeWaitTimeout": 3, "UdpTimeout": 30}
    body = eni_attribute(client, eni_id, attribute="attachment")
    assert (body["Type"], body["Status"], body["InstanceId"], body["VpcId"]) == ("Secondary", "InUse", instance_id,
                                                                                 vpc)
    assert (body["NetworkInterfaceName"], body["Description"]) == ("data-eni", "the data path")
    assert body["Tags"]["Tag"] == [{"TagKey": "team", "TagValue": "build"}]
    assert body["SecurityGroupIds"]["SecurityGroupId"] == [group]
    assert body["Attachment"]["InstanceId"] == instance_id and body["Attachment"]["DeviceIndex"] == 1
    assert [s["Primary"] for s in body["PrivateIpSets"]["PrivateIpSet"]] == [True, False]
    primary = eni_attribute(client, primary_id)
    assert (primary["Type"], primary["InstanceId"], primary["DeleteOnRelease"]) == ("Primary", instance_id, True)
    assert primary["SecurityGroupIds"]["SecurityGroupId"] == [group]  # (the instance's)
    assert primary["QueueNumber"] > 0  # its instance type's default
    assert primary["NetworkInterfaceTrafficConfig"]["QueueNumber"] == primary["QueueNumber"]


def test_network_interface_attribute_errors_old_sdk_xml_and_async(client, legacy, other):
    _, vswitch, group = network(client)
    eni_id = create(client, vswitch, group).network_interface_id
    for caller, eni in ((client, "eni-bp1doesnotexist000"), (other.client, eni_id)):
        err = error_of(eni_attribute, caller, eni)
        assert (err.code, err.status_code, err.data["Message"]) == (
            "InvalidEniId.NotFound", 404, "The specified NetworkInterfaceId does not exist.")
        assert_documented("DescribeNetworkInterfaceAttribute", err)
    err = error_of(eni_attribute, client, eni_id, attribute="everything")
    assert (err.code, err.status_code) == ("InvalidParameter", 400)
    assert_documented("DescribeNetworkInterfaceAttribute", err)
    request = DescribeNetworkInterfaceAttributeRequest()
    request.set_NetworkInterfaceId(eni_id)
    body = legacy_call(legacy, request)
    assert (body["NetworkInterfaceId"], body["Status"], body["VSwitchId"]) == (eni_id, "Available", vswitch)
    assert body["PrivateIpSets"]["PrivateIpSet"][0]["Primary"] is True
    assert body["QueueNumber"] == 0 and body["ServiceManaged"] is False
    root = legacy_xml(legacy, request)
    assert root.tag == "DescribeNetworkInterfaceAttributeResponse"
    assert root.findtext("NetworkInterfaceId") == eni_id
    assert root.findtext("SecurityGroupIds/SecurityGroupId") == group
    answer = asyncio.run(client.describe_network_interface_attribute_async(
        models.DescribeNetworkInterfaceAttributeRequest(region_id=REGION, network_interface_id=eni_id)))
    assert answer.body.mac_address == body["MacAddress"]


# -- DescribeDisksFullStatus ----------------------------------------------------------------------------
def disks_full_status(client, **kw) -> dict:
    return client.describe_disks_full_status(models.DescribeDisksFullStatusRequest(
        region_id=kw.pop("region_id", REGION), **kw)).body.to_map()


def statuses_of(body: dict) -> dict[str, dict]:
    return {d["DiskId"]: d for d in body["DiskFullStatusSet"]["DiskFullStatusType"]}


def test_disks_full_status_shows_each_disk_its_health_and_planted_events(client, engine):
    [instance_id] = run(client, data_disk=[models.RunInstancesRequestDataDisk(size=40, category="cloud_essd")])
    system, data = (d["DiskId"] for d in describe_disks(client, instance_id))
    loose = client.create_disk(models.CreateDiskRequest(region_id=REGION, zone_id=describe_instance(
        client, instance_id)["ZoneId"], size=20, disk_category="cloud_essd")).body.disk_id
    body = disks_full_status(client)
    assert not response_problems("DescribeDisksFullStatus", body)
    assert (body["TotalCount"], body["PageNumber"], body["PageSize"]) == (3, 1, 10)
    seen = statuses_of(body)
    assert seen[system] == {"DiskId": system, "InstanceId": instance_id, "Device": "/dev/xvda",
                            "Status": {"Code": 128, "Name": "In_use"}, "HealthStatus": {"Code": 0, "Name": "Ok"},
                            "DiskEventSet": {"DiskEventType": []}}
    assert seen[loose]["Status"] == {"Code": 129, "Name": "Available"} and seen[loose]["Device"] == ""
    # an event the cloud publishes: the disk is Impaired while it lasts, and its event is listed
    event_id = disk_events.plant(engine, data, "Stalled", end=engine.clock.now() + 600)
    warned = disk_events.plant(engine, loose, "Degraded")
    seen = statuses_of(disks_full_status(client))
    assert seen[data]["HealthStatus"] == {"Code": 128, "Name": "Impaired"}
    [event] = seen[data]["DiskEventSet"]["DiskEventType"]
    assert (event["EventId"], event["EventType"], event["ImpactLevel"]) == (event_id, {"Code": 7, "Name": "Stalled"},
                                                                           "100")
    assert SECOND.match(event["EventTime"]) and SECOND.match(event["EventEndTime"])
    assert seen[loose]["HealthStatus"]["Name"] == "Warning"
    # filters: by event, by type, by health, by status, by disk; paging
    assert list(statuses_of(disks_full_status(client, event_id=[event_id]))) == [data]
    assert list(statuses_of(disks_full_status(client, event_type="Degraded"))) == [loose]
    assert list(statuses_of(disks_full_status(client, health_status="Impaired"))) == [data]
    assert set(statuses_of(disks_full_status(client, status="In_use"))) == {system, data}
    assert list(statuses_of(disks_full_status(client, disk_id=[loose, "d-bp1nosuchdisk0000000"]))) == [loose]
    page = disks_full_status(client, page_size=2, page_number=2)
    assert page["TotalCount"] == 3 and len(page["DiskFullStatusSet"]["DiskFullStatusType"]) == 1
    # the event ends: the disk is Ok again, the event still listed for a week, then no more
    engine.clock.advance(601)
    seen = statuses_of(disks_full_status(client, disk_id=[data]))
    assert seen[data]["HealthStatus"]["Name"] == "Ok" and seen[data]["DiskEventSet"]["DiskEventType"]
    window = {"start": resources.iso(engine.clock.now() - 3600), "end": resources.iso(engine.clock.now())}
    assert set(statuses_of(disks_full_status(
        client, event_time=models.DescribeDisksFullStatusRequestEventTime(**window)))) == {data, loose}
    engine.clock.advance(8 * 86400)
    assert statuses_of(disks_full_status(client, disk_id=[data]))[data]["DiskEventSet"]["DiskEventType"] == []
    assert warned


def test_disks_full_status_errors_and_old_sdk(client, legacy):
    cases = [({"disk_id": [f"d-{n}" for n in range(101)]}, "DiskIdLimitExceeded"),
             ({"event_id": [f"e-{n}" for n in range(101)]}, "EventIdLimitExceeded"),
             ({"status": "Broken"}, "InvalidParameter"), ({"health_status": "Sick"}, "InvalidParameter"),
             ({"event_type": "Exploded"}, "InvalidParameter"), ({"page_size": 101}, "InvalidParameter"),
             ({"event_time": models.DescribeDisksFullStatusRequestEventTime(start="2024-01-02T00:00:00Z",
                                                                          end="2024-01-01T00:00:00Z")},
              "InvalidParameter.TimeEndBeforeStart")]
    for kw, code in cases:
        err = error_of(disks_full_status, client, **kw)
        assert (err.code, err.status_code) == (code, 403), (kw, err)
        assert_documented("DescribeDisksFullStatus", err)
    [instance_id] = run(client)
    request = DescribeDisksFullStatusRequest()
    request.set_DiskIds([d["DiskId"] for d in describe_disks(client, instance_id)])
    body = legacy_call(legacy, request)
    [disk] = body["DiskFullStatusSet"]["DiskFullStatusType"]
    assert (disk["InstanceId"], disk["Status"]["Name"], body["TotalCount"]) == (instance_id, "In_use", 1)
    root = legacy_xml(legacy, request)
    assert root.findtext("DiskFullStatusSet/DiskFullStatusType/HealthStatus/Name") == "Ok"


# -- DescribeAccountAttributes --------------------------------------------------------------------------
def account_attributes(client, **kw) -> dict[str, list[dict]]:
    body = client.describe_account_attributes(models.DescribeAccountAttributesRequest(
        region_id=kw.pop("region_id", REGION), **kw)).body.to_map()
    # A value carries only the fields that apply to it, as the metadata's XML example answer shows (Value, and
    # DiskCategory for the disk capacities): the others the schema lists are absent.
    optional = {"DiskCategory", "ExpiredTime", "ZoneId", "InstanceType", "Count", "InstanceChargeType"}
    problems = [p for p in response_problems("DescribeAccountAttributes", body)
                if not (p.endswith("documented, not answered") and p.split(":")[0].rsplit(".", 1)[1] in optional)]
    assert problems == []
    return {i["AttributeName"]: i["AttributeValues"]["ValueItem"] for i in body["AccountAttributeItems"][
        "AccountAttributeItem"]}


def values(items: list[dict]) -> list[str]:
    return [i["Value"] for i in items]


def test_account_attributes_quotas_and_usage(mock, client):
    every = account_attributes(client)
    assert list(every) == ["instance-network-type", "max-security-groups", "max-elastic-network-interfaces",
                           "max-postpaid-instance-vcpu-count", "max-spot-instance-vcpu-count",
                           "used-postpaid-instance-vcpu-count", "used-spot-instance-vcpu-count",
                           "max-postpaid-yundisk-capacity", "used-postpaid-yundisk-capacity", "max-dedicated-hosts",
                           "supported-postpaid-instance-types", "max-axt-command-count", "max-axt-invocation-daily",
                           "real-name-authentication", "max-cloud-assistant-activation-count"]
    assert values(every["instance-network-type"]) == ["vpc", "classic"]
    assert values(every["max-security-groups"]) == ["100"]  # the security_group_quota option
    assert values(every["max-axt-command-count"]) == ["500"]  # command_quota
    assert values(every["used-postpaid-instance-vcpu-count"]) == ["0"]
    assert [(i["DiskCategory"], i["Value"]) for i in every["used-postpaid-yundisk-capacity"]] == [
        ("cloud_efficiency", "0"), ("cloud_ssd", "0"), ("cloud_essd", "0")]
    assert "ecs.g7.large" in values(every["supported-postpaid-instance-types"])
    assert values(every["real-name-authentication"]) == ["yes"]
    # usage follows the caller's instances and data disks here
    run(client, amount=2, data_disk=[models.RunInstancesRequestDataDisk(size=50, category="cloud_essd")])
    run(client, instance_type="ecs.g7.xlarge", spot_strategy="SpotAsPriceGo")
    asked = account_attributes(client, attribute_name=["used-spot-instance-vcpu-count", "no-such-attribute",
                                                       "used-postpaid-instance-vcpu-count",
                                                       "used-postpaid-yundisk-capacity"])
    assert list(asked) == ["used-spot-instance-vcpu-count", "used-postpaid-instance-vcpu-count",
                           "used-postpaid-yundisk-capacity"]
    assert values(asked["used-postpaid-instance-vcpu-count"]) == ["4"]  # two ecs.g7.large
    assert values(asked["used-spot-instance-vcpu-count"]) == ["4"]  # one ecs.g7.xlarge
    assert {i["DiskCategory"]: i["Value"] for i in asked["used-postpaid-yundisk-capacity"]}["cloud_essd"] == "100"
    assert values(account_attributes(client, region_id="cn-beijing", attribute_name=[
        "used-postpaid-instance-vcpu-count"])["used-postpaid-instance-vcpu-count"]) == ["0"]  # (per region)
    mock.engine.config.options["security_group_quota"] = 7
    assert values(account_attributes(client, attribute_name=["max-security-groups"])["max-security-groups"]) == ["7"]


def test_account_attributes_zone_old_sdk_xml_and_errors(client, legacy):
    zone_types = account_attributes(client, zone_id="cn-hangzhou-i", attribute_name=[
        "supported-postpaid-instance-types"])["supported-postpaid-instance-types"]
    region_types = account_attributes(client, attribute_name=[
        "supported-postpaid-instance-types"])["supported-postpaid-instance-types"]
    assert 0 < len(zone_types) <= len(region_types)
    assert set(values(zone_types)) == set(instance_types.types_in_zone("cn-hangzhou-i"))
    assert {i["ZoneId"] for i in zone_types} == {"cn-hangzhou-i"}
    request = DescribeAccountAttributesRequest()
    request.set_AttributeNames(["max-security-groups", "max-postpaid-yundisk-capacity"])
    body = legacy_call(legacy, request)
    [groups, disks] = body["AccountAttributeItems"]["AccountAttributeItem"]
    assert groups == {"AttributeName": "max-security-groups", "AttributeValues": {"ValueItem": [{"Value": "100"}]}}
    assert disks["AttributeValues"]["ValueItem"][2] == {"Value": "204800", "DiskCategory": "cloud_essd"}
    root = legacy_xml(legacy, request)
    assert root.findtext("AccountAttributeItems/AccountAttributeItem/AttributeName") == "max-security-groups"
    assert root.findtext("AccountAttributeItems/AccountAttributeItem/AttributeValues/ValueItem/Value") == "100"
    request = DescribeAccountAttributesRequest()
    request.add_query_param("RegionId", "")
    err = old_error(legacy, request)
    assert (err.get_error_code(), err.get_http_status()) == ("Invalid.Parameter", 403)
    assert_documented("DescribeAccountAttributes", err)


def test_account_attributes_value_fields(mock, client):
    """Each value carries the SDK model's fields that qualify it: the charge type the vCPU and dedicated-host quotas
    count, the zone and type of each type sold pay-as-you-go; the quotas mockecs enforces are its options'."""
    every = account_attributes(client)
    model = models.DescribeAccountAttributesResponseBody().from_map(
        {"AccountAttributeItems": {"AccountAttributeItem": [{"AttributeValues": {"ValueItem": [{}]}}]}}
    ).account_attribute_items.account_attribute_item[0].attribute_values.value_item[0].__class__
    for name, items in every.items():  # (every field is one the SDK model reads back, with its type)
        for item in items:
            assert model().from_map(item).to_map() == item, name
            assert isinstance(item["Value"], str) and "ExpiredTime" not in item and "Count" not in item
    for name in ("max-postpaid-instance-vcpu-count", "max-spot-instance-vcpu-count",
                 "used-postpaid-instance-vcpu-count", "used-spot-instance-vcpu-count", "max-dedicated-hosts"):
        assert [i.get("InstanceChargeType") for i in every[name]] == ["PostPaid"], name
    assert values(every["max-dedicated-hosts"]) == ["50"]  # dedicated_host_quota
    assert values(every["max-cloud-assistant-activation-count"]) == ["5000"]  # activation_quota
    sold = every["supported-postpaid-instance-types"]
    assert all(i["Value"] == i["InstanceType"] and i["InstanceChargeType"] == "PostPaid" for i in sold)
    assert {(i["ZoneId"], i["InstanceType"]) for i in sold} == {
        (z, t) for z in ("cn-hangzhou-h", "cn-hangzhou-i", "cn-hangzhou-j", "cn-hangzhou-k")
        for t in instance_types.types_in_zone(z)}
    assert "ZoneId" not in every["max-security-groups"][0] and "InstanceChargeType" not in every[
        "instance-network-type"][0]
    # the quotas follow the options
    mock.engine.config.options.update(dedicated_host_quota=3, activation_quota=9, security_group_requires_vpc=True)
    asked = account_attributes(client, attribute_name=["max-dedicated-hosts", "max-cloud-assistant-activation-count",
                                                       "instance-network-type"])
    assert [values(v) for v in asked.values()] == [["3"], ["9"], ["vpc"]]
    # DescribeLimitation names each type sold once
    limit = client.describe_limitation(models.DescribeLimitationRequest(
        limitation="supported-postpaid-instance-types")).body.value.split(",")
    assert len(limit) == len(set(limit)) == len({i["InstanceType"] for i in sold})


# -- DescribeInstanceVncUrl / ModifyInstanceVncPasswd ---------------------------------------------------------
def vnc_url(client, instance_id: str, region: str = REGION) -> str:
    return client.describe_instance_vnc_url(models.DescribeInstanceVncUrlRequest(
        region_id=region, instance_id=instance_id)).body.vnc_url


def vnc_password(client, instance_id: str, password: str) -> None:
    client.modify_instance_vnc_passwd(models.ModifyInstanceVncPasswdRequest(
        region_id=REGION, instance_id=instance_id, vnc_password=password))


def test_vnc_url_and_password(client, engine, legacy):
    [instance_id] = run(client)
    url = vnc_url(client, instance_id)
    decoded = urllib.parse.unquote(url)
    assert "%3A%2F%2F" in url and decoded.startswith("wss://") and "/websockify/?s=" in decoded
    assert vnc_url(client, instance_id) != url  # a new one-time address each time
    vnc_password(client, instance_id, "Ab3dE6")
    assert instance_record(engine, instance_id)["_vnc_password"] == "Ab3dE6"
    request = DescribeInstanceVncUrlRequest()
    request.set_InstanceId(instance_id)
    body = legacy_call(legacy, request)
    assert set(body) == {"RequestId", "VncUrl"}
    assert not response_problems("DescribeInstanceVncUrl", body)
    stop(client, instance_id)
    vnc_password(client, instance_id, "Zz9yy8")  # (a stopped instance takes it too)
    err = error_of(vnc_url, client, instance_id)
    assert (err.code, err.status_code) == ("IncorrectInstanceStatus", 403)
    assert_documented("DescribeInstanceVncUrl", err)


def test_vnc_documented_errors(client, engine, other):
    [instance_id] = run(client)
    for bad in ("abc123", "ABCDEF1", "Ab3dE", "Ab3dE!", "abcdeF"):
        err = error_of(vnc_password, client, instance_id, bad)
        assert (err.code, err.status_code) == ("IncorrectVncPassword.Malformed", 400), bad
        assert_documented("ModifyInstanceVncPasswd", err)
    err = error_of(vnc_url, client, instance_id, region="cn-beijing")
    assert (err.code, err.status_code) == ("InvalidRegionInstance", 400)
    assert_documented("DescribeInstanceVncUrl", err)
    for action, call in (("DescribeInstanceVncUrl", lambda c, i: vnc_url(c, i)),
                         ("ModifyInstanceVncPasswd", lambda c, i: vnc_password(c, i, "Ab3dE6"))):
        for caller, target in ((client, "i-bp1nosuchinstance000"), (other.client, instance_id)):
            err = error_of(call, caller, target)
            assert (err.code, err.status_code) == ("InvalidInstanceId.NotFound", 404)
            assert_documented(action, err)
    engine.lifecycle.delay("instance", seconds=30)
    [pending] = run(client)
    for action, call in (("DescribeInstanceVncUrl", lambda: vnc_url(client, pending)),
                         ("ModifyInstanceVncPasswd", lambda: vnc_password(client, pending, "Ab3dE6"))):
        err = error_of(call)
        assert (err.code, err.status_code) == ("InstanceNotReady", 403)
        assert_documented(action, err)
