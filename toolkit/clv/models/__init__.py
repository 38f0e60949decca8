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
]


def _warmup():
    """Compile the BG/NBD fit and the prediction kernels on a tiny summary (called by ``toolkit.warmup``).

    Fitting every model here would cost seconds per process; predictions from known parameters compile the
    same prediction kernels cheaply.
    """
    import warnings

    import pandas as pd

    tiny = pd.DataFrame({"frequency": [0, 1, 2, 3, 0, 5], "recency": [0.0, 2.0, 5.0, 7.0, 0.0, 9.0],
                         "T": [10.0, 10.0, 9.0, 8.0, 6.0, 10.0]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            BetaGeo().fit(tiny)
        except Exception:  # a 6-customer fit may not converge; compiling is all we want here
            pass
        for model in (BetaGeo.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426),
                      ParetoNBD.from_params(r=0.553, alpha=10.578, s=0.606, beta=11.669)):
            model.p_alive(tiny)
            model.conditional_expected_purchases(tiny, t=4)
