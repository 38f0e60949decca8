"""Model explorer: one customer's P(alive) and expected purchases, and discounted CLV of her and of the base.

A state object (:class:`ModelExplorerState`, no ipywidgets) and a thin ipywidgets view
(:func:`model_explorer`). The purchase model (BG/NBD, MBG/NBD, Pareto/NBD) and the optional Gamma-Gamma spend
model are fitted **once, outside** the tool; the state only calls their cheap prediction methods:

- picking a customer re-runs :meth:`p_alive_history` and :meth:`conditional_expected_purchases` for that one
  customer (a few hundred rows at most);
- moving the horizon, discount-rate or margin slider recomputes every customer's CLV from a
  :class:`toolkit.clv.models.ModelCLV` prepared on first use (expected purchases per unique (frequency,
  recency, T) pattern and period, computed once); the result equals
  :func:`toolkit.clv.models.customer_lifetime_value` with the same settings.

Honesty first: when the model's parameters are not identified by the data (``model.identified_``), or a holdout
check given as ``evaluation=`` says the model does not beat the naive forecast, the tool says so above the
numbers (:attr:`ModelExplorerState.warning`, the same judgement as the client report) and shows the naive
forecast's CLV (each customer keeps her past purchase rate and spend,
:func:`toolkit.clv.evaluation.naive_clv`) and, when given, the course CLV beside the model's.

Uncertainty is shown too (issue #21): the selected customer's P(alive), expected purchases and CLV come with an 80%
interval from :func:`toolkit.clv.customer_intervals` (computed for her when she or a setting changes, and cached),
and the period-transactions check (:func:`toolkit.clv.period_transactions`: actual vs expected customers by number
of repeat purchases, with a chi-square verdict in plain words) is computed once when the tool is built.

Time is explicit: the model works in its own time unit (``model.time_unit_``, e.g. weeks for CDNOW); the
horizon is a number of *periods* and the discount rate is *per period*, where a period is ``period`` (a unit
name "D", "W", "M" or a number of model time units; default one month when the model's unit is known).

Examples
--------
In a notebook::

    from toolkit.clv.models import BetaGeo, GammaGamma
    from toolkit.widgets.model_explorer import model_explorer
    bg = BetaGeo().fit(summary)
    gg = GammaGamma().fit(summary)
    view = model_explorer(bg, summary, tx, spend=gg, horizon=12, discount_rate=0.01, margin=0.3)
    view                                    # display it
    view.horizon.value = 24                 # same as moving the slider
    view.model.clv                          # == customer_lifetime_value(bg, summary, gg, horizon=24, ...)

Headless (no ipywidgets needed)::

    state = ModelExplorerState(bg, summary, tx, spend=gg)
    state.update(customer=157, horizon=6)
    state.customer_values()
"""

from __future__ import annotations

import html
import math

import numpy as np
import pandas as pd

from ..clv.diagnostics import p_value_text, period_transactions
from ..clv.evaluation import naive_clv
from ..clv.intervals import customer_intervals
from ..clv.models import ModelCLV
from ..config import DAYS_PER_UNIT
from ..errors import (
    ConvergenceError,
    NotFittedError,
    ParameterError,
    ToolkitError,
    UnknownNameError,
)
from ..formatting import html_table
from ..i18n import get_language, localize, register, register_patterns, tr
from ._common import (
    LABEL_STYLE,
    FigureAndTables,
    SyncGuard,
    add_setting_properties,
    figure_png,
    row,
    stylesheet,
    wire_controls,
)

register({
    "widget.model.customer": {"en": "customer id", "zh": "客户编号"},
    "widget.model.placeholder": {"en": "type or pick an id", "zh": "输入或选择编号"},
    "widget.model.horizon": {"en": "horizon ({period}s)", "zh": "时间跨度（{period}）"},
    "widget.model.discount_rate": {"en": "discount rate / {period}", "zh": "折现率 / {period}"},
    "widget.model.margin": {"en": "margin", "zh": "毛利率"},
    "widget.model.figure_title": {"en": "Customer {customer} ({model})", "zh": "客户 {customer}（{model}）"},
    "widget.model.not_sound": {"en": "Model not sound for these data: do not quote P(alive) or CLV (see the warning)",
                               "zh": "模型不适用于这些数据：请勿引用 P(存活) 或 CLV（见警告）"},
    "widget.model.key_numbers": {
        "en": "Customer {customer}: P(alive) {p_alive} | expected purchases in the next {horizon} {units} {expected} | "
              "CLV {clv} (above {pct} of customers) || base: {customers} customers, CLV total {total}, mean {mean} "
              "({what}; {horizon} {units}, {rate} per {unit}, margin {margin})",
        "zh": "客户 {customer}：存活概率 {p_alive} | 未来 {horizon} {units}的预期购买次数 {expected} | CLV {clv}"
              "（高于 {pct} 的客户）|| 全体：{customers} 位客户，CLV 合计 {total}，均值 {mean}（{what}；{horizon} {units}，"
              "每{unit}折现率 {rate}，毛利率 {margin}）"},
    "widget.model.value": {"en": "value", "zh": "金额"},
    "widget.model.discounted": {"en": "discounted purchases x margin", "zh": "折现购买次数 × 毛利率"},
    "widget.model.naive": {"en": " || naive forecast (past rate and spend kept): CLV total {total}, mean {mean}",
                           "zh": " || 朴素预测（保持过去的购买率与消费额）：CLV 合计 {total}，均值 {mean}"},
    "widget.model.course": {"en": " || course CLV: total {total}, mean {mean}", "zh": " || 课程 CLV：合计 {total}，均值 {mean}"},
})
register_patterns("zh", [
    (r"customer (?P<c>.+?) is not in the summary; kept customer (?P<k>.+)",
     lambda m: f"客户 {m['c']} 不在客户汇总表中；仍显示客户 {m['k']}"),
])
#: Names of the time units in Chinese (the period of the horizon and of the discount rate).
_UNIT_ZH = {"D": "天", "W": "周", "M": "个月"}

