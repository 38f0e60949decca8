"""Cohort plots: retention heatmap (triangle), retention curves, Kaplan-Meier survival, sBG projection.

Every function takes a finished result from :mod:`toolkit.cohorts` and ``ax=None``, and returns the Axes.
"""

from __future__ import annotations

import numpy as np
import matplotlib.pyplot as plt
from matplotlib.colors import to_rgba

from ..errors import ParameterError
from ..formatting import category_label
from ..i18n import localize, register, tr
from .rfm import OKABE_ITO as _OKABE_ITO

__all__ = ["plot_cohort_heatmap", "plot_retention_curves", "plot_survival", "plot_sbg_projection",
           "cohort_dashboard"]

_SHARE = {"retention", "net_revenue_retention", "gross_revenue_retention"}
_LABELS = {
    "active": ("active customers", "活跃客户数"),
    "retention": ("retention (share of cohort)", "留存率（占同期群的比例）"),
    "orders": ("orders", "订单数"),
    "orders_per_customer": ("orders per cohort customer", "每位同期群客户的订单数"),
    "revenue": ("revenue (currency units)", "收入（货币单位）"),
    "revenue_per_customer": ("revenue per cohort customer (currency units)", "每位同期群客户的收入（货币单位）"),
    "cumulative_revenue": ("cumulative revenue (currency units)", "累计收入（货币单位）"),
    "cumulative_revenue_per_customer": ("cumulative revenue per cohort customer (currency units)",
                                        "每位同期群客户的累计收入（货币单位）"),
    "net_revenue_retention": ("net revenue retention (share of month-0 revenue)", "净收入留存率（占首期收入的比例）"),
    "gross_revenue_retention": ("gross revenue retention (share of month-0 revenue)",
                                "毛收入留存率（占首期收入的比例）"),
}
_PERIOD_NAMES = {"D": ("days", "天"), "W": ("weeks", "周"), "M": ("months", "月"), "Q": ("quarters", "季度")}
register({f"plot.cohort.metric.{k}": {"en": en, "zh": zh} for k, (en, zh) in _LABELS.items()})
register({f"plot.cohort.period.{k}": {"en": en, "zh": zh} for k, (en, zh) in _PERIOD_NAMES.items()})
register({
    "plot.cohort.since_acquisition": {"en": "{period} since acquisition", "zh": "获客后的{period}数"},
    "plot.cohort.cohort_axis": {"en": "acquisition cohort", "zh": "获客同期群"},
    "plot.cohort.by_cohort": {"en": "{label} by cohort", "zh": "各同期群的{label}"},
    "plot.cohort.curves": {"en": "{label} curves", "zh": "{label}曲线"},
    "plot.cohort.median": {"en": "{label} (median {median})", "zh": "{label}（中位数 {median}）"},
    "plot.cohort.since_first": {"en": "{unit} since first purchase", "zh": "首次购买后的{unit}数"},
    "plot.cohort.still_active": {"en": "share still active (Kaplan-Meier)", "zh": "仍活跃的比例（Kaplan-Meier）"},
    "plot.cohort.survival_title": {"en": "Customer survival — {definition}", "zh": "客户生存曲线 — {definition}"},
    "plot.cohort.sbg_projection": {"en": "sBG projection", "zh": "sBG 预测"},
    "plot.cohort.sbg_survival": {"en": "survival", "zh": "存活比例"},
    "plot.cohort.sbg_retention": {"en": "retention", "zh": "留存率"},
    "plot.cohort.observed": {"en": "observed (fitted)", "zh": "观测值（拟合）"},
    "plot.cohort.holdout": {"en": "actual (holdout)", "zh": "实际值（验证期）"},
    "plot.cohort.period_t": {"en": "period (t)", "zh": "期数 (t)"},
    "plot.cohort.alive": {"en": "share of cohort alive", "zh": "同期群存活比例"},
    "plot.cohort.retention_rate": {"en": "retention rate", "zh": "留存率"},
    "plot.cohort.sbg_title": {"en": "sBG {kind}: alpha={a:.3f}, beta={b:.3f}", "zh": "sBG {kind}：alpha={a:.3f}，beta={b:.3f}"},
})


