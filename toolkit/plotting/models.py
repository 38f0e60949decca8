"""Plots of the probabilistic CLV models: f(result, ax=None, **style) -> Axes.

Each function draws a result computed by :mod:`toolkit.clv.evaluation` or a model method; none refits or
recomputes a model.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..errors import ParameterError
from ..i18n import register, tr

register({
    "plot.models.p_alive": {"en": "P(alive)", "zh": "P(存活)"},
    "plot.models.expected": {"en": "expected purchases in the next {t} time units", "zh": "未来 {t} 个时间单位的期望购买次数"},
    "plot.models.recency_axis": {"en": "recency (age at last purchase, model time units)",
                                 "zh": "首购至末购时长（末次购买时的客户年龄，模型时间单位）"},
    "plot.models.frequency_axis": {"en": "frequency (repeat purchases)", "zh": "重复购买次数"},
    "plot.models.matrix_title": {"en": "{model}: {label}\nfor customers observed for T = {T}",
                                 "zh": "{model}：{label}\n观察期 T = {T} 的客户"},
    "plot.models.actual": {"en": "actual", "zh": "实际"},
    "plot.models.model": {"en": "model", "zh": "模型"},
    "plot.models.baseline": {"en": "naive baseline", "zh": "朴素基准"},
    "plot.models.calibration_axis": {"en": "purchases in the calibration period", "zh": "校准期内的购买次数"},
    "plot.models.holdout_axis": {"en": "mean purchases in the holdout period", "zh": "验证期内的平均购买次数"},
    "plot.models.calibration_title": {"en": "Calibration vs holdout", "zh": "校准期与验证期对比"},
    "plot.models.holdout_start": {"en": "start of holdout", "zh": "验证期开始"},
    "plot.models.repeat": {"en": "repeat purchases", "zh": "重复购买次数"},
    "plot.models.cumulative_repeat": {"en": "cumulative repeat purchases", "zh": "累计重复购买次数"},
    "plot.models.period_end": {"en": "period end (date)", "zh": "期末（日期）"},
    "plot.models.tracking_cumulative": {"en": "Tracking: cumulative", "zh": "跟踪：累计"},
    "plot.models.tracking_period": {"en": "Tracking: per period", "zh": "跟踪：每期"},
    "plot.models.purchase": {"en": "purchase", "zh": "购买"},
    "plot.models.time_axis": {"en": "{col} (model time units)", "zh": "{col}（模型时间单位）"},
    "plot.models.col_time": {"en": "time", "zh": "时间"},
    "plot.models.col_periods": {"en": "periods", "zh": "期数"},
    "plot.models.history_title": {"en": "P(alive) over the customer's history", "zh": "客户历史中的 P(存活)"},
    "plot.models.no_buy": {"en": "if she does not buy again", "zh": "若不再购买"},
    "plot.models.since_first": {"en": "{unit} since her first purchase", "zh": "首次购买后的{unit}"},
    "plot.models.her_history": {"en": "P(alive) over her history", "zh": "她的 P(存活) 变化"},
    "plot.models.expected_model": {"en": "model: expected", "zh": "模型：期望值"},
    "plot.models.after_end": {"en": "{unit} after the end of observation", "zh": "观察期结束后的{unit}"},
    "plot.models.predicted_title": {"en": "Predicted purchases", "zh": "预测购买次数"},
})

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
    label = (tr("plot.models.p_alive") if quantity == "p_alive"
             else tr("plot.models.expected").format(t=f"{matrix.attrs.get('t', 1):g}"))
    ax.figure.colorbar(image, ax=ax, label=label)
    ax.set_xlabel(tr("plot.models.recency_axis"))
    ax.set_ylabel(tr("plot.models.frequency_axis"))
    ax.set_title(tr("plot.models.matrix_title").format(model=matrix.attrs.get("model", "model"), label=label,
                                                       T=f"{matrix.attrs.get('T', float('nan')):g}"))
    return ax


def plot_probability_alive_matrix(matrix, ax=None, cmap="cividis", **style):
    """Heat map of P(alive) by frequency and recency (``frequency_recency_matrix(..., quantity="p_alive")``).

    The default colour map ``cividis`` is readable with colour-vision deficiencies (no red-green scale).
    """
    if matrix.attrs.get("quantity") != "p_alive":
        raise ParameterError("This matrix holds expected purchases; build it with quantity='p_alive'.",
                             parameter="matrix")
    return plot_frequency_recency_matrix(matrix, ax=ax, cmap=cmap, **style)


def plot_calibration_holdout(report, ax=None, **style):
    """Actual vs predicted mean holdout purchases by calibration frequency (an ``EvaluationReport``)."""
    ax = _axes(ax)
    table = report.by_frequency
    x = np.arange(len(table))
    ax.plot(x, table["actual"], marker="o", label=tr("plot.models.actual"), **style)
    ax.plot(x, table["predicted"], marker="s", linestyle="--", label=tr("plot.models.model"), **style)
    ax.plot(x, table["baseline"], marker=".", linestyle=":", color="grey", label=tr("plot.models.baseline"))
    ax.set_xticks(x, table.index)
    ax.set_xlabel(tr("plot.models.calibration_axis"))
    ax.set_ylabel(tr("plot.models.holdout_axis"))
    ax.set_title(tr("plot.models.calibration_title"))
    ax.legend()
    return ax


def plot_tracking(tracking, cumulative=True, ax=None, **style):
    """Actual vs expected repeat purchases per period (or cumulative) from ``toolkit.clv.evaluation.tracking``.

    Accepts the tracking DataFrame or an ``EvaluationReport`` built with ``transactions=``.
    """
    frame = getattr(tracking, "tracking", tracking)
    if frame is None:
        raise ParameterError("This report has no tracking table: pass transactions= to evaluate_model.",
                             parameter="tracking")
    ax = _axes(ax)
    a, e = ("actual_cumulative", "expected_cumulative") if cumulative else ("actual", "expected")
    ax.plot(frame.index, frame[a], label=tr("plot.models.actual"), **style)
    ax.plot(frame.index, frame[e], linestyle="--", label=tr("plot.models.model"), **style)
    holdout = frame.index[frame["holdout"].to_numpy()]
    if len(holdout):
        ax.axvline(holdout[0], color="grey", linestyle=":", label=tr("plot.models.holdout_start"))
    ax.set_ylabel(tr("plot.models.cumulative_repeat" if cumulative else "plot.models.repeat"))
    ax.set_xlabel(tr("plot.models.period_end"))
    if np.issubdtype(frame.index.dtype, np.datetime64):
        import matplotlib.dates as mdates

        # at most ~7 dates, written concisely and level: rotated dense month labels overlapped each other
        locator = mdates.AutoDateLocator(minticks=3, maxticks=7)
        ax.xaxis.set_major_locator(locator)
        from ._dates import concise_date_formatter

        ax.xaxis.set_major_formatter(concise_date_formatter(locator))
    else:
        ax.tick_params(axis="x", labelrotation=30)
    ax.set_title(tr("plot.models.tracking_cumulative" if cumulative else "plot.models.tracking_period"))
    ax.legend()
    return ax


def plot_p_alive_history(history, ax=None, **style):
    """P(alive) over one customer's history (``model.p_alive_history(...)``), purchases marked."""
    ax = _axes(ax)
    time_col = "time" if "time" in history.columns else "periods"
    ax.plot(history[time_col], history["p_alive"], **style)
    bought = history["frequency"].diff().fillna(0) > 0
    ax.scatter(history.loc[bought, time_col], history.loc[bought, "p_alive"], marker="v", color="black",
               zorder=3, label=tr("plot.models.purchase"))
    ax.set_ylim(0, 1.05)
    ax.set_xlabel(tr("plot.models.time_axis").format(col=tr(f"plot.models.col_{time_col}", time_col)))
    ax.set_ylabel(tr("plot.models.p_alive"))
    ax.set_title(tr("plot.models.history_title"))
    return ax


