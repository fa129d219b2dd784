"""Property-based tests (hypothesis): whatever a practice profile or a leaflet says, the build either
succeeds with the text on the page, or refuses with a UserError; never another exception.

The examples are few by default (each is a real WeasyPrint render) and derandomized, so CI is
stable; LEAFLETGEN_HYPOTHESIS=deep explores far more (and at random):
    LEAFLETGEN_HYPOTHESIS=deep python -m pytest tests/inputs/test_hostile_properties.py
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import unicodedata
from functools import lru_cache

import pytest
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from leafletgen.render import BuildRequest, render_document
from leafletgen.errors import Problem, UserError
from leafletgen.markup.inline import plain_text
from leafletgen.inputs.project import Project

from tests.conftest import PROJECT_PARTS, REPO
from tests.hostile import LEAFLET, PRACTICE

PHASES = [Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink]   # no slow "explain" phase
settings.register_profile("ci", max_examples=12, deadline=None, derandomize=True, print_blob=True, phases=PHASES,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("deep", max_examples=300, deadline=None, print_blob=True, phases=PHASES,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PROFILE = "deep" if os.environ.get("LEAFLETGEN_HYPOTHESIS") == "deep" else "ci"


@lru_cache(maxsize=1)
def latin_alphabet() -> str:
    """Every printable character the Latin font stack can show (others would print as boxes,
    which WeasyPrint reports as a warning: a different property)."""
    from fontTools.ttLib import TTFont

    from leafletgen.typeset.fonts import LATIN_STACK, font_faces

    covered: set[int] = set()
    for face in font_faces():
        if face.family in LATIN_STACK:
            covered |= set(TTFont(face.path).getBestCmap())
    return "".join(chr(c) for c in sorted(covered)
                   if c < 0x2000 and unicodedata.category(chr(c))[0] in "LNPS" or chr(c) == " ")


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Project:
    root = tmp_path_factory.mktemp("properties") / "project"
    root.mkdir()
    for part in PROJECT_PARTS:
        if (REPO / part).exists():
            shutil.copytree(REPO / part, root / part)
    return Project(root)


def normalized(text: str) -> str:
    """Text as compared with the PDF's: compatibility forms folded (ligatures), no whitespace,
    no hyphens (a line may be hyphenated), no soft hyphens."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s\-\u2010\u2011\u00ad]+", "", text)


