"""The dask.distributed client a dataset screening runs on: the one given, one connected to a
scheduler's address, or a LocalCluster of its own (nothing home-made: dask's scheduler and workers)."""

from __future__ import annotations

import contextlib
import logging

from distributed import Client, LocalCluster


@contextlib.contextmanager
def dask_client(scheduler=None, workers: int = 2, processes: bool = True):
    """A ``distributed.Client``: the one given, one connected to a scheduler address, or (``None`` /
    ``"local"``) a LocalCluster of ``workers`` single-threaded workers, closed afterwards."""
    if isinstance(scheduler, Client):
        yield scheduler
        return
    if scheduler not in (None, "local"):
        with Client(scheduler) as client:
            yield client
        return
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=processes,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client
