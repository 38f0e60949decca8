"""Lifecycle features, stages and patterns on partitioned logs: every partition runs the in-memory functions
(:func:`toolkit.lifecycle.lifecycle_features`, :meth:`toolkit.LifecycleClassifier.classify`, same kernels);
fitting the classifier adds up its learning statistics over partitions."""

from __future__ import annotations

import copy

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd

from ..errors import SchemaError
from ._cluster import compute as _compute
from ._cluster import get_client
from .transactions import PartitionedTransactions, check_part

__all__ = ["lifecycle_features", "lifecycle_stages", "lifecycle_counts", "fit_lifecycle"]

_CACHES = ("tx_", "features_", "result_")


def _portable(clf):
    """A shallow copy of the classifier without the fitted log's caches (what is sent to the workers)."""
    out = copy.copy(clf)
    for name in _CACHES:
        out.__dict__.pop(name, None)
    return out


def _check_ptx(ptx, name):
    if not isinstance(ptx, PartitionedTransactions):
        raise SchemaError(f"{name} expects a PartitionedTransactions (toolkit.scale.read_transactions or from_dask), "
                          f"got {type(ptx).__name__}.")


def _snapshots(ptx, at, snapshot):
    """Snapshot dates as the in-memory code orders them, checked against the global observation end, and the
    position of ``snapshot`` among them."""
    if at is None:
        dates = pd.DatetimeIndex([ptx.observation_end])
    elif isinstance(at, (str, pd.Timestamp)) or np.isscalar(at):
        dates = pd.DatetimeIndex([pd.Timestamp(at)])
    else:
        dates = pd.DatetimeIndex(pd.to_datetime(list(at)))
    dates = dates.normalize().sort_values()
    if len(dates) == 0:
        raise ValueError("at: give at least one snapshot date.")
    late = dates[dates > ptx.observation_end]
    if len(late):
        raise ValueError(f"Snapshot {late[0]:%Y-%m-%d} is after the observation end "
                         f"({ptx.observation_end:%Y-%m-%d}): purchases after the end were not observed. "
                         "Pass earlier dates.")
    if isinstance(snapshot, (int, np.integer)):
        k = int(snapshot) % len(dates)
    else:
        k = int(dates.get_loc(pd.Timestamp(snapshot).normalize()))
    return dates, k


def _meta_at(ptx, dates):
    """Snapshot dates for the schema sample (its own observation end, once per wanted snapshot)."""
    return [ptx._sample.observation_end] * len(dates)


# ------------------------------------------------------------------------------------------------ features
def _features_part(part, rules, columns, dates, window, model, k, meta):
    from ..lifecycle import lifecycle_features as features

    tx = check_part(part, rules, columns)
    if tx is None:
        return meta.copy()
    return features(tx, dates, window=window, model=model).frame(k)


def lifecycle_features(ptx, at=None, *, window=90, model=None, snapshot=-1):
    """Lifecycle features (:func:`toolkit.lifecycle.lifecycle_features`) at one snapshot, as a Dask DataFrame.

    Parameters
    ----------
    ptx : PartitionedTransactions
    at : date-like or sequence of dates, optional
        Snapshot dates (default the observation end of the whole log).
    window : int, default 90
        Recent window in days.
    model : fitted purchase model, optional
        Adds ``p_alive`` (scored partition by partition).
    snapshot : int or date, default -1
        Which snapshot of ``at`` to return (the columns of ``LifecycleFeatures.frame(snapshot)``).

    Returns
    -------
    dask.dataframe.DataFrame
        Indexed by ``customer_id`` (customers acquired by the snapshot), the same values as in memory; rows
        come grouped by partition.
    """
    from ..lifecycle import lifecycle_features as features

    _check_ptx(ptx, "lifecycle_features")
    window = int(window)
    if window < 1:
        raise ValueError(f"window must be at least 1 day, got {window}.")
    dates, k = _snapshots(ptx, at, snapshot)
    meta = features(ptx._sample, _meta_at(ptx, dates), window=window, model=model).frame(k).iloc[:0]
    meta.attrs.clear()
    fn = dask.delayed(_features_part, pure=True)
    parts = [fn(p, ptx._rules, ptx.columns, list(dates), window, model, k, meta) for p in ptx.parts]
    return dd.from_delayed(parts, meta=meta, verify_meta=False)


# ------------------------------------------------------------------------------------------------ stages
def _fitted(clf):
    from ..lifecycle import LifecycleClassifier

    if not isinstance(clf, LifecycleClassifier):
        raise TypeError(f"Expected a fitted toolkit.LifecycleClassifier, got {type(clf).__name__}.")
    clf._check_fitted()
    return _portable(clf)


