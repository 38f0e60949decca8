"""Scale out with Dask: the heavy analyses on transaction logs larger than memory, on one machine or a cluster.

Install with ``pip install "customer-value-toolkit[dask]"``. Importing ``toolkit`` never imports Dask; this
subpackage does.

How it works
------------
1. :func:`read_transactions` (CSV/Parquet files, folders, globs, ``s3://...``) or :func:`from_dask` (any Dask
   or pandas DataFrame) shuffles the log **once** by customer, so every partition holds whole customers.
2. Each partition is validated by :meth:`toolkit.Transactions.from_frame` (same rules, same global observation
   end); :attr:`PartitionedTransactions.report` adds the :class:`~toolkit.CleaningReport` up over partitions.
3. Each partition then runs the in-memory functions and numba kernels unchanged. Only the global quantities
   are combined: exact RFM quantile edges over all customers (:func:`rfm_edges`), cohort grids summed
   (:func:`cohort_counts`), CLV models fitted on the unique (frequency, recency, T) patterns gathered from all
   partitions (:func:`fit`), then scored per partition (:func:`predict`). Lifecycle features and stages run
   per partition (:func:`lifecycle_features`, :func:`lifecycle_stages`, :func:`lifecycle_counts`); a
   :class:`~toolkit.LifecycleClassifier` learns its thresholds from statistics summed over partitions
   (:func:`fit_lifecycle`, also ``fit(LifecycleClassifier(), ptx)``). Results equal the in-memory ones.

Example
-------
>>> from distributed import Client                                          # doctest: +SKIP
>>> from toolkit import scale
>>> from toolkit.clv.models import BetaGeo, GammaGamma
>>> client = Client()            # local cluster; or Client("tcp://scheduler:8786")  # doctest: +SKIP
>>> ptx = scale.read_transactions("logs/*.parquet", customer="cid", time="ts", amount="value",
...                               time_unit="W")                            # doctest: +SKIP
>>> summary = scale.customer_summary(ptx).persist()                         # doctest: +SKIP
>>> rfm = scale.rfm_scores(summary)                                         # doctest: +SKIP
>>> matrix = scale.retention_matrix(ptx, period="M")                        # doctest: +SKIP
>>> bg = scale.fit(BetaGeo(), summary); gg = scale.fit(GammaGamma(), summary)  # doctest: +SKIP
>>> scores = scale.predict(summary, bg, gg, horizon=12, period="M", discount_rate=0.01)  # doctest: +SKIP
>>> scores.to_parquet("scores/")                                            # doctest: +SKIP
>>> from toolkit import LifecycleClassifier
>>> clf = scale.fit(LifecycleClassifier(), ptx)  # thresholds learned from all partitions  # doctest: +SKIP
>>> stages = scale.lifecycle_stages(ptx, clf)        # stage, pattern, rules  # doctest: +SKIP

To read the log once for several results, build them lazily and persist them together:
``summary, counts, report = scale.persist(scale.customer_summary(ptx), scale.cohort_counts(ptx,
compute=False), ptx.report_delayed())``. :meth:`PartitionedTransactions.persist` instead keeps the cleaned
log in cluster memory (about 40 bytes per row).

Progress and diagnostics
------------------------
Every computing function takes ``progress=True``: Dask's text progress bar on the local scheduler,
``distributed.progress`` on a cluster (a live widget in Jupyter). ``client.dashboard_link`` (also
:func:`dashboard_link`, and logged on the ``toolkit.scale`` logger) opens the diagnostics dashboard: task
stream, memory per worker, spilling.

Running on a real cluster
-------------------------
Nothing here assumes a local machine: functions take ``client=`` (a ``distributed.Client`` or a scheduler
address string), or use the default client, and workers read the files themselves, so use paths every worker
can see (a shared file system or object storage with the fsspec package: ``s3fs``, ``gcsfs``, ``adlfs``).
Workers need the same environment (``pip install "customer-value-toolkit[dask]"``).

* Any running Dask scheduler: ``Client("tcp://host:8786")``, or pass the address as ``client=``.
* HPC batch systems (SLURM, PBS, SGE, LSF) with ``dask-jobqueue``::

      from dask_jobqueue import SLURMCluster
      cluster = SLURMCluster(cores=8, memory="32GB", walltime="02:00:00")
      cluster.scale(jobs=10)
      client = Client(cluster)

* Kubernetes with ``dask-kubernetes`` (operator) or a Helm-installed Dask::

      from dask_kubernetes.operator import KubeCluster
      cluster = KubeCluster(name="cvt", image="ghcr.io/dask/dask:latest", n_workers=10)
      client = Client(cluster)

* Managed services (Coiled, Saturn, ...) hand back a ``Client`` the same way.

Numba compiles each kernel once per worker process; run ``client.run(toolkit.warmup)`` after start-up to do
it up front (set ``NUMBA_CACHE_DIR`` to a writable folder on read-only images), and give workers one thread
each with ``NUMBA_NUM_THREADS=1`` when a machine runs several workers.
"""

from __future__ import annotations

from ._cluster import compute, dashboard_link, get_client, persist
from .analyses import (
    cohort_counts,
    combine_cohort_counts,
    customer_summary,
    fit,
    predict,
    retention_matrix,
    rfm_edges,
    rfm_scores,
)
from .lifecycle import fit_lifecycle, lifecycle_counts, lifecycle_features, lifecycle_stages
from .transactions import PartitionedTransactions, combine_reports, from_dask, read_transactions

__all__ = [
    "PartitionedTransactions",
    "read_transactions",
    "from_dask",
    "combine_reports",
    "customer_summary",
    "rfm_edges",
    "rfm_scores",
    "cohort_counts",
    "combine_cohort_counts",
    "retention_matrix",
    "fit",
    "predict",
    "lifecycle_features",
    "lifecycle_stages",
    "lifecycle_counts",
    "fit_lifecycle",
    "compute",
    "persist",
    "get_client",
    "dashboard_link",
]
