"""Lifecycle plots: a customer's timeline with stage shading, stage flows (alluvial), pattern mix, confusion matrix.

Every function takes a finished result from :mod:`toolkit.lifecycle` and ``ax=None``, and returns the Axes.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Patch, Polygon

from ..formatting import category_label
from ..i18n import get_language, tr
from ..lifecycle import PATTERNS, STAGES, TOO_EARLY
from .rfm import OKABE_ITO

__all__ = ["STAGE_COLORS", "PATTERN_COLORS", "plot_customer_timeline", "customer_timeline_figure",
           "plot_stage_flow", "plot_pattern_mix", "plot_confusion"]

#: Colour-blind-safe stage colours (Okabe & Ito 2008): sky blue, blue, bluish green, orange, vermillion.
STAGE_COLORS = {"exploration": OKABE_ITO[1], "formation": OKABE_ITO[4], "stability": OKABE_ITO[2],
                "deterioration": OKABE_ITO[0], "lost": OKABE_ITO[5], "new": "#BBBBBB"}
#: Pattern colours; "too early to tell" is grey.
PATTERN_COLORS = {"early_abortion": OKABE_ITO[5], "mid_term_abortion": OKABE_ITO[0], "early_exit": OKABE_ITO[6],
                  "long_term_retention": OKABE_ITO[2], TOO_EARLY: "#BBBBBB"}


def _label(name):
    if name in STAGES:
        return tr(f"stage.{name}")
    key = {"mid_term_abortion": "midterm_abortion", TOO_EARLY: "too_early"}.get(name, name)
    return tr(f"pattern.{key}", name.replace("_", " "))


def _ax(ax, figsize):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def plot_customer_timeline(timeline, ax=None, **style):
    """Stages of one customer as shaded spans and her purchases as stems (spend per purchase day).

    Parameters
    ----------
    timeline : toolkit.lifecycle.CustomerTimeline
        From :func:`toolkit.lifecycle.customer_timeline`.
    ax : matplotlib Axes, optional
    """
    ax = _ax(ax, (9, 3))
    seen = set()
    for row in timeline.segments.itertuples():
        ax.axvspan(row.start, row.end, color=STAGE_COLORS[row.stage], alpha=0.25, lw=0,
                   label=None if row.stage in seen else _label(row.stage))
        seen.add(row.stage)
    p = timeline.purchases
    ax.vlines(p["date"], 0, p["amount"], color=style.pop("color", "#000000"), lw=style.pop("lw", 1.2), **style)
    ax.plot(p["date"], p["amount"], "o", color="#000000", ms=3)
    ax.set_ylim(0, max(float(p["amount"].max()) * 1.15, 1.0))
    ax.set_title(tr("lifecycle.timeline_title").format(cid=timeline.customer_id)
                 + f" — {_label(timeline.explanation.stage) if timeline.explanation.stage in STAGES else ''}, "
                 f"{_label(timeline.explanation.pattern) if timeline.explanation.pattern in PATTERNS + (TOO_EARLY,) else ''}")
    ax.set_xlabel(tr("lifecycle.date"))
    ax.set_ylabel(tr("lifecycle.spend"))
    ax.legend(loc="upper left", fontsize="small", ncol=5, frameon=False)
    ax.figure.autofmt_xdate()
    return ax


def customer_timeline_figure(timeline, figsize=(9, 3)):
    """A standalone Figure (not registered with pyplot, so never auto-displayed) with the customer's timeline."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize)
    ax = fig.add_subplot()
    plot_customer_timeline(timeline, ax=ax)
    fig.tight_layout()
    return fig


