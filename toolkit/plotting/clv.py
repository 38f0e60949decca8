"""Plots of the course CLV results: ``f(result, ax=None, **style) -> Axes``; nothing is recomputed here."""

from __future__ import annotations

import math

import numpy as np

from ..formatting import category_label
from ..i18n import register, tr
from .rfm import OKABE_ITO

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
    "delivered_value_figure",
]

# Colour-blind-safe (Okabe & Ito 2008): blue / bluish green / sky blue / reddish purple, vermillion for losses.
_COLORS = {"historical": "#999999", "current": OKABE_ITO[4], "upsell": OKABE_ITO[2], "referral": OKABE_ITO[1],
           "data": OKABE_ITO[6], "potential": OKABE_ITO[2], "total": "#1b2631", "neg": OKABE_ITO[5]}
_MONEY = {"en": "currency units", "zh": "货币单位"}

register({
    "plot.clv.money": _MONEY,
    "plot.clv.segment_n": {"en": "{label} ({n})", "zh": "{label}（{n}）"},
    "plot.clv.historical": {"en": "historical", "zh": "历史价值"},
    "plot.clv.current": {"en": "current", "zh": "当前价值"},
    "plot.clv.upsell": {"en": "upsell", "zh": "增购价值"},
    "plot.clv.referral": {"en": "referral", "zh": "推荐价值"},
    "plot.clv.data": {"en": "data", "zh": "数据价值"},
    "plot.clv.negative": {"en": "(cost > value)", "zh": "（成本 > 价值）"},
    "plot.clv.component": {"en": "value component", "zh": "价值构成"},
    "plot.clv.value_axis": {"en": "value ({money})", "zh": "价值（{money}）"},
    "plot.clv.waterfall_title": {"en": "CLV = historical + current + potential", "zh": "CLV = 历史价值 + 当前价值 + 潜在价值"},
    "plot.clv.present_value": {"en": "present value", "zh": "现值"},
    "plot.clv.cumulative": {"en": "cumulative", "zh": "累计"},
    "plot.clv.year": {"en": "year", "zh": "年份"},
    "plot.clv.margin_axis": {"en": "discounted expected margin ({money})", "zh": "折现后的期望毛利（{money}）"},
    "plot.clv.years_title": {"en": "Current value {value} year by year", "zh": "当前价值 {value}（逐年）"},
    "plot.clv.factor_low": {"en": "factor low", "zh": "因素下调"},
    "plot.clv.factor_high": {"en": "factor high", "zh": "因素上调"},
    "plot.clv.tornado_x": {"en": "{value} CLV ({money})", "zh": "{value} CLV（{money}）"},
    "plot.clv.factor": {"en": "factor", "zh": "影响因素"},
    "plot.clv.tornado_title": {"en": "Each factor ±{pct}", "zh": "各因素 ±{pct}"},
    "plot.clv.discount_axis": {"en": "discount rate (per year)", "zh": "折现率（每年）"},
    "plot.clv.retention_axis": {"en": "retention rate (per year)", "zh": "保留率（每年）"},
    "plot.clv.clv_money": {"en": "CLV ({money})", "zh": "CLV（{money}）"},
    "plot.clv.heatmap_title": {"en": "CLV by retention and discount rate", "zh": "不同保留率与折现率下的 CLV"},
    "plot.clv.ratio_axis": {"en": "CLV : CAC (ratio)", "zh": "CLV : CAC（倍数）"},
    "plot.clv.gauge_title": {"en": "CLV:CAC = {ratio:.2f}:1, payback {months:.1f} months",
                             "zh": "CLV:CAC = {ratio:.2f}:1，回收期 {months:.1f} 个月"},
    "plot.clv.breakeven": {"en": "break-even +{pts:.1f} pts", "zh": "盈亏平衡 +{pts:.1f} 个百分点"},
    "plot.clv.uplift_axis": {"en": "retention uplift (percentage points)", "zh": "保留率提升（百分点）"},
    "plot.clv.profit_axis": {"en": "change in current value per customer ({money})",
                             "zh": "每位客户当前价值的变化（{money}）"},
    "plot.clv.promo_title": {"en": "{cut} price cut: when does it pay?", "zh": "降价 {cut}：何时划算？"},
    "plot.clv.current_axis": {"en": "current value ({money})", "zh": "当前价值（{money}）"},
    "plot.clv.potential_axis": {"en": "potential value ({money})", "zh": "潜在价值（{money}）"},
    "plot.clv.segments_title": {"en": "CLV segments: current x potential", "zh": "基于 CLV 的客户细分：当前价值 × 潜在价值"},
    "plot.clv.total_value": {"en": "total customer value", "zh": "顾客总价值"},
    "plot.clv.total_cost": {"en": "total customer cost", "zh": "顾客总成本"},
    "plot.clv.side": {"en": "side of the balance", "zh": "价值与成本"},
    "plot.clv.amount_axis": {"en": "amount (money equivalent)", "zh": "金额（货币当量）"},
    "plot.clv.delivered_title": {"en": "Delivered value {value}", "zh": "客户让渡价值 {value}"},
    "plot.clv.channel": {"en": "acquisition channel", "zh": "获客渠道"},
    "plot.clv.channel_title": {"en": "CLV:CAC by channel (healthy >= {ratio}:1)", "zh": "各渠道 CLV:CAC（健康线 ≥ {ratio}:1）"},
    # the tornado's factors (toolkit.clv.sensitivity.FACTORS: the course's eight CLV drivers) and valued totals
    "plot.clv.factor.horizon": {"en": "time horizon (years)", "zh": "时间跨度（年）"},
    "plot.clv.factor.discount_rate": {"en": "discount rate", "zh": "折现率"},
    "plot.clv.factor.retention": {"en": "retention rate", "zh": "保留率"},
    "plot.clv.factor.revenue_growth": {"en": "revenue change per year", "zh": "每年收入变化"},
    "plot.clv.factor.retention_cost": {"en": "maintenance (retention) cost per year", "zh": "每年维系（保留）成本"},
    "plot.clv.factor.annual_revenue": {"en": "purchase value (annual revenue)", "zh": "购买价值（年收入）"},
    "plot.clv.factor.referrals_per_year": {"en": "referral value (referrals per year)", "zh": "推荐价值（每年推荐人数）"},
    "plot.clv.factor.data_value": {"en": "data value per year", "zh": "每年数据价值"},
    "plot.clv.factor.margin": {"en": "gross margin", "zh": "毛利率"},
    "plot.clv.value.total": {"en": "total", "zh": "总"},
    "plot.clv.value.current": {"en": "current", "zh": "当前价值"},
    "plot.clv.value.potential": {"en": "potential", "zh": "潜在价值"},
    "plot.clv.value.historical": {"en": "historical", "zh": "历史价值"},
    "plot.clv.part.product": {"en": "product", "zh": "产品价值"},
    "plot.clv.part.service": {"en": "service", "zh": "服务价值"},
    "plot.clv.part.personnel": {"en": "personnel", "zh": "人员价值"},
    "plot.clv.part.image": {"en": "image", "zh": "形象价值"},
    "plot.clv.part.money": {"en": "money", "zh": "货币成本"},
    "plot.clv.part.time": {"en": "time", "zh": "时间成本"},
    "plot.clv.part.energy": {"en": "energy", "zh": "精力成本"},
    "plot.clv.part.psychological": {"en": "psychological", "zh": "心理成本"},
})


