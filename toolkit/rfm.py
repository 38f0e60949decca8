"""RFM scoring and value segmentation on top of the per-customer summary.

Every public function takes either a customer summary (the frame :func:`toolkit.customer_summary`
returns, indexed by ``customer_id``) or a :class:`toolkit.Transactions` (the summary is then built
for you) and returns a DataFrame indexed by the original customer ids, or a small result object with
``summary``, ``__repr__`` and ``_repr_html_``.

Vocabulary: the marketing textbooks' RFM "recency" (time since the last purchase) is the summary's
``since_last``; ``recency`` always means the BTYD quantity (first to last purchase).

Contents
--------
rfm_scores            R, F, M scores 1..n by rank-based quantiles or by thresholds
SEGMENT_MAPS          preset segment maps (data: tables of rules)
segment_map           a copy of a preset map
check_segment_map     holes and overlaps of a segment map on the score grid
assign_segments       segment label per customer from a segment map
value_tiers           the course's high / potential / regular / dormant value tiers
value_scorecard       weighted scorecard (financial, growth, loyalty, influence) with A-D tiers
needs_classes         price-sensitive / service-dependent / demand-oriented
count_support_contacts  support contacts per customer from an event log
segment_summary       customers, shares and mean R/F/M per segment
revenue_concentration top-x% revenue shares, Pareto curve and Gini
cluster_customers     k-means on standardised (log1p where skewed) features with silhouettes
"""

from __future__ import annotations

import html
import math
import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ._kernels import rfm as _k
from .config import DAYS_PER_UNIT
from .errors import BinningWarning, DataQualityError, DataQualityWarning, ParameterError, SchemaError
from .i18n import get_language, register, register_patterns, tr

__all__ = [
    "rfm_scores",
    "SEGMENT_MAPS",
    "segment_map",
    "check_segment_map",
    "SegmentMapCheck",
    "assign_segments",
    "value_tiers",
    "value_scorecard",
    "needs_classes",
    "count_support_contacts",
    "segment_summary",
    "revenue_concentration",
    "ConcentrationResult",
    "cluster_customers",
    "ClusterResult",
]

#: Days in a year used to annualise (the mean Gregorian year, as in ``config.DAYS_PER_UNIT["M"] * 12``).
DAYS_PER_YEAR = 365.2425

_SCORE_COLS = ("r_score", "f_score", "m_score")
_DIMS = ("r", "f", "m")


# ----------------------------------------------------------------------------------------------- helpers
def _is_transactions(data) -> bool:
    try:
        from .data import Transactions
    except ImportError:  # pragma: no cover - only before toolkit.data exists
        return hasattr(data, "arrays") and hasattr(data, "frame") and hasattr(data, "observation_end")
    return isinstance(data, Transactions)


def _as_summary(data, caller: str) -> pd.DataFrame:
    """Return the customer summary for ``data`` (a summary frame or a Transactions)."""
    if isinstance(data, pd.DataFrame):
        if not data.index.is_unique:
            dup = data.index[data.index.duplicated()].unique()
            raise SchemaError(
                f"{caller}: the frame must have one row per customer (index = customer_id), but "
                f"{len(dup)} ids repeat, e.g. {list(dup[:3])}. Pass toolkit.customer_summary(tx) or set "
                "the customer id as the index.")
        return data
    if _is_transactions(data):
        try:
            from .customers import customer_summary
        except ImportError as exc:  # pragma: no cover - only before toolkit.customers exists
            raise ImportError(f"{caller}: toolkit.customer_summary is not available yet; pass a summary "
                              "DataFrame instead.") from exc
        return customer_summary(data)
    raise ParameterError(f"{caller} expects a customer summary DataFrame (toolkit.customer_summary(tx)) or a "
                         f"toolkit.Transactions, got {type(data).__name__}.", parameter="data")


def _require(frame: pd.DataFrame, columns, caller: str, hint: str = "") -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        have = ", ".join(map(str, frame.columns[:20]))
        raise SchemaError(f"{caller}: missing column(s) {missing}. The frame has: {have}."
                          + (f" {hint}" if hint else ""))


def _numeric(frame: pd.DataFrame, column: str, caller: str, allow_nan: bool = False) -> np.ndarray:
    series = frame[column]
    if not (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)):
        raise SchemaError(f"{caller}: column {column!r} must be numeric, it has dtype {series.dtype}.")
    values = series.to_numpy(dtype=np.float64, na_value=np.nan)
    if not allow_nan:
        bad = np.isnan(values)
        if bad.any():
            raise DataQualityError(
                f"{caller}: column {column!r} has {int(bad.sum())} missing value(s), e.g. for customers "
                f"{list(frame.index[bad][:3])}. Fill them (e.g. .fillna(0)) or drop those customers first.",
                column=column, count=int(bad.sum()), examples=frame.loc[bad].head(5))
    return values


def _time_unit(summary: pd.DataFrame, time_unit=None) -> str:
    unit = time_unit or summary.attrs.get("time_unit", "D")
    if unit not in DAYS_PER_UNIT:
        raise ParameterError(f"time_unit must be one of {tuple(DAYS_PER_UNIT)}, got {unit!r}.",
                             parameter="time_unit", value=unit)
    return unit


def _fmt(x) -> str:
    if isinstance(x, (float, np.floating)):
        return f"{x:.4g}"
    return str(x)


# ----------------------------------------------------------------------------------------------- display (#20)
# The results speak the current language (toolkit.set_language): titles and headlines through tr(), tables through
# the notebook table display; the data keep their English names. English labels below are what
# toolkit.formatting.label / value_label wrote before they had an entry, so English output is unchanged.
register({
    "rfm.result.SegmentMapCheck": {"en": "SegmentMapCheck", "zh": "细分规则表覆盖检查"},
    "rfm.result.ConcentrationResult": {"en": "ConcentrationResult", "zh": "收入集中度"},
    "rfm.result.ClusterResult": {"en": "ClusterResult", "zh": "K 均值聚类"},
    "rfm.check.complete": {"en": "complete, no overlaps", "zh": "完整，无重叠"},
    "rfm.check.problems": {"en": "{holes} hole(s), {overlaps} overlap(s)", "zh": "{holes} 个空缺格，{overlaps} 个重叠格"},
    "rfm.check.headline": {"en": "{grid} grid of scores 1..{bins}: {state}", "zh": "{grid} 评分网格（1..{bins} 分）：{state}"},
    "rfm.concentration.headline": {"en": "{n} customers, revenue {revenue}, Gini {gini}",
                                   "zh": "{n} 位客户，收入 {revenue}，基尼系数 {gini}"},
    "rfm.cluster.headline": {"en": "k={k} on {n} customers, features {features}; silhouette {tried}",
                             "zh": "k={k}，{n} 位客户，特征：{features}；各 k 的平均轮廓系数：{tried}"},
})
register({f"col.{name}": {"en": en, "zh": zh} for name, (en, zh) in {
    "rfm_cell": ("RFM cell", "RFM 组合"),
    "r_min": ("R min", "R 分下限"), "r_max": ("R max", "R 分上限"), "f_min": ("F min", "F 分下限"),
    "f_max": ("F max", "F 分上限"), "m_min": ("M min", "M 分下限"), "m_max": ("M max", "M 分上限"),
    "segments": ("Segments", "覆盖该格的细分群体"),
    "customer_share": ("Customer share", "客户占比"),
    "financial": ("Financial", "财务贡献"), "growth": ("Growth", "成长潜力"), "loyalty": ("Loyalty", "忠诚度"),
    "influence": ("Influence", "影响力"), "composite": ("Composite", "综合分"),
    "needs_class": ("Needs class", "需求类型"), "support_per_order": ("Support per order", "每笔订单客服接触次数"),
    "price_sensitive": ("Price sensitive", "价格敏感"), "service_dependent": ("Service dependent", "依赖服务"),
    "support_contacts": ("Support contacts", "客服接触次数"), "referrals": ("Referrals", "推荐次数"),
    "cluster": ("Cluster", "簇"), "k": ("K", "簇数 k"), "silhouette": ("Silhouette", "平均轮廓系数"),
    "inertia": ("Inertia", "簇内平方和"),
    "mean_frequency": ("Mean frequency", "平均重复购买次数"), "mean_recency": ("Mean recency", "平均首购至末购时长"),
    "mean_monetary_value": ("Mean monetary value", "平均重复购买金额"), "mean_n_orders": ("Mean n orders", "平均订单数"),
}.items() if tr(f"col.{name}", "\0") == "\0"})
register({f"val.{name}": {"en": en, "zh": zh} for name, (en, zh) in {
    # the needs classes (NEEDS_CLASSES), the course's names
    "price-sensitive": ("price-sensitive", "价格敏感型"), "service-dependent": ("service-dependent", "服务依赖型"),
    "demand-oriented": ("demand-oriented", "需求导向型"),
    # the rows of SegmentMapCheck.summary (index "check")
    "check.rules": ("rules", "规则数"), "check.cells": ("cells", "评分格数"), "check.holes": ("holes", "空缺格数"),
    "check.overlaps": ("overlaps", "重叠格数"),
}.items()})
register_patterns("zh", [(r"top (?P<x>\d+(?:\.\d+)?)%", r"前 \g<x>%")])  # ConcentrationResult.top's rows


