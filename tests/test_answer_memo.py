"""The answer memo (``Engine._memo_run``, option ``answer_memo``): a DescribeImages request asked again while
nothing was written and no setting changed is answered from the answer kept for it, byte for byte what the
handler would answer (RequestId apart); never across callers, never after a write, a setting's change or a
reset, never an answer that read the clock, an error or a dry run; bounded; off on a shared store."""
from __future__ import annotations

import json
import threading
from urllib.parse import urlencode

import pytest
from alibabacloud_ecs20140526 import models
from aliyunsdkecs.request.v20140526.DescribeImagesRequest import DescribeImagesRequest as LegacyDescribeImages

from mockecs.engine import core
from mockecs.engine.core import Config, Engine
from mockecs.wire.protocol import HttpRequest
from mockecs.world import resources
from mockecs.world.context import Context, TimedContext
from tests.sdk import error_of, legacy_call, legacy_xml

REGION = "cn-hangzhou"
UBUNTU = "ubuntu_22_04_x64_20G_alibase_20240130.vhd"


@pytest.fixture
def runs(monkeypatch) -> list:
    """The memo's misses: each run of a memo operation's handler (one per answer not taken from the memo)."""
    seen: list = []
    real = Engine._memo_run

    def counted(self, *args, **kwargs):
        seen.append(args[3])  # (the action)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Engine, "_memo_run", counted)
    return seen


def describe(client, **kw) -> dict:
    kw.setdefault("region_id", REGION)
    return client.describe_images(models.DescribeImagesRequest(**kw)).body.to_map()


def new_image(client, name: str, family: str | None = None, engine: Engine | None = None) -> str:
    """A custom image from a new instance (with ``engine``: in flight, under realistic transitions)."""
    instance_id = client.run_instances(models.RunInstancesRequest(
        region_id=REGION, image_id=UBUNTU, instance_type="ecs.g7.large")).body.instance_id_sets.instance_id_set[0]
    if engine is not None:
        engine.config.transitions = "realistic"
    return client.create_image(models.CreateImageRequest(
        region_id=REGION, instance_id=instance_id, image_name=name, image_family=family)).body.image_id


def raw(engine: Engine, fmt: str = "JSON", key: str = "", **params: str) -> tuple[int, bytes]:
    """A form-encoded ECS call straight to the engine, its RequestId cut out of the body."""
    query = {"Action": "DescribeImages", "Version": "2014-05-26", "Format": fmt, "RegionId": REGION, **params}
    if key:
        query["AccessKeyId"] = key
    resp = engine.handle(HttpRequest("POST", "https://ecs.aliyuncs.com/", {
        "content-type": "application/x-www-form-urlencoded"}, urlencode(query).encode()))
    request_id = resp.headers["x-acs-request-id"]
    assert resp.body.count(request_id.encode()) >= 1
    return resp.status, resp.body.replace(request_id.encode(), b"<id>")


SHAPES = [
    {"ImageOwnerAlias": "self"}, {"ImageOwnerAlias": "self", "PageSize": "1", "PageNumber": "2"},
    {"ImageOwnerAlias": "system", "PageSize": "10"}, {"ImageId": UBUNTU}, {"ImageOwnerAlias": "marketplace"},
    {"ImageOwnerAlias": "others"}, {}, {"ImageName": "memo"}, {"ImageFamily": "memo-family"},
    {"Status": "Available,Creating"}, {"OSType": "linux", "Architecture": "x86_64", "PageSize": "50"},
    {"InstanceType": "ecs.g7.large", "ImageOwnerAlias": "system"}, {"Filter.1.Key": "CreationStartTime",
                                                                    "Filter.1.Value": "2020-01-01T00:00Z"},
]


