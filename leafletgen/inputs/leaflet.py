"""Load and validate a leaflet: YAML front matter + the restricted Markdown of a leaflet.

A leaflet may use: `##`/`###` headings, paragraphs, bullet and numbered lists (one level),
`> ` callouts (the highlighted key message), **bold**, *italic*, http(s)/mailto/tel links,
and images in a paragraph of their own with alt text. Everything else (raw HTML, code,
tables, rules, nested lists) is reported, all problems of a file at once, each with its line.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Callable, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StrictStr, field_validator

from ..errors import Problem, UserError
from ..markup.inline import inline_problems, parser
from .logo import image_problems
from .model import Block, Leaflet
from .project import Project
from .files import InputFileError, read_file, relative_parts
from .characters import leaflet_script_problems, line_problems, text_problem
from .validation import key_lines, validate_model

ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"


class FrontMatterLoader(yaml.SafeLoader):
    """YAML's safe loader without implicit timestamps: dates stay text for the model to check.

    PyYAML builds `published: 2026-13-01` into a date itself and fails with a bare ValueError
    that names no file or line; as text, the model reports it like every other bad value.
    """


FrontMatterLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


KEYWORDS_MAX = 50
KEYWORD_MAX_LENGTH = 60


class LeafletMeta(BaseModel):
    """The front matter. Unknown keys are errors: a typo must not pass silently."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=ID_PATTERN)
    title: StrictStr = Field(min_length=1)
    language: Literal["nl"]
    version: StrictStr = Field(min_length=1)
    published: dt.date
    review: dt.date
    author: StrictStr = Field(min_length=1)
    source: StrictStr = ""
    # Words a patient or receptionist might search for besides the title, in any language:
    # "rugpijn, lumbago, back pain". For the web app's search only; never printed.
    keywords: list[StrictStr] | StrictStr = Field(default_factory=list)

    @field_validator("keywords")
    @classmethod
    def _keywords(cls, value: list[str] | str) -> list[str]:
        words = [word.strip() for word in (value.split(",") if isinstance(value, str) else value)]
        words = [word for word in words if word]
        if len(words) > KEYWORDS_MAX:
            raise ValueError(f"has {len(words)} keywords; at most {KEYWORDS_MAX}")
        for word in words:
            problem = text_problem(word, allow_newline=False)
            if problem:
                raise ValueError(f"keyword {word[:40]!r} {problem}")
            if len(word) > KEYWORD_MAX_LENGTH:
                raise ValueError(f"keyword {word[:40]!r}… has {len(word)} characters; at most "
                                 f"{KEYWORD_MAX_LENGTH}")
        return list(dict.fromkeys(words))

    @field_validator("title", "version", "author", "source")
    @classmethod
    def _printable(cls, value: str) -> str:
        # YAML escapes ("\x1b", "\u202e") decode to characters the file's text did not show.
        problem = text_problem(value, allow_newline=False)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("version", mode="before")
    @classmethod
    def _version_is_text(cls, value):
        if isinstance(value, (int, float)):
            raise ValueError(f'write the version in quotes, e.g. version: "{value}"')
        return value

    @field_validator("published", "review", mode="before")
    @classmethod
    def _iso_date(cls, value):
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if isinstance(value, str):
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                try:
                    return dt.date.fromisoformat(value)
                except ValueError:
                    pass
        raise ValueError("must be a real date written as YYYY-MM-DD, e.g. 2026-11-01")

    @field_validator("review")
    @classmethod
    def _review_after_published(cls, value, info):
        published = info.data.get("published")
        if published is not None and value <= published:
            raise ValueError(f"the review date must come after the publication date ({published})")
        return value


