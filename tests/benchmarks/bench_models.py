"""Issue 5 benchmark: BTYD model fits and predictions, ours vs lifetimes 0.11.3.

Data: customer summaries simulated from the BG/NBD process with the CDNOW parameters (r=0.243, alpha=4.414,
a=0.793, b=2.426; weeks), ages T uniform over the CDNOW cohort's 27-39 weeks, times at day resolution (1/7
week) as ``customer_summary`` produces them. Steps timed (median of ``repeat`` runs, numba compilation
excluded by a warm-up):

- fit BG/NBD and Pareto/NBD (ours: compression into patterns + L-BFGS-B with numba kernels and analytic
  gradients, Newton polish, Hessian standard errors; lifetimes: its ``fit`` on the same columns), with the
  largest relative difference of the parameters and the log-likelihood gap (ours minus the log-likelihood at
  lifetimes' parameters, both by our kernel: positive means ours is the better maximum);
- P(alive), conditional expected purchases in 52 weeks, and 12-month CLV (period 4.345 weeks, 1% per month,
  Gamma-Gamma spend) on fixed parameters, with the largest relative difference of the values.

pymc-marketing (MAP fits) is not a project dependency. When the environment variable
``PYMC_MARKETING_PYTHON`` names an interpreter of a separate venv with pymc-marketing installed (for example
``python -m venv /tmp/pmvenv && /tmp/pmvenv/bin/pip install pymc-marketing``), the same data are written to a
temporary CSV and timed there in a subprocess: MAP fits with flat (``HalfFlat``) priors, so that MAP equals
maximum likelihood, first run (with pytensor compilation) and second run reported separately. Predictions
are timed on both sides with the same protocol (median of 5 after one untimed call, ``gc.collect()`` before
each run); P(alive) also with the ``timeit`` protocol ("warm": back to back, garbage collector off), because
at a few milliseconds the two protocols differ by about 2x on this machine.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import tempfile
import warnings

import numpy as np
import pandas as pd

from tests.benchmarks._harness import fmt_table, median_time, peak_memory
from toolkit.clv.models import BetaGeo, GammaGamma, ParetoNBD, compress_rows, customer_lifetime_value

CDNOW_BGNBD = dict(r=0.243, alpha=4.414, a=0.793, b=2.426)
CDNOW_PNBD = dict(r=0.553, alpha=10.578, s=0.606, beta=11.669)
CDNOW_GG = dict(p=6.25, q=3.74, gamma=15.44)


def simulated_summary(n, seed=0):
    """n customers from the BG/NBD process with CDNOW parameters, day resolution, weeks."""
    rng = np.random.default_rng(seed)
    T = rng.integers(189, 273, size=n) / 7.0
    sim = BetaGeo.from_params(**CDNOW_BGNBD).simulate(T, seed=rng)
    recency = np.where(sim["frequency"] > 0, np.minimum(np.ceil(sim["recency"] * 7.0) / 7.0, T), 0.0)
    out = pd.DataFrame({"frequency": sim["frequency"].to_numpy(), "recency": recency, "T": T})
    spend = GammaGamma.from_params(**CDNOW_GG)
    mv = np.zeros(n)
    pos = out["frequency"].to_numpy() > 0
    mv[pos] = spend.simulate(out["frequency"].to_numpy()[pos], seed=rng)["monetary_value"].to_numpy()
    out["monetary_value"] = mv
    out.index.name = "customer_id"
    return out


def _lifetimes():
    try:
        import lifetimes  # noqa: F401
    except ImportError:
        return None
    import lifetimes

    return lifetimes


def _max_rel(a, b):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))


def _warmup():
    small = simulated_summary(2000, seed=99)
    bg = BetaGeo().fit(small)
    ParetoNBD().fit(small)
    gg = GammaGamma.from_params(**CDNOW_GG)
    bg.p_alive(small)
    customer_lifetime_value(bg, small, gg, horizon=2, period=4.345, discount_rate=0.01)
    ParetoNBD.from_params(**CDNOW_PNBD).conditional_expected_purchases(small, 52.0)


_PYMC_SCRIPT = r"""
import gc, json, sys, time, warnings
import numpy as np, pandas as pd
warnings.simplefilter("ignore")
from pymc_marketing.clv import BetaGeoModel, ParetoNBDModel
from pymc_extras.prior import Prior
path, which = sys.argv[1], sys.argv[2]
d = pd.read_csv(path)[["customer_id", "frequency", "recency", "T"]]
names = ("r", "alpha", "a", "b") if which == "bg" else ("r", "alpha", "s", "beta")
cls = BetaGeoModel if which == "bg" else ParetoNBDModel
out = {}
for rep in range(2):
    m = cls(data=d, model_config={k: Prior("HalfFlat") for k in names})
    t = time.perf_counter(); m.fit(method="map"); out["fit_s_%d" % rep] = time.perf_counter() - t
