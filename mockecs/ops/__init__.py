"""Operation handlers, one module per area of the API, declared in ``registry``. Importing the package registers
the modules below at once; the others (``LAZY_MODULES``) are imported on their first action's first call
(``registry.load``), which keeps ``import mockecs`` within its budget as the API grows. Only modules whose import
changes nothing but the registries may be lazy: ``tests/test_lazy_ops.py`` checks it, and the action index.
Imports world, state and wire; never the engine or a mode."""
from mockecs.ops import (  # noqa: F401
    account_attributes,
    addresses,
    auto_provisioning,
    builder,
    charge_types,
    cloud_assistant,
    commands,
    demands,
    diagnostics,
    express_connect,
    images,
    instance_network,
    instance_settings,
    instance_types,
    instances,
    keypairs,
    legacy_nat,
    network_interface_permissions,
    private_pools,
    regions,
    reserved_instances,
    security_groups,
    snapshot_groups,
    snapshot_policies,
    snapshot_usage,
    snapshots,
    storage_capacity_units,
    tags,
    tasks,
    vpc_acls,
    vpc_flow_logs,
    vpc_networks,
)
from mockecs.ops.lazy_index import ACTIONS
from mockecs.ops.registry import LAZY

# Loaded on first use (their actions: lazy_index.ACTIONS, which tests/test_lazy_ops.py keeps in step).
LAZY_MODULES = (
    "dedicated_hosts",
    "deployment_sets",
    "disk_encryption",
    "disks",
    "havips",
    "hpc_clusters",
    "instance_attribute",
    "instance_debug",
    "instance_redeploy",
    "invocation_attribute",
    "launch_templates",
    "legacy_network",
    "managed_instances",
    "monitoring",
    "network_interfaces",
    "networks",
    "prefix_lists",
    "prices",
    "renewals",
    "resource_limits",
    "sharing",
    "spot",
    "storage_sets",
    "system_events",
    "vpc_addresses",
    "vpc_dhcp",
    "vpc_havips",
    "vpc_ipv6",
    "vpc_nat",
    "vpc_routes",
)
for _version, _actions in ACTIONS.items():
    LAZY[_version].update(_actions)
