"""toolkit.scale on a distributed.LocalCluster (2 worker processes): results equal the in-memory path.

Counts are compared exactly, floats to 1e-9 relative. Rows of a scaled summary come grouped by partition, so
frames are sorted by customer before comparing.
"""

import warnings

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

import toolkit  # noqa: E402
from toolkit import scale  # noqa: E402
from toolkit.clv.models import BetaGeo, GammaGamma, ParetoNBD, customer_lifetime_value  # noqa: E402
from toolkit.datasets import load_cdnow, load_company  # noqa: E402
from toolkit.errors import DataQualityError, NotFittedError, SchemaError  # noqa: E402
from toolkit.lifecycle import LifecycleClassifier, lifecycle_features, snapshot_dates  # noqa: E402

RTOL = 1e-9
CDNOW_KW = {"customer": "customer_id", "time": "date", "amount": "dollar_value", "quantity": "number_of_cds",
            "duplicates": "keep", "time_unit": "W"}


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                       env={"NUMBA_NUM_THREADS": "1"})
    client = distributed.Client(cluster)
    # numba compiles once per worker process: start that on every worker, overlapping the in-memory setup
    warm = [client.submit(toolkit.warmup, key=f"warmup-{w}", workers=[w]) for w in client.scheduler_info()["workers"]]
    yield client
    del warm
    client.close()
    cluster.close()


class Case:
    """One dataset, in memory and partitioned."""

    def __init__(self, raw, kwargs, client, npartitions):
        self.tx = toolkit.Transactions.from_frame(raw, **kwargs)
        self.summary = toolkit.customer_summary(self.tx)
        self.ptx = scale.from_dask(raw, npartitions=npartitions, client=client, **kwargs)
        self.dsummary = scale.customer_summary(self.ptx).persist()


@pytest.fixture(scope="module")
def company(client):
    c = load_company()
    return Case(c.transactions, c.transaction_kwargs(), client, npartitions=3)


@pytest.fixture(scope="module")
def cdnow(client):
    return Case(load_cdnow("sample"), CDNOW_KW, client, npartitions=4)


@pytest.fixture(params=["company", "cdnow"])
def case(request):
    return request.getfixturevalue(request.param)


def _sorted(ddf):
    return ddf.compute().sort_index()


def test_partitions_hold_whole_customers_and_report_adds_up(case):
    ids = [set(p.tx.customer_ids) for p in scale.compute(*case.ptx.parts, progress=False) if p.tx is not None]
    assert len(ids) > 1
    assert sum(len(s) for s in ids) == len(set().union(*ids)) == case.tx.n_customers
    report, expected = case.ptx.report, case.tx.report
    assert report.balanced
    assert (report.rows_in, report.rows_kept) == (expected.rows_in, expected.rows_kept)
    assert report.dropped == expected.dropped
    assert report.kept_notes == expected.kept_notes
    assert sorted(report.notes) == sorted(expected.notes)
    assert case.ptx.observation_end == case.tx.observation_end


def test_customer_summary_identical(case):
    got = _sorted(case.dsummary)
    pd.testing.assert_frame_equal(got, case.summary, check_exact=False, rtol=RTOL)
    ints = got.select_dtypes("integer").columns
    assert len(ints) >= 3 and (got[ints] == case.summary[ints]).all().all()


@pytest.mark.filterwarnings("ignore::toolkit.errors.BinningWarning")
def test_rfm_scores_use_global_edges(case):
    expected = toolkit.rfm_scores(case.summary)
    edges = scale.rfm_edges(case.dsummary, progress=False)
    assert edges == expected.attrs["edges"]
    got = _sorted(scale.rfm_scores(case.dsummary, edges=edges))
    pd.testing.assert_frame_equal(got, expected)
    # per-partition edges would differ: the scores really depend on the whole base
    parts = [toolkit.rfm_scores(p).attrs["edges"] for p in case.dsummary.to_delayed()[:2]
             for p in [p.compute()]]
    assert any(p != expected.attrs["edges"] for p in parts)


