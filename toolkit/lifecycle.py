"""Customer lifecycle: stages, lifecycle patterns, transitions and early warning, from transactions alone.

The course describes a customer relationship in four stages — exploration (考察期), formation (形成期),
stability (稳定期) and deterioration (退化期) — followed by loss, and four lifecycle patterns: early abortion
(早期流产型, lost right after the first purchase or trial), mid-term abortion (中期夭折型, lost during formation),
early exit (提前退出型, reached stability but left before the expected loyal duration) and long-term retention
(长久保持型).

How it works
------------
1. :func:`lifecycle_features` runs one numba pass over the customer arrays at one or many snapshot days:
   tenure, purchase days so far, days since the last purchase, active span (first to last purchase), purchase
   days in a recent window against the customer's own baseline rate (with a Poisson test of the drop), spend
   trend, and P(alive) when a fitted purchase model is given. Features are cached; thresholds are not in them.
2. :class:`LifecycleClassifier` learns its thresholds from the data (``fit``) and applies documented rules
   (a cheap kernel): every stage and pattern comes with the rule that fired and its numbers (``explain``).
3. Patterns are called only when the data allow it: a customer who is still active and has not yet been
   stable for the expected loyal duration is "too early to tell" — never a forced guess.

Durations are in days throughout (columns end in ``_days``); purchases are counted on distinct calendar days
as in :func:`toolkit.customer_summary`.
"""

from __future__ import annotations

import html
import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._kernels._arrays import readonly
from .config import DAYS_PER_UNIT
from .errors import (
    DataQualityError,
    DataQualityWarning,
    NotFittedError,
    ParameterError,
    SchemaError,
    UnknownNameError,
)
from .i18n import Sentence, tr

__all__ = [
    "STAGES", "PATTERNS", "TOO_EARLY", "STAGE_RULES", "PATTERN_RULES", "ACTIONS",
    "LifecycleFeatures", "lifecycle_features", "snapshot_dates", "LifecycleClassifier", "LifecycleResult",
    "AccuracyReport", "lifecycle_accuracy", "MigrationResult", "stage_migration", "stage_flows", "stage_mix",
    "segment_migration", "early_warning", "suggested_actions", "CustomerTimeline", "customer_timeline",
]

#: Stages in order (codes 0..4); -1 in the code arrays means "not yet a customer".
STAGES = ("exploration", "formation", "stability", "deterioration", "lost")
#: Lifecycle patterns (codes 0..3), same names as ``toolkit.datasets.PATTERNS``.
PATTERNS = ("early_abortion", "mid_term_abortion", "early_exit", "long_term_retention")
#: Label (code 4) of a customer whose pattern cannot be known yet (right-censored).
TOO_EARLY = "too_early_to_tell"
#: Stage rule names (index = rule code in the kernel), in the order the rules are tried.
STAGE_RULES = ("not_yet_customer", "lost_gap", "lost_rhythm", "lost_p_alive", "deterioration_lapse",
               "deterioration_drop", "exploration_age", "exploration_one_purchase", "formation", "stability")
#: Pattern rule names (index = rule code in the kernel).
PATTERN_RULES = ("not_yet_customer", "early_abortion_one_purchase", "early_abortion_two_purchases",
                 "mid_term_abortion", "early_exit", "long_term_retention_lost", "long_term_retention_active",
                 "too_early_to_tell")
_PATTERN_LABELS = PATTERNS + (TOO_EARLY,)

#: Suggested actions per stage and pattern (the course's playbook).
ACTIONS = pd.DataFrame(
    [
        ("stage", "exploration", "Lower first-purchase barriers: trial sizes, first-order coupons, clear onboarding "
         "and a fast, reliable first delivery."),
        ("stage", "formation", "Cross-sell and build the habit: recommend complementary categories, invite to the "
         "membership, a second-order incentive timed to her purchase cycle."),
        ("stage", "stability", "Loyalty programme: points and tiers, VIP service, early access, referral rewards; "
         "avoid blanket discounts to customers who buy anyway."),
        ("stage", "deterioration", "Act on the early warning: find the cause (complaint, moved, need ended), "
         "service recovery, a personal reactivation offer sized to her value at risk."),
        ("stage", "lost", "Win-back campaign for valuable lost customers (what changed, a reason to return); "
         "let low-value ones go."),
        ("pattern", "early_abortion", "Fix the first experience and lower first-purchase barriers; check acquisition "
         "channels that bring one-off bargain hunters (e.g. the one-yuan promotion)."),
        ("pattern", "mid_term_abortion", "Strengthen formation: onboarding journeys, cross-sell, resolve service "
         "issues before the relationship settles."),
        ("pattern", "early_exit", "Protect stable customers: loyalty programme, monitor the early-warning list, "
         "service recovery and win-back when activity drops."),
        ("pattern", "long_term_retention", "Reward and grow: VIP care, loyalty tiers, referral programme, "
         "cross-sell into the next life stage."),
        ("pattern", TOO_EARLY, "Keep observing; treat by current stage."),
    ],
    columns=["kind", "label", "action"],
)


_N = r"[-+−]?[\d,]*\.?\d+(?:e[-+]?\d+)?"  # a number as the toolkit prints it


def _i18n():
    from .i18n import register, register_patterns, register_text, tr

    register({
        "lifecycle.timeline_title": {"en": "Customer {cid}: stages and purchases", "zh": "客户 {cid}：阶段与购买"},
        "lifecycle.date": {"en": "date", "zh": "日期"},
        "lifecycle.spend": {"en": "spend per purchase day (yuan)", "zh": "每个购买日消费（元）"},
        "lifecycle.flow_title": {"en": "Stage flows between snapshots", "zh": "快照之间的阶段流动"},
        "lifecycle.customers": {"en": "customers", "zh": "客户数"},
        "lifecycle.share": {"en": "share of customers", "zh": "客户占比"},
        "lifecycle.mix_title": {"en": "Lifecycle pattern mix", "zh": "生命周期模式构成"},
        "lifecycle.confusion_title": {"en": "Predicted vs true pattern", "zh": "预测模式与真实模式"},
        "lifecycle.true": {"en": "true pattern", "zh": "真实模式"},
        "lifecycle.predicted": {"en": "predicted pattern", "zh": "预测模式"},
        "lifecycle.snapshot": {"en": "snapshot", "zh": "快照"},
        "lifecycle.not_yet": {"en": "not yet a customer", "zh": "尚未成为客户"},
        "lifecycle.lost_gap": {"en": "lost after (days)", "zh": "流失判定（天）"},
        "lifecycle.t_stability": {"en": "stability after (days)", "zh": "进入稳定期（天）"},
        "lifecycle.loyal_duration": {"en": "loyal duration (days)", "zh": "预期忠诚期（天）"},
        "lifecycle.k_det": {"en": "lapse × gap", "zh": "间隔倍数"},
        "lifecycle.drop_alpha": {"en": "drop test p", "zh": "下降检验 p"},
        "lifecycle.customer": {"en": "customer", "zh": "客户"},
        "lifecycle.counts": {"en": "Stages and patterns at the observation end", "zh": "观察期末的阶段与模式"},
    })
    # what the results print and show (#20): English as before, Chinese under toolkit.set_language("zh")
    register({
        "lifecycle.group_n": {"en": "{label} (n={n})", "zh": "{label}（n={n}）"},
        "lifecycle.confusion_accuracy": {"en": "{title}: {accuracy} (n={n})", "zh": "{title}：{accuracy}（n={n}）"},
        "lifecycle.repr.unfitted": {"en": "LifecycleClassifier(not fitted)", "zh": "LifecycleClassifier（尚未拟合）"},
        "lifecycle.repr.unfitted_html": {"en": "LifecycleClassifier (not fitted)", "zh": "LifecycleClassifier（尚未拟合）"},
        "lifecycle.repr.fitted": {
            "en": "LifecycleClassifier(fitted: stability after {t} days, expected loyal duration {loyal} days, lost "
                  "after {lost} days without a purchase)",
            "zh": "LifecycleClassifier（已拟合：{t} 天后进入稳定期，预期忠诚期 {loyal} 天，{lost} 天没有购买即为流失）"},
        "lifecycle.repr.caveat": {"en": "caveat: ", "zh": "注意："},
        "lifecycle.repr.explanation": {"en": "Customer {cid}: stage {stage}, pattern {pattern}",
                                       "zh": "客户 {cid}：阶段 {stage}，模式 {pattern}"},
        "lifecycle.repr.stage": {"en": "stage:   ", "zh": "阶段："},
        "lifecycle.repr.pattern": {"en": "pattern: ", "zh": "模式："},
        "lifecycle.repr.action": {"en": "suggested action: ", "zh": "建议行动："},
        "lifecycle.repr.result": {
            "en": "LifecycleResult: {n} customers, {k} snapshot(s) up to {end}; stability after {t} days, loyal "
                  "duration {loyal} days",
            "zh": "生命周期结果：{n} 位客户，{k} 个快照（截至 {end}）；{t} 天后进入稳定期，忠诚期 {loyal} 天"},
        "lifecycle.repr.accuracy": {
            "en": "AccuracyReport: accuracy {accuracy} on {n} determinable customers (called {coverage}; strict "
                  "{strict})",
            "zh": "准确率评估：在 {n} 位可判定的客户上准确率 {accuracy}（已判定 {coverage}；严格口径 {strict}）"},
        "lifecycle.repr.migration": {"en": "MigrationResult ({what}) {start} -> {end}",
                                     "zh": "迁移矩阵（{what}）：{start} → {end}"},
        "lifecycle.repr.migration_html": {"en": "Migration of {what}", "zh": "{what}的迁移"},
        "lifecycle.what.lifecycle stages": {"en": "lifecycle stages", "zh": "生命周期阶段"},
        "lifecycle.what.value tiers": {"en": "value tiers", "zh": "价值层级"},
        "lifecycle.what.RFM segments": {"en": "RFM segments", "zh": "RFM 细分群体"},
        "lifecycle.repr.timeline": {"en": "CustomerTimeline({cid}, {n} purchase days)",
                                    "zh": "客户时间线（客户 {cid}，{n} 个购买日）"},
        "lifecycle.repr.features": {
            "en": "LifecycleFeatures({n} customers x {k} snapshots {first}..{last}, window {window} days)",
            "zh": "生命周期特征（{n} 位客户 × {k} 个快照，{first} 至 {last}，近期窗口 {window} 天）"},
    })
    # column names of the results (English: what toolkit.formatting.label wrote for them before)
    register({f"col.{name}": {"en": en, "zh": zh} for name, (en, zh) in {
        "snapshot": ("Snapshot", "快照"), "from": ("From", "期初"), "to": ("To", "期末"),
        "direction": ("Direction", "变化方向"), "value_before": ("Value before", "期初累计消费"),
        "value_after": ("Value after", "期末累计消费"), "period_revenue": ("Period revenue", "期间收入"),
        "stage_rule": ("Stage rule", "阶段规则"), "pattern_rule": ("Pattern rule", "模式规则"),
        "stage_reason": ("Stage reason", "阶段判定原因"), "pattern_reason": ("Pattern reason", "模式判定原因"),
        "tenure": ("Tenure", "客户时长（天）"), "span": ("Span", "购买跨度（天）"), "span_days": ("Span days", "购买跨度（天）"),
        "lapse": ("Lapse", "间隔倍数"), "base_rate": ("Base rate", "基准购买率（每天）"),
        "drop_p": ("Drop p", "下降检验 p 值"), "rate_ratio": ("Rate ratio", "近期购买率比值"),
        "precision": ("Precision", "精确率"), "recall": ("Recall", "召回率"), "support": ("Support", "样本数"),
        "true": ("True", "真实值"),
        "from_date": ("From date", "起始日期"), "to_date": ("To date", "结束日期"),
        "from_stage": ("From stage", "起始阶段"), "to_stage": ("To stage", "结束阶段"),
        "age_days": ("Age days", "客户年龄（天）"), "rate": ("Rate", "复购率（每天）"), "fitted": ("Fitted", "拟合值"),
    }.items() if tr(f"col.{name}", "\0") == "\0"})
    register({f"val.{name}": {"en": en, "zh": zh} for name, (en, zh) in {
        # pattern rules (PATTERN_RULES) the catalogue does not have yet
        "early_abortion_one_purchase": ("Early abortion one purchase", "早期流产型：仅一个购买日"),
        "early_abortion_two_purchases": ("Early abortion two purchases", "早期流产型：两个相近的购买日"),
        "long_term_retention_lost": ("Long term retention lost", "长久保持型：已流失"),
        "long_term_retention_active": ("Long term retention active", "长久保持型：仍活跃"),
        "(missing)": ("(missing)", "（缺失）"),
        # rows of learned_ (index "threshold") whose general label means something else (reach is a journey stage)
        "threshold.reach": ("reach", "判定进入稳定期的购买跨度（天）"),
        "threshold.lost_gap": ("lost: long gap", "流失判定间隔（天）"),
        "threshold.window": ("window", "近期活跃窗口（天）"),
        # the kind column of LifecycleResult.summary and ACTIONS
        "kind.stage": ("stage", "阶段"), "kind.pattern": ("pattern", "模式"),
        # MigrationResult: customers acquired in between, and the direction of each move
        "from.new": ("new", "新客户"), "from_stage.new": ("new", "新客户"),
        "direction.new": ("new", "新客户"), "direction.up": ("up", "上升"),
        "direction.down": ("down", "下降"), "direction.same": ("same", "不变"), "direction.moved": ("moved", "变动"),
        "direction.later stage": ("later stage", "进入后续阶段"),
        "direction.earlier stage": ("earlier stage", "回到前面的阶段"),
        "direction.same stage": ("same stage", "阶段不变"),
    }.items()})
    register_text({en: {"zh": zh} for en, zh in {
        "Keep observing; treat by current stage.": "继续观察；按其当前阶段采取行动。",
        "given": "给定值", "setting": "设定值", "setting (0 = off)": "设定值（0 = 不使用）",
        "not yet a customer": "尚未成为客户",
    }.items()})
    register_patterns("zh", [
        # learned_ derivations the report's catalogue (toolkit.report.zh) has no whole match for
        (rf"Kaplan-Meier mean stable duration of (?P<n>{_N}) customers who reached stability, restricted to "
         rf"(?P<d>{_N}) days \((?P<p>{_N})% still at risk\); a lower bound: (?P<s>{_N})% still stable at "
         rf"(?P<t>{_N}) days",
         r"\g<n> 位进入稳定期客户的 Kaplan-Meier 平均稳定时长，限制在 \g<d> 天内（\g<p>% 仍在风险中）；"
         r"这是下限：\g<s>% 的客户在 \g<t> 天时仍处于稳定期"),
        (rf"Expected loyal duration: (?P<l>{_N}) days is a lower bound\. (?P<seen>None of the (?P<n0>{_N}) "
         rf"customers who reached stability was seen leaving|Only (?P<k>{_N}) of the (?P<n>{_N}) customers who reached stability "
         rf"(?:was|were) seen leaving), and (?P<s>{_N})% are still stable at (?P<t>{_N}) days, the longest stable time "
         rf"enough of them could be followed: the mean measures the window more than the customers\. Seeing a typical "
         rf"stable customer leave needs more than (?P<m>{_N}) months of history \(time to stability \+ loyal "
         rf"duration\)(?:, has (?P<has>{_N}))?\. Early exit is judged against this lower bound; .+",
         lambda m: f"预期忠诚期：{m['l']} 天是下限。"
                   + (f"{m['n0']} 位进入稳定期的客户中没有一位被观察到离开" if m["n0"] else
                      f"{m['n']} 位进入稳定期的客户中只有 {m['k']} 位被观察到离开")
                   + f"，{m['s']}% 的客户在 {m['t']} 天（足够多客户能被跟踪的最长稳定时间）时仍处于稳定期：这个均值反映的"
                   f"更多是观察窗口而不是客户。要看到典型的稳定客户离开，需要超过 {m['m']} 个月的历史（进入稳定期的时间 + "
                   f"忠诚期）" + (f"，实有 {m['has']} 个月" if m["has"] else "") + "。提前退出型按这个下限判定；可传入"
                   "业务自己的预期（loyal_duration=DAYS，--loyal-duration）。"),
    ])


