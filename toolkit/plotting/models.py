"""Plots of the probabilistic CLV models: f(result, ax=None, **style) -> Axes.

Each function draws a result computed by :mod:`toolkit.clv.evaluation` or a model method; none refits or
recomputes a model.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

__all__ = [
    "plot_frequency_recency_matrix",
    "plot_probability_alive_matrix",
    "plot_calibration_holdout",
    "plot_tracking",
    "plot_p_alive_history",
]


def _axes(ax):
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 4.8))
    return ax


def plot_frequency_recency_matrix(matrix, ax=None, cmap="viridis", **style):
    """Heat map of ``toolkit.clv.evaluation.frequency_recency_matrix`` (expected purchases or P(alive)).

    Frequency runs down, recency across (most recent buyers on the right), like the classic BTYD figure.
    """
    ax = _axes(ax)
    values = np.ma.masked_invalid(matrix.to_numpy(dtype=float))
    recs = matrix.columns.to_numpy(dtype=float)
    quantity = matrix.attrs.get("quantity", "expected_purchases")
    vmax = 1.0 if quantity == "p_alive" else None
    image = ax.imshow(values, aspect="auto", origin="upper", cmap=cmap, vmin=0.0, vmax=vmax,
                      extent=(recs[0], recs[-1], matrix.index[-1] + 0.5, matrix.index[0] - 0.5), **style)
    label = ("P(alive)" if quantity == "p_alive"
             else f"expected purchases in the next {matrix.attrs.get('t', 1):g} time units")
    ax.figure.colorbar(image, ax=ax, label=label)
    ax.set_xlabel("recency (age at last purchase)")
    ax.set_ylabel("frequency (repeat purchases)")
    ax.set_title(f"{matrix.attrs.get('model', 'model')}: {label}\nfor customers observed for "
                 f"T = {matrix.attrs.get('T', float('nan')):g}")
    return ax


def plot_probability_alive_matrix(matrix, ax=None, cmap="RdYlGn", **style):
    """Heat map of P(alive) by frequency and recency (``frequency_recency_matrix(..., quantity="p_alive")``)."""
    if matrix.attrs.get("quantity") != "p_alive":
        raise ValueError("This matrix holds expected purchases; build it with quantity='p_alive'.")
    return plot_frequency_recency_matrix(matrix, ax=ax, cmap=cmap, **style)


def plot_calibration_holdout(report, ax=None, **style):
    """Actual vs predicted mean holdout purchases by calibration frequency (an ``EvaluationReport``)."""
    ax = _axes(ax)
    table = report.by_frequency
    x = np.arange(len(table))
    ax.plot(x, table["actual"], marker="o", label="actual", **style)
    ax.plot(x, table["predicted"], marker="s", linestyle="--", label="model", **style)
    ax.plot(x, table["baseline"], marker=".", linestyle=":", color="grey", label="naive baseline")
    ax.set_xticks(x, table.index)
    ax.set_xlabel("purchases in the calibration period")
    ax.set_ylabel("mean purchases in the holdout period")
    ax.set_title("Calibration vs holdout")
    ax.legend()
    return ax


def plot_tracking(tracking, cumulative=True, ax=None, **style):
    """Actual vs expected repeat purchases per period (or cumulative) from ``toolkit.clv.evaluation.tracking``.

    Accepts the tracking DataFrame or an ``EvaluationReport`` built with ``transactions=``.
    """
    frame = getattr(tracking, "tracking", tracking)
    if frame is None:
        raise ValueError("This report has no tracking table: pass transactions= to evaluate_model.")
    ax = _axes(ax)
    a, e = ("actual_cumulative", "expected_cumulative") if cumulative else ("actual", "expected")
    ax.plot(frame.index, frame[a], label="actual", **style)
    ax.plot(frame.index, frame[e], linestyle="--", label="model", **style)
    holdout = frame.index[frame["holdout"].to_numpy()]
    if len(holdout):
        ax.axvline(holdout[0], color="grey", linestyle=":", label="start of holdout")
    ax.set_ylabel(("cumulative " if cumulative else "") + "repeat purchases")
    ax.set_xlabel("period end")
    ax.tick_params(axis="x", labelrotation=30)
    ax.set_title("Tracking: " + ("cumulative" if cumulative else "per period"))
    ax.legend()
    return ax


def plot_p_alive_history(history, ax=None, **style):
    """P(alive) over one customer's history (``model.p_alive_history(...)``), purchases marked."""
    ax = _axes(ax)
    time_col = "time" if "time" in history.columns else "periods"
    ax.plot(history[time_col], history["p_alive"], **style)
    bought = history["frequency"].diff().fillna(0) > 0
    ax.scatter(history.loc[bought, time_col], history.loc[bought, "p_alive"], marker="v", color="black",
               zorder=3, label="purchase")
    ax.set_ylim(0, 1.05)
    ax.set_xlabel(time_col)
    ax.set_ylabel("P(alive)")
    ax.set_title("P(alive) over the customer's history")
    return ax


def model_explorer_figure(history, forecast, *, projection=None, actual=None, time_label="time units", title=None,
                          figsize=(10.0, 3.8)):
    """One customer on a standalone :class:`matplotlib.figure.Figure`: P(alive) and expected purchases.

    Used by :mod:`toolkit.widgets.model_explorer`; the figure is not registered with pyplot, so redraws leak no
    figures and nothing is shown twice under a cell.

    Parameters
    ----------
    history : pandas.DataFrame
        ``model.p_alive_history(...)`` up to the end of observation (drawn with :func:`plot_p_alive_history`).
    forecast : pandas.DataFrame
        ``time`` (after the end of observation) and cumulative ``expected_purchases``.
    projection : pandas.DataFrame, optional
        ``p_alive_history`` after the end, if she does not buy again (dashed).
    actual : pandas.DataFrame, optional
        ``time`` and cumulative ``purchases`` after the end (a holdout), drawn as a step line.
    time_label : str, default "time units"
        The model's time unit, for the axis labels (e.g. "weeks").
    title : str, optional
    figsize : tuple, default (10, 3.8)

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize)
    left, right = fig.subplots(1, 2)
    plot_p_alive_history(history, ax=left)
    if projection is not None and len(projection):
        left.plot(projection["time"], projection["p_alive"], linestyle="--", color="grey",
                  label="if she does not buy again")
    left.axvline(history["time"].iloc[-1], color="grey", linestyle=":", linewidth=1)
    left.set_xlabel(f"{time_label} since her first purchase")
    left.set_title("P(alive) over her history")
    left.legend(loc="lower left", fontsize="small")
    right.plot(forecast["time"], forecast["expected_purchases"], marker=".", label="model: expected")
    if actual is not None and len(actual):
        right.step(actual["time"], actual["purchases"], where="post", color="black", label="actual")
    right.set_xlabel(f"{time_label} after the end of observation")
    right.set_ylabel("cumulative repeat purchases")
    right.set_ylim(bottom=0)
    right.set_title("Predicted purchases")
    right.legend(loc="upper left", fontsize="small")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


__all__.append("model_explorer_figure")
