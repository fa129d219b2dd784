"""A main-job worker is replaced after its share of documents (a process that has rendered
hundreds has grown). The web app's workers: test_web.py::test_workers_are_recycled."""

from __future__ import annotations

import pytest

from itertools import groupby

from leafletgen.batch.pool import WorkerPool
from leafletgen.request import BuildRequest

LEAFLET = "lage-rugklachten"
PRACTICE = "fysio-delinde"


@pytest.mark.slow
def test_a_pool_worker_is_replaced_after_its_share(project, tmp_path):
    """One worker, two documents each: five documents take three processes, in turn."""
    jobs = [BuildRequest(LEAFLET, lang, PRACTICE) for lang in ("nl", "de", "en", "fr", "es")]
    outcomes = []
    with WorkerPool(1, project.root, tmp_path / "out", max_documents=2) as pool:
        left = pool.build(jobs, lambda job, outcome: outcomes.append(outcome))
    assert left == [] and [outcome.ok for outcome in outcomes] == [True] * 5, outcomes
    shares = [len(list(group)) for _, group in groupby(outcome.pid for outcome in outcomes)]
    assert shares == [2, 2, 1]
    assert len({outcome.pid for outcome in outcomes}) == 3
