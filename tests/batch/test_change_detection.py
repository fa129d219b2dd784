"""A change to any input a document is made from rebuilds exactly the documents made from it (the
main job, run twice) and is a new document in the web app's cache (its key changes).

Every kind of input is changed once, the way a practice changes it: a file edited, a review
recorded with the command. A font and the tool are installed packages: a subprocess sees a changed
copy of one first on its PYTHONPATH.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.conftest import PROJECT_PARTS, REPO, run_cli

LEAFLET = "lage-rugklachten"    # translated: German and Turkish are kept
SHORT = "kort"                  # Dutch only, with a picture
DELINDE = "fysio-delinde"       # its logo in its own folder; every language
OOST = "huisarts-oost"          # its logo beside the profiles; German only

SHORT_SOURCE = """---
id: kort
title: Kort advies
language: nl
version: "1.0"
published: 2026-11-01
review: 2027-11-01
author: Redactie patiëntenvoorlichting
source: Een korte folder voor de tests
---

Blijf rustig bewegen, ook als het pijn doet.

![Een rug met de onderrug rood gekleurd](kort.png)
"""

DOCUMENTS = frozenset(
    {f"{DELINDE}/{lang}/{LEAFLET}.pdf" for lang in ("nl", "de", "tr")}
    | {f"{OOST}/{lang}/{LEAFLET}.pdf" for lang in ("nl", "de")}
    | {f"{practice}/nl/{SHORT}.pdf" for practice in (DELINDE, OOST)})


def png(colour: tuple[int, int, int], size=(60, 40)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def make_project(root: Path) -> Path:
    """The shipped project with German and Turkish only, a second leaflet with a picture, and a
    second practice whose logo lies beside the profiles and which wants German only."""
    root.mkdir(parents=True)
    for part in PROJECT_PARTS:
        shutil.copytree(REPO / part, root / part)
    for folder in (root / "translations").iterdir():
        if folder.is_dir() and folder.name not in ("de", "tr"):
            shutil.rmtree(folder)
    (root / "leaflets" / f"{SHORT}.md").write_text(SHORT_SOURCE, encoding="utf-8")
    (root / "leaflets" / f"{SHORT}.png").write_bytes(png((200, 60, 60)))
    (root / "practices" / f"{OOST}.toml").write_text(
        'name = "Huisartsenpraktijk Oost"\nlogo = "oost-logo.png"\ncolor = "#7a2e8c"\n'
        'phone = "020 765 43 21"\nlanguages = ["de"]\n', encoding="utf-8")
    (root / "practices" / "oost-logo.png").write_bytes(png((122, 46, 140), (120, 60)))
    return root


def documents(leaflet=None, lang=None, practice=None, but=()) -> frozenset[str]:
    """The documents of DOCUMENTS made from that leaflet, language and practice."""
    found = set()
    for name in DOCUMENTS:
        its_practice, its_lang, file = name.split("/")
        if (leaflet in (None, file.removesuffix(".pdf")) and lang in (None, its_lang)
                and practice in (None, its_practice) and name not in but):
            found.add(name)
    return frozenset(found)


# ---- The changes --------------------------------------------------------------------------------

def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def change_leaflet_text(root: Path) -> None:
    edit(root / "leaflets" / f"{SHORT}.md", "Blijf rustig bewegen", "Blijf voorzichtig bewegen")


def change_leaflet_picture(root: Path) -> None:
    (root / "leaflets" / f"{SHORT}.png").write_bytes(png((60, 60, 200)))


def change_leaflet_front_matter(root: Path) -> None:
    """A new version with the same units: every language's document says the new version."""
    edit(root / "leaflets" / f"{LEAFLET}.md", 'version: "1.0"', 'version: "1.1"')


def change_leaflet_catalog(root: Path) -> None:
    path = root / "translations" / "de" / "LC_MESSAGES" / f"{LEAFLET}.po"
    text, count = re.subn(r'(msgid "Lage rugklachten"\nmsgstr ")[^"]*"', r'\1Rückenschmerzen"',
                          path.read_text(encoding="utf-8"))
    assert count == 1
    path.write_text(text, encoding="utf-8")