out["params"] = {k: float(m.idata.posterior[k].values.ravel()[0]) for k in names}
if which == "bg":  # scipy's default ftol stops ~1e-4 short of the optimum at 1e6 customers: also fit to convergence
    mt = cls(data=d, model_config={k: Prior("HalfFlat") for k in names})
    t = time.perf_counter(); mt.fit(method="map", options={"ftol": 1e-15, "gtol": 1e-3})
    out["fit_s_tight"] = time.perf_counter() - t
    out["params_tight"] = {k: float(mt.idata.posterior[k].values.ravel()[0]) for k in names}
def med(f, k=5, warm=False):  # the two protocols of tests.benchmarks._harness.median_time
    f(); ts = []
    if warm:
        gc.disable()
    for _ in range(k):
        if not warm:
            gc.collect()
        t = time.perf_counter(); f(); ts.append(time.perf_counter() - t)
    gc.enable()
    return float(np.median(ts))
out["p_alive_s"] = med(lambda: m.expected_probability_alive(data=d))
out["p_alive_warm_s"] = med(lambda: m.expected_probability_alive(data=d), warm=True)
out["expected_52_s"] = med(lambda: m.expected_purchases(data=d, future_t=52))
np.save(path + ".p_alive.npy", np.asarray(m.expected_probability_alive(data=d)).ravel())
np.save(path + ".e52.npy", np.asarray(m.expected_purchases(data=d, future_t=52)).ravel())
print("RESULT " + json.dumps(out))
"""


def _pymc_marketing(data, which, timeout=1200):
    """Time pymc-marketing in the interpreter named by PYMC_MARKETING_PYTHON; None when unavailable."""
    python = os.environ.get("PYMC_MARKETING_PYTHON")
    if not python:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "summary.csv")
        data.reset_index().to_csv(path, index=False)
        script = os.path.join(tmp, "pm.py")
        with open(script, "w") as fh:
            fh.write(_PYMC_SCRIPT)
        try:
            proc = subprocess.run([python, script, path, which], capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return {"error": f"timeout after {timeout} s"}
        for line in proc.stdout.splitlines():
            if line.startswith("RESULT "):
                res = json.loads(line[len("RESULT "):])
                res["p_alive"] = np.load(path + ".p_alive.npy")  # pymc's numbers, to compare with ours
                res["e52"] = np.load(path + ".e52.npy")
                return res
    return {"error": (proc.stderr or proc.stdout)[-300:]}


def run(sizes=None, quick=False, repeat=3, lifetimes_pareto_max=1_000_000):
    """Time fits and predictions per size; print and return the table.

    Parameters
    ----------
    sizes : list of int, optional
        Numbers of customers; default ``[1e5, 1e6]`` (``[1e4, 1e5]`` with ``quick``).
    repeat : int
        Runs per timing (median reported). lifetimes runs once per step at sizes >= 1e6 (it takes tens of
        seconds per step).
    lifetimes_pareto_max : int
        Largest size at which lifetimes' Pareto/NBD fit is timed.
    """
    sizes = sizes or ([10_000, 100_000] if quick else [100_000, 1_000_000])
    lt = _lifetimes()
    _warmup()
    rows = []
    for n in sizes:
        data = simulated_summary(n, seed=n)
        f, r, T = data["frequency"], data["recency"], data["T"]
        lt_repeat = 1 if n >= 1_000_000 else repeat

        def add(step, ours_fn, ref_fn, compare, note=""):
            t_ours, res_ours = median_time(ours_fn, repeat)
            mem = peak_memory(ours_fn)
            t_ref, diff = np.nan, np.nan
            if ref_fn is not None:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    t_ref, res_ref = median_time(ref_fn, lt_repeat)
                diff = compare(res_ours, res_ref)
                if isinstance(diff, tuple):
                    diff, note = diff
            rows.append({"customers": n, "step": step, "ours_s": t_ours, "lifetimes_s": t_ref,
                         "speedup": t_ref / t_ours if np.isfinite(t_ref) else np.nan, "max_rel_diff": diff,
                         "ours_peak_MB": mem / 1e6, "note": note})
            print(f"  {n:>9,} {step:<22} ours {t_ours:8.3f} s   lifetimes {t_ref:8.3f} s   "
                  f"diff {diff:.1e}   {note}", flush=True)

        # ---- fits
        def params_diff(ours, ref):
            names = list(ours.params_.index)
            theirs = ref.params_[names].to_numpy(dtype=float)
            (px, ptx, pT), w, _ = compress_rows([f.to_numpy(float), r.to_numpy(float), T.to_numpy(float)])
            ll_theirs = ours._loglik(theirs, (px, ptx, pT), w, np.zeros(len(names)))
            note = f"LL ours - LL at lifetimes' params = {ours.log_likelihood_ - ll_theirs:+.2e}"
            return _max_rel(ours.params_.to_numpy(), theirs), note

        add("fit BG/NBD", lambda: BetaGeo().fit(data),
            (lambda: lt.BetaGeoFitter().fit(f, r, T)) if lt else None, params_diff)
        pareto_ref = (lambda: lt.ParetoNBDFitter().fit(f, r, T)) if lt and n <= lifetimes_pareto_max else None
        add("fit Pareto/NBD", lambda: ParetoNBD().fit(data), pareto_ref, params_diff)

        # ---- predictions on fixed parameters
        bg = BetaGeo.from_params(**CDNOW_BGNBD)
        pn = ParetoNBD.from_params(**CDNOW_PNBD)
        gg = GammaGamma.from_params(**CDNOW_GG)
        ref_bg = ref_pn = ref_gg = None
        if lt:
            ref_bg = lt.BetaGeoFitter()
            ref_bg.params_ = pd.Series(CDNOW_BGNBD)
            ref_bg.predict = ref_bg.conditional_expected_number_of_purchases_up_to_time
            ref_pn = lt.ParetoNBDFitter()
            ref_pn.params_ = pd.Series(CDNOW_PNBD)
            ref_gg = lt.GammaGammaFitter()
            ref_gg.params_ = pd.Series({"p": CDNOW_GG["p"], "q": CDNOW_GG["q"], "v": CDNOW_GG["gamma"]})
        add("BG/NBD P(alive)", lambda: bg.p_alive(data),
            (lambda: ref_bg.conditional_probability_alive(f, r, T)) if lt else None, _max_rel)
        add("BG/NBD E[purchases 52w]", lambda: bg.conditional_expected_purchases(data, 52.0),
            (lambda: ref_bg.conditional_expected_number_of_purchases_up_to_time(52.0, f, r, T)) if lt else None,
            _max_rel)
        add("Pareto P(alive)", lambda: pn.p_alive(data),
            (lambda: ref_pn.conditional_probability_alive(f, r, T)) if lt else None, _max_rel)
        add("Pareto E[purchases 52w]", lambda: pn.conditional_expected_purchases(data, 52.0),
            (lambda: ref_pn.conditional_expected_number_of_purchases_up_to_time(52.0, f, r, T)) if lt else None,
            _max_rel)
        add("CLV 12 months (BG+GG)",
            lambda: customer_lifetime_value(bg, data, gg, horizon=12, period=4.345, discount_rate=0.01),
            (lambda: ref_gg.customer_lifetime_value(ref_bg, f, r, T, data["monetary_value"], time=12,
                                                    discount_rate=0.01, freq="W")) if lt else None, _max_rel)
        # ---- pymc-marketing (optional, separate venv)
        for which, model_cls, label in (("bg", BetaGeo, "BG/NBD"), ("pnbd", ParetoNBD, "Pareto/NBD")):
            res = _pymc_marketing(data, which)
            if res is None:
                continue
            if "error" in res:
                print(f"  pymc-marketing {label}: {res['error']}", flush=True)
                continue
            ours = model_cls().fit(data)
            theirs = np.array([res["params"][k] for k in ours.params_.index])
            t_ours = median_time(lambda: model_cls().fit(data), repeat)[0]
            fitted = model_cls.from_params(**res["params"])  # built outside the timing, as pymc's model is
            # predictions with pymc's parameters, compared number by number with pymc's own
            diff_pa = _max_rel(fitted.p_alive(data).to_numpy(), res["p_alive"])
            diff_e52 = _max_rel(fitted.conditional_expected_purchases(data, 52.0).to_numpy(), res["e52"])
            steps = [(f"fit {label} vs pymc MAP", res["fit_s_1"], t_ours, _max_rel(ours.params_.to_numpy(), theirs))]
            if "fit_s_tight" in res:
                tight = np.array([res["params_tight"][k] for k in ours.params_.index])
                steps.append((f"fit {label} vs pymc MAP, ftol=1e-15", res["fit_s_tight"], t_ours,
                              _max_rel(ours.params_.to_numpy(), tight)))
            for step, t_pm, t_o, diff in steps + [
                (f"{label} P(alive) vs pymc", res["p_alive_s"], median_time(lambda: fitted.p_alive(data), 5)[0],
                 diff_pa),
                (f"{label} P(alive) vs pymc, warm", res["p_alive_warm_s"],
                 median_time(lambda: fitted.p_alive(data), 5, warm=True)[0], diff_pa),
                (f"{label} E[52w] vs pymc", res["expected_52_s"],
                 median_time(lambda: fitted.conditional_expected_purchases(data, 52.0), 5)[0], diff_e52)]:
                rows.append({"customers": n, "step": step, "ours_s": t_o, "lifetimes_s": np.nan,
                             "pymc_marketing_s": t_pm, "speedup": t_pm / t_o, "max_rel_diff": diff,
                             "ours_peak_MB": np.nan,
                             "note": f"pymc first fit incl. compile {res['fit_s_0']:.1f} s" if "fit" in step else ""})
                print(f"  {n:>9,} {step:<28} ours {t_o:8.3f} s   pymc-marketing {t_pm:8.3f} s   diff {diff:.1e}",
                      flush=True)
    table = pd.DataFrame(rows)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(table.to_string(index=False, float_format=lambda v: f"{v:.3g}"))
    print(f"process peak RSS {rss:.0f} MB (all steps, lifetimes included)")
    print(fmt_table(table))
    return table


if __name__ == "__main__":
    run()
