"""Journey plots: funnel chart, transition heatmap, Sankey / alluvial flows, journey-map board, NPS bar.

Every function takes a finished result from :mod:`toolkit.journey` and ``ax=None``, and returns the Axes.
Colours are colour-blind safe: the Okabe-Ito palette (Okabe & Ito 2008) for categories and ``cividis`` for
heatmaps; the biggest gaps are marked in vermilion with a hatch, so they do not rely on colour alone.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path

from ..errors import ParameterError
from ..formatting import value_label
from ..i18n import get_language, register, tr
from ._fonts import PNG_RC

__all__ = ["plot_funnel", "plot_transition_heatmap", "plot_sankey", "plot_journey_board", "plot_nps",
           "journey_dashboard", "JourneyDashboard"]

#: Okabe-Ito palette (without black).
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999"]
_GAP = "#D55E00"
_ANNOTATE_FROM = 0.5  # heatmap cells below this share (%) are left blank


def _cell_text_color(value):
    return "black" if value > 60 else "white"

register({
    "journey.plot.funnel_title": {"en": "Funnel: customers reaching each step", "zh": "漏斗：到达各步骤的客户"},
    "journey.plot.customers": {"en": "customers (count)", "zh": "客户数（人）"},
    "journey.plot.step": {"en": "step", "zh": "步骤"},
    "journey.plot.biggest_drop": {"en": "biggest drop-off", "zh": "最大流失"},
    "journey.plot.transition_title": {"en": "Transitions: share of moves out of each state",
                                      "zh": "转移矩阵：各状态流出去向占比"},
    "journey.plot.from": {"en": "from", "zh": "来自"},
    "journey.plot.to": {"en": "to", "zh": "去向"},
    "journey.plot.share": {"en": "share of moves (%)", "zh": "去向占比（%）"},
    "journey.plot.sankey_title": {"en": "Journey flows, step by step", "zh": "客户旅程流向（逐步）"},
    "journey.plot.steps": {"en": "journey step (1 = first touchpoint)", "zh": "旅程步骤（1 = 首次接触）"},
    "journey.plot.board_title": {"en": "Journey map: stages, KPIs and gaps", "zh": "客户旅程地图：阶段、指标与缺口"},
    "journey.plot.nps_title": {"en": "Net Promoter Score", "zh": "净推荐值（NPS）"},
    "journey.plot.nps_ci": {"en": "{title} ({level} CI)", "zh": "{title}（{level} 置信区间）"},
    "journey.plot.nps_share": {"en": "share of answers (%)", "zh": "回答占比（%）"},
    "journey.plot.detractors": {"en": "detractors 0-6", "zh": "贬损者 0-6"},
    "journey.plot.passives": {"en": "passives 7-8", "zh": "被动者 7-8"},
    "journey.plot.promoters": {"en": "promoters 9-10", "zh": "推荐者 9-10"},
    "journey.plot.gap": {"en": "biggest gap", "zh": "最大缺口"},
    "journey.plot.group": {"en": "group", "zh": "分组"},
    "journey.plot.step_share": {"en": "  step {share}", "zh": "  步骤转化 {share}"},
    "journey.plot.drop_note": {"en": "{label}: {stage} (hatched)", "zh": "{label}：{stage}（斜线标出）"},
    "journey.plot.gap_note": {"en": "{label}: hatched, orange", "zh": "{label}：斜线、橙色标出"},
    # the pseudo-states of transition matrices and flows (toolkit.journey.START / EXIT)
    "journey.(start)": {"en": "(start)", "zh": "（开始）"},
    "journey.(exit)": {"en": "(exit)", "zh": "（退出）"},
    "journey.(other)": {"en": "(other)", "zh": "（其他）"},
})


def _ax(ax, figsize):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def _label(name):
    """A stage or event name: the journey catalogue, else (in Chinese) the value labels; English keeps the name."""
    text = tr(f"journey.{name}", "\0")
    if text != "\0":
        return text
    return str(name) if get_language() == "en" else value_label(name)


def _kpi_label(name):
    """A KPI row of the journey board (``people reached``, ``median dwell (D)``) in the current language."""
    if get_language() == "en":
        return str(name)
    from ..formatting import _zh_value
    from .. import _zh  # noqa: F401  (the KPI names' Chinese)

    return _zh_value(str(name)) or str(name)


def _unit_text(unit):
    """The unit after a duration on the board: the code in English (``D``), the word in Chinese (天)."""
    words = {"D": "days", "W": "weeks", "M": "months"}
    return unit if get_language() == "en" else tr(f"unit.{words[unit]}", unit)


def plot_funnel(result, ax=None, *, group=None, title=None, color=OKABE_ITO[0]):
    """Horizontal funnel: customers per step, with overall and step conversion; the biggest drop-off marked.

    Parameters
    ----------
    result : toolkit.journey.FunnelResult
    ax : matplotlib Axes, optional
    group : label, optional
        Draw one group of a split funnel.
    title : str, optional
    color : str

    Returns
    -------
    matplotlib.axes.Axes
    """
    table, worst = _funnel_view(result, group)
    n = len(table)
    ax = _ax(ax, (7, 0.6 * n + 1.5))
    bars = _funnel_bars(table, worst, color)
    y = np.arange(n)
    for i, (w, left, face, hatch, text, text_color) in enumerate(bars["bars"]):
        ax.barh(i, w, left=left, color=face, hatch=hatch, edgecolor="white")
        ax.text(bars["top"] / 2, i, text, ha="center", va="center", fontsize=8, color=text_color, weight="bold")
    ax.set_yticks(y)
    ax.set_yticklabels([_label(s) for s in table.index], fontsize=9)
    ax.set_ylim(n + 0.2, -0.5)  # a free band below the last bar for the drop-off note (never over a bar)
    ax.set_xlim(0, bars["top"] * 1.02)
    ax.set_xlabel(tr("journey.plot.customers", "customers (count)"))
    ax.set_ylabel(tr("journey.plot.step", "step"))
    if title is None:
        title = tr("journey.plot.funnel_title", "Funnel: customers reaching each step")
        if group is not None:
            title += f" — {group}"
    ax.set_title(title)
    if worst is not None:
        ax.text(0.99, 0.02, bars["note"], transform=ax.transAxes, ha="right", va="bottom", fontsize=8, color=_GAP)
    return ax


def _funnel_view(result, group=None):
    """(step table, the step with the biggest drop-off or None) of a funnel or one group of a split funnel."""
    table = result.table if group is None else result.by.xs(group, level=0)
    worst = result.biggest_drop if group is None else (
        None if table["drop_off_rate"].iloc[1:].dropna().empty else table["drop_off_rate"].iloc[1:].idxmax())
    return table, worst


def _funnel_bars(table, worst, color):
    """What plot_funnel draws: per step (width, left, colour, hatch, label, label colour), the axis top, the note."""
    counts = table["customers"].to_numpy(dtype=float)
    top = counts[0] if len(counts) and counts[0] > 0 else 1.0
    overall = table["overall_conversion"].to_numpy(dtype=float)
    step = table["step_conversion"].to_numpy(dtype=float)
    bars = []
    for i, name in enumerate(table.index):
        is_gap = name == worst
        text = f"{int(counts[i]):,}  ({overall[i]:.0%})"
        if i > 0 and np.isfinite(step[i]):
            text += tr("journey.plot.step_share").format(share=f"{step[i]:.0%}")
        bars.append((counts[i], (top - counts[i]) / 2, _GAP if is_gap else color, "//" if is_gap else None, text,
                     "white" if is_gap else "black"))
    note = None if worst is None else \
        tr("journey.plot.drop_note").format(label=tr("journey.plot.biggest_drop", "biggest drop-off"), stage=_label(worst))
    return {"bars": bars, "top": top, "note": note}


def plot_transition_heatmap(result, ax=None, *, annotate=None, cmap="cividis", title=None):
    """Heatmap of transition shares (rows: from, columns: to, including start and exit).

    Parameters
    ----------
    result : toolkit.journey.TransitionResult
    ax : matplotlib Axes, optional
    annotate : bool, optional
        Write the shares in the cells (default when at most 14 states).
    cmap : str, default "cividis"
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    p = result.probabilities.fillna(0.0)
    values = p.to_numpy() * 100
    r, c = values.shape
    ax = _ax(ax, (min(3 + 0.6 * c, 14), min(2.5 + 0.45 * r, 12)))
    im = ax.imshow(values, cmap=cmap, vmin=0, vmax=100, aspect="auto", interpolation="nearest")
    cbar = ax.figure.colorbar(im, ax=ax, fraction=0.04, pad=0.02)
    cbar.set_label(tr("journey.plot.share", "share of moves (%)"))
    if annotate is None:
        annotate = c <= 15
    if annotate:
        for i in range(r):
            for j in range(c):
                if values[i, j] >= _ANNOTATE_FROM:
                    ax.text(j, i, f"{values[i, j]:.0f}", ha="center", va="center", fontsize=7,
                            color=_cell_text_color(values[i, j]))
    ax.set_xticks(range(c))
    ax.set_xticklabels([_label(x) for x in p.columns], rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(r))
    ax.set_yticklabels([_label(x) for x in p.index], fontsize=8)
    ax.set_xlabel(tr("journey.plot.to", "to"))
    ax.set_ylabel(tr("journey.plot.from", "from"))
    ax.set_title(title or tr("journey.plot.transition_title", "Transitions: share of moves out of each state"))
    return ax


