"""The answer memo changes no answer: two seeded engines, one with the memo and one without, take the same random
sequence of writes (images made, renamed, tagged, shared, copied, deleted; instances launched; stock sold out;
the clock moved; an option changed; transitions realistic or instant) and reads (DescribeImages of many shapes,
each asked twice or more, DescribeZones, DescribeRegions), and answer each request alike, byte for byte (but the
RequestId). (A request answered from the memo ticks the frozen clock as one answered by its handler: later
records' times are the same too.)"""
from __future__ import annotations

import functools
import json
import random
import re
from typing import Optional
from urllib.parse import urlencode

import pytest

from mockecs.engine.core import Config, Engine
from mockecs.wire.protocol import HttpRequest
from mockecs.world import stock

REGION = "cn-hangzhou"
SOURCE = "ubuntu_22_04_x64_20G_alibase_20240130.vhd"
OTHER_KEY = "ak-memo-other"


def _call(engine: Engine, params: dict, fmt: str, key: str, v3: Optional[random.Random] = None) -> tuple[int, bytes]:
    """A form-encoded call, or with ``v3`` one as the current SDK sends it: parameters in the query, the action and
    version in headers, a V3 Authorization header whose signature (not checked: strict_signatures is off) and nonce
    are new each time, as an SDK's are."""
    if v3 is None:
        query = {"Version": "2014-05-26", "Format": fmt, "RegionId": REGION, **params}
        if key:
            query["AccessKeyId"] = key
        http = HttpRequest("POST", "https://ecs.aliyuncs.com/", {
            "content-type": "application/x-www-form-urlencoded"}, urlencode(query).encode())
    else:
        query = {"RegionId": REGION, **{k: v for k, v in params.items() if k != "Action"}}
        signature = f"{v3.getrandbits(256):064x}"
        http = HttpRequest("POST", "https://ecs-cn-hangzhou.aliyuncs.com/?" + urlencode(query), {
            "host": "ecs-cn-hangzhou.aliyuncs.com", "x-acs-action": params["Action"], "x-acs-version": "2014-05-26",
            "x-acs-signature-nonce": signature[:32], "accept": "application/json",
            "authorization": f"ACS3-HMAC-SHA256 Credential={key or 'ak'},SignedHeaders=host;x-acs-action,"
                             f"Signature={signature}"}, b"")
    resp = engine.handle(http)
    return resp.status, resp.body.replace(resp.headers["x-acs-request-id"].encode(), b"<id>")


def _shapes(images: list[str]) -> list[dict]:
    some = images[:3]
    return [
        {"ImageOwnerAlias": "self"}, {"ImageOwnerAlias": "self", "PageSize": "2", "PageNumber": "2"},
        {"ImageOwnerAlias": "self", "Status": "Creating,Available,CreateFailed,UnAvailable"},
        {"ImageOwnerAlias": "others"}, {}, {"ImageName": "memo"}, {"ImageFamily": "fam-1"},
        {"ImageOwnerAlias": "system", "PageSize": "5"}, {"ImageId": SOURCE},
        {"Tag.1.Key": "team", "Tag.1.Value": "a"}, {"Tag.1.Key": "team"},
        {"ImageId": ",".join(some)} if some else {"ImageId": "m-none"},
        {"ImageId": images[-1], "Status": "Creating,Available"} if images else {"ImageId": "m-none"},
        {"Usage": "instance", "ImageOwnerAlias": "self"}, {"InstanceType": "ecs.g7.large"},
    ]


