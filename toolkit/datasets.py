"""Bundled data sets and a synthetic teaching company with ground truth.

Loaders (``load_*``) read the files shipped in ``datasets/`` (installed wheels carry them as
``toolkit/_datasets``). :func:`make_company` simulates a mother-and-baby retailer whose customers follow
the customer-lifecycle patterns of the course (exploration, formation, stability, deterioration, lost), and
returns the observable tables together with the latent truth, so every analysis can be checked against the
answer it should find. :func:`load_company` reads the small pre-generated copy in ``datasets/company/``.
:func:`make_order_lines` simulates a raw order-line export of an online retailer (cancellations, guest rows
without ids, duplicates, fee lines, text dates) with the exact cleaned totals; :func:`load_order_lines` reads
the sample in ``datasets/retail/``.

This module uses pandas and NumPy only. ``python -m toolkit.datasets`` regenerates the bundled company copy,
``python -m toolkit.datasets --order-lines`` the order-line sample.
See ``datasets/README.md`` for the full datasheet.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import json
import sys
from dataclasses import dataclass, field, fields
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd

from .data import Transactions
from .errors import ParameterError, ToolkitError
from .i18n import get_language, register, tr
from .vocabulary import CANONICAL_COLUMNS, EVENTS

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
    "OrderLinesTruth",
    "make_order_lines",
    "load_order_lines",
    "write_order_lines",
    "ORDER_LINE_COLUMNS",
    "NON_PRODUCT_CODES",
    "ORDER_LINES_SAMPLE_ARGS",
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
    ParameterError
        (a ``ValueError``) If ``kind`` is not one of the two names.
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
        raise ParameterError(f"kind must be 'sample' or 'master', got {kind!r}.", parameter="kind", value=kind)
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
        return Transactions.from_frame(self.transactions, **{**self.transaction_kwargs(), **overrides})

    def to_events(self, transactions=None):
        """Validated ``toolkit.Events`` of the company's touchpoints (purchases merged from ``transactions``).

        Parameters
        ----------
        transactions : toolkit.Transactions, optional
            Default :meth:`to_transactions`.
        """
        from .data import Events

        tx = self.to_transactions() if transactions is None else transactions
        return Events.from_frame(self.events, customer="customer_id", time="timestamp", event="event",
                                 channel="channel", order="order_id", transactions=tx, observation_end=self.end)

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
        if get_language() != "en":
            return self._repr_translated(churned, mix)
        lines = [
            f"Company(n_customers={self.n_customers}, seed={self.seed}, "
            f"window {self.start.date()} .. {self.end.date()})",
            "  " + ", ".join(f"{name}: {len(frame):,} rows" for name, frame in self.tables.items()),
            f"  revenue {self.transactions['amount'].sum():,.0f} yuan, churned by end {churned:.1%}",
            "  patterns: " + ", ".join(f"{p} {s:.0%}" for p, s in mix.items()),
        ]
        return "\n".join(lines)

    def _repr_translated(self, churned, mix) -> str:
        """The text repr in the current language (not English): the same facts, tables and patterns by label."""
        from .formatting import value_label

        sep = tr("dataset.company.sep")
        lines = [
            tr("dataset.company.head").format(n=self.n_customers, seed=self.seed, start=self.start.date(),
                                              end=self.end.date()),
            "  " + sep.join(tr("dataset.company.rows").format(table=tr(f"dataset.table.{name}", name),
                                                              rows=f"{len(frame):,}")
                            for name, frame in self.tables.items()),
            tr("dataset.company.revenue").format(revenue=f"{self.transactions['amount'].sum():,.0f}",
                                                 churned=f"{churned:.1%}"),
            tr("dataset.company.patterns").format(mix=sep.join(f"{value_label(p)} {s:.0%}" for p, s in mix.items())),
        ]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        if get_language() == "en":
            head = (
                f"<p><b>Company</b>: {self.n_customers:,} customers, seed {self.seed}, "
                f"{self.start.date()} .. {self.end.date()}</p>"
            )
            return head + self.summary().to_html()
        from .data import _shown, _texts

        _texts()
        head = "<p>" + tr("dataset.company.html").format(n=f"{self.n_customers:,}", seed=self.seed,
                                                         start=self.start.date(), end=self.end.date()) + "</p>"
        table = self.summary()
        table.index = pd.Index([tr(f"dataset.table.{name}", name) for name in table.index], name=table.index.name)
        return head + _shown(table).to_html()


register({
    "dataset.company.head": {"en": "Company(n_customers={n}, seed={seed}, window {start} .. {end})",
                             "zh": "模拟公司：{n} 位客户，随机种子 {seed}，观察期 {start} 至 {end}"},
    "dataset.company.rows": {"en": "{table}: {rows} rows", "zh": "{table} {rows} 行"},
    "dataset.company.sep": {"en": ", ", "zh": "，"},
    "dataset.company.revenue": {"en": "  revenue {revenue} yuan, churned by end {churned}",
                                "zh": "  收入 {revenue} 元，期末已流失 {churned}"},
    "dataset.company.patterns": {"en": "  patterns: {mix}", "zh": "  生命周期模式：{mix}"},
    "dataset.company.html": {"en": "<b>Company</b>: {n} customers, seed {seed}, {start} .. {end}",
                             "zh": "<b>模拟公司</b>：{n} 位客户，随机种子 {seed}，{start} 至 {end}"},
    # the six tables (Company.TABLES) as a reader names them
    "dataset.table.customers": {"en": "customers", "zh": "客户表"},
    "dataset.table.transactions": {"en": "transactions", "zh": "交易表"},
    "dataset.table.events": {"en": "events", "zh": "事件表"},
    "dataset.table.nps": {"en": "nps", "zh": "NPS 调查表"},
    "dataset.table.truth": {"en": "truth", "zh": "真实标签表"},
    "dataset.table.truth_stages": {"en": "truth_stages", "zh": "每月真实阶段表"},
})


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
        raise ParameterError(f"n_customers must be a positive integer, got {n_customers!r}.",
                             parameter="n_customers", value=n_customers)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ParameterError(f"seed must be an integer, got {seed!r}.", parameter="seed", value=seed)
    start_ts, end_ts = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    if end_ts <= start_ts:
        raise ParameterError(f"end ({end_ts.date()}) must be after start ({start_ts.date()}).",
                             parameter="end", value=end)
    mix = dict(_DEFAULT_CHANNEL_MIX if channel_mix is None else channel_mix)
    unknown = set(mix) - set(CHANNELS)
    if unknown:
        raise ParameterError(f"Unknown channel(s) {sorted(unknown)} in channel_mix; use {list(CHANNELS)}.",
                             parameter="channel_mix", value=channel_mix)
    shares = np.array([float(mix.get(c, 0.0)) for c in CHANNELS])
    if (shares < 0).any() or not np.isfinite(shares).all() or shares.sum() <= 0:
        raise ParameterError("channel_mix shares must be finite, non-negative and not all zero.",
                             parameter="channel_mix", value=channel_mix)
    if not 0.0 <= float(seasonality) <= 2.0:
        raise ParameterError(f"seasonality must be in [0, 2], got {seasonality!r}.",
                             parameter="seasonality", value=seasonality)
    if loyal_duration_days < 30:
        raise ParameterError(f"loyal_duration_days must be at least 30, got {loyal_duration_days!r}.",
                             parameter="loyal_duration_days", value=loyal_duration_days)
    for name, value in (("mean_purchase_rate", mean_purchase_rate), ("mean_item_price", mean_item_price)):
        if not np.isfinite(value) or value <= 0:
            raise ParameterError(f"{name} must be a positive number, got {value!r}.", parameter=name, value=value)
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
    ParameterError
        (a ``ValueError``) On a non-positive ``n_customers``, ``end`` not after ``start``, unknown channels or
        shares.

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
    # The stages draw from one generator in this order; the order is part of the output (the bundled copy).
    rng = np.random.default_rng(seed)
    cal = _calendar(start_ts, end_ts, float(seasonality))
    cust = _draw_customers(rng, int(n_customers), mix, cal, mean_purchase_rate, mean_item_price)
    life = _draw_lifecycles(rng, cust, int(loyal_duration_days))
    orders = _draw_orders(rng, cust, life, cal)
    transactions = _order_lines(rng, cust, orders, start_ts)
    events, complaint_day = _touchpoints(rng, cust, life, orders, cal, start_ts)
    nps = _nps_answers(rng, cust, life, orders, complaint_day, cal, start_ts)
    customers = _customer_table(cust, start_ts)
    truth = _truth_table(cust, life, orders, cal, start_ts)
    params = {
        "channel_mix": {c: float(s) for c, s in zip(CHANNELS, mix)},
        "seasonality": float(seasonality),
        "loyal_duration_days": life.L,
        "mean_purchase_rate": float(mean_purchase_rate),
        "mean_item_price": float(mean_item_price),
    }
    return _assemble(customers, transactions, events, nps, truth, cust.n, int(seed), start_ts, end_ts, params)


# ---- the stages of make_company: each draws from the shared generator, in the order make_company calls them ----


def _calendar(start_ts, end_ts, seasonality):
    """The observation window's days and their seasonal weight (no random draws)."""
    n_days = (end_ts - start_ts).days + 1
    dates = pd.date_range(start_ts, periods=n_days, freq="D")
    season, campaign = _season_curve(dates, seasonality)
    return SimpleNamespace(n_days=n_days, season=season, campaign=campaign, season_max=float(season.max()))


