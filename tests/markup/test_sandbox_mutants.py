"""The sandbox on its own: plain data in (each refusal names where), the allow-list of attributes
and calls per type, the globals kept and removed, the size guards' edges and the bounded filters
(found by mutation testing, docs/development.md)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import jinja2
import pytest
from jinja2.sandbox import SecurityError
from markupsafe import Markup

from leafletgen.markup.sandbox import MAX_SIZE, FrozenMap, TemplateEnvironment, check_format, freeze


def render(source: str, **context) -> str:
    env = TemplateEnvironment(autoescape=False, undefined=jinja2.StrictUndefined)
    return env.from_string(source).render(**{key: freeze(value) for key, value in context.items()})


def test_plain_data_is_frozen():
    day = dt.date(2026, 12, 1)
    frozen = freeze({"a": [1, "x", None, True, 2.5, day, Markup("<b>")], "b": {"c": {1, 2}}, "d": ("t",)})
    assert isinstance(frozen, FrozenMap) and frozen["a"] == (1, "x", None, True, 2.5, day, Markup("<b>"))
    assert isinstance(frozen["b"], FrozenMap) and frozen["b"]["c"] == frozenset({1, 2})
    assert frozen["d"] == ("t",) and len(frozen) == 3 and list(frozen) == ["a", "b", "d"]
    assert repr(FrozenMap({"a": 1})) == "FrozenMap({'a': 1})"
    with pytest.raises(AttributeError, match="read-only"):
        frozen.x = 1
    with pytest.raises(TypeError):
        frozen["z"] = 1


@pytest.mark.parametrize("value, where, kind", [
    ({"a": {"b": [1, Path("/etc")]}}, "context.a.b[1]", "pathlib.PosixPath"),
    ({"a": [{"b": print}]}, "context.a[0].b", "builtins.builtin_function_or_method"),
    ({"s": {object()}}, "context.s{}", "builtins.object"),
])
def test_anything_else_names_where_it_is(value, where, kind):
    with pytest.raises(TypeError) as error:
        freeze(value)
    assert str(error.value) == (f"template context: {where} is a {kind}, not plain data (strings, numbers, "
                                "booleans, dates and containers of them)")


def test_a_key_must_be_a_string():
    with pytest.raises(TypeError) as error:
        freeze({"a": {1: "x"}})
    assert str(error.value) == "template context: a key of context.a is a int, not a string"
    assert freeze({"a": 1}, "block")["a"] == 1


@pytest.mark.parametrize("source, expected", [
    ("{{ s.upper() }} {{ s.split('b') }} {{ m.striptags() }}", "ABC ['a', 'c'] x"),
    ("{{ d.get('a') }} {{ d['a'] }} {{ d.a }} {{ d.items()|list }} {{ d.keys()|list }} {{ d.values()|list }}",
     "1 1 1 [('a', 1)] ['a'] [1]"),
    ("{{ t.index(2) }} {{ t.count(1) }} {{ day.year }} {{ day.isoformat() }} {{ day.weekday() }}",
     "1 1 2026 2026-12-01 1"),
    ("{% for x in t %}{{ loop.index }}{{ loop.first }}{{ loop.length }}{% endfor %}", "1True22False2"),
    ("{% set c = cycler('a', 'b') %}{{ c.next() }}{{ c.next() }}{{ c.current }}", "aba"),
    ("{% set j = joiner(', ') %}{% for x in t %}{{ j() }}{{ x }}{% endfor %}", "1, 2"),
    ("{% set n = namespace(v=1) %}{% set n.v = n.v + 1 %}{{ n.v }} {{ range(3)|list }}", "2 [0, 1, 2]"),
    ("{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1) }} {{ m.name }} {{ m.arguments }}", "1 m ('a',)"),
    ("{% macro m() %}[{{ caller() }}]{% endmacro %}{% call m() %}x{% endcall %}", "[x]"),
    ("{{ {'a': 1}.get('a') }} {{ [3, 4].index(4) }}", "1 1"),
])
def test_what_a_template_may_read_and_call(source, expected):
    assert render(source, s="abc", m=Markup("<i>x</i>"), d={"a": 1}, t=[1, 2],
                  day=dt.date(2026, 12, 1)) == expected


@pytest.mark.parametrize("source", [
    "{{ s.format(1) }}", "{{ s.encode() }}", "{{ s.__class__ }}", "{{ d.copy() }}", "{{ d._data }}",
    "{{ t.__len__() }}", "{{ day.replace(year=1) }}", "{{ day.strftime('%Y') }}", "{{ lipsum() }}",
    "{{ dict(a=1) }}", "{{ s.upper.__self__ }}", "{{ d.get.__call__('a') }}", "{{ loop }}", "{{ n.__dict__ }}",
    "{{ ''.__class__.__mro__ }}", "{{ [].append(1) }}", "{{ cycler.__init__ }}",
])
def test_what_a_template_may_not(source):
    with pytest.raises((SecurityError, jinja2.UndefinedError, TypeError)):
        render(source, s="abc", d={"a": 1}, t=[1, 2], day=dt.date(2026, 12, 1), n=1)


def test_a_namespace_and_an_imported_template_export_what_they_hold():
    env = TemplateEnvironment(loader=jinja2.DictLoader({"m.j2": "{% macro box(x) %}[{{ x }}]{% endmacro %}"
                                                                "{% set colour = 'blauw' %}"}))
    assert env.from_string('{% import "m.j2" as m %}{{ m.box(1) }} {{ m.colour }}').render() == "[1] blauw"


def test_gettext_is_callable_once_allowed():
    env = TemplateEnvironment(extensions=["jinja2.ext.i18n"])
    env.install_null_translations(newstyle=True)
    with pytest.raises(SecurityError):
        env.from_string("{{ _('Telefoon') }}").render()
    env.allow_globals("_", "gettext", "ngettext", "missing")
    assert env.from_string("{{ _('Telefoon') }} {{ ngettext('dag', 'dagen', 2) }}").render() == "Telefoon dagen"


def test_calling_undefined_says_so():
    with pytest.raises(jinja2.UndefinedError, match="'nothing' is undefined"):
        TemplateEnvironment(undefined=jinja2.StrictUndefined).from_string("{{ nothing() }}").render()


def test_a_function_of_the_context_is_not_callable():
    env = TemplateEnvironment()
    with pytest.raises(SecurityError):
        env.from_string("{{ f() }}").render(f=lambda: 1)
    with pytest.raises(SecurityError):
        env.from_string("{{ c() }}").render(c=type("C", (), {"__call__": lambda self: 1})())
    with pytest.raises(SecurityError):
        env.from_string("{{ s.upper() }}").render(s=type("S", (), {"upper": lambda self: 1})())


@pytest.mark.parametrize("source, message", [
    ('{{ "ab" * 500001 }}', "str * 500001 would make 1,000,002 items; at most 1,000,000"),
    ('{{ 500001 * [1, 2] }}', "list * 500001 would make 1,000,002 items; at most 1,000,000"),
    ("{{ 3 ** 700000 }}", "3 ** 700000 is too large a number"),
    ("{{ 2 ** 500001 }}", "2 ** 500001 is too large a number"),
    ('{% set s = "x" * 600000 %}{{ s + s }}', "the sum would have more than 1,000,000 items"),
    ('{{ "%1000001s" % 1 }}', "%-format: the width or precision 1000001 is too large (at most 1,000,000)"),
    ('{{ "%*s" % (1000001, 1) }}', "%-format: the width or precision from `*` is too large (at most 1,000,000)"),
    ('{{ "%1000001s"|format(1) }}', "filter format: the width or precision 1000001 is too large"),
    ('{{ "x"|center(1000001) }}', "filter do_center: 1000001 is too large"),
    ('{{ "x"|indent(width=-1000001) }}', "filter do_indent: -1000001 is too large"),
])
def test_each_guard_says_what_it_refused(source, message):
    with pytest.raises(SecurityError) as error:
        render(source)
    assert str(error.value).startswith(message)


@pytest.mark.parametrize("source, expected", [
    ('{{ ("ab" * 500000)|length }}', "1000000"),
    ('{{ (1 ** 10000000) }} {{ (-1) ** 10000001 }} {{ 0 ** 10000000 }}', "1 -1 0"),
    ("{{ (2 ** 500000) > 1 }} {{ (-2) ** 3 }}", "True -8"),
    ('{{ ("%00000000001000000s" % 1)|length }}', "1000000"),
    ('{{ "x"|center(1000000)|length }} {{ "x"|indent(true) }}', "1000000 x"),
    ('{{ ("%*s" % (-1000000, "x"))|length }}', "1000000"),
    ('{{ "%s"|format(1000000) }}', "1000000"),
    ('{{ (True * "ab") }}', "ab"),
    ('{{ "%(a)s" % {"a": 1} }}', "1"),
])
def test_at_the_edges_it_renders(source, expected):
    assert render(source) == expected


def test_a_negative_count_of_a_long_sequence_renders_nothing():
    assert render('{{ "ab" * -2000000 }}|{{ -2000000 * [1] }}') == "|[]"


@pytest.mark.parametrize("fmt, arguments", [
    ("%(a(b)c)1000001s", ()), ("%-#0 +1000001d", ()), ("%.1000001f", ()), ("%5.1000001f", ()),
    ("%s %%1000001 %1000001s", ()), ("%.*f", (1000001, 1.0)), ("%*d", (-1000001, 1)),
    ("%" + "0" * 3 + "99999999d", ()), ("%.5f%1000001s", ()), ("%.25s%1000001s", ()), ("%s %1000001s %s", ()),
])
def test_check_format_refuses(fmt, arguments):
    with pytest.raises(SecurityError):
        check_format(fmt, arguments)


@pytest.mark.parametrize("fmt, arguments", [
    ("%(a(b)c)1000000s", ()), ("%-#0 +1000000d", ()), ("%.1000000f", ()), ("%%1000001", ()),
    ("%s", (10 ** 9,)), ("%d%%", (10 ** 9,)), ("%*d", (1000000, 5)), ("%00000001000000d", ()),
    ("(%s)", (1,)), ("%(a)s %(b)1000000s", ()),
    ("%(abc", ()), ("abc %-", ()), ("abc %5.", ()), ("%X1000001", ()),   # unfinished; hex, then digits
    ("%.1234f", ()), ("%10.1234f %s", ()), ("ab %.1234f", ()),
])
def test_check_format_lets_through(fmt, arguments):
    check_format(fmt, arguments)


def test_max_size():
    assert MAX_SIZE == 1_000_000


def test_a_huge_width_is_named_by_its_first_twelve_digits():
    with pytest.raises(SecurityError) as error:
        check_format("%12345678901234567890s", ())
    assert str(error.value).startswith("%-format: the width or precision 123456789012 is too large")


@pytest.mark.parametrize("name", ["lipsum", "dict"])
def test_lipsum_and_dict_are_not_there(name):
    with pytest.raises(jinja2.UndefinedError):
        render("{{ %s }}" % name)


def test_nothing_of_a_namespace_that_starts_with_an_underscore():
    with pytest.raises(SecurityError):
        render("{% set n = namespace(v=1) %}{{ n.__class__ }}")
    with pytest.raises(SecurityError):
        render("{% set n = namespace(v=1) %}{{ n._Namespace__attrs }}")
