"""Lifecycle browser: thresholds as sliders with live re-classification counts, and a customer picker showing the
customer's timeline and the explanation of her stage and pattern.

The state object holds no widgets. The classifier is fitted once and its features are cached; a slider move only
re-runs the cheap rule kernels (:meth:`toolkit.lifecycle.LifecycleClassifier.reclassify`).

Examples
--------
In a notebook::

    from toolkit.widgets.lifecycle_browser import lifecycle_browser
    w = lifecycle_browser(tx)
    w                                        # display
    w.controls["lost_gap"].value = 90        # re-classify
    w.state.counts                           # stages and patterns now
    w.picker.value = "5"                     # show customer 5
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from .. import lifecycle
from ..errors import UnknownNameError
from ..formatting import category_label
from ..i18n import localize, register, tr
from ._common import LABEL_STYLE, figure_png, stylesheet

register({
    "widget.lifecycle.pick": {"en": "Pick a customer above to see her timeline and why she is in her stage.",
                              "zh": "在上方选择一位客户，查看她的时间线以及她处于该阶段的原因。"},
    "widget.lifecycle.no_customer": {"en": "no customer {id}", "zh": "没有客户 {id}"},
    "widget.lifecycle.customer": {"en": "customer", "zh": "客户"},
    "widget.lifecycle.action": {"en": "suggested action:", "zh": "建议行动："},
    "widget.lifecycle.kind": {"en": "kind", "zh": "类别"},
    "widget.lifecycle.label": {"en": "label", "zh": "名称"},
    "widget.lifecycle.customers": {"en": "customers", "zh": "客户数"},
    "widget.lifecycle.change": {"en": "change", "zh": "变化"},
    "widget.lifecycle.kind_stage": {"en": "stage", "zh": "阶段"},
    "widget.lifecycle.kind_pattern": {"en": "pattern", "zh": "模式"},
    "widget.lifecycle.placeholder": {"en": "customer id", "zh": "客户编号"},
})

__all__ = ["SLIDERS", "LifecycleBrowserState", "lifecycle_browser"]

#: Slider thresholds: name -> (i18n key, lower factor, upper factor, step) around the learned value.
SLIDERS = {
    "lost_gap": ("lifecycle.lost_gap", 0.25, 3.0, 1.0),
    "t_stability": ("lifecycle.t_stability", 0.25, 3.0, 1.0),
    "loyal_duration": ("lifecycle.loyal_duration", 0.25, 3.0, 1.0),
    "k_det": ("lifecycle.k_det", 0.25, 3.0, 0.05),
    "drop_alpha": ("lifecycle.drop_alpha", 0.0, 0.5, 0.005),
}


class LifecycleBrowserState:
    """Thresholds, the current classification and the selected customer (no widgets: testable headlessly).

    Parameters
    ----------
    data : LifecycleClassifier (fitted) or Transactions
        A Transactions is fitted with default settings once.
    max_options : int, default 500
        Customers offered in the picker list: the early-warning list first, then the rest in id order (any id
        can still be typed).

    Attributes
    ----------
    classifier : LifecycleClassifier
    thresholds : dict
        Current thresholds (learned values with the slider overrides).
    result : LifecycleResult
        Classification with the current thresholds.
    counts : pandas.DataFrame
        Customers per stage and pattern (``kind``, ``label``, ``customers``, ``change`` vs the learned thresholds).
    customer, timeline, explanation :
        The selected customer, her :class:`toolkit.lifecycle.CustomerTimeline` and its explanation.
    n_updates : int
        Re-classifications so far.
    """

    def __init__(self, data, *, max_options=500):
        if isinstance(data, lifecycle.LifecycleClassifier):
            data._check_fitted()
            self.classifier = data
        else:
            self.classifier = lifecycle.LifecycleClassifier().fit(data)
        self.learned = dict(self.classifier.thresholds_)
        self.thresholds = dict(self.learned)
        self.baseline = self._count_table(self.classifier.result_)
        self.result = self.classifier.result_
        self.n_updates = 0
        self.customer = None
        self.timeline = None
        self.explanation = None
        self.max_options = int(max_options)
        self._recompute()

    # ------------------------------------------------------------------------------------------------------
    @staticmethod
    def _count_table(result):
        st = result.counts().iloc[-1]
        pt = result.pattern_counts()
        return pd.concat([pd.DataFrame({"kind": "stage", "label": st.index, "customers": st.to_numpy()}),
                          pd.DataFrame({"kind": "pattern", "label": pt.index, "customers": pt.to_numpy()})],
                         ignore_index=True)

    def slider_range(self, name):
        """(min, max, step) of a slider around the learned value."""
        _, lo, hi, step = SLIDERS[name]
        v = self.learned[name]
        if name == "drop_alpha":
            return lo, hi, step
        return max(step, round(v * lo / step) * step), round(v * hi / step) * step, step

    def update(self, **changes):
        """Set thresholds (names in :data:`SLIDERS` or any learned threshold) and re-classify.

        Values must be finite and >= 0 (``drop_alpha`` in [0, 1]); a bad value raises ParameterError naming
        it, before any threshold changes.
        """
        from .._validate import check_number

        for name, value in changes.items():
            if name not in self.learned or name == "window":
                choices = sorted(set(self.learned) - {"window"})
                raise UnknownNameError(f"unknown threshold {name!r}; choose from {choices}")
            check_number(name, value, low=0.0, high=1.0 if name == "drop_alpha" else None)
        for name, value in changes.items():
            self.thresholds[name] = float(value)
        if "t_stability" in changes and "reach" not in changes:
            # keep the learned margin between the time to stability and "reached stability"
            self.thresholds["reach"] = self.thresholds["t_stability"] + (self.learned["reach"] - self.learned["t_stability"])
        return self._recompute()

    def _recompute(self):
        self.n_updates += 1
        overrides = {k: v for k, v in self.thresholds.items() if k != "window"}
        self.result = self.classifier.reclassify(**overrides)
        table = self._count_table(self.result)
        table["change"] = table["customers"] - self.baseline["customers"]
        self.counts = table
        if self.customer is not None:
            self.select(self.customer)
        return self.counts

    # ------------------------------------------------------------------------------------------------------
    def customer_options(self, query="", limit=None):
        """Customer ids (as text) containing ``query``: early-warning customers first, then by id."""
        limit = self.max_options if limit is None else int(limit)
        ids = self.result.features.customer_id
        try:
            warn = lifecycle.early_warning(self.result, top=limit).index.tolist()
        except Exception:  # pragma: no cover - defensive: the list is a convenience
            warn = []
        seen = set()
        out = []
        for cid in list(warn) + list(ids):
            text = str(cid)
            if text in seen or (query and query not in text):
                continue
            seen.add(text)
            out.append(text)
            if len(out) >= limit:
                break
        return out

    def _resolve(self, customer_id):
        ids = self.result.features.customer_id
        if isinstance(customer_id, str):
            text = customer_id.strip()
            match = np.flatnonzero(ids.astype(str) == text) if ids.dtype.kind in "iuf" else np.flatnonzero(ids == text)
            if len(match) == 0:
                raise UnknownNameError(f"customer {customer_id!r} is not in the log")
            return ids[match[0]]
        return customer_id

    def select(self, customer_id):
        """Pick a customer: builds her timeline with the current thresholds and the explanation."""
        cid = self._resolve(customer_id)
        self.timeline = lifecycle.customer_timeline(self.classifier, cid, thresholds=self.thresholds)
        self.explanation = self.result.explain(cid)
        self.customer = cid
        return self.explanation

    def headline(self) -> str:
        """One line with the stage counts at the observation end, e.g. ``stability 495 · deterioration 73 · ...``."""
        stages = self.counts[self.counts["kind"] == "stage"]
        return " · ".join(f"{_category('stage', r.label)} {r.customers:,}" for r in stages.itertuples())

    def counts_html(self) -> str:
        """The counts as a small HTML table (stage and pattern, change vs the learned thresholds)."""
        rows = []
        wrap = "white-space:normal;padding:1px 8px"
        for r in self.counts.itertuples():
            change = f"{r.change:+,}" if r.change else ""
            kind = tr(f"widget.lifecycle.kind_{r.kind}", r.kind)
            label = _category(r.kind, r.label)
            rows.append(f"<tr><td style='{wrap}'>{html.escape(kind)}</td><td style='{wrap}'>{html.escape(label)}</td>"
                        f"<td style='text-align:right;{wrap}'>{r.customers:,}</td>"
                        f"<td style='text-align:right;{wrap}'>{change}</td></tr>")
        head = "".join(f"<th style='{wrap}'>{html.escape(tr('widget.lifecycle.' + k))}</th>"
                       for k in ("kind", "label", "customers", "change"))
        return (f"<b>{html.escape(tr('lifecycle.counts'))}</b>"
                f"<div class='cvt-lifecycle-headline' style='white-space:normal'>{html.escape(self.headline())}</div>"
                "<table class='cvt-lifecycle-count-table cvt-table'>"
                f"<tr>{head}</tr>" + "".join(rows) + "</table>")


def _category(kind, name) -> str:
    """A stage or pattern name in the current language (``stage.*`` / ``pattern.*``, else the value labels)."""
    key = f"{'stage' if kind == 'stage' else 'pattern'}.{name}"
    text = tr(key, "\0")
    return category_label(str(name)) if text == "\0" else text


def lifecycle_browser(data, *, plots=True, max_options=500):
    """Build (not display) the lifecycle browser.

    Parameters
    ----------
    data : LifecycleClassifier (fitted) or Transactions
    plots : bool, default True
        Draw the selected customer's timeline as a PNG image.
    max_options : int, default 500
        Customers listed in the picker (any id can be typed).

    Returns
    -------
    ipywidgets.VBox
        CSS class ``cvt-lifecycle-browser``, with attributes ``state`` (:class:`LifecycleBrowserState`),
        ``controls`` (dict of sliders, CSS classes ``cvt-lifecycle-slider`` and ``cvt-lifecycle-<name>``),
        ``counts`` (HTML, ``cvt-lifecycle-counts``), ``picker`` (Combobox, ``cvt-lifecycle-customer``),
        ``image`` (``cvt-lifecycle-timeline``), ``explanation`` (HTML, ``cvt-lifecycle-explanation``),
        ``figure`` and ``n_redraws``.
    """
    import ipywidgets as ipw

    state = LifecycleBrowserState(data, max_options=max_options)
    controls = {}
    for name, (key, *_rest) in SLIDERS.items():
        lo, hi, step = state.slider_range(name)
        value = min(max(state.thresholds[name], lo), hi)
        ctl = ipw.FloatSlider(value=value, min=lo, max=hi, step=step, description=tr(key), continuous_update=False,
                              readout_format=".3f" if step < 1 else ".0f", style=LABEL_STYLE,
                              layout=ipw.Layout(width="460px", max_width="100%"))
        ctl.add_class("cvt-lifecycle-slider")
        ctl.add_class(f"cvt-lifecycle-{name.replace('_', '-')}")
        ctl._cvt_name = name
        controls[name] = ctl
    counts = ipw.HTML()
    counts.add_class("cvt-lifecycle-counts")
    picker = ipw.Combobox(options=state.customer_options(), placeholder=tr("widget.lifecycle.placeholder"),
                          description=tr("lifecycle.customer"), ensure_option=False, style=LABEL_STYLE)
    picker.add_class("cvt-lifecycle-customer")
    # the timeline image joins the box only once a customer is picked: an empty Image shows a broken-image icon
    image = ipw.Image(format="png", layout=ipw.Layout(max_width="100%", height="auto"))
    image.add_class("cvt-lifecycle-timeline")
    explanation = ipw.HTML()
    explanation.add_class("cvt-lifecycle-explanation")
    box = ipw.VBox()
    box.add_class("cvt-lifecycle-browser")
    box.n_redraws = 0
    box.figure = None

    def draw_customer():
        if state.customer is None:
            explanation.value = f"<i>{html.escape(tr('widget.lifecycle.pick'))}</i>"
            return
        e = state.explanation
        stage = _category("stage", e.stage)
        pattern = _category("pattern", e.pattern)
        lines = [(f"<b>{html.escape(tr('widget.lifecycle.customer'))} {html.escape(str(e.customer_id))}</b>: "
                  f"{html.escape(stage)}, {html.escape(pattern)}"),
                 html.escape(localize(e.stage_reason)), html.escape(localize(e.pattern_reason))]
        if e.action:
            lines.append(f"<i>{html.escape(tr('widget.lifecycle.action'))}</i> " + html.escape(localize(e.action)))
        explanation.value = "<div style='white-space:normal'>" + "<br>".join(lines) + "</div>"
        if plots:
            from ..plotting.lifecycle import customer_timeline_figure

            fig = customer_timeline_figure(state.timeline)
            image.value = figure_png(fig)
            box.figure = fig
            if image not in box.children:
                box.children = (*box.children, image)

    def redraw():
        box.n_redraws += 1
        counts.value = state.counts_html()
        draw_customer()

    def on_slider(change):
        state.update(**{change["owner"]._cvt_name: change["new"]})
        redraw()

    def on_pick(change):
        value = str(change["new"]).strip()
        if not value:
            return
        try:
            state.select(value)
        except KeyError:
            explanation.value = f"<i>{html.escape(tr('widget.lifecycle.no_customer').format(id=value))}</i>"
            return
        draw_customer()

    for ctl in controls.values():
        ctl.observe(on_slider, names="value")
    picker.observe(on_pick, names="value")
    box.children = [stylesheet(ipw), ipw.VBox(list(controls.values())), counts, picker, explanation]
    box.state = state
    box.controls = controls
    box.counts = counts
    box.picker = picker
    box.image = image
    box.explanation = explanation
    redraw()
    return box
