"""Records of ECS resources in the store: ids, times, index terms, ownership, tags.

Records are stored in their **wire shape** (the fields DescribeImages & co. answer, in the
API's own PascalCase names) plus internal keys that start with ``_`` and never reach the
wire: ``_owner`` (account id), ``_region``, ``_pending`` (a lifecycle transition) ...
Handlers never mutate a record in place: they build a new dict and :func:`put` it.
"""
from __future__ import annotations

import re
import time
from typing import Any, Callable, Iterable, Iterator, Mapping, Optional

from mockecs.state.store import Term, Transaction, text_term
from mockecs.wire.errors import EcsError
from mockecs.world import ids, lifecycle, tagging
from mockecs.world.context import Context
from mockecs.world.validation import check_tags

# kind -> id prefix (spec §2.2)
PREFIX = {
    "image": "m-", "snapshot": "s-", "instance": "i-", "disk": "d-", "task": "t-",
    "component": "ic-", "pipeline": "ip-", "execution": "exec-", "resource_group": "rg-",
    "vpc": "vpc-", "vswitch": "vsw-", "vrouter": "vrt-", "route_table": "vtb-", "network_interface": "eni-",
    "key_pair": "ssh-", "security_group": "sg-", "eip": "eip-", "snapshot_policy": "sp-",
    "snapshot_group": "ssg-", "network_acl": "nacl-", "flow_log": "fl-", "prefix_list": "pl-",
    "nat_gateway": "ngw-", "snat_table": "stb-", "forward_table": "ftb-", "snat_entry": "snat-",
    "forward_entry": "fwd-", "route_entry": "rte-",
    "deployment_set": "ds-", "hpc_cluster": "hpc-",
    "launch_template": "lt-",
    "managed_instance": "mi-",  # (Cloud Assistant's; activations have UUIDs: mockecs.world.managed_instances)
    "capacity_reservation": "crp-", "elasticity_assurance": "eap-", "reserved_instance": "ecsri-",
    "dhcp_options_set": "dopt-", "ipv6_gateway": "ipv6gw-", "ipv6_internet_bandwidth": "ipv6bw-",
    "ipv6_egress_rule": "ipv6py-",
    "havip": "havip-", "network_interface_permission": "eni-perm-", "bandwidth_package": "bwp-",
    "physical_connection": "pc-", "virtual_border_router": "vbr-", "router_interface": "ri-",
    "storage_set": "ss-", "storage_capacity_unit": "scu-",
    "auto_provisioning_group": "apg-", "demand": "ed-",
    "diagnostic_metric_set": "dms-", "diagnostic_report": "dr-",
    "dedicated_host": "dh-", "dedicated_host_cluster": "dc-",
}
KIND_OF_PREFIX = {v: k for k, v in PREFIX.items()}
# Region codes seen at the start of real ids (spec §2.2); any stable code works for clients.
REGION_CODE = {
    "cn-hangzhou": "bp1", "cn-beijing": "2ze", "cn-shanghai": "uf6", "cn-shenzhen": "wz9", "cn-qingdao": "m5e",
    "cn-zhangjiakou": "8vb", "cn-huhehaote": "hp3", "cn-chengdu": "2vc", "cn-hongkong": "j6c",
    "ap-southeast-1": "t4n", "ap-northeast-1": "6we", "us-west-1": "rj9", "us-east-1": "0xi",
    "eu-central-1": "gw8", "eu-west-1": "d7o", "ap-south-1": "a2d", "me-east-1": "eb3",
    "ap-southeast-5": "k1a", "ap-southeast-3": "8ps", "ap-southeast-2": "p0w",
}


def new_id(kind: str, region: str) -> str:
    prefix, draw = PREFIX[kind], ids.source().text
    if kind == "execution":
        return prefix + draw(ids.HEX, 20)
    return prefix + (REGION_CODE.get(region) or draw(ids.ALNUM, 3)) + draw(ids.ALNUM, 17)


def random_uuid() -> str:
    """A random (version 4) UUID as ``str(uuid.uuid4())`` writes it (from :mod:`mockecs.world.ids`: seeded
    engines make the same ones)."""
    return ids.source().uuid4()


def kind_of(resource_id: str) -> Optional[str]:
    head = resource_id.split("-", 1)[0] + "-" if "-" in resource_id else ""
    return KIND_OF_PREFIX.get(head)