def model_explorer_figure(history, forecast, *, projection=None, actual=None, time_label="time units", title=None,
                          warning=None, figsize=(10.0, 3.8)):
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
    warning : str, optional
        A soundness warning (e.g. the model's parameters are not identified), printed in red under the title so
        the figure never travels without it.
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
                  label=tr("plot.models.no_buy"))
    left.axvline(history["time"].iloc[-1], color="grey", linestyle=":", linewidth=1)
    left.set_xlabel(tr("plot.models.since_first").format(unit=time_label))
    left.set_title(tr("plot.models.her_history"))
    left.legend(loc="lower left", fontsize="small")
    right.plot(forecast["time"], forecast["expected_purchases"], marker=".", label=tr("plot.models.expected_model"))
    if actual is not None and len(actual):
        right.step(actual["time"], actual["purchases"], where="post", color="black", label=tr("plot.models.actual"))
    right.set_xlabel(tr("plot.models.after_end").format(unit=time_label))
    right.set_ylabel(tr("plot.models.cumulative_repeat"))
    right.set_ylim(bottom=0)
    right.set_title(tr("plot.models.predicted_title"))
    right.legend(loc="upper left", fontsize="small")
    if title:
        fig.suptitle(title)
    if warning:
        fig.text(0.5, 0.005, "⚠ " + warning, ha="center", va="bottom", color="#b71c1c", fontsize=9,
                 fontweight="bold")
    fig.tight_layout(rect=(0, 0.06, 1, 1) if warning else None)
    return fig


__all__.append("model_explorer_figure")
