#!/usr/bin/env python3
"""Do two revisions of leafletgen write the same bytes? (A refactoring must not change a leaflet.)

    python scripts/compare_outputs.py [REV_A] [REV_B]

Default: where this branch left main (`git merge-base main HEAD`) against the work tree.

For each revision (a git commit, or WORKTREE for the files as they are now) it takes the
revision's own code and inputs and builds, in one process per revision:

- with `build`: every language of the shipped leaflet × every print variant, plain and (for a
  translation) bilingual, for the example practice and for the neutral default;
(a document that fails is compared by its exit status and messages, in failed/);
- with the main job (`generate.py --force`): every language × every variant × plain and
  bilingual for the example practice (its profile given every variant and `bilingual = true`),
  with the thumbnails and output/index.html.

Then it compares the SHA-256 of every file written (output/manifest.json aside: it holds a
hash of the tool's own source, which a refactoring changes by definition) and prints each
difference. Exit 0 when every file is identical. The results of a commit are kept in
$TMPDIR/leafletgen-compare/<commit> and reused.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CACHE = Path(tempfile.gettempdir()) / "leafletgen-compare"
WORKTREE = "WORKTREE"

# Runs inside one revision's checkout (its own leafletgen), through the command line only: the
# command line is the contract every revision keeps.
BUILD_ALL = r"""
import io, re, shutil, sys
from pathlib import Path
from leafletgen.cli import main

source, out = Path(sys.argv[1]), Path(sys.argv[2])
leaflet = sorted(p.stem for p in (source / "leaflets").glob("*.md"))[0]
langs = ["nl"] + sorted(p.parent.name for p in (source / "translations").glob("*/LC_MESSAGES"))
variants = ["a4", "a5", "booklet", "large-print", "print-shop"]
count = 0
for practice in (None, "fysio-delinde"):
    for lang in langs:
        for variant in variants:
            for bilingual in ((False, True) if lang != "nl" else (False,)):
                argv = ["build", "--root", str(source), "--leaflet", leaflet, "--lang", lang,
                        "--variant", variant, "--out", str(out / "build")]
                argv += ["--practice", practice] if practice else []
                argv += ["--bilingual"] if bilingual else []
                err = io.StringIO()
                code = main(argv, out=io.StringIO(), err=err)
                if code != 0:
                    # A document that fails is compared too: by its exit status and messages.
                    name = f"{practice or 'default'}-{lang}-{variant}{'-bilingual' if bilingual else ''}"
                    failed = out / "failed" / f"{name}.txt"
                    failed.parent.mkdir(parents=True, exist_ok=True)
                    failed.write_text(f"exit {code}\n{err.getvalue()}", encoding="utf-8")
                count += 1

# The main job, on a copy whose practice builds every variant, plain and bilingual.
project = out / "project"
for part in ("leaflets", "practices", "templates", "translations"):
    shutil.copytree(source / part, project / part)
profile = project / "practices" / "fysio-delinde.toml"
text = re.sub(r"^# variants = .*$", "variants = " + repr(variants).replace("'", '"'),
              profile.read_text(encoding="utf-8"), flags=re.M)
profile.write_text(text + "bilingual = true\n", encoding="utf-8")
err = io.StringIO()
summary = io.StringIO()
code = main(["--root", str(project), "--out", str(out / "main-job"), "--force", "--jobs", "2"],
            out=summary, err=err)
# The main job's messages are compared too: sorted (workers finish in any order), without the
# time it took and the work folder (each revision has its own).
lines = sorted(re.sub(r" in [0-9.]+ s;", " in - s;", line).replace(str(out), "OUT")
               for line in (err.getvalue() + summary.getvalue()).splitlines())
(out / "main-job.txt").write_text(f"exit {code}\n" + "\n".join(lines) + "\n", encoding="utf-8")
shutil.rmtree(project)
print(count)
"""


def resolve(rev: str) -> str:
    if rev == WORKTREE:
        return rev
    return subprocess.run(["git", "-C", str(REPO), "rev-parse", "--verify", f"{rev}^{{commit}}"],
                          capture_output=True, text=True, check=True).stdout.strip()


def hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != "manifest.json"}


def build(rev: str, keep: bool) -> dict[str, str]:
    """Every output of revision `rev`, as {relative path: sha256}."""
    cached = CACHE / rev / "hashes.json"
    if rev != WORKTREE and cached.is_file():
        return json.loads(cached.read_text())
    work = Path(tempfile.mkdtemp(prefix="leafletgen-compare-"))
    try:
        if rev == WORKTREE:
            checkout = REPO
        else:
            checkout = work / "checkout"
            checkout.mkdir()
            archive = subprocess.run(["git", "-C", str(REPO), "archive", rev], capture_output=True,
                                     check=True).stdout
            subprocess.run(["tar", "-x", "-C", str(checkout)], input=archive, check=True)
        out = work / "out"
        env = {**os.environ, "PYTHONPATH": str(checkout)}
        done = subprocess.run([sys.executable, "-c", BUILD_ALL, str(checkout), str(out)],
                              cwd=checkout, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"{rev}: {done.stderr.strip()}")
        result = hashes(out)
        if rev != WORKTREE:
            cached.parent.mkdir(parents=True, exist_ok=True)
            cached.write_text(json.dumps(result, indent=1))
        print(f"{rev[:12]}: {done.stdout.strip()} documents built one by one, "
              f"{len(result)} files in all", file=sys.stderr)
        return result
    finally:
        if keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("a", nargs="?", help="a git revision (default: git merge-base main HEAD)")
    parser.add_argument("b", nargs="?", default=WORKTREE,
                        help=f"a git revision, or {WORKTREE} (default) for the files as they are")
    parser.add_argument("--keep", action="store_true", help="keep the work folders")
    args = parser.parse_args()
    base = args.a or subprocess.run(["git", "-C", str(REPO), "merge-base", "main", "HEAD"],
                                    capture_output=True, text=True, check=True).stdout.strip()
    revs = [resolve(base), resolve(args.b)]
    first, second = (build(rev, args.keep) for rev in revs)
    differ = sorted(name for name in first.keys() & second.keys() if first[name] != second[name])
    only = sorted(first.keys() ^ second.keys())
    for name in differ:
        print(f"differs: {name}")
    for name in only:
        print(f"only in {revs[0][:12] if name in first else revs[1][:12]}: {name}")
    same = len(first.keys() & second.keys()) - len(differ)
    print(f"{revs[0][:12]} against {revs[1][:12]}: {same} identical, {len(differ)} different, "
          f"{len(only)} in one only")
    return 0 if not differ and not only else 1


if __name__ == "__main__":
    sys.exit(main())
