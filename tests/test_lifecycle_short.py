"""Short histories are results with caveats, not errors (issue #17, point 4).

The lifecycle classifier, the report's lifecycle section and the command line on 6- and 12-month logs: durations
bounded by the observed window, every fallback stated in ``learned_`` and ``caveats_`` ("needs N months of
history, has M"), user-given durations winning, and typed errors only where the data cannot support the
lifecycle at all.
"""

import html
import warnings

import re

import numpy as np
import pandas as pd
import pytest

import toolkit
from toolkit import __main__ as cli
from toolkit.errors import DataQualityError, DataQualityWarning
from toolkit.lifecycle import FULL_HORIZON_DAYS, PATTERN_RULES, PATTERNS, TOO_EARLY, LifecycleClassifier
from toolkit.report import ReportSettings, build_report


def last_months(company, months):
    """The company's order lines of the last ``months`` months only (what a retailer exports for one year)."""
    t = company.transactions
    sub = t[t["timestamp"] > t["timestamp"].max() - pd.DateOffset(months=months)]
    return sub, toolkit.Transactions.from_frame(sub, customer="customer_id", time="timestamp", amount="amount",
                                                duplicates="keep")


@pytest.fixture(scope="module")
def logs():
    """12 months of the bundled company and 6 months of another simulated one (seed not used elsewhere)."""
    return {12: last_months(toolkit.datasets.load_company(), 12)[1],
            6: last_months(toolkit.datasets.make_company(1500, seed=21), 6)[1]}


def fit_recording(tx, **params):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clf = LifecycleClassifier(**params).fit(tx)
    return clf, [str(w.message) for w in caught if issubclass(w.category, DataQualityWarning)]


@pytest.fixture(scope="module")
def fits(logs):
    return {months: fit_recording(tx) for months, tx in logs.items()}