def _money():
    return tr("plot.clv.money")


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
        if v >= 0:
            ax.text(i, bottom + v, f"{v:,.0f}", ha="center", va="bottom", fontsize=8)
        else:  # a loss: its label below the bar says so, in words
            ax.text(i, bottom + v, f"{v:,.0f}\n{tr('plot.clv.negative')}", ha="center", va="top", fontsize=8,
                    color=_COLORS["neg"])
        bottom += v
    ax.bar(len(parts), result.total, color=_COLORS["total"], **style)
    ax.text(len(parts), result.total, f"{result.total:,.0f}", ha="center", va="bottom", fontsize=8, fontweight="bold")
    ax.set_xticks(range(len(parts) + 1), [tr(f"plot.clv.{k}") for k, _ in parts] + ["CLV"])
    ax.set_xlabel(tr("plot.clv.component"))
    ax.set_ylabel(tr("plot.clv.value_axis").format(money=_money()))
    ax.set_title(title or tr("plot.clv.waterfall_title"))
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
    ax.bar(years.index, years["present_value"], color=_COLORS["current"], label=tr("plot.clv.present_value"),
           **style)
    ax.plot(years.index, years["cumulative_pv"], color=_COLORS["total"], marker="o", ms=3,
            label=tr("plot.clv.cumulative"))
    ax.set_xlabel(tr("plot.clv.year"))
    ax.set_ylabel(tr("plot.clv.margin_axis").format(money=_money()))
    ax.legend(frameon=False, fontsize=8)
    ax.set_title(title or tr("plot.clv.years_title").format(value=f"{result.current:,.1f}"))
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
    ax.barh(y, t["value_low"] - base, left=base, color=OKABE_ITO[5], label=tr("plot.clv.factor_low"), **style)
    ax.barh(y, t["value_high"] - base, left=base, color=OKABE_ITO[4], label=tr("plot.clv.factor_high"), **style)
    ax.axvline(base, color="k", lw=0.8)
    ax.set_yticks(y, [tr(f"plot.clv.factor.{f}", lab) for f, lab in zip(t.index, t["label"])], fontsize=8)
    ax.set_xlabel(tr("plot.clv.tornado_x").format(value=tr(f"plot.clv.value.{sens.value}", sens.value),
                                                  money=_money()))
    ax.set_ylabel(tr("plot.clv.factor"))
    ax.legend(frameon=False, fontsize=8, loc="lower right")
    ax.set_title(title or tr("plot.clv.tornado_title").format(pct=f"{sens.pct:.0%}"))
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
    ax.set_xlabel(tr("plot.clv.discount_axis"))
    ax.set_ylabel(tr("plot.clv.retention_axis"))
    if annotate and table.size <= 150:
        for i in range(table.shape[0]):
            for j in range(table.shape[1]):
                ax.text(j, i, f"{table.iat[i, j]:,.0f}", ha="center", va="center", fontsize=5, color="w")
    ax.figure.colorbar(im, ax=ax, label=tr("plot.clv.clv_money").format(money=_money()))
    ax.set_title(title or tr("plot.clv.heatmap_title"))
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
    # light vermillion (< 1: loses money), light orange (below the health line), light blue (healthy)
    ax.barh(0, 1.0, color="#f3c5a8", height=0.6)
    ax.barh(0, econ.health_ratio - 1.0, left=1.0, color="#f5dca0", height=0.6)
    ax.barh(0, top - econ.health_ratio, left=econ.health_ratio, color="#b3d7ef", height=0.6)
    ax.plot([min(econ.ratio, top)] * 2, [-0.35, 0.35], color="k", lw=3)
    ax.axvline(econ.health_ratio, color=OKABE_ITO[4], ls="--", lw=1)
    ax.set_xlim(0, top)
    ax.set_yticks([])
    ax.set_xlabel(tr("plot.clv.ratio_axis"))
    ax.set_title(title or tr("plot.clv.gauge_title").format(ratio=econ.ratio, months=econ.payback_months), fontsize=9)
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
        ax.annotate(tr("plot.clv.breakeven").format(pts=promo.breakeven_uplift * 100), (promo.breakeven_uplift * 100, 0),
                    xytext=(5, 10), textcoords="offset points", fontsize=8)
    ax.set_xlabel(tr("plot.clv.uplift_axis"))
    ax.set_ylabel(tr("plot.clv.profit_axis").format(money=_money()))
    ax.set_title(title or tr("plot.clv.promo_title").format(cut=f"{promo.price_cut:.0%}"))
    return ax


