"""Operation handlers, one module per area of the API. Importing this package registers them all."""
from mockecs.ops import regions  # noqa: F401
