"""Issue 6 evaluation: lifecycle pattern accuracy of the default LifecycleClassifier on unseen companies.

Not a speed benchmark: it sits here because, like the timings, it is a measurement to re-run and quote, not a
unit test. The defaults were developed on ``make_company(..., seed=1)``; this fits a fresh classifier with
default settings on each (seed, size) below, none of them seed 1, and scores its patterns against the ground
truth:

- ``evident``: customers whose pattern is settled by the end and whose orders reach the stage that names it
  (``truth.pattern_evident``), the issue's "customers whose truth is determinable";
- ``settled``: every customer whose pattern is settled by the end (``truth.pattern_determinable``), including
  mid-term abortions whose only order was the first, which no method can tell from early abortions.

Accuracy is over the customers the classifier called; coverage is the share it called (the rest "too early").
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

import toolkit
from toolkit.lifecycle import LifecycleClassifier, lifecycle_accuracy

SEEDS = (3, 7, 11, 13, 17, 23)
SIZES = (2000, 5000, 10000)


def evaluate(seed, n):
    company = toolkit.datasets.make_company(n, seed=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a default fit that warns would be a finding, not noise
        clf = LifecycleClassifier().fit(company.to_transactions())
    truth = company.truth.set_index("customer_id")
    pred = clf.predict()
    ev = lifecycle_accuracy(pred, truth["pattern"], truth["pattern_evident"])
    st = lifecycle_accuracy(pred, truth["pattern"], truth["pattern_determinable"])
    return {"seed": seed, "customers": n, "evident n": ev.n, "evident accuracy": ev.accuracy,
            "evident coverage": ev.coverage, "settled n": st.n, "settled accuracy": st.accuracy,
            "settled coverage": st.coverage}, ev.confusion


def run(quick=False):
    seeds, sizes = (SEEDS[:2], SIZES[:1]) if quick else (SEEDS, SIZES)
    rows, confusion = [], None
    for n in sizes:
        for seed in seeds:
            row, conf = evaluate(seed, n)
            rows.append(row)
            confusion = conf if confusion is None else confusion.add(conf, fill_value=0)
    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
        acc = table[["evident accuracy", "settled accuracy"]]
        print(f"\n{len(table)} companies: evident accuracy min {acc['evident accuracy'].min():.3f} "
              f"mean {acc['evident accuracy'].mean():.3f}; settled accuracy min {acc['settled accuracy'].min():.3f} "
              f"mean {acc['settled accuracy'].mean():.3f}; below 0.90 (evident): "
              f"{int(np.sum(acc['evident accuracy'] < 0.90))}")
        print("\nconfusion summed over all companies (evident customers):")
        print(confusion.astype(int).to_string())
