"""The sandbox every template runs in, ours and a practice's: plain data in, an allow-list of
attributes, nothing that reaches the file system.

A practice's template may come from anyone. Jinja's own sandbox refuses only attributes that start
with an underscore and the methods that change a list or a dict: any other method of an object in
the context can be called. A `pathlib.Path` in the context was enough for a template to read any
file the build can read into the PDF, list folders, write files and delete them. So:

- The context is plain data only (`freeze`): strings (Markup included), numbers, booleans, None,
  dates, and read-only containers of them (tuples, frozensets, read-only mappings). Anything else,
  a Path, a model object with methods, a function, is a TypeError before rendering starts: a bug
  of leafletgen, never a template's way out.
- `TemplateEnvironment.is_safe_attribute` allows, per type, only the attributes in ALLOWED below
  (`loop.index`, a mapping's `items`, a string's `upper`, …); everything else is refused
  (`SecurityError`), whatever its name. Item access (`block["html"]`) reads a mapping's values.
- `is_safe_callable` allows calling only what is listed: macros, `caller`, `super()`, the loop
  helpers, the globals kept (range, namespace, cycler, joiner; not lipsum or dict), the installed
  gettext functions, and the allowed methods of strings, mappings, tuples and dates.
- `*`, `**` and `+` are checked before they run: a string, list or number they would make larger
  than MAX_SIZE is refused (`{{ "x" * 10**10 }}` used to allocate gigabytes); so is a %-format
  (the `%` operator, the `format` filter) with a width or precision over MAX_SIZE. What is still left to
  exhaust (a loop of loops, a string doubled with `~`) is stopped by the per-document time and
  memory limits of the process that renders.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import types
from collections.abc import Mapping

import jinja2
from jinja2.environment import TemplateModule
from jinja2.runtime import BlockReference, LoopContext, Macro
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import Cycler, Joiner, Namespace
from markupsafe import Markup

MAX_SIZE = 1_000_000        # characters of a string, items of a sequence, bits of a number


class FrozenMap(Mapping):
    """A read-only mapping for templates: `block.html` and `block["html"]` read its values."""

    __slots__ = ("_data",)

    def __init__(self, data: dict):
        object.__setattr__(self, "_data", types.MappingProxyType(dict(data)))

    def __getitem__(self, key):
        return self._data[key]

    def __iter__(self):
        return iter(self._data)

    def __len__(self):
        return len(self._data)

    def __repr__(self):
        return f"FrozenMap({dict(self._data)!r})"

    def __setattr__(self, name, value):
        raise AttributeError("read-only")


PLAIN = (str, int, float, bool, type(None), dt.date)


def freeze(value, where: str = "context"):
    """`value` as plain, read-only data; a TypeError names whatever is not plain data."""
    if isinstance(value, PLAIN):
        return value
    if isinstance(value, Mapping):
        return FrozenMap({_key(key, where): freeze(item, f"{where}.{key}") for key, item in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(freeze(item, f"{where}[{index}]") for index, item in enumerate(value))
    if isinstance(value, (set, frozenset)):
        return frozenset(freeze(item, f"{where}{{}}") for item in value)
    raise TypeError(f"template context: {where} is a {type(value).__module__}.{type(value).__name__}, "
                    "not plain data (strings, numbers, booleans, dates and containers of them)")


def _key(key, where: str) -> str:
    if not isinstance(key, str):
        raise TypeError(f"template context: a key of {where} is a {type(key).__name__}, not a string")
    return key


_STRING_METHODS = frozenset({
    "capitalize", "casefold", "count", "endswith", "find", "isalnum", "isalpha", "isdecimal",
    "isdigit", "islower", "isnumeric", "isspace", "istitle", "isupper", "join", "lower", "lstrip",
    "partition", "removeprefix", "removesuffix", "rfind", "rpartition", "rsplit", "rstrip", "split",
    "splitlines", "startswith", "strip", "swapcase", "title", "upper",
})
_MAPPING_METHODS = frozenset({"get", "items", "keys", "values"})

# type → the attributes a template may read (and, where they are methods, call).
ALLOWED: dict[type, frozenset[str]] = {
    str: _STRING_METHODS,
    Markup: _STRING_METHODS | {"striptags", "unescape"},
    FrozenMap: _MAPPING_METHODS,
    dict: _MAPPING_METHODS,            # a macro's kwargs, a dict literal (mutation is refused)
    tuple: frozenset({"count", "index"}),
    list: frozenset({"count", "index"}),
    dt.date: frozenset({"day", "isoformat", "isoweekday", "month", "weekday", "year"}),
    LoopContext: frozenset({"changed", "cycle", "depth", "depth0", "first", "index", "index0",
                            "last", "length", "nextitem", "previtem", "revindex", "revindex0"}),
    Cycler: frozenset({"current", "next", "reset"}),
    Macro: frozenset({"arguments", "caller", "catch_kwargs", "catch_varargs", "name"}),
    BlockReference: frozenset({"super"}),
}


def _allowed(obj) -> frozenset[str]:
    for kind in type(obj).__mro__:
        if kind in ALLOWED:
            return ALLOWED[kind]
    return frozenset()


class TemplateEnvironment(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with an allow-list instead of a deny-list (see the module's doc)."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.globals.pop("lipsum", None)      # paragraphs of filler text, as many as asked for
        self.globals.pop("dict", None)        # a type: dict["x"] makes objects of its own; use {}
        # The built-in filters, their numbers bounded: `"x"|center(10**9)` or `indent(10**9)`
        # would allocate a gigabyte before anything could stop it.
        for name, function in list(self.filters.items()):
            self.filters[name] = _bounded(function)
        self._callable_globals = {id(self.globals[name]): self.globals[name]
                                  for name in ("range", "namespace", "cycler", "joiner")
                                  if name in self.globals}

    def allow_globals(self, *names: str) -> None:
        """Globals installed later (the gettext functions) that templates may call."""
        for name in names:
            if name in self.globals:
                self._callable_globals[id(self.globals[name])] = self.globals[name]

    def wrap_str_format(self, value):
        # Jinja hands out a sandboxed str.format before asking is_safe_attribute; here `format`
        # is simply not on the list (the `format` filter is).
        return None

    def is_safe_attribute(self, obj, attr, value) -> bool:
        if attr.startswith("_"):
            return False
        if isinstance(obj, (Namespace, TemplateModule)):
            # What a template itself stored (a namespace), or what an imported template exports
            # (its macros and top-level variables: `{% import "x.html.j2" as m %}{{ m.box() }}`).
            return True
        return attr in _allowed(obj)

    def is_safe_callable(self, obj) -> bool:
        if isinstance(obj, jinja2.Undefined):
            return True     # calling it raises its own error: "'x' is undefined", "… is unsafe"
        if isinstance(obj, (Macro, BlockReference, LoopContext, Joiner)):
            return True
        if self._callable_globals.get(id(obj)) is obj:
            return True
        owner = getattr(obj, "__self__", None)
        name = getattr(obj, "__name__", "")
        if owner is not None and not isinstance(owner, type) and isinstance(
                obj, (types.BuiltinMethodType, types.MethodType)):
            return name in _allowed(owner) and not name.startswith("_")
        return False

    def call_binop(self, context, operator_name: str, left, right):
        if operator_name == "*":
            for sequence, count in ((left, right), (right, left)):
                if isinstance(sequence, (str, tuple, list)) and isinstance(count, int) \
                        and len(sequence) * count > MAX_SIZE:
                    raise jinja2.sandbox.SecurityError(
                        f"{type(sequence).__name__} * {count} would make {len(sequence) * count:,} "
                        f"items; at most {MAX_SIZE:,}")
        elif operator_name == "**":
            if isinstance(left, int) and isinstance(right, int) and abs(left) > 1 \
                    and right * max(abs(left).bit_length(), 1) > MAX_SIZE:
                raise jinja2.sandbox.SecurityError(f"{left} ** {right} is too large a number")
        elif operator_name == "%" and isinstance(left, str):
            check_format(left, right if isinstance(right, tuple) else (right,))
        elif operator_name == "+":
            if isinstance(left, (str, tuple, list)) and isinstance(right, (str, tuple, list)) \
                    and len(left) + len(right) > MAX_SIZE:
                raise jinja2.sandbox.SecurityError(f"the sum would have more than {MAX_SIZE:,} items")
        return super().call_binop(context, operator_name, left, right)


_DIGITS = re.compile(r"\*|\d*")


def _conversion_sizes(fmt: str):
    """(width, precision) of each conversion of a %-format as written: digits, '*' (taken from
    the arguments) or ''. Parsed as Python parses it: a `%(key)` may hold nested parentheses."""
    at = fmt.find("%")
    while at >= 0:
        i = at + 1
        if fmt.startswith("(", i):
            depth = 0
            while i < len(fmt):
                depth += {"(": 1, ")": -1}.get(fmt[i], 0)
                i += 1
                if depth == 0:
                    break
        while i < len(fmt) and fmt[i] in "-#0 +":
            i += 1
        width = _DIGITS.match(fmt, i).group()
        i += len(width)
        precision = ""
        if fmt.startswith(".", i):
            precision = _DIGITS.match(fmt, i + 1).group()
            i += 1 + len(precision)
        yield width, precision
        at = fmt.find("%", i + 1)      # past the conversion's type character (or the second %)


def check_format(fmt: str, arguments, what: str = "%-format") -> None:
    """A SecurityError if a %-format (the `%` operator, the `format` filter) asks for a width or
    precision over MAX_SIZE: `"%(a)999999999s" % {"a": 1}` allocates a gigabyte at once."""
    star = False
    for size in (size for pair in _conversion_sizes(fmt) for size in pair):
        star = star or size == "*"
        if size not in ("", "*") and (len(size.lstrip("0")) > 7 or int(size) > MAX_SIZE):
            raise jinja2.sandbox.SecurityError(
                f"{what}: the width or precision {size[:12]} is too large (at most {MAX_SIZE:,})")
    if star and any(isinstance(value, int) and abs(value) > MAX_SIZE for value in arguments):
        raise jinja2.sandbox.SecurityError(
            f"{what}: the width or precision from `*` is too large (at most {MAX_SIZE:,})")


def _bounded(function):
    """A filter that refuses a number argument over MAX_SIZE (and a %-format with a huge width)."""
    @functools.wraps(function)
    def bounded(*args, **kwargs):
        for value in list(args) + list(kwargs.values()):
            if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_SIZE:
                raise jinja2.sandbox.SecurityError(f"filter {function.__name__}: {value} is too large")
        if function.__name__ == "do_format" and args and isinstance(args[0], str):
            check_format(args[0], args[1:] + tuple(kwargs.values()), "filter format")
        return function(*args, **kwargs)
    return bounded
