"""The engine: the one ``Engine.handle`` every mode calls (gateway checks, accounts, faults, transactions),
its validated ``Config``, the action list. Imports ops, world, state, wire; never a mode."""
from mockecs.engine.core import Config, Engine

__all__ = ["Config", "Engine"]