def iso(ts: float) -> str:
    """Images, snapshots, share records, pipelines: ``2024-06-01T08:00:00Z``."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def iso_minute(ts: float) -> str:
    """Tasks and instances: ``2020-11-24T12:50Z`` (minute precision, spec §2.2)."""
    return time.strftime("%Y-%m-%dT%H:%MZ", time.gmtime(ts))


def parse_iso(text: str) -> Optional[float]:
    from calendar import timegm

    for fmt in ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%MZ", "%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%d"):
        try:
            return float(timegm(time.strptime(text, fmt)))
        except ValueError:
            continue
    return None


_NINES = str.maketrans("0123456789", "9876543210")


def time_key(ts: float, descending: bool = False) -> str:
    """A mock-clock time as a sort key (fixed width, 9 decimals: distinct times keep distinct keys, in
    order); ``descending`` takes the nines' complement, for lists newest first with ties by ascending id."""
    key = f"{ts:024.9f}"
    return key.translate(_NINES) if descending else key


# -- index terms ---------------------------------------------------------------------
# Extra terms per kind (images add name/family/snapshot/share terms in mockecs.world.images).
TERMS: dict[str, Callable[[Mapping[str, Any]], Iterable[Term]]] = {}
# The sort key per kind: every term of the kind is an ordered index (Transaction.page) in this order.
ORDER: dict[str, Callable[[Mapping[str, Any]], str]] = {}
# Kinds whose writes and deletions keep records of another kind up to date (snapshots their snapshot link:
# mockecs.world.snapshot_links), called with the record written, and with the record deleted.
WRITTEN: dict[str, Callable[[Transaction, Mapping[str, Any]], None]] = {}
DELETED: dict[str, Callable[[Transaction, Mapping[str, Any]], None]] = {}
# Listing terms: a record with a transition in flight is also indexed under "pending:<name>", so an
# ordered page settles exactly those records (paging.Ordered) before it trusts its status terms' counts.
SCOPES = {"owner_region", "shared", "community"}


def by_creation(kind: str) -> None:
    """List ``kind`` in creation order, then by id (its :data:`ORDER`)."""
    id_field = ID_FIELD[kind]
    ORDER[kind] = lambda r: f"{time_key(r['_created'])} {r[id_field]}"


def owner_region(account: str, region: str) -> Term:
    return ("owner_region", f"{account}|{region}")


def tag_term(key: str, value: str) -> Term:
    return ("tag", f"{key}={value}")


def terms_for(kind: str, record: Mapping[str, Any]) -> list[Term]:
    terms: list[Term] = [("owner", record["_owner"]), owner_region(record["_owner"], record["_region"])]
    if kind not in tagging.TYPES or kind == "image":  # (DescribeImages finds others' images by tag too)
        for tag in tags_of(record):
            terms.append(tag_term(tag["TagKey"], tag["TagValue"]))
            terms.append(("tagkey", tag["TagKey"]))
    if record.get("ResourceGroupId"):  # ResourceGroupId filters of Describe* (see world.resource_groups)
        terms.append(("resource_group", record["ResourceGroupId"]))
    if kind in tagging.TYPES:  # the caller's own tag index, in id order (the tag listings')
        terms.extend(tagging.terms(record))
    extra = TERMS.get(kind)
    if extra is not None:
        terms.extend(extra(record))
    if "_pending" in record:
        terms.extend([("pending:" + name, value) for name, value in terms if name in SCOPES])
    return terms


def put(txn: Transaction, kind: str, record: dict) -> dict:
    order = ORDER.get(kind)
    txn.put(kind, record[ID_FIELD[kind]], record, terms_for(kind, record), order(record) if order else "")
    if kind in tagging.TYPES and record.get("Tags"):
        tagging.carried(txn, kind, record)
    written = WRITTEN.get(kind)
    if written is not None:
        written(txn, record)
    return record


def delete(txn: Transaction, kind: str, resource_id: str) -> None:
    """Delete a record (and its tags from the tag index, :mod:`mockecs.world.tagging`)."""
    old = txn.get(kind, resource_id) if kind in tagging.TYPES or kind in DELETED else None
    gone = tagging.leaving(txn, kind, old, None)
    txn.delete(kind, resource_id)
    if gone:
        tagging.gone(txn, kind, old, gone)
    if old is not None and kind in DELETED:
        DELETED[kind](txn, old)


