"""Log-rank test: do two or more Kaplan-Meier survival curves differ by more than chance?

:func:`logrank_test` takes durations, churn flags and a group per customer (or a
:class:`toolkit.cohorts.SurvivalResult`, or a :func:`toolkit.cohorts.lapse_durations` table with a ``group``
column) and returns a :class:`LogrankResult`: the chi-square statistic on k - 1 degrees of freedom, its
p-value, observed and expected churn events per group, and a plain-language sentence.

It is re-exported by :mod:`toolkit.cohorts` beside :func:`~toolkit.cohorts.kaplan_meier`.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

from ._validate import check_event_flags
from .errors import DataQualityError, ParameterError, SchemaError

__all__ = ["LogrankResult", "logrank_test"]


@dataclass(eq=False)
class LogrankResult:
    """Result of :func:`logrank_test`.

    Attributes
    ----------
    statistic : float
        The log-rank chi-square statistic.
    df : int
        Degrees of freedom: k - 1 for k groups (less only when a group is never at risk beside another
        group at a churn time, so it carries no information).
    p_value : float
        P(chi-square with ``df`` degrees of freedom >= ``statistic``).
    summary : pandas.DataFrame
        Per group: ``customers``, ``observed`` churn events, ``expected`` churn events if all groups
        shared one survival curve, and ``observed_over_expected``.
    alpha : float
        Significance level of the sentence.
    group_name : str or None
        What the groups are (e.g. ``"channel"``).
    """

    statistic: float
    df: int
    p_value: float
    summary: pd.DataFrame
    alpha: float = 0.05
    group_name: str | None = None

    @property
    def significant(self) -> bool:
        """True when ``p_value < alpha``."""
        return bool(self.p_value < self.alpha)

    @property
    def sentence(self) -> str:
        """One plain-language sentence: is the difference real, and which groups churn more or less."""
        k = len(self.summary)
        of = f" of {self.group_name}" if self.group_name else ""
        stat = f"log-rank chi-square {self.statistic:.3g} on {self.df} df, {_fmt_p(self.p_value)}"
        if not self.significant:
            return (f"No evidence that customer survival differs between the {k} groups{of} ({stat}): the gaps "
                    f"between the curves are within what chance produces at the {self.alpha:.0%} level.")
        ratio = self.summary["observed_over_expected"]
        worst, best = ratio.idxmax(), ratio.idxmin()
        s = self.summary
        return (f"Customer survival differs between the {k} groups{of} ({stat}): {worst} churns most "
                f"({s.loc[worst, 'observed']:.0f} churn events observed vs {s.loc[worst, 'expected']:.1f} expected "
                f"under equal survival), {best} least ({s.loc[best, 'observed']:.0f} vs "
                f"{s.loc[best, 'expected']:.1f}).")

    def __repr__(self):
        return f"LogrankResult(statistic={self.statistic:.4g}, df={self.df}, p_value={self.p_value:.4g})"

    def _repr_html_(self):
        return (f"<p><b>Log-rank test</b>: {html.escape(self.sentence)}</p>"
                + self.summary.to_html(float_format=lambda v: f"{v:,.3g}"))


def _fmt_p(p):
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def logrank_test(durations, events=None, groups=None, *, alpha=0.05):
    """Log-rank test that k >= 2 groups share one survival curve (chi-square on k - 1 degrees of freedom).

    Parameters
    ----------
    durations : array-like of float, pandas.DataFrame or toolkit.cohorts.SurvivalResult
        Time to churn or to censoring (>= 0, finite). Or a table with columns ``duration``, ``event`` and
        ``group`` (:func:`toolkit.cohorts.lapse_durations` with ``by=``), or a survival result by group
        (:func:`toolkit.cohorts.survival_curves` with ``by=``); ``events`` and ``groups`` are then taken from
        it. Customers without a group are left out.
    events : array-like of bool, optional
        True when churn was observed, False when right-censored (all True when omitted).
    groups : array-like, optional
        Group label per duration (channel, cohort, segment, ...). Required with plain arrays.
    alpha : float, default 0.05
        Significance level used by the result's sentence.

    Returns
    -------
    LogrankResult
        ``statistic``, ``df``, ``p_value``, ``summary`` (observed and expected churn events per group) and
        ``sentence``.

    Raises
    ------
    ParameterError
        (a ``ValueError``) No groups given.
    SchemaError
        (a ``ValueError``) Durations, events and groups of different lengths, or a durations table without a
        ``group`` column.
    DataQualityError
        Fewer than two groups, bad durations or event flags, or no churn event at a time when two groups are at risk (nothing to
        compare).

    Notes
    -----
    At each distinct churn time :math:`t_j` with :math:`n_j` customers at risk (:math:`n_{gj}` in group
    :math:`g`) and :math:`d_j` churn events (:math:`d_{gj}`), the expected events of group :math:`g` under
    equal survival are :math:`E_{gj} = d_j n_{gj} / n_j`. With :math:`U_g = \\sum_j (d_{gj} - E_{gj})` and the
    hypergeometric covariance
    :math:`V_{gh} = \\sum_j \\frac{d_j (n_j - d_j)}{n_j - 1} \\frac{n_{gj}}{n_j}
    (\\delta_{gh} - \\frac{n_{hj}}{n_j})`, the statistic is :math:`U^\\top V^{-} U` over the first k - 1
    groups (the k-th is determined by the others), chi-square with k - 1 degrees of freedom under the null
    hypothesis (Mantel 1966, "Evaluation of survival data and two new rank order statistics arising in its
    consideration", *Cancer Chemotherapy Reports* 50(3), 163-170; Peto & Peto 1972, "Asymptotically efficient
    rank invariant test procedures", *JRSS A* 135(2), 185-207; the k-sample form as in Klein & Moeschberger
    2003, *Survival Analysis*, sec. 7.3). :math:`V^{-}` is the pseudo-inverse, so a group that is never at
    risk beside another at a churn time adds nothing; ``df`` is then the rank of :math:`V`. Equal to
    lifelines' ``logrank_test`` (two groups) and ``multivariate_logrank_test`` (tested).

    Examples
    --------
    >>> from toolkit.cohorts import logrank_test
    >>> r = logrank_test([1, 2, 3, 4, 5, 6], [1, 1, 1, 1, 0, 1], ["a", "a", "a", "b", "b", "b"])
    >>> round(r.statistic, 4), r.df, round(r.p_value, 4)
    (5.0517, 1, 0.0246)
    """
    from ._validate import check_number

    check_number("alpha", alpha, low=0.0, high=1.0, inclusive="neither", hint="Pass 0.05 for a 5% level.")
    group_name = None
    table = getattr(durations, "durations", durations)  # a SurvivalResult carries its durations table
    if isinstance(table, pd.DataFrame):
        if "group" not in table.columns:
            raise SchemaError("the durations table has no 'group' column: build it with a split, e.g. "
                              "survival_curves(tx, by=channel) or lapse_durations(tx, by=channel).")
        group_name = table.attrs.get("group_name")
        table = table[table["group"].notna()]
        durations, events, groups = table["duration"], table["event"], table["group"]
    t = np.asarray(durations, dtype=np.float64)
    if groups is None:
        raise ParameterError("groups is required: one group label per duration (e.g. the acquisition channel).",
                             parameter="groups")
    e = check_event_flags(events, len(t))
    g = np.asarray(groups, dtype=object)
    if t.ndim != 1 or e.shape != t.shape or g.shape != t.shape:
        raise SchemaError("durations, events and groups must be 1-d and of equal length.")
    if len(t) and (not np.all(np.isfinite(t)) or t.min() < 0):
        raise DataQualityError("durations must be finite and >= 0; drop or fix the bad values.",
                               count=int((~np.isfinite(t) | (t < 0)).sum()))
    missing = pd.isna(pd.Series(g)).to_numpy()
    t, e, g = t[~missing], e[~missing], g[~missing]
    codes, labels = pd.factorize(pd.Series(g), sort=True)
    k = len(labels)
    if k < 2:
        raise DataQualityError(f"the log-rank test compares at least two groups; got {k} "
                               f"({list(labels)}). Split the customers by channel, cohort or segment.", column="group")

    times = np.unique(t[e])  # distinct churn times (censoring-only times add nothing)
    at_risk = np.empty((len(times), k))
    dead = np.zeros((len(times), k))
    for j in range(k):
        tj = np.sort(t[codes == j])
        at_risk[:, j] = len(tj) - np.searchsorted(tj, times, side="left")
        dead[:, j] = np.bincount(np.searchsorted(times, t[(codes == j) & e]), minlength=len(times))
    n = at_risk.sum(axis=1)
    d = dead.sum(axis=1)
    share = at_risk / n[:, None]
    expected = (d[:, None] * share).sum(axis=0)
    observed = dead.sum(axis=0).astype(np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where(n > 1, d * (n - d) / (n - 1), 0.0)
    cov = np.diag((w[:, None] * share).sum(axis=0)) - (w[:, None] * share).T @ share
    u = (observed - expected)[:-1]
    v = cov[:-1, :-1]
    df = int(np.linalg.matrix_rank(v)) if k > 1 else 0
    if df == 0:
        raise DataQualityError("no churn event happens while two groups are at risk (and some customers "
                               "survive it), so the groups' survival cannot be compared.", count=0)
    stat = float(u @ np.linalg.pinv(v) @ u)
    p = float(special.chdtrc(df, stat))  # chi-square upper tail, without importing scipy.stats (~0.4 s)
    customers = np.bincount(codes, minlength=k)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(expected > 0, observed / expected, np.nan)
    summary = pd.DataFrame({"customers": customers, "observed": observed, "expected": expected,
                            "observed_over_expected": ratio}, index=pd.Index(labels, name="group"))
    return LogrankResult(statistic=stat, df=df, p_value=p, summary=summary, alpha=float(alpha),
                         group_name=group_name)
