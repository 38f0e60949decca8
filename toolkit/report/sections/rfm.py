"""Report section: RFM scores and segments, value tiers, revenue concentration."""

from __future__ import annotations

import math

import pandas as pd

from ...i18n import tr
from ..base import ReportContext, Section
from ..format import _money_fmt


# ---------------------------------------------------------------------------------------------- RFM
def section_rfm(ctx: ReportContext) -> Section:
    """RFM scores and segments, the course's value tiers and revenue concentration."""
    from ... import rfm
    from ...plotting import rfm as rfm_plots

    s = ctx.settings
    summary = ctx.summary
    sec = Section("rfm", tr("report.section.rfm", "RFM and value tiers"), intro=tr(
        "report.intro.rfm",
        "Customers scored on recency, frequency and money and grouped into segments and the course's value tiers "
        "(high, potential, regular, dormant), with how concentrated revenue is."))
    scores = rfm.rfm_scores(summary, bins=s.bins)
    segments = rfm.assign_segments(scores, s.segment_map)
    seg_table = rfm.segment_summary(segments)
    tiers = rfm.value_tiers(ctx.transactions, benchmark_mean=s.benchmark_mean)
    tier_table = rfm.segment_summary(summary, segment_col="tier", labels=tiers)
    conc = rfm.revenue_concentration(summary)
    ctx.cache["tiers"] = tiers
    n = len(summary)
    sec.add_number("customers", "customers", n)
    for tier in ("high", "dormant"):
        share = tier_table.loc[tier, "share"] if tier in tier_table.index else 0.0
        sec.add_number(f"{tier}_share", f"{tier}-value tier" if tier == "high" else "dormant tier", share, "{:.1%}")
    if "high" in tier_table.index:
        sec.add_number("high_revenue_share", "revenue from the high-value tier", tier_table.loc["high", "revenue_share"],
                       "{:.1%}")
    sec.add_number("top20_revenue_share", "revenue from the top 20% of customers",
                   conc.top.loc["top 20%", "revenue_share"] if "top 20%" in conc.top.index else math.nan, "{:.1%}")
    sec.add_number("gini", "Gini coefficient of revenue", conc.gini, "{:.2f}")
    top20 = sec.numbers["top20_revenue_share"]
    if math.isfinite(top20):
        sec.intro += " " + (tr("report.sowhat.rfm.concentrated",
                               "The top 20% of customers bring {top20} of revenue: losing a few of them costs more "
                               "than losing many others.") if top20 >= 0.5 else
                            tr("report.sowhat.rfm.spread",
                               "The top 20% of customers bring only {top20} of revenue: value is spread, so broad "
                               "programmes matter more than key accounts.")).format(top20=f"{top20:.0%}")
    sec.add_number("benchmark_mean", "benchmark mean annual spend", tiers.attrs["benchmark_mean"], _money_fmt(ctx))
    sec.add_figure(tr("report.fig.tiers", "Customers and revenue by value tier"),
                   lambda ax: rfm_plots.plot_segments(_labelled(tier_table), ax=ax,
                                                      title=tr("report.fig.tiers", "Customers and revenue by value tier")),
                   figsize=(7, 3.6))
    sec.add_figure(tr("report.fig.rf", "Customers by R and F score"),
                   lambda ax: rfm_plots.plot_rf_heatmap(segments, ax=ax, title=tr("report.fig.rf", "Customers by R and F score")),
                   figsize=(6, 4.8))
    sec.add_figure(tr("report.fig.pareto", "Revenue concentration"),
                   lambda ax: rfm_plots.plot_pareto(conc, ax=ax), figsize=(6, 4.6))
    tier_table.attrs["time_unit"] = seg_table.attrs["time_unit"] = ctx.transactions.time_unit  # mean_since_last
    sec.tables["value tiers"] = tier_table
    sec.tables["value tier rules"] = pd.DataFrame(tiers.attrs["rules"]).T
    sec.tables["RFM segments"] = seg_table
    sec.tables["revenue concentration"] = conc.top
    return sec


def _labelled(table):
    """The table with its categories and index name in words of the report's language (for a figure)."""
    from ...formatting import label, value_label

    return table.rename(index=value_label).rename_axis(label(table.index.name) if table.index.name else None)
