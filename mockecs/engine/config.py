"""``Config``: the engine's settings, checked when they are given (see :mod:`mockecs.world.settings`).

``Config(region="cn-shanghai", options={"image_quota": 10})``. Defaults come from the declarations, then from
``MOCKECS_<NAME>`` environment variables, then from the arguments. An unknown name or a bad value raises
:class:`~mockecs.world.settings.SettingError` (a ``ValueError``) at once, naming the setting and what it
accepts; so does a later assignment (``config.transitions = "slow"``, ``config.options["image_qouta"] = 1``).
"""
from __future__ import annotations

import itertools
import os
import sys
import warnings
from typing import Any, Mapping, Optional

from mockecs.world import settings as declared
from mockecs.world.settings import OPTIONS, SETTINGS, SettingError

__all__ = ["Config", "Options", "SettingError"]

# ``Options.stamp``: a new value on every change of a setting or an option, never the same twice in the
# process (another Config's options included), so the engine can tell that answers it kept may differ now.
_STAMPS = itertools.count(1)


class Options(dict):
    """Behaviour options: every declared one present with its default; values are checked as they are set."""

    stamp: int  # changes with every change of these options or of their Config's settings

    def __init__(self, values: Optional[Mapping[str, Any]] = None) -> None:
        super().__init__((s.name, s.default) for s in OPTIONS)
        self.stamp = next(_STAMPS)
        if values:
            self.update(values)

    def __setitem__(self, name: str, value: Any) -> None:
        super().__setitem__(name, declared.check_options({name: value})[name])
        self.stamp = next(_STAMPS)

    def update(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        super().update(declared.check_options(dict(*args, **kwargs)))
        self.stamp = next(_STAMPS)

    def setdefault(self, name: str, value: Any = None) -> Any:
        if name not in self:
            self[name] = value
        return self[name]

    def changed(self) -> dict[str, Any]:
        """The options that differ from their defaults."""
        return {s.name: self[s.name] for s in OPTIONS if self[s.name] != s.default}

    def __reduce__(self) -> Any:  # copy/deepcopy/pickle rebuild through the checks
        return (Options, (dict(self),))


class Config:
    """Engine settings; each is declared once in :mod:`mockecs.world.settings` with its type and default."""

    region: str
    store: str
    transitions: str
    strict_signatures: bool
    catalog: bool
    catalog_files: tuple
    record_calls: bool
    max_calls: int
    max_call_bytes: int
    seed: Optional[int]
    options: Options

    def __init__(self, *, environ: Optional[Mapping[str, str]] = None, **given: Any) -> None:
        for setting in SETTINGS:
            object.__setattr__(self, setting.name, setting.default)
        object.__setattr__(self, "options", Options())
        self.apply(declared.from_environment() if environ is None else declared.from_environment(environ))
        self.apply(given)

    def apply(self, values: Mapping[str, Any], where: str = "") -> Config:
        """Set several settings (``options`` merges); checks all of them before changing any."""
        checked: dict[str, Any] = {}
        for name, value in values.items():
            if name == "options":
                checked["options"] = declared.check_options(value, f"{where}options")
                continue
            setting = declared.find(_alias(name), where)
            checked[setting.name] = declared.check(setting, value, f"{where}{setting.name}: ")
        for name, value in checked.items():
            if name == "options":
                dict.update(self.options, value)
            else:
                object.__setattr__(self, name, value)
        self.options.stamp = next(_STAMPS)
        return self

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "options":
            object.__setattr__(self, "options", Options(value))
            return
        setting = declared.find(_alias(name))
        object.__setattr__(self, setting.name, declared.check(setting, value))
        self.options.stamp = next(_STAMPS)

    @property
    def default_region(self) -> str:
        """Deprecated spelling of :attr:`region`."""
        _warn_alias("default_region")
        return self.region

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {s.name: getattr(self, s.name) for s in SETTINGS}
        out["catalog_files"] = [str(p) for p in self.catalog_files]
        out["options"] = dict(self.options)
        return out

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Config) and self.to_dict() == other.to_dict()

    def __repr__(self) -> str:
        changed = {s.name: getattr(self, s.name) for s in SETTINGS if getattr(self, s.name) != s.default}
        if self.options.changed():
            changed["options"] = self.options.changed()
        return "Config(" + ", ".join(f"{k}={v!r}" for k, v in changed.items()) + ")"

    def __reduce__(self) -> Any:
        state = {s.name: getattr(self, s.name) for s in SETTINGS}
        return (_rebuild, (state, dict(self.options)))


def _rebuild(state: dict, options: dict) -> Config:
    return Config(environ={}, **state, options=options)


def _alias(name: str) -> str:
    if name in declared.ALIASES:
        _warn_alias(name)
        return declared.ALIASES[name]
    return name


def _warn_alias(name: str) -> None:
    warnings.warn(f"mockecs: the setting {name!r} is now called {declared.ALIASES[name]!r}", DeprecationWarning,
                  stacklevel=_callers_level())


def _callers_level() -> int:
    """The stack level of the first frame outside mockecs, so the warning points at the user's line."""
    frame, level = sys._getframe(2), 2
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame, level = frame.f_back, level + 1
    return level


_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