def _chinese() -> bool:
    """True when results are shown in a language other than English (loads the Chinese of the toolkit's texts)."""
    if get_language() == "en":
        return False
    from . import _zh  # noqa: F401  (the Chinese of the sentences lower layers write)

    return True


def _table_text(frame: pd.DataFrame) -> str:
    """A result's table as plain text with the current language's headers and labels."""
    from .formatting import format_table
    from .i18n import localize

    axis = frame.columns.name
    if isinstance(axis, str):  # the columns are categories (a crosstab's "to"): their labels, not column labels
        from .formatting import column_kind, value_label

        ft = format_table(frame, kinds={c: column_kind("", frame[c]) for c in frame.columns})
        ft.headers = [value_label(c, axis) for c in frame.columns]
    else:
        ft = format_table(frame)
    ft.index = [localize(v) for v in ft.index]  # row labels and cells the toolkit wrote as sentences
    ft.cells = [[localize(v) for v in row] for row in ft.cells]
    return ft.to_frame().to_string()


def _table_html(frame: pd.DataFrame) -> str:
    from .formatting import notebook_table_html

    return notebook_table_html(frame)


class _Result:
    """Base of the small result objects: ``summary`` DataFrame, ``__repr__`` and ``_repr_html_``."""

    _title = "Result"

    @property
    def summary(self) -> pd.DataFrame:  # pragma: no cover - overridden
        raise NotImplementedError

    def _headline(self) -> str:
        return ""

    def __repr__(self) -> str:
        if _chinese():
            return f"{tr('rfm.result.' + self._title, self._title)}：{self._headline()}\n{_table_text(self.summary)}"
        return f"{self._title}: {self._headline()}\n{self.summary.to_string()}"

    def _repr_html_(self) -> str:
        if _chinese():
            return (f"<p><b>{html.escape(tr('rfm.result.' + self._title, self._title))}</b>："
                    f"{html.escape(self._headline())}</p>" + _table_html(self.summary))
        return (f"<p><b>{html.escape(self._title)}</b>: {html.escape(self._headline())}</p>"
                + self.summary.to_html())


# ----------------------------------------------------------------------------------------------- scores
_DIM_ALIASES = {"r": "r", "recency": "r", "since_last": "r", "f": "f", "frequency": "f",
                "m": "m", "monetary": "m"}


def _parse_thresholds(thresholds, columns: dict) -> dict:
    if not isinstance(thresholds, Mapping):
        raise SchemaError('thresholds must be a dict like {"r": [30, 90, 180, 365], "f": [...], "m": [...]} '
                          f"with one increasing list of cut points per dimension, got {type(thresholds).__name__}.")
    out = {}
    for key, cuts in thresholds.items():
        dim = _DIM_ALIASES.get(key)
        if dim is None:
            dim = next((d for d, col in columns.items() if col == key), None)
        if dim is None:
            raise SchemaError(f"thresholds: unknown key {key!r}; use 'r', 'f' and 'm' (or the column names "
                              f"{list(columns.values())}).")
        cuts = np.asarray(cuts, dtype=np.float64).ravel()
        if cuts.size == 0 or np.isnan(cuts).any() or (np.diff(cuts) <= 0).any():
            raise SchemaError(f"thresholds[{key!r}] must be strictly increasing numbers without NaN, "
                              f"got {cuts.tolist()}.")
        out[dim] = cuts
    missing = [d for d in _DIMS if d not in out]
    if missing:
        raise SchemaError(f'method="thresholds" needs cut points for every dimension; missing {missing}.')
    return out


def rfm_scores(data, bins=5, method="quantile", thresholds=None, recency_col="since_last",
               frequency_col="n_days", monetary_col="revenue", *, edges=None):
    """Score customers 1..``bins`` on recency (R), frequency (F) and monetary value (M).

    Parameters
    ----------
    data : pandas.DataFrame or Transactions
        Customer summary (``toolkit.customer_summary(tx)``, indexed by ``customer_id``) or a log.
    bins : int, default 5
        Number of scores per dimension (2..20). With ``method="thresholds"`` it must equal the number
        of cut points + 1.
    method : {"quantile", "thresholds"}, default "quantile"
        ``"quantile"``: rank-based quantile bins (tie rule in Notes). ``"thresholds"``: fixed cut points.
    thresholds : dict, optional
        For ``method="thresholds"``: ``{"r": [...], "f": [...], "m": [...]}`` (keys may also be the
        column names), each ``bins - 1`` strictly increasing cut points in the column's own units
        (``since_last`` is in the summary's ``time_unit``). Bins are right-closed: F and M get score
        ``s`` for values in ``(cut[s-1], cut[s]]``; R is reversed, so ``since_last <= cut[0]`` gets
        ``bins`` and ``since_last > cut[-1]`` gets 1.
    recency_col : str, default "since_last"
        Time since the last purchase (smaller = better = higher R score). This is the textbooks' RFM
        "recency"; the summary's ``recency`` column is the BTYD quantity and is *not* the right input.
    frequency_col : str, default "n_days"
        Purchase occasions. ``n_days`` (distinct purchase days) is robust to baskets split into several
        rows when no order id is known; use ``"n_orders"`` to count orders.
    monetary_col : str, default "revenue"
        Total spend. ``"monetary_value"`` (mean repeat-purchase spend, 0 for one-time buyers) is the
        BTYD quantity and a poor M score; use it only on purpose.
    edges : dict, optional
        Quantile method only: score against these edges (``{"r": [...], "f": [...], "m": [...]}``, each
        ``bins - 1`` ascending cut points in the layout of ``attrs["edges"]``) instead of computing them
        from ``data``. Used to score one part of a customer base with edges of the whole base
        (``toolkit.scale``); no BinningWarning is raised then (the caller knows the whole base).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``data``: ``r_score``, ``f_score``, ``m_score`` (int8, 1..bins), ``rfm_cell``
        (categorical ``"R-F-M"`` label, e.g. ``"5-3-4"``; ``.cat.codes`` is the integer cell code
        ``(r-1)*bins**2 + (f-1)*bins + (m-1)``), followed by copies of the three input columns.
        ``attrs`` holds ``bins``, ``method``, ``columns`` (dimension -> input column), ``edges``
        (dimension -> ascending cut points in the column's units; for a quantile R score,
        ``since_last < edge`` moves a customer above that edge's bin) and ``time_unit``.

    Raises
    ------
    SchemaError
        A column is missing or not numeric, or the thresholds are malformed.
    DataQualityError
        An input column has missing values (scores would be undefined).

    Warns
    -----
    BinningWarning
        Quantile scoring: ties left one or more scores empty. The message gives the customers per
        score. Scores stay on the 1..bins scale (empty scores are not renumbered), so "5" always
        means "top bin".

    Notes
    -----
    Tie rule (quantile method). With ``n`` customers, edge ``k`` (``k = 1..bins-1``) is the order
    statistic of rank ``ceil(k n / bins)`` and a value ``x`` scores ``1 + #{k: edge_k < x}``
    (right-closed bins). Equivalently ``score = 1 + floor(bins (r - 1) / n)`` with ``r`` the minimum
    rank of ``x`` (pandas ``rank(method="min")``). Equal values always share a score, and a group of
    ties straddling a boundary gets the *lower* score, in every dimension: R is scored on
    ``-since_last``, so a tie never promotes anyone. Without ties every bin holds ``floor`` or
    ``ceil`` of ``n / bins`` customers.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"since_last": [1.0, 10, 40, 200], "n_days": [9, 2, 3, 1],
    ...                   "revenue": [900.0, 120, 80, 15]},
    ...                  index=pd.Index(["a", "b", "c", "d"], name="customer_id"))
    >>> rfm_scores(s, bins=4)[["r_score", "f_score", "m_score", "rfm_cell"]]  # doctest: +NORMALIZE_WHITESPACE
                 r_score  f_score  m_score rfm_cell
    customer_id
    a                  4        4        4    4-4-4
    b                  3        2        3    3-2-3
    c                  2        3        2    2-3-2
    d                  1        1        1    1-1-1
    """
    caller = "rfm_scores"
    summary = _as_summary(data, caller)
    columns = {"r": recency_col, "f": frequency_col, "m": monetary_col}
    _require(summary, list(dict.fromkeys(columns.values())), caller,
             "Pass recency_col=/frequency_col=/monetary_col= to use other columns.")
    if method not in ("quantile", "thresholds"):
        raise ParameterError(f'method must be "quantile" or "thresholds", got {method!r}.',
                             parameter="method", value=method)
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or not 2 <= bins <= 20:
        raise ParameterError(f"bins must be an integer between 2 and 20, got {bins!r}.", parameter="bins", value=bins)
    bins = int(bins)
    if method == "thresholds":
        if thresholds is None:
            raise SchemaError('method="thresholds" needs thresholds={"r": [...], "f": [...], "m": [...]}.')
        cuts = _parse_thresholds(thresholds, columns)
        for dim, c in cuts.items():
            if c.size + 1 != bins:
                raise SchemaError(f"thresholds[{dim!r}] has {c.size} cut points, i.e. {c.size + 1} scores, "
                                  f"but bins={bins}; pass bins={c.size + 1} or {bins - 1} cut points.")
    elif thresholds is not None:
        raise ParameterError('thresholds are only used with method="thresholds".',
                             parameter="thresholds", value=thresholds)
    if edges is not None:
        if method != "quantile" or not all(len(np.ravel(edges.get(d, ()))) == bins - 1 for d in _DIMS):
            raise ParameterError(f'edges need method="quantile" and {bins - 1} cut points for each of "r", "f", "m".',
                                 parameter="edges", value=edges)

    out = {}
    given_edges, edges = edges, {}
    for dim in _DIMS:
        col = columns[dim]
        values = _numeric(summary, col, caller)
        if method == "quantile" and given_edges is not None:  # given edges, same rule as quantile_scores
            given = np.asarray(given_edges[dim], dtype=np.float64)
            scores, _ = _k.assign_scores(-values if dim == "r" else values, -given[::-1] if dim == "r" else given)
            edges[dim] = given.tolist()
        elif method == "quantile":
            scores, counts, e = _k.quantile_scores(values, bins, reverse=(dim == "r"))
            edges[dim] = (-e[::-1] if dim == "r" else e).tolist()
            if len(values) and (counts[1:] == 0).any():
                per_score = {s: int(counts[s]) for s in range(1, bins + 1)}
                empty = [s for s, c in per_score.items() if c == 0]
                warnings.warn(
                    f"{dim}_score ({col}): ties collapse {bins} quantile bins into {bins - len(empty)} "
                    f"distinct score(s); customers per score: {per_score}. Empty score(s) {empty} are kept "
                    "empty (scores stay on the 1..bins scale). Use method='thresholds' or fewer bins to "
                    "spread them.", BinningWarning, stacklevel=2)
        else:
            scores, _ = _k.assign_scores(values, cuts[dim], reverse=(dim == "r"))
            edges[dim] = cuts[dim].tolist()
        out[f"{dim}_score"] = scores

    r, f, m = (out[c].astype(np.int32) for c in _SCORE_COLS)
    codes = ((r - 1) * bins + (f - 1)) * bins + (m - 1)
    labels = [f"{a}-{b}-{c}" for a in range(1, bins + 1) for b in range(1, bins + 1) for c in range(1, bins + 1)]
    result = pd.DataFrame(out, index=summary.index)
    result["rfm_cell"] = pd.Categorical.from_codes(codes, categories=labels)
    for col in dict.fromkeys(columns.values()):
        result[col] = summary[col].to_numpy()
    result.attrs.update(bins=bins, method=method, columns=dict(columns), edges=edges,
                        time_unit=summary.attrs.get("time_unit"))
    return result