def _draw_customers(rng, n, mix, cal, mean_purchase_rate, mean_item_price):
    """Who the customers are: channel, first purchase (ids in its order), needs, pattern, rate and spend."""
    n_days, season = cal.n_days, cal.season
    channel = rng.choice(len(CHANNELS), size=n, p=mix)
    growth = 1.0 + 0.6 * np.arange(n_days) / n_days
    w_reg = season * growth
    w_promo = np.where(cal.campaign, 3.0, 0.35) * season * growth
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
    return SimpleNamespace(n=n, channel=channel, t0=t0, sec0=sec0, need=need, bad=bad, pattern=pattern, city=city,
                           age=age, child0=child0, cac=cac, is_promo=is_promo, rate=rate, item_price=item_price)


def _draw_lifecycles(rng, cust, L):
    """Each customer's latent stage timeline: days of the four stage changes ``b1..b4`` (lost at ``b4``)."""
    n, pattern, bad, t0 = cust.n, cust.pattern, cust.bad, cust.t0
    # offsets in days from the first purchase
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
    return SimpleNamespace(L=L, F=F, second=second, second_gap=second_gap, complaint_ea=complaint_ea,
                           complaint_lead=complaint_lead, ea=ea, mt=mt, ee=ee, lt=lt, b1=b1, b2=b2, b3=b3, b4=b4,
                           g3=g3)


def _draw_orders(rng, cust, life, cal):
    """Orders: repeat orders by thinning a Poisson process at the stage x season rate; ids, platforms, discounts."""
    n, n_days, season, season_max = cust.n, cal.n_days, cal.season, cal.season_max
    t0, channel, need, is_promo = cust.t0, cust.channel, cust.need, cust.is_promo
    b1, b2, b3, b4, F = life.b1, life.b2, life.b3, life.b4, life.F
    # candidates for repeat orders (not early abortion): homogeneous Poisson at the envelope rate, thinned
    win_lo = t0 + 1
    win_hi = np.minimum(b4, n_days)
    length = np.where(life.ea, 0, np.maximum(win_hi - win_lo, 0))
    n_cand = rng.poisson(cust.rate / _DAYS_PER_MONTH * season_max * length)
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
            life.g3[cust_c] * (1.0 - 0.85 * (d - c3) / np.maximum(c4 - c3, 1)),
        ],
        0.0,
    )
    keep = rng.random(d.size) < g
    cust_c, day_c = cust_c[keep], day_c[keep]
    del d, c1, c2, c3, c4, g, keep
    # second order of early-abortion customers
    sec_mask = life.second & (t0 + life.second_gap < n_days)
    cust_s = np.flatnonzero(sec_mask)
    day_s = t0[cust_s] + life.second_gap[cust_s]

    o_cust = np.concatenate([np.arange(n), cust_s, cust_c])
    o_day = np.concatenate([t0, day_s, day_c])
    o_first = np.zeros(o_cust.size, dtype=bool)
    o_first[:n] = True
    m = o_cust.size
    o_sec = np.where(o_first, cust.sec0[o_cust], 0)
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
    p_disc = np.array([0.75, 0.25, 0.15])[need[o_cust]] + np.where(cal.campaign[np.minimum(o_day, n_days - 1)], 0.35,
                                                                   0.0)
    o_disc = (rng.random(m) < np.minimum(p_disc, 0.95)) | promo_trial
    n_lines = np.where(promo_trial, 1, 1 + (rng.random(m) < 0.30).astype(np.int64) + (rng.random(m) < 0.08))
    return SimpleNamespace(m=m, cust=o_cust, day=o_day, time=o_time, first=o_first, order_id=order_id, pref=pref,
                           platform=o_platform, promo_trial=promo_trial, disc=o_disc, n_lines=n_lines)


def _order_lines(rng, cust, orders, start_ts):
    """The ``transactions`` table: 1-3 lines per order, category by the child's age, Gamma-Gamma prices."""
    o_cust, o_day, need, t0 = orders.cust, orders.day, cust.need, cust.t0
    l_order, _ = _segments(orders.n_lines)
    l_cust = o_cust[l_order]
    l_day = o_day[l_order]
    child_age = cust.child0[l_cust] + (l_day - t0[l_cust]) / _DAYS_PER_MONTH
    age_bin = np.searchsorted(np.array([0.0, 6.0, 12.0, 24.0]), child_age, side="right")
    cat = _pick(rng, _CAT_P, age_bin)
    qty = 1 + rng.poisson(_CAT_QTY_EXTRA[cat])
    unit = rng.gamma(_GAMMA_P, cust.item_price[l_cust] * _CAT_PRICE[cat] / _GAMMA_P)
    gross = np.round(np.maximum(unit * qty, 5.0), 2)
    deep = np.where(need[l_cust] == 0, 0.05, 0.0)
    disc = np.where(orders.disc[l_order], gross * (rng.uniform(0.05, 0.30, size=l_order.size) + deep), 0.0)
    disc = np.round(np.minimum(disc, gross - 1.0), 2)
    trial_line = orders.promo_trial[l_order]
    disc = np.where(trial_line, np.round(gross - 1.0, 2), disc)
    # lines of one order with the same category become one line
    key, first_line, inverse = np.unique(l_order * len(CATEGORIES) + cat, return_index=True, return_inverse=True)
    l_order, cat = l_order[first_line], cat[first_line]
    qty = np.bincount(inverse, weights=qty, minlength=key.size).astype(np.int64)
    gross = np.round(np.bincount(inverse, weights=gross, minlength=key.size), 2)
    disc = np.round(np.bincount(inverse, weights=disc, minlength=key.size), 2)
    amount = np.round(gross - disc, 2)
    l_cust = o_cust[l_order]
    l_order_id = orders.order_id[l_order]
    l_time = orders.time[l_order]

    tsrt = np.lexsort((np.arange(l_order.size), l_order_id))
    return pd.DataFrame(
        {
            "customer_id": (l_cust + 1).astype(np.int64)[tsrt],
            "timestamp": start_ts + pd.to_timedelta(l_time[tsrt], unit="s"),
            "order_id": l_order_id[tsrt],
            "amount": amount[tsrt],
            "category": np.asarray(CATEGORIES, dtype=object)[cat[tsrt]],
            "quantity": qty[tsrt].astype(np.int64),
            "discount": disc[tsrt] + 0.0,
            "channel": np.asarray(PLATFORMS, dtype=object)[orders.platform[l_order][tsrt]],
        }
    )


