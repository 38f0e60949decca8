"""Diagnostics every BTYD course teaches: the period-transactions check and the likelihood-ratio test.

``period_transactions`` sets the number of customers with 0, 1, ..., k+ repeat purchases in the calibration
period beside the number the fitted model expects (each customer contributes her own P(X(T)=x) for her own
age T), with a chi-square goodness-of-fit statistic and a verdict in plain words. This is the histogram of
Fader, Hardie and Lee (2005), Figure 3.

``likelihood_ratio_test`` compares two models fitted on the same customers, one a special case of the other.

Formulas
--------
BG/NBD (Fader, Hardie and Lee 2005, "Counting your customers the easy way", Marketing Science 24(2), eq. 8),
with NB_j(t) = Gamma(r+j) / (Gamma(r) j!) (alpha/(alpha+t))^r (t/(alpha+t))^j::

    P(X(t)=x) = B(a, b+x)/B(a, b) NB_x(t) + 1[x>0] B(a+1, b+x-1)/B(a, b) [1 - sum_{j<x} NB_j(t)]

MBG/NBD (the drop-out coin is also tossed at time 0; Batislam, Denizel and Filiztekin 2007): with K ~ the
number of purchases before drop-out, P(K = k | p) = p (1-p)^k for k >= 0 and X(t) = min(N(t), K), so::

    P(X(t)=x) = B(a, b+x+1)/B(a, b) NB_x(t) + B(a+1, b+x)/B(a, b) [1 - sum_{j<x} NB_j(t)]

Pareto/NBD (Fader and Hardie 2006, "Deriving an expression for P(X(t)=x) under the Pareto/NBD model",
http://brucehardie.com/notes/012/)::

    P(X(t)=x) = NB_x(t) (beta/(beta+t))^s
              + alpha^r beta^s B(r+x, s+1)/B(r, s) [B1 - sum_{i=0}^{x} Gamma(r+s+i)/(Gamma(r+s) i!) t^i B2_i]

    alpha >= beta:  B1   = 2F1(r+s, s+1; r+s+x+1; (alpha-beta)/alpha) / alpha^(r+s)
                    B2_i = 2F1(r+s+i, s+1; r+s+x+1; (alpha-beta)/(alpha+t)) / (alpha+t)^(r+s+i)
    alpha <  beta:  B1   = 2F1(r+s, r+x; r+s+x+1; (beta-alpha)/beta) / beta^(r+s)
                    B2_i = 2F1(r+s+i, r+x; r+s+x+1; (beta-alpha)/(beta+t)) / (beta+t)^(r+s+i)

(the second term is E[ integral_0^t mu e^{-mu tau} Poisson(x; lambda tau) d tau ] over the gamma mixing
distributions; the 2F1 arguments lie in [0, 1)). ``tests/naive.py`` checks all three against a direct
numerical integration / summation.
"""

from __future__ import annotations

import html
import math

import numpy as np
import pandas as pd

from ..errors import ConvergenceError, DataQualityError, ParameterError, UnitMismatchError
from ..i18n import localize, tr
from . import _common

# scipy.special / scipy.stats are imported inside the functions: ``import toolkit.clv`` stays light.

__all__ = [
    "LikelihoodRatioTest",
    "PeriodTransactions",
    "likelihood_ratio_test",
    "period_transactions",
    "repeat_pmf",
]

#: Bins with fewer expected customers than this are pooled with a neighbour before the chi-square test.
MIN_EXPECTED = 5.0


# ----------------------------------------------------------------------------------------------------------
# P(X(t) = x)
# ----------------------------------------------------------------------------------------------------------

def p_value_text(p) -> str:
    """A p-value in a sentence: "p = 0.19", or "p < 0.001" (never 8e-46)."""
    return "p < 0.001" if p < 0.001 else f"p = {p:.2g}"

def _nb_terms(r, alpha, t, max_x):
    """NB_j(t) for j = 0..max_x, shape (len(t), max_x + 1), in log space then exponentiated."""
    from scipy import special

    t = np.asarray(t, dtype=np.float64)
    j = np.arange(max_x + 1, dtype=np.float64)
    log_q = np.log(alpha) - np.log(alpha + t)           # log(alpha / (alpha + t))
    with np.errstate(divide="ignore"):
        log_p = np.log(t) - np.log(alpha + t)           # log(t / (alpha + t)); -inf at t = 0
    log_coef = special.gammaln(r + j) - special.gammaln(r) - special.gammaln(j + 1)
    with np.errstate(invalid="ignore"):
        jlogp = np.where(j[None, :] == 0, 0.0, j[None, :] * log_p[:, None])
    return np.exp(log_coef[None, :] + r * log_q[:, None] + jlogp)


