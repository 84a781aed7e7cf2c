"""The dask.distributed client a dataset screening runs on: the one given, one connected to a
scheduler's address, or a LocalCluster of its own (nothing home-made: dask's scheduler and workers)."""

from __future__ import annotations

import contextlib
import logging
import resource
from pathlib import Path

import dask
from distributed import Client, LocalCluster

# The memory a worker lends the cross-commune shuffle (dask's p2p buffers: shards waiting to be sent,
# shards received waiting for the disk). dask's defaults (1 GiB to send) let a worker hold a share
# of the whole shuffle, which grows with the country; bounded, the shuffle waits for the network
# and the disk instead. A worker started elsewhere takes them from its own dask config
# (README, "running on a real cluster").
P2P_LIMITS = {"distributed.p2p.comm.buffer": "128 MiB", "distributed.p2p.storage.buffer": "64 MiB"}


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
    # the workers read the p2p limits when they start (a nanny hands its config to its worker)
    with (
        dask.config.set(P2P_LIMITS),
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


def peak_rss_gb() -> float:
    """This process's peak RSS in GB (VmHWM: unlike ru_maxrss, not inherited from the parent)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024**2
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def worker_peaks(client) -> list[float]:
    """Every worker's peak RSS so far (GB, rounded), lowest first."""
    return sorted(round(v, 2) for v in client.run(peak_rss_gb).values())