_i18n()


# ==========================================================================================================
# features
# ==========================================================================================================
def _as_tx(data, frame_kwargs):
    from .data import as_transactions

    return as_transactions(data, **frame_kwargs)


def snapshot_dates(data, freq="M", periods=12, **frame_kwargs):
    """The last ``periods`` period-end dates (``freq`` "M", "Q", "W") up to the observation end, inclusive.

    The last date is the observation end itself when it is not a period end.
    """
    tx = _as_tx(data, frame_kwargs)
    end = tx.observation_end
    ends = pd.period_range(end=end.to_period(freq), periods=int(periods), freq=freq).end_time.normalize()
    ends = [min(d, end) for d in ends]
    return pd.DatetimeIndex(sorted(set(ends)))


def _snap_days(tx, at):
    arr = tx.arrays
    if at is None:
        dates = pd.DatetimeIndex([tx.observation_end])
    elif isinstance(at, (str, pd.Timestamp)) or np.isscalar(at):
        dates = pd.DatetimeIndex([pd.Timestamp(at)])
    else:
        dates = pd.DatetimeIndex(pd.to_datetime(list(at)))
    dates = dates.normalize()
    if len(dates) == 0:
        raise ParameterError("at: give at least one snapshot date.", parameter="at", value=at)
    late = dates[dates > tx.observation_end]
    if len(late):
        raise ParameterError(f"Snapshot {late[0]:%Y-%m-%d} is after the observation end "
                             f"({tx.observation_end:%Y-%m-%d}): purchases after the end were not observed. "
                             "Pass earlier dates.", parameter="at", value=at)
    if not dates.is_monotonic_increasing:
        dates = dates.sort_values()
    days = np.array([arr.day_of(d) for d in dates], dtype=np.int64)
    return dates, days


@dataclass(eq=False)
class LifecycleFeatures:
    """Per-customer features at snapshot dates (arrays of shape ``(n_snapshots, n_customers)``).

    Attributes
    ----------
    customer_id : ndarray (n,)
    dates : pandas.DatetimeIndex (k,)
    first_day : int64 (n,)
        Day index of the first purchase (``origin`` + days).
    n_days, tenure, since_last, span, recent_n : int32 (k, n)
        Purchase days so far; days since the first purchase; days since the last purchase; days from the
        first to the last purchase; purchase days in the recent window. 0 / -1 before the first purchase.
    revenue : float64 (k, n)
    base_rate, drop_p, rate_ratio, spend_ratio : float32 (k, n)
        Baseline repeat purchase days per day before the window, Poisson probability of a count as low as the
        recent one, recent / baseline purchase rate, recent / baseline spend rate (NaN when undefined).
    p_alive : float64 (k, n) or None
        From the purchase model, when one was given.
    window : int
        Recent window in days.
    origin : pandas.Timestamp
    """

    customer_id: np.ndarray
    dates: pd.DatetimeIndex
    first_day: np.ndarray
    n_days: np.ndarray
    tenure: np.ndarray
    since_last: np.ndarray
    span: np.ndarray
    recent_n: np.ndarray
    revenue: np.ndarray
    base_rate: np.ndarray
    drop_p: np.ndarray
    rate_ratio: np.ndarray
    spend_ratio: np.ndarray
    window: int
    origin: pd.Timestamp
    p_alive: np.ndarray | None = None

    @property
    def n_customers(self) -> int:
        return len(self.customer_id)

    def _k(self, snapshot):
        if isinstance(snapshot, (int, np.integer)):
            return int(snapshot) % len(self.dates)
        return int(self.dates.get_loc(pd.Timestamp(snapshot).normalize()))

    def frame(self, snapshot=-1) -> pd.DataFrame:
        """Features at one snapshot (position or date) as a DataFrame indexed by ``customer_id``.

        Customers not yet acquired at the snapshot are left out. ``typical_gap_days`` is the mean gap between
        purchase days (span / (purchase days - 1)); ``lapse`` is ``since_last_days / typical_gap_days``.
        """
        k = self._k(snapshot)
        nd = self.n_days[k]
        keep = nd > 0
        span = self.span[k].astype(np.float64)
        gap = np.where(nd >= 2, span / np.maximum(nd - 1, 1), np.nan)
        out = {
            "tenure_days": self.tenure[k], "n_days": nd, "since_last_days": self.since_last[k],
            "span_days": self.span[k], "typical_gap_days": gap,
            "lapse": np.where(nd >= 2, self.since_last[k] / np.where(gap > 0, gap, np.nan), np.nan),
            "recent_n": self.recent_n[k], "expected_recent": self.base_rate[k].astype(np.float64) * self.window,
            "rate_ratio": self.rate_ratio[k], "drop_p": self.drop_p[k], "spend_ratio": self.spend_ratio[k],
            "revenue": self.revenue[k],
        }
        if self.p_alive is not None:
            out["p_alive"] = self.p_alive[k]
        df = pd.DataFrame(out, index=pd.Index(self.customer_id, name="customer_id"))
        df = df.loc[keep]
        df.attrs.update(snapshot=self.dates[k], window_days=self.window, time_unit="D")
        return df

    def subset(self, rows) -> "LifecycleFeatures":
        """Features of the customers at positions ``rows``."""
        rows = np.asarray(rows)
        take = {name: getattr(self, name)[:, rows] for name in
                ("n_days", "tenure", "since_last", "span", "recent_n", "revenue", "base_rate", "drop_p",
                 "rate_ratio", "spend_ratio")}
        return LifecycleFeatures(customer_id=self.customer_id[rows], dates=self.dates, first_day=self.first_day[rows],
                                 window=self.window, origin=self.origin,
                                 p_alive=None if self.p_alive is None else self.p_alive[:, rows], **take)

    def __repr__(self) -> str:
        return tr("lifecycle.repr.features").format(
            n=f"{self.n_customers:,}", k=len(self.dates), first=f"{self.dates[0]:%Y-%m-%d}",
            last=f"{self.dates[-1]:%Y-%m-%d}", window=self.window)


def _p_alive(model, n_days, span, tenure):
    """P(alive) of every acquired customer-snapshot from a fitted purchase model (NaN elsewhere)."""
    unit = getattr(model, "time_unit_", None) or "D"
    scale = DAYS_PER_UNIT[unit]
    out = np.full(n_days.shape, np.nan)
    ok = (n_days > 0) & (tenure > 0)
    if ok.any():
        summ = pd.DataFrame({"frequency": (n_days[ok] - 1).astype(np.float64), "recency": span[ok] / scale,
                             "T": tenure[ok] / scale})
        out[ok] = model.p_alive(summ).to_numpy()
    out[(n_days > 0) & (tenure == 0)] = 1.0
    return out


def lifecycle_features(data, at=None, *, window=90, model=None, **frame_kwargs) -> LifecycleFeatures:
    """Lifecycle features of every customer at one or many snapshot dates (one numba pass).

    Parameters
    ----------
    data : Transactions or pandas.DataFrame
        A validated log, or a raw frame plus the column arguments of ``Transactions.from_frame``.
    at : date-like or sequence of dates, optional
        Snapshot dates (inclusive calendar days), default the observation end. None may be after the end.
    window : int, default 90
        Recent window in days for the recent-vs-baseline rate and spend comparisons.
        :class:`LifecycleClassifier` derives it from the data.
    model : fitted purchase model, optional
        E.g. ``toolkit.clv.models.BetaGeo().fit(summary)``: adds P(alive) at each snapshot.

    Returns
    -------
    LifecycleFeatures
    """
    from ._kernels.lifecycle import snapshot_features

    tx = _as_tx(data, frame_kwargs)
    from ._validate import check_int

    window = check_int("window", window, low=1, high=36_524, hint="It is a number of days, e.g. 90.")
    dates, days = _snap_days(tx, at)
    arr = tx.arrays
    first_day, *cols = snapshot_features(arr.offsets, arr.day, arr.amount, readonly(days), np.int64(window))
    names = ("n_days", "tenure", "since_last", "span", "recent_n", "revenue", "base_rate", "drop_p", "rate_ratio",
             "spend_ratio")
    feats = LifecycleFeatures(customer_id=arr.customer_id, dates=dates, first_day=first_day, window=window,
                              origin=arr.origin, **dict(zip(names, cols)))
    if model is not None:
        feats.p_alive = _p_alive(model, feats.n_days, feats.span, feats.tenure)
    return feats


# ==========================================================================================================
# classifier
# ==========================================================================================================
def _phases(age, plateau, r0, t_explore, t_stab):
    """Purchase rate by age: flat ``plateau * r0`` (exploration), linear ramp (formation), ``plateau`` (stability)."""
    t_stab = np.maximum(t_stab, t_explore + 1.0)
    return plateau * np.clip(r0 + (1.0 - r0) * (age - t_explore) / (t_stab - t_explore), r0, 1.0)