def change_template_catalog(root: Path) -> None:
    path = root / "translations" / "de" / "LC_MESSAGES" / "leafletgen.po"
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")


def change_review_record(root: Path) -> None:
    run = run_cli("translations", "review", "tr", "--leaflet", LEAFLET, "--by", "Dr. A. Jansen",
                  "--date", "2026-11-02", root=root)
    assert run.code == 0, run


def change_termbase(root: Path) -> None:
    path = root / "translations" / "tr" / "terms.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# Checked by the practice.\n", encoding="utf-8")


def change_language_table(root: Path) -> None:
    """The content folder's own German table (new, then changed): German quotes as guillemets."""
    path = root / "translations" / "de" / "language.toml"
    text = path.read_text(encoding="utf-8") if path.exists() else '[punctuation]\nquotes = ["»«", "›‹"]\n'
    path.write_text(text + "# The practice's house style.\n", encoding="utf-8")


def change_template(root: Path) -> None:
    path = root / "templates" / "blocks" / "callout.html.j2"
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")


def change_stylesheet(root: Path) -> None:
    path = root / "templates" / "leaflet.css"
    path.write_text(path.read_text(encoding="utf-8") + "\n/* changed */\n", encoding="utf-8")


def change_practice_template(root: Path) -> None:
    """Huisartsenpraktijk Oost's own callout template (new, then changed: both are a change)."""
    folder = root / "practices" / OOST / "templates" / "blocks"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "callout.html.j2"
    if not path.exists():
        shutil.copy(root / "templates" / "blocks" / "callout.html.j2", path)
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")


def change_practice_stylesheet(root: Path) -> None:
    """De Linde's own stylesheet (new, then changed)."""
    folder = root / "practices" / DELINDE / "templates"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "leaflet.css"
    if not path.exists():
        shutil.copy(root / "templates" / "leaflet.css", path)
    path.write_text(path.read_text(encoding="utf-8") + "\n/* De Linde */\n", encoding="utf-8")


def change_profile(root: Path) -> None:
    edit(root / "practices" / f"{OOST}.toml", "020 765 43 21", "020 765 43 22")


def change_logo_in_practice_folder(root: Path) -> None:
    path = root / "practices" / DELINDE / "logo.svg"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("</svg>", "<!-- a new logo --></svg>"), encoding="utf-8")


def change_logo_beside_profiles(root: Path) -> None:
    (root / "practices" / "oost-logo.png").write_bytes(png((40, 140, 60), (120, 60)))


# kind → (change, the documents made from what it changed, a web address of one of them)
CHANGES = {
    "leaflet text": (change_leaflet_text, documents(leaflet=SHORT),
                     f"/leaflets/{SHORT}/nl.pdf?practice={OOST}"),
    "leaflet picture": (change_leaflet_picture, documents(leaflet=SHORT),
                        f"/leaflets/{SHORT}/nl.pdf?practice={DELINDE}"),
    "leaflet front matter": (change_leaflet_front_matter, documents(leaflet=LEAFLET),
                             f"/leaflets/{LEAFLET}/de.pdf?practice={OOST}"),
    "leaflet catalog": (change_leaflet_catalog, documents(leaflet=LEAFLET, lang="de"),
                        f"/leaflets/{LEAFLET}/de.pdf?practice={DELINDE}"),
    "template catalog": (change_template_catalog, documents(lang="de"),
                         f"/leaflets/{LEAFLET}/de.pdf"),
    "review record": (change_review_record, documents(leaflet=LEAFLET, lang="tr"),
                      f"/leaflets/{LEAFLET}/tr.pdf?practice={DELINDE}"),
    "termbase": (change_termbase, documents(lang="tr"), f"/leaflets/{LEAFLET}/tr.pdf?practice={DELINDE}"),
    "language table": (change_language_table, documents(lang="de"), f"/leaflets/{LEAFLET}/de.pdf?practice={OOST}"),
    "template": (change_template, DOCUMENTS, f"/leaflets/{SHORT}/nl.pdf"),
    "stylesheet": (change_stylesheet, DOCUMENTS, f"/leaflets/{LEAFLET}/nl.pdf"),
    "practice template": (change_practice_template, documents(practice=OOST),
                          f"/leaflets/{LEAFLET}/nl.pdf?practice={OOST}"),
    "practice stylesheet": (change_practice_stylesheet, documents(practice=DELINDE),
                            f"/leaflets/{LEAFLET}/nl.pdf?practice={DELINDE}"),
    "profile": (change_profile, documents(practice=OOST),
                f"/leaflets/{LEAFLET}/de.pdf?practice={OOST}"),
    "logo in the practice's folder": (change_logo_in_practice_folder, documents(practice=DELINDE),
                                      f"/leaflets/{SHORT}/nl.pdf?practice={DELINDE}"),
    "logo beside the profiles": (change_logo_beside_profiles, documents(practice=OOST),
                                 f"/leaflets/{SHORT}/nl.pdf?practice={OOST}"),
}


