"""Chinese labels: set_language("zh") switches widget labels and plot text, and plots render Chinese with a
real CJK font (no "Glyph ... missing from font(s)" warning, i.e. no empty boxes)."""

from __future__ import annotations

import re
import warnings

import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402

import toolkit  # noqa: E402
from toolkit import clv, i18n  # noqa: E402

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    toolkit.set_language("en")
    plt.close("all")


@pytest.fixture(scope="module")
def small_tx():
    company = toolkit.datasets.make_company(200, seed=5)
    return company, toolkit.Transactions.from_frame(company.transactions, **company.transaction_kwargs())


def test_tr_falls_back_and_rejects_unknown_languages(monkeypatch):
    monkeypatch.setattr(i18n, "_CATALOGUE", dict(i18n._CATALOGUE))  # the English-only test key must not outlive us
    toolkit.set_language("zh_CN")
    assert toolkit.get_language() == "zh" and i18n.tr("stage.formation") == "形成期"
    assert i18n.tr("no.such.key", "default") == "default"
    i18n.register({"test.only_en": {"en": "english"}})
    assert i18n.tr("test.only_en") == "english"  # English fallback
    with pytest.raises(ValueError):
        toolkit.set_language("fr")
    with pytest.raises(ValueError):
        i18n.register({"test.bad": {"xx": "?"}})


def test_widget_labels_switch_to_chinese(small_tx):
    from toolkit.clv.models import BetaGeo
    from toolkit.widgets.clv_scenario import clv_scenario_widget
    from toolkit.widgets.cohort_explorer import cohort_explorer
    from toolkit.widgets.model_explorer import model_explorer
    from toolkit.widgets.rfm_explorer import rfm_explorer

    company, tx = small_tx
    summary = toolkit.customer_summary(tx)

    def build():
        return {
            "clv": clv_scenario_widget(plots=False),
            "rfm": rfm_explorer(tx, plots=False),
            "cohort": cohort_explorer(tx, plots=False),
            "model": model_explorer(BetaGeo().fit(summary), summary, plots=False),
        }

    english = build()
    assert english["clv"].controls["retention"].description == "retention rate"
    assert english["rfm"].controls["bins"].description == "bins (scores 1..n)"
    toolkit.set_language("zh")
    chinese = build()
    for name, view in chinese.items():
        for key, control in view.controls.items():
            assert CJK.search(control.description), f"{name}.{key}: {control.description!r} is not Chinese"
            assert control.description != english[name].controls[key].description
    assert chinese["clv"].controls["retention"].description == "保留率"
    assert CJK.search(chinese["clv"].summary.value) and CJK.search(chinese["cohort"].message.value)
    # the numbers are the same whatever the language
    assert f"{chinese['clv'].state.result.total:,.1f}" in chinese["clv"].summary.value


def _draw_strict(fig):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph 23458 ... missing from font(s) DejaVu Sans" becomes an error
        fig.canvas.draw()


def test_chinese_plots_render_with_the_bundled_cjk_font():
    from toolkit.plotting import _fonts
    from toolkit.plotting import clv as clv_plots

    path = _fonts.cjk_font_path()
    assert path is not None and path.exists(), "the Noto Sans SC package (pylopdf-fonts-zh-cn) must be installed"
    toolkit.set_language("zh")
    ax = clv_plots.plot_waterfall(clv.textbook_example())
    title, ylabel = ax.get_title(), ax.get_ylabel()
    assert CJK.search(title) and CJK.search(ylabel) and "历史价值" in title
    _draw_strict(ax.figure)
    families = ax.title.get_fontfamily()
    assert "Noto Sans SC" in families
    found = font_manager.findfont(font_manager.FontProperties(family="Noto Sans SC"), fallback_to_default=False)
    assert found == str(path)
    # the Chinese glyphs are really in that font (so no box is drawn)
    font = font_manager.get_font(found)
    assert all(font.get_char_index(ord(ch)) for ch in title if CJK.match(ch))


def test_without_the_cjk_font_chinese_text_warns_about_missing_glyphs():
    """The check above can fail: with English settings (no CJK fallback) the same text has missing glyphs."""
    import toolkit.plotting  # noqa: F401  (registers the language listener)

    toolkit.set_language("en")
    assert "Noto Sans SC" not in matplotlib.rcParams["font.family"]
    fig, ax = plt.subplots()
    ax.set_title("历史价值")
    with pytest.raises(UserWarning, match="missing from font"):
        _draw_strict(fig)


def test_switching_back_to_english_restores_fonts_and_labels():
    from toolkit.plotting import clv as clv_plots

    before = list(matplotlib.rcParams["font.family"])
    toolkit.set_language("zh")
    assert matplotlib.rcParams["font.family"][-1] == "Noto Sans SC"
    toolkit.set_language("en")
    assert list(matplotlib.rcParams["font.family"]) == before
    ax = clv_plots.plot_waterfall(clv.textbook_example())
    assert ax.get_title() == "CLV = historical + current + potential"


def test_exercise_feedback_speaks_the_current_language():
    """Issue #20: a student of the Chinese edition reads the check's verdict, reason and labels in Chinese."""
    from toolkit.exercises import check

    answer = ...
    english = check("answer", 3.0)
    assert repr(english) == "✘ answer is not answered yet\n  why: replace the ... with your answer"
    with i18n.using_language("zh"):  # shown as the notebook shows it: in the language of the lesson
        unanswered = repr(check("answer", 3.0))
        wrong = check(300.0, 3.0, tol=0.1)
        wrong_text, wrong_html = repr(wrong), wrong._repr_html_()
        right = repr(check(3.0, 3.0))
    assert "还没有作答" in unanswered and "原因: 把 ... 换成你的答案" in unanswered
    assert "还不对" in wrong_text and "大了 100 倍" in wrong_text and "原因：" in wrong_html
    assert right == "✔ 答案 = 3，正确"
    assert answer is Ellipsis
