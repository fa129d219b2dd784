"""WeasyPrint imported without the library search (typeset/engine.py), the same libraries opened."""

import ast
import json
import sys
from pathlib import Path

import pytest

from ..processes import run_python

PACKAGE = Path(__file__).resolve().parents[2] / "leafletgen"
LINUX = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the shortcut is Linux's")


def weasyprint_imports() -> list[tuple[str, list[ast.stmt], bool]]:
    """Each body (a module's, or a function's) of the package that imports WeasyPrint, engine.py
    aside: (its module, its statements, whether it is the module's own: run as it loads)."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "engine.py" and path.parent.name == "typeset":
            continue
        module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.Module, ast.FunctionDef)) and any(map(_names_weasyprint, node.body)):
                found.append((module, node.body, isinstance(node, ast.Module)))
    return found


def _names_weasyprint(statement: ast.stmt) -> bool:
    if isinstance(statement, ast.Import):
        return any(alias.name.split(".")[0] == "weasyprint" for alias in statement.names)
    return isinstance(statement, ast.ImportFrom) and (statement.module or "").split(".")[0] == "weasyprint"


def _names_engine(statement: ast.stmt) -> bool:
    return isinstance(statement, ast.ImportFrom) and (
        (statement.module or "").endswith("engine") or any(alias.name == "engine" for alias in statement.names))


# The modules that import WeasyPrint as they load, and the template's warm-up (a function).
MODULES = sorted({module for module, _, at_load in weasyprint_imports() if at_load}) + ["leafletgen.run.warm"]

# The file names the process has mapped for WeasyPrint's libraries.
MAPPED = """
mapped = sorted({line.split()[-1].rsplit("/", 1)[-1] for line in open("/proc/self/maps")
                 if any(name in line for name in ("gobject", "pango", "harfbuzz", "fontconfig"))
                 and ".so" in line})
"""

# Counts ctypes.util.find_library's lookups of WeasyPrint's libraries while `module` is imported.
PROBE = r"""
import ctypes.util, importlib, json, sys
module, fail_first = sys.argv[1], sys.argv[2] == "fail-first"
asked, search = [], ctypes.util.find_library
def counting(name):
    asked.append(name)
    return search(name)
ctypes.util.find_library = counting
if fail_first:
    # The first attempt, made with the shortcut, fails as on a machine where only the search finds
    # the libraries; the module must import WeasyPrint the usual way.
    import cffi.api
    load = cffi.api._load_backend_lib
    def failing(backend, name, flags):
        if ctypes.util.find_library is not counting:
            raise OSError("only the search finds " + str(name))
        return load(backend, name, flags)
    cffi.api._load_backend_lib = failing
imported = importlib.import_module(module)
if module.endswith(".warm"):
    imported.warm()     # the template imports WeasyPrint here
assert "weasyprint" in sys.modules, module
import weasyprint.text.ffi as ffi
ffi.pango.pango_version()
""" + MAPPED + r"""
libraries = ("gobject", "pango", "harfbuzz", "fontconfig")
print(json.dumps({"asked": [n for n in asked if any(l in n for l in libraries)],
                  "mapped": mapped, "restored": ctypes.util.find_library is counting}))
"""


def probe(module: str, mode: str = "quick") -> dict:
    return json.loads(run_python(PROBE, module, mode).splitlines()[-1])


def test_every_module_that_imports_weasyprint_imports_the_engine_first():
    """Found in the source, so a new module that forgets it fails here (it would only be slower)."""
    found = weasyprint_imports()
    modules = {module for module, _, _ in found}
    assert {"leafletgen.typeset.pdf", "leafletgen.typeset.measure", "leafletgen.batch.cluster"} <= modules
    for module, body, _ in found:
        first = next(index for index, statement in enumerate(body) if _names_weasyprint(statement))
        assert any(_names_engine(statement) for statement in body[:first]), module


@LINUX
@pytest.mark.parametrize("module", MODULES)
def test_no_library_search_whichever_module_imports_weasyprint_first(module):
    found = probe(module)
    assert found["asked"] == [], found
    assert found["restored"]
    assert any(name.startswith("libpango-1.0.so") for name in found["mapped"]), found


@LINUX
def test_the_same_libraries_as_the_search_opens():
    show = MAPPED + "import json; print(json.dumps(mapped))"
    searched = run_python("import weasyprint" + show)
    quick = run_python("import leafletgen.typeset.engine" + show)
    assert json.loads(quick) == json.loads(searched)
    assert any("libharfbuzz" in path for path in json.loads(quick))


@LINUX
def test_a_failed_quick_import_is_made_again_with_the_search():
    found = probe("leafletgen.typeset.pdf", "fail-first")
    assert found["asked"], "the second import searches as WeasyPrint does by itself"
    assert found["restored"]
    assert any(name.startswith("libpango-1.0.so") for name in found["mapped"]), found


@LINUX
def test_each_name_weasyprint_asks_for_is_answered_as_the_whole_search_answers():
    """The shortcut is the search's first step (the loader's cache): on this machine it gives the
    whole search's answer for every name WeasyPrint tries, found or not."""
    done = run_python("""
import ctypes.util, json
asked, search = [], ctypes.util.find_library
ctypes.util.find_library = lambda name: asked.append(name) or search(name)
import weasyprint
ctypes.util.find_library = search
from leafletgen.typeset import engine
print(json.dumps([[name, search(name), engine._in_loader_cache(name)] for name in asked]))
""")
    answers = json.loads(done.splitlines()[-1])
    assert len(answers) >= 7
    assert any(whole for _, whole, _ in answers)
    assert [(name, whole) for name, whole, _ in answers] == [(name, first) for name, _, first in answers]