def _bgnbd_pmf(params, t, max_x, modified):
    from scipy import special

    r, alpha, a, b = params
    nb = _nb_terms(r, alpha, t, max_x)
    x = np.arange(max_x + 1, dtype=np.float64)
    # P(N(t) >= x) = 1 - sum_{j<x} NB_j
    tail = np.clip(1.0 - np.concatenate([np.zeros((len(nb), 1)), np.cumsum(nb, axis=1)[:, :-1]], axis=1), 0, 1)
    lbab = special.betaln(a, b)
    if modified:
        stay = np.exp(special.betaln(a, b + x + 1) - lbab)
        drop = np.exp(special.betaln(a + 1, b + x) - lbab)
    else:
        stay = np.exp(special.betaln(a, b + x) - lbab)
        with np.errstate(invalid="ignore"):
            drop = np.where(x > 0, np.exp(special.betaln(a + 1, np.maximum(b + x - 1, 1e-300)) - lbab), 0.0)
    return stay[None, :] * nb + drop[None, :] * tail


def _pnbd_pmf(params, t, max_x):
    """Pareto/NBD P(X(t)=x) for x = 0..max_x (module docstring); the 2F1 terms in log space.

    2F1 comes from the series kernel the Pareto/NBD likelihood uses (``_kernels.likelihoods.log_hyp2f1``,
    positive terms since the argument is in [0, 1)); scipy.special.hyp2f1 loses about 7 digits when
    c - a - b is very negative and z is near 1. Cost: (max_x + 1)(max_x + 2)/2 series per horizon.
    """
    from scipy import special

    from .._kernels.likelihoods import log_hyp2f1

    log_2f1 = np.vectorize(log_hyp2f1, otypes=[np.float64])
    r, alpha, s, beta = params
    t = np.asarray(t, dtype=np.float64)
    nb = _nb_terms(r, alpha, t, max_x)
    first = nb * np.exp(s * (np.log(beta) - np.log(beta + t)))[:, None]
    out = np.empty_like(first)
    lg_rs = special.gammaln(r + s)
    big = max(alpha, beta)
    z1 = abs(alpha - beta) / big
    zt = abs(alpha - beta) / (big + t)
    log_big_t = np.log(big + t)
    with np.errstate(divide="ignore"):
        log_t = np.log(t)
    for x in range(max_x + 1):
        c = r + s + x + 1.0
        b_arg = s + 1.0 if alpha >= beta else r + x
        log_pref = r * math.log(alpha) + s * math.log(beta) + special.betaln(r + x, s + 1) - special.betaln(r, s)
        b1 = math.exp(log_pref + float(log_hyp2f1(r + s, b_arg, c, z1)) - (r + s) * math.log(big))
        acc = np.zeros(len(t))
        for i in range(x + 1):
            log_ti = 0.0 if i == 0 else i * log_t
            log_w = (log_pref + special.gammaln(r + s + i) - lg_rs - special.gammaln(i + 1.0) + log_ti
                     - (r + s + i) * log_big_t)
            acc += np.exp(log_2f1(r + s + i, b_arg, c, zt) + log_w)
        out[:, x] = first[:, x] + np.maximum(b1 - acc, 0.0)
    return out


def repeat_pmf(model, t, max_x):
    """P(X(t) = x) for x = 0..max_x under a fitted purchase model, one row per horizon in ``t``.

    Parameters
    ----------
    model : BetaGeo, ModifiedBetaGeo or ParetoNBD (fitted or ``from_params``)
    t : array-like of float
        Horizons (customer ages) in the model's time unit, > 0 (0 gives P(X=0) = 1).
    max_x : int

    Returns
    -------
    numpy.ndarray of shape (len(t), max_x + 1).
    """
    from .models import BetaGeo, ParetoNBD

    model._check_fitted()
    params = tuple(float(v) for v in model.params_.to_numpy())
    t = np.atleast_1d(np.asarray(t, dtype=np.float64))
    if np.any(~np.isfinite(t)) or np.any(t < 0):
        raise ParameterError("Horizons t must be finite and >= 0.", parameter="t", value=t)
    if isinstance(model, BetaGeo):
        return _bgnbd_pmf(params, t, int(max_x), bool(getattr(model, "_modified", False)))
    if isinstance(model, ParetoNBD):
        return _pnbd_pmf(params, t, int(max_x))
    raise TypeError(f"P(X(t)=x) is available for BetaGeo, ModifiedBetaGeo and ParetoNBD, not "
                    f"{type(model).__name__}.")