def test_rfm_ties_warn_like_in_memory(cdnow):
    with pytest.warns(toolkit.BinningWarning):
        expected = toolkit.rfm_scores(cdnow.summary, bins=7)
    with pytest.warns(toolkit.BinningWarning):
        got = _sorted(scale.rfm_scores(cdnow.dsummary, bins=7, progress=False))
    pd.testing.assert_frame_equal(got, expected)


@pytest.mark.parametrize("name,kwargs", [
    ("company", {"period": "M"}),
    ("company", {"period": "Q", "by": "channel", "metric": "revenue"}),
    ("company", {"period": "W", "max_periods": 10, "partial": "keep", "metric": "gross_revenue_retention"}),
    ("cdnow", {"period": "M", "metric": "cumulative_revenue_per_customer"}),
    ("cdnow", {"period": "M", "cohort_range": ("1997-02-01", None), "metric": "orders"}),
])
def test_retention_matrix_sums_partial_matrices(request, name, kwargs):
    data = request.getfixturevalue(name)
    expected = toolkit.retention_matrix(data.tx, **kwargs)
    got = scale.retention_matrix(data.ptx, progress=False, **kwargs)
    pd.testing.assert_frame_equal(got, expected, check_exact=False, rtol=RTOL)
    assert got.attrs == expected.attrs
    counts = scale.cohort_counts(data.ptx, progress=False, **{k: v for k, v in kwargs.items() if k != "metric"})
    mem = toolkit.cohorts.cohort_counts(data.tx, **{k: v for k, v in kwargs.items() if k != "metric"})
    for attr in ("size", "active", "orders", "observed"):
        np.testing.assert_array_equal(getattr(counts, attr), getattr(mem, attr))
    assert counts.n_skipped == mem.n_skipped


def _close(a, b):
    np.testing.assert_allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=RTOL, atol=0)


@pytest.mark.parametrize("model_class", [BetaGeo, ParetoNBD])
def test_fit_on_gathered_patterns(cdnow, model_class):
    expected = model_class().fit(cdnow.summary)
    got = scale.fit(model_class(), cdnow.dsummary, progress=False)
    _close(got.params_, expected.params_)
    _close(got.log_likelihood_, expected.log_likelihood_)
    # standard errors come from a finite-difference Hessian: the order of the patterns alone (here partitions
    # gathered vs rows in memory; equally, shuffling the in-memory rows) moves them by up to ~2e-9 relative
    # while the parameters agree to 1e-13, so they are held to 1e-7
    np.testing.assert_allclose(got.standard_errors_.to_numpy(float), expected.standard_errors_.to_numpy(float),
                               rtol=1e-7, atol=0)
    assert got.n_customers_ == expected.n_customers_ == cdnow.tx.n_customers
    assert got.n_patterns_ == expected.n_patterns_ < cdnow.tx.n_customers
    assert got.time_unit_ == expected.time_unit_ == "W"


def test_gamma_gamma_fit(case):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", toolkit.DataQualityWarning)
        expected = GammaGamma().fit(case.summary)
        got = scale.fit(GammaGamma(), case.dsummary, progress=False)
    _close(got.params_, expected.params_)
    _close(got.frequency_spend_correlation_, expected.frequency_spend_correlation_)
    assert got.fit_notes_ == expected.fit_notes_


def test_predict_per_partition(case):
    summary = case.summary[case.summary["T"] > 0]  # a customer acquired on the last day has no history to fit
    dsummary = case.dsummary[case.dsummary["T"] > 0]
    bg = BetaGeo().fit(summary)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", toolkit.DataQualityWarning)
        gg = GammaGamma().fit(summary)
    got = _sorted(scale.predict(dsummary, bg, gg, t=10, horizon=6, period="M", discount_rate=0.01, margin=0.3))
    _close(got["p_alive"], bg.p_alive(summary))
    _close(got["expected_purchases"], bg.conditional_expected_purchases(summary, 10))
    _close(got["expected_spend"], gg.expected_spend(summary))
    _close(got["clv"], customer_lifetime_value(bg, summary, gg, horizon=6, period="M", discount_rate=0.01,
                                               margin=0.3))
    assert got.index.equals(summary.index)


