"""Plots of the course CLV results: ``f(result, ax=None, **style) -> Axes``; nothing is recomputed here."""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "plot_waterfall",
    "plot_years",
    "plot_tornado",
    "plot_heatmap",
    "plot_clv_cac_gauge",
    "plot_profit_curve",
    "plot_clv_segments",
    "plot_delivered_value",
    "plot_channel_economics",
    "scenario_dashboard",
]

_COLORS = {"historical": "#7f8c8d", "current": "#2874a6", "upsell": "#28b463", "referral": "#58d68d",
           "data": "#a9dfbf", "potential": "#27ae60", "total": "#1b2631", "neg": "#c0392b"}


def _ax(ax, figsize=(6, 3.5)):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=figsize)
    return ax


def plot_waterfall(result, ax=None, *, title=None, **style):
    """Value waterfall: historical, current, up-sell, referral, data -> total CLV.

    Parameters
    ----------
    result : toolkit.clv.CLVResult
    ax : matplotlib.axes.Axes, optional
    title : str, optional
    **style
        Passed to ``ax.bar``.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _ax(ax)
    parts = [("historical", result.historical), ("current", result.current), ("upsell", result.upsell),
             ("referral", result.referral), ("data", result.data)]
    parts = [(k, v) for k, v in parts if v != 0 or k in ("historical", "current")]
    bottom = 0.0
    for i, (k, v) in enumerate(parts):
        y0 = bottom if v >= 0 else bottom + v
        ax.bar(i, abs(v), bottom=y0, color=_COLORS[k] if v >= 0 else _COLORS["neg"], **style)
        ax.text(i, bottom + v, f"{v:,.0f}", ha="center", va="bottom", fontsize=8)
        bottom += v
    ax.bar(len(parts), result.total, color=_COLORS["total"], **style)
    ax.text(len(parts), result.total, f"{result.total:,.0f}", ha="center", va="bottom", fontsize=8, fontweight="bold")
    ax.set_xticks(range(len(parts) + 1), [k for k, _ in parts] + ["CLV"])
    ax.set_ylabel("value")
    ax.set_title(title or "CLV = historical + current + potential")
    ax.margins(y=0.12)
    return ax


def plot_years(result, ax=None, *, title=None, **style):
    """Year-by-year present value of the current value (bars) and its running total (line).

    Parameters
    ----------
    result : toolkit.clv.CLVResult
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _ax(ax)
    years = result.years
    ax.bar(years.index, years["present_value"], color=_COLORS["current"], label="present value", **style)
    ax.plot(years.index, years["cumulative_pv"], color=_COLORS["total"], marker="o", ms=3, label="cumulative")
    ax.set_xlabel("year")
    ax.set_ylabel("discounted expected margin")
    ax.legend(frameon=False, fontsize=8)
    ax.set_title(title or f"Current value {result.current:,.1f} year by year")
    return ax


def plot_tornado(sens, ax=None, *, title=None, **style):
    """Tornado chart: CLV at each factor's low and high value, widest swing on top.

    Parameters
    ----------
    sens : toolkit.clv.SensitivityResult
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _ax(ax, figsize=(6, 4))
    t = sens.tornado.iloc[::-1]
    y = np.arange(len(t))
    base = sens.base
    ax.barh(y, t["value_low"] - base, left=base, color="#e74c3c", label="factor low", **style)
    ax.barh(y, t["value_high"] - base, left=base, color="#3498db", label="factor high", **style)
    ax.axvline(base, color="k", lw=0.8)
    ax.set_yticks(y, t["label"], fontsize=8)
    ax.set_xlabel(f"{sens.value} CLV")
    ax.legend(frameon=False, fontsize=8, loc="lower right")
    ax.set_title(title or f"Each factor ±{sens.pct:.0%}")
    return ax


def plot_heatmap(table, ax=None, *, title=None, cmap="viridis", annotate=True, **style):
    """Heatmap of CLV over retention (rows) x discount rate (columns), from :func:`toolkit.clv.heatmap`.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _ax(ax, figsize=(7, 4.5))
    im = ax.imshow(table.to_numpy(), origin="lower", aspect="auto", cmap=cmap, **style)
    ax.set_xticks(range(table.shape[1]), [f"{c:.0%}" for c in table.columns], fontsize=7)
    ax.set_yticks(range(table.shape[0]), [f"{r:.0%}" for r in table.index], fontsize=7)
    ax.set_xlabel("discount rate")
    ax.set_ylabel("retention")
    if annotate and table.size <= 150:
        for i in range(table.shape[0]):
            for j in range(table.shape[1]):
                ax.text(j, i, f"{table.iat[i, j]:,.0f}", ha="center", va="center", fontsize=5, color="w")
    ax.figure.colorbar(im, ax=ax, label="CLV")
    ax.set_title(title or "CLV by retention and discount rate")
    return ax