# ----------------------------------------------------------------------------------------------- segment maps
def _rules(rows, columns):
    return pd.DataFrame(rows, columns=columns)


#: Preset segment maps. Each is a table of rules with inclusive integer score ranges, first rule wins.
#: ``"rf_grid"``: the common 10-segment R x F grid on 1-5 scores (M not used).
#: ``"rfm_8"``: the eight R/F/M high-low classes ("high" = score 4-5, "low" = 1-3), known in Chinese
#: course material as 重要价值/重要发展/重要保持/重要挽留 and 一般价值/一般发展/一般保持/一般挽留.
SEGMENT_MAPS = {
    "rf_grid": _rules(
        [
            ("Champions", 5, 5, 4, 5),
            ("Loyal", 3, 4, 4, 5),
            ("Potential Loyalists", 4, 5, 2, 3),
            ("New", 5, 5, 1, 1),
            ("Promising", 4, 4, 1, 1),
            ("Need Attention", 3, 3, 3, 3),
            ("About to Sleep", 3, 3, 1, 2),
            ("At Risk", 1, 2, 3, 4),
            ("Can't Lose Them", 1, 2, 5, 5),
            ("Hibernating", 1, 2, 1, 2),
        ],
        ["segment", "r_min", "r_max", "f_min", "f_max"],
    ),
    "rfm_8": _rules(
        [
            ("High-value", 4, 5, 4, 5, 4, 5),
            ("High-value to develop", 4, 5, 1, 3, 4, 5),
            ("High-value to retain", 1, 3, 4, 5, 4, 5),
            ("High-value to win back", 1, 3, 1, 3, 4, 5),
            ("Regular value", 4, 5, 4, 5, 1, 3),
            ("Regular to develop", 4, 5, 1, 3, 1, 3),
            ("Regular to retain", 1, 3, 4, 5, 1, 3),
            ("Regular to win back", 1, 3, 1, 3, 1, 3),
        ],
        ["segment", "r_min", "r_max", "f_min", "f_max", "m_min", "m_max"],
    ),
}


def segment_map(name="rf_grid") -> pd.DataFrame:
    """A copy of a preset segment map (a table of rules), to inspect or edit.

    Parameters
    ----------
    name : {"rf_grid", "rfm_8"}, default "rf_grid"

    Returns
    -------
    pandas.DataFrame
        Columns ``segment, r_min, r_max, f_min, f_max[, m_min, m_max]`` (inclusive score ranges on 1-5).
    """
    if name not in SEGMENT_MAPS:
        raise ParameterError(f"unknown segment map {name!r}; presets: {sorted(SEGMENT_MAPS)}.",
                             parameter="name", value=name)
    return SEGMENT_MAPS[name].copy()


def _normalise_map(smap, bins: int) -> tuple[pd.DataFrame, list]:
    """Validate a rule table; return it with all six integer bounds and the dimensions it uses."""
    if isinstance(smap, str):
        smap = segment_map(smap)
    if not isinstance(smap, pd.DataFrame):
        raise SchemaError("a segment map is a DataFrame of rules with columns segment, r_min, r_max, f_min, "
                          f"f_max[, m_min, m_max] (or a preset name {sorted(SEGMENT_MAPS)}), got "
                          f"{type(smap).__name__}.")
    if "segment" not in smap.columns:
        raise SchemaError("segment map: missing column 'segment' (the label of each rule).")
    if len(smap) == 0:
        raise SchemaError("segment map has no rules.")
    dims = []
    rules = pd.DataFrame({"segment": smap["segment"].astype(str).to_numpy()})
    for d in _DIMS:
        lo, hi = f"{d}_min", f"{d}_max"
        present = [c for c in (lo, hi) if c in smap.columns]
        if not present:
            rules[lo], rules[hi] = 1, bins
            continue
        dims.append(d)
        for c in (lo, hi):
            if c in smap.columns:
                raw = pd.to_numeric(smap[c], errors="coerce").to_numpy(dtype=np.float64)
                default = 1 if c == lo else bins
                raw = np.where(np.isnan(raw), default, raw)  # a blank bound means "open"
                if (raw != np.round(raw)).any():
                    raise SchemaError(f"segment map: {c} must hold whole scores, got {smap[c].tolist()}.")
                rules[c] = raw.astype(np.int64)
            else:
                rules[c] = 1 if c == lo else bins
        for i, row in rules.iterrows():
            if not 1 <= row[lo] <= row[hi] <= bins:
                raise SchemaError(
                    f"segment map rule {i} ({row['segment']!r}): {lo}={row[lo]}, {hi}={row[hi]} must satisfy "
                    f"1 <= {lo} <= {hi} <= bins={bins}. The presets are written for scores 1..5: score "
                    "with bins=5 or write a map for your number of bins.")
    if not dims:
        raise SchemaError("segment map: no score ranges (r_min/r_max, f_min/f_max, m_min/m_max) given.")
    return rules, dims


def _paint(rules: pd.DataFrame, bins: int) -> tuple[np.ndarray, np.ndarray]:
    """Cell -> first matching rule (-1: none) and cell -> number of matching rules, on a (bins+1)^3 grid."""
    first = np.full((bins + 1,) * 3, -1, dtype=np.int64)
    count = np.zeros((bins + 1,) * 3, dtype=np.int64)
    b = rules[["r_min", "r_max", "f_min", "f_max", "m_min", "m_max"]].to_numpy()
    for i in range(len(b) - 1, -1, -1):  # paint in reverse so that the first rule wins
        rl, rh, fl, fh, ml, mh = b[i]
        first[rl:rh + 1, fl:fh + 1, ml:mh + 1] = i
        count[rl:rh + 1, fl:fh + 1, ml:mh + 1] += 1
    return first, count


