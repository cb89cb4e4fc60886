"""What an account or an instance may change to: DescribeResourcesModification (the instance types, or the system
disk categories, an instance can change to: the catalogue's types its zone sells that its image runs on and that
take its disks' categories, the rule
ModifyInstanceSpec and ModifyPrepayInstanceSpec apply), DescribeBandwidthLimitation (the public bandwidth a launch
or a change may ask for: what RunInstances and ModifyInstanceNetworkSpec take), and the deprecated
DescribeLimitation (one of the account's quotas, as DescribeAccountAttributes answers it).
"""
from __future__ import annotations

from typing import Any, Mapping, Optional

from mockecs.ops.account_attributes import ATTRIBUTES
from mockecs.ops.instance_types import TYPE_AND_SIZE, supported, zone_status
from mockecs.ops.instances import type_fields
from mockecs.ops.regions import DISK_CATEGORIES
from mockecs.ops.registry import Context, operation
from mockecs.wire.errors import error_kind
from mockecs.wire.params import B, F, I, Repeat, S
from mockecs.world import images, instance_types, launch, regions, resources, stock
from mockecs.world.disks import instance_disks

# -- DescribeResourcesModification -------------------------------------------------------------------------------
DESTINATIONS = ("InstanceType", "SystemDisk")
# (value lists per charge type, documented; "Upgrade" is a pay-as-you-go instance's only one: any other type)
OPERATIONS = {"PrePaid": ("Upgrade", "Downgrade", "RenewDowngrade", "RenewModify"), "PostPaid": ("Upgrade",)}
BAD_DESTINATION = error_kind("Invalid.DestinationResource", "The specified DestinationResource is not valid.", 404)
BAD_OPERATION = error_kind("Invalid.OperationType", "The specified OperationType is not valid.", 404)
RESOURCE_NOT_FOUND = error_kind("InvalidResourceId.NotFound", "The specified ResourceId is not found in our records.",
                                404)
BAD_CONDITION = error_kind("InvalidCondition.Malformed", "The specified Condition is not valid.", 400)
CORES_WITHOUT_TYPES = error_kind("InvalidParam.Cores", "The specified parameter 'Cores' should be empty.", 403)
MEMORY_WITHOUT_TYPES = error_kind("InvalidParam.Memory", "The specified parameter 'Memory' should be empty.", 403)
# (the documented code and message, which names DestinationResource, for a missing InstanceType [GUESS])
TYPE_NEEDED = error_kind("Invalid.Param", "The input parameter DestinationResource that is mandatory for processing "
                         "this request is not supplied.", 400)
NOT_OFFERED = error_kind("OperationDenied", "The specified operation is denied as this instanceType is not support.",
                         404)
CONDITIONS = ("DiskCategory",)


def changes_to(ctx: Context, instance: Mapping[str, Any], operation_type: str,
               itype: Mapping[str, Any]) -> bool:
    """Whether ``instance`` may change to type ``itype`` by ``operation_type``: another type its image runs on; a
    subscription's Upgrade takes no fewer vCPUs and no less memory, a Downgrade (also at renewal) the others, as
    ModifyPrepayInstanceSpec tells them apart; RenewModify and a pay-as-you-go instance take either."""
    if itype["InstanceTypeId"] == instance["InstanceType"]:
        return False
    image = images.get_any(ctx, instance.get("ImageId"))
    if image is not None and not launch.arch_supports(image, itype):
        return False
    if instance.get("InstanceChargeType") != "PrePaid" or operation_type == "RenewModify":
        return True
    fields = type_fields(itype)
    upgrade = fields["Cpu"] >= instance["Cpu"] and fields["Memory"] >= instance["Memory"]
    return upgrade == (operation_type == "Upgrade")


@operation("DescribeResourcesModification", S("ResourceId", required=True), S("DestinationResource", required=True),
           S("OperationType", default="Upgrade"), S("InstanceType"), I("Cores"), F("Memory"),
           B("MigrateAcrossZone", default=False), S("ZoneId"), Repeat("Conditions", max_items=10), mapping=True,
           region_error=("InvalidRegionId.NotFound", 404, "The RegionId provided does not exist in our records."))