@pytest.mark.parametrize("seed", range(6))
def test_the_memo_changes_no_answer(seed):
    rng, signer = random.Random(seed), random.Random(-seed)
    engines = [Engine(Config(seed=seed, options={"answer_memo": memo, "image_quota": 10**6}))
               for memo in (True, False)]
    # Both frozen clocks stand at the same time (each froze when its engine was made, a few ms apart: records made in
    # the same second in one and in two seconds in the other would list in another order).
    engines[1].clock._base = engines[0].clock._base
    for engine in engines:
        engine.accounts.add_key("2222333344445555", OTHER_KEY, "secret")
    images: list[str] = []
    instances: list[str] = []
    asked, handled = [0], [0]  # memo operations asked of the memo's engine, and those its handlers answered
    real = engines[0]._memo_run
    engines[0]._memo_run = lambda *args: handled.__setitem__(0, handled[0] + 1) or real(*args)
    again, known = [0], engines[0]._kept_again  # (answers given to a request known by its raw form)
    engines[0]._kept_again = lambda *args: (lambda found: again.__setitem__(0, again[0] + (found is not None))
                                            or found)(known(*args))

    def both(params: dict, fmt: str = "JSON", key: str = "", v3: bool = False) -> tuple[int, bytes]:
        kept, plain = (_call(engine, params, fmt, key, signer if v3 else None) for engine in engines)
        assert kept == plain, (seed, params, fmt, key)
        return kept

    def made(status_body: tuple[int, bytes], field: str) -> str:
        status, body = status_body
        assert status == 200, body
        return re.search(rb'"' + field.encode() + rb'":"([^"]+)"', body).group(1).decode()

    for step in range(160):
        kind = rng.random()
        if kind < 0.45 or not instances:  # reads, each asked again at once (a hit where the memo may answer)
            if not instances or rng.random() < 0.15:
                instances.append(_first_instance(both({"Action": "RunInstances", "ImageId": SOURCE,
                                                       "InstanceType": "ecs.g7.large"})))
                continue
            shape = rng.choice(_shapes(images) + [{"Action": "DescribeZones"}, {"Action": "DescribeRegions"}])
            params = {"Action": "DescribeImages", **shape}
            fmt, key, v3 = rng.choice(["JSON", "JSON", "XML"]), rng.choice(["", "", OTHER_KEY]), rng.random() < 0.5
            for _ in range(rng.randint(2, 3)):
                both(params, "JSON" if v3 else fmt, key, v3)
                asked[0] += 1
        elif kind < 0.6:
            status, body = both({"Action": "CreateImage", "InstanceId": rng.choice(instances),
                                 "ImageName": f"memo-{step}", "ImageFamily": rng.choice(["fam-1", "fam-2", ""])})
            if status == 200:
                images.append(made((status, body), "ImageId"))
        elif kind < 0.85 and images:
            image_id = rng.choice(images)
            action = rng.choice(["rename", "tag", "untag", "share", "unshare", "copy", "delete", "describe-one"])
            if action == "rename":
                both({"Action": "ModifyImageAttribute", "ImageId": image_id, "ImageName": f"memo-r{step}",
                      "Description": rng.choice(["", "d"])})
            elif action in ("tag", "untag"):
                base = {"ResourceType": "image", "ResourceId.1": image_id}
                both({"Action": "TagResources", **base, "Tag.1.Key": "team", "Tag.1.Value": rng.choice("ab")}
                     if action == "tag" else {"Action": "UntagResources", **base, "TagKey.1": "team"})
            elif action in ("share", "unshare"):
                both({"Action": "ModifyImageSharePermission", "ImageId": image_id,
                      ("AddAccount.1" if action == "share" else "RemoveAccount.1"): "2222333344445555"})
            elif action == "copy":
                both({"Action": "CopyImage", "ImageId": image_id, "DestinationRegionId": "cn-shanghai"})
            elif action == "delete":
                if both({"Action": "DeleteImage", "ImageId": image_id})[0] == 200:
                    images.remove(image_id)
            else:
                both({"Action": "DescribeImages", "ImageId": image_id, "Status": "Creating,Available"})
        else:  # the world moves without a request: the clock, a setting, transitions, stock
            change = rng.choice(["clock", "option", "transitions", "stock", "restock"])
            seconds, mode = rng.choice([1, 20, 120]), rng.choice(["instant", "realistic"])  # (drawn once for both)
            for engine in engines:
                if change == "clock":
                    engine.clock.advance(seconds)
                elif change == "option":
                    engine.config.options["describe_default_includes_community"] = step % 2 == 0
                elif change == "transitions":
                    engine.config.transitions = mode
                elif change == "stock":
                    stock.sell_out(engine, "cn-hangzhou-i", instance_type="ecs.g7.large", seconds=30)
                else:
                    stock.restock(engine)
    assert asked[0] - handled[0] > 25, (asked, handled)  # (answers from the memo: a third to a half of the reads)
    assert again[0] > 8, again  # (of which V3 requests known by their raw form)
    assert engines[1]._memo == {}


def _first_instance(status_body: tuple[int, bytes]) -> str:
    status, body = status_body
    assert status == 200, body
    return re.search(rb'"InstanceIdSet":\["([^"]+)"', body).group(1).decode()


@functools.cache
def _public_key() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()


def _ids(status_body: tuple[int, bytes], field: str) -> list[str]:
    status, body = status_body
    return re.findall(rb'"' + field.encode() + rb'":"([^"]+)"', body) and \
        [i.decode() for i in re.findall(rb'"' + field.encode() + rb'":"([^"]+)"', body)] if status == 200 else []