# ----------------------------------------------------------------------------------------------------------
# period transactions
# ----------------------------------------------------------------------------------------------------------
class PeriodTransactions:
    """Actual vs expected customers by number of repeat purchases in the calibration period.

    Attributes
    ----------
    table : pandas.DataFrame
        Index ``repeats`` (labels ``"0"``, ``"1"``, ..., ``"k+"``); columns ``actual`` (customers) and
        ``expected`` (sum over customers of the model's P(X(T)=x)).
    pooled : pandas.DataFrame
        The bins the chi-square test used (neighbours pooled until each expects >= 5 customers), with the
        contribution ``(actual - expected)^2 / expected`` of each.
    chi_square, df, p_value : float / int / float
        Pearson statistic, degrees of freedom (pooled bins - 1 - model parameters) and its p-value
        (NaN when df < 1).
    verdict : str
        One sentence in plain words.
    model_name : str
    n_customers : int
    """

    def __init__(self, table, pooled, chi_square, df, p_value, verdict, model_name, n_params):
        self.table = table
        self.pooled = pooled
        self.chi_square = chi_square
        self.df = df
        self.p_value = p_value
        self.verdict = _common.Sentence(verdict) if isinstance(verdict, str) else verdict
        self.model_name = model_name
        self.n_params = n_params
        self.n_customers = int(table["actual"].sum())

    @property
    def summary(self):
        """The table with the difference ``expected - actual``."""
        out = self.table.copy()
        out["difference"] = out["expected"] - out["actual"]
        return out

    def __repr__(self):
        if _common._zh():
            table = _common._zh_frame(self.table, columns=_pt_columns()).round(1).to_string()
            return (tr("clv.period.repr").format(model=self.model_name, chi2=f"{self.chi_square:.2f}", df=self.df,
                                                 p=_zh_p(self.p_value))
                    + f"\n{table}\n{self.verdict}")
        return (f"<PeriodTransactions {self.model_name}: chi-square {self.chi_square:.2f} on {self.df} df, "
                f"p = {self.p_value:.3g}>\n{self.table.round(1).to_string()}\n{self.verdict}")

    def _repr_html_(self):
        if _common._zh():
            return ("<p><b>" + html.escape(tr("clv.period.title").format(model=self.model_name)) + "</b></p>"
                    + _common._zh_frame(self.summary, columns=_pt_columns()).to_html(float_format=lambda v: f"{v:.1f}")
                    + f"<p>{html.escape(str(self.verdict))}</p>")
        return (f"<p><b>Period transactions, {html.escape(self.model_name)}</b></p>"
                + self.summary.to_html(float_format=lambda v: f"{v:.1f}")
                + f"<p>{html.escape(self.verdict)}</p>")


def _pt_columns():
    """Headers of the period-transactions table: customers, actual and expected (in the current language)."""
    return {"actual": tr("clv.period.actual"), "expected": tr("clv.period.expected")}


def _zh_p(p) -> str:
    """A p-value for the Chinese summary line (no "nan")."""
    return f"{p:.3g}" if np.isfinite(p) else tr("clv.test.no_p")


def _pool(actual, expected, labels, min_expected=MIN_EXPECTED):
    """Pool neighbouring bins left to right until each expects >= min_expected; a short tail joins the last."""
    groups, cur = [], []
    for i in range(len(expected)):
        cur.append(i)
        if expected[cur].sum() >= min_expected:
            groups.append(cur)
            cur = []
    if cur:
        if groups:
            groups[-1] = groups[-1] + cur
        else:
            groups.append(cur)
    rows = []
    for g in groups:
        lab = labels[g[0]] if len(g) == 1 else f"{labels[g[0]]}-{labels[g[-1]]}"
        a, e = float(actual[g].sum()), float(expected[g].sum())
        rows.append((lab, a, e, (a - e) ** 2 / e if e > 0 else np.nan))
    return pd.DataFrame(rows, columns=["repeats", "actual", "expected", "contribution"]).set_index("repeats")


