"""The protocol layer on hand-built HTTP requests: the five wire shapes, decoding and encoding."""
from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET

import pytest

from mockecs.engine.core import Engine
from mockecs.wire.params import B, Comma, I, JsonList, Repeat, S, Struct, Structs, group
from mockecs.wire.protocol import HttpRequest, decode

UUID = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$")


@pytest.fixture(scope="module")
def engine():
    return Engine()


def call(engine, method="POST", query="", body=b"", headers=None):
    return engine.handle(HttpRequest(method, f"https://ecs.cn-hangzhou.aliyuncs.com/?{query}", headers or {}, body))


def test_v1_query_post_json(engine):
    resp = call(engine, query="Action=DescribeRegions&Version=2014-05-26&Format=JSON&AcceptLanguage=en-US"
                "&AccessKeyId=x&Signature=y&SignatureType=&RegionId=cn-hangzhou")
    assert resp.status == 200
    assert resp.headers["Content-Type"] == "application/json;charset=utf-8"
    body = json.loads(resp.body)
    assert UUID.match(body["RequestId"]) and resp.headers["x-acs-request-id"] == body["RequestId"]
    region = body["Regions"]["Region"][0]
    assert set(region) == {"RegionId", "LocalName", "RegionEndpoint", "Status"}


def test_get_with_format_xml(engine):
    resp = call(engine, "GET", "Action=DescribeRegions&Version=2014-05-26&Format=XML&AcceptLanguage=en-US")
    assert resp.status == 200 and resp.headers["Content-Type"] == "text/xml;charset=utf-8"
    root = ET.fromstring(resp.body)
    assert root.tag == "DescribeRegionsResponse"
    assert UUID.match(root.findtext("RequestId"))
    regions = root.findall("Regions/Region")
    assert len(regions) > 20
    hangzhou = [r for r in regions if r.findtext("RegionId") == "cn-hangzhou"][0]
    assert hangzhou.findtext("RegionEndpoint") == "ecs.aliyuncs.com"  # (what the service answers for it)
    assert hangzhou.findtext("LocalName") == "China (Hangzhou)"