def retag(txn: Transaction, kind: str, record: dict, tags: Iterable[dict]) -> dict:
    """Write ``record`` with ``tags`` instead of its own (the tag operations)."""
    new = with_tags(record, tags)
    gone = tagging.leaving(txn, kind, record, new)
    put(txn, kind, new)
    tagging.gone(txn, kind, record, gone)
    return new


# The version of what :func:`put` derives from a record (terms, sort keys, the tag index): a store
# written under an older one is indexed again when an engine opens it (:func:`reindex`). Version 2: the
# ordered index (sort keys, per-status terms ...) and the tag index; stores from before carry no version.
# Version 3: images' names searchable by the accounts they are shared with, and among community images.
# Version 4: snapshots' size and link terms, and their links' records (mockecs.world.snapshot_links).
# Version 5: spot instances' stock terms (zone, type: mockecs.world.spot_interruptions), instances' lock terms.
INDEX_VERSION = 5
DERIVED = (tagging.PAIR,)  # kinds written only by the index itself (never exported)
_VERSION = ("mockecs_meta", "index")


def index_version(txn: Transaction) -> int:
    record = txn.get(*_VERSION)
    return int(record["version"]) if record else 1


def reindex(txn: Transaction, mark: bool = True) -> int:
    """Write every resource record again through :func:`put` (its terms, its sort key and the tag index
    as this version derives them) and record :data:`INDEX_VERSION` (``mark``); the number of records.
    A record lacking what :func:`put` derives from (a hand-made import) keeps the terms it has."""
    records = [(kind, id, record) for kind in ID_FIELD for id, record in txn.scan(kind)]
    tagging.clear(txn)
    for kind, _, record in records:
        try:
            put(txn, kind, record)
        except (KeyError, TypeError, ValueError, AttributeError):
            continue  # (raised before anything of it was written)
    if mark:
        mark_indexed(txn)
    return len(records)


def index_pairs(txn: Transaction, mark: bool = False) -> None:
    """Build the tag pairs (:mod:`mockecs.world.tagging`) again from the records (an import, whose records
    carry this version's terms: :func:`reindexed`), and record :data:`INDEX_VERSION` (``mark``)."""
    tagging.clear(txn)
    for kind in tagging.TYPES:
        for _, record in txn.scan(kind):
            tagging.carried(txn, kind, record)
    if mark:
        mark_indexed(txn)


def mark_indexed(txn: Transaction) -> None:
    """Record that the store's index is this version's (an empty store, a reset, a reindex)."""
    txn.put(*_VERSION, {"version": INDEX_VERSION})


def reindexed(records: Mapping[str, Mapping[str, Any]]) -> dict:
    """An export dump (``{kind: {id: {"record", "terms", "key"}}}``) with each resource record's terms and
    sort key computed as :func:`put` does: a dump written by an older version (other terms, no text terms
    or sort keys) or by hand imports into today's indexes. Records the model cannot index (no owner or
    region, fields of other types than the engine writes) keep the dump's own."""
    out: dict = {}
    for kind, recs in records.items():
        order = ORDER.get(kind)
        out[kind] = dict(recs)
        if kind not in ID_FIELD:
            continue
        for id, item in recs.items():
            record = item["record"]
            try:
                terms, key = terms_for(kind, record), order(record) if order else ""
            except (KeyError, TypeError, AttributeError, ValueError):
                continue
            if isinstance(key, str) and all(isinstance(n, str) and isinstance(v, str) for n, v in terms):
                out[kind][id] = {"record": record, "terms": terms, "key": key}
    return out


def settle_pending(ctx: Context, kind: str, scope: Term) -> None:
    """Settle (to the mock clock) the records under a listing term with a transition in flight: an
    index lookup of the few in flight, never a scan (each counts as one observation, as a read does)."""
    for resource_id in ctx.txn.ids(kind, ("pending:" + scope[0], scope[1])):
        get(ctx, kind, resource_id)