def plot_clv_segments(seg, ax=None, *, current="current", potential="potential", title=None, **style):
    """Scatter of current x potential value coloured by CLV quadrant, from :func:`toolkit.clv.clv_segments`.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _ax(ax, figsize=(5.5, 4.5))
    colors = {"high-value": OKABE_ITO[4], "growth": OKABE_ITO[2], "watch": OKABE_ITO[0], "low-value": "#999999"}
    for lab, sub in seg.groupby("clv_segment", observed=True):
        ax.scatter(sub[current], sub[potential], s=style.pop("s", 8), color=colors.get(lab, "k"),
                   label=tr("plot.clv.segment_n").format(label=category_label(lab), n=len(sub)), alpha=0.6, **style)
    ct, pt = seg.attrs.get("current_threshold"), seg.attrs.get("potential_threshold")
    if ct is not None:
        ax.axvline(ct, color="k", lw=0.8, ls=":")
    if pt is not None:
        ax.axhline(pt, color="k", lw=0.8, ls=":")
    ax.set_xlabel(tr("plot.clv.current_axis").format(money=_money()))
    ax.set_ylabel(tr("plot.clv.potential_axis").format(money=_money()))
    ax.legend(frameon=False, fontsize=8)
    ax.set_title(title or tr("plot.clv.segments_title"))
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
    # value parts in blues, cost parts in oranges: a contrast that survives colour-vision deficiencies
    blues = ["#08519c", "#3182bd", "#6baed6", "#bdd7e7"]
    oranges = ["#a63603", "#e6550d", "#fd8d3c", "#fdbe85"]
    for x, parts, cols in ((0, dv.values, blues), (1, dv.costs, oranges)):
        bottom = 0.0
        for (k, v), col in zip(parts.items(), cols):
            if v:
                ax.bar(x, v, bottom=bottom, color=col, label=tr(f"plot.clv.part.{k}", k), **style)
                bottom += v
    ax.set_xticks([0, 1], [tr("plot.clv.total_value"), tr("plot.clv.total_cost")])
    ax.set_xlabel(tr("plot.clv.side"))
    ax.set_ylabel(tr("plot.clv.amount_axis"))
    ax.legend(frameon=False, fontsize=7, ncol=2)
    ax.set_title(title or tr("plot.clv.delivered_title").format(value=f"{dv.delivered:,.1f}"))
    return ax


def plot_channel_economics(table, ax=None, *, title=None, health_ratio=3.0, **style):
    """CLV:CAC per acquisition channel with the health line, from :func:`toolkit.clv.channel_economics`.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _ax(ax)
    colors = np.where(table["clv_cac"] >= health_ratio, OKABE_ITO[4], OKABE_ITO[5])
    ax.bar([category_label(i) for i in table.index], table["clv_cac"], color=colors, **style)
    ax.axhline(health_ratio, color="k", ls="--", lw=1)
    ax.set_xlabel(tr("plot.clv.channel"))
    ax.set_ylabel(tr("plot.clv.ratio_axis"))
    ax.set_title(title or tr("plot.clv.channel_title").format(ratio=f"{health_ratio:g}"))
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

    # constrained layout: tight_layout let the tornado's long factor names run over its axis label
    fig = Figure(figsize=figsize, layout="constrained")
    axes = fig.subplots(2, 2, gridspec_kw={"height_ratios": [3, 2]})
    plot_waterfall(result, ax=axes[0, 0])
    if sensitivity is not None:
        plot_tornado(sensitivity, ax=axes[0, 1])
    else:
        axes[0, 1].set_axis_off()
    plot_years(result, ax=axes[1, 0])
    # the short bottom row cannot hold the margin label on one line: its unit goes on a second line
    axes[1, 0].set_ylabel(axes[1, 0].get_ylabel().replace(" (", "\n(", 1).replace("（", "\n（", 1))
    if economics is not None:
        plot_clv_cac_gauge(economics, ax=axes[1, 1])
    else:
        axes[1, 1].set_axis_off()
    return fig


def delivered_value_figure(dv, *, figsize=(5.5, 3.6)):
    """:func:`plot_delivered_value` on a standalone :class:`matplotlib.figure.Figure` (not registered with pyplot).

    Used by :mod:`toolkit.widgets.delivered_value`: redraws leak no pyplot figures and nothing is shown twice.

    Parameters
    ----------
    dv : toolkit.clv.DeliveredValue
    figsize : tuple, default (5.5, 3.6)

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize)
    plot_delivered_value(dv, ax=fig.add_subplot())
    fig.tight_layout()
    return fig
