"""output/index.html: the page practice staff open to find a leaflet, by language and practice."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from pathlib import Path

import jinja2
from babel.dates import format_date

from ..atomic_write import write_atomic
from ..translate.catalogs import SOURCE_LANGUAGE, language_name, text_direction
from ..inputs.project import Project
from ..markup.sandbox import TemplateEnvironment, freeze
from ..markup.templates import TemplateLoader, project_source
from .outcome import IndexEntry


# The index is for practice staff, in Dutch: the variants by what they are, not by option name.
VARIANT_LABELS = {"a4": "A4", "a5": "A5", "booklet": "boekje (A5)", "large-print": "grote letters",
                  "print-shop": "drukkerij (A4)"}


_REVIEW_RANK = {"": 0, "reviewed": 1, "unreviewed": 2, "outdated": 3}


def _dutch_date(iso: str) -> str:
    """"2026-11-28" as staff read it: "28 november 2026"."""
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
    # The same sandbox and plain data as a leaflet's templates (sandbox.py).
    env = TemplateEnvironment(loader=TemplateLoader((project_source(project, "templates"),)),
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