# ------------------------------------------------------------------------------------------------ classifier
@pytest.mark.parametrize("months", [12, 6])
def test_short_log_is_classified_with_caveats_naming_the_window(logs, fits, months):
    tx = logs[months]
    clf, warned = fits[months]
    window = tx.arrays.end_day
    assert clf.window_days_ == window
    # the curve's horizon is bounded by the window: half of it, in whole bins, not the 360 days of a long log
    assert clf.horizon_ == (window // 2) // clf.bin_days * clf.bin_days < FULL_HORIZON_DAYS
    th = clf.thresholds_
    assert all(np.isfinite(v) for v in th.values())
    assert 0 < th["t_stability"] <= clf.horizon_
    # the loyal duration is a restricted mean: no longer than the stable time this window can show
    assert 0 < th["loyal_duration"] <= window - th["t_stability"]
    # every fallback is in the "how" column and in plain-language caveats saying what is needed and what there is
    assert f"bounded by the observed {window}-day window" in clf.learned_.loc["t_stability", "derivation"]
    assert "lower bound" in clf.learned_.loc["loyal_duration", "derivation"]
    assert any(f"needs about 24 months of history, has {months})" in c for c in clf.caveats_), clf.caveats_
    assert any(c.startswith("Expected loyal duration:") and f"has {months}." in c for c in clf.caveats_)
    assert set(clf.caveats_) <= set(warned)  # each caveat is also a DataQualityWarning, with the same text
    assert "caveat:" in repr(clf) and "<li>" in clf._repr_html_()
    # still a full result: every acquired customer has a stage and a pattern
    pred = clf.predict()
    assert len(pred) == tx.n_customers and set(pred.unique()) <= set(PATTERNS) | {TOO_EARLY}


@pytest.mark.parametrize("months", [12, 6])
def test_too_early_share_is_said_plainly(fits, months):
    clf, _ = fits[months]
    counts = clf.result_.pattern_counts()
    n, k = int(counts.sum()), int(counts[TOO_EARLY])
    assert k / n >= 0.5  # a short window leaves most active customers uncalled ...
    text = f'{k / n:.0%} of customers ({k:,} of {n:,}) are "too early to tell"'
    said = [c for c in clf.caveats_ if c.startswith(text)]
    assert len(said) == 1, clf.caveats_  # ... and the classifier says so, with the numbers behind it
    need = clf.thresholds_["t_stability"] + clf.thresholds_["loyal_duration"]
    assert f"= {need:.0f} days" in said[0] and f"this log covers {months} months" in said[0]


def test_long_log_has_no_caveats():
    """The bundled three-year company: the full 360-day horizon, learned loyal duration, nothing to caveat."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataQualityWarning)
        clf = LifecycleClassifier().fit(toolkit.datasets.load_company().to_transactions())
    assert clf.horizon_ == FULL_HORIZON_DAYS and clf.caveats_ == []
    assert "bounded" not in clf.learned_.loc["t_stability", "derivation"]
    assert "lower bound" not in clf.learned_.loc["loyal_duration", "derivation"]


def test_user_parameters_win(logs):
    tx = logs[12]
    given = {"loyal_duration": 240, "time_to_stability": 120, "lost_gap": 75, "horizon_days": 120}
    clf, warned = fit_recording(tx, **given)
    for name in ("loyal_duration", "lost_gap"):
        assert clf.thresholds_[name] == given[name] and clf.learned_.loc[name, "derivation"] == "given"
    assert clf.thresholds_["t_stability"] == 120 and clf.learned_.loc["t_stability", "derivation"] == "given"
    assert clf.horizon_ == 120 and clf.rate_curve_.attrs["horizon_days"] == 120
    # nothing was assumed about the loyal duration, so no caveat about it; the too-early share is still said,
    # and does not tell the user to pass the loyal duration they already passed
    assert not any(c.startswith("Expected loyal duration") for c in clf.caveats_)
    too_early = [c for c in clf.caveats_ if "too early to tell" in c]
    assert too_early and "--loyal-duration" not in too_early[0]
    assert "120 + 240 = 360 days" in too_early[0]


def test_loyal_duration_assumed_when_too_few_reached_stability(logs):
    """With stability only after 330 days, nobody in a 12-month log can be seen stable: a stated assumption."""
    tx = logs[12]
    clf, _ = fit_recording(tx, time_to_stability=330)
    window = clf.window_days_
    assert clf.thresholds_["loyal_duration"] == window - 330
    how = clf.learned_.loc["loyal_duration", "derivation"]
    assert how.startswith("assumed:") and "no customer reached stability (30 needed)" in how
    caveat = next(c for c in clf.caveats_ if c.startswith("Expected loyal duration"))
    assert "this log has 0 over 12 months" in caveat and "needs more than 13 months of history, has 12" in caveat
    # the assumption is a lower bound: an active customer is called long-term retention only when she has been
    # stable for the whole window
    rule = np.asarray(PATTERN_RULES)[clf.result_.pattern_rule]
    span = clf.features_.span[-1]
    assert (span[rule == "long_term_retention_active"] >= window).all()


def test_impossible_logs_are_typed_errors_saying_what_they_need():
    company = toolkit.datasets.make_company(1500, seed=21)
    _, three_months = last_months(company, 3)
    with pytest.raises(DataQualityError, match=r"needs at least 4 months of history \(120 days\), this log has "
                                               r"3 months") as info:
        LifecycleClassifier().fit(three_months)
    assert info.value.column == "timestamp"
    _, tiny = last_months(toolkit.datasets.make_company(60, seed=21), 12)
    with pytest.raises(DataQualityError, match=r"needs at least 30 customers who bought again 60 or more days "
                                               r"after their first purchase .*, this log has \d+ \(of \d+ customers"):
        LifecycleClassifier().fit(tiny)


def test_given_horizon_too_long_for_the_window_says_so(logs):
    with pytest.raises(DataQualityError, match=r'this log has \d+ over 6 months\. .*leave horizon_days="auto"'):
        LifecycleClassifier(horizon_days=360).fit(logs[6])


# ------------------------------------------------------------------------------------------------ report
@pytest.mark.parametrize("months", [12, 6])
def test_report_lifecycle_section_shows_caveats_as_notes(logs, fits, months):
    tx = logs[months]
    rep = build_report(tx, sections=["lifecycle"], progress=False)
    sec = rep["lifecycle"]
    assert sec.status == "ok", sec.notes
    clf, _ = fits[months]
    assert sec.notes == clf.caveats_  # the caveats, once each, in plain words: no warning class names
    assert not any("Error" in n or "Warning" in n or "Traceback" in n for n in sec.notes)
    counts = clf.result_.pattern_counts()
    assert sec.numbers[TOO_EARLY] == pytest.approx(counts[TOO_EARLY] / counts.sum())
    text = rep.html()
    for note in sec.notes:
        assert html.escape(note) in text


def test_report_section_skipped_in_plain_words_when_the_data_cannot_support_it():
    _, three_months = last_months(toolkit.datasets.make_company(800, seed=21), 3)
    sec = build_report(three_months, sections=["lifecycle"], progress=False)["lifecycle"]
    assert sec.status == "skipped"
    assert sec.notes[0].startswith("The lifecycle needs at least 4 months of history (120 days), this log has 3 "
                                   "months")
    assert not any("Error" in n or "LifecycleClassifier" in n for n in sec.notes)


def test_report_settings_reach_the_classifier(logs):
    settings = {"loyal_duration_days": 200, "time_to_stability_days": 100, "lost_gap_days": 90}
    sec = build_report(logs[12], sections=["lifecycle"], settings=settings, progress=False)["lifecycle"]
    learned = sec.tables["learned thresholds (days)"]
    assert learned.loc["loyal_duration", "value"] == 200 and learned.loc["t_stability", "value"] == 100
    assert learned.loc["lost_gap", "value"] == 90
    assert (learned.loc[["loyal_duration", "t_stability", "lost_gap"], "derivation"] == "given").all()
    with pytest.raises(ValueError, match=r"loyal_duration_days must be a finite number in \(0, "):
        ReportSettings(loyal_duration_days=-30)
    assert ReportSettings().loyal_duration_days is None  # default: learned from the data


# ------------------------------------------------------------------------------------------------ command line
def test_cli_lifecycle_flags_parse():
    base = ["report", "x.csv", "--customer", "c", "--time", "t", "--amount", "a", "-o", "r.html"]
    args = cli.build_parser().parse_args(base + ["--loyal-duration", "180", "--time-to-stability", "90",
                                                 "--lost-gap", "120"])
    assert (args.loyal_duration, args.time_to_stability, args.lost_gap) == (180.0, 90.0, 120.0)
    args = cli.build_parser().parse_args(base)
    assert (args.loyal_duration, args.time_to_stability, args.lost_gap) == (None, None, None)
    with pytest.raises(SystemExit) as info:  # a usage error (exit 2), before any data is read
        cli.build_parser().parse_args(base + ["--loyal-duration", "-5"])
    assert info.value.code == 2


def test_cli_flags_reach_the_classifier(tmp_path, monkeypatch):
    raw, _ = last_months(toolkit.datasets.make_company(600, seed=21), 12)
    path = tmp_path / "orders.csv"
    raw[["customer_id", "timestamp", "amount"]].to_csv(path, index=False)
    seen = []
    original = LifecycleClassifier.fit

    def spy(self, *args, **kwargs):
        seen.append(self.get_params())
        return original(self, *args, **kwargs)

    monkeypatch.setattr(LifecycleClassifier, "fit", spy)
    out = tmp_path / "report.html"
    code = cli.main(["report", str(path), "--customer", "customer_id", "--time", "timestamp", "--amount", "amount",
                     "--on-bad-rows", "drop", "--duplicates", "keep", "--loyal-duration", "150",
                     "--time-to-stability", "80", "--lost-gap", "100", "-o", str(out), "-q"])
    assert code == 0
    assert seen, "the lifecycle section did not fit a classifier"
    params = seen[0]
    assert (params["loyal_duration"], params["time_to_stability"], params["lost_gap"]) == (150.0, 80.0, 100.0)
    text = out.read_text(encoding="utf-8")  # the assumption is listed in the report's settings, in words
    assert re.search(r"<th>Loyal duration \(days\)</th><td[^>]*>150", text), "the given loyal duration is not listed"