def _cvd_safe_cycle(ax):
    """Okabe-Ito colours (colour-blind safe); after 8 lines the same colours again, dashed."""
    from cycler import cycler

    order = [4, 0, 2, 5, 1, 6, 7, 3]  # blue, orange, green, vermillion, sky blue, purple, black; yellow last
    ax.set_prop_cycle(cycler(linestyle=["-", "--"]) * cycler(color=[_OKABE_ITO[i] for i in order]))


def _label(metric):
    return tr(f"plot.cohort.metric.{metric}", metric)


def _period_name(period):
    return tr(f"plot.cohort.period.{period}", str(period))


def _ax(ax, figsize):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def _fmt_value(v, share):
    if share:
        return f"{v:.0%}"
    if abs(v) >= 10000:
        return f"{v / 1000:.0f}k"
    return f"{v:.0f}" if abs(v) >= 10 or v == int(v) else f"{v:.1f}"


def _select_group(matrix, group):
    import pandas as pd

    from ..cohorts import select_group

    if isinstance(matrix.index, pd.MultiIndex) and group is None:
        groups = list(matrix.index.get_level_values(0).unique())
        raise ParameterError(f"The matrix is split by {matrix.index.names[0]!r}: pass group= one of {groups}.",
                             parameter="group", value=group)
    return select_group(matrix, group)