def pdf_words(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return normalized(" ".join(page.extract_text() or "" for page in reader.pages))


def assert_user_error(exc: UserError) -> None:
    assert exc.problems
    for problem in exc.problems:
        assert isinstance(problem, (Problem, str))
        assert "\n" not in str(problem)


def render(project: Project, practice: str | None):
    document = render_document(project, BuildRequest(LEAFLET, "nl", practice))
    assert not [w for w in document.warnings if w.startswith("WeasyPrint")], document.warnings
    return document


# ---- Practice fields -----------------------------------------------------------------------------

def text(min_size=0, max_size=60):
    return st.text(alphabet=st.sampled_from(latin_alphabet()), min_size=min_size, max_size=max_size)


def anything():
    """Any string at all: control characters, surrogates' neighbours, RTL overrides, emoji."""
    return st.text(max_size=40)


plausible_name = st.builds(lambda a, b: f"{a} {b}", st.sampled_from(["Fysio", "Huisartsenpraktijk", "Praktijk"]),
                           text(1, 40))
valid = {   # shaped right, any text where text is free: what must render
    "name": st.one_of(plausible_name, text(1, 120)),
    "address": text(0, 80),
    "phone": st.from_regex(r"\A\+?[0-9][0-9 ()-]{5,20}\Z"),
    "email": st.emails().map(str).filter(lambda e: len(e) < 80),
    "website": st.sampled_from(["https://praktijk.example", "http://a.example/pad?x=1&y=<2>", ""]),
    "color": st.from_regex(r"\A#[0-9a-fA-F]{6}\Z"),
}
hostile = {  # anything at all: what must be refused cleanly, if not rendered
    "name": st.one_of(text(0, 130), anything()),
    "address": st.one_of(text(0, 80), anything()),
    "phone": st.one_of(text(0, 25), anything()),
    "email": st.one_of(text(0, 40), anything()),
    "website": st.one_of(st.builds(lambda s: "https://" + s, text(0, 30)), text(0, 30), anything()),
    "color": st.one_of(text(0, 12), anything()),
}
fields = st.one_of(
    st.fixed_dictionaries(valid),
    st.fixed_dictionaries({key: st.one_of(valid[key], hostile[key]) for key in valid}),
)


@pytest.mark.slow
@settings(settings.get_profile(PROFILE))
@given(values=fields)
def test_any_practice_profile_builds_with_its_text_or_is_refused(base, values):
    lines = [f"{key} = {json.dumps(value)}" for key, value in values.items()]
    (base.practices_dir / f"{PRACTICE}.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        document = render(base, PRACTICE)
    except UserError as exc:
        assert_user_error(exc)
        event("refused")
        return
    event("built")
    shown = pdf_words(document.pdf)
    practice = document.practice
    assert practice.name.strip(), "an empty name must be refused, not rendered as no practice"
    for value in (practice.name, practice.address, practice.phone, practice.email):
        assert normalized(value) in shown, (value, shown[:300])
    assert re.fullmatch(r"#[0-9a-f]{6}", practice.color)


# ---- Leaflet text --------------------------------------------------------------------------------

MARKDOWN = "*_[]()<>!&#\\`-+.>:|~=\n"
leaflet_text = st.text(alphabet=st.sampled_from(latin_alphabet() + MARKDOWN * 4), min_size=1, max_size=200)


@settings(settings.get_profile(PROFILE))
@given(title=st.one_of(text(1, 50), anything()), paragraphs=st.lists(leaflet_text, min_size=1, max_size=4))
def test_any_leaflet_text_builds_with_every_word_on_the_page_or_is_refused(base, title, paragraphs):
    front = (REPO / "leaflets" / f"{LEAFLET}.md").read_text(encoding="utf-8").split("\n---\n", 1)[0]
    front = re.sub(r"(?m)^title: .*$", lambda _: f"title: {json.dumps(title)}", front)
    body = "\n\n".join(paragraphs)
    (base.leaflets_dir / f"{LEAFLET}.md").write_text(f"{front}\n---\n\n{body}\n", encoding="utf-8")
    try:
        document = render(base, None)
    except UserError as exc:
        assert_user_error(exc)
        event("refused")
        return
    event("built")
    shown = pdf_words(document.pdf)
    for _, kind, unit in document.leaflet.units():
        assert kind != "image alt text"
        assert normalized(plain_text(unit)) in shown, (kind, unit, shown[:400])


# ---- Any bytes in any input file: a clean refusal (or a build), never an internal error ----------

PO_ALPHABET = 'msgidtrcxplu_[]0123 "\\\n#,~|:fzyabnq<>*()'


@settings(settings.get_profile(PROFILE), max_examples=200 if PROFILE == "ci" else 3000)
@given(text=st.one_of(st.text(alphabet=PO_ALPHABET, max_size=300), st.text(max_size=100)))
def test_the_catalog_checker_never_raises(text):
    from leafletgen.translate.catalog_checks import check_text

    for problem in check_text(text, "x.po", template_domain=True):
        assert isinstance(problem, Problem) and problem.message


INPUTS = {
    "leaflet": lambda project: project.leaflets_dir / f"{LEAFLET}.md",
    "profile": lambda project: project.practices_dir / f"{PRACTICE}.toml",
    "logo": lambda project: project.practices_dir / PRACTICE / "logo.svg",
    "catalog": lambda project: project.translations_dir / "en" / "LC_MESSAGES" / f"{LEAFLET}.po",
}


def mangled(original: bytes):
    """Garbage, and near misses of the real file (a cut, a byte changed, a chunk repeated)."""
    return st.one_of(
        st.binary(max_size=300),
        st.integers(0, len(original)).map(lambda n: original[:n]),
        st.tuples(st.integers(0, max(len(original) - 1, 0)), st.integers(0, 255)).map(
            lambda t: original[:t[0]] + bytes([t[1]]) + original[t[0] + 1:]),
        st.tuples(st.integers(0, len(original)), st.binary(min_size=1, max_size=40)).map(
            lambda t: original[:t[0]] + t[1] + original[t[0]:]),
    )


@pytest.mark.slow
@settings(settings.get_profile(PROFILE), max_examples=12 if PROFILE == "ci" else 200)
@given(data=st.data(), kind=st.sampled_from(sorted(INPUTS)))
def test_any_bytes_in_any_input_give_a_clean_answer(base, tmp_path_factory, data, kind):
    from tests.conftest import run_cli

    path = INPUTS[kind](base)
    original = (REPO / path.relative_to(base.root)).read_bytes()
    path.write_bytes(data.draw(mangled(original), label="content"))
    try:
        run = run_cli("build", "--leaflet", LEAFLET, "--lang", "en", "--practice", PRACTICE,
                      "--out", str(tmp_path_factory.mktemp("out")), root=base.root)
    finally:
        path.write_bytes(original)
    assert run.code in (0, 1), run
    assert "internal error" not in run.err and "Traceback" not in run.err, run
    event("built" if run.code == 0 else "refused")
    if run.code == 1:
        assert all(line.startswith(("error: ", "warning: ")) for line in run.err.splitlines()), run
