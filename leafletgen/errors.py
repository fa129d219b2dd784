"""Error types: problems in the user's input versus bugs in the tool.

Input problems are collected (all of a file's problems at once, like RenderCV) and raised
together as one `UserError`; the CLI prints one line per problem and exits 1. Anything else
that escapes is a bug in leafletgen and is reported as such.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input file, located by line or field."""

    file: str
    message: str
    line: int | None = None
    field: str | None = None

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


def shorten(text: str, limit: int = 60) -> str:
    """`text` on one line, cut to `limit` characters: a unit or msgid quoted in a message."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


# --strict: every warning is an error. Commands count their warnings in one place (the CLI's
# `Messages`) and fail once at the end with this line; a document with warnings is not written.
STRICT_ERROR = "warnings are errors with --strict"
