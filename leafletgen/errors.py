"""Error types: problems in the user's input versus bugs in the tool.

Input problems are collected (all of a file's problems at once, like RenderCV) and raised
together as one `UserError`; the CLI prints one line per problem and exits 1. Anything else
that escapes is a bug in leafletgen and is reported as such.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass
from pathlib import Path


class Message(str):
    """An English message that also says what it means as (code, params): the command line prints
    the text; the web app words the code in its reader's language (web/messages.py). A plain
    `str` message has no code."""

    code: str
    params: dict

    def __new__(cls, code: str, text: str, /, **params):
        message = super().__new__(cls, text)
        message.code, message.params = code, params
        return message

    def __reduce__(self):   # sent from a worker process, like the UserError that holds it
        return (_message, (self.code, str(self), self.params))


def _message(code: str, text: str, params: dict) -> Message:
    return Message(code, text, **params)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input file, located by line or field; what it means is its
    (field, code, params), its `message` the same in English."""

    file: str
    message: str
    line: int | None = None
    field: str | None = None

    @property
    def code(self) -> str:
        return getattr(self.message, "code", "")

    @property
    def params(self) -> dict:
        return getattr(self.message, "params", {})

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        if self.field:
            where += f": {self.field}"
        return f"{where}: {self.message}"


class UserError(Exception):
    """The input was bad: one or more problems, each reportable on one line."""

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, (Problem, str)):
            problems = [problems]
        self.problems: list[Problem | str] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @property
    def lines(self) -> list[str]:
        return [str(p) for p in self.problems]

    def __reduce__(self):   # sent from a worker process to the one that reports it
        return (type(self), (self.problems,))


def shorten(text: str, limit: int = 60) -> str:
    """`text` on one line, cut to `limit` characters: a unit or msgid quoted in a message."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


# --strict: every warning is an error. Commands count their warnings in one place (the CLI's
# `Messages`) and fail once at the end with this line; a document with warnings is not written.
STRICT_ERROR = "warnings are errors with --strict"


class MachineError(Exception):
    """The machine, not the input nor leafletgen: a folder that cannot be written (no space left,
    no permission, a read-only file system). One line naming the folder and the cause; the main
    job stops starting documents when its output cannot be written."""

    def __init__(self, path, cause: str):
        self.path, self.cause = path, cause
        super().__init__(f"{path}: {cause}")

    def line(self, shown=str) -> str:
        """The message, the path as `shown(path)` gives it (say relative to the project)."""
        return f"{shown(self.path)}: {self.cause}"

    def __reduce__(self):
        return (type(self), (self.path, self.cause))


_CAUSES = {
    "ENOSPC": "no space left on the disk",
    "EDQUOT": "the disk quota is used up",
    "EACCES": "no permission to write there",
    "EPERM": "no permission to write there",
    "EROFS": "it is on a read-only file system",
    "EFBIG": "the file would be larger than this system allows",
    "EMFILE": "too many files open",
    "ENFILE": "too many files open on this system",
    "EIO": "the disk reported an input/output error",
}


def of_the_machine(exc: OSError) -> bool:
    """Whether an OSError is the machine's (no space, no permission, a read-only file system, …):
    its administrator's to mend, not a bug; machine_error says it in words."""
    return errno.errorcode.get(exc.errno or 0, "") in _CAUSES


def machine_error(exc: OSError, path, action: str = "cannot write") -> MachineError:
    """An OSError met while writing (or removing) `path`: the folder and the cause in words, or
    the path itself when it is what stands in the way (a folder where the file should go)."""
    path = Path(path)
    name = errno.errorcode.get(exc.errno or 0, "")
    if name == "EISDIR":
        return MachineError(path, "is a folder where a file is to be written; move it out of the way")
    if name in ("ENOTDIR", "EEXIST") and action == "cannot write":
        for parent in path.parents:   # the file that stands in the way
            if parent.exists() and not parent.is_dir():
                return MachineError(parent, "is a file where a folder is needed for the output; "
                                            "move it out of the way")
        return MachineError(path.parent, "a file stands where a folder is needed on this path")
    cause = _CAUSES.get(name) or (exc.strerror or str(exc)).lower()
    return MachineError(path.parent, f"{action} {path.name}: {cause}")
