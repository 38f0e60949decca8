"""MBG/NBD: the modified BG/NBD, where a customer may also drop out right after her first purchase.

Batislam, E. P., Denizel, M. and Filiztekin, A. (2007). Empirical validation and comparison of models for
customer base analysis. *International Journal of Research in Marketing* 24(3), 201-209.
"""

from __future__ import annotations

from .beta_geo import BetaGeo

__all__ = ["ModifiedBetaGeo"]


class ModifiedBetaGeo(BetaGeo):
    """MBG/NBD model (Batislam, Denizel and Filiztekin 2007).

    Same assumptions as :class:`BetaGeo` except that the drop-out coin (probability p ~ Beta(a, b)) is also
    tossed at time 0, right after the first purchase. So a customer without repeat purchases is not
    certainly alive, which fixes BG/NBD's P(alive) = 1 for one-time buyers.

    Columns, parameters (r, alpha, a, b), time units and prediction methods are those of :class:`BetaGeo`.
    """

    _model_name = "MBG/NBD"
    _modified = True