@pytest.mark.parametrize("fmt", ["JSON", "XML"])
def test_an_answer_kept_is_byte_for_byte_the_handlers(engine, client, runs, fmt):
    mine = [new_image(client, f"memo-{n}", family="memo-family") for n in range(3)]
    for shape in SHAPES + [{"ImageId": ",".join(mine)}, {"ImageId": mine[0]}]:
        engine.config.options["answer_memo"] = False
        unkept = raw(engine, fmt, **shape)
        engine.config.options["answer_memo"] = True
        del runs[:]
        first, again = raw(engine, fmt, **shape), raw(engine, fmt, **shape)
        assert first == again == unkept, shape
        assert unkept[0] == 200 and len(runs) == 1, (shape, runs)  # the second from the memo


def test_sdk_answers_from_the_memo_and_the_call_record(engine, client, legacy, runs):
    image_id = new_image(client, "memo-sdk")
    first, again = describe(client, image_id=image_id), describe(client, image_id=image_id)
    assert runs == ["DescribeImages"]
    assert first["Images"]["Image"][0]["ImageName"] == "memo-sdk" and first["RequestId"] != again["RequestId"]
    assert {k: v for k, v in first.items() if k != "RequestId"} == {k: v for k, v in again.items() if k != "RequestId"}
    last = engine.calls[-1]
    assert (last.action, last.status, last.region, last.params["ImageId"]) == ("DescribeImages", 200, REGION, image_id)
    # The old SDK signs each call anew (v1: its nonce, time stamp and signature are left out of the key).
    request = LegacyDescribeImages()
    request.set_ImageId(image_id)
    del runs[:]
    answers = [legacy_call(legacy, request) for _ in range(3)]
    assert runs == ["DescribeImages"] and len({a["RequestId"] for a in answers}) == 3
    assert all(a["Images"]["Image"][0]["ImageName"] == "memo-sdk" for a in answers)
    request.set_accept_format("XML")
    xml = [legacy_xml(legacy, request) for _ in range(2)]
    assert [x.find("Images/Image/ImageName").text for x in xml] == ["memo-sdk", "memo-sdk"]


def test_a_write_a_setting_or_a_reset_is_seen_at_once(engine, client, runs):
    image_id = new_image(client, "before")
    assert describe(client, image_id=image_id)["Images"]["Image"][0]["ImageName"] == "before"
    client.modify_image_attribute(models.ModifyImageAttributeRequest(region_id=REGION, image_id=image_id,
                                                                    image_name="after"))
    assert describe(client, image_id=image_id)["Images"]["Image"][0]["ImageName"] == "after"
    client.tag_resources(models.TagResourcesRequest(region_id=REGION, resource_type="image", resource_id=[image_id],
                                                    tag=[models.TagResourcesRequestTag(key="k", value="v")]))
    tags = describe(client, image_id=image_id)["Images"]["Image"][0]["Tags"]["Tag"]
    assert tags == [{"TagKey": "k", "TagValue": "v"}]
    # A write straight to the store (a test's own setup) counts as much as one through the API.
    with engine.store.transaction() as txn:
        resources.put(txn, "image", dict(txn.get("image", image_id), Description="set by hand"))
    assert describe(client, image_id=image_id)["Images"]["Image"][0]["Description"] == "set by hand"
    # A setting: community images join an alias-less listing when the option says so.
    community = {"page_size": 100}
    before = {i["ImageId"] for i in describe(client, **community)["Images"]["Image"]}
    engine.config.options["describe_default_includes_community"] = True
    after = {i["ImageId"] for i in describe(client, **community)["Images"]["Image"]}
    assert after > before
    engine.reset()
    assert describe(client, image_id=image_id)["Images"]["Image"] == []


def test_never_across_callers(client, other, runs):
    image_id = new_image(client, "private")
    assert [i["ImageId"] for i in describe(client, image_id=image_id)["Images"]["Image"]] == [image_id]
    assert describe(other.client, image_id=image_id)["Images"]["Image"] == []  # the same parameters, another caller
    assert describe(client, image_id=image_id)["Images"]["Image"] != []
    assert runs == ["DescribeImages", "DescribeImages"]