ID_FIELD = {
    "image": "ImageId", "snapshot": "SnapshotId", "instance": "InstanceId", "disk": "DiskId", "task": "TaskId",
    "component": "ImageComponentId", "pipeline": "ImagePipelineId", "execution": "ExecutionId",
    "resource_group": "ResourceGroupId", "vpc": "VpcId", "vswitch": "VSwitchId",
    "key_pair": "KeyPairId", "security_group": "SecurityGroupId", "eip": "AllocationId",
    "snapshot_policy": "AutoSnapshotPolicyId", "snapshot_group": "SnapshotGroupId", "prefix_list": "PrefixListId",
    "network_acl": "NetworkAclId", "flow_log": "FlowLogId",
    "nat_gateway": "NatGatewayId", "snat_entry": "SnatEntryId", "forward_entry": "ForwardEntryId",
    "route_table": "RouteTableId", "route_entry": "RouteEntryId",  # (custom tables; a VPC's system table is its own)
    "deployment_set": "DeploymentSetId", "hpc_cluster": "HpcClusterId",
    "launch_template": "LaunchTemplateId", "launch_template_version": "_id",
    "activation": "ActivationId", "managed_instance": "InstanceId",  # (Cloud Assistant: world.managed_instances,
    "assistant_setting": "_id", "assistant_plugin": "_id", "terminal_session": "SessionId",  # world.cloud_assistant)
    "capacity_reservation": "PrivatePoolOptionsId", "elasticity_assurance": "PrivatePoolOptionsId",
    "reserved_instance": "ReservedInstanceId",
    "dhcp_options_set": "DhcpOptionsSetId", "ipv6_gateway": "Ipv6GatewayId",
    "ipv6_internet_bandwidth": "Ipv6InternetBandwidthId", "ipv6_egress_rule": "Ipv6EgressOnlyRuleId",
    "havip": "HaVipId", "network_interface_permission": "NetworkInterfacePermissionId",
    "bandwidth_package": "BandwidthPackageId", "classic_link": "_id", "business_behavior": "_id",
    "physical_connection": "PhysicalConnectionId", "virtual_border_router": "VbrId",
    "router_interface": "RouterInterfaceId",
    "storage_set": "StorageSetId", "storage_capacity_unit": "StorageCapacityUnitId",
    "snapshot_package": "_id",
    "auto_provisioning_group": "AutoProvisioningGroupId", "demand": "DemandId",
    "diagnostic_metric_set": "MetricSetId", "diagnostic_report": "ReportId",
    "dedicated_host": "DedicatedHostId", "dedicated_host_cluster": "DedicatedHostClusterId",
}

# The sort keys and terms of kinds that have no world module of their own (their operations' modules load on first
# call, and a record must be indexed alike whoever writes it: an imported state, a reindex).
ORDER["network_acl"] = lambda record: f"{time_key(record['_created'])} {record['NetworkAclId']}"  # (ops.vpc_acls)
TERMS["network_acl"] = lambda record: [("vpc", record["VpcId"])] + [
    ("acl_vswitch", r["ResourceId"]) for r in record["Resources"]["Resource"]]
ORDER["flow_log"] = lambda record: f"{time_key(record['_created'])} {record['FlowLogId']}"  # (ops.vpc_flow_logs)
TERMS["flow_log"] = lambda record: [("flow_log_resource", record["ResourceId"]), ("vpc", record["_vpc"])]
# (ops.storage_capacity_units: purchase order [GUESS])
ORDER["storage_capacity_unit"] = lambda record: time_key(record.get("_created", 0.0))
TERMS["storage_capacity_unit"] = lambda record: [
    ("scu_capacity", f"{record['_owner']}|{record['_region']}|{record['Capacity']}")]
ORDER["demand"] = lambda record: time_key(record["_created"])  # (ops.demands: creation order [GUESS])


# The JSON types handlers rely on, for the fields an imported record may carry (checked where present):
# found by importing every field of every kind with every wrong type and calling the operations on it.
_RECORD_TYPES: dict[str, tuple[type, ...]] = {
    "_owner": (str,), "_region": (str,), "Status": (str,), "CreationTime": (str,), "Size": (int,),
    "_shares": (dict,), "_source": (dict, type(None)), "_created": (int, float), "_related": (list, type(None)),
    "_error": (dict, type(None)), "_maintenance": (dict, type(None)), "_private_pool": (dict, type(None)),
    "_snapshots": (list,),
}
_OBJECT_SUFFIXES = ("Ids", "Address", "Attributes", "Mappings", "Features", "Options", "Tags")  # objects or null
# Fields of those names that are text in some kinds (addresses of an EIP, of a network interface).
_TEXT_FIELDS = {"eip": frozenset({"IpAddress", "PrivateIpAddress"}),
                "network_interface": frozenset({"PrivateIpAddress", "MacAddress"})}


