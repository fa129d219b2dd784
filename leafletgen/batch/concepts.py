"""Drafts in the output folder: `build --allow-draft` writes an incomplete translation as
<practice>/<lang>/<leaflet>[-variant][-bilingual]-concept.pdf and .html, with a record of the
inputs it was made from beside it (.<name>-concept.json). The main job lists the concepts it
finds and removes a stale one: its language is complete now (the final version is what to print),
its leaflet, language or practice is gone, or its inputs changed since (or it has no record).

Light (json, pathlib): the plan of a run with nothing to build calls it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..inputs.digest import Hasher, catalogs_digest, practice_digest
from ..inputs.project import DEFAULT_PRACTICE_ID, Project

CONCEPT_SUFFIX = "-concept"
# The parts of a document's inputs (inputs.digest.PARTS) a concept is compared by: the fonts are
# the tool's own, like its code.
COMPARED = ("leaflet", "catalogs", "practice", "templates")


@dataclass(frozen=True)
class Concept:
    key: str                   # <practice>/<lang>/<name>-concept: its files without suffix
    files: tuple[Path, ...]    # its PDF, HTML and record, as they are on disk
    stale: str = ""            # why it goes; "" when it stays


def record_path(concept_file: Path) -> Path:
    """The record of what a concept was made from, beside it: .<name>-concept.json."""
    return concept_file.with_name(f".{concept_file.stem}.json")


def record(inputs: dict) -> bytes:
    return json.dumps({"inputs": {name: inputs.get(name, "") for name in COMPARED}},
                      sort_keys=True).encode("utf-8")


def find_concepts(out_dir: Path) -> dict[str, list[Path]]:
    """Every concept's files in `out_dir`, by key."""
    found: dict[str, list[Path]] = {}
    for path in sorted(out_dir.glob(f"*/*/*{CONCEPT_SUFFIX}.*")) + \
            sorted(out_dir.glob(f"*/*/.*{CONCEPT_SUFFIX}.json")):
        if not path.is_file() or path.suffix not in (".pdf", ".html", ".json"):
            continue
        stem = path.stem.lstrip(".")
        found.setdefault(f"{path.parent.parent.name}/{path.parent.name}/{stem}", []).append(path)
    return found


def plan_concepts(project: Project, hasher: Hasher, out_dir: Path, sources,
                  outputs=()) -> list[Concept]:
    """The concepts in `out_dir`, each with why it is stale ("" when it stays). `sources` is the
    plan's (batch.plan.Sources): the leaflets, practices and complete languages it found;
    `outputs` the keys of final outputs (a leaflet whose id ends in -concept is not a draft)."""
    concepts = []
    for key, files in find_concepts(out_dir).items():
        if key in outputs:
            continue
        practice, lang, stem = key.split("/")
        concepts.append(Concept(key, tuple(files),
                                _stale(project, hasher, sources, practice, lang, stem, files)))
    return concepts


def _stale(project: Project, hasher: Hasher, sources, practice: str, lang: str, stem: str,
           files: list[Path]) -> str:
    name = stem.removesuffix(CONCEPT_SUFFIX)
    leaflet = max((id for id in sources.leaflets if name == id or name.startswith(id + "-")),
                  key=len, default=None)
    practice_part = sources.practice_parts.get(practice) or \
        (practice_digest(project, hasher, practice) if practice == DEFAULT_PRACTICE_ID else None)
    if leaflet is None or practice_part is None:
        return "its leaflet or practice is gone"
    if lang in sources.complete.get(leaflet, ()):
        return "its language is complete: the final version is what to print"
    if lang not in project.languages():
        return "its language is gone"
    try:
        made_from = json.loads(next(p for p in files if p.suffix == ".json").read_bytes())["inputs"]
    except (StopIteration, OSError, ValueError, KeyError, TypeError):
        return "no record of what it was made from"
    now = {"leaflet": sources.leaflets[leaflet]["content"],
           "catalogs": catalogs_digest(project, hasher, leaflet, lang),
           "practice": practice_part, "templates": sources.templates}
    changed = [part for part in COMPARED if made_from.get(part) != now[part]]
    return f"its {', '.join(changed)} changed since it was made" if changed else ""


def remove_stale(concepts: list[Concept], out_dir: Path) -> list[str]:
    """Remove the stale concepts' files; the lines that say so (relative to `out_dir`)."""
    lines = []
    for concept in concepts:
        if concept.stale:
            for path in concept.files:
                path.unlink(missing_ok=True)
            lines.append(f"removed concept {concept.key}.pdf: {concept.stale}")
    return lines


def unmanaged(out_dir: Path, managed, concepts: list[Concept]) -> list[str]:
    """PDFs under final names in `out_dir` that the main job neither made nor keeps (`managed`: the
    paths of its outputs, relative to `out_dir`): `build` for a practice, variant or language the
    main job does not build. Nothing keeps them up to date, so the main job names them."""
    drafts = {path for concept in concepts for path in concept.files}
    return [f"not made by the main job, so not kept up to date: {path.relative_to(out_dir).as_posix()} "
            "(`verify` says whether it is current; remove it once it is not needed)"
            for path in sorted(out_dir.glob("*/*/*.pdf"))
            if _is_file(path) and path not in drafts and path.relative_to(out_dir).as_posix() not in managed]


def _is_file(path: Path) -> bool:
    """A file, as far as this process may see (a folder it may not search holds none it made)."""
    try:
        return path.is_file()
    except OSError:
        return False