# issue #21: the selected customer's intervals and the period-transactions fit check
register({
    "widget.model.intervals": {
        "en": "{level} interval (from the uncertainty of the model's parameters): P(alive) {p_alive} | expected "
              "purchases {expected} | CLV {clv}. Two customers whose intervals overlap cannot be ranked with "
              "confidence.",
        "zh": "{level} 区间（来自模型参数估计的不确定性）：存活概率 P(alive) {p_alive} | 预期购买次数 {expected} | "
              "CLV {clv}。两位客户的区间若有重叠，就不能有把握地判断谁的价值更高。"},
    "widget.model.no_intervals": {
        "en": "No intervals: this model has no standard errors (built from given parameters, or some parameter is "
              "not identified).",
        "zh": "无区间：该模型没有标准误（参数是直接给定的，或有参数不可识别）。"},
    "widget.model.fit_check": {"en": "Fit check (period transactions): {verdict}",
                               "zh": "拟合检验（各重复购买次数的客户数）：{verdict}"},
    "widget.model.fit_check_na": {
        "en": "Fit check (period transactions): not available for this model (it needs BG/NBD, MBG/NBD or "
              "Pareto/NBD without covariates, on the summary it was fitted on).",
        "zh": "拟合检验（各重复购买次数的客户数）：此模型无法进行（需要不含协变量的 BG/NBD、MBG/NBD 或 Pareto/NBD，"
              "并使用其拟合所用的客户汇总表）。"},
    # the verdict in Chinese (English shows period_transactions' own verdict sentence)
    "widget.model.fit_good": {
        "en": "chi-square {chi2:.1f} on {df} df, {p}: the differences are within chance.",
        "zh": "卡方 {chi2:.1f}，自由度 {df}，{p}：差异在随机波动范围内，模型再现了校准期内重复购买 0、1、2……次的"
              "客户数。"},
    "widget.model.fit_rough": {
        "en": "chi-square {chi2:.1f} on {df} df, {p}: a rough fit; the largest gap is at {worst} repeat "
              "purchases ({actual:,.0f} customers, {expected:,.1f} expected).",
        "zh": "卡方 {chi2:.1f}，自由度 {df}，{p}：模型只能大致再现重复购买次数的分布；差距最大处为 {worst} 次"
              "（实际 {actual:,.0f} 位客户，预期 {expected:,.1f} 位）。"},
    "widget.model.fit_poor": {
        "en": "chi-square {chi2:.1f} on {df} df, {p}: a poor fit; the largest gap is at {worst} repeat "
              "purchases ({actual:,.0f} customers, {expected:,.1f} expected).",
        "zh": "卡方 {chi2:.1f}，自由度 {df}，{p}：模型未能再现重复购买次数的分布；差距最大处为 {worst} 次"
              "（实际 {actual:,.0f} 位客户，预期 {expected:,.1f} 位）。"},
    "widget.model.fit_few": {
        "en": "too few bins to test ({df} df after pooling); compare the columns by eye.",
        "zh": "合并预期不足 5 位客户的分组后自由度只剩 {df}，无法检验；请直接比较实际与预期两列。"},
})
#: Coverage of the selected customer's intervals, parameter draws behind them, and their seed.
INTERVAL_LEVEL = 0.8
INTERVAL_DRAWS = 200
INTERVAL_SEED = 0

__all__ = ["ModelExplorerState", "model_explorer", "SETTINGS"]

#: Settings the state understands (``update(**settings)``).
SETTINGS = ("customer", "horizon", "discount_rate", "margin")

_UNIT_NAMES = {"D": "day", "W": "week", "M": "month"}
_MAX_HORIZON = 120


def _unit_name(unit, plural=False):
    name = _UNIT_NAMES.get(unit, f"{unit} unit" if unit else "time unit")
    return name + ("s" if plural else "")