class SegmentMapCheck(_Result):
    """Coverage of a segment map on the score grid.

    Attributes
    ----------
    holes : pandas.DataFrame
        Score cells no rule covers (columns ``r_score, f_score[, m_score]``).
    overlaps : pandas.DataFrame
        Score cells covered by several rules, with ``segments`` (the rules, first = the one that wins).
    dims : list of str
        The dimensions the map uses ("r", "f", "m").
    bins : int
    ok : bool
        No holes and no overlaps.
    """

    _title = "SegmentMapCheck"

    def __init__(self, holes, overlaps, dims, bins, n_rules):
        self.holes = holes
        self.overlaps = overlaps
        self.dims = dims
        self.bins = bins
        self.n_rules = n_rules

    @property
    def ok(self) -> bool:
        return len(self.holes) == 0 and len(self.overlaps) == 0

    @property
    def summary(self) -> pd.DataFrame:
        return pd.DataFrame({"value": [self.n_rules, self.bins ** len(self.dims), len(self.holes),
                                       len(self.overlaps)]},
                            index=pd.Index(["rules", "cells", "holes", "overlaps"], name="check"))

    def _headline(self) -> str:
        grid = (" x " if get_language() == "en" else " × ").join(d.upper() for d in self.dims)
        state = tr("rfm.check.complete") if self.ok else tr("rfm.check.problems").format(
            holes=len(self.holes), overlaps=len(self.overlaps))
        return tr("rfm.check.headline").format(grid=grid, bins=self.bins, state=state)


def check_segment_map(segment_map, bins=5) -> SegmentMapCheck:
    """Report the score cells a segment map leaves uncovered (holes) or covers twice (overlaps).

    Parameters
    ----------
    segment_map : pandas.DataFrame or str
        Rules ``segment, r_min, r_max, f_min, f_max[, m_min, m_max]`` (inclusive integer ranges; a
        missing dimension means "any score") or a preset name (see :data:`SEGMENT_MAPS`).
    bins : int, default 5
        Scores run 1..bins.

    Returns
    -------
    SegmentMapCheck
        ``holes`` and ``overlaps`` tables, ``ok`` flag, ``summary``. Only the dimensions the map uses
        are enumerated (an R x F map is checked on bins**2 cells).

    Raises
    ------
    SchemaError
        Malformed rules (missing ``segment``, non-integer bounds, bounds outside 1..bins, min > max).

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"segment": ["top", "rest"], "r_min": [4, 1], "r_max": [5, 2],
    ...                   "f_min": [1, 1], "f_max": [5, 5]})
    >>> check_segment_map(m).holes.r_score.unique().tolist()
    [3]
    """
    rules, dims = _normalise_map(segment_map, int(bins))
    bins = int(bins)
    first, count = _paint(rules, bins)
    sl = tuple(slice(1, bins + 1) if d in dims else slice(1, 2) for d in _DIMS)
    sub_count = count[sl]
    names = [f"{d}_score" for d in dims]
    axes = [i for i, d in enumerate(_DIMS) if d in dims]

    def cells(mask):
        idx = np.argwhere(mask) + 1
        return pd.DataFrame(idx[:, axes] if len(idx) else np.empty((0, len(dims)), dtype=np.int64), columns=names)

    holes = cells(sub_count == 0)
    over_idx = np.argwhere(sub_count > 1) + 1
    rows = []
    b = rules[["r_min", "r_max", "f_min", "f_max", "m_min", "m_max"]].to_numpy()
    for cell in over_idx:
        hit = [rules["segment"].iat[i] for i in range(len(b))
               if all(b[i, 2 * j] <= cell[j] <= b[i, 2 * j + 1] for j in axes)]
        rows.append([*cell[axes].tolist(), ", ".join(hit)])
    overlaps = pd.DataFrame(rows, columns=[*names, "segments"])
    return SegmentMapCheck(holes, overlaps, dims, bins, len(rules))


def assign_segments(scores, segment_map="rf_grid", segment_col="segment", other_label="unclassified"):
    """Label every customer with the first rule of ``segment_map`` that covers their score cell.

    Parameters
    ----------
    scores : pandas.DataFrame or Transactions
        Output of :func:`rfm_scores` (``r_score``, ``f_score``[, ``m_score``]). A summary without score
        columns, or a Transactions, is scored first with ``rfm_scores`` defaults.
    segment_map : pandas.DataFrame or str, default "rf_grid"
        Table of rules (see :func:`check_segment_map`) or a preset name.
    segment_col : str, default "segment"
        Name of the new column.
    other_label : str, default "unclassified"
        Label of customers whose cell no rule covers (they are kept, never dropped).

    Returns
    -------
    pandas.DataFrame
        A copy of ``scores`` plus ``segment_col`` (categorical, categories in rule order, then
        ``other_label`` if used).

    Warns
    -----
    DataQualityWarning
        Some customers fall into holes of the map (the message gives how many and which cells).

    Notes
    -----
    Rules are evaluated in table order and the first one that covers a cell wins, so overlapping
    rules act as priorities; :func:`check_segment_map` lists overlaps and holes. The lookup is a
    precomputed table over all score cells, so labelling is one vectorised indexing step.
    """
    caller = "assign_segments"
    if _is_transactions(scores) or (isinstance(scores, pd.DataFrame)
                                    and not {"r_score", "f_score"} <= set(scores.columns)):
        scores = rfm_scores(scores)
    frame = _as_summary(scores, caller)
    bins = frame.attrs.get("bins")
    if not bins:  # attrs lost (e.g. after a merge): the score scale is at least 1..5
        present = [int(frame[c].max()) for c in _SCORE_COLS if c in frame.columns and len(frame)]
        bins = max([5, *present])
    bins = int(bins)
    rules, dims = _normalise_map(segment_map, bins)
    need = [f"{d}_score" for d in dims]
    _require(frame, need, caller, "Score the customers with rfm_scores first.")
    first, _ = _paint(rules, bins)
    idx = []
    for d in _DIMS:
        if d in dims:
            v = frame[f"{d}_score"].to_numpy(dtype=np.int64)
            if len(v) and (v.min() < 1 or v.max() > bins):
                raise DataQualityError(f"{caller}: {d}_score must be within 1..{bins} (got {v.min()}..{v.max()}).",
                                       column=f"{d}_score", count=int(((v < 1) | (v > bins)).sum()))
            idx.append(v)
        else:
            idx.append(np.ones(len(frame), dtype=np.int64))
    codes = first[idx[0], idx[1], idx[2]]
    labels = list(dict.fromkeys(rules["segment"]))
    label_code = np.array([labels.index(s) for s in rules["segment"]] + [len(labels)], dtype=np.int64)
    holes = codes < 0
    out = frame.copy()
    if holes.any():
        cells = frame.loc[holes, need].drop_duplicates().head(5).to_numpy().tolist()
        warnings.warn(f"{caller}: {int(holes.sum())} customer(s) fall into score cells no rule covers "
                      f"(e.g. {need} = {cells}); they are labelled {other_label!r}. See check_segment_map.",
                      DataQualityWarning, stacklevel=2)
        labels = labels + [other_label]
    out[segment_col] = pd.Categorical.from_codes(label_code[codes], categories=labels)
    return out


# ----------------------------------------------------------------------------------------------- value tiers
def _window_counts(tx, window_days: int, purchases: str) -> pd.DataFrame:
    """Revenue and purchases in the last ``window_days`` days up to the observation end, per customer."""
    arr = tx.arrays
    n = len(arr.customer_id)
    sizes = np.diff(arr.offsets)
    cust = np.repeat(np.arange(n), sizes)
    day = np.asarray(arr.day)
    end_day = int(arr.end_day)
    inside = (day <= end_day) & (day > end_day - window_days)
    revenue = np.bincount(cust[inside], weights=np.asarray(arr.amount)[inside], minlength=n)
    if purchases == "n_days":
        new = np.ones(len(day), dtype=bool)
        new[1:] = day[1:] != day[:-1]
        new[arr.offsets[:-1][sizes > 0]] = True
        count = np.bincount(cust[inside & new], minlength=n).astype(np.float64)
    else:
        frame = tx.frame
        sub = frame.loc[inside]
        if "order_id" in frame.columns:
            per = sub.groupby("customer_id", sort=False)["order_id"].nunique()
        else:
            per = sub.groupby("customer_id", sort=False).size()
        count = pd.Series(per, dtype=np.float64).reindex(arr.customer_id, fill_value=0.0).to_numpy()
    return pd.DataFrame({"revenue": revenue, "purchases": count}, index=pd.Index(arr.customer_id, name="customer_id"))


