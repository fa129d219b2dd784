"""The Jinja2 environment a leaflet is rendered in.

Templates come from folders of the project, a practice's own first (practices/<id>/templates/),
each read as an input (Project.read: for a document, the bundle's reading of it): never through a
link, within its size limit, its text checked. Compiled templates are kept per process by their
source text. The environment is the allow-list sandbox (sandbox.py), autoescaping
everything; the filters the templates use are here, and the translations are installed so that a
translator's text is escaped too.
"""

from __future__ import annotations

import gettext as gettext_module
import hashlib
import html
import re
from dataclasses import dataclass
from pathlib import Path
from types import CodeType
from typing import Callable

import jinja2
from jinja2.loaders import split_template_path
from markupsafe import Markup, escape

from ..errors import Problem, UserError
from ..inputs.files import InputFileError
from .inline import plain_text, render_inline
from ..inputs.model import Practice
from ..inputs.project import Project
from .sandbox import TemplateEnvironment
from .typesetting import unbreakable
from ..inputs.characters import line_problems


class _MemoryBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates kept for the life of the process (a batch worker renders hundreds of
    documents; compiling the templates again for each cost about a tenth of its time): the code
    objects themselves (immutable, so nothing is unmarshalled per document), one per template
    file, used only while the file's text has the checksum it was compiled from (a changed or
    overriding template is compiled anew and replaces it). Only `environment()` uses it: the
    code is compiled for that environment's settings (sandbox, autoescape, i18n)."""

    def __init__(self):
        self._code: dict[str, tuple[str, CodeType]] = {}

    def load_bytecode(self, bucket):
        checksum, code = self._code.get(bucket.key, ("", None))
        bucket.code = code if checksum == bucket.checksum else None

    def dump_bytecode(self, bucket):
        self._code[bucket.key] = (bucket.checksum, bucket.code)


_BYTECODE = _MemoryBytecodeCache()


TEMPLATE_MAX_BYTES = 1024 * 1024     # ours are a few kB; leaflet.css about 10 kB


@dataclass(frozen=True)
class TemplateSource:
    """A folder templates are looked up in: its name as users see it (`practices/<id>/templates`,
    `templates`), where it lies (the file names tracebacks carry), and how a file of it is read:
    `read(relative, limit)` with files.read_file's answers, `relative` its path as users see it.
    A practice's folder and ours are the project's (`project_source`: for a document, its bundle's
    reading); the installed package's templates would be one more source, last, read as the font
    files are (inputs.bundle.page_fonts), and hashed into the bundle's digest as its files are."""

    folder: str
    path: Path
    read: Callable[[str, int], bytes]


def project_source(project: Project, folder: str) -> TemplateSource:
    return TemplateSource(folder, Path(project.root).resolve() / folder, project.read)


class TemplateLoader(jinja2.BaseLoader):
    """Templates from a list of sources, searched in order (a practice's own first).

    Each file is read as an input: a template or stylesheet that is a symbolic link, or lies in
    a linked folder (a linked `blocks/`, a linked `templates/`), is refused with its name, never
    followed; `..` in a name is not found. Its text is checked like every other input: no
    invisible or direction-changing characters, with the line."""

    def __init__(self, sources: tuple[TemplateSource, ...]):
        self.sources = sources

    def get_source(self, environment, template):
        parts = split_template_path(template)
        for source in self.sources:
            name = "/".join(parts)
            relative = f"{source.folder}/{name}"
            try:
                data = source.read(relative, TEMPLATE_MAX_BYTES)
            except InputFileError as exc:
                if exc.missing:
                    continue
                raise UserError(Problem(relative, exc.reason)) from None
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                line = data[:exc.start].count(b"\n") + 1
                raise UserError(Problem(relative, f"is not UTF-8 text (byte {exc.start})", line=line)) from None
            problems = _line_problems(text)
            if problems:
                raise UserError([Problem(relative, message, line=number) for number, message in problems])
            # Each environment lives for one document: what it loaded stays valid while it lives.
            return text, str(source.path / name), lambda: True
        raise jinja2.TemplateNotFound(template)