def _dirty():
    rng = np.random.default_rng(7)
    n = 600
    raw = pd.DataFrame({"cust": rng.integers(0, 80, n).astype(float),
                        "when": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 200, n), unit="D"),
                        "value": rng.gamma(2.0, 20.0, n).round(2)})
    raw.loc[rng.choice(n, 9, replace=False), "value"] *= -1
    raw.loc[rng.choice(n, 5, replace=False), "cust"] = np.nan
    raw.loc[rng.choice(n, 4, replace=False), "value"] = 0.0
    return pd.concat([raw, raw.iloc[:6]], ignore_index=True)  # six duplicated rows


@pytest.mark.parametrize("on_bad_rows", ["drop", "net"])
def test_cleaning_report_aggregates_over_partitions(client, on_bad_rows):
    raw = _dirty()
    kw = {"customer": "cust", "time": "when", "amount": "value", "on_bad_rows": on_bad_rows}
    tx = toolkit.Transactions.from_frame(raw, **kw)
    ptx = scale.from_dask(raw, npartitions=5, client=client, **kw)
    assert ptx.report.dropped == tx.report.dropped and len(tx.report.dropped) >= 2
    assert ptx.report.kept_notes == tx.report.kept_notes
    assert (ptx.report.rows_in, ptx.report.rows_kept) == (tx.report.rows_in, tx.report.rows_kept)
    pd.testing.assert_frame_equal(_sorted(scale.customer_summary(ptx)), toolkit.customer_summary(tx),
                                  check_exact=False, rtol=RTOL)


def test_bad_rows_raise_with_totals(client):
    raw = _dirty()
    kw = {"customer": "cust", "time": "when", "amount": "value"}
    with pytest.raises(DataQualityError) as mem:
        toolkit.Transactions.from_frame(raw, **kw)
    ptx = scale.from_dask(raw, npartitions=5, client=client, **kw)
    with pytest.raises(DataQualityError, match="break the transaction contract") as got:
        ptx.report  # noqa: B018
    assert got.value.count == mem.value.count > 10
    for reason in ("missing customer_id", "negative amount (return)", "duplicate row"):
        assert reason in str(got.value) and reason in str(mem.value)
    with pytest.raises(DataQualityError, match="one partition"):  # lazy analyses never drop rows silently
        scale.customer_summary(ptx).compute()


def test_read_parquet_and_csv_files(tmp_path, client, company, cdnow):
    c = load_company()
    folder = tmp_path / "company"
    folder.mkdir()
    half = len(c.transactions) // 2
    c.transactions.iloc[:half].to_parquet(folder / "part-0.parquet")
    c.transactions.iloc[half:].to_parquet(folder / "part-1.parquet")
    ptx = scale.read_transactions(folder, client=client, npartitions=3, **c.transaction_kwargs())
    pd.testing.assert_frame_equal(_sorted(scale.customer_summary(ptx)), company.summary, check_exact=False,
                                  rtol=RTOL)
    raw = load_cdnow("sample")
    raw.assign(date=raw["date"].dt.strftime("%Y%m%d")).to_csv(tmp_path / "cdnow.csv", index=False)
    ptx = scale.read_transactions(tmp_path / "cdnow.csv", client=client, npartitions=2,
                                  read_kwargs={"blocksize": 60_000}, date_format="%Y%m%d", **CDNOW_KW)
    got = _sorted(scale.customer_summary(ptx))
    assert got.index[0] == "00004"  # zero-padded ids survive
    pd.testing.assert_frame_equal(got, cdnow.summary, check_exact=False, rtol=RTOL)
    assert ptx.report.kept_notes == cdnow.tx.report.kept_notes


@pytest.mark.parametrize("seed", range(4))
def test_exact_order_statistics_match_sorting(client, seed):
    """The three-pass distributed selection picks the same order statistics as a full sort (with many ties)."""
    from toolkit.rfm import rfm_scores

    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 3000))
    frame = pd.DataFrame({"since_last": rng.integers(0, 30, n).astype(float),
                          "n_days": rng.geometric(0.4, n).astype(float),
                          "revenue": np.where(rng.random(n) < 0.3, 10.0, rng.gamma(1.0, 50.0, n))},
                         index=pd.Index(np.arange(n), name="customer_id"))
    import dask.dataframe as dd

    ddf = dd.from_pandas(frame, npartitions=int(rng.integers(1, 7)), sort=False)
    for bins in (2, 5, 11):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", toolkit.BinningWarning)
            assert scale.rfm_edges(ddf, bins, client=client, progress=False) == \
                rfm_scores(frame, bins=bins).attrs["edges"]


