"""Issue #19.3, polish across all explorers: nothing cut with "…", nothing wider than a 1400px page, no empty image,
honest journey completion, explained negative CLV values, KPI numbers written by the report's formatter.

The layout checks read the widget tree the way the browser lays it out (ipywidgets 8 CSS): a description label is
``description_width`` wide (80px by default) and cuts longer text with "…"; a Button is 148px wide and a Label
never wraps unless the explorers' ``cvt-wrap`` class is on it. Text width is estimated generously (7.5px per Latin
character at the widgets' 13px font, 13px per CJK character), so a label that passes fits in the browser too.
"""

import re
import struct
import warnings

import numpy as np
import pandas as pd
import pytest

import toolkit
from toolkit import clv, journey
from toolkit.formatting import format_kpi_table, html_table

ipw = pytest.importorskip("ipywidgets")

VIEWPORT = 1400
DEFAULT_LABEL = 80      # --jp-widgets-inline-label-width
DEFAULT_BUTTON = 148    # --jp-widgets-inline-width-short
DEFAULT_INLINE = 300    # --jp-widgets-inline-width
SCI = re.compile(r"\d[eE][+-]\d")


def text_px(text) -> float:
    text = re.sub(r"<[^>]+>", "", str(text or ""))
    return sum(13.0 if ord(ch) > 0x2E80 else 7.5 for ch in text)


