"""The project's files as one document reads them: each read once, kept, and hashed.

`InputFiles` is what `Project.files` reads through while a document's inputs are loaded
(bundle.py): every file is opened the way files.read_file opens it (no link, inside the project,
never blocking), its bytes kept and hashed; a second reading of it is the first one's bytes. It is
a `digest.Hasher` too, so a digest made over it (the plan's formulas) is a digest of exactly the
bytes the loaders parsed.

Everything asked of the project meanwhile (a file's bytes or why it cannot be read, a folder's
listing, whether a name is a file, a folder or a link) is recorded. `wire()` is that record as
plain data, with the bytes by their digest; `InputFiles.replay` gives the same answers to the same
questions on a machine that has none of the project (a Dask worker), and a question the record
cannot answer is a bug, not a read.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from ..errors import UserError
from .files import InputFileError, file_kind, inside, left_out, open_file, relative_parts, tree_entries
from .digest import FILE_MAX_BYTES, Hasher, combine, too_large_digest
from .project import default_folder, is_default, merged_tree


class NotRecorded(Exception):
    """A replayed reading was asked something the original reading was not (a bug)."""


class InputFiles(Hasher):
    """Files of the project at `root`, each read once (see the module's description)."""

    def __init__(self, root: Path, defaults: Path | None = None):
        super().__init__(root=root)
        # leafletgen's own folder: a default the project has not got is read there, kept under
        # its name in the project (project.DEFAULTS), and hashed as if the project had it.
        self.defaults = Path(defaults) if defaults is not None else None
        self.from_defaults: set[str] = set()             # the files read there
        self.data: dict[str, bytes] = {}                 # relative path → bytes, as read
        self.errors: dict[str, InputFileError] = {}      # relative path → why it cannot be read
        self.sizes: dict[str, int] = {}                  # relative path → size of a file read
        self.special: dict[str, str] = {}                # digest of what is not read (a link, …)
        self.kinds: dict[str, str] = {}                  # relative path → files.file_kind
        self.listings: dict[str, list[str]] = {}         # folder → its entries (os.listdir)
        self.trees: dict[str, list[str] | str] = {}      # folder → tree_entries, or its digest
        self._replay = False

    def seal(self) -> None:
        """From now on, answer only from what was read: a file not read is not read now."""
        self._replay = True

    # -- reading

    def read(self, relative: str, limit: int) -> bytes:
        """files.read_file's answer for root/relative, from the one reading of it."""
        key = "/".join(relative_parts(relative))
        self._ensure(key)
        size = self.sizes.get(key)   # also of a file over FILE_MAX_BYTES: the limit named is `limit`
        if size is not None and size > limit:
            raise InputFileError(f"is {size:,} bytes; the limit is {limit:,} bytes", "too large")
        if key in self.errors:
            raise self.errors[key]
        return self.data[key]

    def contents(self, root: Path, relative: str, limit: int) -> bytes | None:
        try:
            return self.read(relative, limit) if Path(root) == self.root else None
        except InputFileError:
            return None

    def _ensure(self, key: str) -> None:
        if key in self.sizes or key in self.errors:
            return
        if self._replay:
            absent = self._absent(key)
            if absent is None:
                raise NotRecorded(f"{key} was not read for this document")
            self.errors[key], self.special[key] = absent, "-"
            return
        self._read(key)

    def _absent(self, key: str) -> InputFileError | None:
        """Why a file that was not read is not there, as a recorded listing of a folder above it
        says (a template looked up in a folder that has no such file); None: the record cannot
        say (no listing above it, or the listing has it)."""
        for folder, entries in self.trees.items():
            if not key.startswith(folder + "/"):
                continue
            if isinstance(entries, str):
                if entries == "-":
                    return InputFileError("does not exist", "missing")
                return _in_link(folder)
            rest = key[len(folder) + 1:]
            if rest in entries:
                return None
            if left_out(rest):      # never an input: not in any listing nor any digest
                return InputFileError("is hidden (a name on its way starts with a dot, or it lies in "
                                      "__pycache__); hidden files are not read", "hidden")
            if any(entry.startswith(rest + "/") for entry in entries):
                return InputFileError("is a folder; expected a file", "not a file")
            for entry in entries:
                if rest.startswith(entry + "/"):   # below a file or a link the listing has
                    above = f"{folder}/{entry}"
                    if above in self.sizes:
                        return InputFileError("does not exist", "missing")
                    if above in self.errors and self.errors[above].kind == "link":
                        return _in_link(above)
                    return None
            return InputFileError("does not exist", "missing")
        return None

    def _open(self, key: str) -> int:
        try:
            return open_file(self.root, key)
        except InputFileError as exc:
            if not (exc.missing and self.defaults is not None and is_default(key)):
                raise
            try:
                fd = open_file(self.defaults, key)
            except InputFileError:
                raise exc from None
            self.from_defaults.add(key)
            return fd

    def _read(self, key: str) -> None:
        try:
            fd = self._open(key)
        except InputFileError as exc:
            self.errors[key] = exc
            # What the plan's hasher makes of it (a link, a pipe, nothing): hashed, never read.
            self.special[key] = Hasher._digest(self, self.root / key)
            return
        try:
            size = os.fstat(fd).st_size
            if size > FILE_MAX_BYTES:
                self.errors[key] = InputFileError(f"is {size:,} bytes; the limit is "
                                                  f"{FILE_MAX_BYTES:,} bytes", "too large")
                self.special[key], self.sizes[key] = too_large_digest(size), size
                return
            chunks, total = [], 0
            while True:
                try:
                    chunk = os.read(fd, min(1 << 20, FILE_MAX_BYTES + 1 - total))
                except OSError as exc:
                    self.errors[key] = InputFileError(f"cannot be read: {exc.strerror or exc}")
                    self.special[key] = "-"
                    return
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
                if total > FILE_MAX_BYTES:   # grew while being read
                    self.errors[key] = InputFileError(f"is more than {FILE_MAX_BYTES:,} bytes; the "
                                                      f"limit is {FILE_MAX_BYTES:,} bytes", "too large")
                    self.special[key] = too_large_digest(total)
                    return
            self.data[key] = b"".join(chunks)
            self.sizes[key] = total
        finally:
            os.close(fd)

    # -- the Hasher's questions, answered from the reading

    def _digest(self, path: Path) -> str:
        key = inside(path, self.root)
        if key is None:
            if self._replay:
                raise NotRecorded(f"{path} is outside the project")
            return super()._digest(path)
        self._ensure(key)
        if key in self.data:
            return hashlib.sha256(self.data[key]).hexdigest()
        return self.special[key]

    def tree(self, folder: Path) -> str:
        key = inside(folder, self.root)
        if key is None:
            if self._replay:
                raise NotRecorded(f"{folder}/ is not a folder of the project")
            return super().tree(folder)
        entries = self.entries(key)
        if isinstance(self.trees[key], str):
            return self.trees[key]
        parts = []
        for relative in entries:
            parts += [relative, self.file(self.root / key / relative)]
        return combine(*parts)

    def entries(self, folder: str) -> list[str]:
        """files.tree_entries of a folder of the project (none for a link or a missing folder)."""
        if folder not in self.trees:
            if self._replay:
                raise NotRecorded(f"{folder}/ was not listed for this document")
            path = self.root / folder
            own = None if path.is_symlink() or not path.is_dir() else \
                [entry.as_posix() for entry in tree_entries(path)]
            if self.defaults is not None and default_folder(folder) and not path.is_symlink() \
                    and (own is not None or not os.path.lexists(path)):
                self.trees[folder] = merged_tree(own, [entry.as_posix() for entry in
                                                       tree_entries(self.defaults / folder)])
            elif own is None:
                self.trees[folder] = Hasher.tree(self, path)
            else:
                self.trees[folder] = own
        entries = self.trees[folder]
        return [] if isinstance(entries, str) else list(entries)

    # -- what the project's listings ask

    def kind(self, relative: str) -> str:
        if relative not in self.kinds:
            if self._replay:
                raise NotRecorded(f"{relative} was not looked at for this document")
            kind = file_kind(self.root, relative)
            if kind == "missing" and self.defaults is not None and is_default(relative):
                kind = file_kind(self.defaults, relative)
            self.kinds[relative] = kind
        return self.kinds[relative]

    def listdir(self, folder: str) -> list[str]:
        if folder not in self.listings:
            if self._replay:
                raise NotRecorded(f"{folder}/ was not listed for this document")
            try:
                self.listings[folder] = sorted(os.listdir(self.root / folder))
            except OSError:
                self.listings[folder] = []
        return list(self.listings[folder])

    # -- across machines

    def wire(self) -> tuple[dict, dict[str, bytes]]:
        """(the record, as plain data naming each file's bytes by their digest; those bytes by
        digest): what `replay` needs."""
        blobs = {hashlib.sha256(data).hexdigest(): data for data in self.data.values()}
        record = {
            "root": str(self.root),
            "files": {key: hashlib.sha256(data).hexdigest() for key, data in self.data.items()},
            "errors": {key: (exc.reason, exc.kind, self.special[key], self.sizes.get(key))
                       for key, exc in self.errors.items()},
            "kinds": dict(self.kinds), "listings": dict(self.listings), "trees": dict(self.trees),
            "defaults": sorted(self.from_defaults),
        }
        return record, blobs

    @classmethod
    def replay(cls, record: dict, blobs: dict[str, bytes]) -> "InputFiles":
        """The reading `record` describes, its bytes from `blobs` (each checked against its
        digest): answers what the original reading answered, and nothing else."""
        files = cls(Path(record["root"]))
        for key, digest in record["files"].items():
            data = blobs[digest]
            if hashlib.sha256(data).hexdigest() != digest:
                raise UserError(f"{key}: the bytes that arrived here are not the bytes read on the "
                                "machine that sent them; not rendered")
            files.data[key], files.sizes[key] = data, len(data)
        for key, (reason, kind, special, size) in record["errors"].items():
            files.errors[key] = InputFileError(reason, kind)
            files.special[key] = special
            if size is not None:
                files.sizes[key] = size
        files.kinds = dict(record["kinds"])
        files.from_defaults = set(record["defaults"])
        files.listings = {key: list(value) for key, value in record["listings"].items()}
        files.trees = dict(record["trees"])
        files._replay = True
        return files


def _in_link(folder: str) -> InputFileError:
    return InputFileError(f"lies in {folder}, which is a symbolic link; only real files and folders "
                          "inside the project are read", "link")
