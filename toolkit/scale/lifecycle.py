"""Lifecycle features, stages and patterns on partitioned logs: every partition runs the in-memory functions
(:func:`toolkit.lifecycle.lifecycle_features`, :meth:`toolkit.LifecycleClassifier.classify`, same kernels);
fitting the classifier adds up its learning statistics over partitions."""

from __future__ import annotations

import copy

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd

from ..errors import ParameterError, SchemaError
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
        raise ParameterError("at: give at least one snapshot date.", parameter="at", value=at)
    late = dates[dates > ptx.observation_end]
    if len(late):
        raise ParameterError(f"Snapshot {late[0]:%Y-%m-%d} is after the observation end "
                             f"({ptx.observation_end:%Y-%m-%d}): purchases after the end were not observed. "
                             "Pass earlier dates.", parameter="at", value=at)
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
        raise ParameterError(f"window must be at least 1 day, got {window}.", parameter="window", value=window)
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
        raise ParameterError(f"Expected a fitted toolkit.LifecycleClassifier, got {type(clf).__name__}.",
                             parameter="classifier")
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
def _candidate_horizons(clf, last_day):
    """Horizons at which one partition returns its learning statistics, in the single learning pass.

    Every horizon :meth:`toolkit.LifecycleClassifier._choose_horizon` may ask for, whatever the whole log's
    window (unknown until the pass is done): ``horizon_days`` when given; else 360 days and the shortened
    horizons, which run down by ``bin_days`` to 4 bins from 360 - ``bin_days`` or from half the window in whole
    bins (so every multiple of ``bin_days`` too). ``last_day`` is the partition's observation end counted from
    its first day: no customer of it is followed longer, so its statistics at longer shortened horizons are
    zeros and are left out (:func:`_stats_at` fills them in).
    """
    from ..lifecycle import FULL_HORIZON_DAYS

    if clf.horizon_days != "auto":
        return [int(clf.horizon_days)]
    width = int(clf.bin_days)
    shortest = 4 * width
    top = min(FULL_HORIZON_DAYS - width, int(last_day))
    shortened = set(range(FULL_HORIZON_DAYS - width, shortest - 1, -width)) | set(range(shortest, top + 1, width))
    return [FULL_HORIZON_DAYS] + sorted((h for h in shortened if h <= top), reverse=True)


def _learning_part(part, rules, columns, clf):
    """One partition's learning statistics at every candidate horizon, its window and its customer count.

    ``{"stats": {horizon: (curve, survivors, gaps, counts)}, "window": days, "n_customers": n}``: first repeat
    gaps as (value, count) pairs; ``window`` is the partition's observation end counted from its own first day
    (the whole log's is the largest over partitions, as all share one observation end).
    """
    tx = check_part(part, rules, columns)
    if tx is None:
        return None
    window = int(tx.arrays.end_day)
    stats = {}
    for horizon in _candidate_horizons(clf, window):
        first_gap, curve, n_surv = clf._learning_stats(tx, horizon)
        gaps, counts = np.unique(first_gap[first_gap > 0], return_counts=True)
        stats[horizon] = (curve, int(n_surv), gaps, counts)
    return {"stats": stats, "window": window, "n_customers": int(tx.n_customers)}


