"""Bundled data sets and a synthetic teaching company with ground truth.

Loaders (``load_*``) read the files shipped in ``datasets/`` (installed wheels carry them as
``toolkit/_datasets``). :func:`make_company` simulates a mother-and-baby retailer whose customers follow
the customer-lifecycle patterns of the course (exploration, formation, stability, deterioration, lost), and
returns the observable tables together with the latent truth, so every analysis can be checked against the
answer it should find. :func:`load_company` reads the small pre-generated copy in ``datasets/company/``.

This module uses pandas and NumPy only. ``python -m toolkit.datasets`` regenerates the bundled company copy.
See ``datasets/README.md`` for the full datasheet.
"""

from __future__ import annotations

import importlib.resources
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import ToolkitError

__all__ = [
    "DatasetNotFoundError",
    "Company",
    "dataset_path",
    "load_cdnow",
    "load_cdnow_summary",
    "load_donations",
    "make_company",
    "load_company",
    "write_company",
    "CHANNELS",
    "CATEGORIES",
    "EVENTS",
    "PATTERNS",
    "STAGES",
    "NEED_CLASSES",
    "PLATFORMS",
]


class DatasetNotFoundError(ToolkitError, FileNotFoundError):
    """A bundled data file could not be found (neither in the installed package nor in the source tree)."""


# --------------------------------------------------------------------------------------------------------
# locating files
# --------------------------------------------------------------------------------------------------------


def _data_root() -> Path:
    """Folder holding the bundled data: ``toolkit/_datasets`` (wheel) or ``<repo>/datasets`` (checkout)."""
    try:
        packaged = importlib.resources.files("toolkit") / "_datasets"
        if packaged.is_dir():
            return Path(str(packaged))
    except (ModuleNotFoundError, TypeError, NotImplementedError):  # pragma: no cover - exotic loaders
        pass
    source = Path(__file__).resolve().parents[1] / "datasets"
    if source.is_dir():
        return source
    raise DatasetNotFoundError(
        "The bundled data sets were not found: looked for the package folder 'toolkit/_datasets' (installed "
        f"wheel) and for {source} (source checkout or editable install). Reinstall the package "
        "(pip install customer-value-toolkit) or run from a checkout of the repository."
    )


def dataset_path(*parts: str) -> Path:
    """Path of a bundled data file.

    Parameters
    ----------
    *parts : str
        Path components below the data folder, e.g. ``"cdnow", "CDNOW_master.txt"``.

    Returns
    -------
    pathlib.Path
        The existing file or folder.

    Raises
    ------
    DatasetNotFoundError
        If the data folder or the file does not exist.

    Examples
    --------
    >>> dataset_path("cdnow", "donations.csv").name
    'donations.csv'
    """
    path = _data_root().joinpath(*parts)
    if not path.exists():
        raise DatasetNotFoundError(
            f"Bundled data file {'/'.join(parts)!r} not found under {path.parent}. "
            "Check the name against datasets/README.md."
        )
    return path


# --------------------------------------------------------------------------------------------------------
# CDNOW and donations
# --------------------------------------------------------------------------------------------------------

_CDNOW_END_OF_CALIBRATION = pd.Timestamp("1997-09-30")


def load_cdnow(kind: str = "sample") -> pd.DataFrame:
    """Load the CDNOW transaction log (full cohort or the 1/10 sample).

    One row per transaction line of the customers whose first purchase at CDNOW fell in the first quarter
    of 1997, followed to the end of June 1998.

    Parameters
    ----------
    kind : {"sample", "master"}, default "sample"
        ``"sample"``: the 1/10 sample behind all published BG/NBD and Pareto/NBD estimates
        (``CDNOW_sample.txt``). ``"master"``: the full cohort (``CDNOW_master.txt``).

    Returns
    -------
    pandas.DataFrame
        Columns (in this order):

        - ``customer_id`` (str): zero-padded master id exactly as in the file, e.g. ``"00004"``.
        - ``sample_id`` (int64, sample only): id 1..2357 used by the published summaries
          (:func:`load_cdnow_summary` is indexed by it).
        - ``date`` (datetime64[ns]): purchase day, 1997-01-01 .. 1998-06-30 (day resolution, no time).
        - ``number_of_cds`` (int64): CDs bought in that transaction.
        - ``dollar_value`` (float64): spend in US dollars (1997-98); 0.00 on a few rows.

        Size: (6919, 5) for ``"sample"`` (2,357 customers); (69659, 4) for ``"master"`` (23,570 customers).

    Raises
    ------
    ValueError
        If ``kind`` is not one of the two names.
    DatasetNotFoundError
        If the bundled file is missing.

    Notes
    -----
    Quirks, all genuine (keep them; see ``datasets/README.md``):

    - zero-dollar rows: 8 in the sample, 80 in the master file;
    - exact duplicate rows: 21 in the sample, 255 in the master file. They are identical same-day
      purchases at day resolution, not copy errors: load them with ``duplicates="keep"``;
    - ``frequency`` in the published summaries counts distinct purchase *days* (lifetimes semantics),
      so several rows on one day count once.

    Source: Fader & Hardie, CDNOW data (brucehardie.com), used in Fader, Hardie & Lee (2005),
    "Counting your customers the easy way", *Marketing Science* 24(2). Files copied byte for byte from the
    ``lifetimes`` 0.11.3 wheel (MIT licence), directory ``lifetimes/datasets/``.

    Examples
    --------
    >>> df = load_cdnow("sample")
    >>> df.shape
    (6919, 5)
    >>> df.columns.tolist()
    ['customer_id', 'sample_id', 'date', 'number_of_cds', 'dollar_value']
    """
    if kind == "sample":
        names = ["customer_id", "sample_id", "date", "number_of_cds", "dollar_value"]
        path, skip = dataset_path("cdnow", "CDNOW_sample.txt"), 0
    elif kind == "master":
        names = ["customer_id", "date", "number_of_cds", "dollar_value"]
        path, skip = dataset_path("cdnow", "CDNOW_master.txt"), 1
    else:
        raise ValueError(f"kind must be 'sample' or 'master', got {kind!r}.")
    df = pd.read_csv(
        path,
        sep=r"\s+",
        header=None,
        skiprows=skip,
        names=names,
        dtype={"customer_id": str, "date": str, "sample_id": "int64", "number_of_cds": "int64",
               "dollar_value": "float64"},
    )
    df["date"] = pd.to_datetime(df["date"], format="%Y%m%d").astype("datetime64[ns]")
    return df


def load_cdnow_summary(with_monetary: bool = False) -> pd.DataFrame:
    """Load the published 39-week calibration summary of the CDNOW sample.

    This is the reference against which ``toolkit.customer_summary`` is checked: building transactions
    from ``load_cdnow("sample")`` with ``customer="sample_id"``, ``time_unit="W"`` and
    ``observation_end="1997-09-30"`` must reproduce ``frequency``, ``recency`` and ``T`` (to the two
    decimals of the file) and ``monetary_value``.

    Parameters
    ----------
    with_monetary : bool, default False
        Also return ``monetary_value`` (read from ``cdnow_customers_summary_with_transactions.csv``, whose
        ``x, t_x, T, zbar`` columns are renamed).

    Returns
    -------
    pandas.DataFrame
        Index ``customer_id`` (int64): the ``sample_id`` 1..2357 of :func:`load_cdnow` (the file's ``ID``).
        Columns:

        - ``frequency`` (int64): repeat purchase days in weeks 1-39 (distinct purchase days - 1).
        - ``recency`` (float64, weeks, 2 dp): first to last purchase day.
        - ``T`` (float64, weeks, 2 dp): first purchase day to 1997-09-30 (27.00 .. 38.86).
        - ``monetary_value`` (float64, US dollars, only with ``with_monetary=True``): total spend on repeat
          days divided by ``frequency``; 0 when ``frequency`` is 0.

        ``attrs``: ``{"time_unit": "W", "observation_end": Timestamp("1997-09-30")}``.
        Size: (2357, 3), or (2357, 4) with monetary value.

    Notes
    -----
    Source: Fader, Hardie & Lee (2005), *Marketing Science* 24(2) and (2005) "RFM and CLV: using iso-value
    curves for customer base analysis", *JMR* 42(4); data from brucehardie.com, files from the ``lifetimes``
    0.11.3 wheel (MIT licence).

    Examples
    --------
    >>> load_cdnow_summary().shape
    (2357, 3)
    """
    if with_monetary:
        df = pd.read_csv(dataset_path("cdnow", "cdnow_customers_summary_with_transactions.csv"))
        df = df.rename(columns={"x": "frequency", "t_x": "recency", "zbar": "monetary_value"})
        cols = ["frequency", "recency", "T", "monetary_value"]
    else:
        df = pd.read_csv(dataset_path("cdnow", "cdnow_customers_summary.csv"))
        cols = ["frequency", "recency", "T"]
    df = df.rename(columns={"ID": "customer_id"}).set_index("customer_id")[cols]
    df.index = df.index.astype("int64")
    df["frequency"] = df["frequency"].astype("int64")
    for col in cols[1:]:
        df[col] = df[col].astype("float64")
    df.attrs = {"time_unit": "W", "observation_end": _CDNOW_END_OF_CALIBRATION}
    return df