def value_tiers(data, benchmark_mean=None, *, high_days=30, high_spend_ratio=2.0, high_purchases=12,
                potential_days=90, potential_spend_ratio=(0.5, 2.0), potential_purchases=(6, 12),
                dormant_days=180, dormant_spend_ratio=0.3, dormant_purchases=2, purchases="n_days",
                annualise="auto", window_days=365, time_unit=None, other_label="regular"):
    """The course's value tiers: high value, potential, dormant, and everybody else.

    ====================  ====================  =================================  ======================
    tier                  last purchase         annual spend / benchmark mean      purchases per year
    ====================  ====================  =================================  ======================
    high                  <= 30 days ago        > 2                                >= 12
    potential             <= 90 days ago        0.5 to 2 (inclusive)               6 to 11 (6 <= p < 12)
    dormant               >= 180 days ago       <= 0.3                             <= 2
    regular               (matches no rule: kept and labelled, never dropped)
    ====================  ====================  =================================  ======================

    Rules are tried in the order high, potential, dormant (with the defaults they cannot overlap).

    Parameters
    ----------
    data : pandas.DataFrame or Transactions
        Customer summary (needs ``since_last``, ``revenue``, ``tenure_days`` and the ``purchases``
        column) or a log.
    benchmark_mean : float, optional
        Benchmark mean annual spend. Defaults to the mean annual spend of the customers in ``data``
        (annualised the same way).
    high_days, potential_days, dormant_days : float, default 30, 90, 180
        Days since the last purchase (in days whatever the summary's ``time_unit``; converted with
        ``config.DAYS_PER_UNIT``). High/potential: ``<=``; dormant: ``>=``.
    high_spend_ratio : float, default 2.0
        High value needs annual spend ``>`` this multiple of the benchmark.
    potential_spend_ratio : (float, float), default (0.5, 2.0)
        Inclusive range of the multiple for potential customers.
    high_purchases : float, default 12
        High value needs ``>=`` this many purchases a year.
    potential_purchases : (float, float), default (6, 12)
        Half-open range ``[low, high)`` of purchases a year ("6-11"); the open upper end keeps
        annualised non-integer counts such as 11.5 from falling between tiers.
    dormant_spend_ratio, dormant_purchases : float, default 0.3, 2
        Dormant needs ``<=`` both.
    purchases : {"n_days", "n_orders"}, default "n_days"
        What a purchase is: a distinct purchase day or an order.
    annualise : {"auto", "window", "tenure"}, default "auto"
        How annual spend and purchases are measured, see Notes. ``"auto"`` uses the window when it is
        available (a Transactions input, or a summary carrying ``revenue_365d`` and ``n_days_365d`` /
        ``n_orders_365d`` columns), else tenure.
    window_days : int, default 365
        Length of the trailing window.
    time_unit : {"D", "W", "M"}, optional
        Unit of ``since_last``; defaults to ``data.attrs["time_unit"]``, else "D".
    other_label : str, default "regular"
        Label for customers who match no rule.

    Returns
    -------
    pandas.DataFrame
        Indexed like the summary: ``tier`` (ordered categorical high > potential > regular > dormant,
        from best to worst), and the numbers behind it: ``days_since_last``, ``annual_spend``,
        ``spend_ratio`` (annual spend / benchmark mean), ``purchases_per_year``. ``attrs`` holds
        ``benchmark_mean``, ``annualise`` ("window" or "tenure", the one used), ``window_days``,
        ``purchases``, ``time_unit`` and ``rules`` (tier -> condition strings;
        ``pd.DataFrame(out.attrs["rules"]).T`` shows them as a table).

    Notes
    -----
    Annualisation. ``"window"`` (preferred): spend and purchases in the trailing ``window_days`` days
    up to the observation end: an observed year, no extrapolation, and it reflects current value.
    ``"tenure"``: ``revenue / max(tenure_years, 1)`` and ``purchases / max(tenure_years, 1)`` with
    ``tenure_years = tenure_days / 365.2425``: the lifetime average per year. The floor of one year
    means customers younger than a year are *not* extrapolated (a 2-week-old customer's single order
    is not multiplied by 26); for them both definitions give their total so far.
    """
    caller = "value_tiers"
    summary = _as_summary(data, caller)
    if purchases not in ("n_days", "n_orders"):
        raise ParameterError(f'purchases must be "n_days" or "n_orders", got {purchases!r}.',
                             parameter="purchases", value=purchases)
    if annualise not in ("auto", "window", "tenure"):
        raise ParameterError(f'annualise must be "auto", "window" or "tenure", got {annualise!r}.',
                             parameter="annualise", value=annualise)
    unit = _time_unit(summary, time_unit)
    _require(summary, ["since_last"], caller)
    win_rev, win_cnt = f"revenue_{window_days}d", f"{purchases}_{window_days}d"
    have_window = _is_transactions(data) or {win_rev, win_cnt} <= set(summary.columns)
    if annualise == "window" and not have_window:
        raise SchemaError(f'{caller}: annualise="window" needs a Transactions input or summary columns '
                          f"{win_rev!r} and {win_cnt!r}; or use annualise=\"tenure\".")
    mode = "window" if (annualise == "window" or (annualise == "auto" and have_window)) else "tenure"
    if mode == "window":
        if _is_transactions(data):
            win = _window_counts(data, int(window_days), purchases).reindex(summary.index)
            spend, count = win["revenue"].to_numpy(), win["purchases"].to_numpy()
        else:
            spend, count = _numeric(summary, win_rev, caller), _numeric(summary, win_cnt, caller)
    else:
        _require(summary, ["revenue", "tenure_days", purchases], caller)
        years = np.maximum(_numeric(summary, "tenure_days", caller) / DAYS_PER_YEAR, 1.0)
        spend = _numeric(summary, "revenue", caller) / years
        count = _numeric(summary, purchases, caller) / years
    days = np.round(_numeric(summary, "since_last", caller) * DAYS_PER_UNIT[unit], 6)
    if benchmark_mean is None:
        benchmark_mean = float(np.mean(spend)) if len(spend) else np.nan
    benchmark_mean = float(benchmark_mean)
    if len(spend) and not benchmark_mean > 0:
        raise DataQualityError(f"{caller}: the benchmark mean annual spend must be > 0, got {benchmark_mean}. "
                               "Pass benchmark_mean= explicitly.")
    ratio = spend / benchmark_mean
    p_lo, p_hi = potential_spend_ratio
    n_lo, n_hi = potential_purchases
    high = (days <= high_days) & (ratio > high_spend_ratio) & (count >= high_purchases)
    potential = (days <= potential_days) & (ratio >= p_lo) & (ratio <= p_hi) & (count >= n_lo) & (count < n_hi)
    dormant = (days >= dormant_days) & (ratio <= dormant_spend_ratio) & (count <= dormant_purchases)
    order = ["high", "potential", other_label, "dormant"]
    code = np.select([high, potential, dormant], [0, 1, 3], default=2)
    out = pd.DataFrame({
        "tier": pd.Categorical.from_codes(code, categories=order, ordered=True),
        "days_since_last": days,
        "annual_spend": spend,
        "spend_ratio": ratio,
        "purchases_per_year": count,
    }, index=summary.index)
    # ordered categorical: best first in the category list; make "high" compare as the greatest
    out["tier"] = out["tier"].cat.reorder_categories(order[::-1], ordered=True)
    # plain dicts of strings: DataFrames inside attrs break pandas' attrs comparison in concat/repr
    rules = {
        "high": {"days_since_last": f"<= {high_days}", "spend_ratio": f"> {high_spend_ratio}",
                 "purchases_per_year": f">= {high_purchases}"},
        "potential": {"days_since_last": f"<= {potential_days}", "spend_ratio": f"{p_lo} .. {p_hi}",
                      "purchases_per_year": f"[{n_lo}, {n_hi})"},
        "dormant": {"days_since_last": f">= {dormant_days}", "spend_ratio": f"<= {dormant_spend_ratio}",
                    "purchases_per_year": f"<= {dormant_purchases}"},
    }
    out.attrs.update(benchmark_mean=benchmark_mean, annualise=mode, window_days=int(window_days),
                     purchases=purchases, rules=rules, time_unit=unit)
    return out


# ----------------------------------------------------------------------------------------------- scorecard
DEFAULT_WEIGHTS = {"financial": 0.40, "growth": 0.25, "loyalty": 0.20, "influence": 0.15}
DEFAULT_DIMENSIONS = {
    "financial": ("revenue",),
    "growth": ("purchases_per_year", "-since_last"),
    "loyalty": ("n_days", "tenure_days"),
    "influence": ("referrals",),
}
_DERIVED = ("annual_spend", "purchases_per_year")


def _feature(summary: pd.DataFrame, name: str, caller: str) -> np.ndarray:
    if name in summary.columns:
        return _numeric(summary, name, caller)
    years = np.maximum(_numeric(summary, "tenure_days", caller) / DAYS_PER_YEAR, 1.0)
    if name == "annual_spend":
        return _numeric(summary, "revenue", caller) / years
    return _numeric(summary, "n_days", caller) / years


def _available(summary: pd.DataFrame, name: str) -> bool:
    if name in summary.columns:
        return True
    if name == "annual_spend":
        return {"revenue", "tenure_days"} <= set(summary.columns)
    if name == "purchases_per_year":
        return {"n_days", "tenure_days"} <= set(summary.columns)
    return False


def _percentile_score(values: np.ndarray) -> np.ndarray:
    """0..100 by rank: the lowest value 0, the highest 100, ties share their mean rank, all-equal 50."""
    n = len(values)
    if n == 0:
        return values.copy()
    ranks = pd.Series(values).rank(method="average").to_numpy()
    if n == 1 or np.all(values == values[0]):
        return np.full(n, 50.0)
    return 100.0 * (ranks - 1.0) / (n - 1.0)


