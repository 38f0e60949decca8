"""Issue 21 benchmark: fits with static covariates vs without, 1 million customers.

Data: customers simulated from the Pareto/NBD (or BG/NBD) process at day resolution in weeks, ages 27-39 weeks
as in the CDNOW cohort, with three covariates that move each customer's parameters (CLVTools' parametrisation,
Fader and Hardie 2007): alpha_i = alpha exp(-g_p' z_i), beta_i = beta exp(-g_d' z_i) (BG/NBD: a_i, b_i =
a, b exp(g_d' z_i)). Two designs:

- "3 binary": three 0/1 columns (gender, channel, region: 8 groups), the usual CRM case; identical customers
  still compress into weighted patterns;
- "3 continuous": three standard-normal columns, the worst case: every customer is her own pattern.

Timed (median of ``repeat`` runs after one untimed fit that loads the kernels): ``fit(summary)`` and
``fit(summary, covariates=frame)`` on the same summary, everything included (validation, encoding, compression,
L-BFGS-B, Newton polish, Hessian standard errors). The issue's target: the covariate fit <= 10x the fit without
covariates. Peak memory is tracemalloc's.

pymc-marketing's covariate model (MAP) is timed only if ``pymc_marketing`` is importable here; it is not a
project dependency and is not installed by this benchmark.
"""

from __future__ import annotations

import importlib.util
import warnings

import numpy as np
import pandas as pd

from tests.benchmarks._harness import fmt_table, median_time, peak_memory
from toolkit.clv.models import BetaGeo, ParetoNBD

PNBD = dict(r=0.553, alpha=10.578, s=0.606, beta=11.669)
BGNBD = dict(r=0.243, alpha=4.414, a=0.793, b=2.426)
G_PURCHASE = np.array([0.3, 0.5, -0.2])
G_DROPOUT = np.array([-0.4, 0.3, 0.2])


def simulated(n, model, design, seed=0):
    """``n`` customers of ``model`` ("pnbd" or "bgnbd") with three covariates of ``design``."""
    rng = np.random.default_rng(seed)
    if design == "3 binary":
        Z = rng.integers(0, 2, size=(n, 3)).astype(np.float64)
    else:
        Z = rng.standard_normal((n, 3))
    T = rng.integers(189, 273, size=n) / 7.0
    ep = np.exp(-Z @ G_PURCHASE)
    ed = np.exp(-Z @ G_DROPOUT)
    if model == "pnbd":
        lam = rng.gamma(PNBD["r"], 1.0 / (PNBD["alpha"] * ep))
        mu = rng.gamma(PNBD["s"], 1.0 / (PNBD["beta"] * ed))
        tau = np.minimum(rng.exponential(1.0, n) / mu, T)
        x = rng.poisson(lam * tau)
        last = np.where(x > 0, tau * rng.beta(np.maximum(x, 1), 1.0), 0.0)
    else:
        lam = rng.gamma(BGNBD["r"], 1.0 / (BGNBD["alpha"] * ep))
        p = rng.beta(BGNBD["a"] / ed, BGNBD["b"] / ed)  # a_i, b_i = a, b exp(g_d' z)
        N = rng.poisson(lam * T)
        K = rng.geometric(np.clip(p, 1e-300, 1.0))
        x = np.minimum(N, K)
        last = np.where(x > 0, T * rng.beta(np.maximum(x, 1), np.maximum(N - x + 1, 1)), 0.0)
    recency = np.where(x > 0, np.minimum(np.ceil(last * 7.0) / 7.0, T), 0.0)
    index = pd.RangeIndex(n, name="customer_id")
    summary = pd.DataFrame({"frequency": x, "recency": recency, "T": T}, index=index)
    summary.attrs["time_unit"] = "W"
    covariates = pd.DataFrame(Z, columns=["gender", "channel", "region"], index=index)
    return summary, covariates


def run(quick=False):
    n = 20_000 if quick else 1_000_000
    repeat = 1 if quick else 3
    rows = []
    for name, cls, key in (("Pareto/NBD", ParetoNBD, "pnbd"), ("BG/NBD", BetaGeo, "bgnbd")):
        for design in ("3 binary", "3 continuous"):
            if key == "bgnbd" and design == "3 continuous" and not quick:
                continue  # one worst case (Pareto/NBD, the costlier likelihood) is enough at 1e6
            summary, covariates = simulated(n, key, design)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                def plain_fit(cls=cls, summary=summary):
                    return cls().fit(summary)

                def cov_fit(cls=cls, summary=summary, covariates=covariates):
                    return cls().fit(summary, covariates=covariates)

                plain_fit()
                cov_fit()
                t_plain, plain = median_time(plain_fit, repeat=repeat)
                t_cov, model = median_time(cov_fit, repeat=repeat)
                peak = peak_memory(cov_fit)
            coefs = model.params_.iloc[4:]
            truth = np.concatenate([G_PURCHASE, G_DROPOUT])
            rows.append({"model": name, "covariates": design, "customers": n,
                         "patterns (no cov / cov)": f"{plain.n_patterns_:,} / {model.n_patterns_:,}",
                         "fit no cov s": t_plain, "fit 3 cov s": t_cov, "ratio": t_cov / t_plain,
                         "peak MiB (cov)": peak / 2 ** 20,
                         "max |coef - truth| / se": float(np.max(np.abs(coefs.to_numpy() - truth)
                                                                 / model.standard_errors_.iloc[4:].to_numpy()))})
    print(fmt_table(pd.DataFrame(rows)))
    if importlib.util.find_spec("pymc_marketing") is None:
        print("\npymc-marketing: not installed in this environment (not a project dependency), so its covariate "
              "model (MAP) was not timed.")
    else:  # pragma: no cover - only where someone installed it
        print("\npymc-marketing is importable, but its covariate MAP fit is not wired into this benchmark yet.")


if __name__ == "__main__":
    run()