def load_donations() -> pd.DataFrame:
    """Load the discrete-time (BG/BB) donations example, aggregated by repeat-donation pattern.

    Returns
    -------
    pandas.DataFrame
        Columns (all int64):

        - ``frequency``: repeat donations in the 6 annual opportunities (x).
        - ``recency``: opportunity of the last repeat donation, 0 if none (t_x, in years).
        - ``periods``: number of opportunities (n = 6 for everyone).
        - ``weights``: number of donors with this (x, t_x, n) pattern; sums to 11,104.

        Size: (22, 4).

    Notes
    -----
    The 1995 cohort of a non-profit's donors, from Fader, Hardie & Shang (2010), "Customer-base analysis in
    a discrete-time noncontractual setting", *Marketing Science* 29(6). Published BG/BB estimates on it:
    alpha = 1.204, beta = 0.750, gamma = 0.657, delta = 2.783. File from the ``lifetimes`` 0.11.3 wheel
    (MIT licence).

    Examples
    --------
    >>> int(load_donations()["weights"].sum())
    11104
    """
    df = pd.read_csv(dataset_path("cdnow", "donations.csv"))
    return df[["frequency", "recency", "periods", "weights"]].astype("int64")


# --------------------------------------------------------------------------------------------------------
# the teaching company: vocabularies and default parameters
# --------------------------------------------------------------------------------------------------------

#: Acquisition channels (``customers.channel``); ``one_yuan_promo`` is the price-promotion channel.
CHANNELS = ("organic_search", "paid_social", "referral", "one_yuan_promo", "retail_store")
_DEFAULT_CHANNEL_MIX = {
    "organic_search": 0.28,
    "paid_social": 0.24,
    "referral": 0.12,
    "one_yuan_promo": 0.20,
    "retail_store": 0.16,
}
#: Mean acquisition cost by channel (yuan); the promo cost includes the subsidy of the 1-yuan trial order.
_CAC_MEAN = np.array([18.0, 75.0, 30.0, 55.0, 40.0])

#: Order platforms (``transactions.channel``).
PLATFORMS = ("app", "mini_program", "web", "store")
#: Product categories (``transactions.category``).
CATEGORIES = (
    "infant_formula",
    "diapers",
    "baby_food",
    "baby_care",
    "feeding",
    "baby_clothing",
    "toys",
    "maternity_wear",
    "strollers_gear",
)
#: Event types (``events.event``).
EVENTS = (
    "ad_impression",
    "visit",
    "sign_up",
    "trial",
    "purchase",
    "repurchase",
    "referral",
    "complaint",
    "support_contact",
    "winback_offer",
)
#: Lifecycle stages, in order (``truth_stages.stage``, ``truth.stage_at_end``).
STAGES = ("exploration", "formation", "stability", "deterioration", "lost")
#: Lifecycle patterns (``truth.pattern``).
PATTERNS = ("early_abortion", "mid_term_abortion", "early_exit", "long_term_retention")
#: Latent need classes (``truth.need_class``).
NEED_CLASSES = ("price_sensitive", "service_dependent", "demand_oriented")

_CITY_TIERS = ("tier1", "tier2", "tier3", "tier4")
_CITY_P = np.array([0.22, 0.33, 0.28, 0.17])
_AGE_BANDS = ("18-24", "25-29", "30-34", "35+")
_AGE_P = np.array([0.14, 0.38, 0.33, 0.15])

# event channel vocabulary: acquisition channels, platforms, then service / CRM channels
_EVENT_CHANNELS = CHANNELS + PLATFORMS + ("service_center", "sms")
_EC_PLATFORM0 = len(CHANNELS)
_EC_SERVICE = len(CHANNELS) + len(PLATFORMS)
_EC_SMS = _EC_SERVICE + 1

# need class probabilities by acquisition channel (rows: CHANNELS; columns: NEED_CLASSES)
_NEED_P = np.array(
    [
        [0.20, 0.20, 0.60],
        [0.25, 0.18, 0.57],
        [0.15, 0.20, 0.65],
        [0.65, 0.10, 0.25],
        [0.15, 0.32, 0.53],
    ]
)

# pattern log-odds: base (demand-oriented, organic) and additive shifts; columns: PATTERNS
_PATTERN_BASE = np.log(np.array([0.30, 0.22, 0.18, 0.30]))
_PATTERN_CHANNEL = np.log(
    np.array(
        [
            [1.0, 1.0, 1.0, 1.0],  # organic_search
            [1.2, 1.1, 1.0, 0.9],  # paid_social
            [0.6, 0.9, 1.0, 1.5],  # referral
            [3.0, 1.2, 0.9, 0.45],  # one_yuan_promo: bargain hunters
            [0.8, 1.0, 1.0, 1.25],  # retail_store
        ]
    )
)
_PATTERN_NEED = np.log(
    np.array(
        [
            [1.5, 1.1, 1.0, 0.8],  # price_sensitive
            [1.0, 1.2, 1.3, 0.9],  # service_dependent
            [1.0, 1.0, 1.0, 1.0],  # demand_oriented
        ]
    )
)
_PATTERN_BAD_EXPERIENCE = np.log(np.array([1.3, 1.6, 2.0, 0.3]))
_RATE_BY_PATTERN = np.array([1.0, 0.8, 1.0, 1.25])

# seasonality: month factors and campaign days (Double 11, 618, Double 12)
_MONTH_FACTOR = np.array([1.0, 0.75, 0.95, 0.95, 1.0, 1.15, 0.9, 0.9, 0.95, 1.0, 1.35, 1.2])

# category mix by child age bin: <0 (pregnant), 0-6, 6-12, 12-24, 24+ months; columns: CATEGORIES
_CAT_P = np.array(
    [
        [0.00, 0.00, 0.00, 0.15, 0.10, 0.15, 0.00, 0.45, 0.15],
        [0.30, 0.30, 0.00, 0.12, 0.08, 0.12, 0.03, 0.00, 0.05],
        [0.25, 0.25, 0.15, 0.08, 0.05, 0.12, 0.08, 0.00, 0.02],
        [0.20, 0.20, 0.15, 0.10, 0.02, 0.15, 0.17, 0.00, 0.01],
        [0.10, 0.05, 0.15, 0.10, 0.00, 0.25, 0.35, 0.00, 0.00],
    ]
)
_CAT_PRICE = np.array([1.6, 0.9, 0.45, 0.5, 0.6, 0.8, 0.9, 1.2, 4.0])
_CAT_QTY_EXTRA = np.array([1.0, 0.8, 0.6, 0.3, 0.2, 0.4, 0.2, 0.1, 0.0])
_HOUR_P = np.array(
    [1, 0.5, 0.3, 0.2, 0.2, 0.3, 0.8, 1.5, 2.5, 3.5, 4, 4, 4.2, 3.8, 3.6, 3.6, 3.8, 4, 4.5, 5.5, 6.5, 7, 5.5, 3]
)
_HOUR_P = _HOUR_P / _HOUR_P.sum()

