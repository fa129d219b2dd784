"""Hostile input, part 9: nothing in the template context reaches the file system.

The defect this guards against: the context held objects with methods that do I/O (`leaflet.path`,
`practice.logo` and `practice.template_dir` were `pathlib.Path`s, and `image_url` a function that
read files). Jinja's sandbox only refuses underscore attributes and the mutation of lists and
dicts, so a practice's template override could read any file into the PDF and HTML
(`{{ practice.logo.parent.parent.joinpath("../.ssh/id_rsa").read_text() }}`), list folders,
write files (a .pth file in site-packages ran code at the next start) and delete them, and the
build reported success.

Two tests would each have caught it:
- the walk: every value a template can reach, through every attribute the sandbox lets through
  (asked the way Jinja asks it, `env.getattr`), is plain data, and every callable it can reach is
  a pure method of a string, a mapping, a tuple or a date;
- the attack: a practice override that tries to read, write and delete through every object of the
  context, by every name a Path or a model has, rendered for real: each attempt is refused, no file
  is read, written or removed.
"""

from __future__ import annotations

import dataclasses

import datetime as dt
import gettext
import types

import jinja2
import pytest

from leafletgen.render import BuildRequest
from leafletgen.errors import UserError
from leafletgen.markup.html import RenderOptions, render_html, template_context
from leafletgen.inputs.bundle import load_bundle
from leafletgen.markup.templates import environment, install_translations
from leafletgen.translate.catalogs import translate_leaflet
from leafletgen.markup.sandbox import ALLOWED, FrozenMap, PLAIN, freeze

from tests.conftest import run_cli
from tests.hostile import LEAFLET, PRACTICE, png

SECRET = "GEHEIM-5318"


def contexts(project):
    """The contexts of a few documents: Dutch with a logo and a picture, Arabic bilingual, a Polish
    draft, each as for the PDF and as for the HTML."""
    (project.leaflets_dir / "rug.png").write_bytes(png())
    path = project.leaflets_dir / f"{LEAFLET}.md"
    path.write_text(path.read_text() + "\n![Een rug](rug.png)\n")
    found = []
    for lang, bilingual in (("nl", False), ("ar", True), ("de", False)):
        request = BuildRequest(LEAFLET, lang, PRACTICE, bilingual=bilingual, allow_draft=True)
        bundle = load_bundle(project, request)
        leaflet = bundle.leaflet
        source = leaflet if bilingual else None
        if lang != "nl":
            leaflet = translate_leaflet(leaflet, bundle.catalog, lang)
        for for_pdf in (True, False):
            options = RenderOptions(bilingual=bilingual, for_pdf=for_pdf,
                                    extra={"qr": {"url": "https://x.example", "label": "x.example",
                                                  "src": "data:image/png;base64,AA=="}})
            found.append((f"{lang}{' bilingual' if bilingual else ''} for_pdf={for_pdf}",
                          template_context(bundle, leaflet, options, source),
                          environment(bundle.project, bundle.practice)))
    return found


def reachable(env, value, path="context", seen=None, out=None, depth=0):
    """(path, value) for everything a template can reach from `value`: items of containers, and
    every attribute name dir() knows, through the sandbox's own env.getattr (12 steps deep: a
    Path's `.parent.parent…` never ends)."""
    seen = set() if seen is None else seen
    out = [] if out is None else out
    if id(value) in seen or depth > 12:
        return out
    seen.add(id(value))
    out.append((path, value))
    if isinstance(value, FrozenMap) or isinstance(value, dict):
        for key in value:
            reachable(env, value[key], f"{path}.{key}", seen, out, depth + 1)
    elif isinstance(value, (tuple, list, frozenset)):
        for index, item in enumerate(value):
            reachable(env, item, f"{path}[{index}]", seen, out, depth + 1)
    for name in dir(value):
        got = env.getattr(value, name)
        if isinstance(got, jinja2.Undefined):
            continue                                  # refused, or not there
        reachable(env, got, f"{path}.{name}", seen, out, depth + 1)
    return out


def test_every_value_a_template_can_reach_is_plain_data(project):
    checked = 0
    for label, context, env in contexts(project):
        for path, value in reachable(env, context):
            checked += 1
            if callable(value):
                owner = getattr(value, "__self__", None)
                assert isinstance(value, (types.BuiltinMethodType, types.MethodType)), (label, path, value)
                assert isinstance(owner, (str, FrozenMap, tuple, dt.date)), (label, path, value)
                assert value.__name__ in ALLOWED[type(owner)] or value.__name__ in ALLOWED.get(
                    next(k for k in type(owner).__mro__ if k in ALLOWED), ()), (label, path)
            else:
                assert isinstance(value, PLAIN + (FrozenMap, tuple, frozenset)), (label, path, type(value))
            assert "Path" not in type(value).__name__, (label, path)
    assert checked > 500          # the walk really went through the blocks, the practice, the leaflet