def value_scorecard(data, weights=None, dimensions=None, *, missing="raise", tier_cuts=(75.0, 50.0, 25.0),
                    tier_labels=("A", "B", "C", "D")):
    """Weighted value scorecard: financial contribution, growth potential, loyalty and influence.

    Each input column is turned into a 0-100 percentile score (lowest customer 0, highest 100, ties
    share their mean rank); a dimension is the mean of its columns' scores; the composite is the
    weighted sum of the dimensions (0-100); tiers cut the composite.

    Parameters
    ----------
    data : pandas.DataFrame or Transactions
        Customer summary (plus any extra columns such as ``referrals``) or a log.
    weights : dict, optional
        Dimension -> weight, non-negative, summing to 1. Default: financial 0.40, growth 0.25,
        loyalty 0.20, influence 0.15.
    dimensions : dict, optional
        Dimension -> column name(s). A leading ``-`` means "lower is better". Defaults
        (documented proxies, override them with better data when you have it):

        ==========  ==========================================  ===============================================
        financial   ``revenue``                                 total spend
        growth      ``purchases_per_year``, ``-since_last``     purchase rate and recent activity
        loyalty     ``n_days``, ``tenure_days``                 repeat occasions and relationship length
        influence   ``referrals``                               a referral count you join to the summary
        ==========  ==========================================  ===============================================

        ``purchases_per_year`` and ``annual_spend`` are derived when not present
        (``n_days`` resp. ``revenue`` / ``max(tenure_days / 365.2425, 1)``).
    missing : {"raise", "drop"}, default "raise"
        When a dimension's columns are missing: raise a SchemaError naming them, or drop the
        dimension and re-normalise the remaining weights (with a DataQualityWarning).
    tier_cuts : sequence of float, default (75, 50, 25)
        Decreasing composite cut points; composite ``>= tier_cuts[0]`` is ``tier_labels[0]`` etc.
    tier_labels : sequence of str, default ("A", "B", "C", "D")
        One more label than cut points.

    Returns
    -------
    pandas.DataFrame
        Indexed like the summary: one 0-100 column per dimension used, ``composite`` (0-100) and
        ``tier`` (ordered categorical, best label greatest). ``attrs`` holds the ``weights`` and
        ``dimensions`` actually used.

    Raises
    ------
    ParameterError
        (a ``ValueError``) Weights do not sum to 1 (the message gives the sum), are negative, or do not match the
        dimensions.
    SchemaError
        Columns behind a dimension are missing and ``missing="raise"``.
    DataQualityError
        A column used has missing values.
    """
    caller = "value_scorecard"
    summary = _as_summary(data, caller)
    if missing not in ("raise", "drop"):
        raise ParameterError(f'missing must be "raise" or "drop", got {missing!r}.', parameter="missing", value=missing)
    dims = {k: ((v,) if isinstance(v, str) else tuple(v)) for k, v in (dimensions or DEFAULT_DIMENSIONS).items()}
    if weights is None:
        if dimensions is not None and set(dims) != set(DEFAULT_WEIGHTS):
            raise ParameterError(f"custom dimensions {sorted(dims)} need weights=; the defaults cover "
                                 f"{sorted(DEFAULT_WEIGHTS)}.", parameter="weights", value=weights)
        weights = DEFAULT_WEIGHTS
    weights = {k: float(v) for k, v in dict(weights).items()}
    if set(weights) != set(dims):
        raise ParameterError(f"weights and dimensions must name the same dimensions; weights: {sorted(weights)}, "
                             f"dimensions: {sorted(dims)}.", parameter="weights", value=weights)
    if any(w < 0 or not math.isfinite(w) for w in weights.values()):
        raise ParameterError(f"weights must be finite and non-negative, got {weights}.", parameter="weights",
                             value=weights)
    total = sum(weights.values())
    if abs(total - 1.0) > 1e-6:
        detail = ", ".join(f"{k}={_fmt(v)}" for k, v in weights.items())
        raise ParameterError(f"weights must sum to 1, but they sum to {total:.6g} ({detail}).", parameter="weights",
                             value=weights)
    if len(tier_labels) != len(tier_cuts) + 1 or list(tier_cuts) != sorted(tier_cuts, reverse=True):
        raise ParameterError("tier_cuts must be decreasing and tier_labels must have one more entry than tier_cuts, "
                             f"got {tuple(tier_cuts)} and {tuple(tier_labels)}.",
                             parameter="tier_cuts", value=tier_cuts)

    missing_cols = {k: [c.lstrip("-") for c in cols if not _available(summary, c.lstrip("-"))]
                    for k, cols in dims.items()}
    missing_cols = {k: v for k, v in missing_cols.items() if v}
    if missing_cols:
        detail = "; ".join(f"{k}: {v}" for k, v in missing_cols.items())
        if missing == "raise":
            raise SchemaError(f"{caller}: columns missing for dimension(s) {detail}. Join them to the summary "
                              "(e.g. summary.join(referrals.rename('referrals')).fillna({'referrals': 0})), "
                              "point dimensions= at columns you have, or pass missing='drop' to drop those "
                              "dimensions and re-normalise the weights.")
        kept = {k: w for k, w in weights.items() if k not in missing_cols}
        if not kept or sum(kept.values()) <= 0:
            raise SchemaError(f"{caller}: no dimension left after dropping {detail}.")
        s = sum(kept.values())
        weights = {k: w / s for k, w in kept.items()}
        dims = {k: dims[k] for k in weights}
        warnings.warn(f"{caller}: dropped dimension(s) {detail}; weights re-normalised to "
                      + ", ".join(f"{k}={v:.3f}" for k, v in weights.items()) + ".",
                      DataQualityWarning, stacklevel=2)

    out = pd.DataFrame(index=summary.index)
    composite = np.zeros(len(summary))
    for k, cols in dims.items():
        parts = []
        for c in cols:
            values = _feature(summary, c.lstrip("-"), caller)
            parts.append(_percentile_score(-values if c.startswith("-") else values))
        out[k] = np.mean(parts, axis=0) if parts else np.full(len(summary), np.nan)
        composite += weights[k] * out[k].to_numpy()
    composite = np.round(composite, 9)  # 0.4 * 50 + ... must give exactly 50, not 49.999999999
    out["composite"] = composite
    cuts = np.asarray(tier_cuts, dtype=np.float64)
    code = (composite[:, None] < cuts[None, :]).sum(axis=1)  # number of cut points above the composite
    out["tier"] = pd.Categorical.from_codes(code, categories=list(tier_labels))
    out["tier"] = out["tier"].cat.reorder_categories(list(tier_labels)[::-1], ordered=True)
    out.attrs.update(weights=weights, dimensions=dims, tier_cuts=tuple(tier_cuts))
    return out


# ----------------------------------------------------------------------------------------------- needs
NEEDS_CLASSES = ("price-sensitive", "service-dependent", "demand-oriented")


def count_support_contacts(events, customer_col="customer_id", type_col=None, types=None,
                           name="support_contacts") -> pd.Series:
    """Count support contacts per customer in an event log.

    Parameters
    ----------
    events : pandas.DataFrame
        One row per event (an object with a ``frame`` attribute, such as an event log, also works).
    customer_col : str, default "customer_id"
    type_col : str, optional
        Event type column; with ``types``, only those events count.
    types : str or sequence of str, optional
        Event types that are support contacts (e.g. ``["call", "ticket"]``).
    name : str, default "support_contacts"

    Returns
    -------
    pandas.Series
        Contacts per customer (int64), indexed by ``customer_id``; join it to the summary or pass it to
        :func:`needs_classes` as ``support=``.
    """
    frame = events.frame if hasattr(events, "frame") and not isinstance(events, pd.DataFrame) else events
    if not isinstance(frame, pd.DataFrame):
        raise ParameterError(f"count_support_contacts expects a DataFrame of events, got {type(events).__name__}.",
                             parameter="events")
    need = [customer_col] + ([type_col] if type_col else [])
    _require(frame, need, "count_support_contacts")
    if types is not None:
        if type_col is None:
            raise ParameterError("types= needs type_col= (the column holding the event type).",
                                 parameter="type_col", value=type_col)
        frame = frame[frame[type_col].isin([types] if isinstance(types, str) else list(types))]
    counts = frame.groupby(customer_col, sort=True).size().astype(np.int64)
    counts.index.name = "customer_id"
    return counts.rename(name)