class ModelExplorerState:
    """Settings and results of the model explorer; no widgets here, so it is testable headlessly.

    Parameters
    ----------
    model : fitted BetaGeo, ModifiedBetaGeo or ParetoNBD
        Fitted once, before the tool is built.
    summary : pandas.DataFrame
        The customer summary the model predicts for (``frequency``, ``recency``, ``T``, indexed by
        ``customer_id``), e.g. the calibration summary it was fitted on.
    transactions : toolkit.Transactions, optional
        The log behind ``summary``. With it, P(alive) is traced over the customer's real purchase times, and
        purchases after the summary's end (a holdout) are shown next to the forecast. Without it, P(alive) is
        traced from her last purchase only (the summary does not hold the earlier purchase times).
    spend : fitted GammaGamma, pandas.Series, float or None, default None
        Expected spend per purchase (see :func:`~toolkit.clv.models.customer_lifetime_value`). A GammaGamma
        model's ``expected_spend`` is computed once here. None: 1.0, i.e. CLV counts discounted purchases
        times the margin.
    period : float or {"D", "W", "M"}, optional
        Length of one period of the horizon and the discount rate. Default ``"M"`` (months) when the model
        knows its time unit, else 1 model time unit.
    customer : customer id, optional
        Default: the most frequent repeat buyer (ties: the higher ``recency``, then the first id).
    horizon : int, default 12
        Periods of future purchases in the CLV and the forecast.
    discount_rate : float, default 0.01
        Discount rate per period (0.01 a month is about 12.7% a year).
    margin : float, default 1.0
        Share of spend that is profit.
    n_points : int, default 200
        Points of the P(alive) curve.
    evaluation : toolkit.clv.evaluation.EvaluationReport, optional
        The holdout check of this model (``evaluate_model``). When it is not sound, the warning says why.
    course_clv : pandas.Series or DataFrame, optional
        Course CLV per customer (``toolkit.clv.customer_values(...)``, its ``clv`` column, or a Series), shown
        beside the model's CLV when the model is not sound.
    currency : str, default "$"
        Money sign in the key numbers ("" for none; CDNOW, lesson 04's data, is in dollars).

    Attributes
    ----------
    p_alive : pandas.Series
        ``model.p_alive(summary)``, once.
    spend_values : pandas.Series
        Expected spend per purchase of every customer (once).
    clv : pandas.Series
        ``customer_lifetime_value(model, summary, spend_values, horizon=, period=, discount_rate=, margin=)``.
    history : pandas.DataFrame
        ``model.p_alive_history(...)`` of the selected customer up to the summary's end (her age ``T``).
    projection : pandas.DataFrame
        ``model.p_alive_history(..., at=...)`` from her ``T`` to ``T + horizon``: P(alive) if she does not buy
        again.
    forecast : pandas.DataFrame
        ``time`` (model units after the summary's end), ``period`` and ``expected_purchases`` (cumulative,
        ``model.conditional_expected_purchases``) over the horizon.
    actual : pandas.DataFrame or None
        ``time`` and ``purchases`` (cumulative purchase days) after the summary's end, when the log goes on.
    error : str
        Why the last change could not be applied ("" when it was).
    sound : bool
        The model's parameters are identified (``model.identified_``) and, when an ``evaluation`` was given, it
        is sound (beats the naive forecast on the holdout).
    problems : list of str
        Why not, in plain words (empty when sound).
    naive : pandas.Series
        CLV of the naive forecast under the current horizon, discount rate and margin.
    n_updates, n_clv_updates : int
        Recomputations in total, and of the base CLV (tests use them).
    intervals : pandas.DataFrame or None
        The selected customer's ``p_alive``, ``expected_purchases`` (over the horizon) and ``clv`` (rows) with
        ``estimate``, ``lower``, ``upper`` (columns): an :data:`INTERVAL_LEVEL` interval from
        :func:`toolkit.clv.customer_intervals` (normal draws of the parameters, :data:`INTERVAL_DRAWS` draws,
        seed :data:`INTERVAL_SEED`; a Gamma-Gamma spend model's uncertainty is drawn too). Computed for the
        selected customer when she or the settings change, and cached. None when the model has no standard
        errors (built with ``from_params``, or a parameter is not identified).
    fit_check : toolkit.clv.diagnostics.PeriodTransactions or None
        ``period_transactions(model, summary)``, once: actual vs expected customers by number of repeat
        purchases, with a chi-square test. None when the check does not apply (a model with covariates, or
        another model class).
    fit_verdict : str
        ``fit_check.verdict`` ("" when there is no check).
    n_interval_updates : int
        Intervals computed (not taken from the cache).
    """

    def __init__(self, model, summary, transactions=None, *, spend=None, period=None, customer=None, horizon=12,
                 discount_rate=0.01, margin=1.0, n_points=200, evaluation=None, course_clv=None, currency="$"):
        model._check_fitted()
        self.currency = str(currency)
        self.model = model
        self.summary = summary
        self.transactions = transactions
        self.n_points = int(n_points)
        self.time_unit = summary.attrs.get("time_unit") or getattr(model, "time_unit_", None)
        if period is None:
            period = "M" if self.time_unit in DAYS_PER_UNIT else 1.0
        self.period = period
        if isinstance(period, str):
            if self.time_unit not in DAYS_PER_UNIT or period not in DAYS_PER_UNIT:
                raise ParameterError(f"period={period!r} needs a model time unit in {list(DAYS_PER_UNIT)} "
                                     f"(got {self.time_unit!r}); pass period as a number of model time units.",
                                     parameter="period", value=period)
            self.period_length = DAYS_PER_UNIT[period] / DAYS_PER_UNIT[self.time_unit]
        else:
            self.period_length = float(period)
        # -- heavy part, once ------------------------------------------------------------------------
        self.p_alive = model.p_alive(summary)
        if spend is None:
            self.spend_values = pd.Series(1.0, index=summary.index, name="spend")
            self.money = False
        elif hasattr(spend, "expected_spend"):
            self.spend_values = spend.expected_spend(summary).rename("spend")
            self.money = True
        elif isinstance(spend, pd.Series):
            self.spend_values = spend.reindex(summary.index).astype(np.float64).rename("spend")
            self.money = True
        else:
            self.spend_values = pd.Series(float(spend), index=summary.index, name="spend")
            self.money = True
        # the intervals draw a fitted Gamma-Gamma's parameters too; any other spend is fixed
        self._interval_spend = spend if getattr(spend, "hessian_", None) is not None else None
        self.interval_level = INTERVAL_LEVEL
        self.intervals, self.n_interval_updates, self._interval_cache = None, 0, {}
        self.fit_check = _fit_check(model, summary)
        self.fit_verdict = self.fit_check.verdict if self.fit_check is not None else ""
        self.problems = []
        if not model.identified_:
            self.problems.append(model.identification_problem)
        if evaluation is not None and not getattr(evaluation, "sound", True):
            self.problems += [p for p in evaluation.problems if p not in self.problems]
        self.sound = not self.problems
        if isinstance(course_clv, pd.DataFrame):
            course_clv = course_clv["clv"]
        self.course_clv = None if course_clv is None else pd.Series(course_clv, dtype=np.float64)
        # the naive forecast's spend: her own mean repeat spend when money is shown, as in the report
        self._naive_spend = (summary["monetary_value"] if self.money and "monetary_value" in summary.columns
                             else self.spend_values)
        self.naive = None
        self._ids = {str(c): c for c in summary.index}
        self.settings = {"customer": None, "horizon": 12, "discount_rate": 0.01, "margin": 1.0}
        self.error, self.n_updates, self.n_clv_updates = "", 0, 0
        self.clv = None
        self._values = None
        if customer is None:
            customer = self.default_customer()
        self.update(customer=customer, horizon=horizon, discount_rate=discount_rate, margin=margin)
        if self.n_updates == 0:
            raise ParameterError(f"ModelExplorerState: {self.error}")

    # -- settings ----------------------------------------------------------------------------------
    def default_customer(self):
        """The most frequent repeat buyer (ties: larger ``recency``, then the first id)."""
        s = self.summary
        order = np.lexsort((-s["recency"].to_numpy(dtype=np.float64), -s["frequency"].to_numpy(dtype=np.float64)))
        return s.index[order[0]]

    def ranked_customers(self, limit=2000):
        """Customer ids by frequency (largest first), at most ``limit`` of them: the menu of the view."""
        s = self.summary
        order = np.lexsort((-s["recency"].to_numpy(dtype=np.float64), -s["frequency"].to_numpy(dtype=np.float64)))
        return list(s.index[order[:limit]])

    def lookup(self, customer):
        """The summary's id for ``customer`` (an id or its text, as typed in the view), or None."""
        if customer in self.summary.index:
            return customer
        return self._ids.get(str(customer).strip())

    def update(self, **changes):
        """Change settings (any of :data:`SETTINGS`) and recompute what they affect. Returns self.

        Invalid values (unknown customer, horizon < 1, discount rate outside [0, 1], margin outside [0, 1]) keep
        the previous settings and results and set :attr:`error`.
        """
        unknown = set(changes) - set(SETTINGS)
        if unknown:
            raise UnknownNameError(f"unknown model explorer setting(s) {sorted(unknown)}; choose from {list(SETTINGS)}")
        new = {**self.settings, **changes}
        if "customer" in changes:
            found = self.lookup(changes["customer"])
            if found is None:
                self.error = f"customer {changes['customer']!r} is not in the summary; kept customer {self.customer!r}"
                return self
            new["customer"] = found
        problem = self._invalid(new)
        if problem:
            self.error = problem
            return self
        old, self.settings = self.settings, new
        self.error = ""
        value_changed = self.clv is None or any(old[k] != new[k] for k in ("horizon", "discount_rate", "margin"))
        if value_changed:
            horizon = int(new["horizon"])
            if self._values is None or horizon > self._values.max_horizon:
                # expected purchases per pattern and period, once; slider moves then cost a matrix product
                self._values = ModelCLV(self.model, self.summary, self.spend_values, period=self.period,
                                        max_horizon=max(_MAX_HORIZON, horizon))
            self.clv = self._values.clv(horizon=horizon, discount_rate=float(new["discount_rate"]),
                                        margin=float(new["margin"]))
            self.naive = naive_clv(self.summary.assign(monetary_value=self._naive_spend), horizon=horizon,
                                   period=self.period_length, discount_rate=float(new["discount_rate"]),
                                   margin=float(new["margin"]))
            self.n_clv_updates += 1
        if value_changed or old["customer"] != new["customer"]:
            self._customer_curves()
            self._customer_intervals()
        self.n_updates += 1
        return self

    @staticmethod
    def _invalid(s) -> str:
        h = s["horizon"]
        if isinstance(h, bool) or not isinstance(h, (int, np.integer)) or not 1 <= h <= 10 * _MAX_HORIZON:
            return f"horizon must be a whole number of periods >= 1, got {h!r}; kept the previous value"
        d = s["discount_rate"]
        if not (isinstance(d, (int, float, np.floating)) and not isinstance(d, bool) and 0 <= d <= 1):
            return f"discount_rate must be a finite number in [0, 1] per period, got {d!r}; kept the previous value"
        m = s["margin"]
        if not (isinstance(m, (int, float, np.floating)) and not isinstance(m, bool) and 0 <= m <= 1):
            return f"margin must be a share between 0 and 1, got {m!r}; kept the previous value"
        return ""

    # -- the selected customer ----------------------------------------------------------------------
    def purchase_times(self, customer=None):
        """Her purchase times in model time units since her first purchase, and those after her ``T``.

        Returns ``(times, later)``: distinct purchase days up to the summary's end, and after it. Without a
        log, ``times`` is a stand-in with the right count, first (0) and last (``recency``) purchase; only
        its values from ``recency`` on are meaningful, and ``later`` is empty.
        """
        cid = self.customer if customer is None else customer
        row = self.summary.loc[cid]
        x, recency, T = float(row["frequency"]), float(row["recency"]), float(row["T"])
        tx = self.transactions
        if tx is None:
            return np.linspace(0.0, recency, int(x) + 1), np.zeros(0)
        arr = tx.arrays
        unit = self.time_unit or tx.time_unit
        i = int(np.searchsorted(arr.customer_id, cid))
        if i >= len(arr.customer_id) or arr.customer_id[i] != cid:
            raise UnknownNameError(f"customer {cid!r} is in the summary but not in the transactions.")
        days = np.unique(np.asarray(arr.day[arr.offsets[i]:arr.offsets[i + 1]]))
        rel = (days - days[0]) / DAYS_PER_UNIT[unit]
        upto = rel <= T + 1e-9
        return rel[upto], rel[~upto] - T

    def _customer_curves(self):
        cid = self.customer
        row = self.summary.loc[[cid]]
        T = float(row["T"].iloc[0])
        recency = float(row["recency"].iloc[0])
        times, later = self.purchase_times(cid)
        length = self.horizon * self.period_length
        if self.transactions is None:
            at = np.linspace(recency, T, self.n_points)
            self.history = self.model.p_alive_history(times, at=at)
        else:
            self.history = self.model.p_alive_history(times, end=T, n_points=self.n_points)
        self.projection = self.model.p_alive_history(times, at=T + np.linspace(0.0, length, self.n_points))
        periods = np.arange(0, self.horizon + 1)
        t = periods * self.period_length
        expected = np.zeros(len(t))
        rows = self.summary.loc[[cid] * (len(t) - 1)]
        expected[1:] = self.model.conditional_expected_purchases(rows, t[1:]).to_numpy()
        self.forecast = pd.DataFrame({"time": t, "period": periods, "expected_purchases": expected})
        self.actual = None
        tx = self.transactions
        if tx is not None:
            end = self.summary.attrs.get("observation_end")
            if end is not None and tx.observation_end > pd.Timestamp(end):
                seen = min(length, (tx.observation_end - pd.Timestamp(end)).days / DAYS_PER_UNIT[self.time_unit])
                inside = np.sort(later[later <= seen])
                self.actual = pd.DataFrame({"time": np.concatenate([[0.0], inside, [seen]]),
                                            "purchases": np.concatenate([[0], np.arange(1, len(inside) + 1),
                                                                         [len(inside)]])})

    def _customer_intervals(self):
        """Her P(alive), expected purchases and CLV with intervals, from the cache or computed once."""
        s = self.settings
        key = (self.customer, int(s["horizon"]), float(s["discount_rate"]), float(s["margin"]))
        if key not in self._interval_cache:
            if len(self._interval_cache) >= 512:  # a long session: forget the oldest settings
                self._interval_cache.pop(next(iter(self._interval_cache)))
            self._interval_cache[key] = self._compute_intervals()
            self.n_interval_updates += 1
        self.intervals = self._interval_cache[key]

    def _compute_intervals(self):
        cid = self.customer
        row = self.summary.loc[[cid]]
        common = {"levels": (self.interval_level,), "n_draws": INTERVAL_DRAWS, "seed": INTERVAL_SEED}
        spend = self._interval_spend if self._interval_spend is not None else self.spend_values.loc[[cid]]
        try:
            parts = {
                "p_alive": customer_intervals(self.model, row, quantity="p_alive", **common),
                "expected_purchases": customer_intervals(self.model, row, quantity="expected_purchases",
                                                         t=self.horizon * self.period_length, **common),
                "clv": customer_intervals(self.model, row, quantity="clv", spend_model=spend, horizon=self.horizon,
                                          period=self.period, discount_rate=float(self.discount_rate),
                                          margin=float(self.margin), **common),
            }
        except (NotFittedError, ConvergenceError):  # no Hessian (from_params) or not positive definite
            return None
        name = f"{100.0 * self.interval_level:g}"
        return pd.DataFrame({"estimate": [float(f.iloc[0, 0]) for f in parts.values()],
                             "lower": [float(f[f"lower_{name}"].iloc[0]) for f in parts.values()],
                             "upper": [float(f[f"upper_{name}"].iloc[0]) for f in parts.values()]},
                            index=pd.Index(list(parts), name="quantity"))

    # -- what the view shows ----------------------------------------------------------------------
    @property
    def period_name(self) -> str:
        """Name of one period, e.g. "month" (or "1.5 weeks" for a numeric period)."""
        if isinstance(self.period, str):
            return _unit_name(self.period)
        return f"{self.period_length:g} {_unit_name(self.time_unit, plural=self.period_length != 1)}"

    def customer_values(self) -> pd.Series:
        """The selected customer's numbers: P(alive), expected purchases over the horizon, spend, CLV, rank."""
        cid = self.customer
        clv = float(self.clv.loc[cid])
        return pd.Series({
            "frequency": float(self.summary.loc[cid, "frequency"]),
            "p_alive": float(self.p_alive.loc[cid]),
            "expected_purchases": float(self.forecast["expected_purchases"].iloc[-1]),
            "spend": float(self.spend_values.loc[cid]),
            "clv": clv,
            "clv_percentile": float((self.clv < clv).mean()),
        }, name=cid)

    def base_values(self) -> pd.Series:
        """The base's CLV: customers, total, mean, median, and the share held by the top 10%."""
        values = self.clv.to_numpy()
        top = np.sort(values)[::-1][: max(1, int(math.ceil(0.1 * len(values))))]
        total = float(values.sum())
        return pd.Series({"customers": len(values), "total": total, "mean": float(values.mean()),
                          "median": float(np.median(values)), "top_10pct_share": float(top.sum() / total)
                          if total > 0 else float("nan")})

    def key_numbers(self) -> str:
        """One line of headline numbers for the selected customer and the base.

        When the model is not sound, the naive forecast's CLV (and the course CLV, when given) follow the
        model's, so the reader sees the alternatives beside the number she should not quote.
        """
        c, b = self.customer_values(), self.base_values()
        cur = self.currency if self.money else ""
        return self._key_numbers_text(c, b, cur)

    def _key_numbers_text(self, c, b, cur) -> str:
        unit = _period_label(self)
        units = unit + "s" if get_language() == "en" else unit
        line = tr("widget.model.key_numbers").format(
            customer=self.customer, p_alive=f"{c['p_alive']:.2f}", horizon=self.horizon, unit=unit, units=units,
            expected=f"{c['expected_purchases']:.2f}", clv=f"{cur}{c['clv']:,.2f}", pct=f"{c['clv_percentile']:.0%}",
            customers=f"{int(b['customers']):,}", total=f"{cur}{b['total']:,.0f}", mean=f"{cur}{b['mean']:,.2f}",
            what=tr("widget.model.value" if self.money else "widget.model.discounted"),
            rate=f"{self.discount_rate:.2%}", margin=f"{self.margin:.0%}")
        if not self.sound:
            naive = self.naive
            line += tr("widget.model.naive").format(total=f"{cur}{float(naive.sum()):,.0f}",
                                                    mean=f"{cur}{float(naive.mean()):,.2f}")
            if self.course_clv is not None:
                course = self.course_clv.reindex(self.summary.index)
                line += tr("widget.model.course").format(total=f"{cur}{float(course.sum()):,.0f}",
                                                         mean=f"{cur}{float(course.mean()):,.2f}")
        return line

    @property
    def warning(self) -> str:
        """Plain-language warning when the model is not sound ("" when it is): the same judgement as the report."""
        if self.sound:
            return ""
        instead = ("the course CLV or the naive forecast below" if self.course_clv is not None
                   else "the naive forecast below")
        return ("Do not quote this model's P(alive) or CLV: " + "; and ".join(self.problems)
                + f". Use {instead} instead.")

    def warning_html(self) -> str:
        """:attr:`warning` as an HTML snippet ("" when the model is sound)."""
        return (f"<b style='color:#b71c1c'>⚠ {html.escape(localize(self.warning))}</b>" if self.warning else "")

    def message(self) -> str:
        """The last error as an HTML snippet ("" when all is well)."""
        return f"<span style='color:#b71c1c'>⚠ {html.escape(localize(self.error))}</span>" if self.error else ""

    def interval_text(self) -> str:
        """The selected customer's intervals in one line (or why there are none), in the current language."""
        iv = self.intervals
        if iv is None:
            return tr("widget.model.no_intervals")
        cur = self.currency if self.money else ""
        lo, hi = iv["lower"], iv["upper"]
        return tr("widget.model.intervals").format(
            level=f"{self.interval_level:.0%}", p_alive=f"{lo['p_alive']:.2f}–{hi['p_alive']:.2f}",
            expected=f"{lo['expected_purchases']:.2f}–{hi['expected_purchases']:.2f}",
            clv=f"{cur}{lo['clv']:,.2f}–{cur}{hi['clv']:,.2f}")

    def fit_check_text(self) -> str:
        """The period-transactions verdict in one line, in the current language."""
        pt = self.fit_check
        if pt is None:
            return tr("widget.model.fit_check_na")
        if get_language() == "en":
            verdict = pt.verdict
        elif not np.isfinite(pt.p_value):
            verdict = tr("widget.model.fit_few").format(df=pt.df)
        else:
            gap = (pt.table["actual"] - pt.table["expected"]).abs()
            worst = gap.idxmax()
            key = "fit_good" if pt.p_value >= 0.05 else "fit_rough" if pt.p_value >= 0.01 else "fit_poor"
            verdict = tr(f"widget.model.{key}").format(
                chi2=pt.chi_square, df=pt.df, p=p_value_text(pt.p_value), worst=worst,
                actual=float(pt.table.loc[worst, "actual"]), expected=float(pt.table.loc[worst, "expected"]))
        return tr("widget.model.fit_check").format(verdict=verdict)