def _verdict(name, chi2, df, p, table, n):
    if not np.isfinite(p):
        return (f"Too few bins to test the {name} fit (after pooling bins that expect fewer than "
                f"{MIN_EXPECTED:g} customers, {df} degrees of freedom remain); compare the columns by eye.")
    gap = (table["actual"] - table["expected"]).abs()
    worst = gap.idxmax()
    row = table.loc[worst]
    plural = "" if worst == "1" else "s"
    where = (f"the largest gap is at {worst} repeat purchase{plural} ({row['actual']:,.0f} customers, "
             f"{row['expected']:,.1f} expected)")
    stat = f"chi-square {chi2:.1f} on {df} df, {p_value_text(p)}"
    if p >= 0.05:
        return (f"The {name} model reproduces how many customers made 0, 1, 2, ... repeat purchases in the "
                f"calibration period: the differences are within chance ({stat}).")
    size = " With this many customers even small differences are significant; judge whether the gap matters." \
        if n >= 5000 else ""
    if p >= 0.01:
        return f"The {name} model fits the repeat-purchase histogram only roughly ({stat}); {where}.{size}"
    return f"The {name} model does not reproduce the repeat-purchase histogram ({stat}); {where}.{size}"


def period_transactions(model, summary, max_repeat=7):
    """Actual vs expected number of customers with 0, 1, ..., ``max_repeat``+ repeat purchases in calibration.

    Each customer contributes her own probabilities P(X(T)=x) at her own age ``T`` (Fader, Hardie and Lee
    2005, Figure 3; formulas in the module docstring), so the expected column sums to the number of
    customers. A Pearson chi-square test compares the two columns after pooling neighbouring bins that
    expect fewer than 5 customers; its degrees of freedom are bins - 1 - the model's parameters (bins - 1
    for a model built with ``from_params``, whose parameters were not estimated from these data). The
    parameters were estimated from the individual data, not from the bins, so the p-value is approximate
    (Chernoff and Lehmann 1954: the true null distribution lies between chi-square with bins - 1 - k and
    bins - 1 degrees of freedom).

    Parameters
    ----------
    model : BetaGeo, ModifiedBetaGeo or ParetoNBD
        Fitted on ``summary`` (or built with ``from_params``).
    summary : pandas.DataFrame
        ``frequency, recency, T`` per customer (``toolkit.customer_summary``) in the model's time unit.
    max_repeat : int, default 7
        The last bin holds every customer with at least this many repeat purchases ("7+").

    Returns
    -------
    PeriodTransactions

    Examples
    --------
    >>> from toolkit.datasets import load_cdnow_summary
    >>> from toolkit.clv.models import BetaGeo
    >>> summary = load_cdnow_summary()
    >>> result = period_transactions(BetaGeo().fit(summary), summary)
    >>> result.table["actual"].to_list()
    [1411, 439, 214, 100, 62, 38, 29, 64]
    """
    from scipy import stats

    from .._validate import check_int

    check_int("max_repeat", max_repeat, low=1, hint="For example max_repeat=7 (bins 0, 1, ..., 6, 7+).")
    max_repeat = int(max_repeat)
    from .models import BetaGeo, ParetoNBD

    if not isinstance(model, (BetaGeo, ParetoNBD)):
        raise TypeError(f"period_transactions needs a BetaGeo, ModifiedBetaGeo or ParetoNBD model, not "
                        f"{type(model).__name__}.")
    model._check_fitted()
    model._no_covariates("period_transactions")
    model._check_unit(summary, "period_transactions")
    x, _, T = model._prepare(summary)
    n = len(x)
    if n == 0:
        raise DataQualityError("period_transactions needs at least one customer.")
    uniq, inverse = np.unique(T, return_inverse=True)
    pmf = repeat_pmf(model, uniq, max_repeat - 1)
    weights = np.bincount(inverse, minlength=len(uniq)).astype(np.float64)
    exp_head = weights @ pmf
    expected = np.append(exp_head, n - exp_head.sum())  # P(X >= k) = 1 - sum_{x<k} P(X = x)
    actual = np.bincount(np.minimum(x.astype(np.int64), max_repeat), minlength=max_repeat + 1)
    labels = [str(i) for i in range(max_repeat)] + [f"{max_repeat}+"]
    table = pd.DataFrame({"actual": actual, "expected": expected}, index=pd.Index(labels, name="repeats"))
    total = float(table["expected"].sum())
    if not math.isclose(total, n, rel_tol=1e-9) or np.any(expected < -1e-9 * n):
        raise ConvergenceError(f"Expected counts sum to {total} for {n} customers (or are negative); "
                               "the P(X(t)=x) evaluation failed.")
    pooled = _pool(actual.astype(np.float64), np.maximum(expected, 0.0), labels)
    # parameters estimated from data cost degrees of freedom; given ones (from_params) do not
    k = len(model.params_) if getattr(model, "n_customers_", 0) else 0
    df = len(pooled) - 1 - k
    chi2 = float(pooled["contribution"].sum())
    p = float(stats.chi2.sf(chi2, df)) if df >= 1 else np.nan
    name = getattr(model, "_model_name", type(model).__name__)
    verdict = _verdict(name, chi2, df, p, table, n)
    return PeriodTransactions(table, pooled, chi2, df, p, verdict, name, k)