_CHECKED: dict[bytes, tuple[tuple[int, str], ...]] = {}
_CHECKED_MAX = 256


def _line_problems(text: str) -> tuple[tuple[int, str], ...]:
    """line_problems of a template's text, once per text and process (each document loads the
    same dozen templates, leaflet.css among them); kept by the text's digest, not the text."""
    key = hashlib.sha256(text.encode()).digest()
    found = _CHECKED.get(key)
    if found is None:
        if len(_CHECKED) >= _CHECKED_MAX:
            _CHECKED.clear()
        found = _CHECKED[key] = tuple(line_problems(text))
    return found


def template_loader(project: Project, practice: Practice) -> TemplateLoader:
    """The practice's own templates (practices/<id>/templates/) first, then ours."""
    search = [f"practices/{practice.id}/templates"] if practice.template_dir else []
    search.append("templates")
    return TemplateLoader(tuple(project_source(project, folder) for folder in search))


def environment(project: Project, practice: Practice) -> jinja2.Environment:
    # Sandboxed with an allow-list (sandbox.py): a template, ours or a practice's, reads plain data
    # and the few attributes listed there; `''.__class__.__mro__`, a path's read_text() and the
    # like raise a SecurityError.
    env = TemplateEnvironment(
        loader=template_loader(project, practice),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=_BYTECODE,
    )
    env.filters["inline"] = inline_filter
    env.filters["plain"] = plain_text
    env.filters["isolate"] = isolate
    env.filters["identifiers"] = identifiers
    env.filters["isolate_name"] = isolate_name
    env.filters["last_words_together"] = last_words_together
    env.filters["css_text"] = css_text
    return env


@jinja2.pass_context
def inline_filter(context, text: str, lang: str | None = None) -> Markup:
    """`{{ text | inline }}`: inline Markdown with the typographic finish of the page's language
    (or `lang`), as the block templates get it."""
    return render_inline(text, lang or context.get("lang"))


@jinja2.pass_context
def isolate(context, value) -> Markup:
    """Latin text (a phone number, an address) kept in its own order on a right-to-left page.

    WeasyPrint ignores `unicode-bidi`, so the isolation is written into the text as Unicode's
    LEFT-TO-RIGHT ISOLATE … POP DIRECTIONAL ISOLATE, which Pango's bidi algorithm honours:
    "030 123 45 67" after an Arabic label would otherwise come out as "67 45 123 030".
    """
    if context.get("dir") != "rtl":
        return escape(value)
    return Markup("\u2066") + escape(value) + Markup("\u2069")


# A run that names something in the small print: a text number such as 000_2532fea382feb2f7, a
# code, a web address (Latin letters and digits, at least one digit or a dot).
_IDENTIFIER = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_./:#-]*[A-Za-z0-9])?")


@jinja2.pass_context
def identifiers(context, value) -> Markup:
    """`value` with each identifier in it kept whole: never hyphenated or broken across lines
    ("000_2532fe-a382feb2f7"), and on a right-to-left page kept in its own order (see
    `isolate`: "000_2532fea382feb2f7" at the end of an Arabic line otherwise comes out as
    "2532fea382feb2f7_000"). Words are left as they are."""
    rtl = context.get("dir") == "rtl"
    out, last = [], 0
    for match in _IDENTIFIER.finditer(str(value)):
        run = match.group(0)
        if not any(char.isdigit() or char in "._/:#" for char in run):
            continue   # a word
        out += [escape(value[last:match.start()]), Markup('<span class="nobreak">')]
        out += [Markup("\u2066"), escape(run), Markup("\u2069")] if rtl else [escape(run)]
        out.append(Markup("</span>"))
        last = match.end()
    out.append(escape(value[last:]))
    return Markup("").join(out)


