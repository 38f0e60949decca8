"""Plots of RFM scores and value segments: ``f(result, ax=None, **style) -> Axes``.

Colour-blind-safe colours: a sequential ``cividis`` map for heatmaps and the Okabe-Ito palette for
categories. Nothing is recomputed here beyond counting customers per score cell.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ParameterError, SchemaError
from ..i18n import get_language, localize, register, tr

__all__ = ["plot_rf_heatmap", "plot_segments", "plot_pareto", "OKABE_ITO"]

#: Okabe & Ito (2008) colour-blind-safe palette for categories.
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000")

register({
    "plot.rfm.customers": {"en": "customers", "zh": "客户数"},
    "plot.rfm.revenue_units": {"en": "revenue (currency units)", "zh": "收入（货币单位）"},
    "plot.rfm.f_axis": {"en": "F score ({bins} = most frequent; from {col})", "zh": "F 分（{bins} = 最频繁；依据 {col}）"},
    "plot.rfm.r_axis": {"en": "R score ({bins} = most recent; from {col})", "zh": "R 分（{bins} = 最近购买；依据 {col}）"},
    "plot.rfm.heatmap_count": {"en": "Customers by R and F score", "zh": "按 R 分和 F 分的客户数"},
    "plot.rfm.heatmap_revenue": {"en": "Revenue by R and F score", "zh": "按 R 分和 F 分的收入"},
    "plot.rfm.revenue": {"en": "revenue", "zh": "收入"},
    "plot.rfm.share_axis": {"en": "share of total (%)", "zh": "占总体的比例（%）"},
    "plot.rfm.segment": {"en": "segment", "zh": "细分群体"},
    "plot.rfm.segments_title": {"en": "Customers and revenue by segment", "zh": "各细分群体的客户与收入占比"},
    "plot.rfm.ranked": {"en": "customers ranked by revenue", "zh": "按收入排序的客户"},
    "plot.rfm.equal": {"en": "equal revenue per customer", "zh": "每位客户收入相同"},
    "plot.rfm.pareto_x": {"en": "customers, largest revenue first (% of customers)",
                          "zh": "客户（按收入从高到低，占客户的 %）"},
    "plot.rfm.pareto_y": {"en": "cumulative revenue (% of total)", "zh": "累计收入（占总收入的 %）"},
    "plot.rfm.pareto_title": {"en": "Revenue concentration", "zh": "收入集中度"},
    "plot.rfm.gini": {"en": " (Gini {gini:.2f})", "zh": "（基尼系数 {gini:.2f}）"},
})


def _ax(ax, figsize):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=figsize)
    return ax


def _frame(obj, name):
    if isinstance(obj, pd.DataFrame):
        return obj
    for attr in ("scores", "table", "frame"):
        value = getattr(obj, attr, None)
        if isinstance(value, pd.DataFrame):
            return value
    raise ParameterError(f"{name} expects a DataFrame (e.g. the output of toolkit.rfm.rfm_scores), "
                         f"got {type(obj).__name__}.")


def plot_rf_heatmap(scores_or_result, ax=None, value="count", *, cmap="cividis", annotate=True, title=None,
                    **style):
    """Heatmap of customers (or revenue) by R score (rows) and F score (columns).

    Parameters
    ----------
    scores_or_result : pandas.DataFrame
        Output of :func:`toolkit.rfm.rfm_scores` or :func:`toolkit.rfm.assign_segments`
        (``r_score``, ``f_score``; ``revenue`` for ``value="revenue"``).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is created when omitted.
    value : {"count", "revenue"}, default "count"
        Number of customers per cell, or their total revenue.
    cmap : str, default "cividis"
        Sequential, colour-blind-safe colour map.
    annotate : bool, default True
        Write the value in each cell.
    title : str, optional
    **style
        Passed to ``Axes.imshow``.

    Returns
    -------
    matplotlib.axes.Axes
    """
    frame = _frame(scores_or_result, "plot_rf_heatmap")
    missing = [c for c in ("r_score", "f_score") if c not in frame.columns]
    if missing:
        raise SchemaError(f"plot_rf_heatmap needs columns {missing}; pass the output of rfm_scores.")
    if value not in ("count", "revenue"):
        raise ParameterError(f'value must be "count" or "revenue", got {value!r}.', parameter="value", value=value)
    bins = int(frame.attrs.get("bins") or max(5, int(frame[["r_score", "f_score"]].to_numpy().max(initial=1))))
    r = frame["r_score"].to_numpy(dtype=np.int64)
    f = frame["f_score"].to_numpy(dtype=np.int64)
    if value == "revenue":
        if "revenue" not in frame.columns:
            raise SchemaError('value="revenue" needs a revenue column (rfm_scores keeps it with the default '
                              'monetary_col="revenue"; otherwise join summary["revenue"]).')
        weights = frame["revenue"].to_numpy(dtype=np.float64)
    else:
        weights = None
    grid = np.bincount((r - 1) * bins + (f - 1), weights=weights, minlength=bins * bins)[: bins * bins]
    grid = grid.reshape(bins, bins)
    ax = _ax(ax, (5.2, 4.2))
    opts = {"cmap": cmap, "origin": "lower", "aspect": "equal"}
    opts.update(style)
    image = ax.imshow(grid, extent=(0.5, bins + 0.5, 0.5, bins + 0.5), **opts)
    label = tr("plot.rfm.customers") if value == "count" else tr("plot.rfm.revenue_units")
    ax.figure.colorbar(image, ax=ax, label=label)
    ticks = np.arange(1, bins + 1)
    ax.set_xticks(ticks)
    ax.set_yticks(ticks)
    cols = frame.attrs.get("columns", {})
    from ..formatting import label as column_label  # human words for the scored columns, not their names

    ax.set_xlabel(tr("plot.rfm.f_axis").format(bins=bins, col=column_label(cols.get("f", "frequency")).lower()))
    ax.set_ylabel(tr("plot.rfm.r_axis").format(bins=bins, col=column_label(cols.get("r", "since_last")).lower()))
    ax.set_title(title or tr("plot.rfm.heatmap_count" if value == "count" else "plot.rfm.heatmap_revenue"))
    if annotate:
        top = grid.max() if grid.size else 0
        norm = image.norm
        for i in range(bins):
            for j in range(bins):
                v = grid[i, j]
                text = f"{int(v):,}" if value == "count" else f"{v:,.0f}"
                shade = norm(v) if top > 0 else 0.0
                ax.text(j + 1, i + 1, text, ha="center", va="center", fontsize=8,
                        color="black" if shade > 0.6 else "white")
    return ax


def plot_segments(segment_summary, ax=None, *, title=None, colors=None, **style):
    """Share of customers vs share of revenue per segment (horizontal grouped bars).

    Parameters
    ----------
    segment_summary : pandas.DataFrame
        Output of :func:`toolkit.rfm.segment_summary` (``share``, ``revenue_share``), in display order.
    ax : matplotlib.axes.Axes, optional
    title : str, optional
    colors : (str, str), optional
        Colours of the customer and revenue bars; Okabe-Ito blue and orange by default.
    **style
        Passed to both ``Axes.barh`` calls.

    Returns
    -------
    matplotlib.axes.Axes
    """
    frame = _frame(segment_summary, "plot_segments")
    missing = [c for c in ("share", "revenue_share") if c not in frame.columns]
    if missing:
        raise SchemaError(f"plot_segments needs columns {missing}; pass the output of segment_summary.")
    from ..formatting import category_label, label as column_label

    labels = [category_label(x) for x in frame.index]  # segment and tier names in the current language
    y = np.arange(len(labels))
    height = 0.4
    c_customers, c_revenue = colors or (OKABE_ITO[4], OKABE_ITO[0])
    ax = _ax(ax, (6.4, 0.45 * max(len(labels), 3) + 1.2))
    ax.barh(y - height / 2, 100 * frame["share"].fillna(0).to_numpy(), height, color=c_customers,
            label=tr("plot.rfm.customers"), **style)
    ax.barh(y + height / 2, 100 * frame["revenue_share"].fillna(0).to_numpy(), height, color=c_revenue,
            label=tr("plot.rfm.revenue"), **style)
    ax.set_yticks(y)
    ax.set_yticklabels(labels)
    ax.invert_yaxis()
    ax.set_xlabel(tr("plot.rfm.share_axis"))
    name = frame.index.name
    ax.set_ylabel((name if get_language() == "en" else column_label(name)) if name else tr("plot.rfm.segment"))
    ax.set_title(title or tr("plot.rfm.segments_title"))
    # outside the axes: inside, it sat on the longest bar (the largest tier is often the last one)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return ax


def plot_pareto(concentration, ax=None, *, title=None, mark_top=True, max_points=2000, **style):
    """Pareto (Lorenz) curve of revenue: cumulative revenue share vs share of customers, largest first.

    Parameters
    ----------
    concentration : ConcentrationResult
        Output of :func:`toolkit.rfm.revenue_concentration` (or its ``curve`` DataFrame).
    ax : matplotlib.axes.Axes, optional
    title : str, optional
        Defaults to one that states the Gini coefficient.
    mark_top : bool, default True
        Mark and label the top-x% points of ``concentration.top``.
    max_points : int, default 2000
        The curve is thinned to about this many points for drawing (it is monotone and concave, so
        nothing visible is lost).
    **style
        Passed to ``Axes.plot`` for the curve.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if isinstance(concentration, pd.DataFrame):
        curve, top, gini = concentration, None, None
    else:
        curve = getattr(concentration, "curve", None)
        top = getattr(concentration, "top", None)
        gini = getattr(concentration, "gini", None)
        if not isinstance(curve, pd.DataFrame):
            raise ParameterError("plot_pareto expects the result of revenue_concentration, got "
                                 f"{type(concentration).__name__}.", parameter="concentration")
    x = curve["customer_share"].to_numpy()
    y = curve["revenue_share"].to_numpy()
    if len(x) > max_points:
        keep = np.unique(np.linspace(0, len(x) - 1, max_points).round().astype(np.int64))
        x, y = x[keep], y[keep]
    ax = _ax(ax, (5.2, 4.2))
    opts = {"color": OKABE_ITO[4], "linewidth": 2, "label": tr("plot.rfm.ranked")}
    opts.update(style)
    ax.plot(100 * x, 100 * y, **opts)
    ax.plot([0, 100], [0, 100], linestyle="--", color="0.5", linewidth=1, label=tr("plot.rfm.equal"))
    if mark_top and top is not None and len(top):
        n = max(int(getattr(concentration, "n_customers", 0)), 1)
        px = 100 * top["customers"].to_numpy() / n
        py = 100 * top["revenue_share"].to_numpy()
        ax.scatter(px, py, color=OKABE_ITO[5], zorder=3, s=18)
        for label, a, b in zip(top.index, px, py):
            ax.annotate(f"{localize(str(label))}: {b:.0f}%", (a, b), textcoords="offset points", xytext=(6, -10),
                        fontsize=8)
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    ax.set_xlabel(tr("plot.rfm.pareto_x"))
    ax.set_ylabel(tr("plot.rfm.pareto_y"))
    if title is None:
        title = tr("plot.rfm.pareto_title") + (tr("plot.rfm.gini").format(gini=gini)
                                                if gini is not None and gini == gini else "")
    ax.set_title(title)
    ax.legend(loc="lower right", frameon=False, fontsize=8)
    return ax


def rf_heatmap_figure(scores_or_result, value="count", *, title=None, figsize=(5.6, 4.4), **style):
    """The R x F heatmap on a standalone :class:`matplotlib.figure.Figure` (not registered with pyplot).

    Widgets use it so that redraws leak no pyplot figures and nothing is shown twice under a cell.

    Parameters
    ----------
    scores_or_result : pandas.DataFrame
        As for :func:`plot_rf_heatmap`.
    value : {"count", "revenue"}, default "count"
    title : str, optional
    figsize : tuple, default (5.6, 4.4)

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize)
    ax = fig.add_subplot()
    plot_rf_heatmap(scores_or_result, ax=ax, value=value, title=title, **style)
    fig.tight_layout()
    return fig
