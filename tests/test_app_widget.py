"""The dashboard app (toolkit.widgets.app), headless: data step, column guessing, tabs built from the explorers, the
report download, and what happens with data that cannot support a tab. The real-browser run is
tests/browser/test_dashboard.py."""

from __future__ import annotations

import base64
import json
import pathlib
import re

import numpy as np
import pandas as pd
import pytest

import toolkit
from toolkit import datasets
from toolkit.data import guess_columns
from toolkit.widgets.app import TABS, AppState, dashboard_app

ROOT = pathlib.Path(__file__).resolve().parents[1]


# ------------------------------------------------------------------ column guessing
@pytest.mark.parametrize("headers,expected", [
    (["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"],
     {"customer": "CustomerID", "time": "InvoiceDate", "order": "InvoiceNo", "quantity": "Quantity",
      "price": "UnitPrice", "item": "StockCode", "description": "Description", "amount": None}),
    (["Order No", "Member ID", "Order Time", "Paid (CNY)", "category"],
     {"customer": "Member ID", "time": "Order Time", "amount": "Paid (CNY)", "order": "Order No"}),
    (["customer_id", "date", "dollar_value", "quantity"],
     {"customer": "customer_id", "time": "date", "amount": "dollar_value", "quantity": "quantity"}),
    (["会员ID", "下单时间", "实付金额", "订单号", "渠道"],
     {"customer": "会员ID", "time": "下单时间", "amount": "实付金额", "order": "订单号", "channel": "渠道"}),
    (["customer_id", "timestamp", "event", "channel", "order_id"],
     {"customer": "customer_id", "time": "timestamp", "event": "event", "channel": "channel", "order": "order_id"}),
])
def test_guess_columns_reads_common_export_headers(headers, expected):
    guess = guess_columns(headers)
    for role, column in expected.items():
        assert guess[role] == column, (role, guess)


def test_guess_columns_gives_each_column_one_role_and_none_when_unsure():
    guess = guess_columns(["id", "x", "y"])
    assert guess["customer"] == "id"
    assert guess["time"] is None and guess["amount"] is None
    picked = [c for c in guess_columns(["order_date", "order_id", "order_total"]).values() if c]
    assert len(picked) == len(set(picked))
    with pytest.raises(ValueError, match="unknown role"):
        guess_columns(["a"], roles=["colour"])


# ------------------------------------------------------------------ state: data sources
@pytest.fixture(scope="module")
def company_app():
    return dashboard_app("company")


def test_company_source_loads_transactions_events_and_channel(company_app):
    state = company_app.state
    company = datasets.load_company()
    assert state.transactions.n_customers == len(company.customers)
    assert state.events is not None and state.channel is not None
    assert set(state.attributes) == {"channel", "city tier"}
    assert f"{len(company.customers):,} customers" in company_app.message.value
    # the cleaning report is the Transactions' own, rows in = kept + dropped
    rep = state.transactions.report
    assert rep.rows_in == rep.rows_kept + rep.rows_dropped
    assert f"{rep.rows_in:,}" in company_app.cleaning.value


def test_overview_is_the_report_summary_and_kpi_board(company_app):
    overview = company_app.views["overview"]
    report = company_app.state.compute("overview")
    assert overview.value.count("<li") >= len(report.findings) >= 5
    for finding in report.findings:
        assert finding.text.split(":")[0].replace("'", "&#x27;") in overview.value
    assert "KPI" in overview.value and "<img" in overview.value


@pytest.mark.parametrize("key,root_class", [
    ("rfm", "cvt-rfm-explorer"), ("cohorts", "cvt-cohort-explorer"), ("lifecycle", "cvt-lifecycle-browser"),
    ("journey", "cvt-journey-explorer"), ("clv_scenarios", "cvt-clv-explorer"),
    ("clv_models", "cvt-model-explorer"),
])
def test_every_tab_is_an_explorer_that_answers_its_controls(company_app, key, root_class):
    company_app.tabs.selected_index = TABS.index(key)
    view = company_app.views[key]
    boxes = [view, *getattr(view, "children", ())]
    explorer = next(w for w in boxes if root_class in w._dom_classes)
    assert company_app.tabs.children[TABS.index(key)] is view
    before = explorer.n_redraws if hasattr(explorer, "n_redraws") else None
    if key == "rfm":
        explorer.controls["bins"].value = 4 if explorer.controls["bins"].value != 4 else 3
        assert explorer.model.bins == explorer.controls["bins"].value
    elif key == "cohorts":
        explorer.controls["split"].value = "channel"
        assert explorer.state.split == "channel"
    elif key == "lifecycle":
        assert explorer.state is not None
    elif key == "journey":
        explorer.controls["channel"].value = "referral"
        assert explorer.state.channel == "referral"
    elif key == "clv_scenarios":
        new = 0.55 if explorer.controls["retention"].value != 0.55 else 0.6
        explorer.controls["retention"].value = new
        assert explorer.state.params["retention"] == pytest.approx(new)
    elif key == "clv_models":
        explorer.horizon.value = explorer.horizon.value + 1
        assert explorer.model.horizon == explorer.horizon.value
    if before is not None and key != "lifecycle":
        assert explorer.n_redraws > before


