"""What the browser tests do with each widget notebook: one :class:`WidgetCase` per notebook.

A case names the widget's CSS hooks (set with ``add_class`` in ``toolkit/widgets``), one control to move in the
browser, and a function that computes, **in the test process through the public API**, the text the widget
must show for a control value. The test reads the control's new value from the page (``aria-valuenow`` of a
slider handle, the selected option of a dropdown), so the expectation follows whatever step the browser took.

Adding a notebook is one entry in :data:`CASES`. Cases whose notebook does not exist yet are skipped.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable

import toolkit
from toolkit import datasets


@dataclass(frozen=True)
class WidgetCase:
    """One widget notebook under test.

    Attributes
    ----------
    notebook : str
        File name in ``notebooks/``.
    root : str
        CSS selector that appears once the widget has rendered (the first match is used).
    control : str
        CSS selector of the control to move: a slider (``.widget-slider``, moved with the keyboard) or a
        dropdown (``<select>``, an option chosen by its label).
    action : str
        ``"key:ArrowRight"`` (any key name) for a slider, ``"select:<label>"`` for a dropdown.
    readout : str
        CSS selector of the element that shows the number/table that must change.
    expected : callable
        ``expected(value) -> str``: the text ``readout`` must contain when the control shows ``value`` (a float
        for sliders, the option label for dropdowns), computed with the public API.
    figure : str, optional
        CSS selector of an ``<img>`` whose ``src`` must change too.
    """

    notebook: str
    root: str
    control: str
    action: str
    readout: str
    expected: Callable[[object], str]
    figure: str | None = None

    @property
    def id(self) -> str:
        return self.notebook.split("-")[0]


# --------------------------------------------------------------------------- data, built once per session
@functools.lru_cache(maxsize=None)
def company_tx():
    company = datasets.load_company()
    return company, toolkit.Transactions.from_frame(company.transactions, **company.transaction_kwargs())


@functools.lru_cache(maxsize=None)
def cdnow_models():
    """The fitted models of notebook 04 (CDNOW sample, weeks, published calibration/holdout split)."""
    from toolkit.clv.evaluation import calibration_holdout_split
    from toolkit.clv.models import BetaGeo, GammaGamma

    raw = datasets.load_cdnow("sample")
    tx = toolkit.Transactions.from_frame(raw, customer="sample_id", time="date", amount="dollar_value",
                                         duplicates="keep", time_unit="W")
    split = calibration_holdout_split(tx, "1997-09-30", "1998-06-30")
    return split, BetaGeo().fit(split), GammaGamma().fit(split)


# --------------------------------------------------------------------------- expected texts
def rfm_top_segment(map_name) -> str:
    """01: the explorer's key numbers start with the map's first segment and its customer count."""
    from toolkit import rfm

    _, tx = company_tx()
    summary = toolkit.customer_summary(tx)
    scores = rfm.rfm_scores(summary, bins=5, frequency_col="n_days", monetary_col="revenue")
    table = rfm.segment_map(map_name)
    top = str(table["segment"].iloc[0])
    k = int((rfm.assign_segments(scores, table)["segment"] == top).sum())
    return f"{top}: {k:,} customers ({k / len(summary):.1%})"


_PERIODS = {"days": "D", "ISO weeks": "W", "months": "M", "quarters": "Q"}


def cohort_counts_by_channel(period_label) -> str:
    """02: after the lesson's cells the explorer is split by channel; its message counts customers and cohorts."""
    from toolkit import cohorts

    company, tx = company_tx()
    channel = company.customers.set_index("customer_id")["channel"]
    size = cohorts.cohort_sizes(cohorts.retention_matrix(tx, _PERIODS[period_label], by=channel))
    return f"{int(size.sum()):,} customers in {int((size > 0).sum()):,} cohorts"


def textbook_clv(retention) -> str:
    """03: the scenario tool's headline CLV for the textbook example at this retention rate."""
    from toolkit import clv

    return f"CLV {clv.course_clv(**{**clv.TEXTBOOK, 'retention': float(retention)}).total:,.1f}"