def plot_sankey(flow, ax=None, *, title=None, min_share=0.0, gap=0.02):
    """Alluvial (Sankey) chart of :func:`toolkit.journey.flows`: one column per step, ribbons between them.

    Readable with up to about 12 nodes per step (``flows(max_nodes=12)`` groups the rest into ``(other)``).
    States keep one colour across steps; ``(exit)`` is grey.

    Parameters
    ----------
    flow : toolkit.journey.FlowResult
    ax : matplotlib Axes, optional
    title : str, optional
    min_share : float, default 0
        Hide ribbons carrying less than this share of the customers.
    gap : float, default 0.02
        Vertical gap between nodes, as a share of the column height.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _ax(ax, (2.6 * flow.n_steps + 2, 6))
    nodes, links = flow.nodes, flow.links
    order = list(flow.states) + ["(other)", "(exit)"]
    colors = {s: OKABE_ITO[k % len(OKABE_ITO)] for k, s in enumerate(flow.states)}
    colors["(other)"] = "#BBBBBB"
    colors["(exit)"] = "#DDDDDD"
    total = nodes.loc[nodes["step"] == 0, "customers"].sum() or 1
    width = 0.18
    pos = {}
    k_max = int(nodes.groupby("step").size().max()) if len(nodes) else 1
    scale = (1 - gap * max(k_max - 1, 0)) / total  # one scale for every column: ribbons keep their width
    for step in range(flow.n_steps):
        col = nodes[nodes["step"] == step].copy()
        col["rank"] = col["state"].map({s: k for k, s in enumerate(order)})
        col = col.sort_values("rank")
        y = 1.0
        for _, row in col.iterrows():
            h = row["customers"] * scale
            y0 = y - h
            pos[(step, row["state"])] = [y0, y, y, y]  # bottom, top, next outgoing top, next incoming top
            ax.add_patch(Rectangle((step - width / 2, y0), width, h, facecolor=colors.get(row["state"], "#999"),
                                   edgecolor="white"))
            if h > 0.025:
                ax.text(step, y0 + h / 2, f"{_label(row['state'])}\n{int(row['customers']):,}", ha="center",
                        va="center", fontsize=7)
            y = y0 - gap
    for _, row in links.sort_values(["step", "customers"], ascending=[True, False]).iterrows():
        if row["customers"] / total < min_share:
            continue
        s, t = (row["step"], row["source"]), (row["step"] + 1, row["target"])
        if s not in pos or t not in pos:
            continue
        src, dst = pos[s], pos[t]
        h = row["customers"] * scale
        y_s1, y_t1 = src[2], dst[3]
        src[2] -= h
        dst[3] -= h
        x0, x1 = s[0] + width / 2, t[0] - width / 2
        xm = (x0 + x1) / 2
        verts = [(x0, y_s1), (xm, y_s1), (xm, y_t1), (x1, y_t1), (x1, y_t1 - h), (xm, y_t1 - h), (xm, y_s1 - h),
                 (x0, y_s1 - h), (x0, y_s1)]
        codes = [Path.MOVETO, Path.CURVE4, Path.CURVE4, Path.CURVE4, Path.LINETO, Path.CURVE4, Path.CURVE4,
                 Path.CURVE4, Path.CLOSEPOLY]
        ax.add_patch(PathPatch(Path(verts, codes), facecolor=colors.get(row["source"], "#999"), alpha=0.35,
                               edgecolor="none"))
    ax.set_xlim(-0.5, flow.n_steps - 0.5)
    ax.set_ylim(min(v[0] for v in pos.values()) - 0.02 if pos else 0, 1.02)
    ax.set_xticks(range(flow.n_steps))
    ax.set_xticklabels([str(k + 1) for k in range(flow.n_steps)])
    ax.set_xlabel(tr("journey.plot.steps", "journey step (1 = first touchpoint)"))
    ax.set_yticks([])
    ax.set_ylabel(tr("journey.plot.customers", "customers (count)"))
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.set_title(title or tr("journey.plot.sankey_title", "Journey flows, step by step"))
    return ax


def _fmt(v, unit):
    if v is None or not np.isfinite(v):
        return ""
    if unit == "share":
        return f"{v:.0%}"
    if unit in ("D", "W", "M"):
        return f"{v:.1f} {_unit_text(unit)}"
    if unit == "points":
        return f"{v:+.0f}"
    return f"{v:,.0f}" if abs(v) >= 10 else f"{v:,.2f}"


def plot_journey_board(board, ax=None, *, title=None):
    """The journey-map board: stages across, KPIs and gaps down; the biggest gaps highlighted.

    Parameters
    ----------
    board : toolkit.journey.JourneyBoard
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    grid, flags = board.grid, board.flags
    r, c = grid.shape
    ax = _ax(ax, (2.1 * c + 2.5, 0.38 * r + 1.6))
    ax.set_xlim(-1.6, c)
    ax.set_ylim(r + 0.2, -1.2)
    ax.axis("off")
    for j, stage in enumerate(grid.columns):
        ax.add_patch(Rectangle((j + 0.04, -1.05), 0.92, 0.9, facecolor=OKABE_ITO[j % len(OKABE_ITO)], alpha=0.85))
        ax.text(j + 0.5, -0.6, _label(stage), ha="center", va="center", fontsize=9, color="white", weight="bold")
    for i, row in enumerate(grid.index):
        ax.text(-1.55, i + 0.5, _kpi_label(row), ha="left", va="center", fontsize=8)
        unit = board.units.get(row, "")
        for j, stage in enumerate(grid.columns):
            v = grid.iloc[i, j]
            hot = bool(flags.iloc[i, j])
            ax.add_patch(Rectangle((j + 0.04, i + 0.06), 0.92, 0.88, facecolor="#FBE3D6" if hot else "#F4F4F4",
                                   edgecolor=_GAP if hot else "white", hatch="//" if hot else None,
                                   linewidth=1.5 if hot else 0.5))
            text = _fmt(v, unit)
            ax.text(j + 0.5, i + 0.5, text, ha="center", va="center", fontsize=8,
                    color=_GAP if hot else "black", weight="bold" if hot else "normal")
    ax.text(c, r + 0.15, tr("journey.plot.gap_note").format(label=tr("journey.plot.gap", "biggest gap")), ha="right", va="top",
            fontsize=8, color=_GAP)
    ax.set_title(title or tr("journey.plot.board_title", "Journey map: stages, KPIs and gaps"))
    return ax


