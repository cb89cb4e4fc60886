"""The package shows the request corridor: imports go downward only, and no module takes part in an import loop.

Every ``import`` of a mockecs module counts, wherever it stands (module level, in a function, under
``TYPE_CHECKING``): an import inside a function must not dodge a loop or a layer.
"""
from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import mockecs

ROOT = Path(mockecs.__file__).parent
# room -> the rooms it may import (besides itself). The corridor: modes -> engine -> ops -> world -> state -> wire.
ALLOWED = {
    "modes": {"engine", "ops", "world", "state", "wire"},
    "engine": {"ops", "world", "state", "wire"},
    "ops": {"world", "state", "wire"},
    "world": {"state", "wire"},
    "state": {"wire"},
    "wire": set(),
    "": {"modes", "engine", "ops", "world", "state", "wire"},  # mockecs/__init__.py, __main__.py: the public face
}


def modules() -> dict[str, Path]:
    found = {"mockecs": ROOT / "__init__.py"}
    for info in pkgutil.walk_packages([str(ROOT)], "mockecs."):
        spec = importlib.util.find_spec(info.name)
        found[info.name] = Path(spec.origin)
    return found


def room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in ALLOWED) else ""


def imports_of(module: str, path: Path, known: set[str]) -> set[str]:
    """The mockecs modules ``module`` imports (``from mockecs.world import images`` names mockecs.world.images)."""
    tree = ast.parse(path.read_text("utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        else:
            continue
        out.update(n for n in names if n == "mockecs" or n.startswith("mockecs."))
    out.discard(module)
    return {n for n in out if n in known}


GRAPH = {m: imports_of(m, p, set(modules())) for m, p in modules().items()}


def test_every_module_imports():
    for module in GRAPH:
        if module != "mockecs.__main__":  # runs the CLI
            importlib.import_module(module)


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_imports_go_downward(module):
    mine = room(module)
    upward = sorted(n for n in GRAPH[module]
                    if room(n) != mine and room(n) not in ALLOWED[mine] and n != "mockecs")
    assert not upward, f"{module} ({mine or 'top'}) imports a higher layer: {upward}"


def test_no_import_loops():
    # Package __init__ modules that only re-export are skipped as edges into their own children.
    def deps(m: str) -> set[str]:
        return {n for n in GRAPH[m] if not (m.startswith(n + ".") and GRAPH.get(n) is not None)}

    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for n in sorted(deps(m)):
            if state.get(n) == 1:
                loop = stack[stack.index(n):] + [n]
                pytest.fail("import loop: " + " -> ".join(loop))
            if n not in state:
                visit(n)
        stack.pop()
        state[m] = 2

    for m in sorted(GRAPH):
        if m not in state:
            visit(m)


def test_each_room_says_what_it_is_for():
    for name in ALLOWED:
        if name:
            doc = importlib.import_module(f"mockecs.{name}").__doc__
            assert doc and "import" in doc.lower(), f"mockecs/{name}/__init__.py must say what it may import"


def test_the_check_sees_an_upward_import(tmp_path):
    # The checker itself: a world module importing the engine is caught.
    path = tmp_path / "bad.py"
    path.write_text("def f():\n    from mockecs.engine.core import Engine\n")
    found = imports_of("mockecs.world.bad", path, set(GRAPH))
    assert "mockecs.engine.core" in found and room("mockecs.engine.core") not in ALLOWED["world"]
