"""The national dataset: every export of the country as one Parquet dataset partitioned
``province=…/commune=…`` (hive layout), so that screening reads a commune where it lies.

:func:`ingest` writes it (in parallel, replacing only the rows of files that changed);
:func:`read_partition` reads one commune back; :func:`list_partitions` lists them.
"""

from vaxutils.dataset.ingest import IngestReport, ingest, read_manifest, split_export
from vaxutils.dataset.layout import list_partitions, partition_dir, partition_values
from vaxutils.dataset.read import read_dataset, read_partition, read_partitions

__all__ = [
    "IngestReport",
    "ingest",
    "list_partitions",
    "partition_dir",
    "partition_values",
    "read_dataset",
    "read_manifest",
    "read_partition",
    "read_partitions",
    "split_export",
]