def test_the_walk_finds_what_the_old_context_exposed(project):
    """The walk can fail: under Jinja's own sandbox (a deny-list) a Path in the context is reached
    with its file-touching methods; under ours it is not."""
    from pathlib import Path

    old_style = {"practice": types.SimpleNamespace(logo=Path("/etc/hostname"))}
    found = {path for path, value in reachable(jinja2.sandbox.ImmutableSandboxedEnvironment(), old_style)}
    assert {"context.practice.logo.read_text", "context.practice.logo.unlink",
            "context.practice.logo.write_bytes"} <= found
    ours = environment(project, load_bundle(project, BuildRequest(LEAFLET)).practice)
    reached = {path for path, value in reachable(ours, old_style)}
    assert "context.practice" in reached and not any(path.startswith("context.practice.") for path in reached)


def test_anything_but_plain_data_is_refused_before_a_template_runs():
    from pathlib import Path

    for bad in (Path("/etc/passwd"), open, lambda: 1, object(), types.SimpleNamespace(x=1)):
        with pytest.raises(TypeError, match="not plain data"):
            freeze({"practice": {"logo": bad}})
    frozen = freeze({"a": [1, {"b": "c"}], "d": dt.date(2026, 1, 1)})
    assert frozen["a"][1]["b"] == "c" and isinstance(frozen["a"], tuple)
    with pytest.raises(TypeError):
        frozen["x"] = 1                                           # read-only


# ---- The attack, rendered for real -----------------------------------------------------------------

IO_NAMES = [
    "read_text()", "read_bytes()", "open()", "open('w')", "write_text('x')", "write_bytes(b'x')",
    "unlink()", "rmdir()", "mkdir()", "touch()", "rename('x')", "replace('x')", "symlink_to('x')",
    "hardlink_to('x')", "chmod(0)", "iterdir()", "glob('*')", "rglob('*')", "exists()",
    "resolve()", "absolute()", "parent", "parents", "as_uri()", "home()", "cwd()", "joinpath('x')",
    "path", "rel_path", "logo", "template_dir", "notes", "blocks", "units()", "with_texts(['x'])",
    "is_draft", "page_css()", "__class__", "__init__.__globals__", "__reduce_ex__(2)",
    "mro()", "format('{0.__class__}')", "format_map({})", "copy()", "__dict__", "fromkeys('ab')",
    "gi_frame", "f_globals", "func_globals", "_data", "_mapping", "mapping",
]
TARGETS = ["practice", "leaflet", "source", "variant", "blocks[0]", "blocks", "qr", "logo_src",
           "title", "published", "loop", "self", "range", "dict", "namespace()", "cycler(1)",
           "joiner()", "_", "gettext", "ngettext", "lipsum", "image_url", "config", "request",
           "environment", "context", "caller", "varargs", "kwargs"]


def override(project, text: str) -> None:
    folder = project.practices_dir / PRACTICE / "templates" / "blocks"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "callout.html.j2").write_text(text)


@pytest.fixture
def armed(project, tmp_path):
    """Canaries: a secret outside the project, a file inside that must not be removed; the
    practice's templates folder made first, so the override is searched."""
    (tmp_path / "secret.txt").write_text(SECRET)
    (project.root / "canary.txt").write_text("blijf")
    (project.practices_dir / PRACTICE / "templates" / "blocks").mkdir(parents=True)
    bundle = load_bundle(project, BuildRequest(LEAFLET, "nl", PRACTICE))
    assert bundle.practice.template_dir is not None
    # The bundle, its templates read from disk as each attempt writes them.
    return project, dataclasses.replace(bundle, project=project)


def files(project) -> set[str]:
    return {p.relative_to(project.root).as_posix() for p in project.root.rglob("*")}


TOUCHES_FILES = {name for name in IO_NAMES if name.split("(")[0] in {
    "read_text", "read_bytes", "open", "write_text", "write_bytes", "unlink", "rmdir", "mkdir",
    "touch", "rename", "replace", "symlink_to", "hardlink_to", "chmod", "iterdir", "glob", "rglob",
    "exists", "resolve", "absolute", "home", "cwd", "__init__.__globals__", "__reduce_ex__",
    "format", "format_map", "gi_frame", "f_globals", "func_globals"}}


