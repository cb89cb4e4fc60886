"""Operation handlers, one module per area of the API. Importing this package registers them all."""
from mockecs.ops import (  # noqa: F401
    builder,
    images,
    instances,
    prices,
    regions,
    sharing,
    snapshots,
    tags,
    tasks,
)
