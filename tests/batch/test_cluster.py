"""The main job on a Dask cluster (`--cluster`): a real LocalCluster of worker processes on
127.0.0.1 (ports chosen by the system), compared byte for byte with the local pool's run.

What a worker gets (a document's bundle: the record of its reading and the bytes it read) is
tested without Dask first: a document made again from its bundle alone is the document rendered
in the project."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from leafletgen.batch.manifest import Manifest
from leafletgen.batch.plan import make_plan
from leafletgen.batch import readers
from leafletgen.batch.worker import Rendered, render_outputs, rendered_outputs
from leafletgen.inputs.bundle import load_bundle
from leafletgen.inputs.digest import Hasher
from leafletgen.inputs.reading import NotRecorded
from leafletgen.inputs.project import Project
from leafletgen.render import render_replayed
from leafletgen.run.render_child import kept_child

from tests.conftest import REPO, run_cli

LEAFLET = "lage-rugklachten"


def make_project(root: Path, langs=("de", "tr", "ar")) -> Project:
    """The shipped inputs with three practices: the example; one whose logo lies directly in
    practices/ and which overrides a template, building a large-print variant and bilingual
    leaflets; one without logo. Only the catalogs of `langs`."""
    root.mkdir(parents=True)
    for part in ("leaflets", "practices", "templates", "translations"):
        shutil.copytree(REPO / part, root / part)
    project = Project(root)
    for folder in project.translations_dir.iterdir():
        if folder.is_dir() and folder.name not in langs:
            shutil.rmtree(folder)
    practices = project.practices_dir
    shutil.copy(practices / "fysio-delinde" / "logo.svg", practices / "plein-logo.svg")
    (practices / "plein.toml").write_text(
        'name = "Gezondheidscentrum Het Plein"\nlogo = "plein-logo.svg"\ncolor = "#8a3b12"\n'
        'phone = "010 222 33 44"\nvariants = ["a4", "large-print"]\nbilingual = true\n'
        'languages = ["tr"]\n', encoding="utf-8")
    override = practices / "plein" / "templates" / "blocks"
    override.mkdir(parents=True)
    callout = (REPO / "templates" / "blocks" / "callout.html.j2").read_text(encoding="utf-8")
    (override / "callout.html.j2").write_text(callout.replace("<aside", "<aside data-plein"),
                                              encoding="utf-8")
    (practices / "oost.toml").write_text('name = "Huisartsenpraktijk Oost"\ncolor = "#7a2e8c"\n',
                                         encoding="utf-8")
    return project


def fresh_plan(project: Project):
    return make_plan(project, Manifest(project.output_dir / "manifest.json"), Hasher(), readers,
                     force=True)


def tree_hashes(out: Path) -> dict[str, str]:
    """Every file the main job wrote, by its path in the output folder, and its hash."""
    return {path.relative_to(out).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(out.rglob("*")) if path.is_file()}


def manifest_outputs(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))["outputs"]


def summary_line(text: str) -> str:
    """The summary without its time: '12 built, 0 unchanged, … failed'."""
    line = text.strip().splitlines()[-1]
    return line.split(" in ")[0]


# ---- Bundles, without Dask ------------------------------------------------------------------------

def sent(bundle) -> tuple[dict, dict]:
    """A bundle as it crosses to a worker (pickled), and back."""
    return pickle.loads(pickle.dumps(bundle.wire()))


@pytest.mark.slow
def test_a_document_made_again_from_its_bundle_alone_is_the_document_rendered_in_the_project(tmp_path):
    """What a document's bundle read is all it needs: made again from the record and the bytes
    alone, every language, the bilingual leaflet, the large print and a practice with its own
    template and a logo beside its profile render to the same bytes and warnings."""
    project = make_project(tmp_path / "project")
    plan = fresh_plan(project)
    chosen = {}
    for job in plan.jobs:   # one document of each kind
        kind = (job.lang, job.practice, job.variant, job.bilingual)
        if job.practice == "plein" or job.lang in ("nl", "ar", "de") and job.practice == "oost":
            chosen.setdefault(kind, job)
    assert len(chosen) >= 6, chosen
    with kept_child():      # one warm rendering process for all, as a cluster worker has
        for job in chosen.values():
            wire, blobs = sent(load_bundle(project, job))
            there = rendered_outputs(job, False, lambda wire=wire, blobs=blobs: render_replayed(wire, blobs))
            here = render_outputs(project, job, strict=False)
            assert isinstance(here, Rendered) and isinstance(there, Rendered), (here, there)
            assert there.pdf == here.pdf, job.key
            assert there.html == here.html, job.key
            assert there.thumbnail == here.thumbnail, job.key
            assert there.warnings == here.warnings, job.key
            planned = {k: v for k, v in plan.wanted[job.key]["deps"].items() if k != "tool"}
            assert there.inputs == here.inputs == planned, job.key


def test_a_bundle_holds_the_files_of_its_document_and_no_other(tmp_path):
    project = make_project(tmp_path / "project")
    job = next(job for job in fresh_plan(project).jobs
               if job.key == f"plein/tr/{LEAFLET}-large-print-bilingual")
    wire, blobs = load_bundle(project, job).wire()
    files = set(wire["reading"]["files"])
    assert {"practices/plein-logo.svg", "practices/plein.toml",
            "practices/plein/templates/blocks/callout.html.j2", f"leaflets/{LEAFLET}.md",
            f"translations/tr/LC_MESSAGES/{LEAFLET}.po", "translations/tr/LC_MESSAGES/leafletgen.po",
            f"translations/tr/LC_MESSAGES/{LEAFLET}.review.toml", "templates/leaflet.css"} <= files
    assert not [name for name in files if name.startswith(("practices/oost", "practices/fysio",
                                                           "translations/de", "output"))], files
    assert set(blobs) == set(wire["reading"]["files"].values())     # the bytes, by digest
    dutch = next(job for job in fresh_plan(project).jobs if job.key == f"oost/nl/{LEAFLET}")
    files = set(load_bundle(project, dutch).wire()[0]["reading"]["files"])
    assert not [name for name in files if name.startswith("translations/")], files


def test_the_same_file_is_the_same_blob_wherever_the_project_lies(tmp_path):
    one = make_project(tmp_path / "one")
    other = make_project(tmp_path / "elsewhere" / "two")
    job = fresh_plan(one).jobs[0]
    a, b = load_bundle(one, job), load_bundle(other, job)
    assert a.parts == b.parts and a.wire()[1] == b.wire()[1]
    assert not [data for data in a.wire()[1].values() if str(tmp_path).encode() in data]
    (other.practices_dir / f"{job.practice_id}.toml").write_text('name = "Oost"\n', encoding="utf-8")
    assert load_bundle(other, job).parts["practice"] != a.parts["practice"]


def test_a_bundle_made_again_answers_only_what_its_reading_asked(tmp_path):
    project = make_project(tmp_path / "project")
    job = next(job for job in fresh_plan(project).jobs if job.practice == "oost")
    bundle = load_bundle(project, job)
    assert bundle.project.read(f"leaflets/{LEAFLET}.md", 1 << 20)
    with pytest.raises(NotRecorded):
        bundle.project.read("practices/plein.toml", 1 << 20)
    with pytest.raises(NotRecorded):
        bundle.project.read("translations/de/LC_MESSAGES/leafletgen.po", 1 << 20)


def test_links_stay_links_on_the_other_machine(tmp_path):
    """A practice stylesheet importing a file that is a link: refused here, refused there, with
    the same words; nothing of what the link points at travels."""
    project = make_project(tmp_path / "project")
    secret = tmp_path / "secret.css"
    secret.write_text("h1 { color: red; }", encoding="utf-8")
    folder = project.practices_dir / "plein" / "templates"
    (folder / "linked.css").symlink_to(secret)
    css = (project.templates_dir / "leaflet.css").read_text(encoding="utf-8")
    (folder / "leaflet.css").write_text(f'@import url("../practices/plein/templates/linked.css");\n{css}',
                                        encoding="utf-8")
    job = next(job for job in fresh_plan(project).jobs if job.key == f"plein/nl/{LEAFLET}")
    with kept_child():
        here = render_outputs(project, job, strict=False)
        wire, blobs = sent(load_bundle(project, job))
        there = rendered_outputs(job, False, lambda: render_replayed(wire, blobs))
    assert isinstance(here, Rendered) and isinstance(there, Rendered), (here, there)
    assert any("linked.css (outside the project's asset folders)" in w for w in here.warnings)
    assert there.warnings == here.warnings and there.pdf == here.pdf
    assert not [data for data in blobs.values() if b"color: red" in data]


# ---- The command line, without a cluster ----------------------------------------------------------

def test_without_the_extra_cluster_says_what_to_install(tmp_path, monkeypatch):
    from leafletgen.batch import scheduler

    monkeypatch.setattr(scheduler, "find_spec", lambda name: None)
    run = run_cli("--cluster", "tcp://127.0.0.1:8786", root=make_project(tmp_path / "p").root)
    assert run.code == 2, run
    assert run.err == "error: --cluster needs Dask, which is not installed here: " \
                      "pip install -e '.[cluster]'\n"
    assert not (tmp_path / "p" / "output").exists()


@pytest.mark.parametrize("address", ["127.0.0.1:8786", "http://127.0.0.1:8786", "tcp://host",
                                     "tcp://a b:1"])
def test_a_cluster_address_that_is_not_one_is_wrong_usage(tmp_path, address, monkeypatch):
    root = make_project(tmp_path / "p").root
    run = run_cli("--cluster", address, root=root)
    assert run.code == 2 and "tcp://HOST:PORT" in run.err, run
    monkeypatch.setenv("LEAFLETGEN_CLUSTER", address)
    run = run_cli(root=root)
    assert run.code == 2 and "$LEAFLETGEN_CLUSTER" in run.err and "tcp://HOST:PORT" in run.err, run


def test_a_run_with_nothing_to_build_does_not_reach_for_the_cluster(tmp_path):
    """Nothing changed: no connection, no Dask, no WeasyPrint, although a scheduler is named."""
    root = make_project(tmp_path / "p", langs=()).root
    shutil.rmtree(root / "practices")
    assert run_cli(root=root).code == 0
    code = ("import sys\nfrom leafletgen.cli import main\n"
            f"code = main(['--root', {str(root)!r}])\n"
            "heavy = [m for m in ('distributed', 'dask', 'weasyprint', 'babel') if m in sys.modules]\n"
            "print('HEAVY', heavy, code)\n")
    env = {**os.environ, "LEAFLETGEN_CLUSTER": "tcp://127.0.0.1:9"}
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                          env=env, timeout=120)
    assert "HEAVY [] 0" in done.stdout, (done.stdout, done.stderr)


# ---- On a LocalCluster ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cluster():
    """A scheduler and two worker processes (one thread each) on 127.0.0.1, ports chosen by the
    system: the suite runs under pytest-xdist. (CI installs the cluster extra.)"""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", scheduler_port=0, silence_logs=50,
                                  scheduler_kwargs={"dashboard": False},
                                  worker_dashboard_address=None) as local:
        with distributed.Client(local, set_as_default=False) as client:
            client.wait_for_workers(2, timeout=120)
            yield local, client


@pytest.fixture(scope="module")
def built_locally(tmp_path_factory):
    """The project built by the local pool once: the reference every cluster run must match."""
    root = tmp_path_factory.mktemp("local") / "project"
    project = make_project(root)
    run = run_cli("--jobs", "2", root=root)
    assert run.code == 0, run
    return project, run


def cluster_copy(built_locally, tmp_path) -> Project:
    """The same inputs, elsewhere, with no output yet."""
    project, _ = built_locally
    root = tmp_path / "elsewhere" / "project"
    shutil.copytree(project.root, root, ignore=shutil.ignore_patterns("output"))
    return Project(root)


@pytest.mark.slow
def test_the_cluster_builds_the_local_runs_bytes(cluster, built_locally, tmp_path):
    local, _ = cluster
    here, local_run = built_locally
    project = cluster_copy(built_locally, tmp_path)
    run = run_cli("--cluster", local.scheduler_address, root=project.root)
    assert run.code == 0, run
    assert summary_line(run.out) == summary_line(local_run.out)
    assert sorted(run.out.splitlines()[:-1]) == sorted(local_run.out.splitlines()[:-1])
    assert tree_hashes(project.output_dir) == tree_hashes(here.output_dir) | {
        "manifest.json": tree_hashes(project.output_dir)["manifest.json"]}
    assert manifest_outputs(project.output_dir) == manifest_outputs(here.output_dir)
    # Run again: nothing to do.
    again = run_cli("--cluster", local.scheduler_address, root=project.root)
    assert again.code == 0 and summary_line(again.out).startswith("0 built, "), again


@pytest.mark.slow
def test_only_what_changed_is_built_and_sent(cluster, built_locally, tmp_path, monkeypatch):
    from leafletgen.batch import cluster as cluster_module

    local, _ = cluster
    project = cluster_copy(built_locally, tmp_path)
    assert run_cli("--cluster", local.scheduler_address, root=project.root).code == 0
    profile = project.practices_dir / "oost.toml"
    profile.write_text(profile.read_text().replace("#7a2e8c", "#205a3c"), encoding="utf-8")
    sent_files = []
    real_file = cluster_module._Run._file

    def sending(run, digest, data):
        # A file is sent when a document first needs it; later documents get the same future.
        if digest not in run.files:
            sent_files.append(digest)
        return real_file(run, digest, data)

    monkeypatch.setattr(cluster_module._Run, "_file", sending)
    run = run_cli("--cluster", local.scheduler_address, root=project.root)
    assert run.code == 0, run
    built = sorted(line.split()[1] for line in run.out.splitlines() if line.startswith("built "))
    assert built == [f"oost/{lang}/{LEAFLET}.pdf" for lang in ("ar", "de", "nl", "tr")]
    # Each file those four are made of, sent once.
    names: dict[str, set[str]] = {}     # a digest names every file of those bytes (the published
    for path in project.root.rglob("*"):   # version in leaflets/history/ is the leaflet's bytes)
        if path.is_file() and "output" not in path.parts:
            names.setdefault(hashlib.sha256(path.read_bytes()).hexdigest(), set()).add(
                path.relative_to(project.root).as_posix())
    assert len(sent_files) == len(set(sent_files))
    sent_names = set().union(*(names[digest] for digest in sent_files if digest in names))
    assert "practices/oost.toml" in sent_names and f"leaflets/{LEAFLET}.md" in sent_names
    assert {f"translations/{lang}/LC_MESSAGES/{LEAFLET}.po" for lang in ("ar", "de", "tr")} <= sent_names
    assert not [name for name in sent_names if name.startswith(("practices/plein", "practices/fysio"))]


@pytest.mark.slow
def test_a_failing_document_is_reported_and_the_others_are_built(cluster, built_locally, tmp_path):
    local, _ = cluster
    project = cluster_copy(built_locally, tmp_path)
    broken = project.practices_dir / "plein" / "templates" / "blocks" / "callout.html.j2"
    broken.write_text("{% if %}\n", encoding="utf-8")
    reference = tmp_path / "reference"
    shutil.copytree(project.root, reference)
    local_run = run_cli("--jobs", "2", root=reference)
    run = run_cli("--cluster", local.scheduler_address, root=project.root)
    assert run.code == 1 and local_run.code == 1, (run, local_run)
    assert run.err == local_run.err
    assert "practices/plein/templates/blocks/callout.html.j2:1: template syntax error" in run.err
    assert summary_line(run.out) == summary_line(local_run.out)
    assert "failed plein/tr/" in run.out
    assert tree_hashes(project.output_dir) | {"manifest.json": ""} == \
        tree_hashes(reference / "output") | {"manifest.json": ""}


@pytest.mark.slow
def test_a_document_over_its_time_limit_on_the_cluster_is_stopped_and_the_others_built(
        cluster, built_locally, tmp_path):
    # The run's limits travel with each document: a worker renders in a forked child that takes
    # them on (a Dask worker is a daemonic process, so not through multiprocessing).
    local, _ = cluster
    project = cluster_copy(built_locally, tmp_path)
    looping = project.practices_dir / "plein" / "templates" / "blocks" / "callout.html.j2"
    looping.write_text("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}"
                       "{% endfor %}<aside>{{ block.html }}</aside>\n", encoding="utf-8")
    # Two documents of that practice (A4, no bilingual), so that a limit an honest document
    # keeps on a busy machine (30 s: ten times what a loaded 2-core machine needs) costs the test little.
    profile = project.practices_dir / "plein.toml"
    profile.write_text(profile.read_text(encoding="utf-8").replace('"a4", "large-print"', '"a4"')
                       .replace("bilingual = true\n", ""), encoding="utf-8")
    run = run_cli("--cluster", local.scheduler_address, "--time-limit", "30", root=project.root)
    assert run.code == 1, run
    errors = run.err.splitlines()
    assert errors and all(line.startswith("error: plein/") and
                          line.endswith(": took longer than 30 s to render, the time limit; not "
                                        "written (a template that loops? --time-limit changes "
                                        "the limit)") for line in errors), run.err
    failed = sorted(line.split()[1] for line in run.out.splitlines() if line.startswith("failed "))
    assert failed and all(name.startswith("plein/") for name in failed), run.out
    assert len(failed) == len(errors) == 2
    assert (project.output_dir / "oost" / "nl" / f"{LEAFLET}.pdf").is_file()
    assert not list((project.output_dir / "plein").rglob("*.pdf"))


@pytest.mark.slow
def test_a_worker_killed_part_way_loses_no_document(cluster, built_locally, tmp_path):
    """A worker killed with its process tree while it renders a document (its rendering process
    spends CPU time on one the scheduler says it has): the run loses nothing. Every document
    takes a second or more here (the callout loops a while, printing nothing more), so the
    kill lands while the document is being made."""
    from tests.processes import cpu_seconds, kill_tree, tree

    local, client = cluster
    _, local_run = built_locally
    project = cluster_copy(built_locally, tmp_path)
    for callout in [project.templates_dir / "blocks" / "callout.html.j2",
                    project.practices_dir / "plein" / "templates" / "blocks" / "callout.html.j2"]:
        callout.write_text("{% for i in range(2000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}"
                           + callout.read_text(encoding="utf-8"), encoding="utf-8")
    killed, problems = [], []

    def kill_a_busy_worker():
        seen = {}
        deadline = time.monotonic() + 600
        try:
            while not killed and time.monotonic() < deadline:
                if list(project.root.glob("output/*/*/*.pdf")):       # the run is under way
                    pids = client.run(os.getpid)
                    for address, keys in client.processing().items():
                        if address not in pids or not any(str(k).startswith("leafletgen-document-") for k in keys):
                            continue
                        spent = sum(cpu_seconds(child) for child in tree(pids[address])[1:])
                        if spent - seen.setdefault((address, pids[address]), spent) >= 0.05:
                            kill_tree(pids[address], signal.SIGKILL)
                            killed.append(pids[address])
                            break
                time.sleep(0.05)
        except Exception as exc:       # seen by the test
            problems.append(exc)

    killer = threading.Thread(target=kill_a_busy_worker)
    killer.start()
    run = run_cli("--cluster", local.scheduler_address, root=project.root)
    killer.join()
    assert not problems and len(killed) == 1, (problems, killed)
    assert run.code == 0, run
    assert killed[0] not in client.run(os.getpid).values()     # it is gone; the nanny started another
    assert summary_line(run.out) == summary_line(local_run.out)
    # The slowed callout is an input: each PDF's mark names the digest of its inputs. The reference
    # is the same slowed project built by the local pool.
    reference = tmp_path / "reference"
    shutil.copytree(project.root, reference, ignore=shutil.ignore_patterns("output"))
    assert run_cli("--jobs", "2", root=reference).code == 0
    assert tree_hashes(project.output_dir) == tree_hashes(Project(reference).output_dir) | {
        "manifest.json": tree_hashes(project.output_dir)["manifest.json"]}
    client.wait_for_workers(2, timeout=120)


@pytest.mark.slow
def test_a_worker_that_would_make_other_bytes_is_refused(cluster, built_locally, tmp_path):
    local, client = cluster
    project = cluster_copy(built_locally, tmp_path)

    def pretend(version):
        from leafletgen.batch import cluster as on_worker
        on_worker._IDENTITY.clear()
        if version:
            on_worker._IDENTITY.update(on_worker.machine_identity(), leafletgen=version)

    # A worker that joined after the check at the start: refused by its first document.
    client.run(pretend, "0.0.1")
    try:
        run = run_cli("--cluster", local.scheduler_address, root=project.root)
    finally:
        client.run(pretend, "")
    assert run.code == 1, run
    assert "would not build the same files as this machine: leafletgen 0.0.1 (here 0.1.0)" in run.err
    assert len(run.err.strip().splitlines()) == 1, run.err


def test_an_unreachable_scheduler_is_one_line(tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    from leafletgen.batch import cluster as cluster_module

    monkeypatch.setattr(cluster_module, "CONNECT_SECONDS", 1)
    root = make_project(tmp_path / "p", langs=()).root
    run = run_cli("--cluster", "tcp://127.0.0.1:9", root=root)
    assert run.code == 1, run
    assert run.err.startswith("error: cannot reach the Dask scheduler at tcp://127.0.0.1:9 ")
    assert len(run.err.strip().splitlines()) == 1
