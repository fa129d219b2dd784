"""Write or check requirements.lock: the exact versions of leafletgen's dependencies, with every
extra, as installed in the current environment (pip freeze filtered to the project's closure).

    python scripts/lock.py           write requirements.lock from this environment
    python scripts/lock.py --check   exit 1 unless this environment is exactly requirements.lock

Use it as constraints: pip install -c requirements.lock -e '.[test,cluster]'. CI installs the lock
and runs --check before the tests, so the versions in the lock are the ones the suite passed with.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"
HEADER = """\
# The exact versions the test suite passed with (Linux, CPython 3.11), every extra included.
# Use as constraints: pip install -c requirements.lock -e '.[test,cluster]'
# Made by `python scripts/lock.py` in an environment installed from pyproject.toml; CI checks it
# (`python scripts/lock.py --check`). Do not edit by hand.
"""


def project_requirements() -> tuple[str, list[Requirement], list[str]]:
    """The project's name, its requirements with every extra, and the extras' names."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = sorted(project.get("optional-dependencies", {}))
    requirements = [Requirement(line) for line in project["dependencies"]]
    for extra in extras:
        requirements += [Requirement(line) for line in project["optional-dependencies"][extra]]
    return canonicalize_name(project["name"]), requirements, extras


def applies(requirement: Requirement, extras: set[str]) -> bool:
    if requirement.marker is None:
        return True
    return any(requirement.marker.evaluate({"extra": extra}) for extra in (extras or {""}))


def closure() -> tuple[dict[str, str], dict[str, set[str]]]:
    """Every distribution the project's requirements pull in here: name → version, and name → the
    names that require it (for the lock's `# via` lines). Fails on one that is not installed."""
    own, requirements, _ = project_requirements()
    versions: dict[str, str] = {}
    via: dict[str, set[str]] = {}
    seen: set[tuple[str, frozenset[str]]] = set()
    todo = [(own, requirement) for requirement in requirements if applies(requirement, set())]
    while todo:
        parent, requirement = todo.pop()
        name = canonicalize_name(requirement.name)
        via.setdefault(name, set()).add(parent)
        key = (name, frozenset(requirement.extras))
        if key in seen:
            continue
        seen.add(key)
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            sys.exit(f"error: {name} (required by {parent}) is not installed here: "
                     f"pip install -e '.[{','.join(project_requirements()[2])}]' first")
        versions[name] = dist.version
        for line in dist.requires or []:
            sub = Requirement(line)
            if applies(sub, set(requirement.extras)):
                todo.append((name, sub))
    return versions, via


def lock_text() -> str:
    versions, via = closure()
    lines = [HEADER]
    for name in sorted(versions):
        lines.append(f"{name}=={versions[name]}\n")
        lines.append(f"    # via {', '.join(sorted(via[name]))}\n")
    return "".join(lines)


def read_lock(text: str) -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[canonicalize_name(name)] = version
    return pins


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="exit 1 unless this environment holds exactly the locked versions")
    args = parser.parse_args(argv)
    if not args.check:
        LOCK.write_text(lock_text(), encoding="utf-8")
        print(f"wrote {LOCK.relative_to(ROOT)}")
        return 0
    locked = read_lock(LOCK.read_text(encoding="utf-8"))
    installed, _ = closure()
    problems = [f"{name}: {installed.get(name, 'not installed')} here, {locked.get(name, 'not locked')} locked"
                for name in sorted(set(locked) | set(installed)) if locked.get(name) != installed.get(name)]
    for problem in problems:
        print(f"error: requirements.lock: {problem}", file=sys.stderr)
    if problems:
        print("install with `pip install -c requirements.lock -e '.[...]'`, or run "
              "`python scripts/lock.py` after the tests passed with new versions", file=sys.stderr)
        return 1
    print(f"requirements.lock: this environment holds its {len(locked)} versions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