def test_report_tab_offers_the_html_report_for_download(company_app):
    company_app.tabs.selected_index = TABS.index("report")
    view = company_app.views["report"]
    view.build_button.click()
    match = re.search(r'href="data:text/html;charset=utf-8;base64,([^"]+)"', view.output.value)
    assert match, view.output.value[:300]
    document = base64.b64decode(match.group(1)).decode("utf-8")
    assert document.startswith("<!DOCTYPE html>") and "Executive summary" in document
    assert "http://" not in document.replace("http://www.w3.org", "") and "https://" not in document


def test_switching_to_cdnow_recomputes_and_explains_missing_events():
    app = dashboard_app("company")
    first = app.views["overview"].value
    app.source.value = "cdnow"
    assert "23,570 customers" in app.message.value
    assert app.views["overview"].value != first
    app.tabs.selected_index = TABS.index("journey")
    assert "No event log" in app.views["journey"].value
    app.tabs.selected_index = TABS.index("clv_scenarios")
    text = app.views["clv_scenarios"].children[0].value
    assert "No acquisition channel" in text
    # a CDNOW customer's repeat purchases sum to 0: the models tab says so instead of failing
    app.tabs.selected_index = TABS.index("clv_models")
    view = app.views["clv_models"]
    assert "cvt-model-explorer" in view.children[1]._dom_classes
    assert "repeat customers whose repeat purchases sum to zero" in view.children[0].value


def test_order_line_sample_is_read_like_a_client_file_with_its_truth():
    state = AppState().load("order_lines")
    _, truth = datasets.load_order_lines()
    rep = state.transactions.report
    assert state.transactions.n_customers == truth.customers
    assert abs(rep.money_kept - truth.revenue_net) < 0.005
    assert rep.rows_in == truth.rows == rep.rows_kept + rep.rows_dropped


# ------------------------------------------------------------------ a client's file
def _client_export(tmp_path):
    company = datasets.load_company()
    source = company.customers[["customer_id", "channel"]].rename(columns={"channel": "Source"})
    export = company.transactions.merge(source, on="customer_id").rename(
        columns={"customer_id": "Member ID", "timestamp": "Order Time", "amount": "Paid (CNY)",
                 "order_id": "Order No"})
    path = tmp_path / "client.csv"
    export[["Order No", "Member ID", "Order Time", "Paid (CNY)", "Source"]].to_csv(path, index=False)
    return path, company


def test_file_by_path_guesses_columns_and_loads(tmp_path):
    path, company = _client_export(tmp_path)
    app = dashboard_app(None)
    app.path.value = str(path)
    app.read_button.click()
    assert {r: d.value for r, d in app.mapping.items() if d.value} == {
        "customer": "Member ID", "time": "Order Time", "amount": "Paid (CNY)", "order": "Order No",
        "channel": "Source"}
    app.load_button.click()
    state = app.state
    assert state.source == "file" and state.transactions.n_customers == len(company.customers)
    assert abs(state.transactions.report.money_kept - company.transactions["amount"].sum()) < 0.01
    # the mapped channel becomes the attribute, per customer, equal to the company's
    truth = company.customers.set_index("customer_id")["channel"]
    got = state.channel.reindex(truth.index)
    assert (got.astype(str) == truth.astype(str)).all()
    app.tabs.selected_index = TABS.index("cohorts")
    assert ("channel", "channel") in app.views["cohorts"].controls["split"].options


def test_file_upload_goes_through_the_same_steps(tmp_path):
    path, company = _client_export(tmp_path)
    app = dashboard_app(None)
    app.upload.value = ({"name": "export.csv", "type": "text/csv", "size": path.stat().st_size,
                         "content": memoryview(path.read_bytes()),
                         "last_modified": pd.Timestamp("2026-01-01", tz="UTC").to_pydatetime()},)
    assert app.mapping["customer"].value == "Member ID"
    app.load_button.click()
    assert app.state.transactions.n_customers == len(company.customers)