def needs_classes(data, discount_share_min=0.5, support_per_order_min=0.5, *, support=None,
                  discount_col="discount_share", support_col="support_contacts", orders_col="n_orders",
                  precedence=("service-dependent", "price-sensitive")):
    """Needs-based classes: price-sensitive, service-dependent, demand-oriented.

    A customer is price-sensitive when the share of their orders with a discount is at least
    ``discount_share_min``, service-dependent when support contacts per order are at least
    ``support_per_order_min``, and demand-oriented otherwise. At least one of the two signals must
    be available; the other is then simply not used.

    Parameters
    ----------
    data : pandas.DataFrame or Transactions
        Customer summary; ``discount_share`` exists when the log was built with ``discount=...``.
    discount_share_min : float, default 0.5
        Share of discounted orders (0..1) from which a customer counts as price-sensitive.
    support_per_order_min : float, default 0.5
        Support contacts per order from which a customer counts as service-dependent.
    support : pandas.Series or DataFrame, optional
        Support contacts per customer (e.g. :func:`count_support_contacts`), joined on the index;
        customers without an entry have 0 contacts. Otherwise ``support_col`` is read from ``data``.
    discount_col, support_col, orders_col : str
        Column names (defaults ``discount_share``, ``support_contacts``, ``n_orders``).
    precedence : tuple of str, default ("service-dependent", "price-sensitive")
        Which class wins when a customer meets both rules. Service dependence wins by default: support
        contacts are the rarer, costlier behaviour, while discounts are often pushed to everybody by
        campaigns, so a customer who needs service *and* uses discounts is first of all service-dependent.

    Returns
    -------
    pandas.DataFrame
        Indexed like the summary: ``needs_class`` (categorical), ``discount_share`` and
        ``support_per_order`` (NaN when the signal is unavailable), and the booleans
        ``price_sensitive`` and ``service_dependent``.

    Raises
    ------
    SchemaError
        Neither a discount share nor support contacts are available.

    Notes
    -----
    The default thresholds (half of the orders discounted; one support contact every two orders) are
    workshop starting points: calibrate them on your own data. On the bundled teaching company
    (``toolkit.datasets.load_company()``) they agree with the simulated truth for about 80% of customers.
    """
    caller = "needs_classes"
    summary = _as_summary(data, caller)
    if sorted(precedence) != sorted(NEEDS_CLASSES[:2]):
        raise ParameterError(f"precedence must order {list(NEEDS_CLASSES[:2])}, got {precedence!r}.",
                             parameter="precedence", value=precedence)
    n = len(summary)
    has_discount = discount_col in summary.columns
    contacts = None
    if support is not None:
        s = pd.Series(support[support_col] if isinstance(support, pd.DataFrame) else support)
        if len(s) and n and not summary.index.isin(s.index).any():
            raise SchemaError(f"{caller}: none of the {len(s)} ids in support= matches a customer id of the data "
                              f"(e.g. {list(s.index[:3])} vs {list(summary.index[:3])}); check the id type.")
        contacts = s.reindex(summary.index).fillna(0).to_numpy(dtype=np.float64)
    elif support_col in summary.columns:
        contacts = summary[support_col].fillna(0).to_numpy(dtype=np.float64)
    if not has_discount and contacts is None:
        raise SchemaError(
            f"{caller}: needs a discount signal ({discount_col!r}: build the Transactions with discount=... so "
            f"that customer_summary adds it) or support contacts ({support_col!r} column, or "
            "support=count_support_contacts(events)); the data has neither.")
    share = _numeric(summary, discount_col, caller) if has_discount else np.full(n, np.nan)
    if contacts is not None:
        _require(summary, [orders_col], caller)
        orders = _numeric(summary, orders_col, caller)
        with np.errstate(divide="ignore", invalid="ignore"):
            per_order = np.where(orders > 0, contacts / np.maximum(orders, 1), np.where(contacts > 0, np.inf, 0.0))
    else:
        per_order = np.full(n, np.nan)
    price = share >= discount_share_min  # NaN compares False
    service = per_order >= support_per_order_min
    first, second = precedence
    flags = {"price-sensitive": price, "service-dependent": service}
    cls = np.where(flags[first], first, np.where(flags[second], second, NEEDS_CLASSES[2]))
    return pd.DataFrame({
        "needs_class": pd.Categorical(cls, categories=list(NEEDS_CLASSES)),
        "discount_share": share,
        "support_per_order": per_order,
        "price_sensitive": price,
        "service_dependent": service,
    }, index=summary.index)


# ----------------------------------------------------------------------------------------------- summaries
def segment_summary(data, segment_col="segment", labels=None, *, recency_col=None,
                    frequency_col=None, monetary_col=None, revenue_col=None):
    """Customers, shares and mean R/F/M per segment.

    Parameters
    ----------
    data : pandas.DataFrame or Transactions
        A frame with ``segment_col`` and the R/F/M columns (e.g. :func:`assign_segments` output), or a
        summary / log plus ``labels``.
    segment_col : str, default "segment"
        Column holding the segment (tier, class, cluster...) label.
    labels : pandas.Series or DataFrame, optional
        Labels joined on the customer index (a DataFrame must contain ``segment_col``), e.g. the output
        of :func:`value_tiers` with ``segment_col="tier"``.
    recency_col, frequency_col, monetary_col : str, optional
        Columns averaged as mean R/F/M. Default: the columns the scores were computed on
        (``attrs["columns"]`` of :func:`rfm_scores` output), else ``since_last``, ``n_days``, ``revenue``.
    revenue_col : str, optional
        Column whose share is reported as ``revenue_share``: ``revenue`` when present, else the monetary
        column.

    Returns
    -------
    pandas.DataFrame
        Indexed by segment: ``customers``, ``share`` (of customers), ``revenue``, ``revenue_share``,
        ``mean_<recency_col>``, ``mean_<frequency_col>``, ``mean_<monetary_col>`` and
        ``mean_r_score``/``mean_f_score``/``mean_m_score`` when scores are present. Ordered
        categoricals (tiers) keep their order, best first, with empty categories kept; other labels
        are sorted by revenue share, largest first.
    """
    caller = "segment_summary"
    frame = _as_summary(data, caller)
    if labels is not None:
        lab = labels[segment_col] if isinstance(labels, pd.DataFrame) else pd.Series(labels)
        if not lab.index.is_unique:
            raise SchemaError(f"{caller}: labels must have one entry per customer id.")
        missing_ids = ~frame.index.isin(lab.index)
        if missing_ids.any():
            raise SchemaError(f"{caller}: {int(missing_ids.sum())} customer(s) have no label, e.g. "
                              f"{list(frame.index[missing_ids][:3])}.")
        frame = frame.drop(columns=[segment_col], errors="ignore").assign(**{segment_col: lab.reindex(frame.index)})
    _require(frame, [segment_col], caller, "Pass labels= (e.g. the output of value_tiers) or assign_segments first.")
    scored_on = frame.attrs.get("columns") or {}
    recency_col = recency_col or scored_on.get("r", "since_last")
    frequency_col = frequency_col or scored_on.get("f", "n_days")
    monetary_col = monetary_col or scored_on.get("m", "revenue")
    revenue_col = revenue_col or ("revenue" if "revenue" in frame.columns else monetary_col)
    cols = list(dict.fromkeys([recency_col, frequency_col, monetary_col]))
    _require(frame, cols + [revenue_col], caller, "Pass the summary columns via data or choose other *_col names.")
    scores = [c for c in _SCORE_COLS if c in frame.columns]
    seg = frame[segment_col]
    use = frame[cols + scores].astype(np.float64)
    use["__rev"] = _numeric(frame, revenue_col, caller)
    grouped = use.groupby(seg, observed=False, sort=False, dropna=False)
    out = pd.DataFrame({"customers": grouped.size().astype(np.int64)})
    n = len(frame)
    total = use["__rev"].sum()
    out["share"] = out["customers"] / n if n else np.nan
    out["revenue"] = grouped["__rev"].sum()
    out["revenue_share"] = out["revenue"] / total if total else np.nan
    for c in cols + scores:
        out[f"mean_{c}"] = grouped[c].mean()
    if isinstance(seg.dtype, pd.CategoricalDtype) and seg.cat.ordered:
        out = out.reindex(list(seg.cat.categories)[::-1])
        out["customers"] = out["customers"].fillna(0).astype(np.int64)
    else:
        out = out.sort_values(["revenue_share", "customers"], ascending=False, kind="stable")
    out.index.name = segment_col
    return out


class ConcentrationResult(_Result):
    """Revenue concentration: top-x% shares, the Pareto (Lorenz) curve and the Gini coefficient.

    Attributes
    ----------
    top : pandas.DataFrame
        Indexed by the top fraction: ``customers`` in the top group, their ``revenue`` and ``revenue_share``.
    curve : pandas.DataFrame
        ``customer_share`` (0..1, customers sorted by revenue, largest first) and cumulative
        ``revenue_share``; n + 1 points starting at (0, 0).
    gini : float
        Gini coefficient of revenue across customers (0 = equal, -> 1 = one customer has all).
    n_customers : int
    total_revenue : float
    """

    _title = "ConcentrationResult"

    def __init__(self, top, curve, gini, n_customers, total_revenue):
        self.top = top
        self.curve = curve
        self.gini = gini
        self.n_customers = n_customers
        self.total_revenue = total_revenue

    @property
    def summary(self) -> pd.DataFrame:
        return self.top

    def _headline(self) -> str:
        return tr("rfm.concentration.headline").format(n=f"{self.n_customers:,}", revenue=f"{self.total_revenue:,.2f}",
                                                       gini=f"{self.gini:.3f}")