def test_errors_dry_runs_and_faults_are_never_answered_from_it(engine, client, mock, runs):
    for _ in range(2):
        assert error_of(describe, client, image_owner_alias="nobody").code == \
            "InvalidImageOwnerAlias.ValueNotSupported"
        assert error_of(describe, client, image_id=UBUNTU, dry_run=True).code == "DryRunOperation"
    assert len(runs) == 4
    describe(client, image_id=UBUNTU)
    mock.inject("DescribeImages", "Throttling", status=400)
    assert error_of(describe, client, image_id=UBUNTU).code == "Throttling"  # (kept, yet the fault comes first)
    assert describe(client, image_id=UBUNTU)["Images"]["Image"][0]["ImageId"] == UBUNTU


def test_an_answer_that_read_the_clock_is_not_kept(engine, client, runs):
    image_id = new_image(client, "in-flight", engine=engine)
    seen = [describe(client, image_id=image_id, status="Creating,Available")["Images"]["Image"][0]["Status"]
            for _ in range(3)]
    assert seen == ["Creating"] * 3 and len(runs) == 3  # (in flight: settled by each read, never kept)
    engine.clock.advance(3600)
    assert describe(client, image_id=image_id)["Images"]["Image"][0]["Status"] == "Available"
    # A context notes a reading of the clock, whoever reads it.
    timed = TimedContext(engine, None, "X", "1", REGION, "r", "h", 123.0, {})
    assert not timed.clock_read and timed.now == 123.0 and timed.clock_read
    assert isinstance(timed, Context) and timed == TimedContext(engine, None, "X", "1", REGION, "r", "h", 123.0, {})


def test_off_with_the_option_and_on_a_shared_store(engine, client, runs, tmp_path, monkeypatch):
    op, handled = engine.operations["DescribeImages"], []
    monkeypatch.setattr(op, "handler", lambda ctx, a, real=op.handler: handled.append(1) or real(ctx, a))
    engine.config.options["answer_memo"] = False
    for _ in range(3):
        describe(client, image_id=UBUNTU)
    assert len(handled) == 3 and runs == [] and engine._memo == {}
    engine.config.options["answer_memo"] = True
    for _ in range(3):
        describe(client, image_id=UBUNTU)
    assert len(handled) == 4 and len(runs) == 1 and len(engine._memo) == 1
    shared = Engine(Config(store=f"sqlite:///{tmp_path / 'state.db'}"))
    assert shared._memo is None
    shared.store.close()