def plot_nps(result, ax=None, *, title=None):
    """Stacked bars of detractors, passives and promoters per group, with NPS and its confidence interval.

    Parameters
    ----------
    result : toolkit.journey.NPSResult
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    t = result.table
    n = len(t)
    ax = _ax(ax, (8, 0.5 * n + 1.5))
    y = np.arange(n)
    left = np.zeros(n)
    parts = [("detractor_share", _GAP, "journey.plot.detractors", "detractors 0-6"),
             ("passive_share", "#999999", "journey.plot.passives", "passives 7-8"),
             ("promoter_share", OKABE_ITO[2], "journey.plot.promoters", "promoters 9-10")]
    for col, color, key, default in parts:
        vals = t[col].to_numpy(dtype=float) * 100
        ax.barh(y, vals, left=left, color=color, label=tr(key, default), edgecolor="white")
        left += np.nan_to_num(vals)
    for i, (_, row) in enumerate(t.iterrows()):
        ax.text(101, i, f"NPS {row['nps']:+.0f} [{row['lower']:+.0f}, {row['upper']:+.0f}]  n={int(row['responses']):,}",
                va="center", fontsize=8)
    ax.set_yticks(y)
    ax.set_yticklabels([_label(g) for g in t.index], fontsize=9)
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_xlim(0, 150)
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.set_xlabel(tr("journey.plot.nps_share", "share of answers (%)"))
    name = t.index.name
    if name in (None, "group"):
        name = tr("journey.plot.group", "group")
    elif get_language() != "en":
        from ..formatting import label

        name = label(name)
    ax.set_ylabel(str(name))
    # right of the axes (below them it ran into the x label)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, frameon=False)
    ax.set_title(title or tr("journey.plot.nps_ci").format(title=tr("journey.plot.nps_title", "Net Promoter Score"),
                                                           level=f"{1 - result.alpha:.0%}"))
    return ax


def journey_dashboard(funnel_result, transitions, *, title=None, figsize=(12, 4.2)):
    """Funnel and transition heatmap side by side (the journey explorer's figure).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize)  # fixed margins: constrained layout would double the drawing time
    ax1, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.1]})
    fig.subplots_adjust(left=0.1, right=0.97, bottom=0.25, top=0.9, wspace=0.45)
    plot_funnel(funnel_result, ax=ax1, title=title)
    plot_transition_heatmap(transitions, ax=ax2)
    return fig


