"""Can this CLV model be trusted? Calibration/holdout split, holdout accuracy and a plain-language verdict.

The method is the one of Fader, Hardie and Lee (2005), "Counting your customers the easy way": fit on a
calibration period, predict each customer's purchases in the holdout period that follows, and compare with
what she actually did (by calibration frequency, and as cumulative/weekly tracking of the whole cohort).

The yardstick is a **naive forecast**: each customer keeps buying at her own past repeat-purchase rate,
``frequency / T`` per time unit, for ever (no drop-out, no shrinkage towards the average customer). A model that
cannot beat it on the holdout adds nothing a spreadsheet could not do, and its long-horizon numbers should not
be quoted (Fader, Hardie and Lee 2005 compare BG/NBD with such simple benchmarks; Wübben and von Wangenheim 2008,
"Instant customer base analysis", Journal of Marketing 72(3), found that simple rules often match the models).
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from ..config import DAYS_PER_UNIT
from ..errors import ParameterError
from ..i18n import localize, tr
from . import _common

__all__ = ["calibration_holdout_split", "evaluate_model", "tracking", "frequency_recency_matrix", "EvaluationReport",
           "naive_forecast", "naive_clv"]


def _transactions(tx, frame_kwargs):
    from ..data import as_transactions

    return as_transactions(tx, **frame_kwargs)


def calibration_holdout_split(tx, calibration_end, holdout_end=None, time_unit=None, **frame_kwargs):
    """Customer summary of a calibration period plus each customer's purchases in the holdout period.

    Parameters
    ----------
    tx : toolkit.Transactions or DataFrame
        The transaction log (a raw frame needs the column arguments of ``Transactions.from_frame`` in
        ``frame_kwargs``).
    calibration_end : date-like
        Last day of the calibration period (inclusive).
    holdout_end : date-like, optional
        Last day of the holdout period (inclusive); defaults to the log's observation end.
    time_unit : {"D", "W", "M"}, optional
        Unit of all durations; defaults to the log's.

    Returns
    -------
    pandas.DataFrame
        ``toolkit.customer_summary(tx, observation_end=calibration_end)`` (customers whose first purchase is on
        or before ``calibration_end``) plus

        - ``frequency_holdout``: purchase days in (calibration_end, holdout_end] (distinct days, like
          ``frequency``; the first purchase is in the calibration period, so all of these are repeats),
        - ``monetary_value_holdout``: mean spend per holdout purchase day (0 without holdout purchases),
        - ``duration_holdout``: length of the holdout period in the time unit (same for everyone).

        Customers whose first purchase falls on ``calibration_end`` itself have no calibration time (T = 0): no
        model can be fitted on them, so they are left out and counted in ``attrs["left_out_t0"]``; every row
        returned can be fitted by every model.

        ``attrs``: ``time_unit``, ``observation_end`` (= calibration end), ``calibration_end``, ``holdout_end``,
        ``left_out_t0``.
    """
    from ..customers import customer_summary

    tx = _transactions(tx, frame_kwargs)
    unit = time_unit or tx.time_unit
    cal_end = pd.Timestamp(calibration_end).normalize()
    hold_end = tx.observation_end if holdout_end is None else pd.Timestamp(holdout_end).normalize()
    if hold_end <= cal_end:
        raise ParameterError(f"holdout_end ({hold_end:%Y-%m-%d}) must be after calibration_end ({cal_end:%Y-%m-%d}).",
                             parameter="holdout_end", value=holdout_end)
    if hold_end > tx.observation_end:
        raise ParameterError(f"holdout_end ({hold_end:%Y-%m-%d}) is after the end of the log "
                             f"({tx.observation_end:%Y-%m-%d}): purchases in between were not observed.",
                             parameter="holdout_end", value=holdout_end)
    summary = customer_summary(tx, observation_end=cal_end, time_unit=unit)
    acquired_at_end = summary["T"].to_numpy() <= 0
    if acquired_at_end.any():
        summary = summary.loc[~acquired_at_end]
    arr = tx.arrays
    cal_day = arr.day_of(cal_end)
    hold_day = arr.day_of(hold_end)
    n = len(arr.customer_id)
    owner = np.repeat(np.arange(n), np.diff(arr.offsets))
    day = np.asarray(arr.day)
    sel = (day > cal_day) & (day <= hold_day)
    o = owner[sel]
    d = day[sel]
    new_day = np.ones(len(o), dtype=bool)
    if len(o) > 1:
        new_day[1:] = (o[1:] != o[:-1]) | (d[1:] != d[:-1])
    counts = np.bincount(o[new_day], minlength=n)
    revenue = np.bincount(o, weights=np.asarray(arr.amount)[sel], minlength=n)
    by_id = pd.DataFrame({"frequency_holdout": counts, "revenue_holdout": revenue}, index=arr.customer_id)
    by_id = by_id.reindex(summary.index)
    out = summary.copy()
    out["frequency_holdout"] = by_id["frequency_holdout"].to_numpy().astype(np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["monetary_value_holdout"] = np.where(out["frequency_holdout"] > 0,
                                                 by_id["revenue_holdout"].to_numpy() / out["frequency_holdout"], 0.0)
    out["duration_holdout"] = (hold_day - cal_day) / DAYS_PER_UNIT[unit]
    out.attrs = dict(summary.attrs, time_unit=unit, observation_end=cal_end, calibration_end=cal_end,
                     holdout_end=hold_end, left_out_t0=int(acquired_at_end.sum()))
    return out


def tracking(model, tx, calibration_end, holdout_end=None, time_unit=None, **frame_kwargs):
    """Actual vs expected repeat purchases of the calibration cohort, period by period (one time unit each).

    Periods are aligned so that the calibration end is a period boundary.

    The cohort is every customer whose first purchase is on or before ``calibration_end``; her expected repeat
    purchases by calendar time t are E[X(t - first purchase)] of the model (the "new customer" expectation),
    summed over the cohort, as in the tracking plots of Fader, Hardie and Lee (2005).

    Returns
    -------
    pandas.DataFrame indexed by period end (Timestamp) with ``actual``, ``expected`` (repeat purchase days
    in the period), ``actual_cumulative``, ``expected_cumulative`` and ``holdout`` (bool).
    """
    tx = _transactions(tx, frame_kwargs)
    unit = time_unit or tx.time_unit
    step = DAYS_PER_UNIT[unit]
    arr = tx.arrays
    cal_day = arr.day_of(pd.Timestamp(calibration_end).normalize())
    hold_day = arr.end_day if holdout_end is None else arr.day_of(pd.Timestamp(holdout_end).normalize())
    n = len(arr.customer_id)
    counts = np.diff(arr.offsets)
    day = np.asarray(arr.day)
    owner = np.repeat(np.arange(n), counts)
    first_day = day[arr.offsets[:-1][counts > 0]]
    members = np.zeros(n, dtype=bool)
    members[counts > 0] = first_day <= cal_day
    first_of = np.full(n, np.iinfo(np.int64).max)
    first_of[counts > 0] = first_day
    sel = members[owner] & (day <= hold_day)
    o = owner[sel]
    d = day[sel]
    new_day = np.ones(len(o), dtype=bool)
    if len(o) > 1:
        new_day[1:] = (o[1:] != o[:-1]) | (d[1:] != d[:-1])
    repeat_days = d[new_day & (d > first_of[o])]
    start = int(first_day.min()) if len(first_day) else cal_day
    # periods of one time unit aligned on the calibration end (so it is a period boundary); the last period
    # ends at the holdout end and may be shorter
    k_first = int(np.floor((start - cal_day) / step)) + 1
    k_last = int(np.ceil((hold_day - cal_day) / step))
    edges = cal_day + step * np.arange(k_first, k_last + 1)
    edges = edges[edges > start]
    edges[-1] = min(edges[-1], hold_day)
    actual = np.histogram(repeat_days, bins=np.concatenate([[start - 0.5], edges + 0.5]))[0]
    births, birth_counts = np.unique(first_of[members], return_counts=True)
    expected_cum = np.empty(len(edges))
    for k, edge in enumerate(edges):
        ages = (edge - births) / step
        ok = ages > 0
        if ok.any():
            expected_cum[k] = float(np.sum(model.expected_purchases_new_customer(ages[ok]) * birth_counts[ok]))
        else:
            expected_cum[k] = 0.0
    index = pd.DatetimeIndex([arr.date_of(int(np.floor(e))) for e in edges], name="period_end")
    out = pd.DataFrame({"actual": actual, "expected": np.diff(np.concatenate([[0.0], expected_cum])),
                        "actual_cumulative": np.cumsum(actual), "expected_cumulative": expected_cum,
                        "holdout": edges > cal_day}, index=index)
    out.attrs = {"time_unit": unit, "calibration_end": arr.date_of(cal_day), "holdout_end": arr.date_of(hold_day)}
    return out


def naive_forecast(summary, t):
    """Naive expected purchases in the next ``t`` time units: each customer keeps her past repeat-purchase rate.

    Parameters
    ----------
    summary : DataFrame
        ``frequency`` (repeat purchase days) and ``T`` (age, > 0) per customer, in one time unit.
    t : float or array-like
        Horizon in the same time unit (one value, or one per customer).

    Returns
    -------
    pandas.Series ``naive_purchases`` = frequency / T x t, aligned with ``summary``. A customer who never came
    back is forecast 0; nobody is ever assumed to have left.
    """
    x = summary["frequency"].to_numpy(dtype=np.float64)
    T = summary["T"].to_numpy(dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(T > 0, x / T, np.nan)
    return pd.Series(rate * np.asarray(t, dtype=np.float64), index=summary.index, name="naive_purchases")


def naive_clv(summary, *, horizon, period, discount_rate, margin=1.0, time_unit=None):
    """Discounted value of the naive forecast: her past repeat rate and her own mean repeat spend, for ever.

    CLV_i = margin x monetary_value_i x (frequency_i / T_i) x L x sum_{k=1..horizon} (1 + d)^-k, with L the
    period length in the summary's time unit and d the discount rate per period; purchases of a period are
    discounted at its end, as in :func:`toolkit.clv.models.customer_lifetime_value`, so the two are comparable.

    Parameters
    ----------
    summary : DataFrame
        ``frequency``, ``T`` and ``monetary_value`` (mean repeat-purchase spend) per customer.
    horizon : int
        Number of periods.
    period : {"D", "W", "M"} or float
        Length of a period: a unit name (converted with the summary's ``attrs["time_unit"]`` or ``time_unit``)
        or a number of time units.
    discount_rate : float
        Per period.
    margin : float, default 1.0
    time_unit : {"D", "W", "M"}, optional
        Time unit of the summary when its ``attrs`` do not say.

    Returns
    -------
    pandas.Series ``naive_clv`` aligned with ``summary`` (0 for customers without a repeat purchase).
    """
    if isinstance(period, str):
        unit = time_unit or summary.attrs.get("time_unit")
        if unit not in DAYS_PER_UNIT or period not in DAYS_PER_UNIT:
            raise ParameterError(f"period={period!r} needs the summary's time unit (got {unit!r}); pass time_unit=.",
                                 parameter="period", value=period)
        length = DAYS_PER_UNIT[period] / DAYS_PER_UNIT[unit]
    else:
        length = float(period)
    annuity = float(np.sum((1.0 + discount_rate) ** -np.arange(1, int(horizon) + 1, dtype=np.float64)))
    per_period = naive_forecast(summary, length).to_numpy()
    spend = summary["monetary_value"].to_numpy(dtype=np.float64)
    value = np.where(per_period > 0, margin * spend * per_period * annuity, 0.0)
    return pd.Series(value, index=summary.index, name="naive_clv")


class EvaluationReport:
    """Result of :func:`evaluate_model`.

    Attributes
    ----------
    by_frequency : DataFrame
        Per calibration frequency (the last row pools ``max_frequency`` and above): ``customers``,
        ``actual`` and ``predicted`` mean holdout purchases, and ``baseline`` (calibration rate x holdout length).
    metrics : DataFrame
        ``MAE`` and ``RMSE`` per customer for the model and the naive baseline.
    totals : Series
        Total actual and predicted holdout purchases and the relative error.
    checks : DataFrame
        One row per check: ``check``, ``ok`` (bool) and ``detail`` (plain language).
    verdict : str
        One-sentence overall judgement, starting with "Trustworthy on this holdout", "Usable with care" or
        "Do not use".
    sound : bool
        The fit converged, every parameter is identified (``model.identified_``) and the model beats the naive
        forecast on the holdout. Only then does the verdict call the fit sound.
    problems : list of str
        When not sound: each reason in plain words (empty otherwise).
    predictions : DataFrame
        Per customer: ``actual``, ``predicted``, ``baseline``.
    tracking : DataFrame or None
        From :func:`tracking` when transactions were given.
    spend : Series or None
        With a spend model: customers who bought in the holdout, actual and predicted mean spend per purchase
        (weighted by holdout purchases), relative error and per-customer MAE.
    """

    def __init__(self, by_frequency, metrics, totals, checks, verdict, predictions, tracking=None):
        self.by_frequency = by_frequency
        self.metrics = metrics
        self.totals = totals
        self.checks = checks
        self.verdict = _common.Sentence(verdict) if isinstance(verdict, str) else verdict
        self.predictions = predictions
        self.tracking = tracking
        self.spend = None
        self.sound = True
        self.problems = []

    @property
    def summary(self):
        """The checks table (check, ok, detail)."""
        return self.checks

    def __repr__(self):
        if _common._zh():
            lines = [tr("clv.evaluation.repr").format(verdict=localize(str.__str__(self.verdict)))]
            for row in self.checks.itertuples():
                lines.append(f"  [{tr('clv.check.ok') if row.ok else tr('clv.check.failed')}] {localize(row.detail)}")
            return "\n".join(lines)
        lines = [f"EvaluationReport: {self.verdict}"]
        for row in self.checks.itertuples():
            lines.append(f"  [{'ok' if row.ok else '!!'}] {row.detail}")
        return "\n".join(lines)

    def _repr_html_(self):
        by_frequency, metrics = self.by_frequency, self.metrics
        if _common._zh():
            by_frequency = _common._zh_frame(by_frequency, columns={"baseline": tr("val.predictor.baseline")})
            metrics = _common._zh_frame(metrics)
        items = "".join(f"<li>{'✅' if row.ok else '⚠️'} {html.escape(str(_common.Sentence(row.detail)))}</li>"
                        for row in self.checks.itertuples())
        return (f"<p><b>{html.escape(str(self.verdict))}</b></p><ul>{items}</ul>"
                + by_frequency.to_html(float_format=lambda v: f"{v:.3f}")
                + metrics.to_html(float_format=lambda v: f"{v:.3f}"))


def evaluate_model(model, split, spend_model=None, max_frequency=7, transactions=None):
    """Compare a fitted purchase model's holdout predictions with what customers actually did.

    Parameters
    ----------
    model : fitted BetaGeo, ModifiedBetaGeo or ParetoNBD
        Fitted on the calibration columns of ``split``.
    split : DataFrame
        From :func:`calibration_holdout_split`.
    spend_model : fitted GammaGamma, optional
        Adds the Gamma-Gamma independence check (correlation of frequency and monetary value among repeat
        buyers), the fit health of the spend model and its holdout spend forecast (``report.spend``).
    max_frequency : int, default 7
        Calibration frequencies at or above this are pooled in the table.
    transactions : toolkit.Transactions, optional
        When given, the period-by-period :func:`tracking` of the cohort is added.

    Returns
    -------
    EvaluationReport

    Notes
    -----
    The verdict calls the fit **sound** only when three things hold: the optimiser converged; every parameter
    is identified by the data (``model.identified_``: none at a bound of the search range, a positive definite
    Hessian, and no 95% interval spanning more than a factor of about 2,500, see ``model.diagnostics``); and the
    model's per-customer mean absolute error on the holdout is below that of the naive forecast, in which each
    customer repeats her calibration-period rate ``frequency / T`` over the holdout (:func:`naive_forecast`).
    Otherwise the verdict starts with "Do not use" and says which of these failed. A sound fit is
    "Trustworthy on this holdout" when the other checks (holdout total within 10%, spend checks) pass too, and
    "Usable with care" when some do not.
    """
    model._check_fitted()
    needed = ["frequency", "recency", "T", "frequency_holdout", "duration_holdout"]
    missing = [c for c in needed if c not in split.columns]
    if missing:
        from ..errors import SchemaError

        raise SchemaError(f"evaluate_model needs the output of calibration_holdout_split; missing {missing}.")
    duration = split["duration_holdout"].to_numpy(dtype=np.float64)
    predicted = model.conditional_expected_purchases(split, duration).to_numpy()
    actual = split["frequency_holdout"].to_numpy(dtype=np.float64)
    baseline = naive_forecast(split, duration).to_numpy()
    preds = pd.DataFrame({"actual": actual, "predicted": predicted, "baseline": baseline}, index=split.index)
    group = np.minimum(split["frequency"].to_numpy(), max_frequency)
    table = preds.groupby(group).agg(customers=("actual", "size"), actual=("actual", "mean"),
                                     predicted=("predicted", "mean"), baseline=("baseline", "mean"))
    table.index = [str(int(g)) if g < max_frequency else f"{max_frequency}+" for g in table.index]
    table.index.name = "calibration frequency"
    err_m = predicted - actual
    err_b = baseline - actual
    metrics = pd.DataFrame({"MAE": [np.mean(np.abs(err_m)), np.mean(np.abs(err_b))],
                            "RMSE": [np.sqrt(np.mean(err_m ** 2)), np.sqrt(np.mean(err_b ** 2))]},
                           index=pd.Index(["model", "baseline"], name="predictor"))
    total_a, total_p = float(actual.sum()), float(predicted.sum())
    rel = (total_p - total_a) / total_a if total_a > 0 else np.nan
    totals = pd.Series({"actual": total_a, "predicted": total_p, "relative_error": rel})

    checks = []
    name = type(model).__name__
    checks.append(("converged", bool(model.converged_),
                   f"{name} fit converged." if model.converged_ else f"{name} fit did not converge."))
    diag = model.diagnostics
    bound = list(diag.index[diag["at_bound"]])
    loose = list(diag.index[~diag["identified"] & ~diag["at_bound"]])
    checks.append(("bounds", not bound, "No parameter is at a bound." if not bound else
                   f"Parameter(s) {bound} are at a bound of the search range: the data cannot pin them down."))
    identified = model.identified_ if model.converged_ else not (bound or loose)
    checks.append(("identified", bool(identified),
                   "All parameters are well determined (finite standard errors; 95% intervals narrower than a "
                   "factor of 2,500)." if identified else
                   f"Not identified: {model.identification_problem or 'see model.diagnostics'}."))
    ok_total = np.isfinite(rel) and abs(rel) <= 0.10
    checks.append(("holdout total", bool(ok_total),
                   f"Holdout purchases: predicted {total_p:,.0f} vs actual {total_a:,.0f} ({rel:+.1%})."
                   + ("" if ok_total else " The error is above 10%: check for seasonality, a changed business, "
                      "or a calibration period that is too short.")))
    mae_m, mae_b = float(metrics.loc["model", "MAE"]), float(metrics.loc["baseline", "MAE"])
    better = bool(np.isfinite(mae_m) and mae_m < mae_b)
    checks.append(("beats baseline", better,
                   f"Per customer, mean absolute error {mae_m:.3f} vs {mae_b:.3f} for the naive forecast (each "
                   "customer repeats her calibration-period purchase rate)"
                   + (": the model is better." if better else ": the model is NOT better than the naive forecast.")))
    if spend_model is not None or "monetary_value" in split.columns:
        buyers = split[split["frequency"] > 0]
        rho = (float(np.corrcoef(buyers["frequency"], buyers["monetary_value"])[0, 1])
               if len(buyers) > 2 and "monetary_value" in split.columns else np.nan)
        ok_rho = bool(np.isfinite(rho) and abs(rho) < 0.3)
        checks.append(("spend independence", ok_rho,
                       f"Correlation of frequency and spend among repeat buyers is {rho:.2f}: "
                       + ("the Gamma-Gamma independence assumption looks acceptable." if ok_rho else
                          "the Gamma-Gamma independence assumption is doubtful; spend forecasts may be biased.")))
    spend_table = None
    if spend_model is not None and "monetary_value_holdout" in split.columns:
        buyers = split["frequency_holdout"].to_numpy() > 0
        if buyers.any():
            predicted_spend = spend_model.expected_spend(split).to_numpy()[buyers]
            actual_spend = split["monetary_value_holdout"].to_numpy(dtype=np.float64)[buyers]
            weights = split["frequency_holdout"].to_numpy(dtype=np.float64)[buyers]
            mean_a = float(np.average(actual_spend, weights=weights))
            mean_p = float(np.average(predicted_spend, weights=weights))
            spend_table = pd.Series({"customers": int(buyers.sum()), "actual_mean_spend": mean_a,
                                     "predicted_mean_spend": mean_p, "relative_error": mean_p / mean_a - 1,
                                     "MAE": float(np.mean(np.abs(predicted_spend - actual_spend)))})
            ok_sp = abs(mean_p / mean_a - 1) <= 0.10
            checks.append(("spend forecast", bool(ok_sp),
                           f"Spend per holdout purchase: predicted {mean_p:,.2f} vs actual {mean_a:,.2f} "
                           f"({mean_p / mean_a - 1:+.1%}) over {int(buyers.sum()):,} customers who bought again"
                           + ("." if ok_sp else "; the spend model is off by more than 10%.")))
    if spend_model is not None:
        sp_ok = bool(spend_model.converged_) and spend_model.identified_
        checks.append(("spend model", sp_ok, f"{type(spend_model).__name__} fit "
                       + ("converged and its parameters are well determined." if sp_ok else
                          f"has problems: {spend_model.identification_problem}.")))
    checks = pd.DataFrame(checks, columns=["check", "ok", "detail"])
    problems = []
    if not model.converged_:
        problems.append(f"the {name} fit did not converge")
    elif not identified:
        problems.append(model.identification_problem)
    if not better:
        problems.append(f"it does not predict the holdout better than the naive forecast (each customer repeats "
                        f"her calibration-period rate): mean absolute error per customer {mae_m:.3f} vs {mae_b:.3f}")
    if problems:
        verdict = "Do not use: " + "; and ".join(problems) + "."
    elif checks["ok"].all():
        verdict = "Trustworthy on this holdout: the fit is sound and predictions track reality."
    else:
        verdict = ("Usable with care: the fit is sound and beats the naive forecast, but some checks failed "
                   "(see below).")
    track = None
    if transactions is not None:
        track = tracking(model, transactions, split.attrs["calibration_end"], split.attrs.get("holdout_end"),
                         time_unit=split.attrs.get("time_unit"))
    report = EvaluationReport(table, metrics, totals, checks, verdict, preds, track)
    report.spend = spend_table
    report.sound = not problems
    report.problems = problems
    return report


def frequency_recency_matrix(model, T, t=1.0, quantity="expected_purchases", max_frequency=None, n_recency=None):
    """Model prediction for every (frequency, recency) combination of customers observed for ``T``.

    Parameters
    ----------
    model : fitted BetaGeo, ModifiedBetaGeo or ParetoNBD
    T : float
        Common age of the hypothetical customers (model time unit), e.g. the calibration length.
    t : float, default 1.0
        Horizon of ``expected_purchases`` (model time unit).
    quantity : {"expected_purchases", "p_alive"}
    max_frequency : int, optional
        Largest frequency shown (default: 2 * T / alpha-ish, at least 10; capped at 100).
    n_recency : int, optional
        Number of recency values from 0 to T (default ``max_frequency + 1``).

    Returns
    -------
    pandas.DataFrame indexed by ``frequency`` (0..max_frequency) with one column per recency; cells where
    frequency > 0 and recency == 0 are NaN (impossible with day-resolution data). ``attrs['quantity']``,
    ``attrs['T']`` and ``attrs['t']`` describe the cells.
    """
    if quantity not in ("expected_purchases", "p_alive"):
        raise ParameterError(f"quantity must be 'expected_purchases' or 'p_alive', got {quantity!r}.",
                             parameter="quantity", value=quantity)
    if max_frequency is None:
        max_frequency = 20
    n_recency = int(n_recency or max_frequency + 1)
    freqs = np.arange(int(max_frequency) + 1, dtype=np.float64)
    recs = np.linspace(0.0, float(T), n_recency)
    F, R = np.meshgrid(freqs, recs, indexing="ij")
    grid = pd.DataFrame({"frequency": F.ravel(), "recency": np.where(F.ravel() == 0, 0.0, R.ravel()),
                         "T": float(T)})
    if quantity == "p_alive":
        values = np.array(model.p_alive(grid), dtype=np.float64)
    else:
        values = np.array(model.conditional_expected_purchases(grid, t), dtype=np.float64)
    values = values.reshape(F.shape)
    values[(F > 0) & (R == 0)] = np.nan
    values[(F == 0) & (R > 0)] = np.nan
    out = pd.DataFrame(values, index=pd.Index(freqs.astype(np.int64), name="frequency"),
                       columns=pd.Index(np.round(recs, 6), name="recency"))
    out.attrs = {"quantity": quantity, "T": float(T), "t": float(t), "model": type(model).__name__}
    return out
