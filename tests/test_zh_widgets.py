"""Issue #20 points 1-2, the widgets: under ``set_language("zh")`` no explorer shows an English word.

Every explorer is built headless in Chinese and driven through its controls (maps, measures, splits, a picked
customer, a negative CLV part, a rejected setting...). After each step the widget tree is read the way the page
shows it -- descriptions, option labels, button texts and tooltips, placeholders, Tab titles, HTML with the tags
stripped (and its ``title`` tooltips) -- and every figure the widgets rasterise is read before it becomes pixels
(:mod:`toolkit.plotting._texts`: titles, axis and tick labels, legends, annotations). A word of three or more Latin
letters fails the test unless it is in :data:`ALLOWED` (codes, units, model and proper names).

Drawing all those figures is also where matplotlib used to print ``findfont: Failed to find font weight bold for
Noto Sans SC`` (bold titles, the bundled font has one weight): the test fails on any ``findfont`` record.
"""

from __future__ import annotations

import logging
import warnings

import matplotlib
import pytest

matplotlib.use("Agg")

import toolkit  # noqa: E402
from toolkit.i18n import using_language  # noqa: E402

ipw = pytest.importorskip("ipywidgets")

from ._zh_words import ALLOWED, english_words  # noqa: E402,F401
from ._zh_words import strip_html as _strip  # noqa: E402


def widget_texts(root) -> list[str]:
    """What a reader sees (or hovers) in the widget tree under ``root``."""
    out = []
    stack = [root]
    while stack:
        w = stack.pop()
        stack.extend(getattr(w, "children", ()) or ())
        if "cvt-stylesheet" in getattr(w, "_dom_classes", ()):
            continue  # CSS, never shown
        layout = getattr(w, "layout", None)
        if layout is not None and layout.display == "none" and not isinstance(w, ipw.Image):
            continue
        for attr in ("description", "tooltip", "placeholder"):
            value = getattr(w, attr, None)
            if isinstance(value, str) and value:
                out.append(_strip(value) if attr == "description" else value)
        if hasattr(w, "_options_labels"):
            out += [str(t) for t in w._options_labels]
        if isinstance(w, (ipw.HTML, ipw.HTMLMath)):
            out.append(_strip(w.value))
        elif isinstance(w, ipw.Label):
            out.append(w.value)
        if isinstance(w, (ipw.Tab, ipw.Accordion)):
            out += [t for t in w.titles if t]
    return out


