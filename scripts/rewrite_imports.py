#!/usr/bin/env python3
"""Move the flat modules of leafletgen/ into stage packages, and rewrite imports of the old paths.

    python scripts/rewrite_imports.py          # rewrite old module paths in this checkout
    python scripts/rewrite_imports.py --move   # first `git mv` every module and test, then rewrite

A branch started before the move: rebase it on main, then run this once; it rewrites what the
branch added with an old path (imports, `leafletgen.x.y` in strings) and prints each file it
changed. Running it twice changes nothing the second time.
"""

from __future__ import annotations

import argparse
import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Old module → new module (dotted).
MODULES = {
    "leafletgen.accessibility": "leafletgen.checks.accessibility",
    "leafletgen.colors": "leafletgen.checks.contrast",
    "leafletgen.page_report": "leafletgen.checks.page_report",
    "leafletgen.cli": "leafletgen.cli.main",
    "leafletgen.commands": "leafletgen.cli.commands",
    "leafletgen.docs": "leafletgen.cli.reference",
    "leafletgen.content": "leafletgen.inputs.leaflet",
    "leafletgen.practice": "leafletgen.inputs.practice",
    "leafletgen.model": "leafletgen.inputs.model",
    "leafletgen.model_validation": "leafletgen.inputs.validation",
    "leafletgen.files": "leafletgen.inputs.files",
    "leafletgen.logo": "leafletgen.inputs.logo",
    "leafletgen.unprintable": "leafletgen.inputs.characters",
    "leafletgen.input_files": "leafletgen.inputs.input_files",
    "leafletgen.project": "leafletgen.inputs.project",
    "leafletgen.html": "leafletgen.markup.html",
    "leafletgen.template_environment": "leafletgen.markup.templates",
    "leafletgen.sandbox": "leafletgen.markup.sandbox",
    "leafletgen.inline": "leafletgen.markup.inline",
    "leafletgen.typography": "leafletgen.markup.typography",
    "leafletgen.typesetting": "leafletgen.markup.typesetting",
    "leafletgen.active_content": "leafletgen.markup.active_content",
    "leafletgen.qr": "leafletgen.markup.qr",
    "leafletgen.variants": "leafletgen.typeset.variants",
    "leafletgen.pdf": "leafletgen.typeset.pdf",
    "leafletgen.fit": "leafletgen.typeset.copyfit",
    "leafletgen.layout": "leafletgen.typeset.measure",
    "leafletgen.hyphenation": "leafletgen.typeset.hyphenation",
    "leafletgen.impose": "leafletgen.typeset.impose",
    "leafletgen.fonts": "leafletgen.typeset.fonts",
    "leafletgen.font_files": "leafletgen.typeset.font_instances",
    "leafletgen.limits": "leafletgen.run.limits",
    "leafletgen.render_child": "leafletgen.run.render_child",
    "leafletgen.signals": "leafletgen.run.signals",
    "leafletgen.i18n": "leafletgen.translate.catalogs",
    "leafletgen.catalog_validation": "leafletgen.translate.catalog_checks",
    "leafletgen.po_syntax": "leafletgen.translate.po_syntax",
    "leafletgen.plural": "leafletgen.translate.plural_forms",
    "leafletgen.plurals": "leafletgen.translate.plural_defaults",
    "leafletgen.extract": "leafletgen.translate.extract",
    "leafletgen.translations": "leafletgen.translate.workflow",
    "leafletgen.translation_status": "leafletgen.translate.status",
    "leafletgen.review_records": "leafletgen.translate.review.records",
    "leafletgen.review_state": "leafletgen.translate.review.state",
    "leafletgen.review_command": "leafletgen.translate.review.recording",
    "leafletgen.web.catalog": "leafletgen.translate.web_catalog",
}

PACKAGE_DOCSTRINGS = {
    "leafletgen/inputs": "Stage 1: the inputs of a document, read once and validated.",
    "leafletgen/translate": "Stage 2: gettext catalogs, the translation workflow and reviews.",
    "leafletgen/translate/review": "Review records: who checked a translation, and whether that still holds.",
    "leafletgen/markup": "Stage 3: the leaflet as HTML, from templates in a sandbox.",
    "leafletgen/typeset": "Stage 4: the HTML laid out by WeasyPrint and written as a tagged PDF.",
    "leafletgen/checks": "What a practice should hear about a document: contrast, sizes, pages.",
    "leafletgen/run": "Running a render in another process: limits, signals, the render child.",
    "leafletgen/cli": "The command line.",
    "tests/inputs": None, "tests/translate": None, "tests/markup": None, "tests/typeset": None,
    "tests/checks": None, "tests/run": None, "tests/cli": None, "tests/batch": None,
    "tests/web": None, "tests/store": None,
}