def plot_clv_cac_gauge(econ, ax=None, *, title=None, max_ratio=None):
    """A horizontal gauge of the CLV:CAC ratio with the course's 3:1 health line.

    Parameters
    ----------
    econ : toolkit.clv.UnitEconomics
    ax : matplotlib.axes.Axes, optional
    max_ratio : float, optional
        Right end of the gauge (default ``max(6, 1.2 x ratio)``).

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _ax(ax, figsize=(6, 1.3))
    top = max_ratio or max(6.0, 1.2 * econ.ratio if math.isfinite(econ.ratio) else 6.0)
    ax.barh(0, 1.0, color="#f5b7b1", height=0.6)
    ax.barh(0, econ.health_ratio - 1.0, left=1.0, color="#fad7a0", height=0.6)
    ax.barh(0, top - econ.health_ratio, left=econ.health_ratio, color="#abebc6", height=0.6)
    ax.plot([min(econ.ratio, top)] * 2, [-0.35, 0.35], color="k", lw=3)
    ax.axvline(econ.health_ratio, color="#1e8449", ls="--", lw=1)
    ax.set_xlim(0, top)
    ax.set_yticks([])
    ax.set_xlabel("CLV : CAC")
    ax.set_title(title or f"CLV:CAC = {econ.ratio:.2f}:1, payback {econ.payback_months:.1f} months", fontsize=9)
    return ax


def plot_profit_curve(promo, ax=None, *, title=None, **style):
    """Profit change per customer against the retention uplift, with the break-even point.

    Parameters
    ----------
    promo : toolkit.clv.PromotionResult

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _ax(ax)
    c = promo.curve
    ax.plot(c.index * 100, c["profit_change"], color=_COLORS["current"], **style)
    ax.axhline(0, color="k", lw=0.8)
    if promo.feasible:
        ax.axvline(promo.breakeven_uplift * 100, color=_COLORS["neg"], ls="--", lw=1)
        ax.annotate(f"break-even +{promo.breakeven_uplift * 100:.1f} pts", (promo.breakeven_uplift * 100, 0),
                    xytext=(5, 10), textcoords="offset points", fontsize=8)
    ax.set_xlabel("retention uplift (percentage points)")
    ax.set_ylabel("change in current value per customer")
    ax.set_title(title or f"{promo.price_cut:.0%} price cut: when does it pay?")
    return ax


def plot_clv_segments(seg, ax=None, *, current="current", potential="potential", title=None, **style):
    """Scatter of current x potential value coloured by CLV quadrant, from :func:`toolkit.clv.clv_segments`.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _ax(ax, figsize=(5.5, 4.5))
    colors = {"high-value": "#1e8449", "growth": "#2874a6", "watch": "#d68910", "low-value": "#7f8c8d"}
    for lab, sub in seg.groupby("clv_segment", observed=True):
        ax.scatter(sub[current], sub[potential], s=style.pop("s", 8), color=colors.get(lab, "k"), label=f"{lab} ({len(sub)})",
                   alpha=0.6, **style)
    ct, pt = seg.attrs.get("current_threshold"), seg.attrs.get("potential_threshold")
    if ct is not None:
        ax.axvline(ct, color="k", lw=0.8, ls=":")
    if pt is not None:
        ax.axhline(pt, color="k", lw=0.8, ls=":")
    ax.set_xlabel("current value")
    ax.set_ylabel("potential value")
    ax.legend(frameon=False, fontsize=8)
    ax.set_title(title or "CLV segments: current x potential")
    return ax


def plot_delivered_value(dv, ax=None, *, title=None, **style):
    """Stacked bars of total customer value and total customer cost, with the delivered value.

    Parameters
    ----------
    dv : toolkit.clv.DeliveredValue

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _ax(ax, figsize=(5, 3.5))
    greens = ["#1e8449", "#28b463", "#58d68d", "#abebc6"]
    reds = ["#922b21", "#c0392b", "#e74c3c", "#f5b7b1"]
    for x, parts, cols in ((0, dv.values, greens), (1, dv.costs, reds)):
        bottom = 0.0
        for (k, v), col in zip(parts.items(), cols):
            if v:
                ax.bar(x, v, bottom=bottom, color=col, label=k, **style)
                bottom += v
    ax.set_xticks([0, 1], ["total customer value", "total customer cost"])
    ax.legend(frameon=False, fontsize=7, ncol=2)
    ax.set_title(title or f"Delivered value {dv.delivered:,.1f}")
    return ax


def plot_channel_economics(table, ax=None, *, title=None, health_ratio=3.0, **style):
    """CLV:CAC per acquisition channel with the health line, from :func:`toolkit.clv.channel_economics`.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _ax(ax)
    colors = np.where(table["clv_cac"] >= health_ratio, "#28b463", "#e74c3c")
    ax.bar([str(i) for i in table.index], table["clv_cac"], color=colors, **style)
    ax.axhline(health_ratio, color="k", ls="--", lw=1)
    ax.set_ylabel("CLV : CAC")
    ax.set_title(title or f"CLV:CAC by channel (healthy >= {health_ratio:g}:1)")
    return ax


def scenario_dashboard(result, sensitivity=None, economics=None, *, figsize=(11, 6.5)):
    """The CLV scenario tool's figure: waterfall, tornado, year-by-year bars and the CLV:CAC gauge.

    Built on a standalone :class:`matplotlib.figure.Figure` (not registered with pyplot), so it is never
    shown twice and needs no closing; display it with ``IPython.display.display(fig)``.

    Parameters
    ----------
    result : toolkit.clv.CLVResult
    sensitivity : toolkit.clv.SensitivityResult, optional
    economics : toolkit.clv.UnitEconomics, optional
    figsize : tuple, default (11, 6.5)

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot  # noqa: F401  (activates the notebook's figure formatters)
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize)
    axes = fig.subplots(2, 2, gridspec_kw={"height_ratios": [3, 2]})
    plot_waterfall(result, ax=axes[0, 0])
    if sensitivity is not None:
        plot_tornado(sensitivity, ax=axes[0, 1])
    else:
        axes[0, 1].set_axis_off()
    plot_years(result, ax=axes[1, 0])
    if economics is not None:
        plot_clv_cac_gauge(economics, ax=axes[1, 1])
    else:
        axes[1, 1].set_axis_off()
    fig.tight_layout()
    return fig
