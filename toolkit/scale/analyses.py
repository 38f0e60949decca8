"""The heavy analyses on partitioned logs: each partition runs the in-memory function (same kernels); the few
global quantities (RFM quantile edges, cohort grids, model parameters) are combined exactly."""

from __future__ import annotations

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd

from ..errors import NotFittedError, ParameterError, SchemaError
from ._cluster import compute as _compute
from ._cluster import get_client
from .transactions import check_part

__all__ = ["customer_summary", "rfm_edges", "rfm_scores", "cohort_counts", "retention_matrix", "fit",
           "predict", "combine_cohort_counts"]

# ------------------------------------------------------------------------------------------------ summary


def _summary_part(part, rules, columns, kwargs, meta):
    from ..customers import customer_summary as summary

    tx = check_part(part, rules, columns)
    if tx is None:
        return meta.copy()
    return summary(tx, **kwargs)


def customer_summary(ptx, observation_end=None, time_unit=None):
    """Per-customer summary (:func:`toolkit.customer_summary`) of every partition, as a Dask DataFrame.

    Same columns and values as in memory; rows are grouped by partition (sorted by ``customer_id`` within a
    partition), so sort or join on the index to compare. Persist it (``.persist()`` or
    :func:`toolkit.scale.persist`) before several analyses use it.

    Parameters
    ----------
    ptx : PartitionedTransactions
    observation_end, time_unit : optional
        As in :func:`toolkit.customer_summary`.

    Returns
    -------
    dask.dataframe.DataFrame
        Indexed by ``customer_id``; each partition carries ``attrs`` ``time_unit`` and ``observation_end``.
    """
    kwargs = {"observation_end": observation_end, "time_unit": time_unit}
    meta = ptx.summary_meta(**kwargs)
    fn = dask.delayed(_summary_part, pure=True)
    parts = [fn(p, ptx._rules, ptx.columns, kwargs, meta) for p in ptx.parts]
    return dd.from_delayed(parts, meta=meta, verify_meta=False)


# ------------------------------------------------------------------------------------------------ RFM
_PIVOTS = 256


def _rfm_values(part, columns, negate):
    out = []
    for col, neg in zip(columns, negate):
        if col not in part.columns:
            raise SchemaError(f"rfm_scores: missing column {col!r}; the summary has {list(part.columns)}.")
        v = part[col].to_numpy(dtype=np.float64, na_value=np.nan)
        v = -v if neg else v
        out.append(np.sort(v[~np.isnan(v)]))
    return out


def _pivots_part(part, columns, negate):
    """Per column: number of values and about ``_PIVOTS`` evenly spaced order statistics (incl. min and max)."""
    out = []
    for v in _rfm_values(part, columns, negate):
        if len(v) == 0:
            out.append((0, v))
            continue
        pos = np.unique(np.linspace(0, len(v) - 1, min(len(v), _PIVOTS + 1)).round().astype(np.int64))
        out.append((len(v), v[pos]))
    return out


def _counts_part(part, columns, negate, candidates):
    return [np.searchsorted(v, c, side="right") for v, c in zip(_rfm_values(part, columns, negate), candidates)]


def _window_part(part, columns, negate, windows):
    out = []
    for v, wins in zip(_rfm_values(part, columns, negate), windows):
        out.append([v[np.searchsorted(v, lo, side="right"):np.searchsorted(v, hi, side="right")] for lo, hi in wins])
    return out