def check_records(records: Mapping[str, Mapping[str, Any]], where: str = "store") -> None:
    """Raise ValueError naming an imported resource record (``{kind: {id: {"record": ...}}}``) whose id or
    a field handlers read is not of the type the engine writes (such a record answered 500s later)."""
    for kind, recs in records.items():
        id_field = ID_FIELD.get(kind)
        if id_field is None:
            continue
        for id, item in recs.items():
            record, at = item["record"], f"{where}.{kind}.{id}.record"
            if record.get(id_field) != id:
                raise ValueError(f"{at}.{id_field} must be the record's id {id!r}")
            if "_owner" in record and not (isinstance(record["_owner"], str) and record["_owner"].isdigit()):
                raise ValueError(f"{at}._owner must be an account id (16 digits)")
            size = record.get("SourceDiskSize")  # a number in a string on the wire, read as one
            if size is not None and not (isinstance(size, str) and size.isascii() and size.isdigit()):
                raise ValueError(f"{at}.SourceDiskSize must be a whole number in a string, not {str(size)[:40]!r}")
            texts = _TEXT_FIELDS.get(kind, frozenset())
            for name, value in record.items():
                types = _RECORD_TYPES.get(name) or (
                    (dict, type(None)) if name.endswith(_OBJECT_SUFFIXES) and name[:1] != "_" else None)
                if name in texts:
                    types = (str,)
                if types is not None and (not isinstance(value, types) or isinstance(value, bool)):
                    kinds = " or ".join("null" if t is type(None) else _JSON_NAMES[t] for t in types)
                    raise ValueError(f"{at}.{name} must be {kinds}, not {str(value)[:40]!r}")


_JSON_NAMES = {str: "a string", int: "a whole number", float: "a number", dict: "an object", list: "a list"}


def get(ctx: Context, kind: str, resource_id: Optional[str]) -> Optional[dict]:
    """A record, its lifecycle settled to the mock clock (see :mod:`mockecs.world.lifecycle`)."""
    if not resource_id:
        return None
    record = ctx.txn.get(kind, resource_id)
    if record is None:
        return None
    if "_pending" in record:
        record = put(ctx.txn, kind, lifecycle.settle(ctx, kind, dict(record)))
    return dict(record)


def get_many(ctx: Context, kind: str, resource_ids: Iterable[str]) -> list[Optional[dict]]:
    """Records by id in one store call (a page), as :func:`get` (None where missing)."""
    out = []
    for record in ctx.txn.get_many(kind, resource_ids):
        if record is not None and "_pending" in record:
            record = put(ctx.txn, kind, lifecycle.settle(ctx, kind, dict(record)))
        out.append(dict(record) if record is not None else None)
    return out


def is_mine(ctx: Context, record: Optional[Mapping[str, Any]]) -> bool:
    """Whether ``record`` is the caller's, in the request's region."""
    return record is not None and record["_owner"] == ctx.account and record["_region"] == ctx.region


def own_tag_term(ctx: Context, key: str, value: Optional[str]) -> Term:
    """The caller's resources here (of a taggable kind) carrying tag ``key`` (with ``value``; empty: any)."""
    return tagging.tag_term(tagging.scope(ctx.account, ctx.region), key, value or None)


def own_text(record: Mapping[str, Any], name: str, field: str) -> Term:
    """A record's ``field`` as the text term ``name`` among its owner's records in its region: found
    exactly (``ids``) or by substring (:func:`holding`)."""
    return text_term(name, f"{record['_owner']}|{record['_region']}", record.get(field) or "")


def holding(ctx: Context, kind: str, name: str, fragment: str) -> list[str]:
    """Ids of the caller's records of ``kind`` in this region whose text term ``name`` (:func:`own_text`)
    holds ``fragment``, oldest first: the store's substring index, no record read."""
    return [id for _, id, _ in ctx.txn.search(kind, name, f"{ctx.account}|{ctx.region}", fragment)]


def wildcard(pattern: str) -> re.Pattern:
    """A name filter where ``*`` stands for any characters (DescribeInstances' InstanceName, DescribeKeyPairs'
    KeyPairName): test names with ``fullmatch``."""
    return re.compile(".*".join(map(re.escape, pattern.split("*"))), re.S)