@jinja2.pass_context
def last_words_together(context, value) -> Markup:
    """A line of small print (already escaped, without markup) whose last two words stay on one
    line, so a wrapped line never leaves one word alone ("… ще не / перевірено", "… الترجمة / بعد").
    Left to right, a no-break space. Right to left, a no-wrap span (two words joined by a
    no-break space come out of the PDF's text in drawing order) that starts with the space before
    them: a space just before the span is lost from the PDF's text ("مراجعةالترجمة"), so the line
    breaks a word earlier, and three words go to the last line."""
    text = str(escape(value))           # a Markup translation as it is, anything else escaped
    words = text.split()
    if "<" in text or len(words) < 3:
        return Markup(text)
    head, pair = " ".join(words[:-2]), Markup(" ".join(words[-2:]))
    if context.get("dir") != "rtl":
        return Markup(head) + Markup(" ") + pair.replace(" ", "\u00a0")
    return Markup(head) + Markup('<span class="nobreak"> ') + pair + Markup("</span>")


@jinja2.pass_context
def isolate_name(context, value) -> Markup:
    """A person's name on a right-to-left page, in its own direction, whatever its script
    (FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE): "A. de Vries" in an Arabic line."""
    if context.get("dir") != "rtl":
        return escape(value)
    return Markup("\u2068") + escape(value) + Markup("\u2069")


# Stand-ins for the page's number and count in a template string ("Pagina %(page)s van
# %(pages)s"): css_text writes them as the CSS counters a margin box fills in on every page.
PAGE_NUMBER, PAGE_COUNT = "\ue000", "\ue001"
_COUNTERS = {PAGE_NUMBER: "counter(page)", PAGE_COUNT: "counter(pages)"}
_CSS_SAFE = re.compile(r"[^\w .,:;·/@+()'\-]")


def css_text(value, nobreak: bool = False, verbatim: bool = False) -> Markup:
    """`{{ text | css_text }}`: text as CSS strings for a margin box's `content` (the footer),
    the page stand-ins as counters. Markup is read as the text it shows (entities decoded); a run
    of spaces, tabs and line breaks is one space, as in HTML (`verbatim`: kept, for a template's
    own line break or gap); every character a CSS string, or the <style> around it, could take
    for syntax is escaped.
    `nobreak`: never broken across lines (a phone number, a web address, "page 1 of 2"):
    typesetting.unbreakable."""
    if isinstance(value, Markup):
        value = html.unescape(str(value))
    text = str(value) if verbatim else re.sub("[ \t\n\r\f]+", " ", str(value))
    if nobreak:
        text = unbreakable(text)
    parts = re.split(f"([{PAGE_NUMBER}{PAGE_COUNT}])", text)
    tokens = [_COUNTERS[part] if part in _COUNTERS else _css_string(part) for part in parts if part]
    return Markup(" ".join(tokens) or '""')


def _css_string(text: str) -> str:
    return '"' + _CSS_SAFE.sub(lambda match: f"\\{ord(match.group()):x} ", text) + '"'


_LONE_PERCENT = re.compile(r"%(?!\(\w+\)s|%)")


def percent_as_text(text: str) -> str:
    """A template string with every % that is not a placeholder %(name)s (or %%) doubled: Jinja's
    newstyle gettext %-formats every string, and a translator's "50 %" is text, not a format."""
    return _LONE_PERCENT.sub("%%", text)


def install_translations(env: jinja2.Environment, translations: gettext_module.NullTranslations) -> None:
    # Jinja's newstyle gettext marks a translation as safe HTML. A translator's text is not
    # trusted: escape it first, so `<b>` in a msgstr shows as text. Variables are escaped by Jinja.
    def gettext(message: str) -> Markup:
        return escape(percent_as_text(translations.gettext(message)))

    def ngettext(singular: str, plural: str, n: int) -> Markup:
        return escape(percent_as_text(translations.ngettext(singular, plural, n)))

    env.install_gettext_callables(gettext, ngettext, newstyle=True)
    if isinstance(env, TemplateEnvironment):
        env.allow_globals("gettext", "_", "ngettext")