add_setting_properties(ModelExplorerState, SETTINGS)


def _fit_check(model, summary):
    """``period_transactions(model, summary)``, or None where it does not apply (covariates, other models)."""
    try:
        return period_transactions(model, summary)
    except (TypeError, ValueError, ToolkitError):
        return None


def _period_label(state) -> str:
    """The period of the horizon and discount rate as the view names it: ``period_name`` in English, else the
    unit in the current language ("个月", or "1.5 周" for a numeric period)."""
    if get_language() == "en":
        return state.period_name
    if isinstance(state.period, str):
        return _UNIT_ZH.get(state.period, state.period)
    return f"{state.period_length:g} {_UNIT_ZH.get(state.time_unit, state.time_unit or '')}"


def _figure_png(state) -> bytes:
    """The customer's figure as PNG bytes (a standalone Figure: no pyplot registry, nothing shown twice)."""
    from ..plotting import models as model_plots

    unit = (_unit_name(state.time_unit, plural=True) if get_language() == "en"
            else _UNIT_ZH.get(state.time_unit, state.time_unit or "").lstrip("个"))
    fig = model_plots.model_explorer_figure(
        state.history, state.forecast, projection=state.projection, actual=state.actual, time_label=unit,
        title=tr("widget.model.figure_title").format(customer=state.customer, model=type(state.model).__name__),
        warning=tr("widget.model.not_sound") if not state.sound else None)
    return figure_png(fig)


