"""Operation handlers, one module per area of the API, declared in ``registry``; importing the package registers
them all. Imports world, state and wire; never the engine or a mode."""
from mockecs.ops import (  # noqa: F401
    addresses,
    builder,
    charge_types,
    commands,
    disks,
    images,
    instance_attribute,
    instance_settings,
    instance_types,
    instances,
    keypairs,
    network_interfaces,
    networks,
    prices,
    regions,
    security_groups,
    sharing,
    snapshots,
    tags,
    tasks,
)