def _order_statistics(summary, columns, negate, bins, client, progress):
    """Exact order statistics of rank ``ceil(k n / bins)`` (k = 1..bins-1) of each column over all partitions.

    Three passes over the (persisted) summary, each moving only small arrays: (1) per partition ~256 evenly
    spaced order statistics; (2) global counts below each of those candidates; (3) the values between the two
    candidates that bracket each wanted rank (at most about n / 256 + partitions values), sorted on the client.
    """
    parts = summary.to_delayed()
    (piv,) = _compute([dask.delayed(_pivots_part)(p, columns, negate) for p in parts], client=client,
                      progress=progress)
    n_col = [sum(pp[j][0] for pp in piv) for j in range(len(columns))]
    candidates = [np.unique(np.concatenate([pp[j][1] for pp in piv])) for j in range(len(columns))]
    (counts,) = _compute([dask.delayed(_counts_part)(p, columns, negate, candidates) for p in parts],
                         client=client, progress=progress)
    windows, below = [], []
    for j in range(len(columns)):
        n = n_col[j]
        if n == 0:
            windows.append([])
            below.append([])
            continue
        cle = np.sum([c[j] for c in counts], axis=0)
        wins, bel = [], []
        for k in range(1, bins):
            rank = (k * n + bins - 1) // bins
            i = int(np.searchsorted(cle, rank, side="left"))
            lo = candidates[j][i - 1] if i > 0 else -np.inf
            wins.append((lo, candidates[j][i]))
            bel.append(int(cle[i - 1]) if i > 0 else 0)
        windows.append(wins)
        below.append(bel)
    (chunks,) = _compute([dask.delayed(_window_part)(p, columns, negate, windows) for p in parts],
                         client=client, progress=progress)
    edges = []
    for j in range(len(columns)):
        if n_col[j] == 0:
            edges.append(np.full(bins - 1, np.nan))
            continue
        e = np.empty(bins - 1)
        for k in range(1, bins):
            values = np.sort(np.concatenate([c[j][k - 1] for c in chunks]))
            rank = (k * n_col[j] + bins - 1) // bins
            e[k - 1] = values[rank - below[j][k - 1] - 1]
        edges.append(e)
    return edges, n_col


def rfm_edges(summary, bins=5, recency_col="since_last", frequency_col="n_days", monetary_col="revenue",
              client=None, progress=True):
    """Quantile edges of the whole customer base, exactly as :func:`toolkit.rfm_scores` computes them in memory.

    Returns the ``attrs["edges"]`` dict of the in-memory result: ``{"r": [...], "f": [...], "m": [...]}``.
    Persist ``summary`` first (each of the three small passes reads it).
    """
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or not 2 <= bins <= 20:
        raise ParameterError(f"bins must be an integer between 2 and 20, got {bins!r}.", parameter="bins", value=bins)
    client = get_client(client)
    cols = [recency_col, frequency_col, monetary_col]
    edges, _ = _order_statistics(summary, cols, [True, False, False], int(bins), client, progress)
    r = edges[0]
    return {"r": (-r[::-1]).tolist(), "f": edges[1].tolist(), "m": edges[2].tolist()}


def _rfm_part(part, bins, edges, columns):
    from ..rfm import rfm_scores as scores

    return scores(part, bins=bins, edges=edges, recency_col=columns[0], frequency_col=columns[1],
                  monetary_col=columns[2])


def rfm_scores(summary, bins=5, recency_col="since_last", frequency_col="n_days", monetary_col="revenue",
               edges=None, client=None, progress=True):
    """RFM quantile scores with edges computed over the whole customer base (not per partition).

    Parameters
    ----------
    summary : dask.dataframe.DataFrame
        From :func:`customer_summary` (persist it first).
    bins, recency_col, frequency_col, monetary_col
        As in :func:`toolkit.rfm_scores` (quantile method).
    edges : dict, optional
        Edges from :func:`rfm_edges` (computed when not given).

    Returns
    -------
    dask.dataframe.DataFrame
        The columns of :func:`toolkit.rfm_scores`, identical values; ``toolkit.rfm_scores``'s BinningWarning
        on empty scores is raised here from the global edges (equal neighbouring edges).
    """
    import warnings

    from ..errors import BinningWarning

    columns = (recency_col, frequency_col, monetary_col)
    if edges is None:
        edges = rfm_edges(summary, bins, *columns, client=client, progress=progress)
    for dim, col in zip("rfm", columns):
        e = np.asarray(edges[dim], dtype=np.float64)
        e = -e[::-1] if dim == "r" else e
        empty = [k + 2 for k in range(len(e) - 1) if e[k] == e[k + 1]]
        if empty:
            warnings.warn(f"{dim}_score ({col}): ties leave score(s) {empty} empty over the whole customer base "
                          "(scores stay on the 1..bins scale). Use fewer bins to spread them.",
                          BinningWarning, stacklevel=2)
    meta = _rfm_part(summary._meta, bins, edges, columns)
    return summary.map_partitions(_rfm_part, bins, edges, columns, meta=meta)