def _fit_phases(ages, rate, horizon, width):
    """Least-squares fit of :func:`_phases` (several starting points; the best sum of squares wins)."""
    from scipy.optimize import curve_fit

    best = None
    top = max(float(rate.max()), 1e-6)
    for frac in (0.05, 0.1, 0.2, 0.3):
        te0 = frac * horizon
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                popt, _ = curve_fit(_phases, ages, rate, p0=[top, 0.5, te0, min(te0 + horizon / 3, horizon)],
                                    bounds=([0.0, 0.0, 0.0, width], [np.inf, 1.0, horizon, horizon]))
        except (RuntimeError, ValueError):
            continue
        sse = float(np.sum((_phases(ages, *popt) - rate) ** 2))
        if best is None or sse < best[0]:
            best = (sse, popt)
    return None if best is None else best[1]


def _restricted_mean(durations, events, min_at_risk=0.1):
    """Kaplan-Meier restricted mean: area under the curve up to tau, the longest duration at which at least
    ``min_at_risk`` of the customers are still at risk (the usual choice of tau, where the curve is still
    estimated from enough customers; Royston & Parmar 2013, *BMC Med Res Methodol* 13:152)."""
    from .cohorts import kaplan_meier

    km = kaplan_meier(np.asarray(durations, dtype=np.float64), np.asarray(events, dtype=bool))
    t = km.index.to_numpy(dtype=np.float64)
    s = km["survival"].to_numpy()
    at_risk = km["at_risk"].to_numpy()
    tau = float(t[at_risk >= min_at_risk * at_risk[0]].max())
    keep = t <= tau
    grid = np.append(t[keep], tau)
    return float(np.sum(np.diff(grid) * s[keep])), tau, float(s[keep][-1])


#: Age range (days) of the purchase-rate curve when the observed window allows it (``horizon_days="auto"``).
FULL_HORIZON_DAYS = 360
#: Customers needed to learn a threshold from the data (survivors of the curve, first repeat gaps, stable ones).
_MIN_LEARN = 30
#: Share of "too early to tell" from which the classifier says so in its caveats.
_TOO_EARLY_CAVEAT = 0.5
_DAYS_PER_MONTH = 365.25 / 12


def _history(days):
    """Length of a history in words: months (rounded) from about 1.5 months on, else days."""
    days = float(days)
    months = days / _DAYS_PER_MONTH
    return f"{months:.0f} months" if months >= 1.5 else f"{days:.0f} days"


def _months(days):
    """Whole months needed to cover ``days`` (rounded up, but 364-366 days is 12 months)."""
    return int(math.ceil(float(days) / _DAYS_PER_MONTH - 0.05))


_SLIDER_THRESHOLDS = ("lost_gap", "k_lost", "k_det", "drop_alpha", "p_alive_min", "t_explore", "t_stability",
                      "t_early", "reach", "loyal_duration")