@pytest.mark.slow
def test_a_practice_template_cannot_read_write_or_delete_through_any_object(armed):
    project, bundle = armed
    before = files(project)
    translations = bundle.template_translations
    attempts, rendered = 0, []
    for target in TARGETS:
        for name in IO_NAMES:
            expression = f"{target}.{name}"
            attempts += 1
            override(project, f'<aside class="callout" data-attempt="{attempts}"><p>{{{{ {expression} }}}}'
                              "</p></aside>\n")
            try:
                html = render_html(bundle, bundle.leaflet, translations, RenderOptions(for_pdf=False))
            except (jinja2.TemplateError, UserError) as exc:
                assert SECRET not in str(exc)
                continue
            # Rendered: the override was used, and what it printed is harmless.
            assert f'data-attempt="{attempts}"' in html, expression
            assert SECRET not in html, expression
            assert name not in TOUCHES_FILES, expression
            rendered.append(expression)
    after = files(project)
    assert after == before | {f"practices/{PRACTICE}/templates/blocks/callout.html.j2"}
    assert (project.root / "canary.txt").read_text() == "blijf"
    # What renders at all: plain values of the data ("blocks.count" is a tuple's count method).
    assert len(rendered) < 0.05 * attempts, rendered


@pytest.mark.slow
@pytest.mark.parametrize("expression, message", [
    ("practice.logo.read_text()", "template error: 'leafletgen.markup.sandbox.FrozenMap object' has no "
                                  "attribute 'logo'"),
    ("leaflet.path.unlink()", "template error: "),
    ("image_url('../../../etc/passwd')", "template error: 'image_url' is undefined"),
    ("practice.name.__class__", "not allowed in a template: access to attribute '__class__'"),
    ("practice.items.__self__", "not allowed in a template: access to attribute '__self__'"),
    ("blocks.index.__self__", "not allowed in a template: access to attribute '__self__'"),
    ("practice.name.format('{0.__class__}')", "not allowed in a template: access to attribute 'format' "
                                              "of 'str' object is unsafe."),
    ("'x' * 10**10", "not allowed in a template: str * 10000000000 would make 10,000,000,000 items"),
    ("10 ** 10000000", "not allowed in a template: 10 ** 10000000 is too large a number"),
    ("'x'|center(10**10)", "not allowed in a template: filter do_center: 10000000000 is too large"),
    ("'%0999999999d'|format(1)", "not allowed in a template: filter format: the width or precision"),
    ("lipsum(10**6)", "template error: 'lipsum' is undefined"),
    ("range(10**9)|list", "template error: Range too big."),
])
def test_each_attack_is_one_line_naming_the_template_and_its_line(project, tmp_path, expression, message):
    override(project, "<aside class=\"callout\">\n<p>{{ " + expression + " }}</p></aside>\n")
    run = run_cli("build", "--leaflet", LEAFLET, "--practice", PRACTICE, "--out", str(tmp_path / "out"),
                  root=project.root)
    assert (run.code, run.out) == (1, ""), run
    assert run.err.startswith(f"error: practices/{PRACTICE}/templates/blocks/callout.html.j2:2: {message}"), run.err
    assert len(run.err.splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_what_a_template_may_do_still_works(project, tmp_path):
    """Control: plain data, its allowed methods, loops, macros (also imported), namespaces and
    gettext render. (What they make goes into an attribute: words a template adds to the page
    are refused by the text proof.)"""
    (project.practices_dir / PRACTICE / "templates" / "blocks").mkdir(parents=True)
    (project.practices_dir / PRACTICE / "templates" / "blocks" / "macros.html.j2").write_text(
        '{% macro box(text, data) %}<aside class="callout" data-made="{{ data }}"><p>{{ text }}</p></aside>'
        '{% endmacro %}\n')
    override(project, """{% import "blocks/macros.html.j2" as macros %}{% set box = macros.box %}
{% set ns = namespace(n=0) %}{% for item in practice.items() %}{% set ns.n = ns.n + 1 %}{% endfor %}
{{ box(block.html, practice.name.upper() ~ " · " ~ ns.n ~ " · " ~ leaflet.published.year
       ~ " · " ~ _("Telefoon") ~ " · " ~ blocks|length ~ " · " ~ practice["phone"].split()|join("-")) }}
""")
    run = run_cli("build", "--leaflet", LEAFLET, "--practice", PRACTICE, "--out", str(tmp_path),
                  root=project.root)
    assert run.code == 0, run
    html = (tmp_path / PRACTICE / "nl" / f"{LEAFLET}.html").read_text()
    assert "FYSIOTHERAPIE DE LINDE · 7 · 2026 · Telefoon · " in html and "030-123-45-67" in html


def test_a_template_that_gets_an_object_by_mistake_is_a_bug_not_a_leak(project):
    """Should code of leafletgen put a Path into `extra`, the render stops before any template."""
    from pathlib import Path

    bundle = load_bundle(project, BuildRequest(LEAFLET, "nl", PRACTICE))
    with pytest.raises(TypeError, match=r"context\.qr\.file is a pathlib\.PosixPath, not plain data"):
        render_html(bundle, bundle.leaflet, gettext.NullTranslations(),
                    RenderOptions(extra={"qr": {"file": Path("/etc/passwd")}}))
    env = environment(project, bundle.practice)
    install_translations(env, gettext.NullTranslations())
    assert env.is_safe_callable(env.globals["_"]) and not env.is_safe_callable(open)
