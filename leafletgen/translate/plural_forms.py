"""A catalog's Plural-Forms header, parsed with the grammar of GNU gettext and evaluated here.

A catalog's header says how many forms a plural message has and which one a number takes:

    Plural-Forms: nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);

The expression is C: the number `n`, decimal constants, `( )`, `! * / % + - < > <= >= == != && ||`
and `? :`, with C's precedence, in unsigned long arithmetic (as gettext evaluates it). Anything
else (a name, a call, a string, a second statement) is refused, and so is a header that would make
the tools misbehave: more than MAX_FORMS forms (Babel makes a list of `nplurals` strings for every
plural message: a billion forms took 3.8 GB), an expression longer than MAX_LENGTH characters or
nested deeper than MAX_DEPTH. The rule is then evaluated for every n from 0 to CHECK_UP_TO: a
division by zero, or a form number not below nplurals, is refused before the catalog is used.

Nothing is ever given to Python's `eval` (the standard library's gettext compiles the expression
to Python source); `PluralRule.form(n)` walks the parsed expression.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

MAX_FORMS = 6          # Arabic, the language with the most, has 6
MAX_LENGTH = 500       # the longest real rule (Arabic's) is about 100 characters
MAX_DEPTH = 32
MAX_CONSTANT = 10 ** 9
CHECK_UP_TO = 1000
_ULONG = (1 << 64) - 1

_HEADER_RE = re.compile(r"^\s*nplurals\s*=\s*(\d+)\s*;\s*plural\s*=\s*(.*?)\s*;?\s*$", re.S)
_TOKEN_RE = re.compile(r"\s*(?:(\d+)|(n)|(\|\||&&|==|!=|<=|>=|[-+*/%<>!?:()]))")


class PluralFormsError(ValueError):
    """The header cannot be used; the message says why, in the translator's terms."""


@dataclass(frozen=True)
class PluralRule:
    nplurals: int
    expression: str
    _evaluate: Callable[[int], int]

    def form(self, n: int) -> int:
        """The form `n` takes; PluralFormsError for a division by zero or a form out of range."""
        try:
            index = self._evaluate(int(n) & _ULONG)
        except ZeroDivisionError:
            raise PluralFormsError(f"plural={self.expression} divides by zero for n={n}") from None
        if index >= self.nplurals:
            raise PluralFormsError(f"plural={self.expression} gives form {index} for n={n}, but "
                                   f"nplurals={self.nplurals} allows only 0 to {self.nplurals - 1}")
        return index


DEFAULT = "nplurals=2; plural=(n != 1);"   # gettext's rule when a catalog has none


def parse_plural_forms(value: str) -> PluralRule:
    """The header's value (after `Plural-Forms:`) as a rule, checked for n = 0..CHECK_UP_TO."""
    match = _HEADER_RE.match(value)
    if not match:
        raise PluralFormsError("must read 'nplurals=N; plural=EXPRESSION;', e.g. "
                               "'nplurals=2; plural=(n != 1);'")
    digits, expression = match.group(1), match.group(2)
    if len(digits) > 3 or not 1 <= int(digits) <= MAX_FORMS:
        raise PluralFormsError(f"nplurals={digits[:12]}: a language has 1 to {MAX_FORMS} plural forms")
    nplurals = int(digits)
    if len(expression) > MAX_LENGTH:
        raise PluralFormsError(f"the plural expression is {len(expression)} characters long; at "
                               f"most {MAX_LENGTH}")
    evaluate = _Parser(expression).parse()
    rule = PluralRule(nplurals, expression, evaluate)
    for n in range(CHECK_UP_TO + 1):
        rule.form(n)
    return rule