def plot_cohort_heatmap(matrix, ax=None, *, group=None, annotate=None, show_size=True, cmap="Blues", vmax=None,
                        title=None):
    """Cohort triangle: cohorts as rows, periods since acquisition as columns, censored cells blank.

    Parameters
    ----------
    matrix : pandas.DataFrame
        A :func:`toolkit.cohorts.retention_matrix` result.
    ax : matplotlib Axes, optional
    group : label, optional
        Which group to draw when the matrix is split ``by`` an attribute.
    annotate : bool, optional
        Write the value in each cell; default only when the matrix has at most 16 x 16 cells (at 36 x 36
        the colours and a colour bar carry the information, labels every few rows keep it readable).
    show_size : bool, default True
        Append the cohort size to the row labels.
    cmap : str, default "Blues"
    vmax : float, optional
        Upper colour limit; for shares it defaults to the largest value after period 0 (so later periods
        are not washed out by the 100% column).
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    m = _select_group(matrix, group)
    metric = m.attrs.get("metric", "retention")
    share = metric in _SHARE
    values = m.to_numpy(dtype=float)
    n_rows, n_cols = values.shape
    ax = _ax(ax, (min(4 + 0.32 * n_cols, 16), min(2.5 + 0.28 * n_rows, 12)))
    finite = values[np.isfinite(values)]
    if vmax is None and finite.size:
        rest = values[:, 1:][np.isfinite(values[:, 1:])] if n_cols > 1 else finite
        vmax = float(np.nanmax(rest)) if (share and rest.size and np.nanmax(rest) > 0) else float(finite.max())
    cm = plt.get_cmap(cmap).with_extremes(bad=to_rgba("white", 0.0))
    im = ax.imshow(np.ma.masked_invalid(values), aspect="auto", cmap=cm, vmin=0, vmax=vmax or 1.0,
                   interpolation="nearest")
    cbar = ax.figure.colorbar(im, ax=ax, fraction=0.04, pad=0.02)
    if share:
        cbar.ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    cbar.set_label(_label(metric))
    if annotate is None:
        annotate = n_rows <= 16 and n_cols <= 16
    if annotate:
        hi = vmax or 1.0
        for i in range(n_rows):
            for j in range(n_cols):
                v = values[i, j]
                if np.isfinite(v):
                    ax.text(j, i, _fmt_value(v, share), ha="center", va="center", fontsize=8,
                            color="white" if v > 0.6 * hi else "black")
    size = m.attrs.get("cohort_size")
    labels = [str(c) for c in m.index]
    if show_size and size is not None:
        labels = [f"{lab}  n={int(n):,}" for lab, n in zip(labels, size)]
    step = max(1, int(np.ceil(n_rows / 18)))
    ax.set_yticks(range(0, n_rows, step))
    ax.set_yticklabels(labels[::step], fontsize=8)
    cstep = max(1, int(np.ceil(n_cols / 18)))
    ax.set_xticks(range(0, n_cols, cstep))
    ax.set_xticklabels([str(c) for c in m.columns[::cstep]], fontsize=8)
    period = m.attrs.get("period", "M")
    ax.set_xlabel(tr("plot.cohort.since_acquisition").format(period=_period_name(period)))
    ax.set_ylabel(tr("plot.cohort.cohort_axis"))
    if title is None:
        title = tr("plot.cohort.by_cohort").format(label=_label(metric)) + (
            f" — {category_label(group)}" if group is not None else "")
    ax.set_title(title)
    ax.set_xlim(-0.5, n_cols - 0.5)
    ax.set_ylim(n_rows - 0.5, -0.5)
    return ax


def plot_retention_curves(curves, ax=None, *, cohorts=None, title=None, **style):
    """Retention curves: one line per cohort of a matrix, or per group of :func:`toolkit.cohorts.average_curve`.

    Parameters
    ----------
    curves : pandas.DataFrame
        A :func:`~toolkit.cohorts.retention_matrix` (rows = cohorts) or an
        :func:`~toolkit.cohorts.average_curve` result (rows = groups).
    ax : matplotlib Axes, optional
    cohorts : list, optional
        Rows to draw (default all, at most 12 evenly spaced).
    title : str, optional
    **style
        Passed to ``Axes.plot``.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _ax(ax, (8, 4.5))
    _cvd_safe_cycle(ax)
    metric = curves.attrs.get("metric", "retention")
    rows = list(curves.index) if cohorts is None else list(cohorts)
    if cohorts is None and len(rows) > 12:
        rows = [rows[i] for i in np.linspace(0, len(rows) - 1, 12).round().astype(int)]
    for row in rows:
        y = curves.loc[row].to_numpy(dtype=float)
        label = " / ".join(map(category_label, row)) if isinstance(row, tuple) else category_label(row)
        ax.plot(curves.columns, y, marker="o", markersize=3, label=label, **style)
    if metric in _SHARE:
        ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
        ax.set_ylim(bottom=0)
    period = curves.attrs.get("period", "M")
    ax.set_xlabel(tr("plot.cohort.since_acquisition").format(period=_period_name(period)))
    ax.set_ylabel(_label(metric))
    ax.set_title(title or tr("plot.cohort.curves").format(label=_label(metric)))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, ncol=2 if len(rows) > 6 else 1)
    return ax


