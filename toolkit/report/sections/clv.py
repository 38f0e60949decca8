"""Report section: course CLV and the BG/NBD + Gamma-Gamma model with its fit-health verdict."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd

from ...errors import DataQualityWarning, ToolkitError
from ...i18n import register, tr
from ..base import ReportContext, Section
from ..format import MAX_TABLE_ROWS, _money_fmt

#: Coverage and parameter draws of the intervals on the ranked customers' model CLV (issue #21).
RANK_INTERVAL_LEVEL = 0.8
RANK_INTERVAL_DRAWS = 200

register({
    "col.model_clv_low_80": {"en": "Model CLV 80% low", "zh": "模型 CLV 80% 下限"},
    "col.model_clv_high_80": {"en": "Model CLV 80% high", "zh": "模型 CLV 80% 上限"},
    "report.note.clv_intervals": {
        "en": "Customers ranked by model CLV: the 80% low and high columns give each shown customer's 80% interval "
              "({n} customers, {draws} draws of the fitted parameters). They say how far her CLV could move with "
              "the uncertainty of the model's estimates; her actual purchases will vary more. Where two customers' "
              "intervals overlap, the data cannot say which of them is worth more: treat them as tied. Here "
              "{overlap} of the {pairs} neighbouring pairs in the list overlap.",
        "zh": "按模型 CLV 排序的客户：80% 下限与上限两列是每位列出客户的 80% 区间（{n} 位客户，对拟合参数抽样 {draws} "
              "次），表示模型估计的不确定性会让她的 CLV 变动多少；她实际的购买波动更大。两位客户的区间若有重叠，数据就无法"
              "判断谁的价值更高，应视为并列。本表相邻的 {pairs} 对客户中有 {overlap} 对区间重叠。"},
    "report.note.clv_no_intervals": {
        "en": "No intervals on the ranked customers' model CLV: the fitted parameters have no usable standard errors "
              "(some parameter is not identified), so the ranking's uncertainty cannot be measured.",
        "zh": "按模型 CLV 排序的客户没有区间：拟合参数没有可用的标准误（有参数不可识别），因此无法衡量排序的不确定性。"},
})


# ---------------------------------------------------------------------------------------------- CLV
def _holdout_days(tx, settings):
    span = int(tx.arrays.end_day - int(tx.arrays.day.min())) + 1
    if settings.holdout_days is not None:
        return int(settings.holdout_days), span
    return int(min(365, span // 4)), span


def section_clv(ctx: ReportContext) -> Section:
    """Course CLV per customer, and a BG/NBD + Gamma-Gamma fit with its holdout fit-health verdict."""
    from ... import clv
    from ...plotting import models as model_plots
    from ...plotting.report import plot_group_bars, plot_histogram

    s = ctx.settings
    summary = ctx.summary
    sec = Section("clv", tr("report.section.clv", "Customer lifetime value"), intro=tr(
        "report.intro.clv",
        "Two views of what a customer is worth: the course CLV (margin so far plus the discounted margin of the "
        "coming years at the observed retention; margin {margin}, discount rate {rate} a year) and a BG/NBD + "
        "Gamma-Gamma model, first checked on a holdout period.").format(margin=f"{s.margin:.0%}",
                                                                          rate=f"{s.discount_rate:.0%}"))
    # -- course CLV
    ret = clv.estimate_retention(summary)
    r = float(ret["retention"].iloc[0])
    if not math.isfinite(r):
        sec.caveat("Course CLV skipped: no customer has a full year of history, so the annual retention rate "
                   "cannot be estimated.")
    else:
        r_used = min(max(r, 0.01), 0.99)
        if r_used != r:
            sec.note(f"Estimated annual retention {r:.3f} clipped to {r_used:.2f} for the course CLV.")
        values = clv.customer_values(summary, margin=s.margin, retention=r_used, discount_rate=s.discount_rate)
        ctx.cache["course_clv"] = values
        sec.add_number("retention", "annual retention (customers with a year of history)", r, "{:.1%}")
        sec.add_number("course_clv_mean", "mean course CLV per customer", values["clv"].mean(), _money_fmt(ctx))
        sec.add_number("course_clv_total", "total course CLV", values["clv"].sum(), _money_fmt(ctx))
        comp = values[["historical", "current", "potential", "clv"]].agg(["mean", "median", "sum"]).T
        comp.index.name = "component"
        comp.attrs["kinds"] = {c: "money" for c in comp.columns}
        sec.tables["course CLV components (per customer)"] = comp
        tiers = ctx.cache.get("tiers")
        if tiers is not None:
            by_tier = values[["historical", "current"]].groupby(tiers["tier"].reindex(values.index), observed=False).mean()
            by_tier = by_tier.iloc[::-1]
            sec.tables["mean course CLV by value tier"] = by_tier.assign(clv=by_tier.sum(axis=1))
            sec.add_figure(tr("report.fig.clv_tiers", "Mean course CLV per customer by value tier"),
                           lambda ax: plot_group_bars(
                               by_tier, ax=ax, title=tr("report.fig.clv_tiers", "Mean course CLV per customer by value tier"),
                               ylabel=f"mean CLV per customer{' (' + s.currency + ')' if s.currency else ''}",
                               xlabel="value tier"), figsize=(6.5, 3.8))
    # -- BG/NBD + Gamma-Gamma
    try:
        _clv_models(ctx, sec, model_plots, plot_histogram)
    except ToolkitError as exc:
        sec.caveat(f"Probabilistic CLV skipped: {exc}")
    num, money = sec.numbers, _money_fmt(ctx)
    if num.get("model_sound") == 1.0:
        sowhat = tr("report.sowhat.clv.sound",
                    "The model passes its checks: a customer is worth {model} over the next {h} months (course "
                    "CLV {course}), the ceiling for what acquiring one may cost.")
    elif "course_clv_mean" in num:
        sowhat = tr("report.sowhat.clv.course",
                    "The model's numbers are not reliable on this data, so quote the course CLV: {course} per "
                    "customer.")
    else:
        sowhat = tr("report.sowhat.clv.none", "Neither CLV could be estimated on this data; the notes say why.")
    sec.intro += " " + sowhat.format(
        model=money.format(num.get("model_clv_mean", math.nan)), h=s.horizon_months,
        course=money.format(num["course_clv_mean"]) if "course_clv_mean" in num else "n/a")
    return sec


def _clv_models(ctx, sec, model_plots, plot_histogram):
    """BG/NBD + Gamma-Gamma: holdout fit health, then the whole-history fit and its CLV.

    The model's numbers are called sound only when the holdout check is sound (``EvaluationReport.sound``: the
    calibration fit is identified and beats the naive forecast) and the whole-history fits are identified
    (``model.identified_``). Otherwise the first headline item says which problem, in plain words, and the
    course CLV and the naive forecast (each customer keeps her past purchase rate and spend,
    :func:`toolkit.clv.evaluation.naive_clv`) are shown beside the model's numbers, which are labelled
    unreliable.
    """
    from ...clv.evaluation import (
        calibration_holdout_split,
        evaluate_model,
        naive_clv,
        naive_forecast,
    )
    from ...clv.models import BetaGeo, GammaGamma, customer_lifetime_value
    from ...config import DAYS_PER_UNIT

    s = ctx.settings
    tx = ctx.transactions
    holdout, span = _holdout_days(tx, s)
    problems = []
    if holdout >= 28 and span - holdout >= 28:
        cal_end = tx.observation_end - pd.Timedelta(days=holdout)
        split = calibration_holdout_split(tx, cal_end)
        young = int((split["T"] <= 0).sum())
        split = split[split["T"] > 0]
        if young:
            sec.note(f"{young:,} customers whose first purchase is on the last calibration day are left out of the "
                     "holdout check (the model needs some observation time).")
        bg = BetaGeo().fit(split)
        gg = GammaGamma().fit(split)
        ev = evaluate_model(bg, split, spend_model=gg, transactions=tx)
        ctx.cache["evaluation"] = ev
        missing = int(ev.predictions["predicted"].isna().sum())
        sec.headline.append(("fit health", ev.verdict))
        if not ev.sound:
            problems.append(f"on a {holdout}-day holdout, " + "; and ".join(ev.problems))
        sec.numbers["fit_ok_checks"] = float(ev.checks["ok"].sum())
        sec.numbers["fit_checks"] = float(len(ev.checks))
        if missing:
            sec.note(f"The BG/NBD model gave no holdout prediction for {missing:,} customers (fitted a + b < 1 makes "
                     "the prediction formula undefined for customers without repeat purchases); the holdout totals "
                     "above leave them out.")
        checks = ev.checks.set_index("check")
        sec.tables["fit health (holdout of %d days from %s)" % (holdout, f"{cal_end + pd.Timedelta(days=1):%Y-%m-%d}")] = checks
        sec.add_figure(tr("report.fig.holdout", "BG/NBD: calibration vs holdout"),
                       lambda ax: model_plots.plot_calibration_holdout(ev, ax=ax), figsize=(6.5, 4))
        if ev.tracking is not None:
            sec.add_figure(tr("report.fig.tracking", "BG/NBD: cumulative repeat purchases"),
                           lambda ax: model_plots.plot_tracking(ev, cumulative=True, ax=ax), figsize=(7, 4))
    else:
        sec.caveat(f"Holdout fit-health check skipped: the log spans {span} days, too short to hold out "
                   f"{holdout} days and keep at least 4 weeks of calibration.")
        sec.headline.append(("fit health", "Not checked: the log is too short for a holdout, so the model's "
                                           "predictions are unverified."))
        problems.append("its predictions could not be checked on a holdout (the log is too short)")
    full = ctx.summary
    young = int((full["T"] <= 0).sum())
    fit_on = full[full["T"] > 0]
    if young:
        sec.note(f"{young:,} customers who first bought on the last day have no probabilistic CLV.")
    bg = BetaGeo().fit(fit_on)
    gg = GammaGamma().fit(fit_on)
    if not bg.identified_:
        loose = set(bg.diagnostics.index[~bg.diagnostics["identified"]])
        role = "a and b set how fast customers stop buying, so " if loose <= {"a", "b"} else ""
        problems.append(f"on the whole history, {bg.identification_problem}; {role}P(alive) and the "
                        f"{s.horizon_months}-month CLV rest on values the data do not support")
    if not gg.identified_:
        problems.append(f"on the whole history, {gg.identification_problem} (spend per purchase)")
    monthly = (1 + s.discount_rate) ** (1 / 12) - 1
    with warnings.catch_warnings():  # infinite spend is reported below, once, in plain words
        warnings.simplefilter("ignore", DataQualityWarning)
        value = customer_lifetime_value(bg, fit_on, gg, horizon=s.horizon_months, period="M",
                                        discount_rate=monthly, margin=s.margin)
    n_inf = int(np.isinf(value.to_numpy()).sum())
    if n_inf:  # Gamma-Gamma q <= 1: the spend distribution has no mean; never add infinities into a total
        problems.append(f"{n_inf:,} customers have an infinite expected spend (Gamma-Gamma q = "
                        f"{float(gg.params_['q']):.3g} <= 1: very heavy-tailed amounts; check for outliers), so their "
                        "model CLV is undefined and means and totals leave them out")
        value = value.where(np.isfinite(value))
    sound = not problems
    naive = naive_clv(fit_on, horizon=s.horizon_months, period="M", discount_rate=monthly, margin=s.margin,
                      time_unit=tx.time_unit)
    months = s.horizon_months * DAYS_PER_UNIT["M"] / DAYS_PER_UNIT[fit_on.attrs.get("time_unit") or tx.time_unit]
    model_purchases = float(bg.conditional_expected_purchases(fit_on, months).sum())
    naive_purchases = float(naive_forecast(fit_on, months).sum())
    ctx.cache["naive_clv"] = naive
    ctx.cache["clv_problems"] = problems
    sec.numbers["model_sound"] = float(sound)
    p_alive = bg.p_alive(fit_on)
    ctx.cache["model_clv"] = value
    n_nan = int(value.isna().sum())
    if n_nan:
        sec.note(f"{n_nan:,} customers have no probabilistic CLV (the fitted model's prediction is undefined for "
                 "them); means and totals leave them out.")
    flag = "" if sound else " (unreliable, see the warning)"
    sec.add_number("model_clv_mean", f"mean {s.horizon_months}-month model CLV{flag}", value.mean(), _money_fmt(ctx))
    sec.add_number("model_clv_total", f"total {s.horizon_months}-month model CLV{flag}", value.sum(), _money_fmt(ctx))
    sec.add_number("p_alive_mean", f"mean P(alive){flag}", p_alive.mean(), "{:.1%}")
    sec.numbers["naive_clv_mean"] = float(naive.mean())
    sec.numbers["naive_clv_total"] = float(naive.sum())
    sec.numbers["model_purchases"] = model_purchases
    sec.numbers["naive_purchases"] = naive_purchases
    course = ctx.cache.get("course_clv")
    money = _money_fmt(ctx)
    comparison = pd.DataFrame(
        {"mean per customer": [value.mean(), naive.mean(),
                               course["clv"].mean() if course is not None else math.nan],
         "total": [value.sum(), naive.sum(), course["clv"].sum() if course is not None else math.nan],
         f"purchases in the next {s.horizon_months} months": [model_purchases, naive_purchases, math.nan]},
        index=pd.Index([f"BG/NBD + Gamma-Gamma ({s.horizon_months} months)",
                        f"naive forecast: past rate and spend kept ({s.horizon_months} months)",
                        "course CLV (historical + current + potential)"], name="CLV"))
    sec.tables["model CLV beside the naive forecast and the course CLV"] = comparison
    if not sound:
        sec.add_number("naive_clv_mean", f"mean {s.horizon_months}-month naive-forecast CLV", naive.mean(), money)
        sec.add_number("naive_clv_total", f"total {s.horizon_months}-month naive-forecast CLV", naive.sum(), money)
        if course is not None:
            instead = (f"Quote the course CLV instead: mean {money.format(course['clv'].mean())}, total "
                       f"{money.format(course['clv'].sum())}")
        else:
            instead = "The course CLV is not available either (no customer has a year of history)"
        warning = ("Do not quote the BG/NBD + Gamma-Gamma numbers: " + "; ".join(problems) + f". {instead}. "
                   f"For comparison, the naive forecast (each customer keeps her past purchase rate and spend) "
                   f"gives mean {money.format(naive.mean())}, total {money.format(naive.sum())} over "
                   f"{s.horizon_months} months ({naive_purchases:,.0f} purchases, against the model's "
                   f"{model_purchases:,.0f}).")
        sec.headline.insert(0, ("model warning", warning))
        # the course CLV next to the model's numbers
        course_items = [h for h in sec.headline if h[0] in ("mean course CLV per customer", "total course CLV")]
        others = [h for h in sec.headline if h not in course_items]
        at = next((k for k, h in enumerate(others) if h[0].startswith(f"mean {s.horizon_months}-month model CLV")),
                  len(others))
        sec.headline[:] = others[:at] + course_items + others[at:]
        sec.caveat("Model warning: " + "; ".join(problems) + ".")
    params = pd.concat({"BG/NBD": bg.diagnostics, "Gamma-Gamma": gg.diagnostics})
    sec.tables["model parameters (whole history)"] = params[["coef", "se", "lower 95%", "upper 95%", "identified",
                                                             "status"]]
    ranked = pd.DataFrame({"model_clv": value, "p_alive": p_alive, "frequency": fit_on["frequency"],
                           "revenue": fit_on["revenue"]}).sort_values("model_clv", ascending=False, kind="stable")
    _rank_intervals(sec, ranked, bg, gg, fit_on, s, monthly)
    sec.tables["customers ranked by model CLV"] = ranked  # the HTML shows the top 20, the CSV has everyone
    unit = f" ({s.currency})" if s.currency else ""
    sec.add_figure(tr("report.fig.model_clv", "BG/NBD + Gamma-Gamma CLV per customer"),
                   lambda ax: plot_histogram(value, ax=ax, log=True,
                                             title=tr("report.fig.model_clv", "BG/NBD + Gamma-Gamma CLV per customer"),
                                             xlabel=f"{s.horizon_months}-month CLV per customer{unit}"),
                   figsize=(6.5, 3.8))
    for note in bg.fit_notes_ + gg.fit_notes_:
        sec.note(note)


def _rank_intervals(sec, ranked, bg, gg, fit_on, settings, monthly):
    """80% intervals of the model CLV of the customers the page shows (the top of ``ranked``), in place.

    :func:`toolkit.clv.customer_intervals` on those rows only (normal draws of the BG/NBD and Gamma-Gamma
    parameters), so the cost does not grow with the base. Adds ``model_clv_low_80`` and ``model_clv_high_80``
    after ``model_clv`` (empty below the shown rows) and a note on how to read them; without standard errors
    (a parameter not identified) the columns are left out and the note says why.
    """
    from ...clv.intervals import customer_intervals

    shown = ranked.index[:MAX_TABLE_ROWS]
    shown = shown[np.isfinite(ranked.loc[shown, "model_clv"].to_numpy(dtype=np.float64))]
    if len(shown) == 0:
        return
    try:
        with warnings.catch_warnings():  # infinite spend is reported by the caller, once
            warnings.simplefilter("ignore", DataQualityWarning)
            iv = customer_intervals(bg, fit_on.loc[shown], quantity="clv", spend_model=gg,
                                    horizon=settings.horizon_months, period="M", discount_rate=monthly,
                                    margin=settings.margin, levels=(RANK_INTERVAL_LEVEL,),
                                    n_draws=RANK_INTERVAL_DRAWS, seed=0)
    except ToolkitError:  # no Hessian, or not positive definite: the model's warning says which parameter
        sec.note(tr("report.note.clv_no_intervals"))
        return
    low, high = iv["lower_80"], iv["upper_80"]
    at = ranked.columns.get_loc("model_clv") + 1
    ranked.insert(at, "model_clv_low_80", low.reindex(ranked.index))
    ranked.insert(at + 1, "model_clv_high_80", high.reindex(ranked.index))
    ranked.attrs["kinds"] = {**ranked.attrs.get("kinds", {}), "model_clv_low_80": "money",
                             "model_clv_high_80": "money"}
    # neighbours in the ranking whose intervals overlap: the lower one's top reaches the higher one's bottom
    overlap = int((high.to_numpy()[1:] >= low.to_numpy()[:-1]).sum())
    sec.note(tr("report.note.clv_intervals").format(n=len(shown), draws=RANK_INTERVAL_DRAWS, overlap=overlap,
                                                    pairs=len(shown) - 1))
