"""The package's import graph: acyclic (imports inside functions and under TYPE_CHECKING
included), and the layers point one way."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "python" / "amtune"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}
# compiled modules, known by their stubs (amtune._core): nodes without Python imports
STUBS = {_module_name(p) for p in ROOT.rglob("*.pyi")} - set(MODULES)


def _resolve(name: str) -> str | None:
    """The package module that ``import name`` loads last (a name inside a module: the module)."""
    while name and name not in MODULES and name not in STUBS:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(module: str) -> set[str]:
    """Every amtune module that ``module`` imports anywhere in its source."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(), str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                prefix = f"{base}.{node.module}" if node.module else base
            else:
                prefix = node.module or ""
            # `from pkg import sub` imports the submodule pkg.sub when there is one, else a name
            # defined in pkg
            names = [
                f"{prefix}.{a.name}"
                if f"{prefix}.{a.name}" in MODULES or f"{prefix}.{a.name}" in STUBS
                else prefix
                for a in node.names
            ]
        else:
            continue
        for n in names:
            if n == "amtune" or n.startswith("amtune."):
                target = _resolve(n)
                if target is not None and target != module:
                    out.add(target)
    return out


GRAPH = {m: imports_of(m) for m in MODULES} | {m: set() for m in STUBS}


def _cycle() -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the stack, 2: done
    stack: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        stack.append(m)
        for n in sorted(GRAPH[m]):
            if n == "amtune":  # the facade imports the package's public names; nothing imports it
                continue
            if state.get(n) == 1:
                return [*stack[stack.index(n) :], n]
            if n not in state:
                found = visit(n)
                if found:
                    return found
        stack.pop()
        state[m] = 2
        return None

    for m in sorted(GRAPH):
        if m not in state:
            found = visit(m)
            if found:
                return found
    return None


def test_the_import_graph_is_acyclic() -> None:
    assert _cycle() is None, " -> ".join(_cycle() or [])


def test_no_module_imports_the_facade() -> None:
    # `import amtune` from inside the package would tie every module to every other
    offenders = sorted(m for m, deps in GRAPH.items() if "amtune" in deps and m != "amtune")
    assert offenders == []


def _reachable(module: str) -> set[str]:
    seen: set[str] = set()
    todo = [module]
    while todo:
        m = todo.pop()
        for n in GRAPH[m]:
            if n not in seen:
                seen.add(n)
                todo.append(n)
    return seen


LOWER = [m for m in MODULES if m.startswith(("amtune.space", "amtune.strategies"))] + [
    "amtune.optimizer"
]
UPPER = (
    "amtune.tuning",
    "amtune.rules",
    "amtune.runners",
    "amtune.store",
    "amtune.cli",
    "amtune.config",
)


@pytest.mark.parametrize("module", sorted(LOWER))
def test_the_search_layer_stands_alone(module: str) -> None:
    # space/, strategies/ and optimizer.py import nothing of the tuning layer, rules, runners,
    # store, configuration or CLI (ask/tell and the strategies work on their own)
    bad = sorted(m for m in _reachable(module) if m.startswith(UPPER))
    assert bad == []


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m.startswith("amtune.tuning")))
def test_the_tuning_layer_knows_no_command_line(module: str) -> None:
    bad = sorted(m for m in _reachable(module) if m.startswith(("amtune.cli", "amtune.demo")))
    assert bad == []


def test_the_graph_sees_function_level_imports() -> None:
    # the checker itself: an import inside a function counts
    assert "amtune.tuning.tuner" in GRAPH["amtune.cli"]


def _private_reaches(module: str) -> list[str]:
    """``obj._name`` reads of another object's private attribute, and imports of private names
    from other modules. Attributes the module itself defines on ``self`` (the same class's
    objects, e.g. a classmethod filling a new instance) and compiled-module handles are fine."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(), str(path))
    own = {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in ("self", "cls")
    }
    own |= {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    out = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
            and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls", "sys"))
            and node.attr not in own
        ):
            out.append(f"{path.name}:{node.lineno}: .{node.attr}")
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("amtune"):
            for a in node.names:
                if a.name.startswith("_") and a.name != "_core":
                    out.append(f"{path.name}:{node.lineno}: import {a.name}")
    return out


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_reaches_into_another_s_private_attributes(module: str) -> None:
    assert _private_reaches(module) == []