def _touchpoints(rng, cust, life, orders, cal, start_ts):
    """The ``events`` table (journey before the first order, one event per order, service, referrals, win-back).

    Also returns the day of each customer's bad-experience complaint (far future when none), which the NPS
    answers react to.
    """
    n, n_days, channel, t0, is_promo, bad = cust.n, cal.n_days, cust.channel, cust.t0, cust.is_promo, cust.bad
    m, o_cust, o_day, o_time, o_first = orders.m, orders.cust, orders.day, orders.time, orders.first
    o_platform, pref = orders.platform, orders.pref
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
    first_time = t0 * 86400 + cust.sec0
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
    add(o_cust, o_time, buy_code, _EC_PLATFORM0 + o_platform, orders.order_id)
    rv = np.flatnonzero(~o_first & (rng.random(m) < 0.6))
    add(o_cust[rv], o_time[rv] - rng.integers(60, 1800, size=rv.size), "visit", _EC_PLATFORM0 + o_platform[rv])
    # support contacts
    n_sup = rng.poisson(np.where(cust.need[o_cust] == 1, 1.6, 0.12))
    so, _ = _segments(n_sup)
    add(o_cust[so], o_time[so] + rng.integers(3600, 10 * 86400, size=so.size), "support_contact", _EC_SERVICE)
    # complaints: the bad experience just before the decline, plus background complaints after orders
    bad_c = np.flatnonzero(bad)
    c_day = np.where(
        life.ea[bad_c], t0[bad_c] + life.complaint_ea[bad_c],
        np.maximum(life.b3[bad_c] - life.complaint_lead[bad_c], t0[bad_c] + 1)
    )
    c_time = c_day * 86400 + rng.integers(9 * 3600, 21 * 3600, size=bad_c.size)
    add(bad_c, c_time, "complaint", _EC_SERVICE)
    bg = np.flatnonzero(rng.random(m) < 0.004)
    add(o_cust[bg], o_time[bg] + rng.integers(86400, 10 * 86400, size=bg.size), "complaint", _EC_SERVICE)
    # referrals by loyal customers during stability
    ref_lo = life.b2
    ref_hi = np.minimum(life.b3, n_days)
    ref_len = np.where(life.ee | life.lt, np.maximum(ref_hi - ref_lo, 0), 0)
    ref_rate = np.where(life.lt, 0.08, 0.05) * np.where(bad, 0.3, 1.0) / _DAYS_PER_MONTH
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
    complaint_day = np.full(n, 1 << 40, dtype=np.int64)
    complaint_day[bad_c] = c_day
    return events, complaint_day


def _nps_answers(rng, cust, life, orders, complaint_day, cal, start_ts):
    """The ``nps`` table: answers after some orders, scored by stage and pattern, lower after a bad experience."""
    o_cust, o_day, n_days = orders.cust, orders.day, cal.n_days
    asked = rng.random(orders.m) < np.where(orders.first, 0.40, 0.12)
    nq = np.flatnonzero(asked)
    n_day = o_day[nq] + rng.integers(1, 8, size=nq.size)
    nc = o_cust[nq]
    ok = n_day < n_days
    nq, n_day, nc = nq[ok], n_day[ok], nc[ok]
    st = _stage_at(n_day, life.b1[nc], life.b2[nc], life.b3[nc], life.b4[nc])
    mu = np.array([7.6, 8.2, 8.9, 6.0, 5.0])[st] + np.array([-1.2, -0.5, 0.0, 0.4])[cust.pattern[nc]]
    mu = mu - np.where(n_day >= complaint_day[nc], 3.0, 0.0)
    score = np.clip(np.round(rng.normal(mu, 1.3)), 0, 10).astype(np.int64)
    nsrt = np.lexsort((nc, n_day))
    return pd.DataFrame(
        {
            "customer_id": (nc[nsrt] + 1).astype(np.int64),
            "date": start_ts + pd.to_timedelta(n_day[nsrt], unit="D"),
            "score": score[nsrt],
        }
    )


def _customer_table(cust, start_ts):
    """The ``customers`` table (no random draws)."""
    return pd.DataFrame(
        {
            "customer_id": np.arange(1, cust.n + 1, dtype=np.int64),
            "acquisition_date": start_ts + pd.to_timedelta(cust.t0, unit="D"),
            "channel": np.asarray(CHANNELS, dtype=object)[cust.channel],
            "acquisition_cost": cust.cac,
            "city_tier": np.asarray(_CITY_TIERS, dtype=object)[cust.city],
            "age_band": np.asarray(_AGE_BANDS, dtype=object)[cust.age],
            "child_age_months": cust.child0.astype(np.int64),
        }
    )