# ------------------------------------------------------------------------------------------------ cohorts
def _counts_part_fn(part, rules, columns, kwargs):
    from ..cohorts import cohort_counts as counts

    tx = check_part(part, rules, columns)
    return None if tx is None else counts(tx, **kwargs)


def combine_cohort_counts(parts, observation_end, max_periods=None):
    """Sum the :class:`~toolkit.cohorts.CohortCounts` of partitions holding disjoint customers into one grid.

    Rows become every cohort period between the first and the last cohort of any partition (for each group),
    columns every period since acquisition up to the observation end; the censoring mask is recomputed for the
    whole grid with the in-memory rule.
    """
    from ..cohorts import PERIODS, CohortCounts, _period_bounds

    parts = [p for p in parts if p is not None]
    if not parts:
        raise SchemaError("No partition has customers: nothing to count.")
    first = parts[0]
    period, partial, grouped = first.period, first.partial, first.group_name is not None

    def cohort_ordinals(p):
        idx = p.index.get_level_values("cohort") if grouped else p.index
        return pd.PeriodIndex(idx, freq=PERIODS[period]).asi8.astype(np.int64)

    nonempty = [p for p in parts if len(p.size)]
    end_ordinal = int(pd.Period(observation_end, freq=PERIODS[period]).ordinal)
    if grouped:
        labels = np.array(sorted({v for p in parts for v in p.index.levels[0]}), dtype=object)
    else:
        labels = np.array([None], dtype=object)
    if nonempty:
        ords = [cohort_ordinals(p) for p in nonempty]
        p_first = int(min(o.min() for o in ords))
        p_last = int(max(o.max() for o in ords))
        n_cohorts = p_last - p_first + 1
    else:
        p_first, n_cohorts = end_ordinal, 0
    n_periods = end_ordinal - p_first + 1
    if max_periods is not None:
        n_periods = max(1, min(n_periods, int(max_periods)))
    # censoring, as cohort_counts does it (day indexes relative to the observation end)
    origin = pd.Timestamp(observation_end).normalize()
    ordinals = np.arange(p_first, p_first + n_cohorts + n_periods, dtype=np.int64)
    starts, ends, _ = _period_bounds(origin, ordinals, period)
    cell = np.arange(n_cohorts)[:, None] + np.arange(n_periods)[None, :]
    observed_c = (ends[cell] <= 0) if partial == "censor" else (starts[cell] <= 0)
    if n_cohorts:
        any_obs = observed_c.any(axis=0)
        last = int(np.nonzero(any_obs)[0].max()) + 1 if any_obs.any() else 1
    else:
        last = 0
    n_rows = len(labels) * n_cohorts
    size = np.zeros(n_rows, dtype=np.int64)
    active = np.zeros((n_rows, last), dtype=np.int64)
    orders = np.zeros((n_rows, last), dtype=np.int64)
    revenue = np.zeros((n_rows, last), dtype=np.float64)
    gross = np.zeros((n_rows, last), dtype=np.float64)
    label_pos = {v: k for k, v in enumerate(labels)}
    for p in nonempty:
        g = (np.array([label_pos[v] for v in p.index.get_level_values(0)], dtype=np.int64) if grouped
             else np.zeros(len(p.size), dtype=np.int64))
        rows = g * n_cohorts + (cohort_ordinals(p) - p_first)
        w = p.n_periods
        assert w <= last, "a partition has more periods than the whole log"  # noqa: S101 - internal invariant
        size[rows] += p.size
        active[rows, :w] += p.active[:, :w]
        orders[rows, :w] += p.orders[:, :w]
        revenue[rows, :w] += p.revenue[:, :w]
        gross[rows, :w] += p.gross[:, :w]
    cohorts = pd.PeriodIndex.from_ordinals(np.arange(p_first, p_first + n_cohorts, dtype=np.int64),
                                           freq=PERIODS[period]).rename("cohort")
    if grouped:
        index = pd.MultiIndex.from_product([pd.Index(labels, name=first.group_name), cohorts],
                                           names=[first.group_name, "cohort"])
    else:
        index = cohorts
    notes = []
    for p in parts:
        notes.extend(n for n in p.notes if n not in notes)
    return CohortCounts(index=index, size=size, active=active, orders=orders, revenue=revenue, gross=gross,
                        observed=np.tile(observed_c[:, :last], (len(labels), 1)), period=period, partial=partial,
                        observation_end=first.observation_end, n_skipped=int(sum(p.n_skipped for p in parts)),
                        group_name=first.group_name, notes=notes)