def test_form_body_post(engine):
    body = b"Action=DescribeZones&Version=2014-05-26&Format=JSON&RegionId=cn-beijing&AcceptLanguage=en-US&Verbose=false"
    resp = call(engine, body=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert resp.status == 200
    zones = json.loads(resp.body)["Zones"]["Zone"]
    assert zones[0]["ZoneId"].startswith("cn-beijing-")
    assert "AvailableResources" not in zones[0]  # Verbose=false


def test_v3_headers_no_format_answers_json(engine):
    resp = call(engine, query="AcceptLanguage=en-US", headers={
        "x-acs-action": "DescribeRegions", "x-acs-version": "2014-05-26", "accept": "application/json",
        "Authorization": "ACS3-HMAC-SHA256 Credential=ak,SignedHeaders=host;x-acs-action,Signature=00"})
    assert resp.status == 200 and resp.headers["Content-Type"].startswith("application/json")


def test_no_format_no_accept_defaults_to_xml(engine):
    resp = call(engine, query="Action=DescribeRegions&Version=2014-05-26")
    assert resp.headers["Content-Type"] == "text/xml;charset=utf-8"


def test_format_is_case_insensitive(engine):
    assert call(engine, query="Action=DescribeRegions&Version=2014-05-26&Format=json").headers[
        "Content-Type"].startswith("application/json")
    assert call(engine, query="Action=DescribeRegions&Version=2014-05-26&Format=xml").headers[
        "Content-Type"].startswith("text/xml")


@pytest.mark.parametrize("fmt", ["JSON", "XML"])
def test_unknown_action_is_404_in_requested_format(engine, fmt):
    resp = call(engine, query=f"Action=DescribeUnicorns&Version=2014-05-26&Format={fmt}")
    assert resp.status == 404
    if fmt == "JSON":
        body = json.loads(resp.body)
        assert body["Code"] == "InvalidAction.NotFound"
        assert set(body) == {"RequestId", "HostId", "Code", "Message", "Recommend"}
        assert body["HostId"] == "ecs.cn-hangzhou.aliyuncs.com"
    else:
        root = ET.fromstring(resp.body)
        assert root.tag == "Error" and root.findtext("Code") == "InvalidAction.NotFound"
        assert UUID.match(root.findtext("RequestId"))


def test_real_but_unimplemented_action_names_itself(engine):
    resp = call(engine, query="Action=DescribeVscs&Version=2014-05-26&Format=JSON")
    body = json.loads(resp.body)
    assert resp.status == 400 and body["Code"] == "InvalidAction.NotImplemented"
    assert "DescribeVscs" in body["Message"]


def test_wrong_version_and_missing_action(engine):
    resp = call(engine, query="Action=DescribeRegions&Version=2016-01-01&Format=JSON")
    assert (resp.status, json.loads(resp.body)["Code"]) == (400, "InvalidVersion")
    resp = call(engine, query="Version=2014-05-26&Format=JSON")
    assert (resp.status, json.loads(resp.body)["Code"]) == (400, "MissingParameter")


def test_missing_required_parameter(engine):
    resp = call(engine, query="Action=DescribeZones&Version=2014-05-26&Format=JSON")
    body = json.loads(resp.body)
    assert (resp.status, body["Code"]) == (400, "MissingParameter")
    assert '"RegionId"' in body["Message"]


def test_invalid_boolean_and_unknown_region(engine):
    resp = call(engine, query="Action=DescribeZones&Version=2014-05-26&Format=JSON&RegionId=cn-hangzhou&Verbose=maybe")
    assert (resp.status, json.loads(resp.body)["Code"]) == (400, "InvalidParameter")
    resp = call(engine, query="Action=DescribeZones&Version=2014-05-26&Format=JSON&RegionId=mars-1")
    assert (resp.status, json.loads(resp.body)["Code"]) == (404, "InvalidRegionId.NotFound")


def test_unknown_extra_parameters_are_ignored(engine):
    resp = call(engine, query="Action=DescribeRegions&Version=2014-05-26&Format=JSON&Frobnicate=1&OwnerId=5")
    assert resp.status == 200


def test_plus_is_space_and_blank_values_are_kept():
    req = decode(HttpRequest("POST", "http://h/?A=a+b&B=&C=%2B", {}, b""))
    assert req.params == {"A": "a b", "B": "", "C": "+"}


def test_query_and_form_are_merged():
    req = decode(HttpRequest("POST", "http://h/?Action=X", {"Content-Type": "application/x-www-form-urlencoded"},
                             b"RegionId=cn-beijing&Tag.1.Key=k"))
    assert req.params == {"Action": "X", "RegionId": "cn-beijing", "Tag.1.Key": "k"}


def test_flattened_lists_structs_and_typed_values():
    flat = {"Tag.2.Key": "b", "Tag.1.Key": "a", "Tag.1.Value": "x y", "AddAccount.2": "22", "AddAccount.1": "11",
            "Features.NvmeSupport": "supported", "DryRun": "TRUE", "PageSize": "5", "Status": "Available,Creating",
            "InstanceIds": '["i-1","i-2"]', "DiskIds": "d-1,d-2",
            "DiskDeviceMapping.1.OSSBucket": "bkt", "DiskDeviceMapping.1.DiskImageSize": "40",
            "TagFilter.1.TagKey": "k", "TagFilter.1.TagValues.2": "v2", "TagFilter.1.TagValues.1": "v1"}
    parts = group(flat)
    assert Structs("Tag", [S("Key"), S("Value")]).decode(parts["Tag"]) == [
        {"key": "a", "value": "x y"}, {"key": "b", "value": None}]
    assert Repeat("AddAccount").decode(parts["AddAccount"]) == ["11", "22"]
    assert Struct("Features", [S("NvmeSupport"), S("ImdsSupport")]).decode(parts["Features"]) == {
        "nvme_support": "supported", "imds_support": None}
    assert B("DryRun").decode(parts["DryRun"]) is True
    assert I("PageSize").decode(parts["PageSize"]) == 5
    assert Comma("Status").decode(parts["Status"]) == ["Available", "Creating"]
    assert JsonList("InstanceIds").decode(parts["InstanceIds"]) == ["i-1", "i-2"]
    assert JsonList("DiskIds").decode(parts["DiskIds"]) == ["d-1", "d-2"]
    assert Structs("DiskDeviceMapping", [S("OSSBucket"), I("DiskImageSize")]).decode(parts["DiskDeviceMapping"]) == [
        {"oss_bucket": "bkt", "disk_image_size": 40}]
    tag_filter = Structs("TagFilter", [S("TagKey"), Repeat("TagValues")])
    assert tag_filter.decode(parts["TagFilter"]) == [{"tag_key": "k", "tag_values": ["v1", "v2"]}]


def test_xml_rendering_rules(engine):
    from mockecs.wire.encoding import to_xml

    root = ET.fromstring(to_xml("XResponse", {"Images": {"Image": [{"A": True, "Tags": {"Tag": []}}, {"A": False}]},
                                              "Ids": {"Id": ["i-1", "i-2"]}, "Empty": "", "N": 3, "S": "<&>"}))
    assert [e.findtext("A") for e in root.findall("Images/Image")] == ["true", "false"]
    assert root.find("Images/Image/Tags") is not None and list(root.find("Images/Image/Tags")) == []
    assert [e.text for e in root.findall("Ids/Id")] == ["i-1", "i-2"]
    assert root.findtext("Empty") == "" and root.findtext("N") == "3" and root.findtext("S") == "<&>"


def test_internal_error_is_an_ecs_answer_not_a_traceback(engine, monkeypatch):
    op = engine.operations["DescribeRegions"]

    def broken(ctx, **kwargs):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(op, "handler", broken)
    resp = call(engine, query="Action=DescribeRegions&Version=2014-05-26&Format=JSON")
    body = json.loads(resp.body)
    assert resp.status == 500 and body["Code"] == "InternalError"
    assert "Traceback" not in body["Message"] and "boom" not in body["Message"]


def test_call_record_is_bounded():
    from mockecs.engine.core import Config

    engine = Engine(Config(max_calls=8))
    for n in range(30):
        call(engine, query=f"Action=DescribeRegions&Version=2014-05-26&Format=JSON&N={n}")
    assert 8 <= len(engine.calls) <= 10
    assert engine.calls[-1].params["N"] == "29"  # the newest are kept


@pytest.mark.parametrize("text", [
    "A=1&B=&C=a+b&D=%2B%20x&E=%E4%B8%AD&&F&G=x=y&H=%zz&Tag.1.Key=k%26v&%41=key-escaped",
    "", "only", "=v", "a=1&a=2", "a=1&%61=2&a=3", "x=%FF%FE&y=%4&z=%&w=+%2B+", "中=文%20x&%E4%B8=%E4",
    "s=\udc80%41", "Timestamp=2026-11-23T07%3A30%3A00Z&Signature=ab%2Bc%2F%3D",
])
def test_form_decoding_matches_parse_qsl(text):
    from urllib.parse import parse_qsl

    from mockecs.wire.protocol import _form

    assert _form(text) == dict(parse_qsl(text, keep_blank_values=True))


def test_injecting_a_fault_for_a_misspelt_action_is_refused(engine):
    with pytest.raises(ValueError, match="DescribeImagez"):
        engine.inject("DescribeImagez", code="Throttling")
    engine.inject("DescribeVscs", code="Throttling")  # real, if not implemented: allowed
    engine.clear_faults()


@pytest.mark.parametrize("body", [
    {"RegionId": "cn-hangzhou", "TotalCount": 2, "Images": {"Image": [{"A": True, "B": None}, {"C": 1.5}]}},
    {"Text": "中文 \"quoted\" \\ \n \u2028 \x00", "Empty": {}, "List": [], "Tuple": (1, "x"), "Big": 2**70},
    {"Neg": -3, "Float": 1e-7, "Nested": [[{"k": [True, False, None]}]]},
    {"NaN": float("nan")},  # json's own rules (NaN) through the fallback
    {"Odd": {1: "int key"}},  # ditto: a key json turns into text
    {"RequestId": "kept", "X": 1},  # a body naming its own RequestId keeps it, first
    {"Mark": "\x00", "\x00": ["\x00"]},  # a control character alone, as a key and in a list: escaped
    {},
])
def test_json_answers_are_what_json_dumps_writes(body):
    """The JSON writer (with Frozen parts spliced in, alone, in lists and as a FrozenList) is byte-identical
    to json.dumps(ensure_ascii=False, compact), the parts written as their data."""
    from mockecs.wire.encoding import Frozen, FrozenList, render

    frozen = Frozen({"ImageId": "m-1", "OSName": "Alibaba Cloud Linux  3.2104 LTS 64位", "Size": 20})
    other = Frozen({"ImageId": "m-2", "Tags": {"Tag": [{"TagKey": "\x00"}]}})
    for parts in ([], [frozen, other], FrozenList([other, frozen, other]), frozen):
        value = {**body, "Parts": {"Part": parts}} if parts else body
        plain = [dict(p) for p in parts] if not isinstance(parts, Frozen) else dict(parts)
        expected = json.dumps({"RequestId": "R-1", **value, **({"Parts": {"Part": plain}} if parts else {})},
                              ensure_ascii=False, separators=(",", ":")).encode()
        assert render(200, value, "JSON", "XResponse", "R-1").body == expected


def test_a_frozen_list_renders_as_its_items_in_xml():
    from mockecs.wire.encoding import Frozen, FrozenList, render

    parts = [Frozen({"ImageId": "m-1"}), Frozen({"ImageId": "m-2"})]
    as_list = render(200, {"Images": {"Image": parts}}, "XML", "R", "R-1").body
    assert render(200, {"Images": {"Image": FrozenList(parts)}}, "XML", "R", "R-1").body == as_list
    assert b"<Image><ImageId>m-1</ImageId></Image><Image><ImageId>m-2</ImageId></Image>" in as_list


def test_wsgi_headers_from_environ(monkeypatch):
    """Header names are learnt per environ key (bounded); blank Content-Type/Length are dropped and
    latin-1 decoded UTF-8 values are restored."""
    from mockecs.modes.server import wsgi

    def environ(**extra):
        return {"REQUEST_METHOD": "POST", "PATH_INFO": "/", "QUERY_STRING": "", "wsgi.url_scheme": "http",
                "SERVER_NAME": "localhost", "SERVER_PORT": "80", "CONTENT_TYPE": "", "CONTENT_LENGTH": "",
                "HTTP_HOST": "ecs.aliyuncs.com", "HTTP_X_ACS_ACTION": "DescribeRegions", **extra}

    first = wsgi._headers(environ())
    assert first == {"host": "ecs.aliyuncs.com", "x-acs-action": "DescribeRegions"}
    value = "中文".encode().decode("latin-1")
    second = wsgi._headers(environ(HTTP_X_NEW_ONE=value, CONTENT_TYPE="application/json"))
    assert second == {**first, "x-new-one": "中文", "content-type": "application/json"}
    monkeypatch.setattr(wsgi, "_MAX_NAMES", 0)  # memo full: names are worked out per request
    assert wsgi._headers(environ(HTTP_X_UNSEEN="1"))["x-unseen"] == "1"
    assert "HTTP_X_UNSEEN" not in wsgi._SEEN_KEYS


def test_request_ids_are_unique_uuid4s():
    from mockecs.engine.core import new_request_id

    ids = [new_request_id() for _ in range(20000)]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}", i) for i in ids)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork only")
