"""The main job on a Dask cluster (`--cluster`): a real LocalCluster of worker processes on
127.0.0.1 (ports chosen by the system), compared byte for byte with the local pool's run.

The inputs a worker gets (bundles) are tested without Dask first: a document rendered from its
bundles alone, in an empty folder, is the document rendered in the project."""

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

from leafletgen.batch import bundles as bundles_module
from leafletgen.batch.bundles import ProjectCopy, pack, safe_path
from leafletgen.batch.manifest import Hasher, Manifest
from leafletgen.batch.plan import make_plan
from leafletgen.batch import readers
from leafletgen.batch.worker import Rendered, render_outputs
from leafletgen.inputs.project import Project
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

def test_a_document_rendered_from_its_bundles_alone_is_the_document_rendered_in_the_project(tmp_path):
    """What the plan says a document is made of is all it reads: in an empty folder holding only
    its bundles, every language, the bilingual leaflet, the large print and a practice with its
    own template and a logo beside its profile render to the same bytes and warnings."""
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
            copy = ProjectCopy(parent=str(tmp_path))
            try:
                for name in plan.needs[job.key]:
                    copy.add(pack(project.root, name, plan.inputs[name]))
                there = render_outputs(Project(copy.root), job, strict=False)
                here = render_outputs(project, job, strict=False)
            finally:
                copy.remove()
            assert isinstance(here, Rendered) and isinstance(there, Rendered), (here, there)
            assert there.pdf == here.pdf, job.key
            assert there.html == here.html, job.key
            assert there.thumbnail == here.thumbnail, job.key
            assert there.warnings == here.warnings, job.key


def test_the_plan_names_the_files_of_each_input(tmp_path):
    project = make_project(tmp_path / "project")
    plan = fresh_plan(project)
    assert plan.inputs["practice/plein"] == (
        "practices/plein-logo.svg", "practices/plein.toml",
        "practices/plein/templates/blocks/callout.html.j2")
    assert plan.inputs["practice/oost"] == ("practices/oost.toml",)
    assert plan.inputs[f"leaflet/{LEAFLET}"] == (f"leaflets/{LEAFLET}.md",)
    assert plan.inputs[f"catalogs/{LEAFLET}/tr"] == (
        f"translations/tr/LC_MESSAGES/{LEAFLET}.po", f"translations/tr/LC_MESSAGES/{LEAFLET}.review.toml",
        "translations/tr/LC_MESSAGES/leafletgen.po", "translations/tr/language.toml",
        "translations/tr/terms.toml")       # the language's table and termbase, where the folder has them
    assert "templates/leaflet.css" in plan.inputs["templates"]
    job = next(job for job in plan.jobs if job.key == f"plein/tr/{LEAFLET}-large-print-bilingual")
    assert plan.needs[job.key] == ("templates", f"leaflet/{LEAFLET}", "practice/plein",
                                   f"catalogs/{LEAFLET}/tr")
    dutch = next(job for job in plan.jobs if job.key == f"oost/nl/{LEAFLET}")
    assert plan.needs[dutch.key] == ("templates", f"leaflet/{LEAFLET}", "practice/oost")


def test_a_bundle_is_named_by_its_content_and_carries_no_path_of_this_machine(tmp_path):
    one = make_project(tmp_path / "one")
    other = make_project(tmp_path / "elsewhere" / "two")
    plan = fresh_plan(one)
    for name, files in plan.inputs.items():
        a, b = pack(one.root, name, files), pack(other.root, name, files)
        assert a.key == b.key and a == b
        assert str(tmp_path).encode() not in pickle.dumps(a)
    (other.practices_dir / "oost.toml").write_text('name = "Oost"\n', encoding="utf-8")
    assert pack(other.root, "practice/oost", plan.inputs["practice/oost"]).key != \
        pack(one.root, "practice/oost", plan.inputs["practice/oost"]).key


@pytest.mark.parametrize("path", ["../escape.md", "/etc/passwd", "output/index.html",
                                  "leaflets/../../x", "leaflets/./a.md", "", "leaflets\\..\\x"])
def test_a_bundle_cannot_write_outside_the_project_inputs(path):
    with pytest.raises(ValueError):
        safe_path(path)


def test_the_copy_is_private_and_read_only_and_keeps_links_as_links(tmp_path):
    project = make_project(tmp_path / "project")
    (project.leaflets_dir / "link.md").symlink_to("/etc/hostname")
    copy = ProjectCopy(parent=str(tmp_path))
    try:
        copy.add(pack(project.root, "leaflet/x", (f"leaflets/{LEAFLET}.md", "leaflets/link.md",
                                                  "leaflets/missing.md")))
        copy.add(pack(project.root, "catalogs/x/tr", (f"translations/tr/LC_MESSAGES/{LEAFLET}.po",)))
        source = copy.root / "leaflets" / f"{LEAFLET}.md"
        assert source.read_bytes() == (project.leaflets_dir / f"{LEAFLET}.md").read_bytes()
        assert os.readlink(copy.root / "leaflets" / "link.md") == "/etc/hostname"
        assert not (copy.root / "leaflets" / "missing.md").exists()
        assert copy.root.stat().st_mode & 0o777 == 0o500
        assert source.stat().st_mode & 0o777 == 0o444
        assert (copy.root / "translations" / "tr" / "LC_MESSAGES").stat().st_mode & 0o777 == 0o500
        changed = tmp_path / "changed"
        make_project(changed)
        (changed / "leaflets" / f"{LEAFLET}.md").write_text("---\n", encoding="utf-8")
        with pytest.raises(bundles_module.ProjectChanged):
            copy.add(pack(changed, "leaflet/y", (f"leaflets/{LEAFLET}.md",)))
    finally:
        copy.remove()
    assert not copy.root.exists()


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
    packed = []
    real_pack = cluster_module.pack
    monkeypatch.setattr(cluster_module, "pack",
                        lambda root, name, files: packed.append(name) or real_pack(root, name, files))
    run = run_cli("--cluster", local.scheduler_address, root=project.root)
    assert run.code == 0, run
    built = sorted(line.split()[1] for line in run.out.splitlines() if line.startswith("built "))
    assert built == [f"oost/{lang}/{LEAFLET}.pdf" for lang in ("ar", "de", "nl", "tr")]
    assert sorted(packed) == sorted(["templates", f"leaflet/{LEAFLET}", "practice/oost",
                                     f"catalogs/{LEAFLET}/ar", f"catalogs/{LEAFLET}/de",
                                     f"catalogs/{LEAFLET}/tr"])


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
    here, local_run = built_locally
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
    assert tree_hashes(project.output_dir) == tree_hashes(here.output_dir) | {
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
