"""State: the store interface and the memory store, hook specs, the plugin manager, accounts and keys.
Imports only ``mockecs.wire`` (errors)."""
