"""Turn pydantic's validation errors into one plain line per problem."""

from __future__ import annotations

import re
import reprlib
import tomllib
from typing import Callable

from pydantic import BaseModel, ValidationError

from ..errors import Message, Problem, UserError


def key_lines(text: str) -> dict[str, int]:
    """Line numbers of top-level `key:` / `key =` entries (YAML front matter or TOML)."""
    lines = {}
    for number, line in enumerate(text.splitlines(), 1):
        match = re.match(r"^([A-Za-z_][\w-]*)\s*[:=]", line)
        if match and match.group(1) not in lines:
            lines[match.group(1)] = number
    return lines


_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxstring, _REPR.maxother, _REPR.maxlist, _REPR.maxdict = 2, 60, 60, 4, 4


def short_repr(value: object) -> str:
    """repr() bounded in length and depth: an input (say a YAML alias bomb) cannot blow up a message."""
    return _REPR.repr(value)


def validate_model(model: type[BaseModel], data: object, file: str,
                   line_of: Callable[[str], int | None] = lambda key: None,
                   missing_line: int | None = None,
                   ) -> tuple[BaseModel | None, list[Problem]]:
    """Validate `data`; return (model or None, every problem found, each with its line).

    A missing key has no line of its own: it is reported at `missing_line` (where it belongs).
    """
    if not isinstance(data, dict):
        return None, [Problem(file, "expected a set of `key: value` entries", line=missing_line)]
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        allowed = ", ".join(model.model_fields)
        problems = []
        for err in exc.errors():
            loc = ".".join(str(part) for part in err["loc"])
            top = str(err["loc"][0]) if err["loc"] else ""
            kind = err["type"]
            # What the problem means, (code, params), beside its English text: pydantic's error
            # type and context, or a validator's own (PydanticCustomError).
            params = {key: value for key, value in (err.get("ctx") or {}).items()
                      if isinstance(value, (str, int, float)) and key != "english"}
            if kind == "extra_forbidden":
                message = Message(kind, f"unknown key; allowed keys are: {allowed}", key=loc, allowed=allowed)
            elif kind == "missing":
                message = Message(kind, "this key is required")
                problems.append(Problem(file, message, line=missing_line, field=loc))
                continue
            else:
                text = err["msg"]
                if text.startswith("Value error, "):
                    text = text[len("Value error, "):]
                if isinstance(err["input"], str):
                    params.setdefault("value", err["input"][:80])
                message = Message(kind, f"{text} (got {short_repr(err['input'])})", **params)
            problems.append(Problem(file, message, line=line_of(top), field=loc))
        return None, problems


def parse_toml(text: str, file: str, what: str = "") -> object:
    """TOML text's data; text that is not TOML is one problem, with its line."""
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise UserError(Problem(file, Message("toml_syntax", f"is not valid TOML{' for ' + what if what else ''}: "
                                                             "values nested too deeply"))) from None
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11's TOMLDecodeError has no line attribute; its message ends "(at line N, column M)".
        match = re.search(r"\s*\(at line (\d+), column (\d+)\)$", str(exc))
        if match:
            reason = f"{str(exc)[:match.start()]} (column {match.group(2)})"
            raise UserError(Problem(file, Message("toml_syntax", f"is not valid TOML: {reason}"),
                                    line=int(match.group(1)))) from None
        if str(exc).endswith(" (at end of document)"):
            reason = str(exc).removesuffix(" (at end of document)")
            raise UserError(Problem(file, Message("toml_syntax", f"is not valid TOML: {reason} (at the end of "
                                                                 "the file)"),
                                    line=max(1, len(text.splitlines())))) from None
        raise UserError(Problem(file, Message("toml_syntax", f"is not valid TOML: {exc}"))) from None