def px(value):
    """Pixels of a CSS length given in px (None for auto, %, initial or unset)."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)px\s*", str(value or ""))
    return float(m.group(1)) if m else None


def walk(widget):
    yield widget
    for child in getattr(widget, "children", ()) or ():
        yield from walk(child)


def png_width(data) -> int:
    assert bytes(data[:8]) == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">I", bytes(data[16:20]))[0]


def layout_problems(root) -> list:
    """Every way the tree would cut a text with "…" or grow wider than the viewport (empty list: none)."""
    problems = []
    nodes = list(walk(root))
    has_css = any("cvt-stylesheet" in w._dom_classes and ".cvt-wrap" in w.value for w in nodes
                  if isinstance(w, ipw.HTML))
    for w in nodes:
        name = f"{type(w).__name__}({getattr(w, 'description', '') or getattr(w, 'value', '')!s:.40})"
        width = px(w.layout.width)
        if width is not None and width > VIEWPORT:
            problems.append(f"{name}: width {width}px")
        if isinstance(w, ipw.Button):
            need = text_px(w.description) + 20 + (20 if w.icon else 0)
            if w.layout.width not in ("auto", "max-content") and (width or DEFAULT_BUTTON) < need:
                problems.append(f"{name}: button text needs {need:.0f}px, has {width or DEFAULT_BUTTON}px")
            continue
        if isinstance(w, ipw.ToggleButtons):
            bw = w.style.button_width
            for text in w._options_labels:
                if bw not in ("auto", "initial") and (px(bw) or DEFAULT_BUTTON) < text_px(text) + 20:
                    problems.append(f"{name}: option {text!r} cut (button_width {bw or 'default'})")
        if isinstance(w, ipw.Checkbox):
            if w.layout.width != "auto" and (width or DEFAULT_INLINE) < text_px(w.description) + 30:
                problems.append(f"{name}: checkbox text cut")
            continue
        if isinstance(w, ipw.Label):
            if text_px(w.value) > (width or DEFAULT_INLINE) and not ("cvt-wrap" in w._dom_classes and has_css):
                problems.append(f"{name}: a long Label without cvt-wrap is cut with '…'")
            continue
        description = getattr(w, "description", "")
        style = getattr(w, "style", None)
        if description and style is not None and hasattr(style, "description_width"):
            dw = style.description_width
            if dw != "initial" and (px(dw) or DEFAULT_LABEL) < text_px(description):
                problems.append(f"{name}: description needs {text_px(description):.0f}px, has {dw or 'default 80px'}")
        if isinstance(w, ipw.Box) and not isinstance(w, ipw.VBox):
            wraps = "wrap" in str(w.layout.flex_flow or "")
            total = sum(px(c.layout.width) or DEFAULT_INLINE for c in w.children if not isinstance(c, ipw.Box))
            if total > VIEWPORT and not wraps:
                problems.append(f"{name}: children {total:.0f}px wide in a row that does not wrap")
        if isinstance(w, ipw.Image):
            if not w.value:
                problems.append(f"{name}: empty Image (a broken-image icon in the browser)")
            elif png_width(w.value) > VIEWPORT and "100%" not in str(w.layout.max_width):
                problems.append(f"{name}: picture {png_width(w.value)}px wide")
        if isinstance(w, ipw.HTML) and SCI.search(re.sub(r"<[^>]+>", " ", w.value)):
            problems.append(f"{name}: scientific notation in {w.value[:80]!r}")
        if isinstance(w, ipw.Output):
            for out in w.outputs:
                data = out.get("data", {})
                if "image/png" in data:
                    import base64

                    raw = data["image/png"]
                    raw = base64.b64decode(raw) if isinstance(raw, str) else raw
                    if png_width(raw) > VIEWPORT:
                        problems.append(f"{name}: output picture {png_width(raw)}px wide")
                text = data.get("text/html", "")
                if SCI.search(re.sub(r"<[^>]+>", " ", text)):
                    problems.append(f"{name}: scientific notation in an output table")
                if "<table" in text and "white-space:normal" not in text:
                    problems.append(f"{name}: an output table whose cells do not wrap")
    return problems


# ------------------------------------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def company():
    return toolkit.datasets.load_company()


@pytest.fixture(scope="module")
def tx(company):
    return toolkit.Transactions.from_frame(company.transactions, **company.transaction_kwargs())


@pytest.fixture(scope="module")
def events(company, tx):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return toolkit.Events.from_frame(company.events, customer="customer_id", time="timestamp", event="event",
                                         channel="channel", order="order_id", transactions=tx,
                                         observation_end=company.end)


@pytest.fixture(scope="module")
def fitted(tx):
    from toolkit.clv.models import BetaGeo

    summary = toolkit.customer_summary(tx)
    summary = summary[summary["T"] > 0]  # customers first seen on the last day have no age yet
    return BetaGeo().fit(summary), summary


def build_all(company, tx, events, fitted):
    """Every explorer, built with its figures (the same calls a lesson makes)."""
    from toolkit.lifecycle import LifecycleClassifier
    from toolkit.widgets.clv_scenario import clv_scenario_widget
    from toolkit.widgets.cohort_explorer import cohort_explorer
    from toolkit.widgets.delivered_value import delivered_value_calculator
    from toolkit.widgets.journey_explorer import journey_explorer
    from toolkit.widgets.lifecycle_browser import lifecycle_browser
    from toolkit.widgets.model_explorer import model_explorer
    from toolkit.widgets.rfm_explorer import rfm_explorer

    c = company.customers.set_index("customer_id")
    model, summary = fitted
    return {
        "rfm": rfm_explorer(tx),
        "cohort": cohort_explorer(tx, {"channel": c["channel"], "city tier": c["city_tier"]}),
        "lifecycle": lifecycle_browser(LifecycleClassifier().fit(tx)),
        "journey": journey_explorer(events, {"city tier": c["city_tier"]}, c["channel"]),
        "clv": clv_scenario_widget(),
        "model": model_explorer(model, summary, tx),
        "delivered_value": delivered_value_calculator(),
    }


@pytest.fixture(scope="module")
def explorers(company, tx, events, fitted):
    return build_all(company, tx, events, fitted)


# ------------------------------------------------------------------------------------------------ layout
@pytest.mark.parametrize("name", ["rfm", "cohort", "lifecycle", "journey", "clv", "model", "delivered_value"])
def test_no_label_is_cut_and_nothing_is_wider_than_the_page(explorers, name):
    assert layout_problems(explorers[name]) == []


def test_no_label_is_cut_in_chinese_either(company, tx, events, fitted):
    with toolkit.i18n.using_language("zh"):
        built = build_all(company, tx, events, fitted)
    for name, widget in built.items():
        assert layout_problems(widget) == [], name


def test_the_checker_catches_the_defects_users_saw():
    """The old layouts (fixed 150px labels, a 148px button, a plain Label, an empty Image) all fail the check."""
    old = ipw.VBox([
        ipw.FloatSlider(description="maintenance cost / year", style={"description_width": "150px"}),
        ipw.Button(description="reset to textbook example", icon="undo"),
        ipw.Dropdown(options=["a"], description="journey map"),
        ipw.Label("Champions: 335 customers (14.2%) | high value tier: 301 customers (15.1%) | dormant tier: "
                  "593 customers (29.7%) | benchmark mean 1,234.56 | 2,000 customers"),
        ipw.ToggleButtons(options=["share / per customer", "absolute"]),
        ipw.Image(format="png"),
        ipw.HBox([ipw.IntSlider(layout=ipw.Layout(width="800px")), ipw.IntSlider(layout=ipw.Layout(width="800px"))]),
    ])
    found = " | ".join(layout_problems(old))
    for words in ("maintenance cost", "reset to textbook", "journey map", "long Label", "share / per customer",
                  "empty Image", "does not wrap"):
        assert words in found


def test_lifecycle_browser_shows_a_prompt_until_a_customer_is_picked(explorers):
    w = explorers["lifecycle"]
    images = [x for x in walk(w) if isinstance(x, ipw.Image)]
    assert images == [] and "Pick a customer" in w.explanation.value
    w.picker.value = w.picker.options[0]
    images = [x for x in walk(w) if isinstance(x, ipw.Image)]
    assert len(images) == 1 and bytes(images[0].value[1:4]) == b"PNG"
    assert layout_problems(w) == []


def test_long_texts_wrap_and_keep_a_tooltip(explorers):
    rfm = explorers["rfm"]
    assert "cvt-wrap" in rfm.key_numbers._dom_classes and rfm.key_numbers.tooltip == rfm.key_numbers.value
    long = pd.DataFrame({"path": ["visit → sign_up → trial → purchase → repurchase → referral → " * 3],
                         "customers": [12345]})
    out = html_table(long, max_chars=60)
    assert "white-space:normal" in out and "title='visit → sign_up" in out and "…" not in out


# ------------------------------------------------------------------------------------------------ journey
def _independent_rates(frame, customers, window_days):
    """Completion (reach → acquisition → conversion → retention in strict order, within the window of the entry)
    and needed win-back (a win-back offer after entering, within the window), from the raw event log."""
    stage = {e: s for e, s in journey.PRESETS["five_processes"].touchpoints.items()}
    ev = frame[frame["customer_id"].isin(customers)].assign(stage=lambda d: d["event"].map(stage))
    ev = ev.dropna(subset=["stage"]).sort_values(["customer_id", "timestamp"], kind="stable")
    steps = ["reach", "acquisition", "conversion", "retention"]
    entered = reached = rescued = 0
    limit = pd.Timedelta(days=window_days) if window_days else None
    for _, g in ev.groupby("customer_id", sort=False):
        stages, times = g["stage"].to_numpy(), g["timestamp"].to_numpy()
        starts = np.flatnonzero(stages == "reach")
        if not len(starts):
            continue
        entered += 1
        best, saved = 0, False
        for s in starts:
            depth, t_last = 1, times[s]
            for j in range(s + 1, len(stages)):
                if limit is not None and times[j] - times[s] > limit:
                    break
                if depth < len(steps) and stages[j] == steps[depth] and times[j] > t_last:
                    depth, t_last = depth + 1, times[j]
            best = max(best, depth)
            later = (stages == "win_back") & (times > times[s])
            if limit is not None:
                later &= times - times[s] <= limit
            saved = saved or bool(later.any())
        reached += best == len(steps)
        rescued += saved
    return reached / entered, rescued / entered


@pytest.mark.parametrize("channel, window", [("one_yuan_promo", 180), ("referral", 180), ("referral", None)])
def test_journey_headline_is_reaching_retention_not_win_back(company, events, channel, window):
    from toolkit.widgets.journey_explorer import JourneyExplorerState

    ch = company.customers.set_index("customer_id")["channel"]
    s = JourneyExplorerState(events, channels=ch, channel=channel, window=window)
    ids = set(ch.index[ch == channel])
    done, rescued = _independent_rates(company.events.assign(timestamp=pd.to_datetime(company.events["timestamp"])),
                                       ids, window)
    assert s.goal_stage == "retention" and s.rescue_stage == "win_back"
    assert s.completion == pytest.approx(done, abs=0.003)
    assert s.winback_rate == pytest.approx(rescued, abs=0.003)
    line = s.headline()
    assert f"completed the journey (reached retention): {done:.1%}" in line
    assert f"needed win-back: {rescued:.1%}" in line and "biggest drop-off before win-back" not in line


def test_journey_completion_ranks_referral_above_the_promo(company, events):
    """The defect: with win-back as the finish line the worst channel looked best (38.1% vs 27.8%)."""
    from toolkit.widgets.journey_explorer import JourneyExplorerState

    ch = company.customers.set_index("customer_id")["channel"]
    s = JourneyExplorerState(events, channels=ch, window=180)
    rates = {}
    for channel in ("one_yuan_promo", "referral"):
        s.update(channel=channel)
        rates[channel] = (s.completion, s.winback_rate)
    assert rates["referral"][0] > rates["one_yuan_promo"][0]
    assert rates["referral"][1] < rates["one_yuan_promo"][1]  # the promo's customers needed rescuing more


# ------------------------------------------------------------------------------------------------ CLV
def test_negative_potential_value_is_explained_next_to_the_number():
    from toolkit.widgets.clv_scenario import CLVScenarioState, clv_scenario_widget

    w = clv_scenario_widget()
    assert w.state.notes() == [] and "cvt-clv-note" not in w.summary.value
    w.controls["retention"].value = 0.37
    r = w.state.result
    assert r.potential == pytest.approx(-79.3, abs=0.05) and r.referral < 0
    note = w.state.notes()[0]
    assert "Potential value is negative (-79.3)" in note and "referral -176.4" in note and "500" in note
    assert "cvt-clv-note" in w.summary.value and "-79.3" in w.summary.value
    with toolkit.i18n.using_language("zh"):
        assert "潜在价值为负" in CLVScenarioState({**clv.TEXTBOOK, "retention": 0.37}).notes()[0]
    w.controls["retention"].value = 0.8
    assert "cvt-clv-note" not in w.summary.value


def test_negative_current_value_is_explained():
    from toolkit.widgets.clv_scenario import CLVScenarioState

    s = CLVScenarioState({**clv.TEXTBOOK, "margin": 0.1, "retention_cost": 900.0})
    assert s.result.current < 0
    assert any(n.startswith("Current value is negative") and "900" in n for n in s.notes())


# ------------------------------------------------------------------------------------------------ KPI tables
def test_kpi_table_uses_the_report_formatter_and_explains_blanks(company, tx, events):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kpis = journey.stage_kpis(events, "five_processes", transactions=tx, customers=company.customers,
                                  nps_scores=company.nps, churn_window=90, winback_window=90)
    table = format_kpi_table(kpis)
    values = dict(zip(table["kpi"], table["value"]))
    assert not any(SCI.search(v) for v in table["value"])
    assert values["people reached"] == "2,000" and values["new customers"] == "2,000"
    assert values["repurchase rate"] == "67.5%" and values["CAC"] == "46.14"
    assert values["CSAT"].startswith("n/a — no survey events")
    page = html_table(table)
    assert not SCI.search(re.sub(r"<[^>]+>", " ", page)) and "<td" in page and "white-space:normal" in page
    assert not SCI.search(re.sub(r"<[^>]+>", " ", html_table(kpis.by_channel)))
    with toolkit.i18n.using_language("zh"):
        assert format_kpi_table(kpis).set_index("kpi").loc["CSAT", "value"].startswith("无数据")
