"""Test-wide settings.

Property tests draw the same examples on every run by default (``derandomize``), so that a CI run in
a fresh clone never fails on an example no earlier run met. To explore new examples, run with
``HYPOTHESIS_PROFILE=explore`` (random draws, more of them).
"""

import os

import pytest
from hypothesis import settings

settings.register_profile("repeatable", derandomize=True, print_blob=True)
settings.register_profile("explore", max_examples=300, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


@pytest.fixture(scope="module")
def client():
    """A dask client on a LocalCluster of two single-threaded workers in this process (no process
    start: the dataset tests check the task logic; a real worker kill is benchmarks/check_worker_kill.py)."""
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=False,
            dashboard_address=None,
            scheduler_kwargs={
                "dashboard_address": ":0"
            },  # 8787 may be taken (see screen/cluster.py)
        ) as cluster,
        Client(cluster) as c,
    ):
        yield c
