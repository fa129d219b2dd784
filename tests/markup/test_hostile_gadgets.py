"""Hostile templates, part 2: gadgets of Jinja itself. %-formatting (the `%` operator and the
`format` filter) with a width or precision of millions is refused before it allocates, however the
conversion is spelled (a `%(name)` key, nested parentheses in it, a `*` width)."""

from __future__ import annotations

import jinja2
import pytest
from jinja2.sandbox import SecurityError

from leafletgen.markup.sandbox import TemplateEnvironment

from tests.conftest import run_cli
from tests.hostile import LEAFLET, PRACTICE

# Each makes a string of 2,000,000 characters or more: twice the sandbox's MAX_SIZE, small enough
# that a test which lets one through still ends quickly.
TOO_WIDE = [
    '{{ "%(a)2000000s"|format(a=1) }}',
    '{{ "%(a(b))2000000s"|format(**{"a(b)": 1}) }}',
    '{{ "%(a)-.2000000f"|format(a=1) }}',
    '{{ ("%" ~ "2000000d") % 1 }}',
    '{{ "%(a)2000000s" % {"a": 1} }}',
    '{{ "%*d" % (2000000, 1) }}',
    '{{ "%.*f" % (2000000, 1) }}',
    '{{ "%s %2000000s" % ("a", 1) }}',
]


@pytest.mark.parametrize("source", TOO_WIDE)
def test_a_huge_format_width_is_refused_before_it_allocates(source):
    env = TemplateEnvironment(autoescape=True, undefined=jinja2.StrictUndefined)
    with pytest.raises(SecurityError, match="width or precision"):
        env.from_string(source).render()


@pytest.mark.parametrize("source, expected", [
    ('{{ "%(a)5s|%(b)-3d|%(c).2f|%%" % {"a": 1, "b": 2, "c": 3} }}', "    1|2  |3.00|%"),
    ('{{ "%5s|%.2f"|format("x", 1) }}', "    x|1.00"),
    ('{{ "%d %%" % 50 }}', "50 %"),
    ('{{ "Bel 0301234567 of %s"|format("mail") }}', "Bel 0301234567 of mail"),
])
def test_ordinary_formatting_still_works(source, expected):
    env = TemplateEnvironment(autoescape=False, undefined=jinja2.StrictUndefined)
    assert env.from_string(source).render() == expected


def test_a_practice_template_formatting_a_huge_width_is_refused_with_its_line(project):
    folder = project.practices_dir / PRACTICE / "templates" / "blocks"
    folder.mkdir(parents=True)
    (folder / "heading.html.j2").write_text('<h2>{{ block.html }}</h2>\n{{ ("%" ~ "2000000d") % 1 }}\n')
    out = project.root / "out"
    run = run_cli("build", "--leaflet", LEAFLET, "--practice", PRACTICE, "--out", str(out),
                  root=project.root)
    assert run.code == 1, run
    assert run.err.startswith(f"error: practices/{PRACTICE}/templates/blocks/heading.html.j2:2: "
                              "not allowed in a template: %-format: the width or precision "), run
    assert len(run.err.splitlines()) == 1
    assert not out.exists()
