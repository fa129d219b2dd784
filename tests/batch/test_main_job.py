"""The main job as a batch: incremental builds (manifest), removal, failure isolation, the pool,
the index page, and static instances of variable fonts. Real renders throughout; no timing.
What each kind of change rebuilds: test_change_detection.py."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
from html.parser import HTMLParser
from pathlib import Path

import pytest

from leafletgen.typeset import font_instances as font_files, fonts
from leafletgen.batch import run_main_job
from leafletgen.batch.progress import BarProgress, PlainProgress, make_progress
from leafletgen.inputs.project import Project

from tests.conftest import REPO, run_cli

LEAFLET = "lage-rugklachten"
COPY = "rugklachten-kopie"


def only_languages(project: Project, *langs: str) -> None:
    """Keep the catalogs of `langs` only: a small matrix (Dutch needs none)."""
    for folder in project.translations_dir.iterdir():
        if folder.is_dir() and folder.name not in langs:
            shutil.rmtree(folder)


def outputs(out: Path) -> set[str]:
    """Every PDF and HTML file under `out`, relative."""
    return {p.relative_to(out).as_posix() for p in out.rglob("*")
            if p.suffix in (".pdf", ".html") and p.name != "index.html"}


def mtimes(out: Path) -> dict[str, int]:
    return {name: (out / name).stat().st_mtime_ns for name in outputs(out)}


def summary_numbers(text: str) -> dict[str, int]:
    line = text.strip().splitlines()[-1]
    return {word: int(n) for n, word in re.findall(r"(\d+) (built|unchanged|failed)", line)}


@pytest.fixture(scope="module")
def built_once(tmp_path_factory) -> Path:
    """A project with 2 leaflets, 2 practices, nl + de complete, built once: 6 documents."""
    root = tmp_path_factory.mktemp("batch") / "project"
    root.mkdir()
    for part in ("leaflets", "practices", "templates", "translations"):
        shutil.copytree(REPO / part, root / part)
    project = Project(root)
    source = (project.leaflets_dir / f"{LEAFLET}.md").read_text()
    (project.leaflets_dir / f"{COPY}.md").write_text(source.replace(f"id: {LEAFLET}", f"id: {COPY}"))
    (project.practices_dir / "huisarts-oost.toml").write_text(
        'name = "Huisartsenpraktijk Oost"\ncolor = "#7a2e8c"\nphone = "020 765 43 21"\n')
    only_languages(project, "de")
    run = run_cli("--jobs", "2", root=root)
    assert run.code == 0, run
    return root


@pytest.fixture
def built(built_once, tmp_path) -> Project:
    """A private copy of the built project (inputs and output/)."""
    root = tmp_path / "project"
    shutil.copytree(built_once, root)
    return Project(root)


ALL = {f"{practice}/{lang}/{leaflet}.{ext}"
       for practice in ("fysio-delinde", "huisarts-oost")
       for lang, leaflet in (("nl", LEAFLET), ("de", LEAFLET), ("nl", COPY))
       for ext in ("pdf", "html")}


@pytest.mark.slow
def test_the_first_run_builds_the_matrix_and_a_copied_project_builds_nothing(built):
    out = built.output_dir
    assert outputs(out) == ALL
    before = mtimes(out)
    run = run_cli(root=built.root)
    assert run.code == 0, run
    assert summary_numbers(run.out) == {"built": 0, "unchanged": 6, "failed": 0}
    assert "built " not in run.out.replace("0 built", "")
    assert mtimes(out) == before


def test_a_run_with_nothing_to_do_does_not_import_weasyprint(built):
    code = ("import sys\nfrom leafletgen.cli import main\n"
            f"code = main(['--root', {str(built.root)!r}])\n"
            "heavy = [m for m in ('weasyprint', 'jinja2', 'babel', 'pydantic', 'markdown_it', 'pypdfium2')"
            " if m in sys.modules]\n"
            "print('HEAVY', heavy, code)\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "HEAVY [] 0" in done.stdout
    assert "0 built, 6 unchanged" in done.stdout


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.mark.slow
def test_force_rebuilds_everything(built):
    run = run_cli("--force", root=built.root)
    assert summary_numbers(run.out) == {"built": 6, "unchanged": 0, "failed": 0}


def test_a_deleted_output_is_built_again(built):
    (built.output_dir / "huisarts-oost" / "nl" / f"{COPY}.html").unlink()
    run = run_cli(root=built.root)
    assert run.out.splitlines()[0] == f"built huisarts-oost/nl/{COPY}.pdf"
    assert outputs(built.output_dir) == ALL


def test_a_removed_leaflet_language_and_practice_lose_their_outputs(built):
    out = built.output_dir
    (built.leaflets_dir / f"{COPY}.md").unlink()
    run = run_cli(root=built.root)
    assert run.code == 0, run
    assert outputs(out) == {n for n in ALL if COPY not in n}
    assert not list(out.rglob(f"{COPY}*"))                         # thumbnails too
    assert COPY not in (out / "index.html").read_text()
    assert summary_numbers(run.out) == {"built": 0, "unchanged": 4, "failed": 0}
    assert "removed 6 file(s)" in run.out                  # 2 × (pdf + html + own thumbnail)

    shutil.rmtree(built.translations_dir / "de")
    run_cli(root=built.root)
    assert outputs(out) == {n for n in ALL if COPY not in n and "/de/" not in n}
    assert not (out / "fysio-delinde" / "de").exists()              # empty folders go too

    (built.practices_dir / "huisarts-oost.toml").unlink()
    run = run_cli(root=built.root)
    assert outputs(out) == {f"fysio-delinde/nl/{LEAFLET}.pdf", f"fysio-delinde/nl/{LEAFLET}.html"}
    assert not (out / "huisarts-oost").exists()
    manifest = json.loads((out / "manifest.json").read_text())
    assert sorted(manifest["outputs"]) == [f"fysio-delinde/nl/{LEAFLET}"]


def test_a_translation_behind_the_dutch_text_keeps_its_last_version_marked_in_the_index(built):
    out = built.output_dir
    german = out / "fysio-delinde" / "de" / f"{LEAFLET}.pdf"
    before = german.read_bytes()
    _edit(built.leaflets_dir / f"{LEAFLET}.md", "title: Lage rugklachten", "title: Lage rugpijn")
    run = run_cli(root=built.root)
    assert run.code == 0, run
    assert f"skipped {LEAFLET} in German (de): " in run.out
    assert summary_numbers(run.out) == {"built": 2, "unchanged": 2, "failed": 0}   # the Dutch ones
    assert outputs(out) == ALL and german.read_bytes() == before
    html = (out / "index.html").read_text()
    assert html.count(">vorige versie: de vertaling wordt bijgewerkt<") == 2
    assert "<h2>Lage rugpijn</h2>" in html


def test_an_unreadable_profile_keeps_its_practices_outputs(built):
    (built.practices_dir / "huisarts-oost.toml").write_text('name = "Oost"\ncolour = "#123456"\n')
    run = run_cli(root=built.root)
    assert run.code == 1
    assert "practices/huisarts-oost.toml:2: colour: unknown key" in run.err
    assert outputs(built.output_dir) == ALL


@pytest.mark.slow
def test_one_failing_document_does_not_stop_the_others(built):
    """A practice template that breaks in German only: that document fails, with file and line;
    the practice's other documents and the other practice's are built; exit status 1."""
    folder = built.practices_dir / "fysio-delinde" / "templates" / "blocks"
    folder.mkdir(parents=True)
    original = (built.templates_dir / "blocks" / "title.html.j2").read_text()
    (folder / "title.html.j2").write_text('{% if lang == "de" %}{{ 1 // 0 }}{% endif %}\n' + original)
    before = (built.output_dir / "fysio-delinde" / "de" / f"{LEAFLET}.pdf").read_bytes()
    run = run_cli("--jobs", "2", root=built.root)
    assert run.code == 1
    assert "failed fysio-delinde/de/lage-rugklachten.pdf" in run.out.splitlines()
    assert summary_numbers(run.out) == {"built": 2, "unchanged": 3, "failed": 1}
    assert run.err.splitlines() == [
        "error: practices/fysio-delinde/templates/blocks/title.html.j2:1: template error: "
        "integer division or modulo by zero"]
    # The last good build of the failed document stays (and is listed), and is tried again.
    assert (built.output_dir / "fysio-delinde" / "de" / f"{LEAFLET}.pdf").read_bytes() == before
    (folder / "title.html.j2").write_text(original)
    fixed = run_cli(root=built.root)
    assert fixed.code == 0
    assert summary_numbers(fixed.out) == {"built": 3, "unchanged": 3, "failed": 0}


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs, self.images, self.options = [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a":
            self.hrefs.append(attrs["href"])
        elif tag == "img":
            self.images.append(attrs)
        elif tag == "option":
            self.options.append(attrs["value"])


def test_the_index_lists_every_built_file(built):
    out = built.output_dir
    html = (out / "index.html").read_text()
    links = _Links()
    links.feed(html)
    assert set(links.hrefs) == outputs(out)
    assert all(not href.startswith(("/", "file:", "http")) for href in links.hrefs)  # opens from disk
    thumbnails = {image["src"] for image in links.images}
    # One per practice: each practice sees its own branded leaflet.
    assert thumbnails == {f"thumbnails/{practice}/{name}.png"
                          for practice in ("fysio-delinde", "huisarts-oost")
                          for name in (f"{LEAFLET}.nl", f"{LEAFLET}.de", f"{COPY}.nl")}
    for src in thumbnails:
        assert (out / src).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert all(image["alt"].startswith("Eerste pagina van ") for image in links.images)
    # Languages named in their own script and in Dutch; a filter by language.
    assert '<span lang="de" dir="ltr">Deutsch</span> — Duits</h3>' in html
    assert links.options == ["", "nl", "de", "", "fysio-delinde", "huisarts-oost"]
    assert html.count('<section class="leaflet"') == 2
    assert "<p>6 folders. Open de PDF" in html


def test_the_index_shows_each_practice_its_own_thumbnail_and_counts_in_dutch(built):
    from PIL import Image

    from leafletgen.batch.index import IndexEntry, render_index

    out = built.output_dir
    # De Linde's thumbnail has its green; Huisartsenpraktijk Oost's its purple, not De Linde's.
    def has(path, colour):
        with Image.open(out / "thumbnails" / path) as image:
            colours = {rgb for _, rgb in image.convert("RGB").getcolors(1 << 16)}
        return any(all(abs(a - b) <= 12 for a, b in zip(rgb, colour)) for rgb in colours)
    assert has(f"fysio-delinde/{LEAFLET}.nl.png", (0x1f, 0x6f, 0x5c))
    assert has(f"huisarts-oost/{LEAFLET}.nl.png", (0x7a, 0x2e, 0x8c))
    assert not has(f"huisarts-oost/{LEAFLET}.nl.png", (0x1f, 0x6f, 0x5c))
    entry = IndexEntry(LEAFLET, "Lage rugklachten", "nl", "p", "Praktijk", "a4", False, "a.pdf", "a.html")
    assert "<p>1 folder. Open de PDF" in render_index(built, [entry])


def test_a_thumbnail_shows_the_first_page(built):
    from PIL import Image

    with Image.open(built.output_dir / "thumbnails" / "fysio-delinde" / f"{LEAFLET}.nl.png") as image:
        width, height = image.size
        assert width == 240 and 330 < height < 345                  # A4's proportions
        colours = image.convert("RGB").getcolors(1 << 16)
    assert len(colours) > 20                                        # text and logo, not blank


@pytest.mark.slow
def test_pool_workers_remove_weasyprints_temporary_font_folders(project, tmp_path):
    only_languages(project, "de")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(tmp)}
    done = subprocess.run([sys.executable, "generate.py", "--root", str(project.root), "--jobs", "2"],
                          cwd=REPO, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "2 built" in done.stdout
    assert not list(tmp.glob("weasyprint-*"))


def test_progress_is_a_bar_on_a_terminal_and_lines_otherwise():
    import io

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    assert isinstance(make_progress(Terminal()), BarProgress)
    assert isinstance(make_progress(io.StringIO()), PlainProgress)
    lines = []
    plain = PlainProgress(write=lines.append)
    plain.advance("a/nl/x.pdf", True)
    plain.advance("a/de/x.pdf", False)
    assert lines == ["built a/nl/x.pdf", "failed a/de/x.pdf"]


@pytest.mark.slow
def test_run_main_job_in_process_matches_the_pool(project, tmp_path):
    """One worker in-process and two in a pool write the same bytes."""
    only_languages(project, "de")
    one, two = tmp_path / "one", tmp_path / "two"
    first = run_main_job(project, one, jobs=1)
    second = run_main_job(project, two, jobs=2)
    assert (len(first.built), len(second.built), second.workers) == (2, 2, 2)
    for name in outputs(one) | {"index.html", "manifest.json"}:
        assert (one / name).read_bytes() == (two / name).read_bytes(), name


# ---- A worker that dies ---------------------------------------------------------------------------

from leafletgen.batch import worker as worker_module  # noqa: E402
from leafletgen.batch.pool import JobQueue  # noqa: E402
from leafletgen.request import BuildRequest  # noqa: E402
from leafletgen.batch.worker import run_document as real_run_document  # noqa: E402

KILL: dict = {}   # set before the pool forks: {"lang": LL, "once": marker path or None}


def run_document_killing_its_worker(project, out_dir, job, strict):
    """run_document, except that the worker is SIGKILLed (as the kernel's OOM killer would) on a
    document in KILL["lang"]: every time, or only the first time if KILL["once"] is a path."""
    if job.lang == KILL.get("lang"):
        marker = KILL.get("once")
        if marker is None or not os.path.exists(marker):
            if marker:
                Path(marker).touch()
            os.kill(os.getpid(), signal.SIGKILL)
    return real_run_document(project, out_dir, job, strict)


@pytest.fixture
def killing(monkeypatch):
    monkeypatch.setattr(worker_module, "run_document", run_document_killing_its_worker)
    yield KILL
    KILL.clear()


@pytest.mark.slow
def test_a_document_that_kills_its_worker_fails_alone_and_the_rest_is_built(project, tmp_path, killing):
    only_languages(project, "de", "en", "fr")
    killing.update(lang="de", once=None)
    summary = run_main_job(project, tmp_path / "out", jobs=2)
    assert summary.failed_documents == ["fysio-delinde/de/lage-rugklachten.pdf"]
    assert summary.failed == [
        "fysio-delinde/de/lage-rugklachten: the worker process building it died (out of memory, "
        "or a crash in a library it uses); the other documents were built. Build it alone with "
        "`build --debug` to see more"]
    assert sorted(entry.lang for entry in summary.built) == ["en", "fr", "nl"]
    assert outputs(tmp_path / "out") == {f"fysio-delinde/{lang}/{LEAFLET}.{ext}"
                                         for lang in ("en", "fr", "nl") for ext in ("pdf", "html")}
    assert not list((tmp_path / "out").rglob("*.part"))


@pytest.mark.slow
def test_a_worker_killed_once_by_something_else_costs_no_document(project, tmp_path, killing):
    only_languages(project, "de", "en", "fr")
    killing.update(lang="de", once=str(tmp_path / "killed-once"))
    summary = run_main_job(project, tmp_path / "out", jobs=2)
    assert (tmp_path / "killed-once").exists()       # a worker did die
    assert summary.failed == [] and len(summary.built) == 4


def test_each_worker_keeps_to_its_languages():
    """Nine languages × five practices over two workers: every job once, and each worker
    meets about half the languages (all nine each if jobs went round-robin)."""
    langs = ["nl", "ar", "de", "en", "es", "fr", "pl", "tr", "uk"]
    jobs = [BuildRequest("x", lang, f"p{n}", "a4", False) for n in range(5) for lang in langs]
    queue = JobQueue(jobs)
    seen: dict[int, list[str]] = {0: [], 1: []}
    taken = []
    current = {0: queue.take(), 1: queue.take()}
    while any(current.values()):
        for worker in (0, 1):   # the workers finish in turn
            job = current[worker]
            if job is None:
                continue
            taken.append(job)
            seen[worker].append(job.lang)
            queue.done(job)
            current[worker] = queue.take(job.lang)
    assert sorted(taken, key=jobs.index) == jobs
    assert [len(set(seen[w])) for w in (0, 1)] == [5, 5]
    assert len(queue) == 0 and queue.take() is None


# ---- Variable fonts ------------------------------------------------------------------------------

def test_a_variable_face_is_written_as_a_cached_static_instance():
    from fontTools.ttLib import TTFont

    bold = next(face for face in fonts.font_faces() if face.family == "Noto Sans" and face.weight == 700)
    assert fonts.is_variable(bold.path)
    path = font_files.face_file(bold)
    assert path.parent.parent == fonts.instance_dir() and path.is_file()
    assert path.name == "NotoSans-700-normal.ttf"
    assert font_files.face_file(bold) == path and path.name == fonts.instance_path(bold).name
    font = TTFont(path)
    assert "fvar" not in font and "gvar" not in font
    assert font["OS/2"].usWeightClass == 700
    from leafletgen.inputs.bundle import page_fonts

    css = font_files.font_face_css(page_fonts(("Noto Sans",)), lambda p: p.name)
    assert f'font-weight: 700; font-style: normal; src: url("{path.name}")' in css
    assert "[wdth,wght]" not in css
    atkinson = fonts.font_faces()[0]
    assert not fonts.is_variable(atkinson.path) and font_files.face_file(atkinson) == atkinson.path


def test_instances_are_made_in_the_cache_folder_named_by_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("LEAFLETGEN_CACHE", str(tmp_path / "cache"))
    assert fonts.instance_dir() == (tmp_path / "cache" / "fonts").resolve()
    assert all(fonts.instance_path(face).parent in fonts.font_dirs()
               for face in fonts.font_faces() if fonts.is_variable(face.path))
    italic = next(face for face in fonts.font_faces() if face.style == "italic" and fonts.is_variable(face.path))
    assert fonts.missing_instances(("Noto Sans",))[-1] == italic


# ---- Workers end with the main job, however it ends -----------------------------------------------
# (Ctrl-C, SIGTERM and kill -9 of a main job whose workers are busy: test_stop_signals.py.)

def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_for(condition, seconds: float) -> bool:
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_without_the_kernels_signal_a_worker_watches_its_parent(tmp_path):
    """Where PR_SET_PDEATHSIG is not there (not Linux), a thread notices the parent is gone."""
    script = textwrap.dedent(f"""
        import ctypes, os, sys, time
        sys.path.insert(0, {str(REPO)!r})
        from leafletgen.run import process as worker
        worker.PARENT_WATCH_SECONDS = 0.1
        parent = os.getpid()
        child = os.fork()
        if child == 0:
            def no_prctl(*args, **kwargs):
                raise OSError("no prctl here")
            ctypes.CDLL = no_prctl
            worker.die_with_parent(parent)
            time.sleep(60)
            os._exit(0)
        print(child, flush=True)
        time.sleep(60)
    """)
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        child = int(parent.stdout.readline())
        assert alive(child)
        parent.kill()
        parent.wait()
        assert wait_for(lambda: not alive(child), 60)   # a deadline, not a timing: it polls every 0.1 s
    finally:
        parent.kill()
        parent.wait()
