"""Mutation testing (mutmut) of the modules that keep the README's promises, each against the tests
that exercise it; on demand, never in CI.

    python scripts/mutation.py                  every module, the smallest first
    python scripts/mutation.py characters login one or more modules, by the names listed below
    python scripts/mutation.py --list           the modules and their tests
    python scripts/mutation.py --survivors characters   only the last run's survivors, again

Each module runs in its own folder, build/mutation/<name>/ (a fresh one each time), where mutmut
copies the package and the files the tests read into mutants/, mutates that one module, finds which
of the named tests call each function, and runs only those (one process, `-x -p no:randomly`) per
mutant. The summary line per module gives the time taken and the score; each surviving mutant's
name follows, and `cd build/mutation/<name> && mutmut show <mutant>` prints its diff. Run it at
low priority on a shared machine: `nice -n 19 python scripts/mutation.py …`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "build" / "mutation"
# What the tests read besides the package: the project's inputs, the tests themselves, and the
# pytest configuration (pyproject.toml is written anew with mutmut's section, see configure).
ALSO_COPY = ["tests", "leaflets", "practices", "templates", "translations", "generate.py", "README.md"]

# name: (module, the test files that exercise it: fast ones, no browser, no cluster)
MODULES: dict[str, tuple[str, list[str]]] = {
    "access": ("leafletgen/web/access.py",
               ["tests/web/test_login_mutants.py", "tests/web/test_login_required.py"]),
    "document_cache": ("leafletgen/web/document_cache.py", ["tests/web/test_document_cache_mutants.py"]),
    "manifest": ("leafletgen/batch/manifest.py",
                 ["tests/batch/test_manifest_mutants.py"]),
    "characters": ("leafletgen/inputs/characters.py",
                   ["tests/inputs/test_in_word_characters.py", "tests/inputs/test_hostile_characters.py",
                    "tests/inputs/test_hostile_unicode.py", "tests/inputs/test_characters_mutants.py"]),
    "login": ("leafletgen/web/login.py",
              ["tests/web/test_login_mutants.py", "tests/web/test_login_required.py", "tests/web/test_accounts.py"]),
    "review_state": ("leafletgen/translate/review/state.py", ["tests/translate/test_review_state_mutants.py"]),
    "digest": ("leafletgen/inputs/digest.py",
               ["tests/inputs/test_digest_mutants.py"]),
    "files": ("leafletgen/inputs/files.py",
              ["tests/inputs/test_files_mutants.py",
               "tests/inputs/test_hostile_links.py::test_the_reader_refuses_every_way_out",
               "tests/inputs/test_hostile_links.py::test_the_reader_reads_a_real_file_and_refuses_one_over_its_limit"]),
    "reading": ("leafletgen/inputs/reading.py",
                ["tests/inputs/test_reading_mutants.py", "tests/test_render_path.py",
                 "tests/inputs/test_hostile_links.py"]),
    "sandbox": ("leafletgen/markup/sandbox.py",
                ["tests/markup/test_sandbox_sizes.py", "tests/markup/test_hostile_gadgets.py",
                 "tests/markup/test_sandbox_mutants.py"]),
    "limits": ("leafletgen/run/limits.py", ["tests/run/test_limits_mutants.py"]),
    "accounts": ("leafletgen/store/accounts.py",
                 ["tests/store/test_accounts_mutants.py", "tests/store/test_store.py",
                  "tests/store/test_users_command.py", "tests/web/test_accounts.py"]),
}

# mutmut's exit codes per mutant, by what they mean here
STATUS = {1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests", 34: "skipped",
          36: "timeout", 24: "timeout", -24: "timeout", 152: "timeout", 255: "timeout", None: "not checked"}


def configure(folder: Path, module: str, tests: list[str]) -> None:
    """The module's folder: links to the files mutmut copies, and pyproject.toml with its settings."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for name in ["leafletgen", *ALSO_COPY]:
        if (ROOT / name).exists():
            (folder / name).symlink_to(ROOT / name)
    settings = {
        "source_paths": ["leafletgen"],
        "only_mutate": [module],
        "tests_dir": tests,
        "also_copy": [name for name in ALSO_COPY if (ROOT / name).exists()] + ["pyproject.toml"],
        # one process, no xdist; the pytest process is forked for each mutant from one that has
        # only collected the tests, so no cache filled by the unmutated code is inherited
        "pytest_add_cli_args": ["-p", "no:xdist", "-p", "no:randomly"],
        "process_isolation": "forkserver",
    }
    lines = [f"{key} = {json.dumps(value)}" for key, value in settings.items()]
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    (folder / "pyproject.toml").write_text(pyproject + "\n[tool.mutmut]\n" + "\n".join(lines) + "\n",
                                           encoding="utf-8")