def split_front_matter(text: str, file: str) -> tuple[str, str, int]:
    """(front matter, body, line number of the body's first line)."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise UserError(Problem(file, "a leaflet starts with YAML front matter between '---' lines", line=1))
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            return "".join(lines[1:index]), "".join(lines[index + 1:]), index + 2
    raise UserError(Problem(file, "the front matter has no closing '---' line", line=1))


# Block tokens that may not stand inside a list item or a callout, as the editor knows them.
NOT_IN_A_BLOCK = {
    "blockquote_open": "a callout ('> ')",
    "heading_open": "a heading",
    "fence": "a code block",
    "code_block": "a code block (an indented line)",
    "html_block": "raw HTML",
    "hr": "a horizontal rule",
}


# Block tokens a leaflet refuses outright, and why (the message names the fix).
REFUSED_BLOCKS = {
    "html_block": "raw HTML is not allowed in a leaflet; use Markdown",
    "fence": "code blocks (```) are not allowed in a leaflet",
    "code_block": "an indented line is read as a code block, which a leaflet does not allow: "
                  "remove the indent",
    "hr": "horizontal rules are not supported; start a new part with a '## ' heading",
}


class _BlockReader:
    """markdown-it's block tokens → a leaflet's blocks, with a problem, at its line, for
    everything a leaflet does not allow. Each `_read_*` reads one block from token `i` and
    returns the index of the token after it."""

    def __init__(self, tokens: list, first_line: int, file: str):
        self.tokens, self.first_line, self.file = tokens, first_line, file
        self.blocks: list[Block] = []
        self.problems: list[Problem] = []

    def line_of(self, tok) -> int:
        return self.first_line + (tok.map[0] if tok.map else 0)

    def problem(self, message: str, line: int | None) -> None:
        self.problems.append(Problem(self.file, message, line=line))

    def check_inline(self, tok, line: int) -> None:
        for message in inline_problems(tok.content):
            self.problem(message, line)

    def read_all(self) -> None:
        readers = {"heading_open": self._read_heading, "paragraph_open": self._read_paragraph,
                   "bullet_list_open": self._read_list, "ordered_list_open": self._read_list,
                   "blockquote_open": self._read_callout}
        i = 0
        while i < len(self.tokens):
            tok = self.tokens[i]
            if tok.type in readers:
                i = readers[tok.type](i)
                continue
            # markdown-it's commonmark has no other block tokens than these and the refused ones.
            self.problem(REFUSED_BLOCKS.get(tok.type, f"unsupported Markdown ({tok.type})"),
                         self.line_of(tok))
            i += 1

    def _read_heading(self, i: int) -> int:
        tok, inline = self.tokens[i], self.tokens[i + 1]
        line, level = self.line_of(tok), int(tok.tag[1])
        if level == 1:
            self.problem("'# ' is the title, which comes from the front matter; use '## ' for a "
                         "heading", line)
        elif level > 3:
            self.problem(f"heading level {level} is too deep; use '## ' or '### '", line)
        self.check_inline(inline, line)
        self.blocks.append(Block("heading", line, text=inline.content, level=min(max(level, 2), 3)))
        return i + 3

    def _read_paragraph(self, i: int) -> int:
        line, inline = self.line_of(self.tokens[i]), self.tokens[i + 1]
        children = [c for c in inline.children or [] if c.type not in ("softbreak",)]
        if len(children) == 1 and children[0].type == "image":
            image = children[0]
            alt, src = image.content.strip(), image.attrGet("src") or ""
            if not alt:
                self.problem(f"image {src!r} needs alt text: ![what it shows]({src})", line)
            elif text_problem(alt):
                self.problem(f"image {src!r}: its alt text {text_problem(alt)}", line)
            self.blocks.append(Block("image", line, text=alt, src=src))
        else:
            self.check_inline(inline, line)
            self.blocks.append(Block("paragraph", line, text=inline.content))
        return i + 3

    def _read_list(self, i: int) -> int:
        tok = self.tokens[i]
        items, item_lines = [], []
        depth, j = 0, i
        while True:
            cur = self.tokens[j]
            if cur.type in ("bullet_list_open", "ordered_list_open"):
                depth += 1
                if depth == 2:
                    self.problem("lists inside lists are not supported; keep a list one level deep",
                                 self.line_of(cur))
            elif cur.type in ("bullet_list_close", "ordered_list_close"):
                depth -= 1
                if depth == 0:
                    break
            elif cur.type == "inline" and depth == 1:
                self.check_inline(cur, self.line_of(cur))
                items.append(cur.content)
                item_lines.append(self.line_of(cur))
            elif cur.type in NOT_IN_A_BLOCK:
                self.problem(f"a list item can hold only text, not {NOT_IN_A_BLOCK[cur.type]}",
                             self.line_of(cur))
            j += 1
        self.blocks.append(Block("list", self.line_of(tok), items=tuple(items),
                                 item_lines=tuple(item_lines), ordered=tok.type == "ordered_list_open"))
        return j + 1

    def _read_callout(self, i: int) -> int:
        tok = self.tokens[i]
        texts = []
        j = i + 1
        while self.tokens[j].type != "blockquote_close" or self.tokens[j].level != tok.level:
            cur = self.tokens[j]
            if cur.type == "inline":
                self.check_inline(cur, self.line_of(cur))
                texts.append(cur.content)
            elif cur.type in NOT_IN_A_BLOCK or cur.type.endswith("list_open"):
                what = NOT_IN_A_BLOCK.get(cur.type, "a list")
                self.problem(f"a callout ('> ') can hold only text, not {what}", self.line_of(cur))
            j += 1
        self.blocks.append(Block("callout", self.line_of(tok), text="\n\n".join(texts)))
        return j + 1


def parse_blocks(body: str, first_line: int, file: str) -> tuple[list[Block], list[Problem]]:
    """Markdown body → blocks, with a problem for everything a leaflet does not allow."""
    env: dict = {}
    tokens = parser().parse(body, env)
    reader = _BlockReader(tokens, first_line, file)
    # A reference definition ("[name]: address") yields no block: its line would vanish silently.
    for ref in (env.get("references") or {}).values():
        reader.problem("reference-style link definitions ('[name]: address') are not supported; "
                       "write the link where it is used: [text](https://...)",
                       first_line + (ref.get("map") or [0])[0])
    reader.read_all()
    return reader.blocks, reader.problems


def load_leaflet(project: Project, leaflet_id: str, from_draft: bool = False, text: str = "") -> Leaflet:
    """Read, parse and validate leaflets/<id>.md (`from_draft`: its draft, leaflets/drafts/<id>.md,
    or the editor's unsaved `text` of it, marked a concept). Raises UserError with every problem
    found."""
    path = project.leaflets_dir / f"{leaflet_id}.md"
    file = leaflet_file(leaflet_id, from_draft)
    # A new leaflet has a draft only (not yet a leaflet id); a missing draft is named below.
    known = re.match(ID_PATTERN, leaflet_id) and (from_draft or leaflet_id in project.leaflet_ids())
    if not known:
        known = ", ".join(project.leaflet_ids()) or "none"
        raise UserError(f"unknown leaflet {leaflet_id!r}; known leaflets: {known}")
    try:
        raw = text.encode("utf-8") if from_draft and text else project.read(file, LEAFLET_MAX_BYTES)
    except InputFileError as exc:
        raise UserError(Problem(file, exc.reason)) from None
    try:
        text = raw.decode("utf-8-sig")  # a BOM (Windows Notepad) is fine
    except UnicodeDecodeError as exc:
        raise UserError(Problem(file, f"is not UTF-8 text ({exc.reason} at byte {exc.start})")) from None

    def read_image(src: str, limit: int) -> bytes:
        return project.read("leaflets/" + "/".join(relative_parts(src)), limit)

    leaflet = parse_leaflet(text.replace("\r\n", "\n").replace("\r", "\n"), path, file,
                            expected_id=leaflet_id, read_image=read_image)
    return replace(leaflet, concept=True) if from_draft else leaflet


def leaflet_file(leaflet_id: str, from_draft: bool = False) -> str:
    """Where a leaflet's published text is, or (`from_draft`) its draft, relative to the project."""
    return f"leaflets/drafts/{leaflet_id}.md" if from_draft else f"leaflets/{leaflet_id}.md"


# A patient leaflet is a few pages (the shipped one is 4 kB); 256 KiB is some 40,000 words. The
# limit also bounds the time a hostile one takes to parse before any time limit applies (Markdown
# made of nothing but emphasis marks parses at about 30 µs a character: 7 s at the limit).
LEAFLET_MAX_BYTES = 256 * 1024


def character_problems(text: str, file: str) -> list[Problem]:
    """Control, invisible and direction-changing characters, each line that holds one."""
    return [Problem(file, message, line=number) for number, message in line_problems(text)]


def parse_leaflet(text: str, path: Path, file: str, expected_id: str | None = None,
                  read_image=None) -> Leaflet:
    """A leaflet's text (`file`, at `path`) as a Leaflet. Raises UserError with every problem
    found, ordered by line; `expected_id` is the id its file name gives it. Its pictures are
    read with `read_image(src, limit)` (default: from the leaflet's folder)."""
    leaflet, blocks, problems = _parsed_text(text, path, file, expected_id)
    if read_image is None:
        read_image = lambda src, limit: read_file(path.parent, src, limit)  # noqa: E731
    problems = list(problems) + image_problems(list(blocks), read_image, file)
    problems = sorted(dict.fromkeys(problems), key=lambda p: (p.line or 0))   # each once
    if problems:
        raise UserError(problems)
    assert leaflet is not None
    return leaflet


@lru_cache(maxsize=32)
def _parsed_text(text: str, path: Path, file: str,
                 expected_id: str | None) -> tuple[Leaflet | None, tuple[Block, ...], tuple]:
    """What the text says, pictures unchecked: the leaflet (None when its front matter has
    problems), its blocks, and the text's problems. Kept per process by the text: a worker
    renders one leaflet in many languages, variants and practices."""
    refuse_unreadable(text, file)
    front, body, body_line = split_front_matter(text, file)
    lines = key_lines(front)

    def line_of(key: str) -> int | None:
        return lines[key] + 1 if key in lines else None

    meta, problems = read_front_matter(front, file, line_of, expected_id)
    blocks, body_problems = parse_blocks(body, body_line, file)
    problems += body_problems
    problems += leaflet_script_problems(body, body_line, meta, line_of, file)
    if not blocks and not body_problems:
        problems.append(Problem(file, "the leaflet has no text after the front matter", line=body_line))
    if meta is not None:
        problems += [Problem(file, message, line=line_of("title"), field="title")
                     for message in inline_problems(meta.title)]
    if meta is None:
        return None, tuple(blocks), tuple(problems)
    leaflet = Leaflet(
        id=meta.id, title=meta.title, language=meta.language, version=meta.version,
        published=meta.published, review=meta.review, author=meta.author, source=meta.source,
        keywords=tuple(meta.keywords),
        blocks=tuple(blocks), path=path, rel_path=file, title_line=line_of("title") or 1,
        author_line=line_of("author") or 1, source_line=line_of("source") or 1,
    )
    return leaflet, tuple(blocks), tuple(problems)


def refuse_unreadable(text: str, file: str) -> None:
    """A text too long, or with characters no input may hold, is refused before it is parsed:
    nothing else it says could be trusted or reported by line."""
    if len(text) > LEAFLET_MAX_BYTES:
        raise UserError(Problem(file, f"is {len(text):,} characters long; a leaflet may have at most "
                                      f"{LEAFLET_MAX_BYTES:,}"))
    char_problems = character_problems(text, file)
    if char_problems:
        raise UserError(char_problems)


def read_front_matter(front: str, file: str, line_of: Callable[[str], int | None],
                      expected_id: str | None) -> tuple[LeafletMeta | None, list[Problem]]:
    """The front matter as LeafletMeta (None when it has problems), and its problems. YAML that
    cannot be read at all is one problem, raised at once."""
    try:
        data = yaml.load(front, Loader=FrontMatterLoader) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark else None
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise UserError(Problem(file, f"front matter is not valid YAML: {reason}", line=line)) from None
    except RecursionError:
        raise UserError(Problem(file, "front matter is nested too deeply; write plain `key: value` "
                                      "lines", line=2)) from None
    meta, problems = validate_model(LeafletMeta, data, file, line_of, missing_line=1)
    if meta is not None and expected_id is not None and meta.id != expected_id:
        problems.append(Problem(file, f"id {meta.id!r} must match the file name ({expected_id!r})",
                                line=line_of("id"), field="id"))
    return meta, problems
