"""Operation handlers, one module per area of the API, declared in ``registry``. Importing the package registers
the modules below at once; the others (``LAZY_MODULES``) are imported on their first action's first call
(``registry.load``), which keeps ``import mockecs`` within its budget as the API grows. Only modules whose import
changes nothing but the registries may be lazy: ``tests/test_lazy_ops.py`` checks it, and the action index.
Imports world, state and wire; never the engine or a mode."""
# The world modules that declare kinds (index terms, sort keys, hooks) and that only lazy modules import: every kind
# is declared before any record is written, imported or reindexed, as when every module loaded at once. (Imported by
# their full names: ``from mockecs.world import tasks`` would shadow the lazy ``mockecs.ops.tasks`` until it loads.)
import mockecs.world.auto_provisioning  # noqa: F401
import mockecs.world.bandwidth_packages  # noqa: F401
import mockecs.world.cloud_assistant  # noqa: F401
import mockecs.world.diagnostics  # noqa: F401
import mockecs.world.disk_events  # noqa: F401
import mockecs.world.image_builder  # noqa: F401
import mockecs.world.interface_permissions  # noqa: F401
import mockecs.world.managed_instances  # noqa: F401
import mockecs.world.nat_gateways  # noqa: F401
import mockecs.world.prefix_lists  # noqa: F401
import mockecs.world.reserved_instances  # noqa: F401
import mockecs.world.security_groups  # noqa: F401
import mockecs.world.snapshot_packages  # noqa: F401
import mockecs.world.tasks  # noqa: F401
import mockecs.world.vpc_kinds  # noqa: F401
from mockecs.ops import images, instances, regions, snapshots  # noqa: F401  (what most first calls need)
from mockecs.ops.lazy_index import ACTIONS
from mockecs.ops.registry import LAZY

# Loaded on first use (their actions: lazy_index.ACTIONS, which tests/test_lazy_ops.py keeps in step).
LAZY_MODULES = (
    "account_attributes",
    "addresses",
    "auto_provisioning",
    "builder",
    "charge_types",
    "cloud_assistant",
    "commands",
    "dedicated_hosts",
    "demands",
    "deployment_sets",
    "diagnostics",
    "disk_encryption",
    "disks",
    "express_connect",
    "havips",
    "hpc_clusters",
    "instance_attribute",
    "instance_debug",
    "instance_network",
    "instance_redeploy",
    "instance_settings",
    "instance_types",
    "invocation_attribute",
    "keypairs",
    "launch_templates",
    "legacy_nat",
    "legacy_network",
    "managed_instances",
    "monitoring",
    "network_interface_permissions",
    "network_interfaces",
    "networks",
    "prefix_lists",
    "prices",
    "private_pools",
    "renewals",
    "reserved_instances",
    "resource_limits",
    "security_groups",
    "sharing",
    "snapshot_groups",
    "snapshot_policies",
    "snapshot_usage",
    "spot",
    "storage_capacity_units",
    "storage_sets",
    "system_events",
    "tags",
    "tasks",
    "vpc_acls",
    "vpc_addresses",
    "vpc_dhcp",
    "vpc_flow_logs",
    "vpc_havips",
    "vpc_ipv6",
    "vpc_nat",
    "vpc_networks",
    "vpc_routes",
)
for _version, _actions in ACTIONS.items():
    LAZY[_version].update(_actions)
