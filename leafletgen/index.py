"""output/index.html: the page practice staff open to find a leaflet, by language and practice."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import jinja2

from .i18n import SOURCE_LANGUAGE, language_name, text_direction
from .inline import plain_text
from .output import write_atomic
from .project import Project


@dataclass(frozen=True)
class IndexEntry:
    leaflet: str
    title: str           # in the document's language
    lang: str
    practice: str        # practice id
    practice_name: str
    variant: str
    bilingual: bool
    pdf: str             # relative to the output folder
    html: str

    @classmethod
    def from_document(cls, document, out_dir: Path, pdf: Path, html: Path) -> "IndexEntry":
        return cls(
            leaflet=document.request.leaflet, title=plain_text(document.leaflet.title),
            lang=document.request.lang, practice=document.practice.id,
            practice_name=document.practice.name or "—", variant=document.request.variant,
            bilingual=document.request.bilingual, pdf=pdf.relative_to(out_dir).as_posix(),
            html=html.relative_to(out_dir).as_posix())


def render_index(project: Project, entries: list[IndexEntry]) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(project.templates_dir)),
                             autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    leaflets: dict[str, dict] = {}
    for entry in sorted(entries, key=lambda e: (e.leaflet, e.lang != SOURCE_LANGUAGE, e.lang,
                                                 e.practice, e.variant, e.bilingual)):
        item = leaflets.setdefault(entry.leaflet, {"id": entry.leaflet, "title": None, "rows": []})
        if entry.lang == SOURCE_LANGUAGE and item["title"] is None:
            item["title"] = entry.title
        item["rows"].append({
            "entry": entry,
            "language": language_name(entry.lang),
            "language_nl": language_name(entry.lang, SOURCE_LANGUAGE),
            "dir": text_direction(entry.lang),
        })
    for item in leaflets.values():
        item["title"] = item["title"] or item["rows"][0]["entry"].title
    languages = sorted({e.lang for e in entries})
    return env.get_template("index.html.j2").render(
        leaflets=list(leaflets.values()),
        languages=[(lang, language_name(lang), language_name(lang, SOURCE_LANGUAGE)) for lang in languages],
        count=len(entries))


def write_index(project: Project, out_dir: Path, entries: list[IndexEntry]) -> Path:
    path = out_dir / "index.html"
    write_atomic(path, render_index(project, entries))
    return path