# ------------------------------------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def data():
    company = toolkit.datasets.load_company()
    tx = toolkit.Transactions.from_frame(company.transactions, **company.transaction_kwargs())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        events = toolkit.Events.from_frame(company.events, customer="customer_id", time="timestamp", event="event",
                                           channel="channel", order="order_id", transactions=tx,
                                           observation_end=company.end)
    from toolkit.clv.models import BetaGeo

    summary = toolkit.customer_summary(tx)
    summary = summary[summary["T"] > 0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = BetaGeo().fit(summary)
    return {"company": company, "tx": tx, "events": events, "model": model, "summary": summary}


def _set(control, value):
    control.value = value


def scenarios(d):
    """Explorer name -> (builder, [steps]); each step changes the built widget like a reader would."""
    from toolkit import clv
    from toolkit.lifecycle import LifecycleClassifier
    from toolkit.widgets.clv_scenario import clv_scenario_widget
    from toolkit.widgets.cohort_explorer import MEASURES, cohort_explorer
    from toolkit.widgets.delivered_value import delivered_value_calculator
    from toolkit.widgets.journey_explorer import journey_explorer
    from toolkit.widgets.lifecycle_browser import lifecycle_browser
    from toolkit.widgets.model_explorer import model_explorer
    from toolkit.widgets.rfm_explorer import rfm_explorer

    c = d["company"].customers.set_index("customer_id")
    attrs = {"channel": c["channel"], "city_tier": c["city_tier"]}
    tiers = toolkit.rfm.value_tiers(d["summary"])
    portfolio = clv.Portfolio(d["summary"].assign(tier=tiers["tier"]), group="tier", retention=0.75)
    lifecycle = LifecycleClassifier().fit(d["tx"])

    def cohort_steps():
        steps = [lambda w, m=m: _set(w.controls["measure"], m) for m in MEASURES]
        steps += [lambda w: _set(w.controls["absolute"], True), lambda w: _set(w.controls["period"], "W"),
                  lambda w: _set(w.controls["split"], "channel"),
                  lambda w: _set(w.controls["group"], w.controls["group"]._options_values[-1])]
        return steps

    return {
        "rfm": (lambda: rfm_explorer(d["tx"]), [
            lambda w: _set(w.controls["heatmap_value"], "revenue"),
            lambda w: _set(w.controls["segment_map"], "rfm_8"),
            lambda w: _set(w.controls["frequency_col"], w.controls["frequency_col"]._options_values[-1]),
            lambda w: _set(w.controls["bins"], 4),  # the preset maps need 1..5 scores: an error message
            lambda w: _set(w.controls["benchmark_mean"], -5.0),  # rejected
            lambda w: w.use_data_mean.click(),
        ]),
        "cohort": (lambda: cohort_explorer(d["tx"], attrs), cohort_steps()),
        "lifecycle": (lambda: lifecycle_browser(lifecycle), [
            lambda w: _set(w.picker, w.picker.options[0]),
            lambda w: _set(w.picker, w.picker.options[-1]),
            lambda w: _set(w.picker, "99999999"),
            lambda w: _set(w.controls["lost_gap"], w.controls["lost_gap"].min),
        ]),
        "journey": (lambda: journey_explorer(d["events"], attrs, c["channel"]), [
            lambda w: _set(w.controls["segment"], "city_tier"),
            lambda w: _set(w.controls["group"], w.controls["group"]._options_values[-1]),
            lambda w: _set(w.controls["channel"], w.controls["channel"]._options_values[-1]),
            lambda w: _set(w.controls["order"], "loose"),
            lambda w: _set(w.controls["window"], 90),
            *[lambda w, k=k: _set(w.controls["map"], k) for k in w_maps()],
        ]),
        "clv": (lambda: clv_scenario_widget(portfolio=portfolio), [
            lambda w: _set(w.controls["retention"], 0.37),
            lambda w: _set(w.controls["retention_cost"], 900.0),
            lambda w: _set(w.controls["retention_delta"], 0.05),
            lambda w: _set(w.auto_horizon, False),
            lambda w: w.reset_button.click(),
        ]),
        "model": (lambda: model_explorer(d["model"], d["summary"], d["tx"]), [
            lambda w: _set(w.controls["customer"], w.controls["customer"].options[-1]),
            lambda w: _set(w.controls["customer"], "99999999"),
            lambda w: _set(w.controls["horizon"], 24),
        ]),
        "delivered_value": (delivered_value_calculator, [
            lambda w: _set(w.controls["money"], 480.0),
            lambda w: w.reset_button.click(),
        ]),
    }


def w_maps():
    from toolkit import journey

    return list(journey.PRESETS)


def _findfont_records(records):
    return [r.getMessage() for r in records if "findfont" in r.getMessage()]


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture(scope="module")
def scanned(data):
    """name -> {"texts": [...widget texts], "figures": [...figure texts], "findfont": [...], "n_figures": int}."""
    from toolkit.plotting import _texts

    results = {}
    figures = []

    def hook(fig):
        figures.append(_texts.figure_texts(fig))

    handler = _Collect()
    logger = logging.getLogger("matplotlib.font_manager")
    logger.addHandler(handler)
    _texts.add_render_hook(hook)
    try:
        with using_language("zh"):
            for name, (build, steps) in scenarios(data).items():
                figures.clear()
                handler.records.clear()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # rfm's bins warning etc. are shown in the widget, not here
                    widget = build()
                    texts = widget_texts(widget)
                    for step in steps:
                        step(widget)
                        texts += widget_texts(widget)
                results[name] = {"texts": texts, "figures": [t for f in figures for t in f],
                                 "n_figures": len(figures), "findfont": _findfont_records(handler.records)}
    finally:
        _texts.remove_render_hook(hook)
        logger.removeHandler(handler)
    return results


NAMES = ["rfm", "cohort", "lifecycle", "journey", "clv", "model", "delivered_value"]


@pytest.mark.parametrize("name", NAMES)
def test_no_english_word_in_the_widgets_under_zh(scanned, name):
    found = english_words(scanned[name]["texts"])
    assert not found, f"{name}: untranslated words under zh: {found}"


@pytest.mark.parametrize("name", NAMES)
def test_no_english_word_in_the_figures_under_zh(scanned, name):
    assert scanned[name]["n_figures"] > 0, f"{name}: no figure was rendered"
    found = english_words(scanned[name]["figures"])
    assert not found, f"{name}: untranslated words in figures under zh: {found}"


@pytest.mark.parametrize("name", NAMES)
def test_drawing_the_figures_logs_no_findfont_message(scanned, name):
    assert scanned[name]["findfont"] == []


def test_the_scan_catches_english():
    """The checks above can fail: an English label, a figure title and a tooltip are all found."""
    box = ipw.VBox([ipw.IntSlider(description="客户 bins"), ipw.Button(description="重置", tooltip="reset it"),
                    ipw.HTML("<b>考察期</b> <span title='stage end'>x</span>"),
                    ipw.Dropdown(options=[("formation", 1)])])
    found = english_words(widget_texts(box))
    assert set(found) == {"bins", "reset", "stage", "end", "formation"}
    from matplotlib.figure import Figure

    from toolkit.plotting._texts import figure_texts

    fig = Figure()
    ax = fig.subplots()
    from toolkit.plotting._fonts import cjk_family

    ax.set_title("历史价值 by cohort", fontfamily=cjk_family())  # a bare Figure: give it the bundled font
    ax.plot([0, 1], [0, 1], label="observed")
    ax.legend()
    assert set(english_words(figure_texts(fig))) == {"cohort", "observed"}
    assert english_words(["CLV:CAC 3.8", "BG/NBD", "Kaplan-Meier"]) == {}


def test_bold_chinese_text_uses_the_bundled_font_without_a_findfont_message():
    """Bold (and light) text finds the bundled font under every weight: no warning is logged, and none is
    hidden by a logging filter either."""
    import matplotlib.font_manager as fm
    from matplotlib.figure import Figure

    from toolkit.plotting import _fonts

    handler = _Collect()
    logger = logging.getLogger("matplotlib.font_manager")
    logger.addHandler(handler)
    try:
        with using_language("zh"):
            assert not logger.filters
            path = str(_fonts.cjk_font_path())
            for weight in ("light", "normal", "medium", "semibold", "bold", "heavy"):
                found = fm.findfont(fm.FontProperties(family="Noto Sans SC", weight=weight), fallback_to_default=False)
                assert found == path, weight
            fig = Figure()
            ax = fig.subplots()
            ax.set_title("客户生命周期价值 CLV", fontweight="bold")
            fig.canvas.draw()
    finally:
        logger.removeHandler(handler)
    assert _findfont_records(handler.records) == []


def test_a_notebook_under_zh_prints_nothing_on_stderr(tmp_path):
    """A kernel that switches to Chinese, draws bold Chinese titles with pyplot and shows an explorer writes no
    stderr output (the red box of the issue)."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    cells = [
        "import toolkit\ntoolkit.set_language('zh')",
        "import matplotlib.pyplot as plt\nfrom toolkit import clv\nfrom toolkit.plotting import clv as p\n"
        "ax = p.plot_waterfall(clv.textbook_example())\nax.set_title('客户生命周期价值', fontweight='bold')\nplt.show()",
        "from toolkit.widgets.clv_scenario import clv_scenario_widget\nclv_scenario_widget()",
    ]
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
                            ).execute()
    stderr = [o.get("text", "") for c in nb.cells for o in c.outputs
              if o.output_type == "stream" and o.name == "stderr"]
    errors = [o for c in nb.cells for o in c.outputs if o.output_type == "error"]
    assert stderr == [] and errors == []
