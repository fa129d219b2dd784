"""Which Dask scheduler the main job uses, if any, and whether Dask is installed to reach it.

Light (re, os, importlib.util): the command line asks before planning, and a run with nothing
to build never imports Dask (batch.cluster does, when it has documents for the cluster).
"""

from __future__ import annotations

import os
import re
from importlib.util import find_spec

ENVIRONMENT = "LEAFLETGEN_CLUSTER"
EXTRA_HINT = "pip install -e '.[cluster]'"
ADDRESS = re.compile(r"^(tcp|tls)://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):[0-9]{1,5}$")


def check_address(value: str) -> str:
    """`value` if it is a scheduler's address (tcp://HOST:PORT or tls://HOST:PORT), else ValueError."""
    if not ADDRESS.match(value or ""):
        raise ValueError(f"expected the Dask scheduler's address, tcp://HOST:PORT (as `dask "
                         f"scheduler` prints it), got {value!r}")
    return value


def scheduler_address(option: str | None) -> str | None:
    """The address given with --cluster, else in $LEAFLETGEN_CLUSTER, else None (the local pool)."""
    if option:
        return check_address(option)
    value = os.environ.get(ENVIRONMENT, "").strip()
    if not value:
        return None
    try:
        return check_address(value)
    except ValueError as exc:
        raise ValueError(f"${ENVIRONMENT}: {exc}") from None


def extra_missing() -> str:
    """What to install, in one line, when Dask is not installed; "" when it is."""
    if find_spec("distributed") is None:
        return f"--cluster needs Dask, which is not installed here: {EXTRA_HINT}"
    return ""