def cohort_counts(ptx, period="M", by=None, cohort="first_purchase", partial="censor", cohort_range=None,
                  max_periods=None, compute=True, progress=True):
    """Cohort counts (:func:`toolkit.cohorts.cohort_counts`) per partition, summed into one grid.

    Parameters
    ----------
    ptx : PartitionedTransactions
    period, by, cohort, partial, cohort_range, max_periods
        As in :func:`toolkit.cohorts.cohort_counts`. A Series ``by`` or ``cohort`` is sent to every partition;
        each partition must then contain at least one of its ids.
    compute : bool, default True
        False returns a Dask Delayed (compute it together with the summary to read the log once).

    Returns
    -------
    toolkit.cohorts.CohortCounts (or Delayed)
    """
    kwargs = {"period": period, "by": by, "cohort": cohort, "partial": partial, "cohort_range": cohort_range,
              "max_periods": max_periods}
    fn = dask.delayed(_counts_part_fn, pure=True)
    parts = [fn(p, ptx._rules, ptx.columns, kwargs) for p in ptx.parts]
    total = dask.delayed(combine_cohort_counts, pure=True)(parts, ptx.observation_end, max_periods)
    if not compute:
        return total
    (out,) = _compute(total, client=ptx.client, progress=progress)
    return out


def retention_matrix(ptx, period="M", metric="retention", by=None, cohort="first_purchase", partial="censor",
                     cohort_range=None, max_periods=None, progress=True):
    """Cohort retention matrix (:func:`toolkit.cohorts.retention_matrix`) from partial matrices summed over
    partitions. Returns the same pandas DataFrame as in memory."""
    counts = cohort_counts(ptx, period=period, by=by, cohort=cohort, partial=partial, cohort_range=cohort_range,
                           max_periods=max_periods, progress=progress)
    return counts.matrix(metric)


# ------------------------------------------------------------------------------------------------ models
def _patterns_part(part, model):
    """The model's data columns of one partition compressed into unique patterns with customer counts."""
    from ..clv.models.base import compress_rows

    data = model._prepare(part)
    patterns, weights, _ = compress_rows(data)
    frame = pd.DataFrame(dict(zip(model._columns, patterns)))
    frame["weight"] = weights
    return frame, part.attrs.get("time_unit")


def _spend_part(part, model):
    """Gamma-Gamma: the (frequency, monetary_value) rows of repeat customers (spend is continuous: no
    lossless compression), and the number of customers without repeat purchases."""
    x, m = model._prepare(part, for_fit=False)
    keep = x > 0
    return (pd.DataFrame({"frequency": x[keep], "monetary_value": m[keep]}), int((~keep).sum()),
            part.attrs.get("time_unit"))


