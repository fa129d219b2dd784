"""Questions about a leaflet's Dutch text, asked by a reviewer for its editor, kept beside it.

    leaflets/questions/<leaflet-id>.toml

    [[question]]
    unit = "<sha256 of the Dutch text>"      # the unit asked about
    nl = "Als de klachten na twee weken…"    # its start, for people
    text = "Bedoelt u 'hersteld' of 'verbeterd'?"
    by = "Ayşe Yılmaz"
    account = "ayse"
    lang = "tr"                              # the translation being reviewed when it was asked
    date = 2026-12-05

A file in the content folder, so git and backups carry it; the editor answers by changing the
text and settles a question in the leaflet editor (or deletes its table). Nothing here is
printed on a leaflet.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..atomic_write import write_atomic
from ..errors import Message, Problem, UserError
from .characters import text_problem
from .files import InputFileError, file_kind, read_file
from .project import Project

QUESTIONS_DIR = "leaflets/questions"
TEXT_MAX = 1000                    # characters of one question
QUESTIONS_MAX = 300                # open questions of one leaflet
FILE_MAX_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Question:
    unit: str
    nl: str
    text: str
    by: str
    account: str
    lang: str
    date: dt.date


def questions_file(leaflet_id: str) -> str:
    return f"{QUESTIONS_DIR}/{leaflet_id}.toml"


def questions(project: Project, leaflet_id: str) -> list[Question]:
    """The open questions about a leaflet, oldest first; a file that cannot be read is a UserError."""
    return read_questions(project, leaflet_id)[0]


def read_questions(project: Project, leaflet_id: str) -> tuple[list[Question], bytes | None]:
    """The open questions and the file's bytes (None: no file), for a form that removes one."""
    file = questions_file(leaflet_id)
    if file_kind(project.root, file) == "missing":
        return [], None
    try:
        raw = read_file(project.root, file, FILE_MAX_BYTES)
        return _parsed(raw), raw
    except InputFileError as exc:
        raise UserError(Problem(file, exc.reason)) from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, KeyError, TypeError, AttributeError) as exc:
        raise UserError(Problem(file, Message("questions_unreadable", f"cannot be read: {exc}"))) from None


def _parsed(raw: bytes) -> list[Question]:
    data = tomllib.loads(raw.decode("utf-8"))
    return [Question(str(q["unit"]), str(q.get("nl", "")), str(q["text"]), str(q.get("by", "")),
                     str(q.get("account", "")), str(q.get("lang", "")), q["date"])
            for q in data.get("question", [])]


def question_problem(text: str) -> Message | None:
    """Why `text` cannot be asked (None: it can)."""
    if not text.strip():
        return Message("question_empty", "the question is empty")
    if len(text) > TEXT_MAX:
        return Message("question_too_long", f"the question is longer than {TEXT_MAX} characters",
                       max_length=TEXT_MAX, length=len(text))
    if text_problem(text, allow_newline=True):
        return Message("question_unprintable", "the question contains characters that cannot be printed")
    return None


def ask(project: Project, leaflet_id: str, question: Question) -> Message | None:
    """Add `question` to the leaflet's file; a refusal as a Message (None: written). The caller
    holds the file's lock (one writer at a time)."""
    problem = question_problem(question.text)
    if problem is not None:
        return problem
    asked = questions(project, leaflet_id)
    if len(asked) >= QUESTIONS_MAX:
        return Message("too_many_questions", f"the leaflet has {QUESTIONS_MAX} open questions already",
                       max=QUESTIONS_MAX)
    folder = project.root / QUESTIONS_DIR
    if file_kind(project.root, "leaflets") != "dir" or file_kind(project.root, QUESTIONS_DIR) not in ("dir", "missing"):
        return Message("questions_link", "the questions' folder is not a plain folder")
    folder.mkdir(exist_ok=True)
    write_atomic(folder / f"{leaflet_id}.toml", render_questions(leaflet_id, [*asked, question]).encode("utf-8"))
    return None


def settle(project: Project, leaflet_id: str, index: int, loaded: str) -> Message | None:
    """Remove the leaflet's question number `index` (from 0), answered by its editor; a refusal
    as a Message (None: done). `loaded` is the sha256 of the file the page showed: a file that
    changed since (another question asked, or one settled) is refused, so the wrong question is
    never removed. The caller holds the file's lock; the file goes with its last question."""
    asked, raw = read_questions(project, leaflet_id)
    if raw is None or hashlib.sha256(raw).hexdigest() != loaded or not 0 <= index < len(asked):
        return Message("questions_changed", "the questions changed since the page was loaded")
    rest = asked[:index] + asked[index + 1:]
    path = questions_path(project, leaflet_id)
    if rest:
        write_atomic(path, render_questions(leaflet_id, rest).encode("utf-8"))
    else:
        path.unlink()
    return None


def render_questions(leaflet_id: str, items: list[Question]) -> str:
    lines = [f"# Questions about the Dutch text of the leaflet {leaflet_id}, asked on the review page",
             "# for its editor. Answer by changing the leaflet; delete a question's table when done."]
    for item in items:
        text = item.text.replace("\r\n", "\n").strip()
        lines += ["", "[[question]]"] + [f"{key} = {json.dumps(value, ensure_ascii=False)}" for key, value in (
            ("unit", item.unit), ("nl", item.nl), ("text", text), ("by", item.by), ("account", item.account),
            ("lang", item.lang))] + [f"date = {item.date.isoformat()}"]
    return "\n".join(lines) + "\n"


def questions_path(project: Project, leaflet_id: str) -> Path:
    return project.root / questions_file(leaflet_id)