def test_request_ids_differ_in_a_forked_process():
    from mockecs.engine.core import new_request_id

    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report one id and leave at once
        os.write(write, new_request_id().encode())
        os._exit(0)
    os.close(write)
    child = os.read(read, 64).decode()
    os.close(read)
    os.waitpid(pid, 0)
    assert child[:24] != new_request_id()[:24]  # a fresh random prefix after the fork


def test_action_names_in_another_case(client, legacy):
    """The service matches action names whatever their case: aliyungo sends DescribeUserdata (Terraform's old
    provider read every instance's user data with it, and used the answer unchecked)."""
    from alibabacloud_ecs20140526 import models
    from aliyunsdkcore.request import CommonRequest

    from tests.test_instances import LINUX

    instance = client.run_instances(models.RunInstancesRequest(
        region_id="cn-hangzhou", image_id=LINUX, instance_type="ecs.g7.large",
        user_data="IyEvYmluL3NoCg==")).body.instance_id_sets.instance_id_set[0]
    request = CommonRequest(domain="ecs-cn-hangzhou.aliyuncs.com", version="2014-05-26",
                            action_name="DescribeUserdata")
    request.add_query_param("RegionId", "cn-hangzhou")
    request.add_query_param("InstanceId", instance)
    body = json.loads(legacy.do_action_with_exception(request))
    assert (body["UserData"], body["InstanceId"], body["RegionId"]) == ("IyEvYmluL3NoCg==", instance, "cn-hangzhou")