def revenue_concentration(data, top=(0.01, 0.05, 0.1, 0.2), revenue_col="revenue") -> ConcentrationResult:
    """Share of revenue from the top x% of customers, the full Pareto curve and the Gini coefficient.

    Parameters
    ----------
    data : pandas.DataFrame or Transactions
        Customer summary or a log.
    top : sequence of float, default (0.01, 0.05, 0.1, 0.2)
        Fractions of customers (0 < x <= 1). The top group holds ``ceil(x * n)`` customers, so it is
        never empty.
    revenue_col : str, default "revenue"

    Returns
    -------
    ConcentrationResult
        ``top``, ``curve``, ``gini``; ``summary`` is the ``top`` table.

    Raises
    ------
    DataQualityError
        Negative or missing revenue (concentration of net returns is undefined).

    Notes
    -----
    With revenues sorted ascending ``x_(1) <= ... <= x_(n)``,
    ``G = sum_i (2 i - n - 1) x_(i) / (n sum_i x_i)``, the mean-difference form of the Gini
    coefficient (Gini 1912; e.g. Damgaard & Weiner 2000, *Econometrica* 68(5), eq. 1). It equals one
    minus twice the area under the Lorenz curve built from the same points.
    """
    caller = "revenue_concentration"
    summary = _as_summary(data, caller)
    _require(summary, [revenue_col], caller)
    rev = _numeric(summary, revenue_col, caller)
    neg = rev < 0
    if neg.any():
        raise DataQualityError(f"{caller}: {int(neg.sum())} customer(s) have negative {revenue_col!r}; "
                               "concentration needs non-negative revenue (clip or drop them first).",
                               column=revenue_col, count=int(neg.sum()))
    fracs = np.asarray(top, dtype=np.float64).ravel()
    if fracs.size == 0 or (fracs <= 0).any() or (fracs > 1).any():
        raise ParameterError(f"top fractions must be in (0, 1], got {fracs.tolist()}.", parameter="top", value=top)
    n = len(rev)
    desc = np.sort(rev)[::-1]
    total = float(desc.sum())
    cum = np.concatenate([[0.0], np.cumsum(desc)])
    share = cum / total if total > 0 else np.full(n + 1, np.nan)
    curve = pd.DataFrame({"customer_share": np.arange(n + 1) / max(n, 1), "revenue_share": share})
    k = np.minimum(np.ceil(fracs * n - 1e-9).astype(np.int64), n)
    top_df = pd.DataFrame({"customers": k, "revenue": cum[k], "revenue_share": share[k]},
                          index=pd.Index([f"top {100 * x:g}%" for x in fracs], name="group"))
    top_df.insert(0, "top_fraction", fracs)
    if n and total > 0:
        asc = desc[::-1]
        i = np.arange(1, n + 1, dtype=np.float64)
        gini = float(np.sum((2 * i - n - 1) * asc) / (n * total))
    else:
        gini = np.nan
    return ConcentrationResult(top_df, curve, gini, n, total)


# ----------------------------------------------------------------------------------------------- clustering
class ClusterResult(_Result):
    """k-means segmentation with silhouette report.

    Attributes
    ----------
    labels : pandas.Series
        Cluster per customer (``cluster``, int; 0 = the largest cluster), indexed by customer id.
    k : int
        Number of clusters of the chosen solution (highest silhouette when a range was given).
    scores : pandas.DataFrame
        Per k tried: ``silhouette`` (mean silhouette, on a sample for large n) and ``inertia``.
    profile : pandas.DataFrame
        Per cluster: ``customers``, ``share`` and the mean of each feature in original units.
    transforms : dict
        Feature -> "log1p" or "none", the transform applied before standardising.
    features : list of str
    """

    _title = "ClusterResult"

    def __init__(self, labels, k, scores, profile, transforms, features, silhouette_sample):
        self.labels = labels
        self.k = k
        self.scores = scores
        self.profile = profile
        self.transforms = transforms
        self.features = features
        self.silhouette_sample = silhouette_sample

    @property
    def silhouette(self) -> float:
        """Mean silhouette of the chosen solution."""
        return float(self.scores.loc[self.k, "silhouette"])

    @property
    def summary(self) -> pd.DataFrame:
        return self.profile

    def _headline(self) -> str:
        if get_language() == "en":
            tried = ", ".join(f"k={k}: {s:.3f}" for k, s in self.scores["silhouette"].items())
            features = self.features
        else:
            from .formatting import label

            tried = "，".join(f"k={k}：{s:.3f}" for k, s in self.scores["silhouette"].items())
            features = "、".join(label(f) for f in self.features)
        return tr("rfm.cluster.headline").format(k=self.k, n=f"{len(self.labels):,}", features=features, tried=tried)


def cluster_customers(data, k=4, features=("since_last", "n_days", "revenue"), *, log="auto",
                      random_state=0, n_init=10, silhouette_sample=10_000) -> ClusterResult:
    """k-means clusters on standardised (log1p where skewed) features, with silhouette scores.

    Parameters
    ----------
    data : pandas.DataFrame or Transactions
        Customer summary or a log.
    k : int or iterable of int, default 4
        Number of clusters, or candidates (e.g. ``range(2, 9)``): each is fitted and the one with the
        highest mean silhouette is kept.
    features : sequence of str, default ("since_last", "n_days", "revenue")
        Summary columns to cluster on.
    log : "auto", bool or sequence of str, default "auto"
        ``"auto"``: log1p for non-negative features with sample skewness > 1; ``True``/``False``: all /
        none (non-negative features only); a list: those features.
    random_state : int, default 0
    n_init : int, default 10
        k-means restarts.
    silhouette_sample : int, default 10000
        Silhouettes are computed on a random sample of this many customers when n is larger (the exact
        score is O(n^2)).

    Returns
    -------
    ClusterResult
        ``labels``, ``k``, ``scores`` (silhouette and inertia per k), ``profile`` (= ``summary``).

    Notes
    -----
    k-means: Lloyd (1982), *IEEE Trans. Inf. Theory* 28(2), with k-means++ seeding (Arthur & Vassilvitskii
    2007). Silhouette: Rousseeuw (1987), *J. Comput. Appl. Math.* 20, 53-65. Requires scikit-learn,
    imported only when this function runs.
    """
    caller = "cluster_customers"
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    summary = _as_summary(data, caller)
    features = [features] if isinstance(features, str) else list(features)
    _require(summary, features, caller)
    ks = [int(k)] if isinstance(k, (int, np.integer)) else [int(x) for x in k]
    n = len(summary)
    if not ks or min(ks) < 2 or max(ks) >= n:
        raise ParameterError(f"{caller}: every k must satisfy 2 <= k < n_customers ({n}); got {ks}.",
                             parameter="k", value=k)
    raw = np.column_stack([_numeric(summary, c, caller) for c in features])
    transforms = {}
    X = raw.copy()
    for j, c in enumerate(features):
        col = raw[:, j]
        nonneg = col.min() >= 0
        if log == "auto":
            use = nonneg and float(pd.Series(col).skew()) > 1.0
        elif isinstance(log, bool):
            use = log and nonneg
        else:
            use = c in set(log)
            if use and not nonneg:
                raise DataQualityError(f"{caller}: log1p asked for {c!r}, which has negative values.", column=c)
        transforms[c] = "log1p" if use else "none"
        if use:
            X[:, j] = np.log1p(col)
    sd = X.std(axis=0)
    X = (X - X.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
    sample = silhouette_sample if n > silhouette_sample else None
    rows, fits = [], {}
    for kk in ks:
        model = KMeans(n_clusters=kk, n_init=n_init, random_state=random_state).fit(X)
        lab = model.labels_
        n_found = len(np.unique(lab))
        sil = (float(silhouette_score(X, lab, sample_size=sample, random_state=random_state))
               if n_found > 1 else np.nan)
        rows.append((kk, sil, float(model.inertia_)))
        fits[kk] = lab
    scores = pd.DataFrame(rows, columns=["k", "silhouette", "inertia"]).set_index("k")
    best = int(scores["silhouette"].fillna(-np.inf).idxmax())
    lab = fits[best]
    sizes = np.bincount(lab, minlength=best)
    order = np.argsort(-sizes, kind="stable")  # relabel: 0 = largest cluster
    relabel = np.empty_like(order)
    relabel[order] = np.arange(best)
    lab = relabel[lab]
    labels = pd.Series(lab, index=summary.index, name="cluster")
    prof = pd.DataFrame(raw, columns=features, index=summary.index).groupby(lab).mean()
    prof.insert(0, "share", np.bincount(lab, minlength=best) / n)
    prof.insert(0, "customers", np.bincount(lab, minlength=best))
    prof.index.name = "cluster"
    return ClusterResult(labels, best, scores, prof, transforms, features, sample)