def plot_stage_flow(result, ax=None, *, share=False, width=0.25, **style):
    """Alluvial chart: stacked stage bars at each snapshot, with bands for the customers moving between stages.

    Parameters
    ----------
    result : toolkit.lifecycle.LifecycleResult
        With two or more snapshots (``classifier.classify(at=snapshot_dates(...))``).
    share : bool, default False
        Heights as shares of the customers at each snapshot instead of counts.
    width : float, default 0.25
        Bar width (the gap between snapshots is 1).
    """
    ax = _ax(ax, (10, 4.5))
    codes = result.stage_codes
    k = len(result.dates)
    ns = len(STAGES)
    totals = np.maximum((codes >= 0).sum(axis=1), 1)
    scale = (1.0 / totals) if share else np.ones(k)
    # bar segments: stage order bottom-up = lost at the bottom
    order = list(range(ns))[::-1]
    bottoms = np.zeros((k, ns))
    heights = np.zeros((k, ns))
    for q in range(k):
        counts = np.bincount(codes[q][codes[q] >= 0].astype(np.int64), minlength=ns) * scale[q]
        y = 0.0
        for s in order:
            bottoms[q, s] = y
            heights[q, s] = counts[s]
            y += counts[s]
    for q in range(k):
        for s in order:
            ax.bar(q, heights[q, s], bottom=bottoms[q, s], width=width, color=STAGE_COLORS[STAGES[s]],
                   edgecolor="white", lw=0.5, **style)
    # bands between snapshots
    for q in range(1, k):
        a, b = codes[q - 1], codes[q]
        keep = (a >= 0) & (b >= 0)
        cell = np.bincount(a[keep].astype(np.int64) * ns + b[keep], minlength=ns * ns).reshape(ns, ns)
        out_off = bottoms[q - 1].copy()
        in_off = bottoms[q].copy()
        # customers acquired in between enter at the top of their stage's bar, so flows start at the bottom
        for s in order:
            for t in order:
                c = cell[s, t]
                if c == 0:
                    continue
                h0, h1 = c * scale[q - 1], c * scale[q]
                x0, x1 = q - 1 + width / 2, q - width / 2
                poly = Polygon([(x0, out_off[s]), (x1, in_off[t]), (x1, in_off[t] + h1), (x0, out_off[s] + h0)],
                               closed=True, color=STAGE_COLORS[STAGES[s]], alpha=0.35, lw=0)
                ax.add_patch(poly)
                out_off[s] += h0
                in_off[t] += h1
    ax.set_xticks(range(k))
    ax.set_xticklabels([f"{d:%Y-%m-%d}" for d in result.dates], rotation=30, ha="right")
    ax.set_xlim(-0.5, k - 0.5)
    ax.set_xlabel(tr("lifecycle.snapshot"))
    ax.set_ylabel(tr("lifecycle.share") if share else tr("lifecycle.customers"))
    ax.set_title(tr("lifecycle.flow_title"))
    handles = [Patch(color=STAGE_COLORS[s], label=_label(s)) for s in STAGES]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small", frameon=False)
    return ax


def plot_pattern_mix(mix, ax=None, **style):
    """Horizontal stacked bars of the pattern shares per group (output of :func:`toolkit.lifecycle.stage_mix`).

    Parameters
    ----------
    mix : pandas.DataFrame
        Rows = groups, columns = patterns (+ ``too_early_to_tell``) as shares, plus ``customers``.
    """
    ax = _ax(ax, (8, 0.45 * len(mix) + 1.5))
    cols = [c for c in list(PATTERNS) + [TOO_EARLY, *STAGES] if c in mix.columns]
    left = np.zeros(len(mix))
    y = np.arange(len(mix))
    for c in cols:
        vals = mix[c].fillna(0).to_numpy(dtype=float)
        color = PATTERN_COLORS.get(c, STAGE_COLORS.get(c))
        ax.barh(y, vals, left=left, color=color, label=_label(c), edgecolor="white", lw=0.5, **style)
        left += vals
    labels = [category_label(i) for i in mix.index]  # channels, cities... by their Chinese names under zh
    if "customers" in mix:
        labels = [tr("lifecycle.group_n").format(label=lab, n=f"{int(n):,}")
                  for lab, n in zip(labels, mix["customers"])]
    ax.set_yticks(y)
    ax.set_yticklabels(labels)
    ax.invert_yaxis()
    ax.set_xlabel(tr("lifecycle.share"))
    name = mix.index.name
    if name and get_language() != "en":
        from ..formatting import label

        name = label(name)
    ax.set_ylabel(name or "")
    ax.set_title(tr("lifecycle.mix_title"))
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small", frameon=False)
    return ax


def plot_confusion(report, ax=None, *, normalize=False, cmap="Blues", **style):
    """Confusion matrix of an :class:`toolkit.lifecycle.AccuracyReport` (rows: true, columns: predicted).

    Cells show counts (and row shares when ``normalize=True`` colours by row share).
    """
    conf = report.confusion
    ax = _ax(ax, (1.3 * conf.shape[1] + 2, 1.0 * conf.shape[0] + 1.5))
    values = conf.to_numpy(dtype=float)
    shown = values / np.maximum(values.sum(axis=1, keepdims=True), 1) if normalize else values
    ax.imshow(shown, cmap=cmap, aspect="auto", **style)
    top = shown.max() if shown.size else 1
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            ax.text(j, i, f"{int(values[i, j]):,}", ha="center", va="center", fontsize="small",
                    color="white" if shown[i, j] > 0.6 * top else "black")
    ax.set_xticks(range(conf.shape[1]))
    ax.set_xticklabels([_label(c) for c in conf.columns], rotation=30, ha="right")
    ax.set_yticks(range(conf.shape[0]))
    ax.set_yticklabels([_label(c) for c in conf.index])
    ax.set_xlabel(tr("lifecycle.predicted"))
    ax.set_ylabel(tr("lifecycle.true"))
    ax.set_title(tr("lifecycle.confusion_accuracy").format(title=tr("lifecycle.confusion_title"),
                                                           accuracy=f"{report.accuracy:.1%}", n=f"{report.n:,}"))
    return ax
