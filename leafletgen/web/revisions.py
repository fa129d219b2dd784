"""The version of a file a form was made from, so that a save over a file that changed since is
refused (two people at two screens, or a build and a person) and the other change can be shown.

Every form that edits a file carries the digest of the bytes it was filled from; the save
compares it with the file as it is then. The bytes themselves are kept here for a while, by
digest, so the page can show what the other person changed; after a restart only what is on
disk now can be shown.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

KEPT = 256                      # versions kept (profiles and catalogs are a few kB each)

_lock = threading.Lock()
_kept: OrderedDict[str, bytes] = OrderedDict()
# One save at a time per file in this process: the check of the digest and the write are one step.
_saving: dict[str, threading.Lock] = {}


def digest(data: bytes | None) -> str:
    """The digest a form carries; a file that is not there has the digest of nothing ("")."""
    return "" if data is None else hashlib.sha256(data).hexdigest()


def remember(data: bytes | None) -> str:
    """Keep `data` (a file's bytes as a form shows them) and give its digest."""
    key = digest(data)
    if data is not None:
        with _lock:
            _kept[key] = data
            _kept.move_to_end(key)
            while len(_kept) > KEPT:
                _kept.popitem(last=False)
    return key


def recall(key: str) -> bytes | None:
    """The bytes with this digest, if they are still kept."""
    with _lock:
        return _kept.get(key)


def saving(path) -> threading.Lock:
    """The lock held while a file is compared with a form's digest and written."""
    with _lock:
        return _saving.setdefault(str(path), threading.Lock())
