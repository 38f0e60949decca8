"""Issue #20: the CLV results speak Chinese under ``set_language("zh")``, and their English does not change.

Every result object the CLV lessons show (03, 04, and the cup of 00b) is built once: the course CLV, its
sensitivity, unit economics, a promotion break-even, a portfolio scenario, the delivered value, the fitted models
(plain, from given parameters, with covariates), the holdout evaluation, the period-transactions check and the
likelihood-ratio test. Under zh their ``repr``, ``str`` and HTML (tags stripped, tooltips kept) hold no English
word (:func:`tests._zh_words.english_words`: codes such as AIC, BIC, MAE and the model names are allowed), and the
frames they return read Chinese in a Chinese notebook (:func:`toolkit.formatting.notebook_table_html`; the column's
own name printed under its Chinese header is the code the next cell uses, so it is left out). Under en the same
objects print exactly what they printed before; the data (column names, values, verdicts) stay English in both.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest

import toolkit
import toolkit._zh  # noqa: F401  (the Chinese of results; toolkit.set_language imports it)
from toolkit import clv, datasets
from toolkit.clv._common import Sentence
from toolkit.clv.evaluation import calibration_holdout_split, evaluate_model
from toolkit.clv.models import BetaGeo, GammaGamma, ModifiedBetaGeo, ParetoNBD
from toolkit.formatting import label, notebook_table_html, value_label
from toolkit.i18n import _CATALOGUE, using_language

from ._zh_words import english_words, strip_html


@pytest.fixture(scope="module")
def company():
    company = datasets.load_company()
    tx = toolkit.Transactions.from_frame(company.transactions, **company.transaction_kwargs())
    summary = toolkit.customer_summary(tx).join(
        company.customers.set_index("customer_id")[["channel", "acquisition_cost"]])
    return company, summary


@pytest.fixture(scope="module")
def cdnow():
    raw = datasets.load_cdnow("sample")
    tx = toolkit.Transactions.from_frame(raw, customer="sample_id", time="date", amount="dollar_value",
                                         duplicates="keep", time_unit="W")
    split = calibration_holdout_split(tx, "1997-09-30", "1998-06-30")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        models = {"bg": BetaGeo().fit(split), "pnbd": ParetoNBD().fit(split), "gg": GammaGamma().fit(split),
                  "mbg": ModifiedBetaGeo().fit(split)}
    return tx, split, models


@pytest.fixture(scope="module")
def results(company, cdnow):
    """name -> result object, as the lessons make them (plus the variants of each display)."""
    comp, summary = company
    tx, split, m = cdnow
    ex = clv.textbook_example()
    retention = clv.estimate_retention(summary, by="channel")
    rates = retention["retention"].fillna(retention["retention"].mean()).clip(0.05, 0.95)
    portfolio = clv.Portfolio(summary, group="channel", margin=0.35, retention=rates, discount_rate=0.1,
                              retention_n=retention["n"])
    company_summary = toolkit.customer_summary(comp.to_transactions(time_unit="W"))
    company_summary = company_summary[company_summary["T"] > 0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain = BetaGeo().fit(company_summary)
        by_channel = BetaGeo().fit(company_summary, covariates=comp.customers.set_index("customer_id")[["channel"]],
                                   categorical=["channel"])
    return {
        "course CLV": ex,
        "course CLV, infinite horizon": clv.textbook_example(horizon=np.inf),
        "sensitivity": clv.sensitivity(pct=0.10),
        "sensitivity of the current value": clv.sensitivity(pct=0.2, value="current"),
        "unit economics": ex.unit_economics(cac=1200),
        "unit economics below the line": ex.unit_economics(cac=4000),
        "unit economics without payback": clv.unit_economics(1000, 500),
        "promotion": clv.promotion_breakeven(0.10, annual_revenue=2400, margin=0.6, retention=0.8, discount_rate=0.1),
        "promotion that never pays": clv.promotion_breakeven(0.5, margin=0.6, retention=0.5),
        "portfolio scenario": portfolio.evaluate("one_yuan_promo", retention_delta=0.05, n_sims=50, seed=0),
        "portfolio price and cost": portfolio.evaluate("referral", price_change=-0.1, cost_change=5.0),
        "portfolio, everyone": clv.Portfolio(summary, margin=0.35, retention=0.6).evaluate(None, retention_delta=0.02,
                                                                                          value="clv"),
        "delivered value": clv.delivered_value(product=260, service=40, personnel=15, image=45, money=199, time=20,
                                               energy=10, psychological=15),
        "BG/NBD": m["bg"], "Pareto/NBD": m["pnbd"], "Gamma-Gamma": m["gg"], "MBG/NBD": m["mbg"],
        "BG/NBD not fitted": BetaGeo(),
        "BG/NBD from given parameters": BetaGeo.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426),
        "BG/NBD with covariates": by_channel,
        "evaluation": evaluate_model(m["bg"], split, spend_model=m["gg"], transactions=tx),
        "evaluation, Pareto/NBD": evaluate_model(m["pnbd"], split, spend_model=m["gg"]),
        "period transactions": clv.period_transactions(m["bg"], split),
        "period transactions, poor fit": clv.period_transactions(m["pnbd"], split),
        "likelihood-ratio test": clv.likelihood_ratio_test(plain, by_channel),
        "likelihood-ratio test, not nested": clv.likelihood_ratio_test(m["bg"], m["mbg"]),
    }


def _shown(obj) -> list[str]:
    texts = [repr(obj), str(obj)]
    if hasattr(obj, "_repr_html_"):
        texts.append(strip_html(obj._repr_html_()))
    if hasattr(obj, "verdict"):
        texts.append(str(obj.verdict))
    return texts


RESULTS = ["course CLV", "course CLV, infinite horizon", "sensitivity", "sensitivity of the current value",
           "unit economics", "unit economics below the line", "unit economics without payback", "promotion",
           "promotion that never pays", "portfolio scenario", "portfolio price and cost", "portfolio, everyone",
           "delivered value", "BG/NBD", "Pareto/NBD", "Gamma-Gamma", "MBG/NBD", "BG/NBD not fitted",
           "BG/NBD from given parameters", "BG/NBD with covariates", "evaluation", "evaluation, Pareto/NBD",
           "period transactions", "period transactions, poor fit", "likelihood-ratio test",
           "likelihood-ratio test, not nested"]


@pytest.mark.parametrize("name", RESULTS)
def test_result_reads_chinese(results, name):
    obj = results[name]
    with using_language("zh"):
        texts = _shown(obj)
    assert english_words(texts) == {}
    assert all(re.search(r"[\u4e00-\u9fff]", t) for t in texts)


@pytest.mark.parametrize("name", RESULTS)
def test_english_is_the_same_before_and_after_chinese(results, name):
    obj = results[name]
    before = _shown(obj)
    with using_language("zh"):
        _shown(obj)
    assert _shown(obj) == before
    assert english_words(before)  # English text, not Chinese left behind


def test_english_reprs_are_unchanged(results):
    """What the English lessons and tests read, character for character."""
    r = results
    assert repr(r["course CLV"]) == ("CLVResult(total=8,866.9: historical=4,320.0, current=3,058.7 over 5 years, "
                                     "potential=1,488.2 [upsell=458.8, referral=1,029.4, data=0.0])")
    assert r["course CLV"]._repr_html_().startswith("<p><b>Course CLV</b> = 8,866.9 (horizon 5 years)</p>")
    assert repr(r["unit economics"]) == ("UnitEconomics(CLV:CAC = 3.79:1 (healthy), payback 10.0 months; "
                                         "CLV 4,546.9, CAC 1,200.0)")
    assert repr(r["unit economics below the line"]) == ("UnitEconomics(CLV:CAC = 1.14:1 (below the 3:1 line), "
                                                        "payback 33.3 months; CLV 4,546.9, CAC 4,000.0)")
    assert repr(r["promotion"]) == ("PromotionResult(a 10% price cut pays for itself if retention rises by 6.16 "
                                    "points, 0.800 -> 0.862)")
    assert repr(r["promotion that never pays"]) == ("PromotionResult(a 50% price cut never pays for itself: even "
                                                    "retention 1 is not enough)")
    assert repr(r["portfolio scenario"]).startswith(
        "PortfolioResult({'retention_delta': 0.05} on 'one_yuan_promo' (415 customers): total current 328,153 -> "
        "329,030, change +877 (90% band ")
    cup = r["delivered value"]
    assert repr(cup) == "DeliveredValue(total value 360.0 - total cost 244.0 = 116.0; value/cost 1.48)"
    assert cup._repr_html_() == f"<p>{repr(cup)}</p>" + cup.summary.to_html(index=False)
    assert repr(r["sensitivity"]) == ("SensitivityResult(total=8,866.9, ±10%; largest swings: retention 2,429, "
                                      "annual_revenue 1,598, revenue_growth 1,408)")
    assert repr(r["BG/NBD"]) == ("<BetaGeo (BG/NBD) fitted on 2,357 customers (1,016 patterns): r=0.2426, "
                                 "alpha=4.414, a=0.7929, b=2.426; log-likelihood -9582.43>")
    assert r["BG/NBD"]._repr_html_().endswith("<p>AIC 19172.9 · BIC 19195.9 · converged: yes</p>")
    assert repr(r["BG/NBD from given parameters"]) == ("<BetaGeo (BG/NBD) from given parameters: r=0.243, "
                                                       "alpha=4.414, a=0.793, b=2.426>")
    assert repr(r["BG/NBD not fitted"]) == "<BetaGeo (BG/NBD), not fitted>"
    assert repr(r["evaluation"]).startswith("EvaluationReport: Usable with care: the fit is sound and beats the "
                                            "naive forecast, but some checks failed (see below).\n  [ok] BetaGeo "
                                            "fit converged.\n")
    assert repr(r["period transactions"]).startswith("<PeriodTransactions BG/NBD: chi-square 4.82 on 3 df, "
                                                     "p = 0.185>\n         actual  expected\nrepeats")
    assert repr(r["likelihood-ratio test, not nested"]).startswith("<LikelihoodRatioTest LR = 0.587 on 0 df, "
                                                                   "p = nan>\nNo nested test is possible")


def test_verdicts_stay_english_data_and_print_in_the_language(results, capsys):
    """A verdict is the English sentence (code compares it); printed or formatted under zh it is Chinese."""
    check = results["period transactions"]
    lr = results["likelihood-ratio test"]
    report = results["evaluation"]
    for verdict in (check.verdict, lr.verdict, report.verdict):
        assert isinstance(verdict, Sentence) and isinstance(verdict, str)
    english = str.__str__(check.verdict)
    assert english.startswith("The BG/NBD model reproduces") and str(check.verdict) == english
    with using_language("zh"):
        assert check.verdict == english and "within chance" in check.verdict  # the data are unchanged
        print(check.verdict)
        print(lr.verdict)
        assert f"{report.verdict}".startswith("谨慎使用")
    out = capsys.readouterr().out
    assert english_words([out]) == {}
    assert out.splitlines()[0].startswith("BG/NBD 模型再现了校准期内重复购买")
    assert "应选用 BG/NBD（完整模型）" in out.splitlines()[1]
    assert lr.verdict.startswith("The extra parameters of full BG/NBD")


def _frame_words(frame) -> dict:
    """English words of a frame as a Chinese notebook shows it, without the code names under the headers."""
    html = re.sub(r"<code[^>]*>.*?</code>", " ", notebook_table_html(frame), flags=re.S)
    return english_words([strip_html(html)])


def test_result_frames_read_chinese_in_a_chinese_notebook(results, company, cdnow):
    _, summary = company
    tx, split, m = cdnow
    ex = results["course CLV"]
    retention = clv.estimate_retention(summary, by="channel")
    rates = retention["retention"].fillna(retention["retention"].mean()).clip(0.05, 0.95)
    values = clv.customer_values(summary, margin=0.35, retention=rates, group="channel", discount_rate=0.1,
                                 upsell_uplift=clv.spend_gap(summary, by="channel"), upsell_probability=0.2,
                                 referrals_per_year=0.1, referral_cost=5.0)
    segments = clv.clv_segments(values)
    report = results["evaluation"]
    frames = {
        "years": ex.years.round(3),
        "components": pd.DataFrame({"课本示例": ex.summary["value"]}).T,
        "elasticities": results["sensitivity"].elasticities[["label", "base", "elasticity", "reading"]],
        "tornado": results["sensitivity"].summary,
        "promotion": results["promotion"].summary,
        "unit economics": results["unit economics"].summary,
        "retention": retention,
        "channels": clv.channel_economics(values, summary).round(2),
        "segments": segments.groupby("clv_segment", observed=True).agg(customers=("clv", "size")),
        "strategies": segments[["clv_segment", "strategy"]].drop_duplicates(),
        "portfolio": results["portfolio scenario"].summary,
        "split": split.head(),
        "checks": report.checks,
        "by frequency": report.by_frequency,
        "metrics": report.metrics,
        "period transactions": results["period transactions"].summary,
        "model summary": m["bg"].summary,
        "diagnostics": m["bg"].diagnostics,
        "diagnostics, given parameters": results["BG/NBD from given parameters"].diagnostics,
        "covariate coefficients": results["BG/NBD with covariates"].summary,
        "cup": results["delivered value"].summary,
    }
    with using_language("zh"):
        found = {name: sorted(_frame_words(frame)) for name, frame in frames.items()}
    assert {name: words for name, words in found.items() if words} == {}
    # the data keep their names and values
    assert list(segments["clv_segment"].cat.categories) == ["high-value", "growth", "watch", "low-value"]
    assert list(results["delivered value"].summary.columns) == ["side", "part", "amount"]


def test_labels_keep_their_english():
    """The Chinese labels added for the CLV results leave the English headers and values as they were."""
    from toolkit._zh import results_clv

    shown = [(f"col.{name}", lambda name=name: label(name)) for name in results_clv.COLUMNS]
    shown += [(f"val.{context}.{value}", lambda value=value, context=context: value_label(value, context))
              for context, values in results_clv.VALUES.items() for value in values]
    shown += [(f"val.{value}", lambda value=value: value_label(value)) for value in results_clv.VALUES["clv_segment"]]
    for key, english in shown:
        saved = _CATALOGUE.pop(key)
        try:
            before = english()
        finally:
            _CATALOGUE[key] = saved
        assert english() == before, key
        assert saved["zh"] and saved["en"] == before, key