def _stats_at(pieces, horizon, bin_days):
    """The whole log's learning statistics at ``horizon`` (first repeat gaps > 0, curve, survivors), summed."""
    curve = np.zeros(int(horizon) // int(bin_days), dtype=np.float64)
    n_surv, values, counts = 0, [], []
    for piece in pieces:
        stats = piece["stats"].get(int(horizon))
        if stats is None:  # nobody in this partition is followed that long: zeros
            continue
        curve += stats[0]
        n_surv += stats[1]
        values.append(stats[2])
        counts.append(stats[3])
    return _expand(values, counts), curve, n_surv


def _classified_part(part, rules, columns, clf, model, stable):
    """What the loyal duration and the "too early to tell" caveat need from one partition, as value counts.

    With every threshold but the loyal duration: the stable durations and lost flags of the customers who
    reached stability (``stable``, i.e. loyal duration "auto"), the number of customers acquired at the end,
    and the active spans of those not lost (too early to tell while ``span - t_stability < loyal_duration``,
    see ``toolkit._kernels.lifecycle.pattern_rules``).
    """
    from .._kernels.lifecycle import LOST
    from ..lifecycle import lifecycle_features as features

    tx = check_part(part, rules, columns)
    if tx is None:
        return None
    th = clf.thresholds_
    feats = features(tx, None, window=int(th["window"]), model=model)
    durations = None
    if stable:
        durations, events = clf._stable_durations(feats, th)
        durations = pd.DataFrame({"duration": durations, "event": events}).value_counts(sort=False)
    stage = clf._stage_codes(feats, th)[0][-1]
    acquired = (feats.n_days[-1] > 0) & (stage >= 0)  # pattern_rules' customers with a pattern
    spans, counts = np.unique(feats.span[-1][acquired & (stage != LOST)], return_counts=True)
    return durations, int(acquired.sum()), spans, counts


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
    """Fit a :class:`toolkit.LifecycleClassifier` on a partitioned log; learns the same as ``fit`` in memory.

    The same thresholds, ``learned_``, ``rate_curve_``, ``horizon_``, ``window_days_`` and ``caveats_`` (each
    caveat also issued as a DataQualityWarning), and the same DataQualityError when the log cannot support the
    lifecycle at all. Two small passes over the partitions:

    1. the learning statistics of every partition at every horizon the fit may need (repeat-purchase curve by
       age and survivor counts, summed; first repeat gaps as value counts, for the lost-gap quantile), with its
       window and customer count. The client picks the curve's horizon from them (a short log's horizon is
       bounded by the whole log's window, see the class Notes) and derives every threshold but the loyal
       duration exactly as ``fit`` does;
    2. with those thresholds, the stable durations of the customers who reached stability (for the
       Kaplan-Meier loyal duration, with ``loyal_duration="auto"``) and the active spans of the customers not
       lost (for the "too early to tell" caveat), as value counts.

    Only per-day counts travel, never customers' rows.

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

    Raises
    ------
    DataQualityError
        As ``LifecycleClassifier.fit``: the log cannot support the purchase-rate curve at all.
    """
    from ..lifecycle import LifecycleClassifier

    if not isinstance(classifier, LifecycleClassifier):
        raise ParameterError(f"fit_lifecycle expects a toolkit.LifecycleClassifier, got {type(classifier).__name__}.",
                             parameter="classifier")
    _check_ptx(ptx, "fit_lifecycle")
    client = get_client(client if client is not None else ptx.client)
    classifier._check_settings()
    # --- pass 1: learning statistics at every candidate horizon
    clf = _portable(classifier)
    fn = dask.delayed(_learning_part, pure=True)
    (pieces,) = _compute([fn(p, ptx._rules, ptx.columns, clf) for p in ptx.parts], client=client,
                         progress=progress)
    pieces = [p for p in pieces if p is not None]
    if not pieces:
        raise SchemaError("No partition has customers: nothing to learn from.")
    window = max(p["window"] for p in pieces)  # first purchase of the whole log to the shared observation end
    n_customers = sum(p["n_customers"] for p in pieces)
    width = int(classifier.bin_days)
    horizon, (gaps, curve, n_surv), caveats = classifier._choose_horizon(
        lambda h: _stats_at(pieces, h, width), window, n_customers)
    for name in _CACHES + ("model_",):
        classifier.__dict__.pop(name, None)
    learned = classifier._learn_thresholds(curve, n_surv, gaps, stacklevel=3, horizon=horizon, window_days=window,
                                           caveats=caveats)
    # --- pass 2: stable durations and active spans under those thresholds
    auto = classifier.loyal_duration == "auto"
    clf = _portable(classifier)
    fn = dask.delayed(_classified_part, pure=True)
    (pieces,) = _compute([fn(p, ptx._rules, ptx.columns, clf, model, auto) for p in ptx.parts], client=client,
                         progress=progress)
    pieces = [p for p in pieces if p is not None]
    stable = None
    if auto:
        found = [p[0] for p in pieces if len(p[0])]
        if found:
            counts = pd.concat(found).groupby(level=["duration", "event"], sort=True).sum()
            reps = counts.to_numpy(dtype=np.int64)
            durations = np.repeat(counts.index.get_level_values("duration").to_numpy(dtype=np.float64), reps)
            events = np.repeat(counts.index.get_level_values("event").to_numpy(dtype=bool), reps)
        else:
            durations, events = np.empty(0, dtype=np.float64), np.empty(0, dtype=bool)
        stable = (durations, events)
    classifier._learn_loyal_duration(stable, learned, stacklevel=3)
    th = classifier.thresholds_
    spans = np.concatenate([p[2] for p in pieces]) if pieces else np.empty(0)
    counts = np.concatenate([p[3] for p in pieces]) if pieces else np.empty(0, dtype=np.int64)
    too_early = (spans.astype(np.float64) - th["t_stability"]) < th["loyal_duration"]  # as pattern_rules
    classifier._too_early_share_caveat(sum(p[1] for p in pieces), int(counts[too_early].sum()), stacklevel=3)
    classifier.model_ = model
    classifier.tx_ = None
    return classifier