# Test files follow the package's folders.
TESTS = {
    "tests/test_batch.py": "tests/batch/test_main_job.py",
    "tests/test_cluster.py": "tests/batch/test_cluster.py",
    "tests/test_caches.py": "tests/typeset/test_caches.py",
    "tests/test_catalog_quality.py": "tests/translate/test_catalog_quality.py",
    "tests/test_checks.py": "tests/checks/test_check_command.py",
    "tests/test_contrast.py": "tests/checks/test_contrast.py",
    "tests/test_cli.py": "tests/cli/test_cli.py",
    "tests/test_golden.py": "tests/markup/test_golden.py",
    "tests/test_hostile_active_content.py": "tests/markup/test_hostile_active_content.py",
    "tests/test_hostile_catalogs.py": "tests/translate/test_hostile_catalogs.py",
    "tests/test_hostile_characters.py": "tests/inputs/test_hostile_characters.py",
    "tests/test_hostile_context.py": "tests/markup/test_hostile_context.py",
    "tests/test_hostile_escaping.py": "tests/markup/test_hostile_escaping.py",
    "tests/test_hostile_faults.py": "tests/batch/test_hostile_faults.py",
    "tests/test_hostile_gadgets.py": "tests/markup/test_hostile_gadgets.py",
    "tests/test_hostile_limits.py": "tests/run/test_hostile_limits.py",
    "tests/test_hostile_links.py": "tests/inputs/test_hostile_links.py",
    "tests/test_hostile_output.py": "tests/batch/test_hostile_output.py",
    "tests/test_hostile_properties.py": "tests/inputs/test_hostile_properties.py",
    "tests/test_hostile_sandbox.py": "tests/markup/test_hostile_sandbox.py",
    "tests/test_hostile_svg.py": "tests/inputs/test_hostile_svg.py",
    "tests/test_hostile_unicode.py": "tests/inputs/test_hostile_unicode.py",
    "tests/test_hostile_validation.py": "tests/inputs/test_hostile_validation.py",
    "tests/test_leaflet_pdf.py": "tests/typeset/test_leaflet_pdf.py",
    "tests/test_print_facts.py": "tests/typeset/test_print_facts.py",
    "tests/test_qr.py": "tests/markup/test_qr.py",
    "tests/test_review.py": "tests/translate/test_review.py",
    "tests/test_rtl_bilingual.py": "tests/typeset/test_rtl_bilingual.py",
    "tests/test_shipped_translations.py": "tests/translate/test_shipped_translations.py",
    "tests/test_signals.py": "tests/run/test_signals.py",
    "tests/test_templates.py": "tests/markup/test_templates.py",
    "tests/test_translations.py": "tests/translate/test_workflow.py",
    "tests/test_typeset.py": "tests/typeset/test_typeset.py",
    "tests/test_typography.py": "tests/markup/test_typography.py",
    "tests/test_validation_leaflet.py": "tests/inputs/test_leaflet.py",
    "tests/test_validation_practice.py": "tests/inputs/test_practice.py",
    "tests/test_variants.py": "tests/typeset/test_variants.py",
    "tests/test_web.py": "tests/web/test_web.py",
    "tests/test_web_browser.py": "tests/web/test_browser.py",
    "tests/test_change_detection.py": "tests/batch/test_change_detection.py",
    "tests/test_completeness.py": "tests/translate/test_completeness.py",
    "tests/test_web_login_required.py": "tests/web/test_login_required.py",
    "tests/test_web_practices.py": "tests/web/test_practices.py",
    "tests/test_web_uploads.py": "tests/web/test_uploads.py",
    "tests/test_users_command.py": "tests/store/test_users_command.py",
    "tests/test_store.py": "tests/store/test_store.py",
    "tests/test_web_accounts.py": "tests/web/test_accounts.py",
    "tests/test_web_browser_accounts.py": "tests/web/test_browser_accounts.py",
    "tests/test_web_browser_flows.py": "tests/web/test_browser_flows.py",
    "tests/test_web_pack.py": "tests/web/test_pack.py",
    "tests/test_web_search.py": "tests/web/test_search.py",
}
TEST_HELPERS = ("conftest", "hostile", "pdfutil", "postgres")   # stay in tests/, imported as tests.<name>
# A test module that imports another (`from .test_web import …`): by its new dotted name.
TEST_MODULES = {Path(old).stem: new[:-3].replace("/", ".") for old, new in TESTS.items()}