# ----------------------------------------------------------------------------------------------------------
# likelihood-ratio test
# ----------------------------------------------------------------------------------------------------------
class LikelihoodRatioTest:
    """Result of :func:`likelihood_ratio_test`.

    Attributes
    ----------
    statistic : float        2 (LL_full - LL_restricted)
    df : int                 free parameters of ``full`` minus those of ``restricted``
    p_value : float          chi-square(df) upper tail (NaN when df = 0: no nested test)
    log_likelihoods : pandas.Series   by model name
    notes : list of str      caveats (non-nested pair, negative statistic, ...)
    verdict : str            one sentence in plain words
    """

    def __init__(self, statistic, df, p_value, log_likelihoods, notes, verdict):
        self.statistic = statistic
        self.df = df
        self.p_value = p_value
        self.log_likelihoods = log_likelihoods
        self.notes = notes
        self.verdict = _common.Sentence(verdict) if isinstance(verdict, str) else verdict

    @property
    def summary(self):
        return pd.DataFrame({"statistic": [self.statistic], "df": [self.df], "p_value": [self.p_value]})

    def __repr__(self):
        if _common._zh():
            return (tr("clv.lr.repr").format(statistic=f"{self.statistic:.3f}", df=self.df, p=_zh_p(self.p_value))
                    + "\n" + str(self.verdict)
                    + "".join("\n" + tr("clv.lr.note").format(note=localize(n)) for n in self.notes))
        return (f"<LikelihoodRatioTest LR = {self.statistic:.3f} on {self.df} df, p = {self.p_value:.3g}>\n"
                + self.verdict + "".join(f"\nNote: {n}" for n in self.notes))

    def _repr_html_(self):
        notes = "".join(f"<li>{html.escape(str(_common.Sentence(n)))}</li>" for n in self.notes)
        summary = _common._zh_frame(self.summary) if _common._zh() else self.summary
        return (summary.to_html(index=False) + f"<p>{html.escape(str(self.verdict))}</p>"
                + (f"<ul>{notes}</ul>" if notes else ""))


def _n_free(model):
    """Free parameters: those estimated (a model may declare fixed ones in ``n_free_params_``)."""
    return int(getattr(model, "n_free_params_", len(model.params_)))


