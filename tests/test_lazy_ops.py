"""Operation modules loaded on first use (``mockecs.ops.LAZY_MODULES``): their action index is exact, and loading
them changes nothing but the operation registries (so the store's index terms, sort keys, hooks and kinds are
all declared before any of their actions runs, as when every module loaded at once): no module-level container
of a module loaded before changes, and no module-level name of one is bound anew."""
from __future__ import annotations

import json
import subprocess
import sys

# Run in a fresh interpreter: this one has loaded every module already.
_PROBE = r"""
import importlib, json, sys
import mockecs.engine.core  # noqa: F401
from mockecs import ops
from mockecs.ops import registry

def containers():
    out = {}
    skip = [registry.REGISTRY, registry.REGISTRIES, registry.LAZY, *registry.REGISTRIES.values(),
            *registry.LAZY.values()]
    for name, module in list(sys.modules.items()):
        if not name.startswith("mockecs") or module is None:
            continue
        for attr, value in list(vars(module).items()):
            if isinstance(value, (dict, list, set)) and not attr.startswith("__") and not any(value is s for s in skip):
                try:
                    keys = sorted(map(repr, value.keys() if isinstance(value, dict) else value))
                except Exception:
                    keys = len(value)
                out[f"{name}.{attr}"] = repr(keys)
    return out

def bindings():
    # Every module-level name of the modules loaded so far, by identity: a hook set as ``other.HOOK = f`` (or a
    # tuple extended, a setting replaced) is a declaration too.
    return {f"{name}.{attr}": id(value) for name, module in list(sys.modules.items())
            if name.startswith("mockecs") and module is not None for attr, value in list(vars(module).items())}

loaded_before = {v: sorted(ops_) for v, ops_ in registry.REGISTRIES.items()}
before, bound = containers(), bindings()
actions = {}
for module in ops.LAZY_MODULES:
    had = {v: set(ops_) for v, ops_ in registry.REGISTRIES.items()}
    importlib.import_module(f"mockecs.ops.{module}")
    for v, ops_ in registry.REGISTRIES.items():
        for action in sorted(set(ops_) - had[v]):
            actions.setdefault(v, {})[action] = f"mockecs.ops.{module}"
after, rebound = containers(), bindings()
print(json.dumps({"changed": sorted(k for k in before if after.get(k) != before[k]), "actions": actions,
                  "rebound": sorted(k for k in bound if rebound.get(k) != bound[k]),
                  "index": registry.LAZY, "loaded_before": loaded_before}))
"""


def probe() -> dict:
    out = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def test_loading_the_lazy_modules_changes_nothing_but_the_registries():
    found = probe()
    assert found["changed"] == []
    assert found["rebound"] == []


def test_the_lazy_index_names_each_lazy_action_and_its_module():
    found = probe()
    assert found["actions"], "no lazy module declares an action: the probe sees nothing"
    assert found["index"] == {v: found["actions"].get(v, {}) for v in found["index"]}, \
        "mockecs/ops/lazy_index.py is out of step: run `python -m tests.test_lazy_ops`"


def test_a_lazy_action_answers_on_its_first_call_in_a_fresh_interpreter():
    code = ("import mockecs.engine.core\nfrom mockecs.ops import registry\nfrom mockecs.modes.mock import MockECS\n"
            "from mockecs.modes.clients import client\nfrom alibabacloud_ecs20140526 import models\n"
            "assert 'DescribeDedicatedHostTypes' not in registry.REGISTRY\n"
            "with MockECS():\n"
            "    body = client('ak', 'sk').describe_dedicated_host_types(models.DescribeDedicatedHostTypesRequest(\n"
            "        region_id='cn-hangzhou')).body\n"
            "print(len(body.dedicated_host_types.dedicated_host_type))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert int(out) > 0


def test_every_lazy_action_answers_its_first_call_in_a_fresh_interpreter():
    # Each module loads on its first action's call (in the index's order): none answers a 500 (an import loop that
    # loading every module at once hid, a kind whose declarations came only with another module ...).
    code = r"""
import json
from urllib.parse import urlencode
import mockecs.engine.core
from mockecs.engine.core import Engine
from mockecs.ops import registry
from mockecs.wire.apis import ECS, VPC
from mockecs.wire.protocol import HttpRequest
engine, failed, loaded = Engine(), [], 0
for api in (ECS, VPC):
    for action in sorted(registry.LAZY[api.version]):
        loaded += action not in registry.REGISTRIES[api.version]  # (a first call: its module loads)
        query = {"Action": action, "Version": api.version, "Format": "JSON", "RegionId": "cn-hangzhou"}
        resp = engine.handle(HttpRequest("POST", f"https://{api.product}.aliyuncs.com/",
                                         {"content-type": "application/x-www-form-urlencoded"},
                                         urlencode(query).encode()))
        if resp.status >= 500 or json.loads(resp.body).get("Code") in ("InvalidAction.NotFound",
                                                                       "InvalidAction.NotImplemented"):
            failed.append((action, resp.status, resp.body[:200].decode()))
print(json.dumps({"failed": failed, "loaded": loaded}))
"""
    out = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    assert out["loaded"] > 20, "the lazy modules were loaded already: the check sees no first call"
    assert out["failed"] == []


if __name__ == "__main__":  # writes mockecs/ops/lazy_index.py from the modules
    from pathlib import Path

    import mockecs.ops

    actions = probe()["actions"]
    path = Path(mockecs.ops.__file__).with_name("lazy_index.py")
    head = path.read_text().split("ACTIONS")[0]
    lines = [f"    {version!r}: {{\n" + "".join(f"        {a!r}: {m!r},\n" for a, m in sorted(acts.items()))
             + "    },\n" for version, acts in sorted(actions.items())]
    path.write_text(head + "ACTIONS: dict[str, dict[str, str]] = {\n" + "".join(lines) + "}\n")