# Where old module paths may be written in text (strings, docs): `leafletgen.x.y` → new.
# `leafletgen.cli` stays valid as a package whose face is `main`, so it is not rewritten in text.
TEXT_SUFFIXES = {".py", ".md", ".toml", ".cfg", ".yml", ".yaml", ".txt", ".j2", ".html", ""}
TEXT_MODULES = {old: new for old, new in MODULES.items() if old != "leafletgen.cli"}
_TEXT_PATTERN = re.compile(r"\b(" + "|".join(re.escape(m) for m in sorted(TEXT_MODULES, key=len,
                                                                            reverse=True))
                           + r")\b(?![\w/-])")


def dotted(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def module_exists(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def old_location(path: Path) -> str:
    """The dotted module a file had before the move (itself if it did not move)."""
    name = dotted(path)
    for old, new in MODULES.items():
        if new == name:
            return old
    return name


def resolve(module: str | None, level: int, package: str) -> str:
    if level == 0:
        return module or ""
    base = package.split(".")
    base = base[:len(base) - (level - 1)] if level > 1 else base
    return ".".join(base + ([module] if module else []))


def relative_to(target: str, package: str) -> tuple[str, int]:
    """`target` written relative to `package`: (module, level)."""
    here, there = package.split("."), target.split(".")
    common = 0
    while common < min(len(here), len(there)) and here[common] == there[common]:
        common += 1
    level = len(here) - common + 1
    return ".".join(there[common:]), level


def render_import(module: str, level: int, names: list[str], indent: str) -> str:
    head = f"{indent}from {'.' * level}{module} import "
    text = head + ", ".join(names)
    if len(text) <= 100:
        return text
    lines, line = [], head + "("
    for index, name in enumerate(names):
        piece = name + (", " if index < len(names) - 1 else ")")
        if len(line) + len(piece.rstrip()) > 100 and line.strip() != head.strip() + " (":
            lines.append(line.rstrip())
            line = " " * len(head + "(") + piece
        else:
            line += piece
    lines.append(line.rstrip())
    return "\n".join(lines)


def alias_text(alias: ast.alias) -> str:
    return alias.name + (f" as {alias.asname}" if alias.asname else "")


def defined_names(module: str) -> set[str]:
    """The names a module defines at its top level (and its submodules, for a package)."""
    path = ROOT.joinpath(*module.split("."))
    source = path.with_suffix(".py") if path.with_suffix(".py").is_file() else path / "__init__.py"
    if not source.is_file():
        return set()
    names = {child.stem for child in path.iterdir()} if path.is_dir() else set()
    for node in ast.parse(source.read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def resolves(base: str, names: list[str]) -> bool:
    """Whether `from base import names` works in the tree as it is now."""
    if not module_exists(base):
        return False
    defined = defined_names(base)
    return all(name == "*" or name in defined for name in names)


def new_import(node: ast.ImportFrom, path: Path, indent: str) -> str | None:
    """The statement(s) that replace `node`, or None when it needs no change."""
    in_package = path.is_relative_to(ROOT / "leafletgen")
    is_init = path.name == "__init__.py"
    here = dotted(path) if is_init else dotted(path).rpartition(".")[0]
    before = old_location(path)
    before_package = before if is_init else before.rpartition(".")[0]
    names = [alias.name for alias in node.names]
    base = resolve(node.module, node.level, here)
    moved = False
    if node.level and not resolves(base, names) and before_package != here:
        # Written where the file was before the move.
        base, moved = resolve(node.module, node.level, before_package), True
    groups: dict[str, list[str]] = {}
    changed = moved
    for alias in node.names:
        full = f"{base}.{alias.name}"
        if full in MODULES:          # from leafletgen import pdf  →  from leafletgen.typeset import pdf
            new_base, _, new_name = MODULES[full].rpartition(".")
            local = alias.asname or alias.name
            text = new_name if local == new_name else f"{new_name} as {local}"
            groups.setdefault(new_base, []).append(text)
            changed = True
        else:
            target = MODULES.get(base, base)
            changed |= target != base
            groups.setdefault(target, []).append(alias_text(alias))
    if not changed:
        return None
    statements = []
    for target, group in groups.items():
        if node.level and in_package:
            module, level = relative_to(target, here)
            statements.append(render_import(module, level, group, indent))
        else:
            statements.append(render_import(target, 0, group, indent))
    return "\n".join(statements)


def rewrite_python(path: Path, text: str) -> str:
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return text
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    edits = []
    for node in ast.walk(tree):
        replacement = None
        if isinstance(node, ast.ImportFrom):
            test_module = TEST_MODULES.get(node.module or "") if node.level == 1 else None
            if path.is_relative_to(ROOT / "tests") and node.level and node.module in TEST_HELPERS:
                names = [alias_text(a) for a in node.names]
                indent = lines[node.lineno - 1][:node.col_offset]
                replacement = render_import(f"tests.{node.module}", 0, names, indent)
            elif path.is_relative_to(ROOT / "tests") and node.level == 1 and not node.module \
                    and all(a.name in TEST_HELPERS for a in node.names):
                indent = lines[node.lineno - 1][:node.col_offset]
                replacement = render_import("tests", 0, [alias_text(a) for a in node.names], indent)
            elif path.is_relative_to(ROOT / "tests") and test_module:
                names = [alias_text(a) for a in node.names]
                indent = lines[node.lineno - 1][:node.col_offset]
                replacement = render_import(test_module, 0, names, indent)
            else:
                indent = lines[node.lineno - 1][:node.col_offset]
                replacement = new_import(node, path, indent)
        elif isinstance(node, ast.Import):
            names = []
            for alias in node.names:
                target = MODULES.get(alias.name, alias.name)
                names.append(target + (f" as {alias.asname}" if alias.asname else ""))
            if [a.name for a in node.names] != [n.split(" as ")[0] for n in names]:
                replacement = lines[node.lineno - 1][:node.col_offset] + "import " + ", ".join(names)
        if replacement is None:
            continue
        start = offsets[node.lineno - 1] + node.col_offset
        end = offsets[node.end_lineno - 1] + node.end_col_offset
        edits.append((start, end, replacement.lstrip()))
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


# Paths in text: leafletgen/fit.py → leafletgen/typeset/copyfit.py, tests/test_batch.py → ….
PATHS = {**{old.replace(".", "/") + ".py": new.replace(".", "/") + ".py" for old, new in MODULES.items()},
         **TESTS}
_PATH_PATTERN = re.compile(r"(?<![\w/.-])(" + "|".join(re.escape(p) for p in sorted(PATHS, key=len,
                                                                                     reverse=True))
                           + r")(?![\w/-])")


def rewrite_text(text: str) -> str:
    text = _PATH_PATTERN.sub(lambda m: PATHS[m.group(1)], text)
    return _TEXT_PATTERN.sub(lambda m: TEXT_MODULES[m.group(1)], text)


def candidate_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, check=True).stdout.decode().split("\0")
    files = []
    for name in listed:
        path = ROOT / name
        if not name or not path.is_file() or name == "scripts/rewrite_imports.py":
            continue
        if name.startswith(("translations/", "leaflets/", "practices/", "tests/golden/",
                            "tests/seed/")):
            continue
        if path.suffix in TEXT_SUFFIXES and (path.suffix or name.startswith(".ci/")):
            files.append(path)
    return files


def move() -> None:
    for old, new in {**{m.replace(".", "/") + ".py": n.replace(".", "/") + ".py"
                        for m, n in MODULES.items()}, **TESTS}.items():
        if not (ROOT / old).exists():
            continue
        (ROOT / new).parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "mv", old, new], cwd=ROOT, check=True)
    for folder, docstring in PACKAGE_DOCSTRINGS.items():
        init = ROOT / folder / "__init__.py"
        if (ROOT / folder).is_dir() and not init.exists():
            init.write_text(f'"""{docstring}"""\n' if docstring else "", encoding="utf-8")
            subprocess.run(["git", "add", str(init)], cwd=ROOT, check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--move", action="store_true", help="git mv the modules and tests first")
    args = parser.parse_args(argv)
    if args.move:
        move()
    for path in candidate_files():
        text = path.read_text(encoding="utf-8")
        new = rewrite_python(path, text) if path.suffix == ".py" else text
        new = rewrite_text(new)
        if new != text:
            path.write_text(new, encoding="utf-8")
            print(f"rewrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