class LifecycleClassifier:
    """Stages and lifecycle patterns by explainable rules with thresholds learned from the data.

    Follows scikit-learn conventions: ``__init__`` stores settings, :meth:`fit` learns ``thresholds_`` and
    returns ``self``, :meth:`predict` returns pattern labels, :meth:`explain` says why.

    Parameters
    ----------
    lost_quantile : float, default 0.95
        A customer is lost once the time since her last purchase exceeds what 95% of repeat purchases wait:
        the ``lost_quantile`` quantile of first repeat gaps (``lost_gap``), or, with 3+ purchase days,
        ``k_lost`` times her own typical gap if longer; ``k_lost = -ln(1 - lost_quantile)`` (= 3.0) is the same
        quantile for exponential (Poisson-process) gaps.
    deterioration_quantile : float, default 0.9
        Deterioration when the time since her last purchase exceeds ``k_det = -ln(1 - q)`` (= 2.3) times her
        typical gap (3+ purchase days and past exploration).
    drop_alpha : float, default 0.05
        Deterioration when her purchase days in the recent window are this improbable under her own baseline
        rate (one-sided Poisson test). 0 switches the test off.
    stability_cycles : float, default 2.0
        A lost customer "reached stability" if her last purchase came at least this many stable-phase
        purchase cycles (1 / plateau rate) after the typical time to reach stability.
    time_to_stability, loyal_duration, lost_gap : "auto" or float (days)
        ``"auto"`` learns them (see Notes); a number fixes them (e.g. a business's own expected loyal
        duration) and always wins over what the data would give.
    recent_window : "auto" or int (days)
        Window of the recent-activity comparison; auto = 3 stable-phase purchase cycles.
    horizon_days : "auto" or int, default "auto"
        Age range of the purchase-rate curve used to learn the time to reach stability. ``"auto"``: 360 days
        when at least 30 customers are followed that long (still buying 360 days after their first purchase),
        else half the observed window (whole bins), so that the customers acquired in the first half of the
        window can be followed over it; shorter still when fewer than 30 customers are followed that long. A
        number is used as given.
    bin_days : int, default 15
        Width of the age bins of that curve.
    p_alive_min : float, optional
        With a purchase model, also call a customer lost when P(alive) falls below this.

    Attributes
    ----------
    thresholds_ : dict
        Every threshold the rules use (days unless stated): ``lost_gap``, ``k_lost``, ``k_det``, ``drop_alpha``,
        ``p_alive_min``, ``t_explore``, ``t_early``, ``t_stability``, ``reach``, ``loyal_duration``, ``window``.
    learned_ : pandas.DataFrame
        How each threshold was obtained (value and derivation): learned, given, or an assumption the data
        forced (the derivation says which, and why).
    caveats_ : list of str
        Plain-language caveats of this fit: every fallback a short history forced (what was assumed, what the
        data would need and what they have, e.g. "needs 24 months of history, has 12"), and a warning when
        most customers are "too early to tell". Each is also issued as a
        :class:`~toolkit.errors.DataQualityWarning`. Empty for a long, rich log.
    horizon_ : int
        Age range (days) of the purchase-rate curve actually used.
    window_days_ : int
        Days from the first transaction to the observation end of the fitted log.
    rate_curve_ : pandas.DataFrame
        Repeat purchase days per customer-day by age among customers still buying after ``horizon_days``, and
        the fitted three-phase curve (``attrs``: ``plateau``, ``r0``, ``t_explore``, ``t_stability``).
    features_ : LifecycleFeatures
        Features of the fitted log at its observation end (cached).
    result_ : LifecycleResult
        Stages and patterns of the fitted log at its end.

    Notes
    -----
    *Time to reach stability.* Among "survivors" (customers still buying ``horizon_days`` after their first
    purchase, so churn does not dilute the curve) the repeat-purchase rate by age rises and levels off. The
    course's stages suggest a three-phase curve: flat at ``plateau * r0`` until ``t_explore`` (exploration), a
    linear ramp (formation) and the ``plateau`` from ``t_stability`` on (stability). It is fitted by least
    squares (``scipy.optimize.curve_fit``, several starts). The exploration-phase purchase cycle
    ``1 / (plateau * r0)`` gives ``t_early`` (two purchases this close count as one trial); the stable cycle
    ``1 / plateau`` gives ``reach = t_stability + stability_cycles / plateau``.

    *Expected loyal duration.* Stable duration = last purchase age - ``t_stability`` for customers who reached
    stability, an event when she is lost at the end, censored otherwise. Its Kaplan-Meier restricted mean (area
    under the curve up to the duration at which 10% of them are still at risk) is the expected loyal duration:
    early exit is leaving sooner than the average stable customer. With a short history it is a lower bound;
    pass a number to use the business's own expectation.

    *Short histories* give results with caveats, not errors. Every duration learned is bounded by the observed
    window: the curve's horizon (above); the loyal duration, a restricted mean that cannot exceed the longest
    stable time the window shows (Royston & Parmar 2013), with a caveat when fewer than 10% of the stable
    customers were seen leaving (the mean then measures the window more than the customers). When fewer than
    30 customers reached stability it is *assumed* to be that longest stable time (window minus time to
    stability): a lower bound, so only a customer stable for the whole window is called long-term retention and
    a customer lost after reaching stability counts as early exit. Each fallback is stated in ``learned_`` and
    ``caveats_``, and so is a "too early to tell" share of 50% or more. Only a log that cannot support the curve
    at all (less than twice 4 bins of history, i.e. 4 months with 15-day bins, or fewer than 30 customers
    followed for 4 bins) raises :class:`~toolkit.errors.DataQualityError`, saying what it needs and what it has.

    References
    ----------
    Royston, P. & Parmar, M. K. B. (2013). Restricted mean survival time: an alternative to the hazard ratio
    for the design and analysis of randomized trials with a time-to-event outcome. *BMC Medical Research
    Methodology* 13:152.
    """

    def __init__(self, *, lost_quantile=0.95, deterioration_quantile=0.9, drop_alpha=0.05, stability_cycles=2.0,
                 time_to_stability="auto", loyal_duration="auto", lost_gap="auto", recent_window="auto",
                 horizon_days="auto", bin_days=15, p_alive_min=None):
        self.lost_quantile = lost_quantile
        self.deterioration_quantile = deterioration_quantile
        self.drop_alpha = drop_alpha
        self.stability_cycles = stability_cycles
        self.time_to_stability = time_to_stability
        self.loyal_duration = loyal_duration
        self.lost_gap = lost_gap
        self.recent_window = recent_window
        self.horizon_days = horizon_days
        self.bin_days = bin_days
        self.p_alive_min = p_alive_min

    _PARAMS = ("lost_quantile", "deterioration_quantile", "drop_alpha", "stability_cycles", "time_to_stability",
               "loyal_duration", "lost_gap", "recent_window", "horizon_days", "bin_days", "p_alive_min")

    # scikit-learn style parameter access
    def get_params(self, deep=True):
        return {name: getattr(self, name) for name in self._PARAMS}

    def set_params(self, **params):
        for name, value in params.items():
            if name not in self._PARAMS:
                raise ParameterError(f"Unknown parameter {name!r}; valid: {list(self._PARAMS)}",
                                     parameter=name, value=value)
            setattr(self, name, value)
        return self

    def _check_settings(self):
        for name in ("lost_quantile", "deterioration_quantile"):
            q = getattr(self, name)
            if not 0.0 < float(q) < 1.0:
                raise ParameterError(f"{name} must be in (0, 1), got {q!r}.", parameter=name, value=q)
        if not 0.0 <= float(self.drop_alpha) < 1.0:
            raise ParameterError(f"drop_alpha must be in [0, 1), got {self.drop_alpha!r}.",
                                 parameter="drop_alpha", value=self.drop_alpha)
        if int(self.bin_days) < 1:
            raise ParameterError(f"bin_days must be at least 1, got {self.bin_days!r}.",
                                 parameter="bin_days", value=self.bin_days)
        if not (isinstance(self.horizon_days, str) and self.horizon_days == "auto"):
            if isinstance(self.horizon_days, str) or int(self.horizon_days) < 4 * int(self.bin_days):
                raise ParameterError(f'horizon_days must be "auto" or cover at least 4 bins of bin_days '
                                     f"({4 * int(self.bin_days)} days), got {self.horizon_days!r}.",
                                     parameter="horizon_days", value=self.horizon_days)
        for name in ("time_to_stability", "loyal_duration", "lost_gap", "recent_window"):
            v = getattr(self, name)
            if not (isinstance(v, str) and v == "auto") and not (np.isscalar(v) and float(v) > 0):
                raise ParameterError(f'{name} must be "auto" or a positive number of days, got {v!r}.',
                                     parameter=name, value=v)

    # ------------------------------------------------------------------------------------------------------
    def fit(self, X, y=None, *, model=None, **frame_kwargs):
        """Learn the thresholds from a transaction log and classify it at its observation end.

        Parameters
        ----------
        X : Transactions or pandas.DataFrame (+ column arguments in ``frame_kwargs``)
        y : ignored
            Present for scikit-learn compatibility; the classifier is unsupervised.
        model : fitted purchase model, optional
            Adds P(alive) to the features (and the ``p_alive_min`` rule).

        Returns
        -------
        self

        Raises
        ------
        DataQualityError
            The log cannot support the purchase-rate curve at all: under 4 months of history (4 bins of
            ``bin_days``, twice), or fewer than 30 customers who bought again 4 bins after their first purchase;
            or a ``horizon_days`` given by the user that too few customers cover. The message says what is
            needed and what the log has. A short history that can support the curve gives results with
            ``caveats_`` instead (see the class Notes).

        Notes
        -----
        Three steps: **learn** the thresholds from the log (:meth:`_learn`), **label** every customer with a
        stage and a pattern (:meth:`_classify`), **explain** what the result can and cannot say (the "too
        early to tell" caveat). Learning runs in two parts that only meet through small statistics, so
        ``toolkit.scale`` can add them up over partitions of a log: :meth:`_learning_stats` (purchase-rate
        curve by age, survivors, first repeat gaps) -> :meth:`_learn_thresholds`; then the stable durations of
        the classified log (:meth:`_stable_durations`) -> :meth:`_learn_loyal_duration`.
        """
        self._check_settings()
        tx = _as_tx(X, frame_kwargs)
        self._learn(tx, model, stacklevel=3)
        self.tx_ = tx
        self.result_ = self._classify(self.features_, self.thresholds_)
        self._too_early_caveat(self.result_, stacklevel=3)
        return self

    def _learn(self, tx, model, stacklevel=2):
        """Learn every threshold from a log; sets ``thresholds_``, ``learned_``, ``caveats_`` and ``features_``.

        The purchase-rate curve over a horizon the window supports gives the timing thresholds and the lost
        gap (:meth:`_learn_thresholds`); the features of the log at its end give the stable durations, and
        those the expected loyal duration (:meth:`_learn_loyal_duration`).
        """
        window = int(tx.arrays.end_day)
        horizon, (first_gap, curve, n_surv), caveats = self._fit_horizon(tx, window)
        learned = self._learn_thresholds(curve, n_surv, first_gap[first_gap > 0], stacklevel=stacklevel + 1,
                                         horizon=horizon, window_days=window, caveats=caveats)
        self.features_ = lifecycle_features(tx, None, window=int(self.thresholds_["window"]), model=model)
        self.model_ = model
        stable = self._stable_durations(self.features_, self.thresholds_) if self.loyal_duration == "auto" else None
        self._learn_loyal_duration(stable, learned, stacklevel=stacklevel + 1)

    def _default_horizon(self):
        return FULL_HORIZON_DAYS if self.horizon_days == "auto" else int(self.horizon_days)

    def _learning_stats(self, tx, horizon=None):
        """First repeat gaps, the repeat-purchase curve by age and the survivor count of one log (kernel).

        ``horizon`` defaults to ``horizon_days`` (360 days when "auto": :meth:`fit` bounds it by the window).
        """
        from ._kernels.lifecycle import learning_stats

        arr = tx.arrays
        end_day = arr.day_of(tx.observation_end)
        horizon = self._default_horizon() if horizon is None else int(horizon)
        return learning_stats(arr.offsets, arr.day, np.int64(end_day), np.int64(horizon),
                              np.int64(int(self.bin_days)))

    def _fit_horizon(self, tx, window):
        """The curve's horizon bounded by the observed window, its learning statistics and the caveats it needs.

        Auto: ``min(360, window / 2)`` in whole bins, shortened bin by bin (to 4 bins at least) until 30
        customers are followed over it. Raises DataQualityError when even 4 bins cannot be supported.
        """
        return self._choose_horizon(lambda horizon: self._learning_stats(tx, horizon), window, tx.n_customers)

    def _choose_horizon(self, stats_at, window, n_customers):
        """:meth:`_fit_horizon` given ``stats_at(horizon)``, the learning statistics of the log at a horizon.

        Any tuple whose third item is the survivor count (``toolkit.scale`` adds them up over partitions);
        ``window`` and ``n_customers`` are the whole log's. Returns (horizon, its statistics, caveats). Asks for
        ``horizon_days`` only when it is given, else for 360 days and then, only if fewer than 30 customers are
        followed that long, for ``min(360 - bin_days, window // 2 // bin_days * bin_days)`` and down by
        ``bin_days`` to 4 bins at least.
        """
        width = int(self.bin_days)
        if self.horizon_days != "auto":
            horizon = int(self.horizon_days)
            return horizon, stats_at(horizon), []
        shortest = 4 * width
        full = stats_at(FULL_HORIZON_DAYS)
        if full[2] >= _MIN_LEARN:  # the window supports the full horizon: nothing to adapt
            return FULL_HORIZON_DAYS, full, []
        start = min(FULL_HORIZON_DAYS - width, (window // 2) // width * width)
        if start < shortest:
            raise DataQualityError(
                f"LifecycleClassifier.fit: the lifecycle needs at least {_history(2 * shortest)} of history "
                f"({2 * shortest} days), this log has {_history(window)} ({window} days from the first purchase to "
                f"the observation end). Learning when customers reach stability follows customers for at least "
                f"{shortest} days (4 bins of bin_days={width}) from the first half of the window. Give a longer "
                "history.", column="timestamp", count=int(window))
        stats = None
        for horizon in range(start, shortest - 1, -width):
            stats = stats_at(horizon)
            if stats[2] >= _MIN_LEARN:
                break
        else:
            raise DataQualityError(
                f"LifecycleClassifier.fit: the lifecycle needs at least {_MIN_LEARN} customers who bought again "
                f"{shortest} or more days after their first purchase (to learn how the purchase rate grows with "
                f"age), this log has {int(stats[2])} (of {n_customers:,} customers over {_history(window)}). Give "
                "a log with more customers or a longer history.", column="timestamp", count=int(stats[2]))
        learned = [what for what, setting in (("the time to stability", self.time_to_stability),
                                              ("the purchase cycles", "auto"), ("the lost gap", self.lost_gap))
                   if setting == "auto"]
        learned = ", ".join(learned[:-1]) + (" and " if len(learned) > 1 else "") + learned[-1]
        half = "half the window" if horizon == start else f"the longest with {_MIN_LEARN}+ such customers"
        caveats = [
            f"Time to reach stability: the full {FULL_HORIZON_DAYS}-day purchase-rate curve needs at least "
            f"{_MIN_LEARN} customers still buying {FULL_HORIZON_DAYS} days after their first purchase, this log has "
            f"{int(full[2])} over {_history(window)} (needs about {_months(2 * FULL_HORIZON_DAYS)} months of history, "
            f"has {_months(window)}). The curve follows customers over their first {horizon} days instead ({half}); "
            f"{learned} come from customers with at least {horizon} days of history, and a customer who settles "
            "later than that is not seen."]
        return horizon, stats, caveats

    def _caveat(self, text, stacklevel):
        """Record a caveat of this fit and issue it as a DataQualityWarning (the same text)."""
        if text not in self.caveats_:
            self.caveats_.append(text)
            warnings.warn(text, DataQualityWarning, stacklevel=stacklevel + 1)

    def _learn_thresholds(self, curve, n_surv, gaps, stacklevel=2, *, horizon=None, window_days=None, caveats=()):
        """Every threshold but the loyal duration from the learning statistics (sums over customers).

        Sets ``rate_curve_``, ``thresholds_`` (``loyal_duration`` still infinite), ``horizon_``, ``window_days_``
        (None when unknown) and ``caveats_`` (starting from ``caveats``, already said); returns the list of
        (threshold, value, derivation) rows of ``learned_``. ``gaps``: first repeat gaps (> 0) in any order.
        Steps: fit the three-phase curve, read the time to stability off it, then the purchase cycles, the
        lost gap and the rule settings.
        """
        horizon = self._default_horizon() if horizon is None else int(horizon)
        self.horizon_, self.window_days_ = horizon, window_days
        self.caveats_ = []
        for text in caveats:
            self._caveat(text, stacklevel + 1)
        plateau, r0, te_fit, t_fit = self._fit_rate_curve(curve, n_surv, horizon, window_days)
        learned = [self._learn_time_to_stability(t_fit, n_surv, horizon, window_days, stacklevel + 1)]
        learned += self._cycle_rows(plateau, r0, te_fit, t_stab=learned[0][1])
        learned.append(self._learn_lost_gap(gaps, horizon))
        learned += self._rule_rows(plateau)
        self.thresholds_ = {name: value for name, value, _ in learned}
        self.thresholds_["loyal_duration"] = float("inf")  # placeholder until learned
        return learned

    def _shortened(self, horizon):
        """The curve's horizon is shorter than the full one because the window could not support it."""
        return self.horizon_days == "auto" and horizon < FULL_HORIZON_DAYS

    def _fit_rate_curve(self, curve, n_surv, horizon, window_days):
        """Fit the three-phase curve to the repeat-purchase rate by age; sets ``rate_curve_``.

        Returns ``(plateau, r0, t_explore, t_stability)`` of the fit (clipped to sensible ranges).
        """
        width = int(self.bin_days)
        ages = (np.arange(len(curve)) + 0.5) * width
        rate = curve / max(n_surv, 1) / width
        if n_surv < _MIN_LEARN:
            has = f" over {_history(window_days)}" if window_days is not None else ""
            fix = ('leave horizon_days="auto" to fit it to the observed window' if self.horizon_days != "auto"
                   else "pass horizon_days of at most half the observed window")
            raise DataQualityError(
                f"LifecycleClassifier.fit: the purchase-rate curve that gives the time to reach stability needs at "
                f"least {_MIN_LEARN} customers who bought again {horizon} or more days after their first purchase, "
                f"this log has {n_surv}{has}. Give a longer history, or {fix}.", column="timestamp",
                count=int(n_surv))
        fitted = _fit_phases(ages, rate, horizon, width)
        if fitted is None:  # pragma: no cover - defensive
            raise DataQualityError("LifecycleClassifier.fit: the purchase-rate curve could not be fitted; pass "
                                   "time_to_stability=...", column="timestamp", count=int(n_surv))
        plateau, r0, te_fit, t_fit = (float(x) for x in fitted)
        t_fit = max(t_fit, te_fit + 1.0)
        plateau = max(plateau, 1e-9)
        r0 = min(max(r0, 0.05), 1.0)
        self.rate_curve_ = pd.DataFrame({"age_days": ages, "rate": rate,
                                         "fitted": _phases(ages, plateau, r0, te_fit, t_fit)})
        self.rate_curve_.attrs.update(n_survivors=int(n_surv), horizon_days=horizon, plateau=plateau, r0=r0,
                                      t_explore=te_fit, t_stability=t_fit)
        return plateau, r0, te_fit, t_fit

    def _learn_time_to_stability(self, t_fit, n_surv, horizon, window_days, stacklevel):
        """The ``t_stability`` row: the end of the fitted formation ramp (or the setting), with its caveats."""
        width = int(self.bin_days)
        shortened = self._shortened(horizon)
        if self.time_to_stability != "auto":
            return ("t_stability", float(self.time_to_stability), "given")
        bounded = (f" (horizon bounded by the observed {window_days}-day window; {FULL_HORIZON_DAYS} days needs "
                   f"{_months(2 * FULL_HORIZON_DAYS)} months)" if shortened and window_days is not None
                   else f" (horizon shortened from {FULL_HORIZON_DAYS} days)" if shortened else "")
        t_stab = float(t_fit)
        how = (f"end of the formation ramp fitted to the repeat-purchase rate by age of {n_surv:,} customers "
               f"still buying after {horizon} days" + bounded)
        if t_fit >= horizon - width:
            if shortened:
                has = f", has {_months(window_days)}" if window_days is not None else ""
                self._caveat(
                    f"Time to reach stability: the purchase rate is still rising at the end of the {horizon}-day "
                    f"horizon, so customers take at least {t_stab:.0f} days to reach stability, possibly longer, "
                    f"and stability is called early. Learning it needs a longer history (the full "
                    f"{FULL_HORIZON_DAYS}-day horizon needs {_months(2 * FULL_HORIZON_DAYS)} months{has}); or "
                    "pass time_to_stability=DAYS (--time-to-stability) from the business's experience.",
                    stacklevel + 1)
                how += "; a lower bound: the rate is still rising at the horizon"
            else:
                self._caveat(f"The purchase rate is still rising at the end of the {horizon}-day horizon; pass a "
                             "longer horizon_days or time_to_stability=...", stacklevel + 1)
        return ("t_stability", t_stab, how)

    def _cycle_rows(self, plateau, r0, te_fit, t_stab):
        """The ``t_explore``, ``t_early`` and ``reach`` rows: phase ends and purchase cycles of the fitted curve."""
        explore_cycle = 1.0 / (plateau * r0)
        stable_cycle = 1.0 / plateau
        reach = t_stab + float(self.stability_cycles) * stable_cycle
        return [
            ("t_explore", max(te_fit, 1.0), "end of the flat exploration phase of the fitted curve"),
            ("t_early", explore_cycle, f"exploration-phase purchase cycle 1 / ({plateau:.4f} x {r0:.2f} "
                                       "purchase days per day): two purchases this close are one trial"),
            ("reach", reach, f"t_stability + {self.stability_cycles:g} stable-phase cycles of "
                             f"{stable_cycle:.0f} days"),
        ]

    def _learn_lost_gap(self, gaps, horizon):
        """The ``lost_gap`` row: the ``lost_quantile`` quantile of the first repeat gaps (or the setting)."""
        if self.lost_gap != "auto":
            return ("lost_gap", float(self.lost_gap), "given")
        q = float(self.lost_quantile)
        if len(gaps) < _MIN_LEARN:  # pragma: no cover - every survivor has a first repeat gap
            raise DataQualityError(
                f"LifecycleClassifier.fit: the lost gap needs at least {_MIN_LEARN} customers with {horizon}+ "
                f"days of history who made a second purchase, this log has {len(gaps)}; pass lost_gap=... "
                "(days).", column="timestamp", count=int(len(gaps)))
        lost_gap = float(np.quantile(gaps, q))
        how = f"{q:.0%} quantile of {len(gaps):,} first repeat gaps"
        if self._shortened(horizon):
            how += f" of customers with {horizon}+ days of history"
        return ("lost_gap", lost_gap, how)

    def _rule_rows(self, plateau):
        """The rows of the rule settings: ``k_lost``, ``k_det``, ``window``, ``drop_alpha``, ``p_alive_min``."""
        q = float(self.lost_quantile)
        k_lost = -math.log(1.0 - q)
        k_det = -math.log(1.0 - float(self.deterioration_quantile))
        stable_cycle = 1.0 / plateau
        window = (max(7, int(round(3.0 * stable_cycle))) if self.recent_window == "auto"
                  else int(self.recent_window))
        pmin = float(self.p_alive_min) if self.p_alive_min is not None else 0.0
        return [
            ("k_lost", k_lost, f"-ln(1 - {q:g}): the same quantile of an exponential gap"),
            ("k_det", k_det, f"-ln(1 - {self.deterioration_quantile:g})"),
            ("window", float(window), "3 stable-phase purchase cycles" if self.recent_window == "auto" else "given"),
            ("drop_alpha", float(self.drop_alpha), "setting"),
            ("p_alive_min", pmin, "setting (0 = off)"),
        ]

    @classmethod
    def _stable_durations(cls, feats, th):
        """Stable durations (days) and lost flags of the customers who reached stability by the last snapshot.

        Stable duration = last purchase age - ``t_stability`` when she is lost (an event), tenure -
        ``t_stability`` otherwise (censored). ``th`` needs every threshold but ``loyal_duration``.
        """
        stage, _ = cls._stage_codes(feats, th)
        nd, span = feats.n_days[-1], feats.span[-1].astype(np.float64)
        reached = (nd > 0) & (span >= th["reach"])
        durations = np.where(stage[-1] == 4, span, feats.tenure[-1]) - th["t_stability"]
        return durations[reached], stage[-1][reached] == 4

    def _learn_loyal_duration(self, stable, learned, stacklevel=2):
        """Set the loyal duration and ``learned_`` from the rows of :meth:`_learn_thresholds`.

        "auto": the Kaplan-Meier restricted mean of ``stable`` = (durations, events) with 30+ customers who
        reached stability (a caveat when fewer than 10% of them were seen leaving); with fewer, the longest
        stable time the observed window can show (a stated assumption and a caveat).
        """
        th = self.thresholds_
        window = getattr(self, "window_days_", None)
        if self.loyal_duration == "auto":
            durations, events = stable
            n = len(durations)
            t_stab = th["t_stability"]
            tip = "pass loyal_duration=DAYS (--loyal-duration) to use the business's own expectation"
            if n >= _MIN_LEARN:
                loyal, tau, still = _restricted_mean(durations, events)
                how = (f"Kaplan-Meier mean stable duration of {n:,} customers who reached stability, "
                       f"restricted to {tau:.0f} days (10% still at risk)")
                if still > 0.9:
                    lost = int(np.sum(events))
                    seen = (f"None of the {n:,} customers who reached stability was seen leaving" if lost == 0 else
                            f"Only {lost:,} of the {n:,} customers who reached stability "
                            + ("was" if lost == 1 else "were") + " seen leaving")
                    has = f", has {_months(window)}" if window is not None else ""
                    how += f"; a lower bound: {still:.0%} still stable at {tau:.0f} days"
                    self._caveat(
                        f"Expected loyal duration: {loyal:.0f} days is a lower bound. {seen}, and {still:.0%} are "
                        f"still stable at {tau:.0f} days, the longest stable time enough of them could be followed: "
                        "the mean measures the window more than the customers. Seeing a typical stable customer "
                        f"leave needs more than {_months(t_stab + loyal)} months of history (time to stability + "
                        f"loyal duration){has}. Early exit is judged against this lower bound; {tip}.", stacklevel)
            elif window is not None:
                loyal = max(float(window) - t_stab, float(self.bin_days))
                few = "no customer" if n == 0 else f"only {n} customers"
                how = (f"assumed: the longest stable time the observed {window}-day window can show ({window} - "
                       f"{t_stab:.0f} days), because {few} reached stability ({_MIN_LEARN} needed)")
                reach = th["reach"]
                short = (f"; reaching stability alone needs more than {_months(reach)} months of history, has "
                         f"{_months(window)}" if reach > window else "")
                self._caveat(
                    f"Expected loyal duration: learning it needs at least {_MIN_LEARN} customers who reached "
                    f"stability (purchases spanning {reach:.0f}+ days), this log has {n} over {_history(window)}"
                    f"{short}. Assumed {loyal:.0f} days, the longest stable time the window can show ({window} days "
                    f"minus {t_stab:.0f} days to reach stability): a lower bound, so only a customer stable for the "
                    "whole window can be called long-term retention, and a customer lost after reaching stability "
                    f"counts as early exit. A longer history gives more stable customers to learn from; {tip}.",
                    stacklevel)
            else:
                raise DataQualityError(
                    f"LifecycleClassifier.fit: the expected loyal duration needs at least {_MIN_LEARN} customers who "
                    f"reached stability, this log has {n}; pass loyal_duration=... (days).", column="timestamp",
                    count=int(n))
        else:
            loyal, how = float(self.loyal_duration), "given"
        learned.append(("loyal_duration", loyal, how))
        self.thresholds_["loyal_duration"] = loyal
        self.learned_ = pd.DataFrame(learned, columns=["threshold", "value", "derivation"]).set_index("threshold")

    def _too_early_caveat(self, result, stacklevel=2):
        """Say plainly when most customers are "too early to tell", and what calling them would need."""
        self._too_early_share_caveat(int(result.acquired.sum()), int(result.pattern_counts()[TOO_EARLY]),
                                     stacklevel + 1)

    def _too_early_share_caveat(self, n, k, stacklevel=2):
        """:meth:`_too_early_caveat` from the counts: ``k`` of ``n`` acquired customers too early to tell."""
        if n == 0:
            return
        share = k / n
        if share < _TOO_EARLY_CAVEAT:
            return
        th = self.thresholds_
        need = th["t_stability"] + th["loyal_duration"]
        window = getattr(self, "window_days_", None)
        has = (f"; this log covers {_history(window)} ({window} days)" if window is not None else "")
        fix = ("a longer history lets more of them be called" if self.loyal_duration != "auto" else
               "a longer history, or the business's own loyal duration (loyal_duration=DAYS, --loyal-duration), "
               "lets more of them be called")
        self._caveat(
            f"{share:.0%} of customers ({k:,} of {n:,}) are \"too early to tell\": they are still active, and an "
            f"active customer's pattern can be called only once her purchases span the time to stability plus the "
            f"expected loyal duration ({th['t_stability']:.0f} + {th['loyal_duration']:.0f} = {need:.0f} days, "
            f"about {_months(need)} months){has}. Judge them by their current stage; {fix}.", stacklevel)

    @classmethod
    def from_thresholds(cls, thresholds, X=None, *, model=None, **frame_kwargs):
        """A classifier with given thresholds (nothing learned), e.g. to re-use thresholds fitted on another log.

        Parameters
        ----------
        thresholds : dict
            Every key of ``thresholds_`` (see the class docstring), e.g. ``other.thresholds_``.
        X : Transactions or DataFrame, optional
            Log to classify at its end (cached as for ``fit``); without it, pass ``X`` to :meth:`classify`.
        """
        needed = {"lost_gap", "k_lost", "k_det", "drop_alpha", "p_alive_min", "t_explore", "t_early", "t_stability",
                  "reach", "loyal_duration", "window"}
        missing = needed - set(thresholds)
        if missing:
            raise ParameterError(f"thresholds is missing {sorted(missing)}", parameter="thresholds",
                                 value=sorted(missing))
        clf = cls()
        clf.thresholds_ = {k: float(thresholds[k]) for k in needed}
        clf.learned_ = pd.DataFrame({"value": pd.Series(clf.thresholds_), "derivation": "given"})
        clf.learned_.index.name = "threshold"
        clf.caveats_ = []
        clf.model_ = model
        clf.tx_ = None
        if X is not None:
            clf.tx_ = _as_tx(X, frame_kwargs)
            clf.features_ = lifecycle_features(clf.tx_, None, window=int(clf.thresholds_["window"]), model=model)
            clf.result_ = clf._classify(clf.features_, clf.thresholds_)
        return clf

    # ------------------------------------------------------------------------------------------------------
    def _check_fitted(self):
        if not hasattr(self, "thresholds_"):
            raise NotFittedError("This LifecycleClassifier is not fitted yet: call fit(transactions) first.")

    @staticmethod
    def _stage_codes(feats, th):
        from ._kernels.lifecycle import stage_rules

        shape = feats.n_days.shape
        pa = (np.ascontiguousarray(feats.p_alive, dtype=np.float64).reshape(-1) if feats.p_alive is not None
              else np.empty(0, dtype=np.float64))
        stage, rule = stage_rules(feats.n_days.reshape(-1), feats.tenure.reshape(-1), feats.since_last.reshape(-1),
                                  feats.span.reshape(-1), feats.drop_p.reshape(-1), pa, float(th["lost_gap"]),
                                  float(th["k_lost"]), float(th["k_det"]), float(th["drop_alpha"]),
                                  float(th["p_alive_min"]), float(th["t_explore"]), float(th["t_stability"]))
        return stage.reshape(shape), rule.reshape(shape)

    def _classify(self, feats, th):
        from ._kernels.lifecycle import pattern_rules

        stage, srule = self._stage_codes(feats, th)
        pattern, prule = pattern_rules(stage[-1], feats.n_days[-1], feats.span[-1], float(th["t_early"]),
                                       float(th["reach"]), float(th["t_stability"]), float(th["loyal_duration"]))
        return LifecycleResult(features=feats, stage_codes=stage, stage_rule=srule, pattern_codes=pattern,
                               pattern_rule=prule, thresholds=dict(th))

    def thresholds(self, **overrides) -> dict:
        """The learned thresholds with ``overrides`` applied (an unknown name raises UnknownNameError, a KeyError)."""
        self._check_fitted()
        th = dict(self.thresholds_)
        for name, value in overrides.items():
            if name not in th:
                raise UnknownNameError(f"unknown threshold {name!r}; choose from {sorted(th)}")
            th[name] = float(value) if value is not None else 0.0
        return th

    def reclassify(self, **overrides) -> "LifecycleResult":
        """Stages and patterns of the fitted log with some thresholds changed: only the cheap rule kernels run.

        ``window`` cannot be changed here (it shapes the cached features); refit with ``recent_window``.
        """
        th = self.thresholds(**overrides)
        if not hasattr(self, "features_"):
            raise ParameterError("reclassify needs the cached features of a log: fit, or from_thresholds(..., X=tx).")
        if th["window"] != self.thresholds_["window"]:
            raise ParameterError("window shapes the cached features: set recent_window and refit instead.",
                                 parameter="window", value=th["window"])
        return self._classify(self.features_, th)

    def classify(self, X=None, at=None, *, model=None, **frame_kwargs) -> "LifecycleResult":
        """Stages at every snapshot in ``at`` and patterns at the last one (default: the fitted log at its end).

        Parameters
        ----------
        X : Transactions or DataFrame, optional
            Default: the log the classifier was fitted on.
        at : date or sequence of dates, optional
            Snapshot dates (default the observation end). Patterns use only data up to the last snapshot.
        model : fitted purchase model, optional
            Default: the one given to ``fit``.
        """
        self._check_fitted()
        if X is None and at is None and model is None and hasattr(self, "result_"):
            return self.result_
        tx = self.tx_ if X is None else _as_tx(X, frame_kwargs)
        if tx is None:
            raise ParameterError("This classifier holds no log: pass X (a Transactions).", parameter="X")
        model = self.model_ if model is None else model
        feats = lifecycle_features(tx, at, window=int(self.thresholds_["window"]), model=model)
        return self._classify(feats, self.thresholds_)

    def predict(self, X=None, at=None, **frame_kwargs) -> pd.Series:
        """Pattern label of every customer at the (last) snapshot: one of PATTERNS or ``TOO_EARLY``."""
        return self.classify(X, at, **frame_kwargs).patterns

    def fit_predict(self, X, y=None, **kwargs) -> pd.Series:
        return self.fit(X, **kwargs).predict()

    def explain(self, customer_id, result=None) -> "Explanation":
        """Why a customer has her stage and pattern: the rules that fired, with her numbers and the thresholds."""
        self._check_fitted()
        result = self.result_ if result is None else result
        return result.explain(customer_id)

    def __repr__(self) -> str:
        if not hasattr(self, "thresholds_"):
            return tr("lifecycle.repr.unfitted")
        th = self.thresholds_
        head = tr("lifecycle.repr.fitted").format(t=f"{th['t_stability']:.0f}", loyal=f"{th['loyal_duration']:.0f}",
                                                  lost=f"{th['lost_gap']:.0f}")
        caveats = [_said(c) for c in getattr(self, "caveats_", [])]
        return head + "".join(f"\n  {tr('lifecycle.repr.caveat')}{c}" for c in caveats)

    def _repr_html_(self) -> str:
        if not hasattr(self, "thresholds_"):
            return f"<p>{html.escape(tr('lifecycle.repr.unfitted_html'))}</p>"
        head = html.escape(repr(self).splitlines()[0])
        caveats = [_said(c) for c in getattr(self, "caveats_", [])]
        notes = ("<ul>" + "".join(f"<li>{html.escape(c)}</li>" for c in caveats) + "</ul>") if caveats else ""
        return f"<p><b>{head}</b></p>" + notes + _shown_html(self.learned_, float_format="{:.3f}".format)


# ==========================================================================================================
# results and explanations
# ==========================================================================================================
def _chinese() -> bool:
    """True when results are shown in a language other than English (loads the Chinese of the toolkit's texts)."""
    from .i18n import get_language

    if get_language() == "en":
        return False
    from . import _zh  # noqa: F401  (the Chinese of the reasons, derivations, actions and definitions)

    return True


def _said(text):
    """A sentence this module wrote (a reason, an action, a caveat), in the current language."""
    from .i18n import localize

    return localize(text) if isinstance(text, str) and text and _chinese() else text


def _shown_text(frame, **to_string):
    """A table as text: as pandas writes it in English, with the current language's labels otherwise."""
    if not _chinese():
        return frame.to_string(**to_string)
    from .rfm import _table_text

    return _table_text(frame)


def _shown_html(frame, **to_html):
    """A table as HTML: pandas' in English, the notebook table display (Chinese headers and labels) otherwise."""
    if not _chinese():
        return frame.to_html(**to_html)
    from .formatting import notebook_table_html

    return notebook_table_html(frame)


def _fmt_days(x):
    return f"{x:.0f}"


def _stage_reason(rule, f, th, window):
    """Reason text for one customer-snapshot: f is a dict of her features."""
    nd, since, tenure, span = f["n_days"], f["since_last"], f["tenure"], f["span"]
    gap = span / (nd - 1) if nd >= 2 else float("nan")
    name = STAGE_RULES[rule]
    if name == "not_yet_customer":
        return "not yet a customer at this date"
    if name == "lost_gap":
        return (f"lost: {since} days since the last purchase > lost_gap {_fmt_days(th['lost_gap'])} days "
                "(almost all repeat purchases come sooner)")
    if name == "lost_rhythm":
        return (f"lost: {since} days since the last purchase > {th['k_lost']:.1f} x her typical gap of "
                f"{gap:.0f} days = {th['k_lost'] * gap:.0f} days")
    if name == "lost_p_alive":
        return f"lost: P(alive) {f.get('p_alive', float('nan')):.2f} < {th['p_alive_min']:.2f}"
    if name == "deterioration_lapse":
        return (f"deterioration: {since} days since the last purchase > {th['k_det']:.1f} x her typical gap of "
                f"{gap:.0f} days = {th['k_det'] * gap:.0f} days")
    if name == "deterioration_drop":
        expected = f["base_rate"] * window
        return (f"deterioration: {f['recent_n']} purchase days in the last {window} days where her own baseline "
                f"rate predicts {expected:.1f} (Poisson p = {f['drop_p']:.3f} < {th['drop_alpha']:g})")
    if name == "exploration_age":
        return (f"exploration: first purchase {tenure} days ago < {_fmt_days(th['t_explore'])} days "
                "(one exploration-phase purchase cycle)")
    if name == "exploration_one_purchase":
        return (f"exploration: a single purchase day so far ({tenure} days ago), not yet lost "
                f"(lost after {_fmt_days(th['lost_gap'])} days)")
    if name == "formation":
        return (f"formation: {nd} purchase days in {tenure} days, tenure < {_fmt_days(th['t_stability'])} days "
                "(typical time to reach stability)")
    return (f"stability: tenure {tenure} >= {_fmt_days(th['t_stability'])} days and buying at her rhythm "
            f"({since} days since the last purchase, typical gap {gap:.0f} days)")


def _pattern_reason(rule, f, th):
    span, since = f["span"], f["since_last"]
    stable = span - th["t_stability"]
    name = PATTERN_RULES[rule]
    if name == "not_yet_customer":
        return "not yet a customer"
    if name == "early_abortion_one_purchase":
        return "early abortion: lost after a single purchase day"
    if name == "early_abortion_two_purchases":
        return (f"early abortion: lost after two purchase days {span} days apart "
                f"(<= {_fmt_days(th['t_early'])} days: one trial)")
    if name == "mid_term_abortion":
        return (f"mid-term abortion: lost; her last purchase came {span} days after the first, before reaching "
                f"stability ({_fmt_days(th['reach'])} days)")
    if name == "early_exit":
        return (f"early exit: lost after about {stable:.0f} days of stability "
                f"< expected loyal duration {_fmt_days(th['loyal_duration'])} days")
    if name == "long_term_retention_lost":
        return (f"long-term retention: stable for about {stable:.0f} days >= expected loyal duration "
                f"{_fmt_days(th['loyal_duration'])} days before she was lost")
    if name == "long_term_retention_active":
        return (f"long-term retention: still active and stable for about {stable:.0f} days >= "
                f"{_fmt_days(th['loyal_duration'])} days")
    need = th["t_stability"] + th["loyal_duration"] - span
    return (f"too early to tell: still active ({since} days since the last purchase, not yet lost); she needs about "
            f"{max(need, 0):.0f} more days of purchases to count as long-term retention")


@dataclass
class Explanation:
    """Stage and pattern of one customer with the rule that fired at each snapshot.

    ``stage`` and ``pattern`` are codes (:data:`STAGES`, :data:`PATTERNS`); ``stage_reason``, ``pattern_reason`` and
    ``action`` are sentences for people: English text (:class:`toolkit.i18n.Sentence`) that ``print`` and
    f-strings show in the language of :func:`toolkit.set_language`, as the tables of ``history`` do.
    """

    customer_id: object
    stage: str
    pattern: str
    stage_reason: str
    pattern_reason: str
    history: pd.DataFrame
    features: pd.Series
    action: str = ""

    def __repr__(self) -> str:
        from .formatting import value_label

        zh = _chinese()
        stage, pattern = (value_label(self.stage), value_label(self.pattern)) if zh else (self.stage, self.pattern)
        lines = [tr("lifecycle.repr.explanation").format(cid=self.customer_id, stage=stage, pattern=pattern),
                 f"  {tr('lifecycle.repr.stage')}{_said(self.stage_reason)}",
                 f"  {tr('lifecycle.repr.pattern')}{_said(self.pattern_reason)}"]
        if self.action:
            lines.append(f"  {tr('lifecycle.repr.action')}{_said(self.action)}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        body = "<br>".join(html.escape(x) for x in repr(self).splitlines())
        return f"<p>{body}</p>" + (_shown_html(self.history) if len(self.history) > 1 else "")


class LifecycleResult:
    """Stages at each snapshot and the pattern at the last one, with rule codes and the features behind them.

    Attributes
    ----------
    features : LifecycleFeatures
    stage_codes, stage_rule : int8 (k, n)
        Codes into :data:`STAGES` (-1 = not yet a customer) and :data:`STAGE_RULES`.
    pattern_codes, pattern_rule : int8 (n,)
        Codes into ``PATTERNS + (TOO_EARLY,)`` (-1 = not yet a customer) and :data:`PATTERN_RULES`.
    thresholds : dict
    """

    def __init__(self, features, stage_codes, stage_rule, pattern_codes, pattern_rule, thresholds):
        self.features = features
        self.stage_codes = stage_codes
        self.stage_rule = stage_rule
        self.pattern_codes = pattern_codes
        self.pattern_rule = pattern_rule
        self.thresholds = thresholds

    @property
    def customer_id(self):
        return self.features.customer_id

    @property
    def dates(self):
        return self.features.dates

    def _index(self):
        return pd.Index(self.features.customer_id, name="customer_id")

    @property
    def acquired(self) -> np.ndarray:
        """Mask of customers acquired by the last snapshot."""
        return self.pattern_codes >= 0

    def stage_at(self, snapshot=-1) -> pd.Series:
        """Stage labels at one snapshot (categorical, ordered as STAGES), customers acquired by then."""
        k = self.features._k(snapshot)
        codes = self.stage_codes[k]
        keep = codes >= 0
        cat = pd.Categorical.from_codes(codes[keep], categories=list(STAGES))
        return pd.Series(cat, index=self._index()[keep], name="stage")

    @property
    def stages(self) -> pd.Series:
        """Stage at the last snapshot."""
        return self.stage_at(-1)

    @property
    def stage_panel(self) -> pd.DataFrame:
        """Stage of every customer (rows) at every snapshot (columns); NaN before her first purchase."""
        data = {d: pd.Categorical.from_codes(np.where(c >= 0, c, -1), categories=list(STAGES))
                for d, c in zip(self.dates, self.stage_codes)}
        return pd.DataFrame(data, index=self._index())

    @property
    def patterns(self) -> pd.Series:
        """Pattern labels (PATTERNS or TOO_EARLY) of customers acquired by the last snapshot."""
        keep = self.acquired
        cat = pd.Categorical.from_codes(self.pattern_codes[keep], categories=list(_PATTERN_LABELS))
        return pd.Series(cat, index=self._index()[keep], name="pattern")

    def table(self, snapshot=-1) -> pd.DataFrame:
        """Features, stage, stage rule, pattern and pattern rule at one snapshot (pattern: last snapshot only)."""
        k = self.features._k(snapshot)
        df = self.features.frame(k)
        keep = self.stage_codes[k] >= 0
        df["stage"] = pd.Categorical.from_codes(self.stage_codes[k][keep], categories=list(STAGES))
        df["stage_rule"] = np.asarray(STAGE_RULES, dtype=object)[self.stage_rule[k][keep]]
        if k == len(self.dates) - 1:
            df["pattern"] = pd.Categorical.from_codes(self.pattern_codes[keep], categories=list(_PATTERN_LABELS))
            df["pattern_rule"] = np.asarray(PATTERN_RULES, dtype=object)[self.pattern_rule[keep]]
        return df

    def counts(self) -> pd.DataFrame:
        """Customers per stage at each snapshot (rows: snapshots)."""
        rows = []
        for c in self.stage_codes:
            rows.append(np.bincount(c[c >= 0].astype(np.int64), minlength=len(STAGES)))
        return pd.DataFrame(rows, index=pd.Index(self.dates, name="snapshot"), columns=list(STAGES))

    def pattern_counts(self) -> pd.Series:
        """Customers per pattern (and too early to tell) at the last snapshot."""
        c = self.pattern_codes
        counts = np.bincount(c[c >= 0].astype(np.int64), minlength=len(_PATTERN_LABELS))
        return pd.Series(counts, index=list(_PATTERN_LABELS), name="customers")

    def _pos(self, customer_id):
        ids = self.features.customer_id
        pos = np.flatnonzero(ids == customer_id)
        if len(pos) == 0:
            try:
                pos = np.flatnonzero(ids == type(ids[0])(customer_id))
            except (TypeError, ValueError, IndexError):
                pos = []
        if len(pos) == 0:
            raise UnknownNameError(f"customer {customer_id!r} is not in the log")
        return int(pos[0])

    def _feature_dict(self, i, k):
        f = self.features
        out = {name: getattr(f, name)[k, i].item() for name in
               ("n_days", "tenure", "since_last", "span", "recent_n", "revenue", "base_rate", "drop_p",
                "rate_ratio", "spend_ratio")}
        if f.p_alive is not None:
            out["p_alive"] = float(f.p_alive[k, i])
        return out

    def reasons(self, snapshot=-1, customers=None) -> pd.DataFrame:
        """Reason texts of the stage (and, at the last snapshot, the pattern) for some or all customers.

        Building text is slow for millions of customers: pass ``customers`` (ids) to explain a subset.
        """
        k = self.features._k(snapshot)
        if customers is None:
            pos = np.flatnonzero(self.stage_codes[k] >= 0)
        else:
            pos = np.array([self._pos(c) for c in customers], dtype=np.int64)
        rows = []
        for i in pos:
            f = self._feature_dict(i, k)
            row = {"customer_id": self.features.customer_id[i],
                   "stage_reason": _stage_reason(self.stage_rule[k, i], f, self.thresholds, self.features.window)}
            if k == len(self.dates) - 1:
                row["pattern_reason"] = _pattern_reason(self.pattern_rule[i], f, self.thresholds)
            rows.append(row)
        return pd.DataFrame(rows).set_index("customer_id") if rows else pd.DataFrame()

    def explain(self, customer_id) -> Explanation:
        """Stage and pattern of one customer with the rules that fired (at every snapshot) and their numbers."""
        i = self._pos(customer_id)
        k = len(self.dates) - 1
        hist = []
        for q, d in enumerate(self.dates):
            f = self._feature_dict(i, q)
            code = self.stage_codes[q, i]
            hist.append({"snapshot": d, "stage": STAGES[code] if code >= 0 else "",
                         "rule": STAGE_RULES[self.stage_rule[q, i]],
                         "reason": _stage_reason(self.stage_rule[q, i], f, self.thresholds, self.features.window)})
        f = self._feature_dict(i, k)
        code = self.stage_codes[k, i]
        pcode = self.pattern_codes[i]
        stage = STAGES[code] if code >= 0 else "not yet a customer"
        pattern = _PATTERN_LABELS[pcode] if pcode >= 0 else "not yet a customer"
        action = ""
        if pcode >= 0:
            key = pattern if pattern != TOO_EARLY else stage
            kind = "pattern" if pattern != TOO_EARLY else "stage"
            action = suggested_actions(key, kind=kind)
        feats = pd.Series(f, name=customer_id)
        return Explanation(customer_id=self.features.customer_id[i], stage=stage, pattern=pattern,
                           stage_reason=Sentence(hist[-1]["reason"]),
                           pattern_reason=Sentence(_pattern_reason(self.pattern_rule[i], f, self.thresholds)),
                           history=pd.DataFrame(hist).set_index("snapshot"), features=feats, action=Sentence(action))

    @property
    def summary(self) -> pd.DataFrame:
        """Customers per stage (last snapshot) and per pattern, with shares."""
        st = self.counts().iloc[-1]
        pt = self.pattern_counts()
        df = pd.concat([pd.DataFrame({"kind": "stage", "customers": st}),
                        pd.DataFrame({"kind": "pattern", "customers": pt})])
        df["share"] = df["customers"] / max(int(self.acquired.sum()), 1)
        df.index.name = "label"
        return df

    def _headline(self) -> str:
        return tr("lifecycle.repr.result").format(
            n=f"{int(self.acquired.sum()):,}", k=len(self.dates), end=f"{self.dates[-1]:%Y-%m-%d}",
            t=f"{self.thresholds['t_stability']:.0f}", loyal=f"{self.thresholds['loyal_duration']:.0f}")

    def __repr__(self) -> str:
        return self._headline() + "\n" + _shown_text(self.summary, float_format="{:.3f}".format)

    def _repr_html_(self) -> str:
        head = html.escape(self._headline())
        return f"<p><b>{head}</b></p>" + _shown_html(self.summary, float_format="{:.3f}".format)


# ==========================================================================================================
# accuracy against a known truth
# ==========================================================================================================
class AccuracyReport:
    """Predicted vs true labels on customers whose truth is determinable.

    Attributes
    ----------
    confusion : pandas.DataFrame
        Counts, rows = true label, columns = predicted label (including ``too_early_to_tell``).
    per_class : pandas.DataFrame
        ``precision``, ``recall`` (among customers the classifier called), ``support`` (true count, called).
    accuracy : float
        Share correct among determinable customers the classifier called.
    coverage : float
        Share of determinable customers the classifier called (not "too early to tell").
    strict_accuracy : float
        Share correct among all determinable customers ("too early" counted as wrong).
    n : int
        Determinable customers compared.
    """

    def __init__(self, confusion, per_class, accuracy, coverage, strict_accuracy, n, labels):
        self.confusion = confusion
        self.per_class = per_class
        self.accuracy = accuracy
        self.coverage = coverage
        self.strict_accuracy = strict_accuracy
        self.n = n
        self.labels = labels

    @property
    def summary(self) -> pd.DataFrame:
        return self.per_class

    def _headline(self) -> str:
        return tr("lifecycle.repr.accuracy").format(accuracy=f"{self.accuracy:.1%}", n=f"{self.n:,}",
                                                    coverage=f"{self.coverage:.1%}",
                                                    strict=f"{self.strict_accuracy:.1%}")

    def __repr__(self) -> str:
        return (f"{self._headline()}\n"
                f"{_shown_text(self.confusion)}\n\n{_shown_text(self.per_class, float_format='{:.3f}'.format)}")

    def _repr_html_(self) -> str:
        head = html.escape(self._headline())
        return (f"<p><b>{head}</b></p>" + _shown_html(self.confusion)
                + _shown_html(self.per_class, float_format="{:.3f}".format))


def lifecycle_accuracy(predicted, truth, determinable=None, labels=PATTERNS, abstain=TOO_EARLY) -> AccuracyReport:
    """Confusion matrix, per-class precision and recall, accuracy and coverage against a known truth.

    Parameters
    ----------
    predicted : pandas.Series
        Predicted labels indexed by customer id (``LifecycleClassifier.predict()`` or a stage Series).
    truth : pandas.Series
        True labels indexed by customer id (e.g. ``company.truth.set_index("customer_id")["pattern"]``).
    determinable : pandas.Series of bool, optional
        Customers whose truth can be known from the data (``truth.pattern_determinable``); default all.
    labels : sequence, default PATTERNS
        The label set (use STAGES for stages).
    abstain : str, default TOO_EARLY
        The predicted label that means "no call".
    """
    pred = pd.Series(predicted).astype(object)
    true = pd.Series(truth).astype(object)
    common = pred.index.intersection(true.index)
    if determinable is not None:
        det = pd.Series(determinable).reindex(common).fillna(False).astype(bool)
        common = common[det.to_numpy()]
    if len(common) == 0:
        raise DataQualityError("No customer is both predicted and determinable in the truth.")
    p, t = pred.loc[common], true.loc[common]
    labels = list(labels)
    columns = labels + ([abstain] if abstain is not None and (p == abstain).any() else [])
    conf = pd.crosstab(pd.Categorical(t, categories=labels), pd.Categorical(p, categories=columns),
                       dropna=False).reindex(index=labels, columns=columns, fill_value=0)
    conf.index.name, conf.columns.name = "true", "predicted"
    called = (p != abstain).to_numpy() if abstain is not None else np.ones(len(p), dtype=bool)
    correct = (p.to_numpy() == t.to_numpy())
    diag = np.array([conf.loc[lab, lab] for lab in labels], dtype=float)
    col = conf[labels].sum(axis=0).to_numpy(dtype=float)
    row = conf[labels].sum(axis=1).to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        per = pd.DataFrame({"precision": diag / col, "recall": diag / row, "support": row.astype(int)},
                           index=pd.Index(labels, name="label"))
    n_called = int(called.sum())
    return AccuracyReport(conf, per, float(correct[called].mean()) if n_called else float("nan"),
                          n_called / len(p), float(correct.mean()), int(len(p)), labels)


# ==========================================================================================================
# transitions, flows, mix
# ==========================================================================================================
class MigrationResult:
    """Customers (and value) moving between labels from one snapshot to another.

    Attributes
    ----------
    counts : pandas.DataFrame
        Rows = label at the start (``new`` for customers acquired in between), columns = label at the end.
    shares : pandas.DataFrame
        Row shares of ``counts``.
    value : pandas.DataFrame or None
        Value in each cell (see the function that built it).
    moves : pandas.DataFrame
        One row per customer: ``from``, ``to``, ``direction`` and value columns.
    start, end : pandas.Timestamp
    """

    def __init__(self, counts, value, moves, start, end, what):
        self.counts = counts
        with np.errstate(invalid="ignore", divide="ignore"):
            self.shares = counts.div(counts.sum(axis=1).replace(0, np.nan), axis=0)
        self.value = value
        self.moves = moves
        self.start = start
        self.end = end
        self.what = what

    def between(self, source, target) -> pd.DataFrame:
        """The customers who moved from ``source`` to ``target`` (rows of :attr:`moves`)."""
        m = self.moves
        return m[(m["from"].astype(str) == str(source)) & (m["to"].astype(str) == str(target))]

    @property
    def summary(self) -> pd.DataFrame:
        if "direction" in self.moves and self.moves["direction"].notna().any():
            cols = [c for c in ("value_before", "value_after", "period_revenue") if c in self.moves]
            agg = self.moves.groupby("direction", observed=True)[cols].sum() if cols else pd.DataFrame()
            agg.insert(0, "customers", self.moves.groupby("direction", observed=True).size())
            return agg
        return self.counts

    def __repr__(self) -> str:
        head = tr("lifecycle.repr.migration").format(what=tr(f"lifecycle.what.{self.what}", self.what),
                                                     start=f"{self.start:%Y-%m-%d}", end=f"{self.end:%Y-%m-%d}")
        return f"{head}\n{_shown_text(self.counts)}\n\n{_shown_text(self.summary)}"

    def _repr_html_(self) -> str:
        what = tr(f"lifecycle.what.{self.what}", self.what)
        what = html.escape(tr("lifecycle.repr.migration_html").format(what=what))
        return (f"<p><b>{what}</b> {self.start:%Y-%m-%d} &rarr; {self.end:%Y-%m-%d}</p>"
                + _shown_html(self.counts) + _shown_html(self.summary, float_format="{:,.2f}".format))


def stage_migration(result: LifecycleResult, start=0, end=-1) -> MigrationResult:
    """Stage migration matrix between two snapshots of a multi-snapshot :class:`LifecycleResult`.

    Rows: stage at ``start`` (``new``: acquired in between); columns: stage at ``end``. ``moves`` has one row
    per customer with ``revenue`` at the end and ``period_revenue`` between the snapshots.
    """
    f = result.features
    a, b = f._k(start), f._k(end)
    if a >= b:
        raise ParameterError("start must be an earlier snapshot than end.", parameter="start", value=start)
    keep = result.stage_codes[b] >= 0
    labels = np.asarray(("new",) + STAGES, dtype=object)
    src = labels[result.stage_codes[a][keep] + 1]
    dst = labels[result.stage_codes[b][keep] + 1]
    moves = pd.DataFrame({"from": pd.Categorical(src, categories=list(labels)),
                          "to": pd.Categorical(dst, categories=list(STAGES)),
                          "revenue": f.revenue[b][keep],
                          "period_revenue": f.revenue[b][keep] - f.revenue[a][keep]},
                         index=pd.Index(f.customer_id[keep], name="customer_id"))
    order = {s: i for i, s in enumerate(STAGES)}
    da = np.array([order.get(x, -1) for x in src])
    db = np.array([order[x] for x in dst])
    moves["direction"] = np.where(da < 0, "new", np.where(db > da, "later stage", np.where(db < da, "earlier stage",
                                                                                            "same stage")))
    counts = pd.crosstab(moves["from"], moves["to"], dropna=False)
    value = moves.pivot_table(index="from", columns="to", values="revenue", aggfunc="sum", observed=False)
    return MigrationResult(counts, value, moves, f.dates[a], f.dates[b], "lifecycle stages")


def stage_flows(result: LifecycleResult) -> pd.DataFrame:
    """Flows between consecutive snapshots: ``from_date, to_date, from_stage, to_stage, customers``.

    ``from_stage`` is ``new`` for customers acquired between the two dates.
    """
    rows = []
    labels = ("new",) + STAGES
    codes = result.stage_codes
    for q in range(1, len(result.dates)):
        a, b = codes[q - 1].astype(np.int64), codes[q].astype(np.int64)
        keep = b >= 0
        cell = (a[keep] + 1) * len(STAGES) + b[keep]
        counts = np.bincount(cell, minlength=len(labels) * len(STAGES)).reshape(len(labels), len(STAGES))
        for i, j in zip(*np.nonzero(counts)):
            rows.append((result.dates[q - 1], result.dates[q], labels[i], STAGES[j], int(counts[i, j])))
    return pd.DataFrame(rows, columns=["from_date", "to_date", "from_stage", "to_stage", "customers"])


def stage_mix(result: LifecycleResult, by="cohort", *, what="pattern", freq="Q", normalize=True) -> pd.DataFrame:
    """Pattern (or stage) mix by acquisition cohort or by a customer attribute such as the acquisition channel.

    Parameters
    ----------
    result : LifecycleResult
    by : "cohort" or pandas.Series
        ``"cohort"``: acquisition period (``freq``) from the first purchase; or a Series indexed by customer id
        (e.g. ``customers.set_index("customer_id")["channel"]``; customers missing from it are "(missing)").
    what : {"pattern", "stage"}
        Patterns at the last snapshot, or stages at the last snapshot.
    normalize : bool, default True
        Row shares instead of counts; a column ``customers`` always holds the row total.
    """
    if what not in ("pattern", "stage"):
        raise ParameterError('what must be "pattern" or "stage".', parameter="what", value=what)
    labels = result.patterns if what == "pattern" else result.stages
    if isinstance(by, str) and by == "cohort":
        f = result.features
        first = pd.Series(f.first_day, index=pd.Index(f.customer_id, name="customer_id"))
        dates = f.origin + pd.to_timedelta(first.loc[labels.index], unit="D")
        group = pd.Series(dates.dt.to_period(freq).to_numpy(), index=labels.index, name="cohort")
    elif isinstance(by, pd.Series):
        group = by.reindex(labels.index)
        group = group.astype(object).where(group.notna(), "(missing)")
        group.name = by.name or "group"
    else:
        raise SchemaError('by must be "cohort" or a pandas Series indexed by customer_id.')
    table = pd.crosstab(group, labels, dropna=False)
    total = table.sum(axis=1)
    if normalize:
        table = table.div(total.replace(0, np.nan), axis=0)
    table["customers"] = total
    return table


# ==========================================================================================================
# RFM segment and value tier migration
# ==========================================================================================================
def segment_migration(data, start, end, *, kind="tier", segment_map="rf_grid", bins=5, **frame_kwargs):
    """Migration of RFM segments or value tiers between two snapshot dates, with the value that moved.

    The course re-evaluates value tiers every quarter: who moved up, who slipped, and what it is worth.

    Parameters
    ----------
    data : Transactions or DataFrame (+ column arguments)
    start, end : date-like
        The two evaluation dates (inclusive); each is scored on the data up to that date only.
    kind : {"tier", "segment"}
        Value tiers (:func:`toolkit.rfm.value_tiers`, ordered high > potential > regular > dormant) or RFM
        segments (:func:`toolkit.rfm.rfm_scores` quantiles + :func:`toolkit.rfm.assign_segments`).
    segment_map, bins :
        Passed to the RFM functions for ``kind="segment"``.

    Returns
    -------
    MigrationResult
        ``counts`` (rows: label at ``start``, ``new`` for customers acquired in between; columns: label at
        ``end``); ``value``: revenue earned between the dates per cell; ``moves``: per customer ``from``, ``to``,
        ``direction`` (up, down, same, new; for segments "moved"/"same" unless the R+F+M score sum changed),
        ``value_before`` (spend up to ``start``), ``value_after`` (spend up to ``end``) and ``period_revenue``.
    """
    from . import rfm
    from .customers import customer_summary

    tx = _as_tx(data, frame_kwargs)
    start, end = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    if start >= end:
        raise ParameterError("start must be before end.", parameter="start", value=start)
    if kind not in ("tier", "segment"):
        raise ParameterError('kind must be "tier" or "segment".', parameter="kind", value=kind)
    sa, sb = customer_summary(tx, observation_end=start), customer_summary(tx, observation_end=end)

    def label(summary):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if kind == "tier":
                t = rfm.value_tiers(summary)
                return t["tier"], None
            scores = rfm.rfm_scores(summary, bins=bins)
            seg = rfm.assign_segments(scores, segment_map)
            return seg["segment"], scores[["r_score", "f_score", "m_score"]].astype(int).sum(axis=1)

    la, score_a = label(sa)
    lb, score_b = label(sb)
    cats_b = list(lb.cat.categories) if hasattr(lb, "cat") else sorted(lb.unique())
    src = la.reindex(lb.index).astype(object).where(lambda s: s.notna(), "new")
    moves = pd.DataFrame({"from": pd.Categorical(src, categories=["new"] + cats_b),
                          "to": pd.Categorical(lb.astype(object), categories=cats_b)}, index=lb.index)
    moves["value_before"] = sa["revenue"].reindex(lb.index).fillna(0.0)
    moves["value_after"] = sb["revenue"]
    moves["period_revenue"] = moves["value_after"] - moves["value_before"]
    is_new = src == "new"
    if kind == "tier":
        rank = {c: i for i, c in enumerate(cats_b)}  # ordered categorical: dormant < regular < potential < high
        ra = src.map(rank).to_numpy(dtype=float)
        rb = lb.astype(object).map(rank).to_numpy(dtype=float)
        direction = np.where(rb > ra, "up", np.where(rb < ra, "down", "same"))
    else:
        ga = score_a.reindex(lb.index).to_numpy(dtype=float)
        gb = score_b.to_numpy(dtype=float)
        direction = np.where(src.to_numpy() == lb.astype(object).to_numpy(), "same",
                             np.where(gb > ga, "up", np.where(gb < ga, "down", "moved")))
    moves["direction"] = np.where(is_new, "new", direction)
    counts = pd.crosstab(moves["from"], moves["to"], dropna=False)
    value = moves.pivot_table(index="from", columns="to", values="period_revenue", aggfunc="sum", observed=False)
    return MigrationResult(counts, value, moves, start, end, "value tiers" if kind == "tier" else "RFM segments")


# ==========================================================================================================
# early warning and actions
# ==========================================================================================================
def early_warning(result: LifecycleResult, value=None, *, top=None) -> pd.DataFrame:
    """Customers who were stable and whose activity dropped sharply, ranked by value at risk.

    With several snapshots: customers in stability at the previous snapshot and in deterioration or lost at the
    last one. With one snapshot: customers in deterioration who had reached stability (tenure past
    ``t_stability`` with at least 3 purchase days), and those lost within the last recent window after being
    stable.

    Parameters
    ----------
    result : LifecycleResult
    value : pandas.Series, optional
        Value at risk per customer id (e.g. CLV); default her historical spend.
    top : int, optional
        Keep the first ``top`` rows.

    Returns
    -------
    pandas.DataFrame
        Indexed by customer id, sorted by ``value_at_risk`` descending: ``stage``, ``signal`` (the rule that
        fired), ``reason`` (with the numbers), ``since_last_days``, ``typical_gap_days``, ``recent_n``,
        ``expected_recent``, ``revenue``, ``value_at_risk``, ``action``.
    """
    f = result.features
    th = result.thresholds
    k = len(result.dates) - 1
    stage = result.stage_codes[k]
    if k >= 1:
        flag = (result.stage_codes[k - 1] == 2) & ((stage == 3) | (stage == 4))
    else:
        reached = (f.tenure[k] >= th["t_stability"]) & (f.n_days[k] >= 3)
        recently_lost = (stage == 4) & (f.since_last[k] <= th["lost_gap"] + f.window) & \
                        (f.span[k] >= th["t_stability"])
        flag = ((stage == 3) & reached) | recently_lost
    pos = np.flatnonzero(flag)
    ids = f.customer_id[pos]
    revenue = f.revenue[k, pos]
    if value is None:
        var = revenue
    else:
        var = pd.Series(value).reindex(ids).to_numpy(dtype=float)
    nd = f.n_days[k, pos]
    gap = np.where(nd >= 2, f.span[k, pos] / np.maximum(nd - 1, 1), np.nan)
    out = pd.DataFrame({
        "stage": np.asarray(STAGES, dtype=object)[stage[pos]],
        "signal": np.asarray(STAGE_RULES, dtype=object)[result.stage_rule[k, pos]],
        "since_last_days": f.since_last[k, pos], "typical_gap_days": gap, "recent_n": f.recent_n[k, pos],
        "expected_recent": f.base_rate[k, pos].astype(np.float64) * f.window, "revenue": revenue,
        "value_at_risk": var,
    }, index=pd.Index(ids, name="customer_id"))
    out = out.sort_values("value_at_risk", ascending=False, kind="stable")
    if top is not None:
        out = out.head(int(top))
    out["reason"] = result.reasons(k, customers=list(out.index))["stage_reason"].to_numpy() if len(out) else []
    acts = ACTIONS[ACTIONS["kind"] == "stage"].set_index("label")["action"]
    out["action"] = out["stage"].map(acts)
    return out


def suggested_actions(label=None, kind=None):
    """The course's suggested actions: the whole table, or the action text for one stage or pattern.

    Parameters
    ----------
    label : str, optional
        A stage (STAGES) or pattern (PATTERNS, TOO_EARLY).
    kind : {"stage", "pattern"}, optional
        Disambiguates when needed.
    """
    if label is None:
        return ACTIONS.copy()
    rows = ACTIONS[(ACTIONS["label"] == label) & ((ACTIONS["kind"] == kind) if kind else True)]
    if rows.empty:
        raise UnknownNameError(f"no action for {label!r}; labels: {sorted(set(ACTIONS['label']))}")
    return rows["action"].iloc[0]


# ==========================================================================================================
# one customer's timeline (for plots and the browser)
# ==========================================================================================================
@dataclass
class CustomerTimeline:
    """Stages of one customer at regular snapshots, her purchases and the explanation at the end."""

    customer_id: object
    dates: pd.DatetimeIndex
    stages: list
    purchases: pd.DataFrame
    explanation: Explanation
    thresholds: dict = field(default_factory=dict)

    @property
    def segments(self) -> pd.DataFrame:
        """Contiguous stage spans: ``stage, start, end``."""
        rows = []
        for d, s in zip(self.dates, self.stages):
            if s is None:
                continue
            if rows and rows[-1]["stage"] == s:
                rows[-1]["end"] = d
            else:
                start = rows[-1]["end"] if rows else self.purchases["date"].min()
                rows.append({"stage": s, "start": start, "end": d})
        return pd.DataFrame(rows, columns=["stage", "start", "end"])

    def __repr__(self) -> str:
        head = tr("lifecycle.repr.timeline").format(cid=self.customer_id, n=len(self.purchases))
        return f"{head}\n{self.explanation!r}"


def customer_timeline(classifier: LifecycleClassifier, customer_id, *, freq="W", thresholds=None) -> CustomerTimeline:
    """Stage of one customer at every ``freq`` period end from her first purchase to the observation end.

    Runs the feature kernel on her transactions only (cheap), with the classifier's thresholds (or
    ``thresholds``, e.g. the browser's slider values).
    """
    from ._kernels.lifecycle import pattern_rules, snapshot_features

    classifier._check_fitted()
    tx = classifier.tx_
    arr = tx.arrays
    i = classifier.result_._pos(customer_id)
    th = dict(classifier.thresholds_ if thresholds is None else thresholds)
    lo, hi = arr.offsets[i], arr.offsets[i + 1]
    days = arr.day[lo:hi]
    amounts = arr.amount[lo:hi]
    first = arr.date_of(days[0])
    dates = pd.date_range(first, tx.observation_end, freq={"W": "W-SUN", "M": "ME", "D": "D"}.get(freq, freq))
    dates = dates.union(pd.DatetimeIndex([tx.observation_end])).normalize()
    snaps = np.array([arr.day_of(d) for d in dates], dtype=np.int64)
    offs = np.array([0, hi - lo], dtype=np.int64)
    # read-only inputs, as from the customer arrays: the same compiled version as lifecycle_features
    _, nd, ten, since, span, rec, rev, br, dp, rr, sr = snapshot_features(
        readonly(offs), readonly(np.ascontiguousarray(days)), readonly(np.ascontiguousarray(amounts)),
        readonly(snaps), np.int64(th["window"]))
    feats = LifecycleFeatures(customer_id=arr.customer_id[i:i + 1], dates=dates, first_day=days[:1].copy(),
                              n_days=nd, tenure=ten, since_last=since, span=span, recent_n=rec, revenue=rev,
                              base_rate=br, drop_p=dp, rate_ratio=rr, spend_ratio=sr, window=int(th["window"]),
                              origin=arr.origin)
    if classifier.model_ is not None:
        feats.p_alive = _p_alive(classifier.model_, nd, span, ten)
    stage, srule = LifecycleClassifier._stage_codes(feats, th)
    pattern, prule = pattern_rules(stage[-1], nd[-1], span[-1], float(th["t_early"]), float(th["reach"]),
                                   float(th["t_stability"]), float(th["loyal_duration"]))
    res = LifecycleResult(feats, stage, srule, pattern, prule, th)
    per_day = pd.DataFrame({"date": [arr.date_of(d) for d in days], "amount": amounts})
    purchases = per_day.groupby("date", as_index=False)["amount"].sum()
    labels = [STAGES[c] if c >= 0 else None for c in stage[:, 0]]
    return CustomerTimeline(customer_id=arr.customer_id[i], dates=dates, stages=labels, purchases=purchases,
                            explanation=res.explain(arr.customer_id[i]), thresholds=th)