def results(folder: Path, module: str) -> dict[str, str]:
    """Each mutant's status, from mutmut's record of the module."""
    meta = json.loads((folder / "mutants" / (module + ".meta")).read_text(encoding="utf-8"))
    return {name: STATUS.get(code, "suspicious") for name, code in sorted(meta["exit_code_by_key"].items())}


def run_module(name: str, children: int, survivors: bool = False) -> int:
    module, tests = MODULES[name]
    folder = WORK / name
    again: list[str] = []
    if survivors and (folder / "summary.json").exists():
        # the mutants that survived the last run, against the tests as they are now
        again = [mutant for mutant, state in results(folder, module).items() if state not in ("killed", "timeout")]
        if not again:
            print(f"{name}: no surviving mutant to run again")
            return 0
    else:
        configure(folder, module, tests)
    env = dict(os.environ)
    # the fonts' static instances and hyphenation patterns of the main checkout's test cache
    env.setdefault("LEAFLETGEN_TEST_CACHE", str(ROOT / ".pytest_cache" / "d" / "leafletgen"))
    start = time.monotonic()
    log_name = "mutmut-survivors.log" if again else "mutmut.log"
    with open(folder / log_name, "w", encoding="utf-8") as log:
        code = subprocess.run([sys.executable, "-m", "mutmut", "run", "--max-children", str(children), *again],
                              cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT).returncode
    minutes = (time.monotonic() - start) / 60
    if code != 0 or not (folder / "mutants" / (module + ".meta")).exists():
        print(f"{name}: mutmut failed (exit {code}) after {minutes:.1f} min; see {folder / log_name}")
        return 1
    if again:
        print(f"{name}: {len(again)} surviving mutants run again in {minutes:.1f} min")
        minutes = json.loads((folder / "summary.json").read_text(encoding="utf-8"))["minutes"]
    status = results(folder, module)
    counts = Counter(status.values())
    tried = counts["killed"] + counts["survived"] + counts["timeout"] + counts["suspicious"]
    killed = counts["killed"] + counts["timeout"]
    score = 100 * killed / tried if tried else 0.0
    print(f"{name} ({module}): {minutes:.1f} min, {len(status)} mutants, {killed} killed "
          f"({counts['timeout']} by timeout), {counts['survived']} survived, {counts['no tests']} not "
          f"reached by the tests, {counts['suspicious']} suspicious: {score:.1f} % killed")
    for mutant, state in status.items():
        if state not in ("killed", "timeout"):
            print(f"    {state}: {mutant}")
    (folder / "summary.json").write_text(json.dumps({"module": module, "tests": tests, "minutes": minutes,
                                                     "counts": counts, "status": status}, indent=1))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", metavar="module", help=f"one of: {', '.join(MODULES)}")
    parser.add_argument("--list", action="store_true", help="list the modules and their tests")
    parser.add_argument("--children", type=int, default=1, help="mutants tested at once (default 1)")
    parser.add_argument("--survivors", action="store_true",
                        help="run again only the mutants that survived the module's last run (after adding tests)")
    args = parser.parse_args(argv)
    if args.list:
        for name, (module, tests) in MODULES.items():
            print(f"{name}: {module} ← {' '.join(tests)}")
        return 0
    unknown = [name for name in args.modules if name not in MODULES]
    if unknown:
        parser.error(f"unknown module {', '.join(unknown)}; one of: {', '.join(MODULES)}")
    failed = 0
    for name in args.modules or list(MODULES):
        failed += run_module(name, args.children, args.survivors)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