def _stages_part(part, rules, columns, clf, dates, model, k, meta):
    tx = check_part(part, rules, columns)
    if tx is None:
        return meta.copy()
    return clf.classify(tx, dates, model=model).table(k)


def lifecycle_stages(ptx, classifier, at=None, *, model=None, snapshot=-1):
    """Stages (and, at the last snapshot, patterns) with their rules, partition by partition.

    Each partition runs ``classifier.classify(partition, at).table(snapshot)``: the rule kernels with the
    classifier's thresholds (fitted in memory, by :func:`fit_lifecycle`, or given with
    ``LifecycleClassifier.from_thresholds``). Every rule looks at one customer's own history, so the labels are
    those of the in-memory classifier on the whole log.

    Parameters
    ----------
    ptx : PartitionedTransactions
    classifier : fitted toolkit.LifecycleClassifier
        Sent to the workers without the caches of the log it was fitted on.
    at : date-like or sequence of dates, optional
        Snapshot dates (default the observation end); patterns use the data up to the last one.
    model : fitted purchase model, optional
        Default: the one the classifier was fitted with.
    snapshot : int or date, default -1
        Which snapshot's table to return; ``pattern`` and ``pattern_rule`` columns only for the last one.

    Returns
    -------
    dask.dataframe.DataFrame
        The columns of :meth:`toolkit.lifecycle.LifecycleResult.table`, indexed by ``customer_id``.
    """
    _check_ptx(ptx, "lifecycle_stages")
    clf = _fitted(classifier)
    dates, k = _snapshots(ptx, at, snapshot)
    meta = clf.classify(ptx._sample, _meta_at(ptx, dates), model=model).table(k).iloc[:0]
    meta.attrs.clear()
    fn = dask.delayed(_stages_part, pure=True)
    parts = [fn(p, ptx._rules, ptx.columns, clf, list(dates), model, k, meta) for p in ptx.parts]
    return dd.from_delayed(parts, meta=meta, verify_meta=False)


def _counts_part(part, rules, columns, clf, dates, model):
    tx = check_part(part, rules, columns)
    if tx is None:
        return None
    res = clf.classify(tx, dates, model=model)
    return res.counts(), res.pattern_counts()


def _sum_counts(pieces, dates):
    from ..lifecycle import _PATTERN_LABELS, STAGES

    pieces = [p for p in pieces if p is not None]
    if not pieces:
        return (pd.DataFrame(0, index=pd.Index(pd.DatetimeIndex(dates), name="snapshot"), columns=list(STAGES),
                             dtype=np.int64),
                pd.Series(0, index=list(_PATTERN_LABELS), name="customers", dtype=np.int64))
    stages, patterns = pieces[0][0].copy(), pieces[0][1].copy()  # the in-memory index and dtypes
    for piece in pieces[1:]:
        stages += piece[0].to_numpy()
        patterns += piece[1].to_numpy()
    return stages, patterns


def lifecycle_counts(ptx, classifier, at=None, *, model=None, compute=True, progress=True):
    """Customers per stage at each snapshot and per pattern at the last one, summed over partitions.

    The small result for many snapshots (the per-customer tables of :func:`lifecycle_stages` are large).

    Returns
    -------
    (pandas.DataFrame, pandas.Series)
        ``LifecycleResult.counts()`` and ``LifecycleResult.pattern_counts()`` of the whole log (or a Dask
        Delayed of the pair with ``compute=False``).
    """
    _check_ptx(ptx, "lifecycle_counts")
    clf = _fitted(classifier)
    dates, _ = _snapshots(ptx, at, -1)
    fn = dask.delayed(_counts_part, pure=True)
    parts = [fn(p, ptx._rules, ptx.columns, clf, list(dates), model) for p in ptx.parts]
    total = dask.delayed(_sum_counts, pure=True)(parts, list(dates))
    if not compute:
        return total
    (out,) = _compute(total, client=ptx.client, progress=progress)
    return out


# ------------------------------------------------------------------------------------------------ fit
def _learning_part(part, rules, columns, clf):
    """The classifier's learning statistics of one partition; first repeat gaps as (value, count) pairs."""
    tx = check_part(part, rules, columns)
    if tx is None:
        return None
    first_gap, curve, n_surv = clf._learning_stats(tx)
    gaps, counts = np.unique(first_gap[first_gap > 0], return_counts=True)
    return curve, int(n_surv), gaps, counts


