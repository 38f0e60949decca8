"""Probabilistic ("buy till you die") customer models and discounted CLV.

=====================  =======================  ==============================================
class                  model                    reference
=====================  =======================  ==============================================
``BetaGeo``            BG/NBD                   Fader, Hardie and Lee (2005), Marketing Science
``ModifiedBetaGeo``    MBG/NBD                  Batislam, Denizel and Filiztekin (2007), IJRM
``ParetoNBD``          Pareto/NBD               Schmittlein, Morrison and Colombo (1987)
``BetaGeoBetaBinom``   BG/BB (discrete time)    Fader, Hardie and Shang (2010), Marketing Science
``GammaGamma``         spend per transaction    Fader, Hardie and Lee (2005), JMR
=====================  =======================  ==============================================

All follow scikit-learn conventions: settings in ``__init__``, ``fit(summary)`` returns the model, learned
values end in ``_`` (``params_``, ``log_likelihood_``, ``standard_errors_``, ``confidence_intervals_``,
``aic_``, ``bic_``), ``summary`` is a DataFrame and ``from_params`` builds a model from known values.

``ParetoNBD``, ``BetaGeo`` (and ``ModifiedBetaGeo``) and ``GammaGamma`` take time-invariant covariates:
``fit(summary, covariates=frame)`` (see :mod:`toolkit.clv.models.covariates`); their coefficients join
``params_`` as ``purchase:<column>``, ``dropout:<column>`` or ``spend:<column>``, and every prediction uses each
customer's own covariates (``covariates=`` on the prediction methods for new customers).

Time is explicit: every duration (recency, T, horizons ``t``, the rates ``alpha`` and ``beta``) is in the time
unit of the summary the model was fitted on (``summary.attrs["time_unit"]``, kept as ``time_unit_``);
``customer_lifetime_value`` takes the period length and the discount rate per period explicitly.

Examples
--------
>>> from toolkit.datasets import load_cdnow_summary
>>> from toolkit.clv.models import BetaGeo
>>> summary = load_cdnow_summary()                       # CDNOW sample, weeks, 39-week calibration
>>> model = BetaGeo().fit(summary)
>>> model.params_.round(3).to_dict()
{'r': 0.243, 'alpha': 4.414, 'a': 0.793, 'b': 2.426}
>>> round(model.log_likelihood_, 1)
-9582.4
>>> model.conditional_expected_purchases(summary, t=52).round(3).head(2).to_list()   # next 52 weeks
[1.559, 0.26]
"""

from .base import BaseModel, PurchaseModel, compress_rows
from .beta_geo import BetaGeo
from .covariates import encode_covariates
from .beta_geo_beta_binom import BetaGeoBetaBinom
from .gamma_gamma import GammaGamma
from .modified_beta_geo import ModifiedBetaGeo
from .pareto_nbd import ParetoNBD
from .value import ModelCLV, customer_lifetime_value

__all__ = [
    "BaseModel",
    "PurchaseModel",
    "BetaGeo",
    "ModifiedBetaGeo",
    "ParetoNBD",
    "BetaGeoBetaBinom",
    "GammaGamma",
    "customer_lifetime_value",
    "ModelCLV",
    "compress_rows",
    "encode_covariates",
]


def _warmup(summary):
    """Compile (or load from the numba cache) the models' kernels through their public methods.

    ``summary`` is a customer summary with some repeat buyers (``toolkit.warmup`` passes the CDNOW sample's):
    each model is fitted and asked for P(alive), expected purchases and CLV, as the lessons and the report do.
    Returns the fitted purchase models (those with covariates last), for :func:`toolkit.clv.intervals._warmup`
    (which lives above this package: importing it here would make an import circle).
    """
    import numpy as np

    fitted = []
    repeaters = summary[summary["frequency"] > 0]
    gg = GammaGamma().fit(repeaters)
    gg.expected_spend(summary)
    for model in (BetaGeo(), ModifiedBetaGeo(), ParetoNBD()):
        model.fit(summary)
        model.p_alive(summary)
        model.conditional_expected_purchases(summary, t=4)
        model.expected_purchases_new_customer(np.array([1.0, 4.0]))
        customer_lifetime_value(model, summary, gg, horizon=12, period="M", discount_rate=0.01)
        fitted.append(model)
    # covariates (a numeric and a categorical column, derived from the summary itself): the per-customer kernels
    import pandas as pd

    ids = summary.index
    covariates = pd.DataFrame({"z": (summary["T"].to_numpy() > summary["T"].median()).astype(float),
                               "group": pd.Categorical(np.where(np.arange(len(ids)) % 3 == 0, "a", "b"))},
                              index=ids)
    gg_cov = GammaGamma().fit(repeaters, covariates=covariates)
    for model in (BetaGeo(), ParetoNBD()):
        model.fit(summary, covariates=covariates)
        model.p_alive(summary)
        model.conditional_expected_purchases(summary, t=4)
        customer_lifetime_value(model, summary, gg_cov, horizon=12, period="M", discount_rate=0.01)
        fitted.append(model)
    # BG/BB on discrete data drawn from the published donation fit ([FHS10]: 1.204, 0.750, 0.657, 2.783)
    discrete = BetaGeoBetaBinom.from_params(alpha=1.204, beta=0.750, gamma=0.657, delta=2.783).simulate(
        np.full(300, 6), seed=1)[["frequency", "recency", "periods"]]
    bgbb = BetaGeoBetaBinom().fit(discrete)
    bgbb.p_alive(discrete)
    bgbb.conditional_expected_purchases(discrete, 2)
    return fitted