@pytest.mark.parametrize("seed", range(4))
def test_the_memo_changes_no_answer_of_the_neighbours(seed):
    """The same for the other operations declared ``memo``: instances, disks, snapshots, security groups, key pairs,
    instance types, an image's share permissions."""
    rng, signer = random.Random(seed), random.Random(-seed - 100)
    engines = [Engine(Config(seed=seed, options={"answer_memo": memo})) for memo in (True, False)]
    engines[1].clock._base = engines[0].clock._base
    handled, real = [0], engines[0]._memo_run
    engines[0]._memo_run = lambda *args: handled.__setitem__(0, handled[0] + 1) or real(*args)
    made: dict[str, list[str]] = {"i": [], "d": [], "s": [], "sg": [], "kp": [], "m": []}

    def both(params: dict, v3: bool = False) -> tuple[int, bytes]:
        kept, plain = (_call(engine, params, "JSON", "", signer if v3 else None) for engine in engines)
        assert kept == plain, (seed, params)
        return kept

    def pick(kind: str) -> str:
        return rng.choice(made[kind]) if made[kind] else "none"

    writes = {
        "run": lambda: made["i"].extend(re.findall(r"i-[0-9a-z]+", both({
            "Action": "RunInstances", "ImageId": SOURCE, "InstanceType": rng.choice(["ecs.g7.large", "ecs.g6.large"]),
            "InstanceName": f"n{rng.randint(0, 3)}", "ZoneId": "cn-hangzhou-i"})[1].decode())),
        "stop": lambda: both({"Action": "StopInstance", "InstanceId": pick("i"), "ForceStop": "true"}),
        "start": lambda: both({"Action": "StartInstance", "InstanceId": pick("i")}),
        "rename": lambda: both({"Action": "ModifyInstanceAttribute", "InstanceId": pick("i"),
                                "InstanceName": f"n{rng.randint(0, 3)}"}),
        "delete": lambda: both({"Action": "DeleteInstance", "InstanceId": pick("i"), "Force": "true"}),
        "disk": lambda: made["d"].extend(_ids(both({"Action": "CreateDisk", "ZoneId": "cn-hangzhou-i", "Size": "20",
                                                   "DiskCategory": "cloud_essd"}), "DiskId")),
        "attach": lambda: both({"Action": "AttachDisk", "InstanceId": pick("i"), "DiskId": pick("d")}),
        "snapshot": lambda: made["s"].extend(_ids(both({"Action": "CreateSnapshot", "DiskId": pick("d")}),
                                                  "SnapshotId")),
        "unsnapshot": lambda: both({"Action": "DeleteSnapshot", "SnapshotId": pick("s")}),
        "group": lambda: made["sg"].extend(_ids(both({"Action": "CreateSecurityGroup"}), "SecurityGroupId")),
        "rule": lambda: both({"Action": "AuthorizeSecurityGroup", "SecurityGroupId": pick("sg"), "IpProtocol": "tcp",
                              "PortRange": f"{rng.randint(1, 9)}/22", "SourceCidrIp": "0.0.0.0/0"}),
        # (imported: CreateKeyPair's new key is random in each engine, memo or not)
        "key": lambda: made["kp"].extend(_ids(both({"Action": "ImportKeyPair", "KeyPairName": f"k{rng.randint(0, 9)}",
                                                    "PublicKeyBody": _public_key()}), "KeyPairName")),
        "image": lambda: made["m"].extend(_ids(both({"Action": "CreateImage", "InstanceId": pick("i")}), "ImageId")),
        "share": lambda: both({"Action": "ModifyImageSharePermission", "ImageId": pick("m"),
                               "AddAccount.1": "2222333344445555"}),
        "tag": lambda: both({"Action": "TagResources", "ResourceType": "instance", "ResourceId.1": pick("i"),
                             "Tag.1.Key": "team", "Tag.1.Value": rng.choice("ab")}),
    }
    reads = [
        lambda: {"Action": "DescribeInstances"}, lambda: {"Action": "DescribeInstances", "PageSize": "2"},
        lambda: {"Action": "DescribeInstances", "Status": "Running"},
        lambda: {"Action": "DescribeInstances", "InstanceIds": json.dumps(made["i"][:3])},
        lambda: {"Action": "DescribeInstances", "InstanceName": "n1", "Tag.1.Key": "team"},
        lambda: {"Action": "DescribeInstanceStatus"}, lambda: {"Action": "DescribeDisks"},
        lambda: {"Action": "DescribeDisks", "InstanceId": pick("i")}, lambda: {"Action": "DescribeSnapshots"},
        lambda: {"Action": "DescribeSecurityGroups"},
        lambda: {"Action": "DescribeSecurityGroupAttribute", "SecurityGroupId": pick("sg")},
        lambda: {"Action": "DescribeKeyPairs"}, lambda: {"Action": "DescribeInstanceTypeFamilies"},
        lambda: {"Action": "DescribeInstanceTypes", "InstanceTypes.1": "ecs.g7.large"},
        lambda: {"Action": "DescribeInstanceAttribute", "InstanceId": pick("i")},
        lambda: {"Action": "DescribeImageSharePermission", "ImageId": pick("m")},
    ]
    asked = 0
    for _ in range(220):
        kind = rng.random()
        if kind < 0.5:
            params, v3 = rng.choice(reads)(), rng.random() < 0.5
            for _ in range(rng.randint(2, 3)):
                both(params, v3)
                asked += 1
        elif kind < 0.92:
            writes[rng.choice(sorted(writes))]()
        else:
            change, seconds, mode = rng.choice(["clock", "transitions"]), rng.choice([1, 10, 60, 600]), \
                rng.choice(["instant", "realistic"])
            for engine in engines:
                if change == "clock":
                    engine.clock.advance(seconds)
                else:
                    engine.config.transitions = mode
    assert asked - handled[0] > 40, (asked, handled)