# ---- Installed packages changed: a font, the tool ------------------------------------------------

def shadow_font(folder: Path) -> Path:
    """A copy of the Atkinson Hyperlegible package with its regular face changed (bytes added at
    its end, as a new release of the package would change it), to put first on PYTHONPATH."""
    import fontpkg_atkinson_hyperlegible as package

    source = Path(package.__file__).resolve().parent
    target = folder / source.name
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
    with (target / "files" / "AtkinsonHyperlegible-Regular.ttf").open("ab") as fh:
        fh.write(b"\0" * 4)
    return folder


def shadow_library_version(folder: Path) -> Path:
    """Another version of a library that shapes the PDF (pydyf writes it), as pip would install
    it: its metadata found first on PYTHONPATH (the code stays the installed one)."""
    info = folder / "pydyf-99.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: pydyf\nVersion: 99.0\n")
    return folder


# kind → (a folder to put first on PYTHONPATH, the documents made from it, a web address)
PACKAGE_CHANGES = {
    # Turkish is set in Noto Sans alone.
    "font": (shadow_font, documents(but=documents(lang="tr")),
             f"/leaflets/{LEAFLET}/de.pdf?practice={OOST}"),
    "tool version": (shadow_library_version, DOCUMENTS, f"/leaflets/{SHORT}/nl.pdf?practice={OOST}"),
}


def with_pythonpath(folder: Path | None) -> dict:
    env = dict(os.environ)
    if folder is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(folder)] + [p for p in [env.get("PYTHONPATH")] if p])
    return env


# ---- The main job -------------------------------------------------------------------------------

def rebuilt(out: str) -> set[str]:
    return {line.removeprefix("built ") for line in out.splitlines() if line.startswith("built ")}


def summary(out: str) -> dict[str, int]:
    line = out.strip().splitlines()[-1]
    return {word: int(n) for n, word in re.findall(r"(\d+) (built|unchanged|failed)", line)}


def main_job(root: Path, pythonpath: Path | None = None):
    """generate.py's main job: in-process, or with `pythonpath` first in a new process."""
    if pythonpath is None:
        run = run_cli("--jobs", "1", root=root)
        return run.code, run.out, run.err
    done = subprocess.run([sys.executable, "generate.py", "--root", str(root), "--jobs", "1"],
                          cwd=REPO, env=with_pythonpath(pythonpath), capture_output=True, text=True)
    return done.returncode, done.stdout, done.stderr


@pytest.fixture(scope="module")
def built_once(tmp_path_factory) -> Path:
    root = make_project(tmp_path_factory.mktemp("change") / "project")
    run = run_cli("--jobs", "2", root=root)
    assert run.code == 0, run
    assert rebuilt(run.out) == DOCUMENTS
    return root


@pytest.fixture
def built(built_once, tmp_path) -> Path:
    """A private copy of the built project (inputs, output/ and its manifest)."""
    root = tmp_path / "project"
    shutil.copytree(built_once, root)
    return root


def expect_exactly(run, expected: frozenset[str]) -> None:
    code, out, err = run
    assert code == 0, (out, err)
    assert rebuilt(out) == expected
    assert summary(out) == {"built": len(expected), "unchanged": len(DOCUMENTS) - len(expected),
                            "failed": 0}


@pytest.mark.slow
def test_nothing_changed_nothing_rebuilt(built):
    expect_exactly(main_job(built), frozenset())


