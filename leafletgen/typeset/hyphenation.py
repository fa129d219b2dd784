"""Hyphenation dictionaries parsed once per machine, not once per process and language.

pyphen parses a language's patterns the first time a process meets it, in every batch worker; the
parsed patterns are kept in <cache root>/hyphenation and put into pyphen's own cache before
WeasyPrint asks for them (the time saved: benchmarks/RESULTS.md). A cache file that cannot be read
or written is ignored: hyphenation is then only slower, never different.

This relies on two pyphen internals (the `hdcache` dict, and the attributes of `HyphDict` that
`positions()` reads), so it acts only with the versions in `TESTED_PYPHEN`; with any other, pyphen
parses as usual and tests/typeset/test_caches.py fails, saying what to check.
"""

from __future__ import annotations

import hashlib
import marshal
import sys
from pathlib import Path
from typing import Iterable

import pyphen

from ..atomic_write import write_atomic
from ..errors import MachineError
from .fonts import cache_root

CACHE_FORMAT = 1            # bump when the cached form changes
TESTED_PYPHEN = ("0.18.",)  # pyphen versions whose internals (hdcache, HyphDict) this was tested with


def internals_known() -> bool:
    """Whether the installed pyphen is one whose internals this module was tested with."""
    return pyphen.VERSION.startswith(TESTED_PYPHEN) and isinstance(getattr(pyphen, "hdcache", None), dict)


def dictionary_path(lang: str) -> Path | None:
    """The hyph_*.dic pyphen (and so WeasyPrint) uses for `lang`, or None if it has none."""
    name = pyphen.language_fallback(lang.replace("-", "_"))
    return pyphen.LANGUAGES.get(name) if name else None


def cache_file(path: Path) -> Path:
    stat = path.stat()
    key = (f"{path.name} {stat.st_size} {stat.st_mtime_ns} pyphen {pyphen.VERSION} "
           f"python {sys.version_info[0]}.{sys.version_info[1]} marshal {marshal.version} "
           f"format {CACHE_FORMAT}")
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return cache_root() / "hyphenation" / f"{path.stem}-{digest}.marshal"


def preload(languages: Iterable[str]) -> None:
    """Put the parsed dictionaries of `languages` into pyphen's cache (from ours if we can)."""
    if not internals_known():   # a pyphen this was not tested with: let it parse, as usual
        return
    for lang in languages:
        path = dictionary_path(lang)
        if path is not None and path not in pyphen.hdcache:
            pyphen.hdcache[path] = load_dictionary(path)


def load_dictionary(path: Path):
    """A pyphen.HyphDict for `path`: from the cache folder, else parsed (and then cached)."""
    file = cached = None
    try:
        file = cache_file(path)
        cached = _valid(marshal.loads(file.read_bytes()))
    except (OSError, ValueError, EOFError, TypeError):
        pass
    if cached is None:
        parsed = pyphen.HyphDict(path)
        plain = {key: (start, tuple(values)) for key, (start, values) in parsed.patterns.items()}
        if file is not None and all(type(value) is int for _, values in plain.values()
                                    for value in values):
            try:
                write_atomic(file, marshal.dumps((CACHE_FORMAT, parsed.maxlen, plain)))
            except (OSError, MachineError):
                pass   # a read-only cache folder: no cache, same hyphenation
        return parsed
    dictionary = pyphen.HyphDict.__new__(pyphen.HyphDict)
    # The three attributes HyphDict.__init__ sets and HyphDict.positions reads (pyphen 0.x).
    dictionary.maxlen, dictionary.patterns = cached
    dictionary.cache = {}
    return dictionary


def _valid(data) -> tuple[int, dict] | None:
    """(maxlen, patterns) if `data` is what `load_dictionary` wrote, else None.

    The file is ours (written atomically, named by a key of everything it depends on), so the
    header and one pattern are checked, not all of them: checking every one would cost as much
    as loading them.
    """
    if not (isinstance(data, tuple) and len(data) == 3 and data[0] == CACHE_FORMAT
            and type(data[1]) is int and isinstance(data[2], dict) and data[2]):
        return None
    key, value = next(iter(data[2].items()))
    if not (isinstance(key, str) and isinstance(value, tuple) and len(value) == 2
            and type(value[0]) is int and isinstance(value[1], tuple)):
        return None
    return data[1], data[2]