def test_persisted_log_and_one_pass_results(client, cdnow):
    ptx = scale.from_dask(load_cdnow("sample"), npartitions=3, client=client, **CDNOW_KW).persist(progress=True)
    assert all(p.key in client.futures for p in ptx.parts)  # validated partitions live on the workers
    summary, counts, report = scale.persist(scale.customer_summary(ptx), scale.cohort_counts(ptx, compute=False),
                                            ptx.report_delayed(), client=client)
    counts, report = scale.compute(counts, report, client=client)
    pd.testing.assert_frame_equal(_sorted(summary), cdnow.summary, check_exact=False, rtol=RTOL)
    pd.testing.assert_frame_equal(counts.matrix("retention"), toolkit.retention_matrix(cdnow.tx, "M"))
    assert report.kept_notes == cdnow.tx.report.kept_notes
    assert scale.dashboard_link(client) == client.dashboard_link


# ------------------------------------------------------------------------------------------------ lifecycle
def _lifecycle(case):
    """In-memory and distributed fits of the default classifier (cached on the case)."""
    if not hasattr(case, "lifecycle"):
        case.lifecycle = (LifecycleClassifier().fit(case.tx),
                          scale.fit(LifecycleClassifier(), case.ptx, progress=False))
    return case.lifecycle


def _same_fit(got, expected):
    assert got.thresholds_.keys() == expected.thresholds_.keys()
    for name, value in expected.thresholds_.items():
        _close(got.thresholds_[name], value)
    # the derivations quote the counts behind each threshold (survivors, gaps, stable customers)
    assert got.learned_["derivation"].tolist() == expected.learned_["derivation"].tolist()
    pd.testing.assert_frame_equal(got.rate_curve_, expected.rate_curve_, check_exact=False, rtol=RTOL)
    assert got.rate_curve_.attrs.keys() == expected.rate_curve_.attrs.keys()
    _close(list(got.rate_curve_.attrs.values()), list(expected.rate_curve_.attrs.values()))
    assert (got.horizon_, got.window_days_) == (expected.horizon_, expected.window_days_)
    assert got.caveats_ == expected.caveats_


def test_lifecycle_fit_learns_the_same_thresholds(case):
    expected, got = _lifecycle(case)
    _same_fit(got, expected)
    assert "quantile of" in got.learned_.loc["lost_gap", "derivation"]  # learned, not given
    assert "restricted" in got.learned_.loc["loyal_duration", "derivation"]
    assert got.tx_ is None and not hasattr(got, "features_")  # no gathered log on the client
    with pytest.raises(ValueError, match="holds no log"):
        got.classify()


def test_lifecycle_stages_identical(case):
    expected, clf = _lifecycle(case)
    stages = scale.lifecycle_stages(case.ptx, clf)
    got = _sorted(stages)
    table = expected.result_.table()
    pd.testing.assert_frame_equal(got, table, check_exact=False, rtol=RTOL)
    assert (got["stage"] == table["stage"]).all() and (got["pattern_rule"] == table["pattern_rule"]).all()
    assert got["stage"].nunique() >= 3 and got["pattern"].nunique() >= 3
    assert list(stages.dtypes) == list(got.dtypes)  # the Dask metadata is right
    # several snapshots: the table at an earlier one, and the counts at every one, summed over partitions
    at = snapshot_dates(case.tx, "M", 4)
    res = expected.classify(at=at)
    pd.testing.assert_frame_equal(_sorted(scale.lifecycle_stages(case.ptx, clf, at=at, snapshot=at[1])),
                                  res.table(1), check_exact=False, rtol=RTOL)
    counts, patterns = scale.lifecycle_counts(case.ptx, clf, at=at, progress=False)
    pd.testing.assert_frame_equal(counts, res.counts())
    pd.testing.assert_series_equal(patterns, res.pattern_counts())