def test_missing_mapping_and_bad_rows_are_explained_not_raised(tmp_path):
    path, _ = _client_export(tmp_path)
    app = dashboard_app(None)
    app.path.value = str(path)
    app.read_button.click()
    app.mapping["time"].value = ""
    app.load_button.click()
    assert "Choose a column for: date / time" in app.message.value and app.state.transactions is None
    app.mapping["time"].value = "Order Time"
    app.mapping["amount"].value = ""
    app.load_button.click()
    assert "amount column, or quantity and unit price" in app.message.value
    # a text column as money: the typed error's message (column, count, example rows) is shown on the page
    app.mapping["amount"].value = "Source"
    app.on_bad_rows.value = "raise"
    app.load_button.click()
    assert "Source" in app.message.value and "#9c2a00" in app.message.value
    app.path.value = str(tmp_path / "nope.csv")
    app.read_button.click()
    assert "nope.csv" in app.message.value


def test_no_lesson_text_or_exercise_in_the_app_notebook():
    nb = json.loads((ROOT / "toolkit" / "widgets" / "_voila" / "dashboard.ipynb").read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert len(code) == 1 and not [c for c in nb["cells"] if c["cell_type"] == "markdown"]
    source = "".join(code[0]["source"])
    assert "dashboard_app(background=True" in source and "print(" not in source and "exercise" not in source


def test_app_notebook_runs_without_output_besides_the_widget(run_notebook):
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.read(ROOT / "toolkit" / "widgets" / "_voila" / "dashboard.ipynb", as_version=4)
    nb.cells[0].source = nb.cells[0].source.replace("background=True", "background=False")
    outputs = run_notebook(nb, timeout=300).nb.cells[0].outputs
    assert [o["output_type"] for o in outputs] == ["execute_result"]
    assert "application/vnd.jupyter.widget-view+json" in outputs[0]["data"]


def test_background_mode_fills_the_tabs_from_a_thread():
    app = dashboard_app("company", background=True)
    app.thread.join(timeout=600)
    assert not app.thread.is_alive()
    assert set(app.views) == set(TABS)
    assert "<ol class=\"findings\">" in app.views["overview"].value


def test_dashboard_command_serves_the_app_on_loopback_without_cdn():
    from toolkit.__main__ import build_parser, dashboard_command, dashboard_env

    cmd = dashboard_command(8870)
    assert "--Voila.ip=127.0.0.1" in cmd and "--template=cvt" in cmd and cmd[-2:] == ["--preheat_kernel=True",
                                                                                    "--pool_size=1"]
    env = dashboard_env("zh", {})
    template = pathlib.Path(env["JUPYTER_PATH"].split(":")[0]) / "voila" / "templates" / "cvt" / "index.html.j2"
    assert template.exists() and env["TOOLKIT_DASHBOARD_LANG"] == "zh"
    args = build_parser().parse_args(["dashboard", "--port", "9000", "--no-preheat"])
    assert args.port == 9000 and args.no_preheat


def test_dashboard_in_chinese_translates_its_own_labels():
    from toolkit.i18n import using_language

    with using_language("zh"):
        app = dashboard_app(None)
        titles = [app.tabs.get_title(i) for i in range(len(TABS))]
    assert titles[0] == "概览" and "客户旅程" in titles
    assert not [t for t in titles if re.search(r"[A-Za-z]{4,}", t)]
    toolkit.set_language("en")


def test_money_in_file_matches_pandas_on_a_messy_export(tmp_path):
    """Order lines with copies, cancellations and a missing id: the app's kept money is what the cleaning report
    accounts (money in = kept + dropped + netted) and equals the generator's truth."""
    frame, truth = datasets.make_order_lines(n_customers=60, months=6, seed=5)
    path = datasets.write_order_lines(frame, truth, tmp_path)[0]
    app = dashboard_app(None)
    app.path.value = str(path)
    app.read_button.click()
    assert app.mapping["quantity"].value == "Quantity" and app.mapping["price"].value == "UnitPrice"
    app.load_button.click()
    rep = app.state.transactions.report
    assert rep.money_balanced and rep.rows_in == rep.rows_kept + rep.rows_dropped == truth.rows
    assert abs(rep.money_kept - truth.revenue_net) < 0.005
    assert np.isfinite(rep.money_in)
    assert isinstance(pd.Timestamp(app.state.transactions.observation_end), pd.Timestamp)