def _truth_table(cust, life, orders, cal, start_ts):
    """The ``truth`` table: each customer's latent pattern, needs, rates and stage dates (no random draws)."""
    n, L = cust.n, life.L
    b1, b2, b3, b4 = life.b1, life.b2, life.b3, life.b4
    ea, mt, ee, lt = life.ea, life.mt, life.ee, life.lt

    def as_date(offset_days, valid):
        out = start_ts + pd.to_timedelta(offset_days, unit="D")
        return pd.Series(out).where(valid)

    end_day = cal.n_days - 1
    stage_end = _stage_at(np.full(n, end_day), b1, b2, b3, b4)
    churned = b4 <= end_day
    determinable = np.where(lt, b2 + L <= end_day, churned)
    # evident: determinable, and the orders show the stage that names the pattern (a mid-term abortion who
    # never ordered after her latent formation start looks exactly like an early abortion in any data set)
    last_order_day = np.full(n, -1, dtype=np.int64)
    np.maximum.at(last_order_day, orders.cust, orders.day)
    evident = determinable & np.select([mt, ee | lt], [last_order_day >= b1, last_order_day >= b2], True)
    return pd.DataFrame(
        {
            "customer_id": np.arange(1, n + 1, dtype=np.int64),
            "pattern": np.asarray(PATTERNS, dtype=object)[cust.pattern],
            "need_class": np.asarray(NEED_CLASSES, dtype=object)[cust.need],
            "bad_experience": cust.bad,
            "purchase_rate": np.round(cust.rate, 6),
            "mean_item_price": np.round(cust.item_price, 4),
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


# --------------------------------------------------------------------------------------------------------
# raw order-line exports (an online retailer's invoice lines) with exact truth
# --------------------------------------------------------------------------------------------------------

#: Columns of :func:`make_order_lines`, in order: the layout of a public online retailer's order-line export.
ORDER_LINE_COLUMNS = (
    "InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"
)

#: Stock codes that are not products (postage, carriage, fees, manual lines, a test item) and their descriptions.
NON_PRODUCT_CODES = {
    "POST": "POSTAGE",
    "DOT": "DOTCOM POSTAGE",
    "C2": "CARRIAGE",
    "M": "Manual",
    "BANK CHARGES": "Bank Charges",
    "AMAZONFEE": "AMAZON FEE",
    "TEST001": "This is a test product.",
}
_NP_CODES = tuple(NON_PRODUCT_CODES)

#: Arguments of the bundled sample ``datasets/retail/order_lines_sample.csv`` (see :func:`load_order_lines`).
ORDER_LINES_SAMPLE_ARGS = {"n_customers": 150, "months": 9, "seed": 17, "mean_lines_per_invoice": 6.0}

_FIRST_INVOICE_NO = 536365
_CATALOGUE_SEED = 20101201  # the shop's catalogue is the same for every seed
_OL_COUNTRIES = (
    "United Kingdom", "Germany", "France", "EIRE", "Spain", "Netherlands", "Belgium", "Switzerland", "Portugal",
    "Australia", "Norway", "Italy", "Channel Islands", "Finland", "Cyprus", "Sweden", "Austria", "Denmark",
    "Japan", "Poland", "USA", "Israel",
)
_OL_UK, _OL_EIRE = 0, 3
_OL_COUNTRY_P = np.array(
    [880, 22, 20, 8, 7, 5, 6, 5, 5, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1], dtype=float
)
_OL_COUNTRY_P /= _OL_COUNTRY_P.sum()
_OL_GUEST_P = np.zeros(len(_OL_COUNTRIES))
_OL_GUEST_P[[0, 3, 2, 4, 7, 10]] = [0.975, 0.008, 0.006, 0.004, 0.004, 0.003]
_OL_HOURS = np.arange(7, 21)
_OL_HOUR_P = np.array([0.5, 3.0, 6.5, 9.0, 11.0, 12.5, 11.5, 10.5, 8.0, 5.0, 1.5, 0.4, 0.3, 0.3])
_OL_HOUR_P /= _OL_HOUR_P.sum()
_OL_QTY = np.array([1, 2, 3, 4, 6, 8, 10, 12, 24, 25, 36, 48, 72, 96, 144])
_OL_QTY_CHEAP = np.array([14, 10, 5, 6, 9, 3, 4, 20, 9, 3, 2, 4, 1.5, 1.2, 0.8])
_OL_QTY_CHEAP /= _OL_QTY_CHEAP.sum()
_OL_QTY_DEAR = np.array([40, 22, 8, 9, 8, 2, 1, 3, 0, 0, 0, 0, 0, 0, 0], dtype=float)
_OL_QTY_DEAR /= _OL_QTY_DEAR.sum()
_OL_COLOURS = (
    "WHITE", "RED", "PINK", "BLUE", "GREEN", "IVORY", "BLACK", "CREAM", "SILVER", "GOLD", "PURPLE", "YELLOW",
    "ORANGE", "BROWN", "GREY", "TURQUOISE",
)
_OL_STYLES = (
    "VINTAGE", "RETROSPOT", "REGENCY", "HANGING HEART", "SPOTTY", "FLORAL", "ANTIQUE", "WOODEN", "GLASS",
    "CERAMIC", "ENAMEL", "PAPER", "LACE", "FELTCRAFT", "PAISLEY", "DOLLY GIRL", "SPACEBOY", "WOODLAND",
    "CHRISTMAS", "PARTY", "BIRD", "ROSE", "STRAWBERRY", "POLKADOT", "SCANDINAVIAN", "JUMBO", "MINI", "LARGE",
    "SMALL", "HOME SWEET HOME", "SKULL", "ALPHABET", "BAROQUE", "EDWARDIAN", "FRENCH",
)
_OL_NOUNS = (
    "T-LIGHT HOLDER", "LANTERN", "CAKE STAND", "TEACUP AND SAUCER", "LUNCH BAG", "SHOPPER BAG", "NAPKINS",
    "CANDLE", "PHOTO FRAME", "DOORMAT", "MUG", "BUNTING", "ALARM CLOCK", "NOTEBOOK", "WATER BOTTLE",
    "BAKING SET", "CHOPSTICKS", "COAT HANGER", "METAL SIGN", "STORAGE TIN", "PAPER CHAIN KIT", "CUSHION COVER",
    "WRAP", "GIFT BAG", "PURSE", "LUGGAGE TAG", "HOT WATER BOTTLE", "CAKE CASES", "PLATE", "BOWL", "JUG",
    "DRAWER KNOB", "HAND WARMER", "TISSUES", "PENCILS", "STICKER SHEET", "GARLAND", "WALL CLOCK", "TRINKET BOX",
    "SPOON", "PARASOL", "DOOR STOP", "BIRD ORNAMENT", "HEART DECORATION", "JAM MAKING SET", "APRON",
)


@dataclass(frozen=True)
class OrderLinesTruth:
    """The exact answers behind an order-line export made by :func:`make_order_lines`.

    Every number comes from the generator's own bookkeeping (which line is a copy, which line a cancellation
    cancels), not from cleaning the frame. Money is ``Quantity * UnitPrice`` summed to the cent (the
    bookkeeping is in integer pence, so the values are exact to 2 dp).

    The cleaning rules the numbers assume:

    1. rows without ``CustomerID`` are dropped;
    2. a duplicate is a row equal in every column; one copy of each is kept. Copies only occur among
       positive lines that have a customer id, so steps 1-3 can run in any order. Distinct lines of an
       invoice (different ``StockCode``) with equal ``Quantity * UnitPrice`` are *not* duplicates;
    3. amount = ``Quantity * UnitPrice``; cancellations are the negative lines (``InvoiceNo`` starting "C");
    4. ``"drop"``: negative lines are dropped; ``"net"``: each cancellation is netted against the same
       customer's strictly earlier purchases (same invoice first, then the latest purchases first); money
       it cannot match is unmatched and dropped.

    Attributes
    ----------
    seed, n_customers, months : int
        Generator arguments (all of them are in ``params``).
    start : pandas.Timestamp
        First day of the export window (midnight).
    observation_end : pandas.Timestamp
        Last day of the window (midnight; lines of that whole day are in the window). Pass it as
        ``observation_end``.
    first_invoice, last_invoice : pandas.Timestamp
        Earliest and latest ``InvoiceDate`` in the frame (any row).
    rows : int
        Rows of the raw frame.
    missing_id_rows : int
        Rows with ``CustomerID`` NaN (whole invoices: guest check-outs, and a few of their cancellations).
    missing_id_money : float
        Signed sum of ``Quantity * UnitPrice`` over those rows.
    duplicate_rows : int
        Extra copies of full-row duplicates (a line present three times counts 2).
    duplicate_money : float
        Sum of ``Quantity * UnitPrice`` over the extra copies (all positive).
    purchase_lines : int
        Kept positive lines: customer id present, duplicates removed (product and non-product lines).
    customers : int
        Distinct ``CustomerID`` with a kept positive line. Equals ``n_customers``: a few more ids occur only
        on pre-window cancellations and are not customers of the window.
    orders : int
        Distinct positive ``InvoiceNo`` with a customer id. Every such invoice holds a product line, so the
        count is the same with non-product lines excluded.
    revenue_drop : float
        Sum of ``Quantity * UnitPrice`` over the kept positive lines ("drop" mode).
    revenue_drop_products : float
        The same without the :data:`NON_PRODUCT_CODES` lines.
    cancellation_lines, cancellation_invoices : int
        Negative lines, and distinct "C" invoices, with a customer id.
    cancelled_matched_lines : int
        In-window cancellation lines. Each cancels part or all of the quantity of one specific earlier
        product line of the same customer (same ``StockCode`` and ``UnitPrice``, strictly earlier
        ``InvoiceDate``, each line cancelled at most once), so the customer's earlier purchases always cover
        the refund and netting matches it in full, whichever earlier purchases it takes the money from.
    cancelled_matched : float
        Their money, as a positive number.
    cancelled_unmatched_lines : int
        Pre-window cancellation lines: "C" invoices of purchases made before the export starts. Their
        customers' first purchase in the window comes strictly after the cancellation (some never buy in
        the window), so netting finds nothing to match.
    cancelled_unmatched : float
        Their money, as a positive number.
    pre_window_customers : int
        Distinct customers with a pre-window cancellation.
    revenue_net : float
        ``revenue_drop - cancelled_matched`` ("net" mode).
    revenue_net_products : float
        ``revenue_drop_products - cancelled_matched`` (non-product lines are never cancelled, and the
        product purchases alone cover every in-window refund).
    non_product_lines, non_product_money : dict
        By code of :data:`NON_PRODUCT_CODES` (every code present, 0 if absent): kept positive lines and their
        money.
    params : dict
        All arguments of :func:`make_order_lines` (``start`` as ``YYYY-MM-DD``).
    cancellations : pandas.DataFrame or None
        The generator's link table (not part of equality, not written to ``truth.json``; ``None`` after
        :func:`load_order_lines`): one row per cancellation line with a customer id, columns ``row``
        (position in the frame), ``cancels_row`` (position of the line it cancels; -1 for pre-window) and
        ``kind`` (``"matched"`` or ``"pre_window"``).
    """

    seed: int
    n_customers: int
    months: int
    start: pd.Timestamp
    observation_end: pd.Timestamp
    first_invoice: pd.Timestamp
    last_invoice: pd.Timestamp
    rows: int
    missing_id_rows: int
    missing_id_money: float
    duplicate_rows: int
    duplicate_money: float
    purchase_lines: int
    customers: int
    orders: int
    revenue_drop: float
    revenue_drop_products: float
    cancellation_lines: int
    cancellation_invoices: int
    cancelled_matched_lines: int
    cancelled_matched: float
    cancelled_unmatched_lines: int
    cancelled_unmatched: float
    pre_window_customers: int
    revenue_net: float
    revenue_net_products: float
    non_product_lines: dict
    non_product_money: dict
    params: dict
    cancellations: pd.DataFrame | None = field(default=None, compare=False, repr=False)

    _TIMES = ("start", "observation_end", "first_invoice", "last_invoice")

    def to_dict(self) -> dict:
        """JSON-ready dict of every field but ``cancellations`` (timestamps as ISO text)."""
        out = {}
        for f in fields(self):
            if f.name == "cancellations":
                continue
            value = getattr(self, f.name)
            out[f.name] = value.isoformat() if f.name in self._TIMES else value
        return out

    @classmethod
    def from_dict(cls, data: dict) -> OrderLinesTruth:
        """Inverse of :meth:`to_dict`."""
        kwargs = dict(data)
        for name in cls._TIMES:
            kwargs[name] = pd.Timestamp(kwargs[name])
        return cls(**kwargs)


def _order_line_catalogue():
    """The shop's products (fixed, seed-independent) followed by the non-product codes.

    Returns codes and descriptions (object arrays, products then :data:`NON_PRODUCT_CODES`), the products'
    list prices in pence, their popularity weights and the number of products.
    """
    rng = np.random.default_rng(_CATALOGUE_SEED)
    n_base = 2600
    base = rng.choice(np.arange(10002, 90000), size=n_base, replace=False)
    n_var = np.where(rng.random(n_base) < 0.78, 1, rng.integers(2, 5, size=n_base))
    owner, rank = _segments(n_var)
    lone_letter = (n_var[owner] == 1) & (rng.random(owner.size) < 0.06)  # e.g. a lone '85099B'
    letter = np.where(lone_letter, rng.integers(0, 6, size=owner.size), rank)
    lettered = (n_var[owner] > 1) | lone_letter
    colour0 = rng.integers(0, len(_OL_COLOURS), size=n_base)
    colour = (colour0[owner] + rank) % len(_OL_COLOURS)  # variants of one design differ in colour
    with_colour = (n_var[owner] > 1) | (rng.random(owner.size) < 0.3)
    style = rng.integers(0, len(_OL_STYLES), size=n_base)[owner]
    noun = rng.integers(0, len(_OL_NOUNS), size=n_base)[owner]
    codes = [f"{b}{'ABCDEFGH'[k] if let else ''}" for b, k, let in zip(base[owner], letter, lettered)]
    descs = [
        f"{_OL_COLOURS[c] + ' ' if wc else ''}{_OL_STYLES[s]} {_OL_NOUNS[w]}"
        for c, wc, s, w in zip(colour, with_colour, style, noun)
    ]
    pounds = np.exp(rng.normal(np.log(2.1), 0.8, size=n_base))
    pence = np.clip(np.round(pounds * 20.0).astype(np.int64) * 5, 10, 25000)  # prices in steps of 5p
    price = pence[owner]
    popularity = rng.permutation(owner.size)
    weights = 1.0 / (popularity + 25.0) ** 1.05
    weights /= weights.sum()
    codes = np.asarray(codes + list(_NP_CODES), dtype=object)
    descs = np.asarray(descs + list(NON_PRODUCT_CODES.values()), dtype=object)
    return codes, descs, price, weights, owner.size


def _check_order_line_args(n_customers, months, seed, mean_lines_per_invoice, shares):
    for name, value, lo in (("n_customers", n_customers, 1), ("months", months, 1), ("seed", seed, 0)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < lo:
            raise ParameterError(f"{name} must be an integer >= {lo}, got {value!r}.", parameter=name, value=value)
    if months > 60:
        raise ParameterError(f"months must be at most 60, got {months!r}.", parameter="months", value=months)
    if not (np.isfinite(mean_lines_per_invoice) and 1.0 <= mean_lines_per_invoice <= 200.0):
        raise ParameterError(f"mean_lines_per_invoice must be in [1, 200], got {mean_lines_per_invoice!r}.",
                             parameter="mean_lines_per_invoice", value=mean_lines_per_invoice)
    for name, value in shares.items():
        if not (np.isfinite(value) and 0.0 <= value < 0.9):
            raise ParameterError(f"{name} must be in [0, 0.9), got {value!r}.", parameter=name, value=value)


def _text_times(minutes: np.ndarray, start: pd.Timestamp) -> np.ndarray:
    """Minutes since ``start`` as export text, month first, no zero padding: ``'12/1/2010 8:26'``."""
    ts = pd.DatetimeIndex(start + pd.to_timedelta(minutes, unit="m"))
    parts = zip(ts.month, ts.day, ts.year, ts.hour, ts.minute)
    return np.asarray([f"{mo}/{d}/{y} {h}:{mi:02d}" for mo, d, y, h, mi in parts], dtype=object)


def make_order_lines(
    n_customers: int = 4500,
    months: int = 12,
    seed: int = 0,
    *,
    start="2010-12-01",
    mean_lines_per_invoice: float = 20.0,
    missing_id_share: float = 0.2,
    duplicate_share: float = 0.01,
    cancel_share: float = 0.07,
    pre_window_share: float = 0.03,
) -> tuple[pd.DataFrame, OrderLinesTruth]:
    """Simulate a raw order-line export of an online gift retailer, with the exact answers.

    The frame looks like the public export of a UK online retailer that sells giftware to shops and
    consumers: one row per invoice line, text columns, cancellations as negative "C" invoices, guest
    check-outs without a customer id, postage and fee lines, and a few rows exported twice. The truth is
    kept by the generator while it builds the lines, so cleaning code can be checked against it.

    Parameters
    ----------
    n_customers : int, default 4500
        Customers who buy in the window (each has at least one invoice). At the other defaults the export
        has about 110 lines per customer and year: 4,500 customers over 12 months give about 500,000 lines,
        the size of the public export.
    months : int, default 12
        Length of the window in calendar months (6-12 is typical of the public exports; 1-60 allowed).
    seed : int, default 0
        Seed of ``numpy.random.default_rng``. The product catalogue is the same for every seed.
    start : date-like, default "2010-12-01"
        First day of the window.
    mean_lines_per_invoice : float, default 20.0
        Mean product lines of a customer's invoice (geometric, heavy-tailed; guest invoices have twice as
        many).
    missing_id_share : float, default 0.2
        Approximate share of rows from guest invoices, whose ``CustomerID`` is NaN.
    duplicate_share : float, default 0.01
        Approximate share of extra full-row copies (of positive lines with a customer id).
    cancel_share : float, default 0.07
        Share of customers' invoices that are partly or wholly cancelled later in the window.
    pre_window_share : float, default 0.03
        Share of customers with a cancellation of a purchase made before the window (dated before their
        first purchase in the window); a quarter as many again appear with only such a cancellation.

    Returns
    -------
    frame : pandas.DataFrame
        Columns :data:`ORDER_LINE_COLUMNS`, sorted by invoice number (= time order) as exported:

        - ``InvoiceNo`` (str): six digits from 536365 up, numbered in time order; cancellations are "C"
          plus a number of the same sequence (``"C536379"``).
        - ``StockCode`` (str): five digits with an optional letter (``"85123A"``; variants of one design
          share the digits), or a :data:`NON_PRODUCT_CODES` code: ``POST`` (postage, most invoices to
          customers abroad), ``C2`` (carriage, Ireland), ``DOT`` (web postage, mostly guests), ``M``
          (manual line), ``BANK CHARGES``, ``AMAZONFEE`` (guests only), ``TEST001``. Distinct within an
          invoice.
        - ``Description`` (str): upper-case product name, fixed per code.
        - ``Quantity`` (int64): > 0 on purchases, < 0 on cancellations.
        - ``InvoiceDate`` (str): month first, minute resolution, no padding: ``"12/1/2010 8:26"``
          (parse with ``format="%m/%d/%Y %H:%M"``). Same for all lines of an invoice. The shop is closed
          on Saturdays.
        - ``UnitPrice`` (float64): pounds, > 0, whole pence (bulk lines of 48+ get 15% off).
        - ``CustomerID`` (float64): id as a float (``17850.0``; five digits up to about 87,000 ids), NaN on
          guest invoices.
        - ``Country`` (str): the customer's country (``"United Kingdom"``, ``"EIRE"``, ...).

    truth : OrderLinesTruth
        The exact counts and money behind the frame and the rules they assume (see there).

    Notes
    -----
    What is dirty, on purpose:

    - about ``missing_id_share`` of the rows have no customer id (whole guest invoices, some of them "C");
    - about ``duplicate_share`` extra copies of rows (10% of the copied lines appear three times), at random
      positions within their invoice;
    - a third of the multi-line invoices hold two distinct lines with equal ``Quantity * UnitPrice``
      (mostly the same quantity and price, sometimes twice the quantity at half the price): they are not
      duplicates, and only ``StockCode`` tells them apart;
    - in-window cancellations ("C" invoices) take back all or part of the quantity of lines of one earlier
      invoice, minutes to weeks later, at the original price;
    - pre-window cancellations refer to purchases that are not in the export;
    - postage, carriage, fee, manual and test lines among the products;
    - text dates, text invoice numbers, float customer ids.

    ``frame.to_csv(path, index=False)`` writes the file as such exports look (``CustomerID`` as
    ``17850.0``, empty when missing); :func:`write_order_lines` adds ``truth.json``.

    The generator is vectorised: 500,000 lines take about a second.

    Examples
    --------
    >>> frame, truth = make_order_lines(50, months=6, seed=1)
    >>> frame.columns.tolist()
    ['InvoiceNo', 'StockCode', 'Description', 'Quantity', 'InvoiceDate', 'UnitPrice', 'CustomerID', 'Country']
    >>> truth.customers
    50
    """
    shares = {
        "missing_id_share": missing_id_share,
        "duplicate_share": duplicate_share,
        "cancel_share": cancel_share,
        "pre_window_share": pre_window_share,
    }
    _check_order_line_args(n_customers, months, seed, mean_lines_per_invoice, shares)
    n = int(n_customers)
    rng = np.random.default_rng(int(seed))
    start_ts = pd.Timestamp(start).normalize()
    end_ts = start_ts + pd.DateOffset(months=int(months)) - pd.Timedelta(days=1)
    n_days = int((end_ts - start_ts).days) + 1
    window_end = n_days * 1440  # minutes
    weekday = pd.date_range(start_ts, periods=n_days, freq="D").day_of_week.to_numpy()
    open_days = np.flatnonzero(weekday != 5).astype(np.int64)  # closed on Saturdays
    n_open = open_days.size
    codes, descs, list_price, weights, n_prod = _order_line_catalogue()
    fee_code = {c: n_prod + i for i, c in enumerate(_NP_CODES)}

    def clock(day):
        """A minute within opening hours on each given day."""
        day = np.asarray(day, dtype=np.int64)
        hour = rng.choice(_OL_HOURS, size=day.size, p=_OL_HOUR_P)
        return day * 1440 + hour * 60 + rng.integers(0, 60, size=day.size)

    def draw_lines(n_invoices, mean):
        """Distinct products per invoice, in random order: (invoice, product), grouped by invoice."""
        k = 1 + rng.negative_binomial(1.0, 1.0 / mean, size=n_invoices)
        owner, _ = _segments(np.minimum(k, 300))
        prod = rng.choice(n_prod, size=owner.size, p=weights)
        key = np.unique(owner.astype(np.int64) * n_prod + prod)  # a product once per invoice
        owner, prod = key // n_prod, key % n_prod
        order = np.lexsort((rng.random(owner.size), owner))
        return owner[order], prod[order]

    def quantity_price(prod):
        price = list_price[prod]
        dear = price >= 500
        qty = np.where(
            dear,
            rng.choice(_OL_QTY, size=prod.size, p=_OL_QTY_DEAR),
            rng.choice(_OL_QTY, size=prod.size, p=_OL_QTY_CHEAP),
        ).astype(np.int64)
        bulk = np.maximum(np.round(price * 0.85).astype(np.int64), 1)
        return qty, np.where(qty >= 48, bulk, price).astype(np.int64)

    # ---- customers and their invoices ----------------------------------------------------------------
    n_only = int(rng.binomial(n, pre_window_share / 4.0))  # ids seen only on a pre-window cancellation
    n_ids = n + n_only
    span = max(6000, 2 * n_ids) if 2 * n_ids <= 87654 else max(87654, n_ids)  # five digits while they fit
    ids = 12346 + rng.choice(span, size=n_ids, replace=False)
    country = rng.choice(len(_OL_COUNTRIES), size=n + n_only, p=_OL_COUNTRY_P)
    existing = rng.random(n) < 0.45
    acq = np.where(existing, rng.integers(0, min(31, n_days), size=n), rng.integers(0, n_days, size=n))
    a_open = np.minimum(np.searchsorted(open_days, acq), n_open - 1)
    rate = rng.gamma(0.7, 0.4 / 0.7, size=n)  # invoices per month
    n_inv = np.minimum(1 + rng.poisson(rate * (n_days - open_days[a_open]) / _DAYS_PER_MONTH), 400)
    inv_cust, rank = _segments(n_inv)
    lo = a_open[inv_cust]
    pick = np.where(rank == 0, lo, lo + np.floor(rng.random(inv_cust.size) * (n_open - lo)).astype(np.int64))
    inv_min = clock(open_days[pick])
    m_id = inv_cust.size

    # product lines of customers' invoices
    l_inv, l_prod = draw_lines(m_id, mean_lines_per_invoice)
    l_qty, l_price = quantity_price(l_prod)
    starts = np.flatnonzero(np.r_[True, l_inv[1:] != l_inv[:-1]])  # every invoice has a line: starts[i] is i's
    n_lines = np.diff(np.r_[starts, l_inv.size])
    first = starts[(n_lines >= 2) & (rng.random(m_id) < 0.35)]
    halve = (rng.random(first.size) < 0.2) & (l_price[first] % 2 == 0)
    l_qty[first + 1] = np.where(halve, 2 * l_qty[first], l_qty[first])  # equal line totals, distinct codes
    l_price[first + 1] = np.where(halve, l_price[first] // 2, l_price[first])

    # ---- in-window cancellations: lines of one earlier invoice, taken back minutes to weeks later ----------
    chosen = rng.random(m_id) < cancel_share
    ci = np.flatnonzero(chosen)
    o_min = inv_min[ci]
    soon = rng.random(ci.size) < 0.5
    later = np.searchsorted(open_days, o_min // 1440 + rng.integers(1, 46, size=ci.size))
    c_min = np.where(soon, o_min + rng.integers(1, 181, size=ci.size), clock(open_days[np.minimum(later, n_open - 1)]))
    ok = np.where(soon, c_min < window_end, later < n_open)
    chosen[ci[~ok]] = False
    ci, c_min = ci[ok], c_min[ok]
    whole = rng.random(m_id) < 0.3
    take = chosen[l_inv] & (whole[l_inv] | (rng.random(l_inv.size) < 0.35))
    none_taken = chosen & (np.bincount(l_inv[take], minlength=m_id) == 0)
    take[starts[none_taken]] = True
    cl = np.flatnonzero(take)  # cancelled product lines (indices into the l_ arrays)
    c_of_inv = np.full(m_id, -1, dtype=np.int64)
    c_of_inv[ci] = np.arange(ci.size)
    c_qty = np.where(rng.random(cl.size) < 0.6, l_qty[cl], rng.integers(1, l_qty[cl] + 1))

    # ---- non-product lines on customers' invoices ----------------------------------------------------
    cty = country[inv_cust]
    abroad = (cty != _OL_UK) & (cty != _OL_EIRE)
    u = rng.random((5, m_id))
    fee_specs = (
        ("POST", abroad & (u[0] < 0.7), lambda k: rng.choice([1, 1, 1, 2, 2, 3, 4], size=k),
         lambda k: rng.choice([1500, 1800, 1800, 2800, 4000], size=k)),
        ("C2", (cty == _OL_EIRE) & (u[1] < 0.3), lambda k: np.ones(k, dtype=np.int64),
         lambda k: np.full(k, 5000)),
        ("DOT", u[2] < 0.002, lambda k: np.ones(k, dtype=np.int64),
         lambda k: np.round(np.exp(rng.normal(np.log(9000), 0.7, size=k)))),
        ("M", u[3] < 0.003, lambda k: rng.choice([1, 1, 1, 2, 4, 12], size=k),
         lambda k: np.round(np.exp(rng.normal(np.log(250), 1.0, size=k))) + 1),
        ("BANK CHARGES", u[4] < 0.001, lambda k: np.ones(k, dtype=np.int64), lambda k: np.full(k, 1500)),
        ("TEST001", u[4] > 0.9995, lambda k: np.full(k, 5), lambda k: np.full(k, 450)),
    )

    def fee_lines(specs):
        inv, code, qty, price = [], [], [], []
        for name, mask, q, p in specs:
            idx = np.flatnonzero(mask)
            inv.append(idx)
            code.append(np.full(idx.size, fee_code[name]))
            qty.append(np.asarray(q(idx.size), dtype=np.int64))
            price.append(np.asarray(p(idx.size), dtype=np.int64))
        return tuple(np.concatenate(a) for a in (inv, code, qty, price))

    f_inv, f_code, f_qty, f_price = fee_lines(fee_specs)

    # ---- pre-window cancellations: dated before the customer's first purchase in the window ---------------
    first_min = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(first_min, inv_cust, inv_min)
    open_before = np.searchsorted(open_days, first_min // 1440)  # open days strictly before the first day
    candidate = open_before >= 1
    p_pre = min(1.0, pre_window_share * n / max(int(candidate.sum()), 1))
    pre = np.flatnonzero(candidate & (rng.random(n) < p_pre))
    pre_day = open_days[np.floor(rng.random(pre.size) * open_before[pre]).astype(np.int64)]
    pre_cust = np.concatenate([pre, np.arange(n, n + n_only)])
    pre_min = np.concatenate([clock(pre_day), clock(open_days[rng.integers(0, n_open, size=n_only)])])
    p_inv, p_prod = draw_lines(pre_cust.size, 1.5)
    p_qty, p_price = quantity_price(p_prod)

    # ---- guest invoices (no customer id) and their cancellations -------------------------------------
    id_rows = l_inv.size + f_inv.size + cl.size + p_inv.size
    guest_mean = 2.0 * mean_lines_per_invoice
    n_guest = int(round(missing_id_share / (1.0 - missing_id_share) * id_rows / (guest_mean + 0.4)))
    g_min = clock(open_days[rng.integers(0, n_open, size=n_guest)])
    g_country = rng.choice(len(_OL_COUNTRIES), size=n_guest, p=_OL_GUEST_P)
    g_inv, g_prod = draw_lines(n_guest, guest_mean)
    g_qty, g_price = quantity_price(g_prod)
    v = rng.random((3, n_guest))
    gf_inv, gf_code, gf_qty, gf_price = fee_lines((
        ("DOT", v[0] < 0.35, lambda k: np.ones(k, dtype=np.int64),
         lambda k: np.round(np.exp(rng.normal(np.log(9000), 0.8, size=k)))),
        ("POST", v[1] < 0.02, lambda k: np.ones(k, dtype=np.int64), lambda k: np.full(k, 1800)),
        ("AMAZONFEE", v[2] < 0.003, lambda k: np.ones(k, dtype=np.int64),
         lambda k: rng.integers(100000, 600000, size=k)),
    ))
    n_gc = int(rng.binomial(n_guest, 0.03))
    gc_min = clock(open_days[rng.integers(0, n_open, size=n_gc)])
    gc_inv, gc_prod = draw_lines(n_gc, 1.5)
    gc_qty, gc_price = quantity_price(gc_prod)

    # ---- all invoices: customers', in-window C, pre-window C, guests', guest C ----------------------------
    base_c = m_id
    base_p = base_c + ci.size
    base_g = base_p + pre_cust.size
    base_gc = base_g + n_guest
    n_invoices = base_gc + n_gc
    i_min = np.concatenate([inv_min, c_min, pre_min, g_min, gc_min])
    i_cancel = np.zeros(n_invoices, dtype=bool)
    i_cancel[base_c:base_g] = True
    i_cancel[base_gc:] = True
    i_cust = np.concatenate([inv_cust, inv_cust[ci], pre_cust, np.full(n_guest + n_gc, -1)])
    gc_country = rng.choice(len(_OL_COUNTRIES), size=n_gc, p=_OL_GUEST_P)
    i_country = np.where(i_cust >= 0, country[np.maximum(i_cust, 0)], np.concatenate(
        [np.zeros(base_g, dtype=np.int64), g_country, gc_country]))

    # ---- all lines ------------------------------------------------------------------------------------
    # kind: 0 customer purchase, 1 in-window cancellation, 2 pre-window cancellation, 3 guest line, 4 guest C
    n_l = l_inv.size
    line_inv = np.concatenate([l_inv, f_inv, base_c + c_of_inv[l_inv[cl]], base_p + p_inv, base_g + g_inv,
                               base_g + gf_inv, base_gc + gc_inv])
    line_code = np.concatenate([l_prod, f_code, l_prod[cl], p_prod, g_prod, gf_code, gc_prod])
    line_qty = np.concatenate([l_qty, f_qty, -c_qty, -p_qty, g_qty, gf_qty, -gc_qty])
    line_price = np.concatenate([l_price, f_price, l_price[cl], p_price, g_price, gf_price, gc_price])
    sizes = (n_l + f_inv.size, cl.size, p_inv.size, g_inv.size + gf_inv.size, gc_inv.size)
    line_kind = np.repeat(np.arange(5, dtype=np.int8), sizes)
    line_cancels = np.full(line_inv.size, -1, dtype=np.int64)
    line_cancels[n_l + f_inv.size:n_l + f_inv.size + cl.size] = cl

    # full-row duplicates of customers' purchase lines
    eligible = np.flatnonzero(line_kind == 0)
    q_dup = min(1.0, duplicate_share * line_inv.size / (1.1 * max(eligible.size, 1)))
    dup = eligible[rng.random(eligible.size) < q_dup]
    dup = np.repeat(dup, 1 + (rng.random(dup.size) < 0.1))
    is_copy = np.r_[np.zeros(line_inv.size, dtype=bool), np.ones(dup.size, dtype=bool)]
    line_inv, line_code, line_qty, line_price, line_kind = (
        np.r_[a, a[dup]] for a in (line_inv, line_code, line_qty, line_price, line_kind)
    )
    line_cancels = np.r_[line_cancels, np.full(dup.size, -1, dtype=np.int64)]

    # ---- export order: invoices numbered in time order, lines shuffled within an invoice ---------------
    inv_rank = np.empty(n_invoices, dtype=np.int64)
    inv_rank[np.lexsort((rng.random(n_invoices), i_min))] = np.arange(n_invoices)
    perm = np.lexsort((rng.random(line_inv.size), inv_rank[line_inv]))
    pos = np.empty(perm.size, dtype=np.int64)
    pos[perm] = np.arange(perm.size)
    inv_no = np.asarray(
        [("C" if c else "") + str(_FIRST_INVOICE_NO + r) for c, r in zip(i_cancel, inv_rank)], dtype=object
    )
    inv_text = _text_times(i_min, start_ts)
    li = line_inv[perm]
    cust = i_cust[li]
    frame = pd.DataFrame(
        {
            "InvoiceNo": inv_no[li],
            "StockCode": codes[line_code[perm]],
            "Description": descs[line_code[perm]],
            "Quantity": line_qty[perm],
            "InvoiceDate": inv_text[li],
            "UnitPrice": line_price[perm] / 100.0,
            "CustomerID": np.where(cust >= 0, ids[np.maximum(cust, 0)], np.nan).astype(np.float64),
            "Country": np.asarray(_OL_COUNTRIES, dtype=object)[i_country[li]],
        }
    )

    # ---- truth, from the bookkeeping ---------------------------------------------------------------------
    line_cust = i_cust[line_inv]
    pence = line_qty * line_price
    has_id = line_cust >= 0
    buy = has_id & ~is_copy & (line_qty > 0)
    product = line_code < n_prod
    matched, unmatched = line_kind == 1, line_kind == 2

    def cents(mask):
        return int(pence[mask].sum())

    def money(mask):
        return cents(mask) / 100.0

    np_lines, np_money = {}, {}
    for name in _NP_CODES:
        sel = buy & (line_code == fee_code[name])
        np_lines[name] = int(sel.sum())
        np_money[name] = money(sel)
    revenue, revenue_products, refunded = cents(buy), cents(buy & product), -cents(matched)
    links_at = np.flatnonzero(matched | unmatched)
    links = pd.DataFrame(
        {
            "row": pos[links_at],
            "cancels_row": np.where(line_cancels[links_at] >= 0, pos[np.maximum(line_cancels[links_at], 0)], -1),
            "kind": np.where(matched[links_at], "matched", "pre_window").astype(object),
        }
    ).sort_values("row", ignore_index=True)
    params = {"n_customers": n, "months": int(months), "seed": int(seed), "start": str(start_ts.date()),
              "mean_lines_per_invoice": float(mean_lines_per_invoice),
              **{k: float(v) for k, v in shares.items()}}
    truth = OrderLinesTruth(
        seed=int(seed),
        n_customers=n,
        months=int(months),
        start=start_ts,
        observation_end=end_ts,
        first_invoice=start_ts + pd.Timedelta(minutes=int(i_min.min())),
        last_invoice=start_ts + pd.Timedelta(minutes=int(i_min.max())),
        rows=int(line_inv.size),
        missing_id_rows=int((~has_id).sum()),
        missing_id_money=money(~has_id),
        duplicate_rows=int(is_copy.sum()),
        duplicate_money=money(is_copy),
        purchase_lines=int(buy.sum()),
        customers=int(np.unique(line_cust[buy]).size),
        orders=int(np.unique(line_inv[buy]).size),
        revenue_drop=revenue / 100.0,
        revenue_drop_products=revenue_products / 100.0,
        cancellation_lines=int((has_id & (line_qty < 0)).sum()),
        cancellation_invoices=int(np.unique(line_inv[has_id & (line_qty < 0)]).size),
        cancelled_matched_lines=int(matched.sum()),
        cancelled_matched=refunded / 100.0,
        cancelled_unmatched_lines=int(unmatched.sum()),
        cancelled_unmatched=-cents(unmatched) / 100.0,
        pre_window_customers=int(np.unique(line_cust[unmatched]).size),
        revenue_net=(revenue - refunded) / 100.0,
        revenue_net_products=(revenue_products - refunded) / 100.0,
        non_product_lines=np_lines,
        non_product_money=np_money,
        params=params,
        cancellations=links,
    )
    return frame, truth


_ORDER_LINES_FILE = "order_lines_sample.csv"
_ORDER_LINE_DTYPES = {
    "InvoiceNo": str, "StockCode": str, "Description": str, "Quantity": "int64", "InvoiceDate": str,
    "UnitPrice": "float64", "CustomerID": "float64", "Country": str,
}


def write_order_lines(frame: pd.DataFrame, truth: OrderLinesTruth, folder) -> list[Path]:
    """Write an export as ``order_lines_sample.csv`` plus ``truth.json`` and ``SHA256SUMS`` into ``folder``.

    The CSV is ``frame.to_csv(index=False)``: text as exported, ``CustomerID`` as ``17850.0``, empty when
    missing.

    Parameters
    ----------
    frame : pandas.DataFrame
        From :func:`make_order_lines`.
    truth : OrderLinesTruth
        Its truth (``cancellations`` is not written).
    folder : str or pathlib.Path
        Created if needed.

    Returns
    -------
    list of pathlib.Path
        The three files written.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    csv_path = folder / _ORDER_LINES_FILE
    frame.to_csv(csv_path, index=False, lineterminator="\n")
    truth_path = folder / "truth.json"
    meta = {**truth.to_dict(), "generated_by": "toolkit.datasets.make_order_lines(**params)"}
    truth_path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    sums = folder / "SHA256SUMS"
    sums.write_text(
        "".join(f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}\n" for p in (csv_path, truth_path)),
        encoding="utf-8",
    )
    return [csv_path, truth_path, sums]


def load_order_lines() -> tuple[pd.DataFrame, OrderLinesTruth]:
    """Load the bundled order-line export sample and its truth (``datasets/retail/``).

    The file is ``make_order_lines(**ORDER_LINES_SAMPLE_ARGS)`` (150 customers, 9 months, seed 17, 6 lines
    per invoice) written with :func:`write_order_lines`; a test keeps both in sync.

    Returns
    -------
    frame : pandas.DataFrame
        Columns and dtypes as :func:`make_order_lines` (text stays text: parse ``InvoiceDate`` with
        ``format="%m/%d/%Y %H:%M"``). Size: (4,138, 8).
    truth : OrderLinesTruth
        Read from ``truth.json``; ``cancellations`` is ``None``.

    Raises
    ------
    DatasetNotFoundError
        If the bundled files are missing.

    Notes
    -----
    Synthetic data, generated by this package (MIT licence). Money in pounds sterling.

    Examples
    --------
    >>> frame, truth = load_order_lines()
    >>> len(frame) == truth.rows
    True
    """
    frame = pd.read_csv(
        dataset_path("retail", _ORDER_LINES_FILE),
        dtype=_ORDER_LINE_DTYPES,
        keep_default_na=False,
        na_values={"CustomerID": [""]},
    )
    meta = json.loads(dataset_path("retail", "truth.json").read_text(encoding="utf-8"))
    meta.pop("generated_by", None)
    return frame, OrderLinesTruth.from_dict(meta)



def _main(argv: list[str]) -> int:
    """Regenerate the bundled company copy: ``python -m toolkit.datasets [output_folder]``.

    ``python -m toolkit.datasets --order-lines [output_folder]`` regenerates the order-line sample instead
    (default folder ``datasets/retail``).
    """
    repo = Path(__file__).resolve().parents[1]
    if argv[:1] == ["--order-lines"]:
        argv = argv[1:]
        if not argv and not (repo / "pyproject.toml").exists():
            sys.stderr.write("Not a source checkout: pass the output folder\n")
            return 2
        folder = Path(argv[0]) if argv else repo / "datasets" / "retail"
        frame, truth = make_order_lines(**ORDER_LINES_SAMPLE_ARGS)
        paths = write_order_lines(frame, truth, folder)
        sys.stdout.write(f"wrote {len(paths)} files ({len(frame):,} lines) to {folder}\n")
        return 0
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


#: Role -> column of the bundled order-line export (``datasets/retail/order_lines_sample.csv``), as the column
#: arguments of :func:`toolkit.read_transactions` (the export's column order is :data:`ORDER_LINE_COLUMNS`).
ORDER_LINE_MAPPING = {"customer": "CustomerID", "time": "InvoiceDate", "order": "InvoiceNo", "quantity": "Quantity",
                      "price": "UnitPrice", "item": "StockCode", "description": "Description"}


def load_cdnow_transactions(kind: str = "master", **kwargs):
    """The CDNOW log (:func:`load_cdnow`) as validated ``toolkit.Transactions`` (same-day repeats kept: they are
    separate purchases in the published data). ``kwargs`` go to ``Transactions.from_frame`` (e.g. ``time_unit="W"``)."""
    customer = "customer_id" if kind == "master" else "sample_id"
    return Transactions.from_frame(load_cdnow(kind), **{"customer": customer, "time": "date",
                                                         "amount": "dollar_value", "duplicates": "keep", **kwargs})


def load_order_lines_transactions(**kwargs):
    """The bundled order-line export read as a client's file would be (:func:`toolkit.read_transactions` with
    :data:`ORDER_LINE_MAPPING`; default ``on_bad_rows="net"``: refunds netted, every dropped row reported)."""
    from .data import read_transactions

    return read_transactions(dataset_path("retail", _ORDER_LINES_FILE),
                             **{**ORDER_LINE_MAPPING, "on_bad_rows": "net", **kwargs})
