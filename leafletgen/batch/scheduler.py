"""Which Dask scheduler the main job uses, if any, and whether Dask is installed to reach it.

Light (argparse, re, os, importlib.util): the command line asks before planning, and a run with
nothing to build never imports Dask (batch.cluster does, when it has documents for the cluster).
"""

from __future__ import annotations

import argparse
import os
import re
from importlib.util import find_spec

ENVIRONMENT = "LEAFLETGEN_CLUSTER"
EXTRA_HINT = "pip install -e '.[cluster]'"
ADDRESS = re.compile(r"^(tcp|tls)://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):[0-9]{1,5}$")


def check_address(value: str) -> str:
    """`value` if it is a scheduler's address (tcp://HOST:PORT or tls://HOST:PORT); else
    ArgumentTypeError (argparse reports its message as it is: the --cluster option's type)."""
    if not ADDRESS.match(value or ""):
        raise argparse.ArgumentTypeError(
            f"expected the Dask scheduler's address, tcp://HOST:PORT (as `dask scheduler` prints "
            f"it), got {value!r}")
    return value


def cluster_to_use(option: str | None) -> str | None:
    """The address given with --cluster, else in $LEAFLETGEN_CLUSTER, else None (the local pool).
    ValueError, wrong usage, for a malformed address or when Dask is not installed."""
    address = option or os.environ.get(ENVIRONMENT, "").strip() or None
    if address and not option:
        try:
            check_address(address)
        except argparse.ArgumentTypeError as exc:
            raise ValueError(f"${ENVIRONMENT}: {exc}") from None
    if address and extra_missing():
        raise ValueError(extra_missing())
    return address


def extra_missing() -> str:
    """What to install, in one line, when Dask is not installed; "" when it is."""
    if find_spec("distributed") is None:
        return f"--cluster needs Dask, which is not installed here: {EXTRA_HINT}"
    return ""