def _stable_part(part, rules, columns, clf, model):
    """Stable durations and lost flags of one partition's customers who reached stability, with counts."""
    from ..lifecycle import lifecycle_features as features

    tx = check_part(part, rules, columns)
    if tx is None:
        return None
    feats = features(tx, None, window=int(clf.thresholds_["window"]), model=model)
    durations, events = clf._stable_durations(feats, clf.thresholds_)
    return pd.DataFrame({"duration": durations, "event": events}).value_counts(sort=False)


def _expand(values, counts):
    """All values, repeated by their counts over partitions, sorted (the multiset the in-memory fit sees)."""
    if not values:
        return np.empty(0, dtype=np.int64)
    v = np.concatenate(values)
    c = np.concatenate(counts).astype(np.int64)
    uniq, inv = np.unique(v, return_inverse=True)
    total = np.zeros(len(uniq), dtype=np.int64)
    np.add.at(total, inv, c)
    return np.repeat(uniq, total)


def fit_lifecycle(classifier, ptx, *, model=None, client=None, progress=True):
    """Fit a :class:`toolkit.LifecycleClassifier` on a partitioned log; learns the same thresholds as in memory.

    Two small passes over the partitions: (1) the learning statistics of every partition (repeat-purchase
    curve by age and survivor counts, summed; first repeat gaps as value counts, for the lost-gap quantile),
    from which the client derives every threshold but the loyal duration exactly as ``fit`` does; (2) with
    ``loyal_duration="auto"``, the stable durations of the customers who reached stability (as value counts)
    for the Kaplan-Meier loyal duration. Only per-day counts travel, never customers' rows.

    Unlike the in-memory ``fit`` the classifier keeps no log (``tx_``, ``features_``, ``result_``): classify
    with :func:`lifecycle_stages` / :func:`lifecycle_counts`. Persist ``ptx`` first
    (:meth:`PartitionedTransactions.persist`) when it fits in cluster memory: each pass reads the log.

    Parameters
    ----------
    classifier : toolkit.LifecycleClassifier
        Its settings are used as they are; it is fitted in place and returned.
    ptx : PartitionedTransactions
    model : fitted purchase model, optional
        Adds P(alive) to the features (and the ``p_alive_min`` rule), as in ``fit``.

    Returns
    -------
    LifecycleClassifier
    """
    from ..lifecycle import LifecycleClassifier

    if not isinstance(classifier, LifecycleClassifier):
        raise TypeError(f"fit_lifecycle expects a toolkit.LifecycleClassifier, got {type(classifier).__name__}.")
    _check_ptx(ptx, "fit_lifecycle")
    client = get_client(client if client is not None else ptx.client)
    classifier._check_settings()
    clf = _portable(classifier)
    fn = dask.delayed(_learning_part, pure=True)
    (pieces,) = _compute([fn(p, ptx._rules, ptx.columns, clf) for p in ptx.parts], client=client,
                         progress=progress)
    pieces = [p for p in pieces if p is not None]
    if not pieces:
        raise SchemaError("No partition has customers: nothing to learn from.")
    curve = np.zeros_like(pieces[0][0])
    for p in pieces:
        curve += p[0]
    n_surv = sum(p[1] for p in pieces)
    gaps = _expand([p[2] for p in pieces], [p[3] for p in pieces])
    for name in _CACHES + ("model_",):
        classifier.__dict__.pop(name, None)
    learned = classifier._learn_thresholds(curve, n_surv, gaps, stacklevel=3)
    stable = None
    if classifier.loyal_duration == "auto":
        clf = _portable(classifier)
        fn = dask.delayed(_stable_part, pure=True)
        (pieces,) = _compute([fn(p, ptx._rules, ptx.columns, clf, model) for p in ptx.parts], client=client,
                             progress=progress)
        pieces = [p for p in pieces if p is not None and len(p)]
        if pieces:
            counts = pd.concat(pieces).groupby(level=["duration", "event"], sort=True).sum()
            reps = counts.to_numpy(dtype=np.int64)
            durations = np.repeat(counts.index.get_level_values("duration").to_numpy(dtype=np.float64), reps)
            events = np.repeat(counts.index.get_level_values("event").to_numpy(dtype=bool), reps)
        else:
            durations, events = np.empty(0, dtype=np.float64), np.empty(0, dtype=bool)
        stable = (durations, events)
    classifier._learn_loyal_duration(stable, learned)
    classifier.model_ = model
    classifier.tx_ = None
    return classifier

