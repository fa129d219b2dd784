"""output/index.html: the page practice staff open to find a leaflet, by language and practice."""

from __future__ import annotations

from dataclasses import MISSING, dataclass
from pathlib import Path

import jinja2

from .i18n import SOURCE_LANGUAGE, language_name, text_direction
from .inline import plain_text
from .output import write_atomic
from .project import Project


# The index is for practice staff, in Dutch: the variants by what they are, not by option name.
VARIANT_LABELS = {"a4": "A4", "a5": "A5", "booklet": "boekje (A5)", "large-print": "grote letters",
                  "print-shop": "drukkerij (A4)"}


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
    thumbnail: str | None = None   # PNG of the first page, relative to the output folder
    outdated: bool = False         # a translation behind the Dutch text: the last complete version
    review: str = ""               # a translation's review: reviewed | unreviewed | outdated ("" in Dutch)
    reviewed_by: str = ""
    reviewed_on: str = ""          # YYYY-MM-DD

    @classmethod
    def from_dict(cls, data: dict) -> "IndexEntry":
        # An entry of an older manifest lacks the newer fields: they keep their defaults.
        return cls(**{name: data.get(name) for name, spec in cls.__dataclass_fields__.items()
                      if name in data or spec.default is MISSING})

    @classmethod
    def from_document(cls, document, out_dir: Path, pdf: Path, html: Path) -> "IndexEntry":
        return cls(
            leaflet=document.request.leaflet, title=plain_text(document.leaflet.title),
            lang=document.request.lang, practice=document.practice.id,
            practice_name=document.practice.name or "—", variant=document.request.variant,
            bilingual=document.request.bilingual, pdf=pdf.relative_to(out_dir).as_posix(),
            html=html.relative_to(out_dir).as_posix(), **document.review)


_REVIEW_RANK = {"": 0, "reviewed": 1, "unreviewed": 2, "outdated": 3}


def _dutch_date(iso: str) -> str:
    """"2026-11-28" as staff read it: "28 november 2026"."""
    import datetime as dt

    from babel.dates import format_date

    try:
        return format_date(dt.date.fromisoformat(iso), "long", locale=SOURCE_LANGUAGE)
    except ValueError:
        return iso


def _sort_key(entry: IndexEntry):
    return (entry.leaflet, entry.lang != SOURCE_LANGUAGE, entry.lang, entry.practice,
            entry.variant, entry.bilingual)


def render_index(project: Project, entries: list[IndexEntry]) -> str:
    """One section per leaflet, one block per language (name in its own script and in Dutch,
    the title in that language), in it one row per practice with a thumbnail of its own page 1
    and a link per variant."""
    from dataclasses import asdict

    from .html import TemplateLoader
    from .sandbox import TemplateEnvironment, freeze

    # The same sandbox and plain data as a leaflet's templates (sandbox.py).
    env = TemplateEnvironment(loader=TemplateLoader(project.root, ("templates",)),
                              autoescape=True, undefined=jinja2.StrictUndefined,
                              trim_blocks=True, lstrip_blocks=True)
    leaflets: dict[str, dict] = {}
    for entry in sorted(entries, key=_sort_key):
        item = leaflets.setdefault(entry.leaflet, {"id": entry.leaflet, "title": None, "rows": [],
                                                   "languages": {}})
        if entry.lang == SOURCE_LANGUAGE and item["title"] is None:
            item["title"] = entry.title
        language = item["languages"].setdefault(entry.lang, {
            "lang": entry.lang, "name": language_name(entry.lang),
            "name_nl": language_name(entry.lang, SOURCE_LANGUAGE), "dir": text_direction(entry.lang),
            "title": entry.title, "practices": {}, "rows": []})
        # Per practice its own thumbnail (its logo and colour) and its variants.
        practice = language["practices"].setdefault(entry.practice, {
            "id": entry.practice, "name": entry.practice_name, "thumbnail": None, "rows": []})
        practice["thumbnail"] = practice["thumbnail"] or entry.thumbnail
        # The language's review as its documents show it: the least reviewed one counts.
        if _REVIEW_RANK.get(entry.review or "", 0) >= _REVIEW_RANK.get(language.get("review") or "", 0):
            language.update(review=entry.review or "", reviewed_by=entry.reviewed_by or "",
                            reviewed_on=_dutch_date(entry.reviewed_on or ""))
        row = {"entry": asdict(entry), "language": language["name"], "language_nl": language["name_nl"],
               "variant": VARIANT_LABELS.get(entry.variant, entry.variant),
               "dir": language["dir"]}
        practice["rows"].append(row)
        language["rows"].append(row)
        item["rows"].append(row)
    for item in leaflets.values():
        item["title"] = item["title"] or item["rows"][0]["entry"]["title"]
        item["languages"] = list(item["languages"].values())
        for language in item["languages"]:
            language["practices"] = list(language["practices"].values())
        item["langs"] = " ".join(language["lang"] for language in item["languages"])
    languages = sorted({e.lang for e in entries}, key=lambda lang: (lang != SOURCE_LANGUAGE, lang))
    practices = sorted({(e.practice_name, e.practice) for e in entries})
    return env.get_template("index.html.j2").render(freeze({
        "leaflets": list(leaflets.values()),
        "languages": [(lang, language_name(lang), language_name(lang, SOURCE_LANGUAGE),
                       text_direction(lang)) for lang in languages],
        "practices": practices,
        "count": len(entries)}))


def write_index(project: Project, out_dir: Path, entries: list[IndexEntry]) -> Path:
    path = out_dir / "index.html"
    write_atomic(path, render_index(project, entries))
    return path


def manifest_entries(manifest) -> list[IndexEntry]:
    """Every output the manifest lists (built now, unchanged, or kept from an earlier run)."""
    return sorted((IndexEntry.from_dict({**output["entry"], "outdated": bool(output.get("outdated"))})
                   for output in manifest.outputs.values() if output.get("entry")), key=_sort_key)


def write_index_from_manifest(project: Project, out_dir: Path, manifest) -> Path:
    return write_index(project, out_dir, manifest_entries(manifest))