def test_lifecycle_with_purchase_model_and_settings(company):
    from toolkit.clv.models import BetaGeo

    summary = company.summary[company.summary["T"] > 0]
    model = BetaGeo().fit(summary)
    settings = {"p_alive_min": 0.5, "lost_quantile": 0.9, "horizon_days": 300, "bin_days": 20}
    expected = LifecycleClassifier(**settings).fit(company.tx, model=model)
    got = scale.fit_lifecycle(LifecycleClassifier(**settings), company.ptx, model=model, progress=False)
    _same_fit(got, expected)
    table = _sorted(scale.lifecycle_stages(company.ptx, got))  # the model travels with the classifier
    pd.testing.assert_frame_equal(table, expected.result_.table(), check_exact=False, rtol=RTOL)
    assert (table["stage_rule"] == "lost_p_alive").any()
    feats = _sorted(scale.lifecycle_features(company.ptx, "2024-06-30", window=45, model=model))
    pd.testing.assert_frame_equal(feats, lifecycle_features(company.tx, "2024-06-30", window=45, model=model).frame(),
                                  check_exact=False, rtol=RTOL)
    # a given loyal duration is used as it is
    fixed = scale.fit(LifecycleClassifier(loyal_duration=400, lost_gap=80), company.ptx, progress=False)
    _same_fit(fixed, LifecycleClassifier(loyal_duration=400, lost_gap=80).fit(company.tx))


def _fit_both(raw, client, npartitions=3, **params):
    """In-memory and distributed fits of a (dirty) log, with the DataQualityWarnings each issued."""
    from toolkit.errors import DataQualityWarning

    kw = {"customer": "cust", "time": "when", "amount": "value", "on_bad_rows": "drop"}
    fits = []
    for fit in (lambda: LifecycleClassifier(**params).fit(toolkit.Transactions.from_frame(raw, **kw)),
                lambda: scale.fit(LifecycleClassifier(**params),
                                  scale.from_dask(raw, npartitions=npartitions, client=client, **kw), progress=False)):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            clf = fit()
        fits.append((clf, [str(w.message) for w in caught if issubclass(w.category, DataQualityWarning)]))
    return fits


def test_lifecycle_errors(client, company):
    with pytest.raises(NotFittedError):
        scale.lifecycle_stages(company.ptx, LifecycleClassifier())
    _, clf = _lifecycle(company)
    with pytest.raises(ValueError, match="after the observation end"):
        scale.lifecycle_stages(company.ptx, clf, at="2030-01-01")
    with pytest.raises(SchemaError, match="PartitionedTransactions"):
        scale.fit(LifecycleClassifier(), company.dsummary)


@pytest.mark.parametrize("params", [{}, {"bin_days": 7, "loyal_duration": 120}])
def test_lifecycle_short_log_learns_the_same_with_caveats(client, params):
    # 200 days of history: a result with caveats (horizon bounded by the window), the same in both paths
    (expected, warned), (got, got_warned) = _fit_both(_dirty(), client, npartitions=5, **params)
    _same_fit(got, expected)  # thresholds, derivations, curve, horizon_, window_days_ and caveats_
    assert got.learned_.equals(expected.learned_)
    assert expected.window_days_ == 199 and expected.horizon_ < 360 and expected.caveats_
    assert got_warned == warned and set(expected.caveats_) <= set(warned)
    assert got.tx_ is None


@pytest.mark.parametrize("raw,match", [
    (_dirty().query("when < '2024-04-10'"), "needs at least 4 months of history"),  # 100 days
    (_dirty().query("cust < 20"), "needs at least 30 customers who bought again"),  # too few customers
])
def test_lifecycle_log_too_short_raises_the_same(client, raw, match):
    kw = {"customer": "cust", "time": "when", "amount": "value", "on_bad_rows": "drop"}
    with pytest.raises(DataQualityError, match=match) as mem:
        LifecycleClassifier().fit(toolkit.Transactions.from_frame(raw, **kw))
    with pytest.raises(DataQualityError, match=match) as got:
        scale.fit(LifecycleClassifier(), scale.from_dask(raw, npartitions=3, client=client, **kw), progress=False)
    assert str(got.value) == str(mem.value)
    assert got.value.count == mem.value.count