def plot_survival(result, ax=None, *, bands=True, groups=None, show_median=True, title=None, logrank=None):
    """Kaplan-Meier survival curves with confidence bands; the churn definition is in the title.

    Parameters
    ----------
    result : toolkit.cohorts.SurvivalResult
    ax : matplotlib Axes, optional
    bands : bool, default True
        Shade the log(-log) Greenwood confidence band.
    groups : list, optional
        Groups to draw (default all).
    show_median : bool, default True
        Mark median lifetimes.
    title : str, optional
    logrank : toolkit.cohorts.LogrankResult, optional
        A log-rank test of the groups (e.g. ``result.logrank_test()``): its statistic and p-value are added as a
        second title line.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _ax(ax, (8, 4.5))
    _cvd_safe_cycle(ax)
    medians = result.summary["median_lifetime"]
    for label in (groups or list(result.curves)):
        c = result.curves[label]
        t = c.index.to_numpy(dtype=float)
        line, = ax.step(t, c["survival"], where="post", label=tr("plot.cohort.median").format(label=category_label(label), median=f"{medians[label]:.3g}"))
        if bands:
            ax.fill_between(t, c["lower"], c["upper"], step="post", alpha=0.2, color=line.get_color(), lw=0)
        if show_median and np.isfinite(medians[label]):
            ax.plot([medians[label]], [0.5], marker="|", markersize=12, color=line.get_color())
    ax.axhline(0.5, color="grey", lw=0.8, ls=":")
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.set_xlabel(tr("plot.cohort.since_first").format(unit=_period_name(result.time_unit)))
    ax.set_ylabel(tr("plot.cohort.still_active"))
    title = title or tr("plot.cohort.survival_title").format(definition=localize(result.churn_definition))
    if logrank is not None:
        p = "p < 0.001" if logrank.p_value < 0.001 else f"p = {logrank.p_value:.3f}"
        title += f"\nlog-rank χ² = {logrank.statistic:.3g}, df = {logrank.df}, {p}"
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return ax


def plot_sbg_projection(model, ax=None, *, kind="survival", n_periods=None, actual=None, title=None):
    """sBG projection vs observed survival or retention, with the end of the fitted window marked.

    Parameters
    ----------
    model : toolkit.cohorts.ShiftedBetaGeometric
        A fitted model.
    ax : matplotlib Axes, optional
    kind : {"survival", "retention"}, default "survival"
    n_periods : int, optional
        Last period shown (default ``model.project`` default).
    actual : array-like, optional
        Survivor counts beyond the fitted window (a holdout) to compare with the projection.
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    if kind not in ("survival", "retention"):
        raise ParameterError(f"kind must be 'survival' or 'retention', got {kind!r}.", parameter="kind", value=kind)
    ax = _ax(ax, (7, 4.2))
    proj = model.project(n_periods)
    ax.plot(proj.index, proj[f"projected_{kind}"], color=_OKABE_ITO[4], label=tr("plot.cohort.sbg_projection"))
    ax.plot(proj.index, proj[f"observed_{kind}"], "o", color=_OKABE_ITO[0], label=tr("plot.cohort.observed"))
    if actual is not None:
        a = np.asarray(actual, dtype=float)
        s = a / a[0]
        t = np.arange(len(s))
        y = s if kind == "survival" else np.concatenate([[np.nan], s[1:] / s[:-1]])
        fitted = 0 if model.survivors_ is None else len(model.survivors_)
        ax.plot(t[fitted:], y[fitted:], "s", mfc="none", color=_OKABE_ITO[5], label=tr("plot.cohort.holdout"))
    if model.survivors_ is not None:
        ax.axvline(len(model.survivors_) - 1, color="grey", ls=":", lw=1)
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.set_xlabel(tr("plot.cohort.period_t"))
    ax.set_ylabel(tr("plot.cohort.alive" if kind == "survival" else "plot.cohort.retention_rate"))
    a, b = model.params_
    ax.set_title(title or tr("plot.cohort.sbg_title").format(kind=tr(f"plot.cohort.sbg_{kind}", kind), a=a, b=b))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return ax


def cohort_dashboard(matrix, curves, *, heatmap_title=None, curves_title=None, figsize=(13, 5)):
    """The cohort explorer's figure: a heatmap of one matrix and the mean curves beside it.

    Built on a standalone :class:`matplotlib.figure.Figure` (not registered with pyplot), so it is never
    shown twice and needs no closing.

    Parameters
    ----------
    matrix : pandas.DataFrame
        A retention matrix without groups (select one with :func:`toolkit.cohorts.select_group`).
    curves : pandas.DataFrame
        :func:`toolkit.cohorts.average_curve` result.
    heatmap_title, curves_title : str, optional
    figsize : tuple, default (13, 5)

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize)
    axes = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
    plot_cohort_heatmap(matrix, ax=axes[0], title=heatmap_title)
    plot_retention_curves(curves, ax=axes[1], title=curves_title)
    fig.tight_layout()
    return fig