def fit(model, summary, client=None, progress=True):
    """Fit a CLV model on data gathered from all partitions; returns the fitted model.

    Transaction models (BetaGeo, ModifiedBetaGeo, ParetoNBD, BetaGeoBetaBinom) are fitted on the unique
    (frequency, recency, T) patterns of every partition with their customer counts as weights: what reaches
    the optimiser grows with the number of distinct patterns, not customers (and the in-memory fit compresses
    to the same patterns, so the estimates agree to rounding). GammaGamma needs the spend of every repeat
    customer (continuous values; 16 bytes per repeat customer are gathered).

    Parameters
    ----------
    model : an unfitted toolkit.clv.models model (its settings are used as they are)
    summary : dask.dataframe.DataFrame from :func:`customer_summary` (persist it first)

    A :class:`toolkit.LifecycleClassifier` is fitted on the log instead: ``fit(LifecycleClassifier(), ptx)``
    with a PartitionedTransactions (see :func:`toolkit.scale.fit_lifecycle`).
    """
    from ..clv.models import GammaGamma, PurchaseModel
    from ..lifecycle import LifecycleClassifier

    if isinstance(model, LifecycleClassifier):
        from .lifecycle import fit_lifecycle

        return fit_lifecycle(model, summary, client=client, progress=progress)
    client = get_client(client)
    parts = summary.to_delayed()
    if isinstance(model, GammaGamma):
        (pieces,) = _compute([dask.delayed(_spend_part)(p, model) for p in parts], client=client,
                             progress=progress)
        frame = pd.concat([p[0] for p in pieces], ignore_index=True)
        frame.attrs["time_unit"] = next((p[2] for p in pieces if p[2] is not None), None)
        model.fit(frame)
        n_dropped = sum(p[1] for p in pieces)
        if n_dropped:  # the in-memory fit's note, with the count over all partitions
            note = (f"{n_dropped} customers without repeat purchases were left out (no spend information).")
            pos = next((k for k, n in enumerate(model.fit_notes_) if n.startswith("Gamma-Gamma assumes")),
                       len(model.fit_notes_))
            model.fit_notes_.insert(pos, note)
        return model
    if not isinstance(model, PurchaseModel):
        raise ParameterError(f"fit expects a toolkit.clv.models model, got {type(model).__name__}.", parameter="model")
    (pieces,) = _compute([dask.delayed(_patterns_part)(p, model) for p in parts], client=client, progress=progress)
    frame = pd.concat([p[0] for p in pieces], ignore_index=True)
    frame.attrs["time_unit"] = next((p[1] for p in pieces if p[1] is not None), None)
    return model.fit(frame, weights="weight")


def _predict_part(part, purchase_model, spend_model, t, clv_kwargs):
    from ..clv.models import customer_lifetime_value

    out = pd.DataFrame(index=part.index)
    out["p_alive"] = purchase_model.p_alive(part).to_numpy()
    out["expected_purchases"] = purchase_model.conditional_expected_purchases(part, t).to_numpy()
    if spend_model is not None:
        if hasattr(spend_model, "expected_spend"):
            out["expected_spend"] = spend_model.expected_spend(part).to_numpy()
        out["clv"] = customer_lifetime_value(purchase_model, part, spend_model, **clv_kwargs).to_numpy()
    return out


def predict(summary, purchase_model, spend_model=None, *, t=1.0, horizon=12, period="M", discount_rate=0.01,
            margin=1.0):
    """Score every customer with fitted models, partition by partition (the in-memory prediction functions).

    Parameters
    ----------
    summary : dask.dataframe.DataFrame
        From :func:`customer_summary`.
    purchase_model : fitted BetaGeo, ModifiedBetaGeo, ParetoNBD or BetaGeoBetaBinom
    spend_model : fitted GammaGamma, float or None
        Expected spend per purchase; without it no CLV is computed.
    t : float, default 1.0
        Horizon of ``expected_purchases`` in the model's time unit.
    horizon, period, discount_rate, margin
        As in :func:`toolkit.clv.models.customer_lifetime_value`.

    Returns
    -------
    dask.dataframe.DataFrame
        ``p_alive``, ``expected_purchases`` and, with a spend model, ``expected_spend`` (GammaGamma) and
        ``clv``, indexed like ``summary``.
    """
    for m in (purchase_model, spend_model):
        if m is not None and hasattr(m, "_check_fitted"):
            m._check_fitted()
    if not hasattr(purchase_model, "p_alive"):
        raise NotFittedError(f"purchase_model must be a fitted transaction model, got {type(purchase_model).__name__}.")
    clv_kwargs = {"horizon": horizon, "period": period, "discount_rate": discount_rate, "margin": margin}
    meta = pd.DataFrame({"p_alive": pd.Series(dtype="float64"), "expected_purchases": pd.Series(dtype="float64")},
                        index=summary._meta.index)
    if spend_model is not None:
        if hasattr(spend_model, "expected_spend"):
            meta["expected_spend"] = pd.Series(dtype="float64")
        meta["clv"] = pd.Series(dtype="float64")
    return summary.map_partitions(_predict_part, purchase_model, spend_model, float(t), clv_kwargs, meta=meta)