_DAYS_PER_MONTH = 365.2425 / 12.0
_GAMMA_P = 4.0  # shape of the per-item price around a customer's mean (Gamma-Gamma "p")
_GAMMA_Q = 3.5  # shape of the heterogeneity of customer means (Gamma-Gamma "q")


# --------------------------------------------------------------------------------------------------------
# Company
# --------------------------------------------------------------------------------------------------------


@dataclass(eq=False, repr=False)
class Company:
    """A simulated company: observable tables plus the latent truth behind them.

    Use :func:`make_company` or :func:`load_company` to get one; the tables and their columns are
    documented there and in ``datasets/README.md``.

    Attributes
    ----------
    customers, transactions, events, nps : pandas.DataFrame
        What the company observes.
    truth, truth_stages : pandas.DataFrame
        The latent lifecycle pattern, stage dates and need class of each customer, and the stage by month.
    n_customers : int
        Number of customers.
    seed : int
        Seed the tables were generated with.
    start, end : pandas.Timestamp
        First and last day of the observation window (both included: data run to ``end`` 23:59:59).
    params : dict
        The generation settings.
    """

    customers: pd.DataFrame
    transactions: pd.DataFrame
    events: pd.DataFrame
    nps: pd.DataFrame
    truth: pd.DataFrame
    truth_stages: pd.DataFrame
    n_customers: int
    seed: int
    start: pd.Timestamp
    end: pd.Timestamp
    params: dict = field(default_factory=dict)

    TABLES = ("customers", "transactions", "events", "nps", "truth", "truth_stages")

    @property
    def tables(self) -> dict:
        """The six tables by name."""
        return {name: getattr(self, name) for name in self.TABLES}

    def summary(self) -> pd.DataFrame:
        """One row per table: number of rows and columns and what it holds.

        Returns
        -------
        pandas.DataFrame
            Index: table name; columns ``rows``, ``columns``, ``description``.
        """
        desc = {
            "customers": "one row per customer: acquisition date, channel, cost, segment attributes",
            "transactions": "one row per order line: timestamp, order_id, amount (yuan, net), category, ...",
            "events": "touchpoints: ad_impression, visit, sign_up, ..., purchase/repurchase (one per order)",
            "nps": "survey responses: date and score 0-10",
            "truth": "latent: pattern, need_class, stage dates, churned, pattern_determinable, pattern_evident",
            "truth_stages": "latent: lifecycle stage of each customer in each month",
        }
        rows = [
            (name, len(frame), frame.shape[1], desc[name]) for name, frame in self.tables.items()
        ]
        return pd.DataFrame(rows, columns=["table", "rows", "columns", "description"]).set_index("table")

    def pattern_mix(self) -> pd.DataFrame:
        """Share of each lifecycle pattern by acquisition channel (rows sum to 1), plus the count."""
        df = self.customers[["customer_id", "channel"]].merge(self.truth[["customer_id", "pattern"]])
        mix = pd.crosstab(df["channel"], df["pattern"], normalize="index").reindex(columns=list(PATTERNS))
        mix["n"] = df.groupby("channel").size()
        return mix

    def transaction_kwargs(self) -> dict:
        """Keyword arguments that map ``transactions`` onto ``toolkit.Transactions.from_frame``."""
        from .data import CANONICAL_COLUMNS

        return {**CANONICAL_COLUMNS, "observation_end": self.end}

    def to_transactions(self, **overrides):
        """Validated ``toolkit.Transactions`` of the company's order lines.

        Parameters
        ----------
        **overrides
            Passed to ``Transactions.from_frame`` over :meth:`transaction_kwargs` (e.g. ``time_unit="W"``).

        Returns
        -------
        toolkit.Transactions
        """
        from .data import Transactions

        return Transactions.from_frame(self.transactions, **{**self.transaction_kwargs(), **overrides})

    def stage_on(self, date) -> pd.Series:
        """Latent lifecycle stage of every customer acquired on or before ``date``.

        Parameters
        ----------
        date : str or pandas.Timestamp
            Any day (may lie outside the window: the latent timeline runs on).

        Returns
        -------
        pandas.Series
            Index ``customer_id``, values from :data:`STAGES`, name ``"stage"``.
        """
        day = pd.Timestamp(date).normalize()
        t0, b1, b2, b3, b4 = _stage_bounds(self.truth, self.customers["acquisition_date"], self.start)
        d = (day - self.start).days
        code = _stage_at(np.full(t0.size, d), b1, b2, b3, b4)
        active = t0 <= d
        return pd.Series(
            np.asarray(STAGES, dtype=object)[code[active]],
            index=pd.Index(self.truth["customer_id"].to_numpy()[active], name="customer_id"),
            name="stage",
        )

    def __repr__(self) -> str:
        churned = float(self.truth["churned"].mean()) if len(self.truth) else float("nan")
        mix = self.truth["pattern"].value_counts(normalize=True).reindex(list(PATTERNS)).fillna(0.0)
        lines = [
            f"Company(n_customers={self.n_customers}, seed={self.seed}, "
            f"window {self.start.date()} .. {self.end.date()})",
            "  " + ", ".join(f"{name}: {len(frame):,} rows" for name, frame in self.tables.items()),
            f"  revenue {self.transactions['amount'].sum():,.0f} yuan, churned by end {churned:.1%}",
            "  patterns: " + ", ".join(f"{p} {s:.0%}" for p, s in mix.items()),
        ]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = (
            f"<p><b>Company</b>: {self.n_customers:,} customers, seed {self.seed}, "
            f"{self.start.date()} .. {self.end.date()}</p>"
        )
        return head + self.summary().to_html()


# --------------------------------------------------------------------------------------------------------
# generator helpers
# --------------------------------------------------------------------------------------------------------


def _season_curve(dates: pd.DatetimeIndex, strength: float) -> tuple[np.ndarray, np.ndarray]:
    """Daily demand multiplier (mean about 1 over a calendar year) and a campaign-day flag."""
    month = dates.month.to_numpy()
    day = dates.day.to_numpy()
    raw = _MONTH_FACTOR[month - 1].copy()
    campaign = np.zeros(len(dates), dtype=bool)
    for m, d0, d1, pre, peak in ((11, 1, 11, 1.3, 3.0), (6, 1, 18, 1.2, 2.5), (12, 12, 12, 1.0, 1.8)):
        window = (month == m) & (day >= d0) & (day <= d1)
        raw[window & (day < d1)] *= pre
        raw[window & (day == d1)] *= peak
        campaign |= (month == m) & (day == d1)
        if pre > 1.0:
            campaign |= window
    # normalise on a reference year so the curve does not depend on the window
    ref = pd.date_range("2023-01-01", "2023-12-31", freq="D")
    ref_raw = _MONTH_FACTOR[ref.month.to_numpy() - 1].copy()
    rm, rd = ref.month.to_numpy(), ref.day.to_numpy()
    for m, d0, d1, pre, peak in ((11, 1, 11, 1.3, 3.0), (6, 1, 18, 1.2, 2.5), (12, 12, 12, 1.0, 1.8)):
        window = (rm == m) & (rd >= d0) & (rd <= d1)
        ref_raw[window & (rd < d1)] *= pre
        ref_raw[window & (rd == d1)] *= peak
    season = 1.0 + strength * (raw / ref_raw.mean() - 1.0)
    return np.maximum(season, 0.05), campaign


