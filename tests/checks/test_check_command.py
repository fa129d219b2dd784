"""`generate.py check` and the checks before every build: contrast, text size, alt text,
readability, review date."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

import pytest

from leafletgen.build import BuildRequest, build
from leafletgen.checks.accessibility import SENTENCE_TARGET, readability, readability_finding, review_finding
from leafletgen.checks.contrast import contrast_ratio, darken_until
from leafletgen.inputs.leaflet import load_leaflet
from leafletgen.inputs.project import Project

from tests.conftest import REPO, run_cli

LEAFLET = "lage-rugklachten"


# ---- The contrast function, against WCAG's own figures ----------------------------------------------

@pytest.mark.parametrize("a, b, expected", [
    ("#000000", "#ffffff", 21.0),      # the maximum
    ("#ffffff", "#ffffff", 1.0),       # the minimum
    ("#777777", "#ffffff", 4.48),      # the classic near miss: fails AA
    ("#767676", "#ffffff", 4.54),      # the lightest grey that passes AA on white
    ("#595959", "#ffffff", 7.0),       # AAA for body text
    ("#0000ff", "#ffffff", 8.59),
    ("#ff0000", "#ffffff", 4.0),
    ("#00ff00", "#000000", 15.3),
])
def test_contrast_ratio_matches_known_wcag_pairs(a, b, expected):
    assert contrast_ratio(a, b) == pytest.approx(expected, abs=0.01)
    assert contrast_ratio(b, a) == contrast_ratio(a, b)


def test_darken_until_reaches_aa_and_keeps_a_colour_that_passes():
    fixed = darken_until("#7fbf3f", ["#ffffff"])
    assert contrast_ratio(fixed, "#ffffff") >= 4.5
    assert contrast_ratio(fixed, "#ffffff") < 5.0          # no darker than needed
    assert darken_until("#1f6f5c", ["#ffffff"]) == "#1f6f5c"


# ---- Readability -------------------------------------------------------------------------------------

def test_readability_of_the_dutch_leaflet_is_reported_against_the_b1_target():
    """A threshold, not a figure: the shipped leaflet's average is whatever its text gives (the
    counting is tested on a text of its own below); the finding is a warning exactly when it is
    above the B1 target, and it says the figure."""
    leaflet = load_leaflet(Project(REPO), LEAFLET)
    r = readability(leaflet)
    assert r.list_items == sum(len(block.items) for block in leaflet.blocks if block.kind == "list")
    assert 0 < r.sentences and r.words_per_sentence == pytest.approx(r.sentence_words / r.sentences)
    target = SENTENCE_TARGET["nl"]
    finding = readability_finding(leaflet)
    assert finding.level == ("warning" if r.words_per_sentence > target else "info")
    assert f"{r.words_per_sentence:.1f} words a sentence" in finding.message
    assert f"{target} words a sentence" in finding.message or f"target of {target}" in finding.message


def test_readability_counts_sentences_and_long_words(project):
    leaflet = load_leaflet(project, LEAFLET)
    from leafletgen.inputs.model import Block
    short = replace(leaflet, blocks=(
        Block("paragraph", 1, text="Rust niet te lang. Blijf bewegen! Bel ons bij twijfel."),
        Block("list", 2, items=("Fysiotherapeut", "Huisarts"), item_lines=(2, 3)),
        Block("heading", 4, text="Een heel erg lange kop telt niet mee als zin"),
    ))
    r = readability(short)
    assert (r.sentences, r.sentence_words, r.words) == (3, 10, 12)
    assert r.long_words == 4       # bewegen, twijfel, Fysiotherapeut, Huisarts (more than 6 letters)
    assert readability_finding(short).level == "info"
    # No Dutch target for another language: figures only.
    assert readability_finding(replace(short, language="tr")).level == "info"


def test_review_date_passed_is_a_warning():
    leaflet = load_leaflet(Project(REPO), LEAFLET)
    assert review_finding(leaflet, today=leaflet.review) is None
    late = review_finding(leaflet, today=leaflet.review + dt.timedelta(days=1))
    assert late.level == "warning" and "review date 2027-11-01 has passed" in late.message


# ---- Checks before every build -----------------------------------------------------------------------

def set_dates(project, published, review):
    path = project.leaflets_dir / f"{LEAFLET}.md"
    text = path.read_text()
    text = text.replace("published: 2026-11-01", f"published: {published}")
    text = text.replace("review: 2027-11-01", f"review: {review}")
    path.write_text(text)


def test_a_build_warns_when_the_review_date_has_passed_and_strict_refuses(project, tmp_path):
    set_dates(project, "2020-01-01", "2021-01-01")
    run = run_cli("build", "--leaflet", LEAFLET, "--out", str(tmp_path), root=project.root)
    assert run.code == 0
    assert "warning: lage-rugklachten: review date 2021-01-01 has passed" in run.err
    strict = run_cli("build", "--leaflet", LEAFLET, "--out", str(tmp_path / "s"), "--strict",
                     root=project.root)
    assert strict.code == 1 and "review date 2021-01-01 has passed" in strict.err
    assert not (tmp_path / "s").exists()


def override_css(project, extra: str) -> None:
    folder = project.practices_dir / "fysio-delinde" / "templates"
    folder.mkdir(parents=True, exist_ok=True)
    css = (project.templates_dir / "leaflet.css").read_text()
    (folder / "leaflet.css").write_text(css + "\n" + extra + "\n")


def test_a_build_warns_about_text_below_the_variants_minimum(project, tmp_path):
    override_css(project, "body.variant-large-print footer.colophon { font-size: 12pt; }")
    document, _, _ = build(project, BuildRequest(LEAFLET, "nl", "fysio-delinde", "large-print"), tmp_path)
    assert any("text of 12 pt" in w and "large-print variant's minimum of 18 pt" in w
               for w in document.warnings), document.warnings
    # The same CSS is fine for A4, whose minimum is 8.5 pt.
    document, _, _ = build(project, BuildRequest(LEAFLET, "nl", "fysio-delinde", "a4"), tmp_path)
    assert document.warnings == []


def test_a_build_warns_about_low_contrast_text(project, tmp_path):
    # (Below 3:1 the text proof refuses the document: too faint to count as printed.)
    override_css(project, ".kicker { color: #888888; }")
    document, _, _ = build(project, BuildRequest(LEAFLET, "nl", "fysio-delinde"), tmp_path)
    assert any("of text #888888 on #ffffff is below 4.5:1" in w
               and "PATIËNTENINFORMATIE" in w for w in document.warnings), document.warnings


def test_a_build_warns_about_an_image_without_alt_text(project, tmp_path, caplog):
    folder = project.practices_dir / "fysio-delinde" / "templates" / "blocks"
    folder.mkdir(parents=True)
    header = (project.templates_dir / "blocks" / "header.html.j2").read_text()
    (folder / "header.html.j2").write_text(header.replace(' alt="{{ practice.name }}"', ""))
    document, _, _ = build(project, BuildRequest(LEAFLET, "nl", "fysio-delinde"), tmp_path)
    assert "lage-rugklachten [nl] a4: image without alt text: logo.svg" in document.warnings
    # WeasyPrint says so too (PDF/UA requires alt text); that is the point of this test.
    assert any("has no required alt description" in r.getMessage() for r in caplog.records)
    caplog.clear()


def test_the_shipped_leaflet_builds_without_warnings_in_every_variant_readability_aside(
        dutch_leaflet, tmp_path):
    """Readability is `check`'s to report: the medical text is copied exactly, a build does not
    fail on it (it is above the B1 target, see above)."""
    assert dutch_leaflet.document.warnings == []
    assert dutch_leaflet.document.facts.min_text_pt == 8.5
    document, pdf, _ = build(Project(REPO), BuildRequest(LEAFLET, "nl", "fysio-delinde", "large-print"),
                             tmp_path)
    assert document.warnings == [] and pdf is not None
    assert document.facts.min_text_pt == 18


# ---- The command -------------------------------------------------------------------------------------

def test_check_command_reports_every_pair_sizes_and_readability(project):
    run = run_cli("check", "--variant", "large-print", "--lang", "nl", root=project.root)
    assert run.code == 0, run
    out = run.out
    assert re.search(r"fysio-delinde large-print lage-rugklachten: smallest text 18 pt \(minimum 18 pt\), "
                     r"body 1[89](\.\d+)? pt", out), out
    # The practice colour on white, and body text on the key message's tint.
    assert " 6.02:1 ok   #1f6f5c on #ffffff" in out
    assert "15.16:1 ok   #1a1a1a on #e9f1ef" in out
    figure = readability(load_leaflet(project, LEAFLET)).words_per_sentence
    assert f"lage-rugklachten [nl]: readability: {figure:.1f} words a sentence on average" in out
    above = figure > SENTENCE_TARGET["nl"]          # the only warning this project can give
    assert ("warning: lage-rugklachten [nl]: readability:" in run.err) == above
    assert out.rstrip().endswith(f"{int(above)} warning(s)")
    strict = run_cli("check", "--variant", "a4", "--lang", "nl", "--strict", root=project.root)
    if above:
        assert strict.code == 1 and strict.err.rstrip().endswith("error: warnings are errors with --strict")
    else:
        assert strict.code == 0, strict


@pytest.mark.slow
def test_check_command_lays_out_every_language_and_reports_its_pages(project):
    """`check` sets every language as it will be printed and says, in words a practice
    understands, how many pages and sheets, how full, the body size and line length, the logo."""
    run = run_cli("check", "--variant", "a4", root=project.root)
    assert run.code == 0, run
    for lang in ("nl", "en", "de", "fr", "es", "tr", "pl", "uk", "ar"):
        line = next(line for line in run.out.splitlines()
                    if line.startswith(f"  fysio-delinde a4 lage-rugklachten [{lang}]: "))
        assert "2 pages, one sheet printed double-sided; pages " in line, line
        assert re.search(r"body 1[234](\.\d+)? pt, about (6\d|7[0-5]) characters a line; logo 22 × 22 mm", line), line
    assert "full" not in run.err and "alone" not in run.err      # no page or heading warnings


def test_check_command_warns_about_sparse_pages_broken_words_and_lone_words(project):
    """What a practice is told when the layout cannot be put right (a very short text: one A4
    page is fine, but on A5 the text of one page shared out over two leaves both thin)."""
    from leafletgen.checks.page_report import findings
    from leafletgen.typeset.measure import LayoutReport, PageFacts
    from leafletgen.typeset.variants import VARIANTS

    report = LayoutReport(pages=[PageFacts(0.9, 250), PageFacts(0.2, 250), PageFacts(0.9, 250)],
                          broken_words=["achterha-len"], lone_words=["Acute lage rugklachten gaan vaak vanzelf over"],
                          logo_mm=(83.0, 8.0))
    said = findings(report, VARIANTS["large-print"])
    assert "3 pages: a blank page when printed double-sided" in said
    assert "page 2 is only 20% full" in said
    assert "1 word(s) broken at a line end in large print: 'achterha-len'" in said
    assert "a word alone on the last line of 'Acute lage rugklachten gaan vaak vanzelf over'" in said
    assert any(text.startswith("the logo is only 8 mm high") for text in said)


@pytest.mark.slow
def test_check_command_reports_a_darkened_practice_colour(project):
    path = project.practices_dir / "fysio-delinde.toml"
    path.write_text(path.read_text().replace('color = "#1f6f5c"', 'color = "#8fd3c0"'))
    run = run_cli("check", "--variant", "a4", "--leaflet", LEAFLET, root=project.root)
    assert run.code == 0
    assert "color #8fd3c0 has contrast" in run.err and "below 4.5:1" in run.err
    # What the layout then uses passes.
    assert "FAIL" not in run.out


def test_check_command_usage_errors(project):
    assert run_cli("check", "--variant", "a3", root=project.root).code == 2
    bad = run_cli("check", "--lang", "xx", root=project.root)
    assert bad.code == 1 and "unknown language 'xx'" in bad.err