class JourneyDashboard:
    """:func:`journey_dashboard` kept between redraws, for an interactive view.

    :meth:`update` builds the figure the first time; later, while the funnel has the same number of steps and
    the transitions the same number of states, it changes the data of the existing artists (bars, labels,
    heatmap cells, tick labels) instead of building a new figure. :meth:`png` renders it: the parts that do not
    change with the selection (titles, axis names, step and state names, colour bar) are drawn once and kept as
    a picture, and only the bars, the customer axis, the cells and their labels are drawn over it. The PNG is
    the one a new :func:`journey_dashboard` gives (saved with :data:`PNG_RC`), up to the antialiasing of the few
    pixels where a tick mark meets an axis line. ``figure`` stays a normal figure: ``savefig`` draws it whole.

    Parameters
    ----------
    title : str, optional
        Funnel title (default the translated "Funnel: customers reaching each step").
    figsize : tuple, default (12, 4.2)

    Examples
    --------
    >>> dash = JourneyDashboard()                        # doctest: +SKIP
    >>> fig = dash.update(funnel_result, transitions)    # doctest: +SKIP
    >>> png = dash.png(dpi=64)                           # doctest: +SKIP
    """

    def __init__(self, *, title=None, figsize=(12, 4.2)):
        self.title = title
        self.figsize = figsize
        self.figure = None
        self.n_built = 0
        self._shown = (None, None)
        self._png = {}

    def update(self, funnel_result, transitions):
        """Show these results; returns the :class:`~matplotlib.figure.Figure`."""
        if self.figure is not None and self._shown[0] is funnel_result and self._shown[1] is transitions:
            return self.figure  # the same results: nothing to change, and the last PNG still holds
        self._shown = (funnel_result, transitions)
        self._png = {}
        p = transitions.probabilities.fillna(0.0)
        table, worst = _funnel_view(funnel_result)
        shape = (len(table), p.shape)
        if self.figure is None or shape != self._shape:
            self._build(funnel_result, transitions)
            self._shape = shape
            return self.figure
        ax1, ax2 = self.figure.axes[:2]
        # funnel: bars, their labels, limits, step names and the drop-off note
        bars = _funnel_bars(table, worst, OKABE_ITO[0])
        for (rect, label), (w, left, face, hatch, text, text_color) in zip(self._bars, bars["bars"]):
            rect.set_x(left)
            rect.set_width(w)
            rect.set_facecolor(face)
            rect.set_hatch(hatch)
            label.set_x(bars["top"] / 2)
            label.set_text(text)
            label.set_color(text_color)
        ax1.set_xlim(0, bars["top"] * 1.02)
        names = [_label(s) for s in table.index]
        if names != self._names:
            ax1.set_yticklabels(names, fontsize=9)
            self._names = names
            self._background = None  # the fixed part of the picture changed
        self._note.set_text(bars["note"] or "")
        self._note.set_visible(worst is not None)
        # heatmap: cell colours, cell labels and state names
        values = p.to_numpy() * 100
        self._image.set_data(values)
        for (i, j), cell in self._cells.items():
            v = values[i, j]
            cell.set_visible(bool(v >= _ANNOTATE_FROM))
            cell.set_text(f"{v:.0f}")
            cell.set_color(_cell_text_color(v))
        axes = ([_label(x) for x in p.columns], [_label(x) for x in p.index])
        if axes != self._states:
            ax2.set_xticklabels(axes[0], rotation=45, ha="right", fontsize=8)
            ax2.set_yticklabels(axes[1], fontsize=8)
            self._states = axes
            self._background = None
        return self.figure

    def _build(self, funnel_result, transitions):
        fig = journey_dashboard(funnel_result, transitions, title=self.title, figsize=self.figsize)
        ax1, ax2 = fig.axes[:2]
        table, worst = _funnel_view(funnel_result)
        n = len(table)
        rects = list(ax1.patches)[:n]
        texts = list(ax1.texts)
        self._bars = list(zip(rects, texts[:n]))
        if worst is None:
            self._note = ax1.text(0.99, 0.02, "", transform=ax1.transAxes, ha="right", va="bottom", fontsize=8,
                                  color=_GAP, visible=False)
        else:
            self._note = texts[n]
        self._names = [_label(s) for s in table.index]
        # one text per heatmap cell (hidden below the annotation threshold), in the order plot_transition_heatmap
        # draws them, so that updates only change their content
        p = transitions.probabilities.fillna(0.0)
        values = p.to_numpy() * 100
        self._image = ax2.images[0]
        for t in list(ax2.texts):
            t.remove()
        self._cells = {}
        if values.shape[1] <= 15:
            for i in range(values.shape[0]):
                for j in range(values.shape[1]):
                    v = values[i, j]
                    self._cells[(i, j)] = ax2.text(j, i, f"{v:.0f}", ha="center", va="center", fontsize=7,
                                                   color=_cell_text_color(v), visible=bool(v >= _ANNOTATE_FROM))
        self._states = ([_label(x) for x in p.columns], [_label(x) for x in p.index])
        # the artists that change with the results are drawn over a saved picture of the rest (see png); they
        # are "animated" only for the canvas's own drawing: savefig draws every artist as usual
        moving = ([rect for rect, _ in self._bars] + list(ax1.texts) + [ax1.xaxis] + list(ax1.spines.values())
                  + [self._image] + list(self._cells.values()) + list(ax2.spines.values()))
        for artist in moving:
            artist.set_animated(True)
        moving = set(moving)
        self._moving = [(ax, sorted((a for a in ax.get_children() if a in moving), key=lambda a: a.zorder))
                        for ax in (ax1, ax2)]  # in the order Axes.draw uses (stable sort by zorder)
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(fig)  # a canvas of its own, kept between redraws
        self.figure = fig
        self._background = None
        self.n_built += 1

    def png(self, dpi=64) -> bytes:
        """PNG bytes of the current figure, drawn with :data:`PNG_RC` (kept until the next change)."""
        import io

        import matplotlib
        import matplotlib.image

        if self.figure is None:
            raise ParameterError("Nothing drawn yet: call update(funnel_result, transitions) first.")
        if dpi not in self._png:
            from ._texts import rendered

            rendered(self.figure)
            canvas = self.figure.canvas
            with matplotlib.rc_context(PNG_RC):
                if self._background is None or self._background[0] != dpi:
                    # titles, axis names, tick labels of the steps and states, colour bar: drawn once per map
                    self.figure.set_dpi(dpi)
                    canvas.draw()
                    self._background = (dpi, canvas.copy_from_bbox(self.figure.bbox))
                else:
                    canvas.restore_region(self._background[1])
                for ax, artists in self._moving:
                    for artist in artists:
                        ax.draw_artist(artist)
            buf = io.BytesIO()
            matplotlib.image.imsave(buf, np.asarray(canvas.buffer_rgba()), format="png", dpi=dpi,
                                    pil_kwargs={"compress_level": 1})  # fast zlib level
            self._png = {dpi: buf.getvalue()}
        return self._png[dpi]