@pytest.mark.slow
@pytest.mark.parametrize("kind", list(CHANGES))
def test_the_main_job_rebuilds_exactly_what_a_change_touches(built, kind):
    change, expected, _ = CHANGES[kind]
    change(built)
    expect_exactly(main_job(built), expected)
    expect_exactly(main_job(built), frozenset())        # and remembers it


@pytest.mark.slow
@pytest.mark.parametrize("kind", list(PACKAGE_CHANGES))
def test_the_main_job_rebuilds_exactly_what_a_changed_package_touches(built, tmp_path, kind):
    shadow, expected, _ = PACKAGE_CHANGES[kind]
    folder = shadow(tmp_path / "shadow")
    expect_exactly(main_job(built, folder), expected)
    expect_exactly(main_job(built, folder), frozenset())


def test_a_truncated_output_is_rebuilt(built):
    """The manifest records each file's size: a file cut short (a full disk, a copy that broke
    off) is made again, although every input is as it was."""
    name = f"{OOST}/de/{LEAFLET}.pdf"
    path = built / "output" / name
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    expect_exactly(main_job(built), frozenset({name}))
    assert len(PdfReader(path).pages) == len(PdfReader(io.BytesIO(whole)).pages)


# ---- The web app's document cache ----------------------------------------------------------------

def serve_one(root: str, cache: str, url: str) -> None:
    """Run in a new process: a web app over `root` with its cache in `cache` answers `url`;
    prints the status and whether the cache had it."""
    from leafletgen.inputs.project import Project
    from leafletgen.web.app import create_app
    from leafletgen.web.documents import DocumentService

    service = DocumentService(Project(Path(root)), Path(cache), workers=1)
    try:
        response = create_app(service.project, documents=service, testing=True).test_client().get(url)
        print(response.status_code, response.headers.get("X-Cache"), response.headers.get("ETag"))
    finally:
        service.close()


def serve_in_new_process(root: Path, cache: Path, url: str, pythonpath: Path | None = None) -> list[str]:
    code = "import sys; from tests.batch.test_change_detection import serve_one; serve_one(*sys.argv[1:])"
    done = subprocess.run([sys.executable, "-c", code, str(root), str(cache), url], cwd=REPO,
                          env=with_pythonpath(pythonpath), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """One web app over one project, changed by each test in turn (each change is to an input of
    its own, and every test first makes sure its document is in the cache)."""
    from leafletgen.inputs.project import Project
    from leafletgen.web.app import create_app
    from leafletgen.web.documents import DocumentService

    base = tmp_path_factory.mktemp("web-change")
    root = make_project(base / "project")
    service = DocumentService(Project(root), base / "cache", workers=1)
    app = create_app(service.project, documents=service, testing=True)
    yield app, root, base / "cache"
    service.close()


def cached_document(client, url: str):
    """`url`'s document, made now or earlier; it is in the cache afterwards."""
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    again = client.get(url)
    assert again.headers["X-Cache"] == "hit" and again.data == response.data
    return again


@pytest.mark.slow
@pytest.mark.parametrize("kind", list(CHANGES))
def test_the_web_cache_key_changes_with_every_input(site, kind):
    app, root, _ = site
    change, _, url = CHANGES[kind]
    client = app.test_client()
    before = cached_document(client, url)
    change(root)
    after = client.get(url)
    assert after.status_code == 200
    assert after.headers["X-Cache"] == "miss", f"{kind}: the old document was served"
    assert after.headers["ETag"] != before.headers["ETag"]


@pytest.mark.slow       # two more server processes each; the main job's test covers the digests
@pytest.mark.parametrize("kind", list(PACKAGE_CHANGES))
def test_the_web_cache_key_changes_with_a_changed_package(site, tmp_path, kind):
    app, root, cache = site
    shadow, _, url = PACKAGE_CHANGES[kind]
    before = cached_document(app.test_client(), url)
    # Another server process over the same cache finds the document...
    assert serve_in_new_process(root, cache, url) == ["200", "hit", before.headers["ETag"]]
    # ...but not with the changed package.
    status, cached, etag = serve_in_new_process(root, cache, url, shadow(tmp_path / "shadow"))
    assert (status, cached) == ("200", "miss") and etag != before.headers["ETag"]