def _draw(state, output, plots):
    """The customer's figure and numbers into ``output`` (a :class:`FigureAndTables`)."""
    values = state.customer_values().to_frame().T.rename_axis("customer_id")
    # the report's formatter: P(alive) and percentile as %, CLV as money, never e+
    table = html_table(values, kinds={"spend": "money" if state.money else "number",
                                      "clv": "money" if state.money else "number",
                                      "clv_percentile": "share", "frequency": "count"})
    output.show(_figure_png(state) if plots else None, table)


def model_explorer(model, summary, transactions=None, *, spend=None, period=None, plots=True, max_options=2000,
                   evaluation=None, course_clv=None, currency="$", **initial):
    """Build (not display) the model explorer.

    Parameters
    ----------
    model : fitted BetaGeo, ModifiedBetaGeo or ParetoNBD
        Fitted once, outside the tool.
    summary : pandas.DataFrame
        Customers to explore (``frequency``, ``recency``, ``T``), indexed by ``customer_id``.
    transactions : toolkit.Transactions, optional
        The log behind ``summary`` (P(alive) over her real purchase times; purchases after the summary's
        end next to the forecast).
    spend, period, evaluation, course_clv, currency
        See :class:`ModelExplorerState`.
    plots : bool, default True
        Draw the customer's figure; False shows the numbers only.
    max_options : int, default 2000
        Customers offered in the picker's list (most frequent first); any id of the summary can be typed.
    **initial
        Initial settings: ``customer``, ``horizon``, ``discount_rate``, ``margin``.

    Returns
    -------
    ipywidgets.VBox
        With attributes ``model`` (:class:`ModelExplorerState`), the controls ``customer`` (Combobox),
        ``horizon`` (IntSlider, periods), ``discount_rate`` (FloatSlider, per period), ``margin``
        (FloatSlider), and ``warning`` (HTML, the model's soundness warning; empty when sound),
        ``key_numbers`` (HTML), ``message`` (HTML), ``output`` (VBox: the figure and the customer's numbers),
        ``intervals`` (HTML: her P(alive), expected purchases and CLV with an 80% interval), ``fit_check`` (HTML: the
        period-transactions verdict, computed once), ``n_redraws``.
        CSS classes ``cvt-model-<name>`` (e.g. ``cvt-model-horizon``, ``cvt-model-output``) are stable hooks
        for browser tests; the box has ``cvt-model-explorer``.
    """
    import ipywidgets as ipw

    unknown = set(initial) - set(SETTINGS)
    if unknown:
        raise TypeError(f"model_explorer got unknown setting(s) {sorted(unknown)}; choose from {list(SETTINGS)}")
    state = ModelExplorerState(model, summary, transactions, spend=spend, period=period, evaluation=evaluation,
                               course_clv=course_clv, currency=currency, **initial)
    p = _period_label(state)
    style = LABEL_STYLE
    layout = ipw.Layout(width="440px", max_width="100%")
    controls = {
        "customer": ipw.Combobox(value=str(state.customer), options=[str(c) for c in
                                 state.ranked_customers(max_options)], ensure_option=False,
                                 description=tr("widget.model.customer"),
                                 placeholder=tr("widget.model.placeholder"), style=style,
                                 continuous_update=False, layout=layout),
        "horizon": ipw.IntSlider(value=state.horizon, min=1, max=max(_MAX_HORIZON, state.horizon),
                                 description=tr("widget.model.horizon").format(period=p), continuous_update=False,
                                 style=style, layout=layout),
        "discount_rate": ipw.FloatSlider(value=state.discount_rate, min=0.0, max=max(0.1, state.discount_rate),
                                         step=0.001, readout_format=".3f",
                                         description=tr("widget.model.discount_rate").format(period=p),
                                         continuous_update=False, style=style, layout=layout),
        "margin": ipw.FloatSlider(value=state.margin, min=0.0, max=1.0, step=0.01, readout_format=".2f",
                                  description=tr("widget.model.margin"), continuous_update=False, style=style, layout=layout),
    }
    warning = ipw.HTML(value=state.warning_html())
    key_numbers = ipw.HTML(value=html.escape(state.key_numbers()), layout=ipw.Layout(max_width="100%"))
    message = ipw.HTML(value=state.message())
    intervals = ipw.HTML(value=html.escape(state.interval_text()), layout=ipw.Layout(max_width="100%"))
    fit_check = ipw.HTML(value=html.escape(state.fit_check_text()), layout=ipw.Layout(max_width="100%"))
    drawing = FigureAndTables(ipw)
    output = drawing.box
    box = ipw.VBox()
    box.n_redraws = 0
    syncing = SyncGuard()

    def redraw():
        box.n_redraws += 1
        key_numbers.value = html.escape(state.key_numbers())
        intervals.value = html.escape(state.interval_text())
        message.value = state.message()
        _draw(state, drawing, plots)

    def on_change(change):
        if syncing.on:
            return
        name = change["owner"]._cvt_name
        value = change["new"]
        if name == "customer" and not str(value).strip():
            return  # the box was cleared while typing
        state.update(**{name: value})
        if state.error and name == "customer":  # rejected: show the customer still in use
            with syncing:
                controls["customer"].value = str(state.customer)
        redraw()

    wire_controls(controls, "model", on_change, attach_to=box)
    for widget, css in ((warning, "warning"), (key_numbers, "key-numbers"), (message, "message"), (output, "output"),
                        (intervals, "intervals"), (fit_check, "fit-check"), (box, "explorer")):
        widget.add_class(f"cvt-model-{css}")
    box.children = [stylesheet(ipw), warning, row(ipw, [controls["customer"], controls["horizon"]]),
                    row(ipw, [controls["discount_rate"], controls["margin"]]), key_numbers, intervals, fit_check,
                    message, output]
    box.model = state
    box.controls = controls
    box.warning = warning
    box.key_numbers = key_numbers
    box.message = message
    box.output = output
    box.intervals = intervals
    box.fit_check = fit_check
    redraw()
    return box
