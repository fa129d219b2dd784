"""requirements.lock and pyproject.toml agree, and pyproject says which lower bounds are tested."""

from __future__ import annotations

import re
import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.conftest import REPO

PYPROJECT = REPO / "pyproject.toml"


def locked() -> dict[str, Version]:
    pins = {}
    for line in (REPO / "requirements.lock").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            assert re.fullmatch(r"[a-z0-9-]+==[\w.]+", line), f"not a constraint pip reads: {line!r}"
            name, version = line.split("==")
            pins[name] = Version(version)
    return pins


def requirements() -> list[Requirement]:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    lines = project["dependencies"] + [line for extra in project["optional-dependencies"].values()
                                       for line in extra]
    return [Requirement(line) for line in lines]


def test_the_lock_satisfies_every_requirement():
    pins = locked()
    for requirement in requirements():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is not in requirements.lock: run `python scripts/lock.py`"
        assert requirement.specifier.contains(pins[name]), \
            f"requirements.lock has {name}=={pins[name]}, outside pyproject's {requirement}"


def test_weasyprint_and_pyphen_stay_below_their_next_series():
    by_name = {canonicalize_name(r.name): r.specifier for r in requirements()}
    assert not by_name["weasyprint"].contains("71.0") and by_name["weasyprint"].contains("70.0")
    assert not by_name["pyphen"].contains("0.19.0") and by_name["pyphen"].contains("0.18.1")


def test_pyproject_names_the_untested_lower_bounds():
    pins = locked()
    untested = set()
    for requirement in requirements():
        name = canonicalize_name(requirement.name)
        lower = [Version(s.version) for s in requirement.specifier if s.operator in (">=", "==")]
        if not lower or lower[0] != pins[name]:
            untested.add(name)
    line = re.search(r"^# Untested lower bounds: (.*)$", PYPROJECT.read_text(encoding="utf-8"), re.MULTILINE)
    assert line, "pyproject.toml has lost its '# Untested lower bounds:' line"
    stated = {canonicalize_name(name) for name in re.split(r",\s*", line.group(1).strip()) if name != "none"}
    assert stated == untested, f"pyproject.toml's '# Untested lower bounds:' line should read: " \
                               f"{', '.join(sorted(untested)) or 'none'}"