def base_clv(horizon) -> str:
    """04: the model explorer's base CLV (the lesson's settings: months, 10%/year, 30% margin)."""
    from toolkit.clv.models import customer_lifetime_value

    split, bg, gg = cdnow_models()
    monthly = round((1 + 0.10) ** (1 / 12) - 1, 4)
    value = customer_lifetime_value(bg, split, gg, horizon=int(round(float(horizon))), period="M",
                                    discount_rate=monthly, margin=0.30)
    return f"CLV total ${value.sum():,.0f}, mean ${value.mean():,.2f}"


def coffee_cup_delivered(price) -> str:
    """00b: the calculator's headline for the smart coffee cup at this price (money cost)."""
    from toolkit import clv
    from toolkit.widgets.delivered_value import COFFEE_CUP

    return f"Delivered value {clv.delivered_value(**{**COFFEE_CUP, 'money': float(price)}).delivered:,.1f}"


@functools.lru_cache(maxsize=None)
def company_events():
    company, tx = company_tx()
    return toolkit.Events.from_frame(company.events, customer="customer_id", time="timestamp", event="event",
                                     channel="channel", order="order_id", transactions=tx,
                                     observation_end=company.end)


def journey_by_channel(channel_value) -> str:
    """06: after the lesson's cells the explorer shows one acquisition channel with a 180-day window."""
    import numpy as np
    import pandas as pd

    from toolkit import journey

    company, _ = company_tx()
    events = company_events()
    channel = company.customers.set_index("customer_id")["channel"].reindex(pd.Index(events.customer_id))
    if channel_value == "(all)":
        mask = np.ones(events.n_customers, dtype=np.uint8)
    else:
        mask = (channel.astype(str) == str(channel_value)).to_numpy().astype(np.uint8)
    jmap = journey.PRESETS["five_processes"]
    result = journey.funnel(events, list(jmap.stages), journey_map=jmap, order="strict", window=180.0,
                            customers=mask)
    done = result.table.loc["retention", "overall_conversion"]  # completion = reaching retention, not win-back
    return f"customers selected: {int(mask.sum()):,} · completed the journey (reached retention): {done:.1%}"


@functools.lru_cache(maxsize=None)
def company_lifecycle():
    from toolkit import lifecycle

    _, tx = company_tx()
    return lifecycle.LifecycleClassifier().fit(tx)


def lifecycle_stage_counts(k_det) -> str:
    """05: the lifecycle browser's stage counts after re-classifying with this deterioration multiple."""
    counts = company_lifecycle().reclassify(k_det=float(k_det)).counts().iloc[-1]
    return " · ".join(f"{label} {int(n):,}" for label, n in counts.items())


CASES = [
    WidgetCase("00b-customer-value-concepts.ipynb", root=".cvt-dv-calculator", control=".cvt-dv-money",
               action="key:ArrowLeft", readout=".cvt-dv-headline", expected=coffee_cup_delivered,
               figure="img.cvt-dv-figure"),
    WidgetCase("01-rfm-and-value-tiers.ipynb", root=".cvt-rfm-explorer", control=".cvt-rfm-segment-map select",
               action="select:rfm_8", readout=".cvt-rfm-key-numbers", expected=rfm_top_segment),
    WidgetCase("02-cohort-retention.ipynb", root=".cvt-cohort-explorer", control=".cvt-cohort-period select",
               action="select:quarters", readout=".cvt-cohort-message", expected=cohort_counts_by_channel,
               figure="img.cvt-cohort-figure"),
    WidgetCase("03-clv-scenarios.ipynb", root=".cvt-clv-explorer", control=".cvt-clv-retention",
               action="key:ArrowRight", readout=".cvt-clv-summary", expected=textbook_clv,
               figure="img.cvt-clv-dashboard"),
    WidgetCase("04-probabilistic-clv.ipynb", root=".cvt-model-explorer", control=".cvt-model-horizon",
               action="key:ArrowRight", readout=".cvt-model-key-numbers", expected=base_clv,
               figure=".cvt-model-output img"),
    WidgetCase("05-lifecycle-patterns.ipynb", root=".cvt-lifecycle-browser", control=".cvt-lifecycle-k-det",
               action="key:ArrowRight", readout=".cvt-lifecycle-headline", expected=lifecycle_stage_counts),
    WidgetCase("06-customer-journey.ipynb", root=".cvt-journey-explorer", control=".cvt-journey-channel select",
               action="select:referral", readout=".cvt-journey-message", expected=journey_by_channel,
               figure="img.cvt-journey-figure"),
]
