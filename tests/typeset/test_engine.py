"""WeasyPrint imported without the library search (typeset/engine.py), the same libraries opened."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
REPO_MODULES = ["leafletgen.typeset.pdf", "leafletgen.typeset.measure", "leafletgen.checks.accessibility",
                "leafletgen.prove.visibility", "leafletgen.run.warm"]

# Counts ctypes.util.find_library's lookups of WeasyPrint's libraries while `module` is imported,
# and names the files the process has mapped for them afterwards.
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
libraries = ("gobject", "pango-", "harfbuzz", "fontconfig", "pangoft2")
mapped = sorted({line.split()[-1].rsplit("/", 1)[-1] for line in open("/proc/self/maps")
                 if any(name in line for name in libraries) and ".so" in line})
print(json.dumps({"asked": [n for n in asked if any(l.strip("-") in n for l in libraries)],
                  "mapped": mapped, "restored": ctypes.util.find_library is counting}))
"""


def run(code: str, *args: str) -> subprocess.CompletedProcess:
    """`code` in a new interpreter that imports this checkout's leafletgen."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True,
                          cwd=REPO, env=env)


def probe(module: str, mode: str = "quick") -> dict:
    done = run(PROBE, module, mode)
    return json.loads(done.stdout.splitlines()[-1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the shortcut is Linux's")
@pytest.mark.parametrize("module", REPO_MODULES)
def test_no_library_search_whichever_module_imports_weasyprint_first(module):
    found = probe(module)
    assert found["asked"] == [], found
    assert found["restored"]
    assert any(name.startswith("libpango-1.0.so") for name in found["mapped"]), found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the shortcut is Linux's")
def test_the_same_libraries_as_the_search_opens():
    mapped = ("; import json; print(json.dumps(sorted({line.split()[-1] for line in open('/proc/self/maps') "
              "if any(name in line for name in ('gobject', 'pango', 'harfbuzz', 'fontconfig'))})))")
    searched = run("import weasyprint" + mapped)
    quick = run("import leafletgen.typeset.engine" + mapped)
    assert json.loads(quick.stdout) == json.loads(searched.stdout)
    assert any("libharfbuzz" in path for path in json.loads(quick.stdout))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the shortcut is Linux's")
def test_a_failed_quick_import_is_made_again_with_the_search():
    found = probe("leafletgen.typeset.pdf", "fail-first")
    assert found["asked"], "the second import searches as WeasyPrint does by itself"
    assert found["restored"]
    assert any(name.startswith("libpango-1.0.so") for name in found["mapped"]), found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the shortcut is Linux's")
def test_each_name_weasyprint_asks_for_is_answered_as_the_whole_search_answers():
    """The shortcut is the search's first step (the loader's cache): on this machine it gives the
    whole search's answer for every name WeasyPrint tries, found or not."""
    done = run("""
import ctypes.util, json
asked, search = [], ctypes.util.find_library
ctypes.util.find_library = lambda name: asked.append(name) or search(name)
import weasyprint
ctypes.util.find_library = search
from leafletgen.typeset import engine
print(json.dumps([[name, search(name), engine._in_loader_cache(name)] for name in asked]))
""")
    answers = json.loads(done.stdout.splitlines()[-1])
    assert len(answers) >= 7
    assert any(whole for _, whole, _ in answers)
    assert [(name, whole) for name, whole, _ in answers] == [(name, first) for name, _, first in answers]