class _Parser:
    """Recursive descent over GNU gettext's grammar (plural.y), lowest precedence first:
    ?: (right), ||, &&, == !=, < > <= >=, + -, * / %, ! (right), then n, a number or ( … )."""

    def __init__(self, text: str):
        self.text = text
        self.tokens: list[tuple[str, str]] = []
        position = 0
        while position < len(text):
            if text[position:].strip() == "":
                break
            match = _TOKEN_RE.match(text, position)
            if not match:
                raise PluralFormsError(f"plural={text}: {text[position:].strip()[:20]!r} is not "
                                       "allowed; only n, numbers, ( ), ! * / % + - < > <= >= == != "
                                       "&& || and ? : may be used")
            number, variable, operator = match.groups()
            if number is not None:
                if int(number) > MAX_CONSTANT:
                    raise PluralFormsError(f"plural={text}: the number {number} is too large")
                self.tokens.append(("number", number))
            elif variable:
                self.tokens.append(("n", "n"))
            else:
                self.tokens.append(("op", operator))
            position = match.end()
        self.index = 0
        self.depth = 0

    def parse(self) -> Callable[[int], int]:
        if not self.tokens:
            raise PluralFormsError("the plural expression is empty")
        result = self.ternary()
        if self.index != len(self.tokens):
            raise PluralFormsError(f"plural={self.text}: unexpected {self.tokens[self.index][1]!r}")
        return result

    def peek(self) -> str | None:
        return self.tokens[self.index][1] if self.index < len(self.tokens) else None

    def take(self, expected: str | None = None) -> tuple[str, str]:
        if self.index >= len(self.tokens):
            raise PluralFormsError(f"plural={self.text}: the expression ends too early")
        token = self.tokens[self.index]
        if expected is not None and token[1] != expected:
            raise PluralFormsError(f"plural={self.text}: expected {expected!r}, found {token[1]!r}")
        self.index += 1
        return token

    def deeper(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise PluralFormsError(f"plural={self.text}: nested more than {MAX_DEPTH} deep")

    def ternary(self):
        self.deeper()
        condition = self.binary(0)
        if self.peek() == "?":
            self.take("?")
            yes = self.ternary()
            self.take(":")
            no = self.ternary()
            result = lambda n: yes(n) if condition(n) else no(n)  # noqa: E731
        else:
            result = condition
        self.depth -= 1
        return result

    _LEVELS = (("||",), ("&&",), ("==", "!="), ("<", ">", "<=", ">="), ("+", "-"), ("*", "/", "%"))

    def binary(self, level: int):
        if level == len(self._LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while self.peek() in self._LEVELS[level]:
            operator = self.take()[1]
            right = self.binary(level + 1)
            left = _combine(operator, left, right)
        return left

    def unary(self):
        if self.peek() == "!":
            self.take("!")
            self.deeper()
            operand = self.unary()
            self.depth -= 1
            return lambda n: 0 if operand(n) else 1
        kind, value = self.take()
        if kind == "n":
            return lambda n: n
        if kind == "number":
            constant = int(value)
            return lambda n: constant
        if value == "(":
            self.deeper()
            inner = self.ternary()
            self.depth -= 1
            self.take(")")
            return inner
        raise PluralFormsError(f"plural={self.text}: unexpected {value!r}")


def _combine(operator: str, left, right):
    if operator == "||":
        return lambda n: 1 if left(n) or right(n) else 0
    if operator == "&&":
        return lambda n: 1 if left(n) and right(n) else 0
    compare = {"==": int.__eq__, "!=": int.__ne__, "<": int.__lt__, ">": int.__gt__,
               "<=": int.__le__, ">=": int.__ge__}.get(operator)
    if compare is not None:
        return lambda n: 1 if compare(left(n), right(n)) else 0
    if operator == "+":
        return lambda n: (left(n) + right(n)) & _ULONG
    if operator == "-":
        return lambda n: (left(n) - right(n)) & _ULONG
    if operator == "*":
        return lambda n: (left(n) * right(n)) & _ULONG
    if operator == "/":
        return lambda n: left(n) // right(n)      # ZeroDivisionError is reported by form()
    return lambda n: left(n) % right(n)
