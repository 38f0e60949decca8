"""Plots of the model diagnostics (:mod:`toolkit.clv.diagnostics`): f(result, ax=None, **style) -> Axes.

``plot_period_transactions`` draws a :class:`~toolkit.clv.diagnostics.PeriodTransactions`;
``plot_heterogeneity`` the fitted mixing distributions of a model (Fader, Hardie and Lee 2005, Figure 2
shows them for CDNOW); ``plot_tracking_models`` several models' cumulative tracking
(``toolkit.clv.evaluation.tracking``) on one axes. None refits or recomputes a model.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from scipy import stats

from ..errors import ParameterError, SchemaError
from ..i18n import register, tr

register({
    "plot.diag.actual": {"en": "actual", "zh": "实际"},
    "plot.diag.expected": {"en": "expected ({model})", "zh": "期望（{model}）"},
    "plot.diag.repeats": {"en": "repeat purchases in the calibration period", "zh": "校准期内的重复购买次数"},
    "plot.diag.customers": {"en": "customers", "zh": "客户数"},
    "plot.diag.period_title": {"en": "Period transactions: chi-square {chi2:.1f}, {df} df, p = {p:.2g}",
                               "zh": "期内交易：卡方 {chi2:.1f}，自由度 {df}，p = {p:.2g}"},
    "plot.diag.density": {"en": "density", "zh": "密度"},
    "plot.diag.lambda": {"en": "purchase rate lambda (per {unit})", "zh": "购买率 lambda（每{unit}）"},
    "plot.diag.p": {"en": "drop-out probability p after a purchase", "zh": "每次购买后的流失概率 p"},
    "plot.diag.mu": {"en": "drop-out rate mu (per {unit})", "zh": "流失率 mu（每{unit}）"},
    "plot.diag.het_title": {"en": "{model}: heterogeneity of {what}", "zh": "{model}：{what}的异质性"},
    "plot.diag.mean": {"en": "mean {v:.3g}", "zh": "均值 {v:.3g}"},
    "plot.diag.tracking_title": {"en": "Tracking: cumulative repeat purchases", "zh": "跟踪：累计重复购买"},
    "plot.diag.cumulative": {"en": "cumulative repeat purchases", "zh": "累计重复购买次数"},
    "plot.diag.holdout_start": {"en": "start of holdout", "zh": "验证期开始"},
    "plot.diag.period_end": {"en": "period end (date)", "zh": "期末（日期）"},
    "plot.diag.time_unit": {"en": "time unit", "zh": "时间单位"},
})

__all__ = ["plot_heterogeneity", "plot_period_transactions", "plot_tracking_models"]

_UNITS = {"D": "day", "W": "week", "M": "month"}


def _axes(ax):
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 4.8))
    return ax


def plot_period_transactions(result, ax=None, **style):
    """Grouped bars: actual vs expected customers with 0, 1, ..., k+ repeat purchases in calibration.

    Parameters
    ----------
    result : PeriodTransactions
        From :func:`toolkit.clv.diagnostics.period_transactions`.
    ax : matplotlib Axes, optional
    **style
        Passed to both ``ax.bar`` calls.

    Returns
    -------
    matplotlib.axes.Axes with two bar containers (actual, expected), one bar per bin each; the title
    carries the chi-square test.
    """
    ax = _axes(ax)
    table = result.table
    pos = np.arange(len(table))
    width = 0.4
    ax.bar(pos - width / 2, table["actual"].to_numpy(), width, label=tr("plot.diag.actual"), **style)
    ax.bar(pos + width / 2, table["expected"].to_numpy(), width,
           label=tr("plot.diag.expected").format(model=result.model_name), **style)
    ax.set_xticks(pos)
    ax.set_xticklabels(list(table.index))
    ax.set_xlabel(tr("plot.diag.repeats"))
    ax.set_ylabel(tr("plot.diag.customers"))
    ax.set_title(tr("plot.diag.period_title").format(chi2=result.chi_square, df=result.df, p=result.p_value))
    ax.legend()
    return ax


def _mixing(model, parameter):
    """(frozen scipy distribution, axis-label key, kind) of one mixing distribution of a fitted model."""
    params = model.params_
    names = set(params.index)
    if parameter == "lambda" and {"r", "alpha"} <= names:
        return stats.gamma(params["r"], scale=1.0 / params["alpha"]), "plot.diag.lambda"
    if parameter == "p" and {"a", "b"} <= names:
        return stats.beta(params["a"], params["b"]), "plot.diag.p"
    if parameter == "mu" and {"s", "beta"} <= names:
        return stats.gamma(params["s"], scale=1.0 / params["beta"]), "plot.diag.mu"
    have = [p for p, need in (("lambda", {"r", "alpha"}), ("p", {"a", "b"}), ("mu", {"s", "beta"}))
            if need <= names]
    raise ParameterError(f"{type(model).__name__} has no mixing distribution for {parameter!r}; it has {have}.",
                         parameter="parameter", value=parameter)


def plot_heterogeneity(model, parameter="lambda", ax=None, **style):
    """The fitted mixing density of one latent quantity across customers (one axes per call).

    Parameters
    ----------
    model : fitted BetaGeo, ModifiedBetaGeo or ParetoNBD (reads ``params_`` only)
    parameter : {"lambda", "p", "mu"}, default "lambda"
        ``"lambda"``: the purchase rate, Gamma(r, alpha) (every model); ``"p"``: the drop-out probability
        after a purchase, Beta(a, b) (BG/NBD, MBG/NBD); ``"mu"``: the drop-out rate, Gamma(s, beta)
        (Pareto/NBD). Rates are per the model's time unit.
    ax : matplotlib Axes, optional
    **style
        Passed to ``ax.plot``.

    Returns
    -------
    matplotlib.axes.Axes with one line (the density) and a dotted vertical line at its mean.

    Notes
    -----
    A gamma shape below 1 (r or s < 1) means a density that rises to infinity at 0: most customers buy (or
    drop out) rarely and a few very often. The vertical axis is cut at the 99th percentile of the density
    values so the shape stays readable.
    """
    model._check_fitted()
    dist, label = _mixing(model, parameter)
    ax = _axes(ax)
    if parameter == "p":
        grid = np.linspace(1e-4, 1 - 1e-4, 400)
    else:
        top = float(dist.ppf(0.99))
        grid = np.linspace(top * 1e-4, top, 400)
    dens = dist.pdf(grid)
    ax.plot(grid, dens, **style)
    mean = float(dist.mean())
    ax.axvline(mean, color="grey", linestyle=":", label=tr("plot.diag.mean").format(v=mean))
    finite = dens[np.isfinite(dens)]
    if finite.size:
        ax.set_ylim(0, float(np.quantile(finite, 0.99)) * 1.1 or 1.0)
    unit = _UNITS.get(getattr(model, "time_unit_", None) or "", tr("plot.diag.time_unit"))
    ax.set_xlabel(tr(label).format(unit=unit))
    ax.set_ylabel(tr("plot.diag.density"))
    name = getattr(model, "_model_name", type(model).__name__)
    ax.set_title(tr("plot.diag.het_title").format(model=name, what=parameter))
    ax.legend()
    return ax


def plot_tracking_models(trackings, ax=None, **style):
    """Several models' cumulative expected repeat purchases beside the actual ones, on one axes.

    Parameters
    ----------
    trackings : mapping of label -> tracking DataFrame
        Each from :func:`toolkit.clv.evaluation.tracking` (or an ``EvaluationReport`` built with
        ``transactions=``) for the same transactions and calibration end; the actual line is taken from the
        first.
    ax : matplotlib Axes, optional
    **style
        Passed to every ``ax.plot``.

    Returns
    -------
    matplotlib.axes.Axes with one line for the actual purchases and one per model.
    """
    frames = {k: getattr(v, "tracking", v) for k, v in dict(trackings).items()}
    if not frames or any(f is None for f in frames.values()):
        raise ParameterError("Pass at least one tracking table per model (toolkit.clv.evaluation.tracking, or an "
                             "EvaluationReport built with transactions=).", parameter="trackings")
    first = next(iter(frames.values()))
    for label, f in frames.items():
        if len(f) != len(first) or not (f.index == first.index).all():
            raise SchemaError(f"The tracking table of {label!r} covers other periods than the first one: build all "
                              "with the same transactions, calibration end and holdout end.")
    ax = _axes(ax)
    ax.plot(first.index, first["actual_cumulative"], color="black", label=tr("plot.diag.actual"), **style)
    for label, f in frames.items():
        ax.plot(f.index, f["expected_cumulative"], linestyle="--", label=str(label), **style)
    holdout = first.index[first["holdout"].to_numpy()]
    if len(holdout):
        ax.axvline(holdout[0], color="grey", linestyle=":", label=tr("plot.diag.holdout_start"))
    ax.set_xlabel(tr("plot.diag.period_end"))
    ax.set_ylabel(tr("plot.diag.cumulative"))
    if np.issubdtype(first.index.dtype, np.datetime64):
        import matplotlib.dates as mdates

        locator = mdates.AutoDateLocator(minticks=3, maxticks=7)
        ax.xaxis.set_major_locator(locator)
        from ._dates import concise_date_formatter

        ax.xaxis.set_major_formatter(concise_date_formatter(locator))
    ax.set_title(tr("plot.diag.tracking_title"))
    ax.legend()
    return ax