def matching(ctx: Context, kind: str, name: str, pattern: str) -> Optional[list[str]]:
    """Ids of the caller's records of ``kind`` whose text term ``name`` may match the wildcard ``pattern``:
    those holding its longest literal piece (callers still test the pattern); None when it has none."""
    piece = max(pattern.split("*"), key=len)
    return holding(ctx, kind, name, piece) if piece else None


def mine_among(ctx: Context, kind: str, named: Optional[Iterable[str]],
               *narrower: Optional[Term], tags: Optional[list[dict]] = None) -> Iterator[dict]:
    """The caller's records of ``kind`` in this region: those ``named`` (ids) if given, else those
    under the smallest of the ``narrower`` index terms that are not None and of the ``tags`` asked for
    (Tag.N ``{"key", "value"}``, through the tag index), else all of the caller's (by index). The
    caller still checks every condition (each term only narrows the candidates)."""
    if named:
        ids: Iterable[str] = set(named)
    else:
        terms = [t for t in narrower if t is not None]
        if tags and kind in tagging.TYPES:
            terms += [own_tag_term(ctx, t["key"], t.get("value")) for t in tags if t.get("key")]
        if len(terms) > 1:
            counts = ctx.txn.counts(kind, terms)
            terms = [terms[counts.index(min(counts))]]
        ids = ctx.txn.ids(kind, terms[0] if terms else owner_region(ctx.account, ctx.region))
    for resource_id in ids:
        record = get(ctx, kind, resource_id)
        if is_mine(ctx, record):
            yield record


def owned(ctx: Context, kind: str, resource_id: Optional[str], not_found: type[EcsError],
          same_region: bool = True) -> dict:
    """The caller's own record in the request's region, else ``not_found``."""
    record = get(ctx, kind, resource_id)
    if record is None or record["_owner"] != ctx.account or (same_region and record["_region"] != ctx.region):
        raise not_found
    return record


def region_of(txn: Transaction, resource_id: Optional[str]) -> Optional[str]:
    """Where a resource lives: lets region-less requests (CreateSnapshot's DiskId ...) find it."""
    if not resource_id:
        return None
    kind = kind_of(resource_id)
    record = txn.get(kind, resource_id) if kind else None
    return record["_region"] if record else None


def region_from(param: str) -> Callable[[Transaction, dict], Optional[str]]:
    """For ``operation(region_of=...)``: the region of the resource named by argument ``param``."""
    return lambda txn, args: region_of(txn, args.get(param))


def wire(record: Mapping[str, Any]) -> dict:
    """The record without its internal keys."""
    return {k: v for k, v in record.items() if not k.startswith("_")}


# -- tags ----------------------------------------------------------------------------
def tags_of(record: Mapping[str, Any]) -> list[dict]:
    return list((record.get("Tags") or {}).get("Tag") or ())


def key_value_tags(record: Mapping[str, Any]) -> dict:
    """A record's tags as the VPC API and the newer ECS answers name them: ``{"Tag": [{"Key", "Value"}]}``."""
    return {"Tag": [{"Key": t["TagKey"], "Value": t["TagValue"]} for t in tags_of(record)]}


def with_tags(record: dict, tags: Iterable[dict]) -> dict:
    return {**record, "Tags": {"Tag": [{"TagKey": t["TagKey"], "TagValue": t["TagValue"]} for t in tags]}}


def tags_from_args(tags: Optional[list[dict]]) -> list[dict]:
    """``Tag.N.Key/Value`` arguments -> wire tags, validating the rules of spec §2.5."""
    return check_tags(tags or [])


def tag_narrowing(wanted: list[dict]) -> list[Term]:
    """The index terms of Tag.N filters (``{"key", "value"}``) for :func:`mine_among`'s ``narrower``, of a kind the
    tag index does not hold (:data:`tagging.TYPES` kinds pass them as ``tags``): the pair's, or the key's."""
    return [tag_term(t["key"], t["value"]) if t.get("value") else ("tagkey", t["key"]) for t in wanted if t.get("key")]


def match_tags(record: Mapping[str, Any], wanted: Optional[list[dict]]) -> bool:
    if not wanted:
        return True
    have = {t["TagKey"]: t["TagValue"] for t in tags_of(record)}
    for tag in wanted:
        key, value = tag.get("key"), tag.get("value")
        if key not in have or (value not in (None, "") and have[key] != value):
            return False
    return True
