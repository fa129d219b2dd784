"""The sandbox's size guards, each operator in each operand order: `*` (sequence * count and
count * sequence, for strings, lists and tuples), `+`, `%` and `**`. Just over the limit is
refused before anything is allocated; at the limit it renders (the control)."""

from __future__ import annotations

import jinja2
import pytest
from jinja2.sandbox import SecurityError

from leafletgen.markup.sandbox import MAX_SIZE, TemplateEnvironment

OVER = MAX_SIZE + 1
HALF = MAX_SIZE // 2 + 1          # two of these make more than MAX_SIZE

REFUSED = {
    "str * n": f'{{{{ ("x" * {OVER})|length }}}}',
    "n * str": f'{{{{ ({OVER} * "x")|length }}}}',
    "list * n": f"{{{{ ([0] * {OVER})|length }}}}",
    "n * list": f"{{{{ ({OVER} * [0])|length }}}}",
    "tuple * n": f"{{{{ ((0,) * {OVER})|length }}}}",
    "n * tuple": f"{{{{ ({OVER} * (0,))|length }}}}",
    "long str * n": f'{{{{ ("{"x" * 1000}" * {OVER // 1000 + 1})|length }}}}',
    "n * long str": f'{{{{ ({OVER // 1000 + 1} * "{"x" * 1000}")|length }}}}',
    "str + str": f'{{% set s = "x" * {HALF} %}}{{{{ (s + s)|length }}}}',
    "list + list": f"{{% set s = [0] * {HALF} %}}{{{{ (s + s)|length }}}}",
    "tuple + tuple": f"{{% set s = (0,) * {HALF} %}}{{{{ (s + s)|length }}}}",
    "str % value": f'{{{{ ("%{OVER}s" % 1)|length }}}}',
    "str % tuple": f'{{{{ ("%s%{OVER}d" % ("a", 1))|length }}}}',
    "str % mapping": f'{{{{ ("%(a){OVER}s" % {{"a": 1}})|length }}}}',
    "str % star": f'{{{{ ("%*d" % ({OVER}, 1))|length }}}}',
    "int ** int": f"{{{{ (2 ** {OVER})|string|length }}}}",
    "negative int ** int": f"{{{{ ((-2) ** {OVER})|string|length }}}}",
    "big int ** int": f"{{{{ ((10 ** 1000) ** {OVER // 1000})|string|length }}}}",
}

ALLOWED = {
    "str * n": (f'{{{{ ("x" * {MAX_SIZE})|length }}}}', str(MAX_SIZE)),
    "n * str": (f'{{{{ ({MAX_SIZE} * "x")|length }}}}', str(MAX_SIZE)),
    "n * list": (f"{{{{ ({MAX_SIZE} * [0])|length }}}}", str(MAX_SIZE)),
    "str + str": (f'{{% set s = "x" * {MAX_SIZE // 2} %}}{{{{ (s + s)|length }}}}', str(MAX_SIZE)),
    "str % value": ('{{ ("%1000s" % 1)|length }}', "1000"),
    "int ** int": ("{{ 2 ** 100 }}", str(2 ** 100)),
    "numbers": ("{{ 6 * 7 }} {{ 40 + 2 }} {{ 85 % 43 }} {{ 2 ** 0.5 > 1.41 }}", "42 42 42 True"),
}


def environment() -> TemplateEnvironment:
    return TemplateEnvironment(autoescape=True, undefined=jinja2.StrictUndefined)


@pytest.mark.parametrize("kind", list(REFUSED))
def test_over_the_limit_is_refused(kind):
    with pytest.raises(SecurityError):
        environment().from_string(REFUSED[kind]).render()


@pytest.mark.parametrize("kind", list(ALLOWED))
def test_at_the_limit_it_renders(kind):
    source, expected = ALLOWED[kind]
    assert environment().from_string(source).render() == expected