def likelihood_ratio_test(restricted, full):
    """Likelihood-ratio test of a restricted model against a fuller one fitted on the same customers.

    LR = 2 (LL_full - LL_restricted) is chi-square with df = (free parameters of ``full``) - (those of
    ``restricted``) when the restricted model is true and is a special case of the full one with the
    restriction inside the parameter space (Wilks 1938). A small p-value says the extra parameters improve
    the fit more than chance would.

    Nested pairs: the same model with and without covariates, or with some parameters fixed. Caveats:

    - BG/NBD vs MBG/NBD is **not** nested: both have four parameters (r, alpha, a, b) and neither is a special
      case of the other (MBG/NBD tosses the drop-out coin also at time 0). The function allows the pair,
      returns the log-likelihood difference with df = 0 and p-value NaN, and says to compare AIC/BIC instead.
    - A restriction on the boundary (for example Pareto/NBD with no drop-out, mu = 0, as the NBD) makes the
      chi-square p-value conservative (Self and Liang 1987); halve it for one boundary parameter.

    Parameters
    ----------
    restricted, full : fitted models (``log_likelihood_``, ``params_``, ``n_customers_``)

    Returns
    -------
    LikelihoodRatioTest

    Raises
    ------
    ParameterError
        (a ``ValueError``) A model is not fitted by maximum likelihood (``from_params`` or with a penalizer), or
        ``full`` has fewer free parameters.
    UnitMismatchError
        (a ``ValueError``) The two were fitted on different numbers of customers or time units.
    """
    from scipy import stats

    notes = []
    for role, m in (("restricted", restricted), ("full", full)):
        m._check_fitted()
        if not np.isfinite(getattr(m, "log_likelihood_", np.nan)) or not getattr(m, "n_customers_", 0):
            raise ParameterError(f"The {role} model has no maximised log-likelihood (built from given parameters?); "
                                 "fit both models on the same summary.", parameter=role, value=m)
        if getattr(m, "penalizer", 0.0):
            raise ParameterError(f"The {role} model was fitted with penalizer={m.penalizer}: its estimates are not "
                                 "maximum likelihood and the LR test does not apply. Refit with penalizer=0.",
                                 parameter=role, value=m)
    if not math.isclose(restricted.n_customers_, full.n_customers_, rel_tol=1e-12):
        raise UnitMismatchError(f"The models were fitted on different data: {restricted.n_customers_:,.0f} vs "
                                f"{full.n_customers_:,.0f} customers. Fit both on the same summary.")
    tu_r, tu_f = getattr(restricted, "time_unit_", None), getattr(full, "time_unit_", None)
    if tu_r is not None and tu_f is not None and tu_r != tu_f:
        raise UnitMismatchError(f"The models were fitted in different time units ({tu_r!r} vs {tu_f!r}); "
                                "their likelihoods are not comparable.")
    df = _n_free(full) - _n_free(restricted)
    if df < 0:
        raise ParameterError(f"full has fewer free parameters ({_n_free(full)}) than restricted "
                             f"({_n_free(restricted)}): swap the arguments.", parameter="full", value=full)
    stat = 2.0 * (float(full.log_likelihood_) - float(restricted.log_likelihood_))
    name_r = getattr(restricted, "_model_name", type(restricted).__name__)
    name_f = getattr(full, "_model_name", type(full).__name__)
    if name_r == name_f:
        name_r, name_f = f"restricted {name_r}", f"full {name_f}"
    lls = pd.Series({name_r: float(restricted.log_likelihood_), name_f: float(full.log_likelihood_)},
                    name="log_likelihood")
    if df == 0:
        notes.append(f"{name_r} and {name_f} have the same number of free parameters, so neither is a special "
                     "case of the other (BG/NBD and MBG/NBD are not nested): there is no chi-square test. The "
                     "log-likelihood difference is shown; compare AIC/BIC (lower is better).")
        better = name_f if stat > 0 else name_r
        verdict = (f"No nested test is possible; {better} has the higher log-likelihood "
                   f"(difference {abs(stat) / 2:.2f}), and with equal parameter counts also the lower AIC/BIC.")
        return LikelihoodRatioTest(stat, 0, np.nan, lls, notes, verdict)
    if type(restricted) is not type(full) and {type(restricted).__name__, type(full).__name__} <= {
            "BetaGeo", "ModifiedBetaGeo", "ParetoNBD"}:
        notes.append(f"{name_r} is not a special case of {name_f}; the chi-square p-value assumes nesting.")
    if stat < 0:
        notes.append(f"The full model's log-likelihood is lower than the restricted one's by {-stat / 2:.3g}: "
                     "a nested full model can always do at least as well, so its fit did not reach the maximum "
                     "(refit from the restricted estimates). The statistic is taken as 0.")
        stat_used = 0.0
    else:
        stat_used = stat
    p = float(stats.chi2.sf(stat_used, df))
    test = f"LR = {stat_used:.2f} on {df} df, {p_value_text(p)}"
    if p < 0.05:
        verdict = (f"The extra parameters of {name_f} improve the fit more than chance would ({test}): "
                   f"prefer {name_f}.")
    else:
        verdict = (f"The extra parameters of {name_f} do not improve the fit beyond chance ({test}): the "
                   f"simpler {name_r} is enough.")
    return LikelihoodRatioTest(stat_used, df, p, lls, notes, verdict)