def test_bounded(engine, monkeypatch):
    monkeypatch.setattr(core, "MEMO_ENTRIES", 20)
    for n in range(200):
        assert raw(engine, ImageOwnerAlias="system", PageSize=str(1 + n % 100), PageNumber=str(1 + n // 100))[0] == 200
        assert len(engine._memo) <= 20
    monkeypatch.setattr(core, "MEMO_BYTES", 200_000)  # (a page of 100 system images: some 60 KB)
    for n in range(60):
        raw(engine, ImageOwnerAlias="system", PageSize=str(41 + n), OSType="linux" if n % 2 else "windows")
        assert engine._memo_bytes <= 200_000 and sum(len(e[3].utf8) for e in engine._memo.values()) <= 200_000
    monkeypatch.setattr(core, "MEMO_BYTES", 100_000)  # an answer of over a sixteenth of it is not kept
    before = dict(engine._memo)
    raw(engine, ImageOwnerAlias="system", PageSize="100")
    assert engine._memo.keys() <= before.keys()


def test_reads_racing_writes_never_see_an_older_name(engine, client):
    """Readers note the last rename finished before they ask: the name they get is never an older one."""
    image_id = new_image(client, "v0")
    done = [0]
    problems: list = []

    def writer() -> None:
        for n in range(1, 60):
            client.modify_image_attribute(models.ModifyImageAttributeRequest(
                region_id=REGION, image_id=image_id, image_name=f"v{n}"))
            done[0] = n

    def reader() -> None:
        for _ in range(150):
            floor = done[0]
            name = describe(client, image_id=image_id)["Images"]["Image"][0]["ImageName"]
            if int(name[1:]) < floor:
                problems.append((floor, name))

    threads = [threading.Thread(target=writer)] + [threading.Thread(target=reader) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert problems == []
    assert json.loads(raw(engine, ImageId=image_id)[1])["Images"]["Image"][0]["ImageName"] == "v59"


def test_describe_zones_kept_until_stock_changes(engine, client, runs):
    from mockecs.world import stock

    def zones() -> dict:
        return client.describe_zones(models.DescribeZonesRequest(region_id=REGION)).body.to_map()

    engine.config.options["answer_memo"] = False
    unkept = raw(engine, Action="DescribeZones")
    engine.config.options["answer_memo"] = True
    del runs[:]
    assert raw(engine, Action="DescribeZones") == raw(engine, Action="DescribeZones") == unkept
    first = zones()
    assert zones()["Zones"] == first["Zones"] and runs == ["DescribeZones", "DescribeZones"]  # (raw's, the SDK's)
    zone = first["Zones"]["Zone"][0]
    stock.sell_out(engine, zone["ZoneId"], instance_type="ecs.g7.large", seconds=60)
    short = zones()["Zones"]["Zone"][0]
    assert "ecs.g7.large" in zone["AvailableInstanceTypes"]["InstanceTypes"]
    assert "ecs.g7.large" not in short["AvailableInstanceTypes"]["InstanceTypes"]
    # A shortage ends with the clock: that answer read it, so every call is answered anew.
    del runs[:]
    zones()
    engine.clock.advance(61)
    assert "ecs.g7.large" in zones()["Zones"]["Zone"][0]["AvailableInstanceTypes"]["InstanceTypes"]
    assert len(runs) == 2


def test_a_handler_reading_the_engines_clock_is_not_kept(engine, client, runs, monkeypatch):
    op = engine.operations["DescribeZones"]
    real = op.handler

    def timed(ctx, *args, **kwargs):
        ctx.engine.clock.now()  # (straight from the engine, not through the context)
        return real(ctx, *args, **kwargs)

    monkeypatch.setattr(op, "handler", timed)
    for _ in range(3):
        client.describe_zones(models.DescribeZonesRequest(region_id=REGION))
    assert len(runs) == 3 and engine._memo == {}


def test_describe_regions_kept_per_language(engine, client, runs):
    answers = {}
    for language in ("zh-CN", "en-US", "zh-CN", "en-US"):
        body = client.describe_regions(models.DescribeRegionsRequest(accept_language=language)).body.to_map()
        answers.setdefault(language, []).append(body["Regions"])
    assert runs == ["DescribeRegions", "DescribeRegions"]
    assert answers["zh-CN"][0] == answers["zh-CN"][1] != answers["en-US"][0] == answers["en-US"][1]
    assert engine.calls[-1].region == REGION  # (the client's host: ecs.cn-hangzhou.aliyuncs.com)
    assert error_of(client.describe_regions, models.DescribeRegionsRequest(accept_language="fr")).code == \
        "InvalidAcceptLanguage.NotFound"


def test_a_request_sent_again_alike_is_not_decoded_again(engine, client, runs, monkeypatch):
    decoded: list = []
    real = core.decode
    monkeypatch.setattr(core, "decode", lambda http: decoded.append(1) or real(http))
    image_id = new_image(client, "raw-form")
    del decoded[:]
    answers = [describe(client, image_id=image_id) for _ in range(4)]
    assert len(decoded) == 1 and runs == ["DescribeImages"]  # (kept, then known by its raw form, signature apart)
    assert len({a["RequestId"] for a in answers}) == 4 and all(a["Images"] == answers[0]["Images"] for a in answers)
    calls = engine.calls[-4:]
    assert [(c.action, c.status, c.account, c.region) for c in calls] == \
        [("DescribeImages", 200, "1234567890123456", REGION)] * 4
    assert all(c.params == calls[0].params and (c is calls[0] or c.params is not calls[0].params) for c in calls)
    # Written since: the long way, once, then known again.
    client.modify_image_attribute(models.ModifyImageAttributeRequest(region_id=REGION, image_id=image_id,
                                                                    image_name="raw-renamed"))
    del decoded[:]
    assert [describe(client, image_id=image_id)["Images"]["Image"][0]["ImageName"] for _ in range(3)] == \
        ["raw-renamed"] * 3
    assert len(decoded) == 1


def test_a_key_given_to_another_account_answers_for_that_account(engine, runs, monkeypatch):
    from tests.sdk import make_account

    first = make_account(engine, "1111222233334444", access_key_id="ak-moving")
    image_id = new_image(first.client, "moving")
    for _ in range(2):
        assert [i["ImageId"] for i in describe(first.client, image_id=image_id)["Images"]["Image"]] == [image_id]
    # The same key, another account now. (Kept out of the store here: its write alone would make every kept answer
    # stale; the key's account is checked as well.)
    monkeypatch.setattr(engine.accounts, "on_add", None)
    engine.accounts.add_key("5555666677778888", "ak-moving", first.secret)
    assert describe(first.client, image_id=image_id)["Images"]["Image"] == []
    assert engine.calls[-1].account == "5555666677778888"


def test_strict_signatures_check_a_request_sent_again(engine, client):
    from tests.sdk import new_client

    engine.config.strict_signatures = True
    for _ in range(3):
        describe(client, image_id=UBUNTU)
    forged = new_client(secret="not-the-secret")  # (the same key, the same request: only the signature differs)
    err = error_of(describe, forged, image_id=UBUNTU)
    assert (err.code, err.status_code) == ("SignatureDoesNotMatch", 400)


def test_the_raw_form_leaves_out_a_v3_signature_only():
    def request(auth: str, **headers: str) -> HttpRequest:
        return HttpRequest("POST", "https://ecs.cn-hangzhou.aliyuncs.com/?ImageId=x", {
            "host": "ecs.cn-hangzhou.aliyuncs.com", "x-acs-action": "DescribeImages", "authorization": auth,
            **headers}, b"")

    v3 = "ACS3-HMAC-SHA256 Credential=ak,SignedHeaders=host;x-acs-action,Signature="
    assert core._raw_key(request(v3 + "ab12")) == core._raw_key(request(v3 + "ffff", **{"x-acs-date": "t"}))
    assert core._raw_key(request(v3 + "ab12")) != core._raw_key(request(v3.replace("=ak", "=ak2") + "ab12"))
    assert core._raw_key(request(v3 + "zz")) is None  # (no signature decode would read: another decoding)
    assert core._raw_key(request(v3)) is None and core._raw_key(request("Bearer token")) is None
    assert core._raw_key(request("")) is not None  # (unsigned: nothing left out)


def test_timed_context_sets_every_context_field():
    """TimedContext writes Context's fields itself (its ``now`` without the setter): a field added to Context
    must be written there too, and a kept answer's Frozen holds the handler's dict as encoded."""
    import dataclasses
    assert [f.name for f in dataclasses.fields(Context)] == \
        ["engine", "txn", "action", "account", "region", "request_id", "host", "now", "params"]
    ctx = TimedContext(None, None, "DescribeImages", "1" * 16, "cn-hangzhou", "RID", "ecs.aliyuncs.com", 12.5, {})
    assert (ctx.action, ctx.account, ctx.region, ctx.request_id, ctx.host, ctx.params) == \
        ("DescribeImages", "1" * 16, "cn-hangzhou", "RID", "ecs.aliyuncs.com", {})
    assert not ctx.clock_read and ctx.now == 12.5 and ctx.clock_read
    from mockecs.wire.encoding import Frozen, to_json
    body = {"TotalCount": 1, "Images": {"Image": []}}
    kept = Frozen.owning(body, to_json(body))
    assert kept.utf8 == Frozen(body).utf8 and dict(kept) == body and kept.json_tail == kept.utf8[1:]