def _pick(rng: np.random.Generator, table: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Vectorised categorical draw: item i gets a category drawn from the row ``table[codes[i]]``."""
    cum = np.cumsum(table, axis=1)
    cum[:, -1] = 1.0
    u = rng.random(codes.size)
    out = np.empty(codes.size, dtype=np.int64)
    for row in range(table.shape[0]):
        sel = codes == row
        out[sel] = np.searchsorted(cum[row], u[sel], side="left")
    return out


def _segments(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For ``counts`` per owner: owner index of every item and the item's rank within its owner."""
    owner = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    rank = np.arange(owner.size) - np.repeat(starts, counts)
    return owner, rank


def _stage_bounds(truth: pd.DataFrame, acquisition: pd.Series, start: pd.Timestamp) -> tuple:
    """Stage boundaries as day indices since ``start``: t0, b1 (formation), b2, b3, b4 (lost)."""

    def days(s: pd.Series) -> np.ndarray:
        return ((s - start) // pd.Timedelta(days=1)).to_numpy(dtype="int64")

    lost = truth["lost_date"]
    det = truth["deterioration_date"].fillna(lost)
    stab = truth["reached_stability_date"].fillna(det)
    form = truth["formation_date"].fillna(stab)
    return days(acquisition), days(form), days(stab), days(det), days(lost)


def _stage_at(day: np.ndarray, b1, b2, b3, b4) -> np.ndarray:
    """Stage code (index into STAGES) on a day, from the boundaries (all arrays aligned)."""
    return (day >= b1).astype(np.int8) + (day >= b2) + (day >= b3) + (day >= b4)


def _monthly_stages(customer_id, t0, b1, b2, b3, b4, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Dominant stage of each customer in each calendar month from acquisition to ``end``."""
    periods = pd.period_range(start, end, freq="M")
    month_start = ((periods.start_time - start) // pd.Timedelta(days=1)).to_numpy(dtype="int64").copy()
    month_start[0] = 0
    n_days = (end - start).days + 1
    month_end = np.append(month_start[1:], n_days)  # exclusive
    m0 = np.searchsorted(month_start, t0, side="right") - 1
    counts = len(periods) - m0
    owner, rank = _segments(counts)
    m = m0[owner] + rank
    lo = np.maximum(month_start[m], t0[owner])
    hi = month_end[m]
    bounds = (t0, b1, b2, b3, b4, None)
    best = np.full(owner.size, -1, dtype=np.int64)
    stage = np.zeros(owner.size, dtype=np.int64)
    for k in range(5):
        right = hi if bounds[k + 1] is None else np.minimum(hi, bounds[k + 1][owner])
        overlap = right - np.maximum(lo, bounds[k][owner])
        better = overlap >= best  # ties go to the later stage
        stage[better] = k
        best[better] = overlap[better]
    return pd.DataFrame(
        {
            "customer_id": np.asarray(customer_id)[owner],
            "period": pd.Series(periods.take(m)),
            "stage": np.asarray(STAGES, dtype=object)[stage],
        }
    )


def _check_company_args(
    n_customers, seed, start, end, channel_mix, seasonality, loyal_duration_days, mean_purchase_rate, mean_item_price
):
    if isinstance(n_customers, bool) or not isinstance(n_customers, (int, np.integer)) or n_customers < 1:
        raise ValueError(f"n_customers must be a positive integer, got {n_customers!r}.")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"seed must be an integer, got {seed!r}.")
    start_ts, end_ts = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    if end_ts <= start_ts:
        raise ValueError(f"end ({end_ts.date()}) must be after start ({start_ts.date()}).")
    mix = dict(_DEFAULT_CHANNEL_MIX if channel_mix is None else channel_mix)
    unknown = set(mix) - set(CHANNELS)
    if unknown:
        raise ValueError(f"Unknown channel(s) {sorted(unknown)} in channel_mix; use {list(CHANNELS)}.")
    shares = np.array([float(mix.get(c, 0.0)) for c in CHANNELS])
    if (shares < 0).any() or not np.isfinite(shares).all() or shares.sum() <= 0:
        raise ValueError("channel_mix shares must be finite, non-negative and not all zero.")
    if not 0.0 <= float(seasonality) <= 2.0:
        raise ValueError(f"seasonality must be in [0, 2], got {seasonality!r}.")
    if loyal_duration_days < 30:
        raise ValueError(f"loyal_duration_days must be at least 30, got {loyal_duration_days!r}.")
    for name, value in (("mean_purchase_rate", mean_purchase_rate), ("mean_item_price", mean_item_price)):
        if not np.isfinite(value) or value <= 0:
            raise ValueError(f"{name} must be a positive number, got {value!r}.")
    return start_ts, end_ts, shares / shares.sum()


# --------------------------------------------------------------------------------------------------------
# make_company
# --------------------------------------------------------------------------------------------------------


def make_company(
    n_customers: int = 2000,
    seed: int = 0,
    start="2022-01-01",
    end="2024-12-31",
    *,
    channel_mix: dict | None = None,
    seasonality: float = 1.0,
    loyal_duration_days: int = 540,
    mean_purchase_rate: float = 1.2,
    mean_item_price: float = 90.0,
) -> Company:
    """Simulate a mother-and-baby retailer with known customer lifecycles (the course's teaching company).

    Every customer has a latent lifecycle pattern and stage timeline; purchases, service contacts,
    complaints, referrals and NPS answers are generated from it, so analyses can be checked against the
    truth. Deterministic given ``seed`` (``numpy.random.default_rng``); fully vectorised (100,000 customers
    take a few seconds).

    Parameters
    ----------
    n_customers : int, default 2000
        Number of customers (every customer makes at least one purchase: acquisition = first purchase).
    seed : int, default 0
        Seed of the random generator.
    start, end : str or pandas.Timestamp, default "2022-01-01", "2024-12-31"
        Observation window, both days included. Customers are acquired throughout it (more in campaign
        months, slowly growing), so late customers are right-censored.
    channel_mix : dict, optional
        Share of each acquisition channel (keys from :data:`CHANNELS`; normalised). Default: organic_search
        0.28, paid_social 0.24, referral 0.12, one_yuan_promo 0.20, retail_store 0.16.
    seasonality : float, default 1.0
        Strength of the seasonal curve (0 = flat, 1 = default: February dip, 618 in June, Double 11 peak
        in November, Double 12 in December).
    loyal_duration_days : int, default 540
        Expected loyal duration L: early-exit customers leave stability before L days, long-term-retention
        customers stay at least L days.
    mean_purchase_rate : float, default 1.2
        Mean purchase rate in the stability stage, orders per month (Gamma-distributed across customers,
        shape 3, before pattern and seasonal multipliers).
    mean_item_price : float, default 90.0
        Mean list price of one item before the category factor (yuan); Gamma-Gamma heterogeneity.

    Returns
    -------
    Company
        With the tables below; all ids are int64, all money is in yuan (CNY), all timestamps tz-naive.

        ``customers`` (one row per customer, ids 1..n in order of acquisition):
        ``customer_id`` int64; ``acquisition_date`` datetime64[ns] (day of the first purchase);
        ``channel`` str (acquisition channel, :data:`CHANNELS`); ``acquisition_cost`` float64 (yuan, for the
        promo channel including the trial subsidy); ``city_tier`` str (tier1..tier4); ``age_band`` str
        (mother's age: 18-24, 25-29, 30-34, 35+); ``child_age_months`` int64 (age of the child at
        acquisition in months; negative = months before the due date).

        ``transactions`` (one row per order line, sorted by timestamp): ``customer_id`` int64;
        ``timestamp`` datetime64[ns] (second resolution); ``order_id`` int64 (1.., increasing in time;
        an order has 1-3 lines); ``amount`` float64 (yuan paid for the line, after discount, > 0,
        2 dp); ``category`` str (:data:`CATEGORIES`, follows the child's age); ``quantity`` int64 (items);
        ``discount`` float64 (yuan of discount on the line, 0 if none; list price = amount + discount);
        ``channel`` str (order platform: app, mini_program, web, store).

        ``events`` (touchpoints, sorted by timestamp): ``customer_id`` int64; ``timestamp`` datetime64[ns];
        ``event`` str (:data:`EVENTS`); ``channel`` str (acquisition channel for ad_impression, visit
        before the first order, sign_up and trial; order platform for purchase, repurchase, referral and
        later visits; ``service_center`` for complaint and support_contact; ``sms`` for winback_offer);
        ``order_id`` Int64 (the order of a purchase/repurchase event, <NA> otherwise). There is exactly one
        ``purchase`` (first order) or ``repurchase`` event per order, at the order's timestamp. Winback
        offers go out 90 days after an order with no follow-up order (they have no causal effect here).
        Pre-acquisition events before ``start`` are not recorded.

        ``nps`` (survey answers, sorted by date): ``customer_id`` int64; ``date`` datetime64[ns] (day);
        ``score`` int64 (0-10). Asked after about 40% of first orders and 12% of later orders; the score
        depends on the stage at the answer date, the pattern, and falls after a bad experience.

        ``truth`` (one row per customer): ``customer_id`` int64; ``pattern`` str (:data:`PATTERNS`);
        ``need_class`` str (:data:`NEED_CLASSES`: price_sensitive = most orders discounted,
        service_dependent = many support contacts per order, demand_oriented); ``bad_experience`` bool
        (a service failure: a complaint shortly before the customer starts to deteriorate);
        ``purchase_rate`` float64 (orders per month in stability, before seasonality);
        ``mean_item_price`` float64 (yuan); ``formation_date``, ``reached_stability_date``,
        ``deterioration_date``, ``lost_date`` datetime64[ns] (latent stage starts; NaT when the pattern
        skips the stage; may lie after ``end``); ``churned`` bool (lost on or before ``end``);
        ``churn_date`` datetime64[ns] (= lost_date if churned, else NaT); ``stage_at_end`` str
        (:data:`STAGES`); ``pattern_determinable`` bool (the pattern can be known from data up to ``end``:
        the customer is lost, or a long-term-retention customer has been stable for L days);
        ``pattern_evident`` bool (determinable, and her orders reach the stage that names the pattern: an
        order on or after ``formation_date`` for mid-term abortion, on or after ``reached_stability_date``
        for early exit and long-term retention; a mid-term abortion whose only order is her first cannot be
        told from an early abortion by any method).

        ``truth_stages`` (one row per customer and calendar month from the acquisition month to the end
        month): ``customer_id`` int64; ``period`` period[M]; ``stage`` str (:data:`STAGES`, the stage
        that covers most of the customer's days in that month, ties to the later stage).

    Raises
    ------
    ValueError
        On a non-positive ``n_customers``, ``end`` not after ``start``, unknown channels or shares.

    See Also
    --------
    load_company : the bundled copy, ``make_company(2000, seed=2024)``.

    Notes
    -----
    Lifecycle patterns and stages follow the customer-lifecycle model of the course (exploration 考察期,
    formation 形成期, stability 稳定期, deterioration 退化期): early abortion = lost straight after the
    first purchase (1 purchase day, 30% a second within 3-40 days); mid-term abortion = lost during
    formation (after a short deterioration); early exit = reached stability but left before L days;
    long-term retention = stable for at least L days. Purchases are a non-homogeneous Poisson process
    (simulated by thinning) whose rate is ``purchase_rate`` x stage factor (exploration 0.5, formation
    rising 0.5 to 1, stability 1, deterioration falling to 0.15 of its start) x seasonality; the rates are
    Gamma-distributed across customers as in the NBD (Ehrenberg 1959). Item prices follow the Gamma-Gamma
    spend model of Fader, Hardie & Lee (2005, *JMR* 42(4)): price ~ Gamma(p=4, nu_i), nu_i ~ Gamma(q=3.5,
    gamma), times a category factor. The ``one_yuan_promo`` channel attracts bargain hunters: 3x the
    early-abortion odds, 65% price-sensitive, lower spend, and a first order paid 1.00 yuan.

    Examples
    --------
    >>> c = make_company(300, seed=1)
    >>> c.customers.shape
    (300, 7)
    >>> list(c.tables)
    ['customers', 'transactions', 'events', 'nps', 'truth', 'truth_stages']
    """
    start_ts, end_ts, mix = _check_company_args(
        n_customers, seed, start, end, channel_mix, seasonality, loyal_duration_days, mean_purchase_rate,
        mean_item_price,
    )
    n = int(n_customers)
    rng = np.random.default_rng(seed)
    n_days = (end_ts - start_ts).days + 1
    dates = pd.date_range(start_ts, periods=n_days, freq="D")
    season, campaign = _season_curve(dates, float(seasonality))
    season_max = float(season.max())
    L = int(loyal_duration_days)

    # ---- customers ---------------------------------------------------------------------------------
    channel = rng.choice(len(CHANNELS), size=n, p=mix)
    growth = 1.0 + 0.6 * np.arange(n_days) / n_days
    w_reg = season * growth
    w_promo = np.where(campaign, 3.0, 0.35) * season * growth
    day_reg = rng.choice(n_days, size=n, p=w_reg / w_reg.sum())
    day_promo = rng.choice(n_days, size=n, p=w_promo / w_promo.sum())
    t0 = np.where(channel == CHANNELS.index("one_yuan_promo"), day_promo, day_reg).astype(np.int64)
    sec0 = rng.choice(24, size=n, p=_HOUR_P) * 3600 + rng.integers(0, 3600, size=n)
    order = np.lexsort((sec0, t0))  # customer ids increase with acquisition time
    channel, t0, sec0 = channel[order], t0[order], sec0[order]

    need = _pick(rng, _NEED_P, channel)
    bad = rng.random(n) < np.where(need == 1, 0.25, 0.12)
    logits = _PATTERN_BASE + _PATTERN_CHANNEL[channel] + _PATTERN_NEED[need] + np.where(
        bad[:, None], _PATTERN_BAD_EXPERIENCE, 0.0
    )
    probs = np.exp(logits)
    probs /= probs.sum(axis=1, keepdims=True)
    cum = np.cumsum(probs, axis=1)
    pattern = (rng.random(n)[:, None] > cum[:, :-1]).sum(axis=1)
    city = rng.choice(len(_CITY_TIERS), size=n, p=_CITY_P)
    age = rng.choice(len(_AGE_BANDS), size=n, p=_AGE_P)
    child0 = rng.integers(-8, 31, size=n)
    cac = np.round(_CAC_MEAN[channel] * rng.lognormal(0.0, 0.35, size=n), 2)

    is_promo = channel == CHANNELS.index("one_yuan_promo")
    rate = rng.gamma(3.0, mean_purchase_rate / 3.0, size=n) * _RATE_BY_PATTERN[pattern]
    rate *= np.where(need == 0, 0.9, 1.0)
    gamma_scale = mean_item_price * (_GAMMA_Q - 1.0) / _GAMMA_P
    nu = rng.gamma(_GAMMA_Q, 1.0 / gamma_scale, size=n)
    item_price = _GAMMA_P / nu * np.where(is_promo, 0.6, 1.0) * np.where(need == 0, 0.85, 1.0)

    # ---- stage timeline (offsets in days from the first purchase) ----------------------------------
    E = np.round(14 + rng.gamma(2.0, 16.0, size=n)).astype(np.int64)
    F = np.round(45 + rng.gamma(2.5, 40.0, size=n)).astype(np.int64)
    u_abort = rng.uniform(0.15, 0.9, size=n)
    E_ab = np.round(10 + rng.gamma(2.0, 12.0, size=n)).astype(np.int64)
    second = rng.random(n) < 0.30
    second_gap = rng.integers(3, 41, size=n)
    S_ee = np.round(L * rng.uniform(0.1, 0.8, size=n)).astype(np.int64)
    S_lt = np.round(L * (1.0 + rng.exponential(1.0, size=n))).astype(np.int64)
    D_mt = np.round(20 + rng.gamma(2.0, 15.0, size=n)).astype(np.int64)
    D_ee = np.round(30 + rng.gamma(2.0, 30.0, size=n)).astype(np.int64)
    D_lt = np.round(45 + rng.gamma(2.0, 40.0, size=n)).astype(np.int64)
    complaint_ea = rng.integers(1, 8, size=n)
    complaint_lead = rng.integers(3, 21, size=n)

    ea, mt, ee, lt = (pattern == k for k in range(4))
    second &= ea
    ea_lost = np.maximum(E_ab, np.where(second, second_gap + 7, 0))
    ea_lost = np.maximum(ea_lost, np.where(bad, complaint_ea + 3, 0))
    o1 = np.where(ea, ea_lost, E)
    o2 = np.select([ea, mt], [ea_lost, E + np.maximum(1, np.round(F * u_abort).astype(np.int64))], E + F)
    o3 = np.select([ea, mt, ee], [ea_lost, o2, o2 + S_ee], o2 + S_lt)
    o4 = np.select([ea, mt, ee], [ea_lost, o3 + D_mt, o3 + D_ee], o3 + D_lt)
    b1, b2, b3, b4 = t0 + o1, t0 + o2, t0 + o3, t0 + o4
    g3 = np.where(mt, 0.5 + 0.5 * np.minimum((o2 - o1) / F, 1.0), 1.0)  # rate factor when decline starts

    # ---- orders --------------------------------------------------------------------------------------
    # candidates for repeat orders (not early abortion): homogeneous Poisson at the envelope rate, thinned
    win_lo = t0 + 1
    win_hi = np.minimum(b4, n_days)
    length = np.where(ea, 0, np.maximum(win_hi - win_lo, 0))
    n_cand = rng.poisson(rate / _DAYS_PER_MONTH * season_max * length)
    cust_c, _ = _segments(n_cand)
    day_c = win_lo[cust_c] + np.floor(rng.random(cust_c.size) * length[cust_c]).astype(np.int64)
    # thinning in two independent steps (season, then stage): same law, less memory
    keep = rng.random(day_c.size) < season[np.minimum(day_c, n_days - 1)] / season_max
    cust_c, day_c = cust_c[keep], day_c[keep]
    d = day_c
    c1, c2, c3, c4 = b1[cust_c], b2[cust_c], b3[cust_c], b4[cust_c]
    g = np.select(
        [d < c1, d < c2, d < c3, d < c4],
        [
            0.5,
            0.5 + 0.5 * np.minimum((d - c1) / F[cust_c], 1.0),
            1.0,
            g3[cust_c] * (1.0 - 0.85 * (d - c3) / np.maximum(c4 - c3, 1)),
        ],
        0.0,
    )
    keep = rng.random(d.size) < g
    cust_c, day_c = cust_c[keep], day_c[keep]
    del d, c1, c2, c3, c4, g, keep
    # second order of early-abortion customers
    sec_mask = second & (t0 + second_gap < n_days)
    cust_s = np.flatnonzero(sec_mask)
    day_s = t0[cust_s] + second_gap[cust_s]

    o_cust = np.concatenate([np.arange(n), cust_s, cust_c])
    o_day = np.concatenate([t0, day_s, day_c])
    o_first = np.zeros(o_cust.size, dtype=bool)
    o_first[:n] = True
    m = o_cust.size
    o_sec = np.where(o_first, sec0[o_cust], 0)
    rest = ~o_first
    o_sec[rest] = rng.choice(24, size=int(rest.sum()), p=_HOUR_P) * 3600 + rng.integers(
        0, 3600, size=int(rest.sum())
    )
    # a repeat order on the acquisition day is impossible (candidates start the next day)
    srt = np.lexsort((o_sec, o_day, o_cust))
    o_cust, o_day, o_sec, o_first = o_cust[srt], o_day[srt], o_sec[srt], o_first[srt]
    o_time = o_day * 86400 + o_sec
    # global order ids in time order
    by_time = np.lexsort((o_cust, o_time))
    order_id = np.empty(m, dtype=np.int64)
    order_id[by_time] = np.arange(1, m + 1)

    pref = rng.choice(len(PLATFORMS), size=n, p=[0.45, 0.38, 0.14, 0.03])
    store_pref = rng.random(n) < 0.7
    pref = np.where((channel == CHANNELS.index("retail_store")) & store_pref, 3, pref)
    o_platform = np.where(
        rng.random(m) < 0.8, pref[o_cust], rng.choice(len(PLATFORMS), size=m, p=[0.4, 0.35, 0.15, 0.1])
    )
    promo_trial = o_first & is_promo[o_cust]
    p_disc = np.array([0.75, 0.25, 0.15])[need[o_cust]] + np.where(campaign[np.minimum(o_day, n_days - 1)], 0.35, 0.0)
    o_disc = (rng.random(m) < np.minimum(p_disc, 0.95)) | promo_trial
    n_lines = np.where(promo_trial, 1, 1 + (rng.random(m) < 0.30).astype(np.int64) + (rng.random(m) < 0.08))

    # ---- order lines -------------------------------------------------------------------------------
    l_order, _ = _segments(n_lines)
    l_cust = o_cust[l_order]
    l_day = o_day[l_order]
    child_age = child0[l_cust] + (l_day - t0[l_cust]) / _DAYS_PER_MONTH
    age_bin = np.searchsorted(np.array([0.0, 6.0, 12.0, 24.0]), child_age, side="right")
    cat = _pick(rng, _CAT_P, age_bin)
    qty = 1 + rng.poisson(_CAT_QTY_EXTRA[cat])
    unit = rng.gamma(_GAMMA_P, item_price[l_cust] * _CAT_PRICE[cat] / _GAMMA_P)
    gross = np.round(np.maximum(unit * qty, 5.0), 2)
    deep = np.where(need[l_cust] == 0, 0.05, 0.0)
    disc = np.where(o_disc[l_order], gross * (rng.uniform(0.05, 0.30, size=l_order.size) + deep), 0.0)
    disc = np.round(np.minimum(disc, gross - 1.0), 2)
    trial_line = promo_trial[l_order]
    disc = np.where(trial_line, np.round(gross - 1.0, 2), disc)
    # lines of one order with the same category become one line
    key, first_line, inverse = np.unique(l_order * len(CATEGORIES) + cat, return_index=True, return_inverse=True)
    l_order, cat = l_order[first_line], cat[first_line]
    qty = np.bincount(inverse, weights=qty, minlength=key.size).astype(np.int64)
    gross = np.round(np.bincount(inverse, weights=gross, minlength=key.size), 2)
    disc = np.round(np.bincount(inverse, weights=disc, minlength=key.size), 2)
    amount = np.round(gross - disc, 2)
    l_cust = o_cust[l_order]
    l_order_id = order_id[l_order]
    l_time = o_time[l_order]

    tsrt = np.lexsort((np.arange(l_order.size), l_order_id))
    transactions = pd.DataFrame(
        {
            "customer_id": (l_cust + 1).astype(np.int64)[tsrt],
            "timestamp": start_ts + pd.to_timedelta(l_time[tsrt], unit="s"),
            "order_id": l_order_id[tsrt],
            "amount": amount[tsrt],
            "category": np.asarray(CATEGORIES, dtype=object)[cat[tsrt]],
            "quantity": qty[tsrt].astype(np.int64),
            "discount": disc[tsrt] + 0.0,
            "channel": np.asarray(PLATFORMS, dtype=object)[o_platform[l_order][tsrt]],
        }
    )

    # ---- events --------------------------------------------------------------------------------------
    ev_parts = []  # (cust, time_seconds, event_code, channel_code, order_id or -1)

    def add(cust, time, event, chan, oid=None):
        cust = np.asarray(cust, dtype=np.int64)
        code = np.full(cust.size, EVENTS.index(event)) if isinstance(event, str) else event
        ev_parts.append(
            (
                cust,
                np.asarray(time, dtype=np.int64),
                np.asarray(code, dtype=np.int8),
                np.broadcast_to(np.asarray(chan, dtype=np.int8), cust.shape),
                np.full(cust.size, -1, dtype=np.int64) if oid is None else oid,
            )
        )

    # journey before the first order: ad impressions -> visits -> sign_up -> [trial] -> purchase
    first_time = t0 * 86400 + sec0
    trial_time = np.where(
        is_promo,
        first_time - rng.integers(60, 600, size=n),  # claims the 1-yuan offer minutes before ordering
        first_time - rng.integers(86400, 10 * 86400, size=n),  # free sample days before the first order
    )
    has_trial = is_promo | (rng.random(n) < 0.10)
    signup_gap = np.where(
        rng.random(n) < 0.8, rng.integers(300, 7200, size=n), rng.integers(86400, 5 * 86400, size=n)
    )
    signup = first_time - signup_gap
    signup = np.where(has_trial, np.minimum(signup, trial_time - rng.integers(60, 3600, size=n)), signup)
    add(np.arange(n), signup, "sign_up", channel)
    trial_c = np.flatnonzero(has_trial)
    add(trial_c, trial_time[trial_c], "trial", channel[trial_c])
    n_vis = 1 + rng.poisson(1.0, size=n)
    vc, _ = _segments(n_vis)
    add(vc, signup[vc] - rng.integers(600, 14 * 86400, size=vc.size), "visit", channel[vc])
    ad_mean = np.array([0.0, 3.0, 0.0, 2.0, 0.0])[channel]
    n_ads = np.where(ad_mean > 0, 1 + rng.poisson(ad_mean), 0)
    ac, _ = _segments(n_ads)
    add(ac, signup[ac] - rng.integers(600, 21 * 86400, size=ac.size), "ad_impression", channel[ac])
    # one event per order
    buy_code = np.where(o_first, EVENTS.index("purchase"), EVENTS.index("repurchase"))
    add(o_cust, o_time, buy_code, _EC_PLATFORM0 + o_platform, order_id)
    rv = np.flatnonzero(~o_first & (rng.random(m) < 0.6))
    add(o_cust[rv], o_time[rv] - rng.integers(60, 1800, size=rv.size), "visit", _EC_PLATFORM0 + o_platform[rv])
    # support contacts
    n_sup = rng.poisson(np.where(need[o_cust] == 1, 1.6, 0.12))
    so, _ = _segments(n_sup)
    add(o_cust[so], o_time[so] + rng.integers(3600, 10 * 86400, size=so.size), "support_contact", _EC_SERVICE)
    # complaints: the bad experience just before the decline, plus background complaints after orders
    bad_c = np.flatnonzero(bad)
    c_day = np.where(
        ea[bad_c], t0[bad_c] + complaint_ea[bad_c], np.maximum(b3[bad_c] - complaint_lead[bad_c], t0[bad_c] + 1)
    )
    c_time = c_day * 86400 + rng.integers(9 * 3600, 21 * 3600, size=bad_c.size)
    add(bad_c, c_time, "complaint", _EC_SERVICE)
    bg = np.flatnonzero(rng.random(m) < 0.004)
    add(o_cust[bg], o_time[bg] + rng.integers(86400, 10 * 86400, size=bg.size), "complaint", _EC_SERVICE)
    # referrals by loyal customers during stability
    ref_lo = b2
    ref_hi = np.minimum(b3, n_days)
    ref_len = np.where(ee | lt, np.maximum(ref_hi - ref_lo, 0), 0)
    ref_rate = np.where(lt, 0.08, 0.05) * np.where(bad, 0.3, 1.0) / _DAYS_PER_MONTH
    n_ref = rng.poisson(ref_rate * ref_len)
    rc, _ = _segments(n_ref)
    r_day = ref_lo[rc] + np.floor(rng.random(rc.size) * ref_len[rc]).astype(np.int64)
    add(rc, r_day * 86400 + rng.choice(24, size=rc.size, p=_HOUR_P) * 3600, "referral", _EC_PLATFORM0 + pref[rc])
    # winback offers 90 days after an order that had no follow-up
    nxt_day = np.append(o_day[1:], 0)
    last_of_cust = np.append(o_cust[1:] != o_cust[:-1], True)
    nxt_day = np.where(last_of_cust, 1 << 40, nxt_day)
    wb = np.flatnonzero(nxt_day - o_day > 90)
    add(o_cust[wb], (o_day[wb] + 90) * 86400 + 10 * 3600, "winback_offer", _EC_SMS)

    e_cust = np.concatenate([p[0] for p in ev_parts])
    e_time = np.concatenate([p[1] for p in ev_parts])
    e_code = np.concatenate([p[2] for p in ev_parts])
    e_chan = np.concatenate([np.asarray(p[3]) for p in ev_parts])
    e_oid = np.concatenate([p[4] for p in ev_parts])
    inside = (e_time >= 0) & (e_time < n_days * 86400)
    e_cust, e_time, e_code, e_chan, e_oid = (a[inside] for a in (e_cust, e_time, e_code, e_chan, e_oid))
    esrt = np.lexsort((e_code, e_cust, e_time))
    events = pd.DataFrame(
        {
            "customer_id": (e_cust[esrt] + 1).astype(np.int64),
            "timestamp": start_ts + pd.to_timedelta(e_time[esrt], unit="s"),
            "event": np.asarray(EVENTS, dtype=object)[e_code[esrt]],
            "channel": np.asarray(_EVENT_CHANNELS, dtype=object)[e_chan[esrt]],
            "order_id": pd.array(np.where(e_oid[esrt] >= 0, e_oid[esrt], 0), dtype="Int64"),
        }
    )
    events.loc[e_oid[esrt] < 0, "order_id"] = pd.NA

    # ---- NPS -------------------------------------------------------------------------------------------
    asked = rng.random(m) < np.where(o_first, 0.40, 0.12)
    nq = np.flatnonzero(asked)
    n_day = o_day[nq] + rng.integers(1, 8, size=nq.size)
    nc = o_cust[nq]
    ok = n_day < n_days
    nq, n_day, nc = nq[ok], n_day[ok], nc[ok]
    st = _stage_at(n_day, b1[nc], b2[nc], b3[nc], b4[nc])
    mu = np.array([7.6, 8.2, 8.9, 6.0, 5.0])[st] + np.array([-1.2, -0.5, 0.0, 0.4])[pattern[nc]]
    complaint_day_all = np.full(n, 1 << 40, dtype=np.int64)
    complaint_day_all[bad_c] = c_day
    mu = mu - np.where(n_day >= complaint_day_all[nc], 3.0, 0.0)
    score = np.clip(np.round(rng.normal(mu, 1.3)), 0, 10).astype(np.int64)
    nsrt = np.lexsort((nc, n_day))
    nps = pd.DataFrame(
        {
            "customer_id": (nc[nsrt] + 1).astype(np.int64),
            "date": start_ts + pd.to_timedelta(n_day[nsrt], unit="D"),
            "score": score[nsrt],
        }
    )

    # ---- tables: customers, truth, truth_stages ----------------------------------------------------------
    ids = np.arange(1, n + 1, dtype=np.int64)
    customers = pd.DataFrame(
        {
            "customer_id": ids,
            "acquisition_date": start_ts + pd.to_timedelta(t0, unit="D"),
            "channel": np.asarray(CHANNELS, dtype=object)[channel],
            "acquisition_cost": cac,
            "city_tier": np.asarray(_CITY_TIERS, dtype=object)[city],
            "age_band": np.asarray(_AGE_BANDS, dtype=object)[age],
            "child_age_months": child0.astype(np.int64),
        }
    )

    def as_date(offset_days, valid):
        out = start_ts + pd.to_timedelta(offset_days, unit="D")
        return pd.Series(out).where(valid)

    end_day = n_days - 1
    stage_end = _stage_at(np.full(n, end_day), b1, b2, b3, b4)
    churned = b4 <= end_day
    determinable = np.where(lt, b2 + L <= end_day, churned)
    # evident: determinable, and the orders show the stage that names the pattern (a mid-term abortion who
    # never ordered after her latent formation start looks exactly like an early abortion in any data set)
    last_order_day = np.full(n, -1, dtype=np.int64)
    np.maximum.at(last_order_day, o_cust, o_day)
    evident = determinable & np.select([mt, ee | lt], [last_order_day >= b1, last_order_day >= b2], True)
    truth = pd.DataFrame(
        {
            "customer_id": ids,
            "pattern": np.asarray(PATTERNS, dtype=object)[pattern],
            "need_class": np.asarray(NEED_CLASSES, dtype=object)[need],
            "bad_experience": bad,
            "purchase_rate": np.round(rate, 6),
            "mean_item_price": np.round(item_price, 4),
            "formation_date": as_date(b1, ~ea),
            "reached_stability_date": as_date(b2, ee | lt),
            "deterioration_date": as_date(b3, ~ea),
            "lost_date": as_date(b4, np.ones(n, dtype=bool)),
            "churned": churned,
            "churn_date": as_date(b4, churned),
            "stage_at_end": np.asarray(STAGES, dtype=object)[stage_end],
            "pattern_determinable": determinable,
            "pattern_evident": evident,
        }
    )
    params = {
        "channel_mix": {c: float(s) for c, s in zip(CHANNELS, mix)},
        "seasonality": float(seasonality),
        "loyal_duration_days": L,
        "mean_purchase_rate": float(mean_purchase_rate),
        "mean_item_price": float(mean_item_price),
    }
    return _assemble(customers, transactions, events, nps, truth, n, int(seed), start_ts, end_ts, params)


def _assemble(customers, transactions, events, nps, truth, n, seed, start_ts, end_ts, params) -> Company:
    """Build the Company, deriving ``truth_stages`` from ``truth`` (same code path for make and load)."""
    # one datetime resolution everywhere (pandas 3 infers microseconds from some constructors)
    for frame in (customers, transactions, events, nps, truth):
        for col in frame.columns:
            if pd.api.types.is_datetime64_dtype(frame[col].dtype) and frame[col].dtype != "datetime64[ns]":
                frame[col] = frame[col].astype("datetime64[ns]")
    t0, b1, b2, b3, b4 = _stage_bounds(truth, customers["acquisition_date"], start_ts)
    truth_stages = _monthly_stages(truth["customer_id"].to_numpy(), t0, b1, b2, b3, b4, start_ts, end_ts)
    return Company(
        customers=customers,
        transactions=transactions,
        events=events,
        nps=nps,
        truth=truth,
        truth_stages=truth_stages,
        n_customers=n,
        seed=seed,
        start=start_ts,
        end=end_ts,
        params=params,
    )


# --------------------------------------------------------------------------------------------------------
# bundled copy of the company
# --------------------------------------------------------------------------------------------------------

COMPANY_N_CUSTOMERS = 2000
COMPANY_SEED = 2024
_COMPANY_FILES = ("customers", "transactions", "events", "nps", "truth")
_DATE_COLUMNS = {
    "customers": ["acquisition_date"],
    "transactions": ["timestamp"],
    "events": ["timestamp"],
    "nps": ["date"],
    "truth": ["formation_date", "reached_stability_date", "deterioration_date", "lost_date", "churn_date"],
}
_DTYPES = {
    "customers": {"customer_id": "int64", "acquisition_cost": "float64", "child_age_months": "int64"},
    "transactions": {"customer_id": "int64", "order_id": "int64", "amount": "float64", "quantity": "int64",
                     "discount": "float64"},
    "events": {"customer_id": "int64", "order_id": "Int64"},
    "nps": {"customer_id": "int64", "score": "int64"},
    "truth": {"customer_id": "int64", "bad_experience": "bool", "purchase_rate": "float64",
              "mean_item_price": "float64", "churned": "bool", "pattern_determinable": "bool",
              "pattern_evident": "bool"},
}


def _company_file(folder: Path, name: str) -> Path:
    return folder / f"{name}.csv"


def write_company(company: Company, folder) -> list[Path]:
    """Write a company's tables as CSV files plus ``company.json`` (meta data) into ``folder``.

    ``truth_stages`` is not written: it is derived from ``truth`` on loading. Day columns are written as
    ``YYYY-MM-DD``, timestamps as ``YYYY-MM-DD HH:MM:SS``.

    Parameters
    ----------
    company : Company
    folder : str or pathlib.Path
        Created if needed.

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in _COMPANY_FILES:
        path = _company_file(folder, name)
        frame = getattr(company, name).copy()
        for col in _DATE_COLUMNS[name]:
            fmt = "%Y-%m-%d %H:%M:%S" if col == "timestamp" else "%Y-%m-%d"
            frame[col] = frame[col].dt.strftime(fmt)
        frame.to_csv(path, index=False, lineterminator="\n")
        written.append(path)
    meta = {
        "n_customers": company.n_customers,
        "seed": company.seed,
        "start": str(company.start.date()),
        "end": str(company.end.date()),
        "params": company.params,
        "generated_by": f"toolkit.datasets.make_company({company.n_customers}, seed={company.seed})",
    }
    meta_path = folder / "company.json"
    meta_path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    written.append(meta_path)
    return written


def load_company() -> Company:
    """Load the bundled teaching company (2,000 customers, seed 2024, 2022-01-01 .. 2024-12-31).

    The files in ``datasets/company/`` are ``make_company(2000, seed=2024)`` written to CSV (a test keeps
    them in sync); regenerate them with ``python -m toolkit.datasets``.

    Returns
    -------
    Company
        Same tables, columns and dtypes as :func:`make_company` (see there for every column and unit).
        ``truth_stages`` is rebuilt from ``truth``.

    Raises
    ------
    DatasetNotFoundError
        If the bundled files are missing.

    Notes
    -----
    Synthetic data, generated by this package (MIT licence). Money in yuan (CNY).

    Examples
    --------
    >>> c = load_company()
    >>> c.customers.shape
    (2000, 7)
    """
    folder = dataset_path("company")
    meta = json.loads((folder / "company.json").read_text(encoding="utf-8"))
    frames = {}
    for name in _COMPANY_FILES:
        path = _company_file(folder, name)
        if not path.exists():
            raise DatasetNotFoundError(f"Bundled company file {path.name} is missing from {folder}.")
        df = pd.read_csv(path, dtype=_DTYPES[name], keep_default_na=True)
        for col in _DATE_COLUMNS[name]:
            df[col] = pd.to_datetime(df[col], format="ISO8601").astype("datetime64[ns]")
        frames[name] = df
    return _assemble(
        frames["customers"],
        frames["transactions"],
        frames["events"],
        frames["nps"],
        frames["truth"],
        int(meta["n_customers"]),
        int(meta["seed"]),
        pd.Timestamp(meta["start"]),
        pd.Timestamp(meta["end"]),
        meta["params"],
    )


def _main(argv: list[str]) -> int:
    """Regenerate the bundled company copy: ``python -m toolkit.datasets [output_folder]``."""
    repo = Path(__file__).resolve().parents[1]
    if not argv and not (repo / "pyproject.toml").exists():
        sys.stderr.write("Not a source checkout: pass the output folder, python -m toolkit.datasets FOLDER\n")
        return 2
    folder = Path(argv[0]) if argv else repo / "datasets" / "company"
    company = make_company(COMPANY_N_CUSTOMERS, seed=COMPANY_SEED)
    paths = write_company(company, folder)
    total = sum(p.stat().st_size for p in paths)
    sys.stdout.write(f"wrote {len(paths)} files, {total / 1e6:.2f} MB, to {folder}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