def describe_resources_modification(ctx: Context, a: dict) -> dict:
    """Per zone (the instance's; with MigrateAcrossZone every zone of the region [GUESS: the service's "across
    clusters" is across zones here]; ZoneId narrows them), what the instance can change to there, SoldOut where a
    test ran its stock out (:mod:`mockecs.world.stock`). DestinationResource SystemDisk: the cloud disk categories
    (and their sizes) an instance of the InstanceType asked for takes, where that type is sold."""
    if a["destination_resource"] not in DESTINATIONS:
        raise BAD_DESTINATION
    if a["destination_resource"] != "InstanceType":  # (Cores and Memory only narrow types)
        if a["cores"] is not None:
            raise CORES_WITHOUT_TYPES
        if a["memory"] is not None:
            raise MEMORY_WITHOUT_TYPES
        if not a["instance_type"]:
            raise TYPE_NEEDED
    if a["instance_type"] and (a["cores"] is not None or a["memory"] is not None):
        raise TYPE_AND_SIZE
    if any(c not in CONDITIONS for c in a["conditions"] or ()):
        raise BAD_CONDITION
    instance = resources.get(ctx, "instance", a["resource_id"])
    if not resources.is_mine(ctx, instance):
        raise RESOURCE_NOT_FOUND
    charge = instance.get("InstanceChargeType") or "PostPaid"
    if a["operation_type"] not in OPERATIONS[charge]:
        raise BAD_OPERATION
    wanted = instance_types.instance_type(a["instance_type"]) if a["instance_type"] else None
    if a["instance_type"] and wanted is None:
        raise NOT_OFFERED
    zones = regions.zone_ids(ctx.region) if a["migrate_across_zone"] else [instance["ZoneId"]]
    zones = [z for z in zones if not a["zone_id"] or z == a["zone_id"]]
    shortages = stock.shortages(ctx, zones)
    # The instance's disks must be of categories a type sells (ModifyInstanceSpec's rule), unless Conditions asks
    # for the types it may change to once its disks change category (documented: DiskCategory) [GUESS: that reading]
    disks = set() if a["destination_resource"] != "InstanceType" or "DiskCategory" in (a["conditions"] or ()) else \
        {(d["Category"], d["Type"]) for d in instance_disks(ctx, instance["InstanceId"])}
    out = []
    for zone_id in zones:
        offered = _offered(ctx, a, instance, wanted, zone_id, shortages.get(zone_id, {}), disks)
        if offered:
            out.append({"ZoneId": zone_id, "RegionId": ctx.region, **zone_status(offered),
                        "AvailableResources": {"AvailableResource": [
                            {"Type": a["destination_resource"],
                             "SupportedResources": {"SupportedResource": offered}}]}})
    return {"AvailableZones": {"AvailableZone": out}}


def _offered(ctx: Context, a: dict, instance: Mapping[str, Any], wanted: Optional[Mapping[str, Any]],
             zone_id: str, short: Mapping[str, Any], disks: set[tuple[str, str]]) -> list[dict]:
    if a["destination_resource"] == "SystemDisk":
        if wanted is None or not instance_types.sells(wanted, zone_id):
            return []
        return [supported(c, launch.MIN_SYSTEM_DISK, launch.MAX_SYSTEM_DISK, stock.disk_stock(short, c))
                for c in DISK_CATEGORIES if launch.sells_disk(ctx, wanted, c, "system")]
    found = []
    for type_id in instance_types.types_in_zone(zone_id):
        itype = instance_types.instance_type(type_id) or {}
        if (wanted is None or itype is wanted) and (a["cores"] is None or itype["CpuCoreCount"] == a["cores"]) and \
                (a["memory"] is None or float(itype["MemorySize"]) == float(a["memory"])) and \
                all(launch.sells_disk(ctx, itype, category, kind) for category, kind in disks) and \
                changes_to(ctx, instance, a["operation_type"], itype):
            found.append(supported(type_id, sold_out=stock.type_stock(short, type_id)))
    return found


