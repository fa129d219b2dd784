"""The shape of the code a newcomer reads: no function too branched to follow, no import cycle,
no private name used outside its module, and a warning for a module long enough to split.

Cyclomatic complexity (radon) is at most 20 per function. A module over 400 lines is a warning,
not a failure: modules are split by idea, not to stay under a number.
"""

from __future__ import annotations

import ast
import warnings
from pathlib import Path

from radon.complexity import cc_visit

PACKAGE = Path(__file__).resolve().parent.parent / "leafletgen"
MAX_COMPLEXITY = 20
MAX_LINES = 400


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def name(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


def test_no_function_is_more_complex_than_the_limit():
    too_complex = {}
    for path in modules():
        for block in cc_visit(path.read_text(encoding="utf-8")):
            if block.complexity > MAX_COMPLEXITY:
                too_complex[f"{name(path)}:{block.name}"] = block.complexity
    assert not too_complex, f"cyclomatic complexity above {MAX_COMPLEXITY}: {too_complex}"


def test_a_long_module_is_reported():
    for path in modules():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES:
            warnings.warn(f"{name(path)} has {lines} lines: is it more than one idea?", stacklevel=1)


def private_imports() -> list[str]:
    """`from x import _name` anywhere in the package (gettext's `_` aside)."""
    found = []
    for path in modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                found += [f"{name(path)}: {node.module or '.'}.{alias.name}" for alias in node.names
                          if alias.name.startswith("_") and not alias.name.startswith("__")
                          and alias.name != "_"]
    return found


def test_no_private_name_is_imported_from_another_module():
    assert not private_imports(), "private names used outside their module (make them public, " \
                                  f"or move the code that needs them): {private_imports()}"


def import_graph() -> dict[str, set[str]]:
    """Module → the package's modules it imports (relative imports, in functions too: a cycle
    hidden in a function is a cycle all the same)."""
    graph: dict[str, set[str]] = {}
    for path in modules():
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        is_package = path.name == "__init__.py"
        module = ".".join(parts[:-1] if is_package else parts)
        package = module if is_package else module.rpartition(".")[0]
        edges = graph.setdefault(module, set())
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.ImportFrom) and node.level):
                continue
            base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
            if node.module:
                edges.add(f"{base}.{node.module}")
            else:   # from . import pdf
                edges.update(f"{base}.{alias.name}" for alias in node.names)
    return graph


def test_the_package_imports_have_no_cycle():
    """No module imports, through others, itself (`build` and `checks` used to import each
    other). A subpackage's __init__ counts as importing nothing of its own modules' importers."""
    graph = import_graph()
    state: dict[str, str] = {}      # "open" while being visited, "done" after
    cycles: list[list[str]] = []

    def visit(module: str, trail: list[str]) -> None:
        state[module] = "open"
        for target in sorted(graph.get(module, ())):
            if target not in graph or target == module:
                continue
            if state.get(target) == "open":
                cycles.append(trail[trail.index(target):] + [module, target] if target in trail
                              else [module, target])
            elif target not in state:
                visit(target, trail + [module])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [])
    assert not cycles, f"import cycles: {cycles[:3]}"