# -- DescribeBandwidthLimitation ---------------------------------------------------------------------------------
BANDWIDTH_MOST = 100  # Mbit/s: what RunInstances and ModifyInstanceNetworkSpec take (InternetMaxBandwidthOut)
BAD_CHARGE = error_kind("Invalid.InstanceChargeType", "The specified InstanceChargeType is not valid.", 400)
BAD_SPOT = error_kind("Invalid.SpotStrategy", "The specified SpotStrategy is not valid.", 404)
BAD_BANDWIDTH_OPERATION = error_kind("Invalid.OperationType", "The specified OperationType is not valid.", 404)
BAD_TYPE = error_kind("InvalidInstanceType.ValueNotSupported", "The specified InstanceType beyond the permitted range.",
                      400)
NO_INSTANCE = error_kind("InvalidInstanceId.NotFound", "The specified ecs instance not found.", 400)
# (the documented code and message, which names DestinationResource, for a missing ResourceId [GUESS])
RESOURCE_NEEDED = error_kind("InvalidParam", "The input parameter DestinationResource that is mandatory for "
                             "processing this request is not supplied.", 400)


@operation("DescribeBandwidthLimitation", S("InstanceType", required=True), S("InstanceChargeType", default="PostPaid"),
           S("SpotStrategy", default="NoSpot"), S("ResourceId"), S("OperationType", default="Create"))
def describe_bandwidth_limitation(ctx: Context, instance_type: str, instance_charge_type: str, spot_strategy: str,
                                  resource_id: Optional[str], operation_type: str) -> dict:
    """Each billing method of public bandwidth from 0 to 100 Mbit/s at a launch [GUESS: the one range mockecs
    takes for every type]; an Upgrade of an instance from its present bandwidth up, a Downgrade from 0 up to it."""
    if instance_charge_type not in ("PrePaid", "PostPaid"):
        raise BAD_CHARGE
    if spot_strategy not in ("NoSpot", "SpotWithPriceLimit", "SpotAsPriceGo"):
        raise BAD_SPOT
    if operation_type not in ("Upgrade", "Downgrade", "Create"):
        raise BAD_BANDWIDTH_OPERATION
    if instance_types.instance_type(instance_type) is None:
        raise BAD_TYPE
    low, high = 0, BANDWIDTH_MOST
    if operation_type != "Create":
        if not resource_id:
            raise RESOURCE_NEEDED
        instance = resources.get(ctx, "instance", resource_id)
        if not resources.is_mine(ctx, instance):
            raise NO_INSTANCE
        now = int(instance.get("InternetMaxBandwidthOut") or 0)
        low, high = (now, BANDWIDTH_MOST) if operation_type == "Upgrade" else (0, now)
    return {"Bandwidths": {"Bandwidth": [{"InternetChargeType": charge, "Min": low, "Max": high, "Unit": "Mbps"}
                                         for charge in ("PayByBandwidth", "PayByTraffic")]}}


# -- DescribeLimitation (deprecated) ----------------------------------------------------------------------------
NO_LIMITATION = error_kind("InvalidLimitation.NotFound", "The specified Limitation is not valid.", 404)


@operation("DescribeLimitation", S("Limitation", required=True), region="optional")
def describe_limitation(ctx: Context, limitation: str) -> dict:
    """One of DescribeAccountAttributes' attributes in the request's region (the endpoint's when none is sent), its
    values joined by commas [GUESS: the metadata has no example; the attribute names are the documented ones]."""
    values = ATTRIBUTES.get(limitation)
    if values is None:
        raise NO_LIMITATION
    return {"Limitation": limitation, "Value": ",".join(dict.fromkeys(item["Value"] for item in values(ctx, None)))}
