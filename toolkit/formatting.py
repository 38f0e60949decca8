"""How numbers, dates and labels are written for people: one formatter for the report and the widgets.

Every value has a *kind* — ``money``, ``share``, ``count``, ``days``, ``score``, ``number``, ``date``,
``bool``, ``id`` or ``text`` — and a table is formatted column by column: the kind of a column comes from the
toolkit's canonical column names (``revenue_share`` is a share, ``since_last_days`` a number of days,
``value_at_risk`` money, ...), else from its dtype and values; one column gets one number of decimals.

Examples
--------
>>> from toolkit.formatting import format_value, label, format_column
>>> format_value(1234.5, "money", currency="GBP")
'1,234 GBP'
>>> format_value(0.3891, "share")
'38.9%'
>>> format_value(None, "count"), format_value(True, "bool")
('–', '✓')
>>> label("since_last_days")
'Days since last purchase'
>>> format_column([5.0, 4.644, 1.2], "number")
['5.00', '4.64', '1.20']

Missing values (None, NaN, NaT, ±inf) are always written ``–``; booleans ``✓`` / ``–``. Nothing here imports
matplotlib or ipywidgets, so the report and the widgets share it.
"""

from __future__ import annotations

import datetime as _dt
import math
import re

import numpy as np
import pandas as pd

from .i18n import get_language, localize, on_language_change, register, tr

__all__ = ["KINDS", "MISSING", "FormattedTable", "column_formatter", "column_kind", "count", "format_column",
           "format_kpi_table", "format_table", "format_value", "html_table", "label", "money", "share",
           "value_label", "category_label"]

#: The kinds of value the formatter knows.
KINDS = ("money", "share", "count", "days", "score", "number", "date", "bool", "id", "text")
#: How a missing value is written.
MISSING = "–"
TRUE_MARK = "✓"

# -------------------------------------------------------------------------------------- vocabulary: kinds
_EXACT_KINDS = {
    # money
    "revenue": "money", "monetary_value": "money", "clv": "money", "model_clv": "money", "course_clv": "money",
    "naive_clv": "money", "value_at_risk": "money", "mean_revenue": "money", "mean_monetary_value": "money",
    "ltv": "money", "historical": "money", "current": "money", "potential": "money", "money": "money",
    "amount": "money", "annual_spend": "money", "spend": "money", "cac": "money", "acquisition spend": "money",
    "mean per customer": "money", "total": "money", "money dropped": "money", "money kept": "money",
    "base_total": "money", "scenario_total": "money", "delta": "money", "mean_spend": "money",
    # shares and rates (0..1)
    "share": "share", "revenue_share": "share", "p_alive": "share", "top_fraction": "share",
    "repurchase_rate": "share", "retention_rate": "share", "churn_rate": "share", "reactivation_rate": "share",
    "conversion_rate": "share", "step_conversion": "share", "overall_conversion": "share",
    "drop_off_rate": "share", "exit_rate": "share", "reach_rate": "share", "discount_share": "share",
    "retention": "share", "conversion from previous": "share", "exit rate": "share", "reach rate": "share",
    "repurchase rate": "share", "conversion rate": "share", "churn rate": "share", "margin": "share",
    "discount_rate": "share",
    # counts
    "customers": "count", "n_orders": "count", "n_days": "count", "frequency": "count", "rows": "count",
    "events": "count", "people": "count", "reached": "count", "new_customers": "count", "active": "count",
    "churned": "count", "censored": "count", "drop_off": "count", "recent_n": "count", "orders": "count",
    "lines": "count", "purchases": "count", "rank": "count", "n": "count", "people reached": "count",
    "new customers": "count", "repeat buyers": "count", "bins": "count", "horizon_months": "count",
    "churn_window_days": "days", "kpi_window_days": "days", "holdout_days": "days",
    # durations in days
    "since_last_days": "days", "typical_gap_days": "days", "tenure_days": "days", "days_since_last": "days",
    "median_time": "days", "p25_time": "days", "p75_time": "days", "mean_time": "days",
    "loyal_duration_days": "days", "time_to_stability_days": "days", "lost_gap_days": "days",
    # scores and small-scale numbers
    "r_score": "score", "f_score": "score", "m_score": "score", "mean_r_score": "score",
    "mean_f_score": "score", "mean_m_score": "score", "nps": "score", "expected_recent": "score",
    "expected_purchases": "score", "csat": "share", "win-back touchpoints": "count", "touchpoints": "count",
    "median dwell (d)": "days", "win-back rate": "share",
    # dates
    "first_purchase": "date", "last_purchase": "date", "timestamp": "date", "date": "date",
    "observation_end": "date",
    # identifiers (no thousands separators)
    "customer_id": "id", "order_id": "id", "item": "id", "stockcode": "id",
    # booleans
    "identified": "bool", "ok": "bool", "met": "bool", "in_log": "bool",
}
#: Columns measured in the log's time unit (their header says which unit).
_TIME_UNIT_COLUMNS = {"since_last", "recency", "T", "mean_since_last", "mean_recency", "ipt_mean",
                      "median_lifetime", "median_lower", "median_upper", "median_time", "p25_time", "p75_time",
                      "mean_time"}
_UNIT_WORDS = {"D": "days", "W": "weeks", "M": "months", "Q": "quarters", "Y": "years"}
#: The ``unit`` column of long-format KPI tables, as a kind.
_UNIT_KINDS = {"share": "share", "rate": "share", "money": "money", "people": "count", "customers": "count",
               "count": "count", "D": "days", "days": "days", "score": "score", "points": "score",
               "nps": "score"}


def column_kind(name, values=None) -> str:
    """The kind of a column called ``name`` (canonical vocabulary first, then words in the name, then values).

    Parameters
    ----------
    name : str
        Column (or row) name.
    values : array-like, optional
        The column's values, used when the name says nothing.

    Returns
    -------
    str
        One of :data:`KINDS`.
    """
    key = str(name).strip()
    low = key.lower()
    if low in _EXACT_KINDS:
        return _EXACT_KINDS[low]
    if key in _TIME_UNIT_COLUMNS or low in _TIME_UNIT_COLUMNS:
        return "days"  # a duration (in the log's time unit)
    words = set(re.split(r"[\s_()/]+", low)) - {""}
    if re.search(r"(^|[\s_])id$", low) or re.search(r"[a-z](ID|Id)$", key):  # member_id, CustomerID
        return "id"
    if values is not None:
        series = pd.Series(values) if not isinstance(values, pd.Series) else values
        dtype = series.dtype
        if pd.api.types.is_bool_dtype(dtype):
            return "bool"
        if pd.api.types.is_datetime64_any_dtype(dtype):
            return "date"
        if dtype == object:
            present = series.dropna()
            if len(present) and all(isinstance(v, (bool, np.bool_)) for v in present):
                return "bool"
            if len(present) and all(isinstance(v, (pd.Timestamp, _dt.date)) for v in present):
                return "date"
    if words & {"share", "rate", "conversion", "retention", "pct", "percent", "probability"} and "days" not in words:
        return "share"
    numeric = values is None or _numeric(values)
    if words & {"revenue", "clv", "ltv", "spend", "money", "cac", "profit", "cost"} \
            and not words & {"n", "count", "days"} and numeric:
        return "money"
    if words & {"days", "dwell", "gap", "(d)", "d"} or low.endswith(("(d)", "_days")):
        return "days"
    if words & {"customers", "people", "orders", "count", "events", "purchases", "buyers", "rows",
                "touchpoints"} and numeric:
        return "count"
    if words & {"score", "nps"}:
        return "score"
    if words & {"date", "time", "timestamp"} and values is not None and not _numeric(values):
        return "date"
    if values is None:
        return "number"
    return _kind_from_values(values)


def _numeric(values) -> bool:
    series = pd.Series(values) if not isinstance(values, pd.Series) else values
    if pd.api.types.is_bool_dtype(series.dtype):
        return False
    if pd.api.types.is_numeric_dtype(series.dtype):
        return True
    present = series.dropna()
    return bool(len(present)) and all(isinstance(v, (int, float, np.integer, np.floating))
                                      and not isinstance(v, (bool, np.bool_)) for v in present)


def _kind_from_values(values) -> str:
    series = pd.Series(values) if not isinstance(values, pd.Series) else values
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "date"
    if isinstance(dtype, pd.PeriodDtype):
        return "text"
    if pd.api.types.is_integer_dtype(dtype):
        return "count"
    if _numeric(series):
        num = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
        finite = num[np.isfinite(num)]
        if len(finite) and np.all(finite == np.round(finite)) and np.all(np.abs(finite) < 1e15):
            return "count"
        return "number"
    present = series.dropna()
    if len(present) and all(isinstance(v, (bool, np.bool_)) for v in present):
        return "bool"
    if len(present) and all(isinstance(v, (pd.Timestamp, _dt.datetime, _dt.date)) for v in present):
        return "date"
    return "text"


# -------------------------------------------------------------------------------------- single values
def _is_missing(v) -> bool:
    if v is None or v is pd.NaT:
        return True
    if isinstance(v, (float, np.floating)):
        return not math.isfinite(float(v))
    try:
        return bool(pd.api.types.is_scalar(v) and pd.isna(v))
    except (TypeError, ValueError):
        return False


def _currency_parts(currency):
    """Prefix and suffix of a money amount: codes go after (``1,234 GBP``), symbols before (``£1,234``)."""
    cur = (currency or "").strip()
    if not cur:
        return "", ""
    return ("", f" {cur}") if cur[:1].isalpha() else (cur, "")


def money(value, currency="", decimals=0) -> str:
    """``1,234 CNY`` / ``£1,234.50``: thousands separators, ``decimals`` decimals, the currency label."""
    if _is_missing(value):
        return MISSING
    pre, post = _currency_parts(currency)
    v = float(value)
    sign = "-" if v < 0 and round(abs(v), decimals) != 0 else ""
    return f"{sign}{pre}{abs(v):,.{decimals}f}{post}"


def share(value, decimals=1, signed=False) -> str:
    """``38.9%`` (a share or rate given as a fraction)."""
    if _is_missing(value):
        return MISSING
    return f"{float(value):{'+' if signed else ''}.{decimals}%}"


def count(value) -> str:
    """``1,388`` (rounded to an integer)."""
    if _is_missing(value):
        return MISSING
    return f"{round(float(value)):,}"


def _number(value, decimals) -> str:
    v = float(value)
    text = f"{v:,.{decimals}f}"
    return text[1:] if text.startswith("-") and float(text[1:].replace(",", "")) == 0 else text


def _significant(value, digits=3) -> str:
    """``value`` with ``digits`` significant digits (never rounding the integer part away): 0.948, 62.1, 1,234."""
    v = float(value)
    if v == 0:
        return "0"
    dec = min(max(digits - 1 - math.floor(math.log10(abs(v))), 0), 6)
    return _number(v, dec)


def _decimals_for(values, digits=3, max_decimals=4) -> int:
    """Decimals that give ``digits`` significant digits to the column's typical (median) value."""
    num = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float)
    finite = np.abs(num[np.isfinite(num) & (num != 0)])
    if not len(finite):
        return 0
    if np.all(finite == np.round(finite)):
        return 0
    typical = float(np.median(finite))
    return int(min(max(digits - 1 - math.floor(math.log10(typical)), 0), max_decimals))


def _date(value, with_time) -> str:
    if isinstance(value, pd.Period):
        return str(value)
    ts = pd.Timestamp(value)
    return f"{ts:%Y-%m-%d %H:%M}" if with_time else f"{ts:%Y-%m-%d}"


def _has_time(values) -> bool:
    for v in values:
        if _is_missing(v) or isinstance(v, pd.Period):
            continue
        try:
            ts = pd.Timestamp(v)
        except (TypeError, ValueError):
            continue
        if ts.hour or ts.minute or ts.second:
            return True
    return False


def format_value(value, kind=None, *, currency="", decimals=None) -> str:
    """One value as text.

    Parameters
    ----------
    value : object
    kind : str, optional
        One of :data:`KINDS`; default: guessed from the value's type.
    currency : str, default ""
        Money label (a code like ``"CNY"`` goes after the amount, a symbol like ``"£"`` before).
    decimals : int, optional
        Decimals of money (default 0), shares (default 1), days and numbers (default: 3 significant digits).
    """
    if isinstance(value, (bool, np.bool_)):
        return TRUE_MARK if value else MISSING
    if _is_missing(value):
        return MISSING
    kind = kind or _kind_from_values(pd.Series([value], dtype=object))
    if kind == "bool":
        return TRUE_MARK if bool(value) else MISSING
    if kind == "text" or kind == "id":
        if isinstance(value, (float, np.floating)) and float(value) == int(value):
            return str(int(value))
        return _text(value)
    if kind == "date":
        return _date(value, _has_time([value]))
    try:
        v = float(value)
    except (TypeError, ValueError):
        return _text(value)
    if kind == "money":
        return money(v, currency, 0 if decimals is None else decimals)
    if kind == "share":
        return share(v, 1 if decimals is None else decimals)
    if kind == "count":
        return count(v)
    if decimals is None:
        decimals = 1 if kind == "score" else _decimals_for([v])
    return _number(v, decimals)


def _text(value) -> str:
    if isinstance(value, tuple):
        return " / ".join(_text(v) for v in value)
    return str(value)


def column_formatter(values, kind, *, currency="", in_header=False):
    """A function that formats every value of one column the same way (same decimals, same currency label).

    ``in_header=True`` leaves the currency out of money cells (the header carries it).
    """
    values = list(values)
    if kind == "money":
        num = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").to_numpy(dtype=float)
        finite = np.abs(num[np.isfinite(num)])
        # cents only where amounts are small enough for them to matter
        dec = 2 if len(finite) and float(np.median(finite)) < 20 and not np.all(finite == np.round(finite)) else 0
        cur = "" if in_header else currency
        return lambda v: money(v, cur, dec) if not isinstance(v, (bool, np.bool_)) else format_value(v)
    if kind == "share":
        return lambda v: format_value(v, "share")
    if kind == "count":
        return lambda v: format_value(v, "count") if _is_number(v) else format_value(v)
    if kind in ("days", "score", "number"):
        numeric = [v for v in values if _is_number(v)]
        if kind == "score":
            dec = 0 if all(float(v) == round(float(v)) for v in numeric if math.isfinite(float(v))) else 1
        elif kind == "days":
            dec = min(_decimals_for(numeric, digits=2), 1)
        else:
            finite = np.abs(np.array([float(v) for v in numeric if math.isfinite(float(v)) and v != 0]))
            if len(finite) and finite.max() / finite.min() > 100:  # wide range: 3 significant digits each
                return lambda v: _significant(v) if _is_number(v) and math.isfinite(float(v)) else format_value(v)
            dec = _decimals_for(numeric)
        return lambda v: _number(v, dec) if _is_number(v) and math.isfinite(float(v)) else format_value(v)
    if kind == "date":
        with_time = _has_time(values)
        return lambda v: MISSING if _is_missing(v) else (_date(v, with_time) if not isinstance(v, str) else v)
    if kind == "bool":
        return lambda v: format_value(v, "bool")
    if kind == "id":
        return lambda v: format_value(v, "id")
    return lambda v: format_value(v, "text")


def _is_number(v) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))


def format_column(values, kind=None, *, name=None, currency="") -> list[str]:
    """Every value of a column as text, with one format for the whole column (``kind`` default: inferred)."""
    values = list(values)
    kind = kind or column_kind(name if name is not None else "", pd.Series(values, dtype=object)
                               if not len(values) or not _numeric(pd.Series(values, dtype=object))
                               else pd.Series(values, dtype=float))
    fmt = column_formatter(values, kind, currency=currency)
    return [fmt(v) for v in values]


# -------------------------------------------------------------------------------------- labels
_LABELS = {
    "revenue": ("Revenue", "收入"),
    "revenue_share": ("Revenue share", "收入占比"),
    "share": ("Share", "占比"),
    "customers": ("Customers", "客户数"),
    "since_last": ("Time since last purchase", "距上次购买时长"),
    "since_last_days": ("Days since last purchase", "距上次购买天数"),
    "days_since_last": ("Days since last purchase", "距上次购买天数"),
    "mean_since_last": ("Mean time since last purchase", "平均距上次购买时长"),
    "typical_gap_days": ("Typical gap (days)", "典型购买间隔（天）"),
    "recent_n": ("Recent purchases", "近期购买次数"),
    "expected_recent": ("Expected recent purchases", "预期近期购买次数"),
    "value_at_risk": ("Value at risk", "风险价值"),
    "p_alive": ("P(alive)", "存活概率"),
    "clv": ("CLV", "客户终身价值"),
    "model_clv": ("Model CLV", "模型 CLV"),
    "frequency": ("Repeat purchases", "重复购买次数"),
    "recency": ("Recency (BTYD)", "首购至末购时长"),
    "T": ("Customer age", "客户年龄"),
    "monetary_value": ("Mean repeat purchase value", "平均重复购买金额"),
    "n_orders": ("Orders", "订单数"),
    "n_days": ("Purchase days", "购买天数"),
    "mean_n_days": ("Mean purchase days", "平均购买天数"),
    "mean_revenue": ("Mean revenue", "平均收入"),
    "mean_r_score": ("Mean R score", "平均 R 分"),
    "mean_f_score": ("Mean F score", "平均 F 分"),
    "mean_m_score": ("Mean M score", "平均 M 分"),
    "r_score": ("R score", "R 分"),
    "f_score": ("F score", "F 分"),
    "m_score": ("M score", "M 分"),
    "first_purchase": ("First purchase", "首次购买"),
    "last_purchase": ("Last purchase", "最近购买"),
    "segment": ("Segment", "细分群体"),
    "tier": ("Value tier", "价值层级"),
    "stage": ("Stage", "阶段"),
    "pattern": ("Pattern", "模式"),
    "signal": ("Signal", "信号"),
    "reason": ("Reason", "原因"),
    "action": ("Recommended action", "建议行动"),
    "handling": ("What was done", "处理方式"),
    "customer_id": ("Customer", "客户"),
    "top_fraction": ("Top fraction", "头部比例"),
    "group": ("Group", "分组"),
    "rows": ("Rows", "行数"),
    "money": ("Money", "金额"),
    "repurchase_rate": ("Repurchase rate", "复购率"),
    "retention_rate": ("Retention rate", "留存率"),
    "churn_rate": ("Churn rate", "流失率"),
    "reactivation_rate": ("Reactivation rate", "赢回率"),
    "conversion_rate": ("Conversion rate", "转化率"),
    "active": ("Active customers", "活跃客户"),
    "churned": ("Churned", "已流失"),
    "censored": ("Still active (censored)", "仍活跃（删失）"),
    "median_lifetime": ("Median lifetime", "生命周期中位数"),
    "median_lower": ("Median, lower 95%", "中位数 95% 下限"),
    "median_upper": ("Median, upper 95%", "中位数 95% 上限"),
    "kind": ("Kind", "类别"),
    "label": ("Label", "名称"),
    "value": ("Value", "数值"),
    "derivation": ("How it was learned", "推导方式"),
    "threshold": ("Threshold", "阈值"),
    "cohort": ("Cohort", "同期群"),
    "period": ("Period", "期间"),
    "early_abortion": ("Early abortion", "早期流产型"),
    "mid_term_abortion": ("Mid-term abortion", "中期夭折型"),
    "midterm_abortion": ("Mid-term abortion", "中期夭折型"),
    "early_exit": ("Early exit", "提前退出型"),
    "long_term_retention": ("Long-term retention", "长久保持型"),
    "too_early_to_tell": ("Too early to tell", "尚无法判断"),
    "too_early": ("Too early to tell", "尚无法判断"),
    "event": ("Event", "事件"),
    "events": ("Events", "事件数"),
    "in_log": ("In the log", "日志中出现"),
    "reach": ("Reach", "触达"),
    "acquisition": ("Acquisition", "获客"),
    "conversion": ("Conversion", "转化"),
    "retention": ("Retention", "留存"),
    "win_back": ("Win-back", "赢回"),
    "where": ("Where", "位置"),
    "unit": ("Unit", "单位"),
    "rank": ("Rank", "排名"),
    "step": ("Step", "步骤"),
    "step_conversion": ("Step conversion", "步骤转化率"),
    "overall_conversion": ("Overall conversion", "累计转化率"),
    "drop_off": ("Drop-off", "流失人数"),
    "drop_off_rate": ("Drop-off rate", "流失率"),
    "median_time": ("Median time", "中位时间"),
    "p25_time": ("Time, 25th percentile", "时间 25 分位"),
    "p75_time": ("Time, 75th percentile", "时间 75 分位"),
    "mean_time": ("Mean time", "平均时间"),
    "kpi": ("KPI", "KPI"),
    "definition": ("Definition", "定义"),
    "people": ("People", "人数"),
    "reached": ("Reached", "已触达"),
    "new_customers": ("New customers", "新客户"),
    "ltv": ("LTV", "LTV"),
    "nps": ("NPS", "NPS"),
    "channel": ("Channel", "渠道"),
    "component": ("Component", "组成部分"),
    "mean": ("Mean", "均值"),
    "median": ("Median", "中位数"),
    "sum": ("Total", "合计"),
    "historical": ("Historical value", "历史价值"),
    "current": ("Current value", "当前价值"),
    "potential": ("Potential value", "潜在价值"),
    "check": ("Check", "检查项"),
    "ok": ("Passed", "通过"),
    "detail": ("Detail", "详情"),
    "coef": ("Estimate", "估计值"),
    "se": ("Standard error", "标准误"),
    "identified": ("Well determined", "可识别"),
    "status": ("Status", "状态"),
    "parameter": ("Parameter", "参数"),
    "actual": ("Actual", "实际值"),
    "baseline": ("Baseline", "基准值"),
    "target": ("Target", "目标值"),
    "gap": ("Gap", "差距"),
    "met": ("Met", "达成"),
    "window": ("Window", "时间窗"),
    "baseline_window": ("Baseline window", "基准时间窗"),
    "rule": ("Rule", "规则"),
    "setting": ("Setting", "设置"),
    "seconds": ("Seconds", "秒"),
    "section": ("Section", "章节"),
    "reason_code": ("Reason", "原因"),
    "spend_ratio": ("Spend ratio", "消费比率"),
    "purchases_per_year": ("Purchases per year", "年购买次数"),
    "annual_spend": ("Annual spend", "年消费额"),
    "tenure_days": ("Tenure (days)", "客户时长（天）"),
    "ipt_mean": ("Mean time between purchases", "平均购买间隔"),
    "ipt_cv": ("Variation of time between purchases", "购买间隔变异系数"),
    "breadth": ("Categories bought", "购买品类数"),
    "depth": ("Purchases per category", "每品类购买次数"),
    "discount_share": ("Share bought on discount", "折扣购买占比"),
    "order_id": ("Order", "订单"),
    "timestamp": ("Time", "时间"),
    "amount": ("Amount", "金额"),
    "quantity": ("Quantity", "数量"),
    "item": ("Item", "商品"),
    "category": ("Category", "品类"),
    "margin": ("Gross margin", "毛利率"),
    "discount_rate": ("Discount rate (annual)", "年折现率"),
    "horizon_months": ("CLV horizon (months)", "CLV 期限（月）"),
    "churn_window_days": ("Churn window (days)", "流失判定窗口（天）"),
    "kpi_window_days": ("KPI window (days)", "KPI 时间窗（天）"),
    "cohort_period": ("Cohort period", "同期群周期"),
    "holdout_days": ("Holdout (days)", "验证期（天）"),
    "bins": ("RFM score bins", "RFM 分档数"),
    "segment_map": ("RFM segment map", "RFM 细分规则表"),
    "benchmark_mean": ("Benchmark mean annual spend", "基准年均消费"),
    "currency": ("Currency", "货币"),
    "loyal_duration_days": ("Loyal duration (days)", "忠诚期时长（天）"),
    "time_to_stability_days": ("Time to stability (days)", "进入稳定期时间（天）"),
    "lost_gap_days": ("Lost after (days without purchase)", "流失判定间隔（天）"),
}
register({f"col.{name}": {"en": en, "zh": zh} for name, (en, zh) in _LABELS.items()})

#: Category values shown in cells and row headers (stage and pattern names, rule names, thresholds).
_VALUE_LABELS = {
    # the course's value tiers (toolkit.rfm.value_tiers)
    "high": ("high value", "高价值"),
    "potential": ("potential", "潜力"),
    "regular": ("regular", "一般"),
    "dormant": ("dormant", "沉睡"),
    "exploration": ("exploration", "考察期"), "formation": ("formation", "形成期"),
    "stability": ("stability", "稳定期"), "deterioration": ("deterioration", "退化期"), "lost": ("lost", "流失"),
    "early_abortion": ("early abortion", "早期流产型"), "mid_term_abortion": ("mid-term abortion", "中期夭折型"),
    "early_exit": ("early exit", "提前退出型"), "long_term_retention": ("long-term retention", "长久保持型"),
    "too_early_to_tell": ("too early to tell", "尚无法判断"), "not_yet_customer": ("not yet a customer", "尚未成为客户"),
    "lost_gap": ("lost: long gap", "流失：间隔过长"), "lost_rhythm": ("lost: broken rhythm", "流失：节奏中断"),
    "lost_p_alive": ("lost: low P(alive)", "流失：存活概率低"),
    "deterioration_lapse": ("deterioration: lapse", "退化：购买中断"),
    "deterioration_drop": ("deterioration: buying dropped", "退化：购买下降"),
    "exploration_age": ("exploration: new customer", "考察期：新客户"),
    "exploration_one_purchase": ("exploration: one purchase", "考察期：仅一次购买"),
    "t_stability": ("start of stability (days)", "稳定期起点（天）"),
    "t_explore": ("end of exploration (days)", "考察期终点（天）"),
    "t_early": ("early purchase cycle (days)", "早期购买周期（天）"),
    "reach": ("reach", "触达"), "k_lost": ("lost: gap multiplier", "流失：间隔倍数"),
    "k_det": ("deterioration: gap multiplier", "退化：间隔倍数"),
    "drop_alpha": ("drop test p-value", "下降检验 p 值"),
    "p_alive_min": ("lowest P(alive) still active", "仍活跃的最低存活概率"),
    "loyal_duration": ("loyal duration (days)", "预期忠诚期（天）"),
    "win_back": ("win-back", "赢回"), "acquisition": ("acquisition", "获客"), "conversion": ("conversion", "转化"),
    "retention": ("retention", "留存"),
}
register({f"val.{name}": {"en": en, "zh": zh} for name, (en, zh) in _VALUE_LABELS.items()})

_SNAKE = re.compile(r"^[A-Za-z][A-Za-z0-9]*(_[A-Za-z0-9]+)+$")
_WORD_FIXES = {"clv": "CLV", "ltv": "LTV", "nps": "NPS", "kpi": "KPI", "cac": "CAC", "rfm": "RFM", "id": "ID",
               "p25": "25th percentile", "p75": "75th percentile", "n": "number of"}


def _words(name: str) -> str:
    parts = [p for p in name.split("_") if p]
    words = [_WORD_FIXES.get(p.lower(), p) for p in parts]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


_ABSENT = "\0"


def _catalogue(name):
    """The catalogue label ``col.<name>`` in the current language, or None."""
    text = tr(f"col.{name}", _ABSENT)
    return None if text == _ABSENT else text


def label(name, time_unit=None) -> str:
    """Human header for a column name: the label catalogue (``col.<name>``, in the current language), else the
    name with underscores turned into words (``"mean_basket_size"`` -> ``"Mean basket size"``).

    ``time_unit`` ("D", "W", "M") is added to columns measured in the log's time unit (``since_last``).
    """
    if isinstance(name, tuple):
        return " / ".join(label(n, time_unit) for n in name if n is not None and str(n) != "")
    if name is None:
        return ""
    key = str(name)
    text = _catalogue(key)
    if text is None:
        text = _words(key) if (_SNAKE.match(key) or key.islower() and "_" not in key and " " not in key
                               and len(key) > 1) else key
        if text[:1].islower():
            text = text[:1].upper() + text[1:]
    if time_unit and (key in _TIME_UNIT_COLUMNS) and "(" not in text:
        text = f"{text} ({tr('unit.' + _UNIT_WORDS.get(time_unit, time_unit), _UNIT_WORDS.get(time_unit, time_unit))})"
    return text


def value_label(value, context=None) -> str:
    """A categorical value (stage, pattern, signal...) for people: the catalogue label of a snake_case value,
    else the value as given (data values such as event names stay as they are).

    ``context`` (the column or index name the value sits in) picks a label meant for that column first:
    ``val.<context>.<value>`` (a lifecycle threshold called ``reach`` is not the journey stage ``reach``)."""
    if not isinstance(value, str):
        return _text(value)
    text = tr(f"val.{context}.{value}", _ABSENT) if context is not None else _ABSENT
    if text != _ABSENT:
        return text
    text = tr(f"val.{value}", _ABSENT)
    if text != _ABSENT:
        return text
    if not _SNAKE.match(value):
        return value
    return _catalogue(value) or _words(value)


register({
    "unit.days": {"en": "days", "zh": "天"},
    "unit.weeks": {"en": "weeks", "zh": "周"},
    "unit.months": {"en": "months", "zh": "月"},
    "unit.quarters": {"en": "quarters", "zh": "季度"},
    "unit.years": {"en": "years", "zh": "年"},
    "unit.pts": {"en": " pts", "zh": " 个百分点"},
})


# -------------------------------------------------------------------------------------- tables
#: Columns whose values are categories with catalogue labels (stage names, patterns, signals...).
_CATEGORY_COLUMNS = {"stage", "pattern", "signal", "kind", "where", "tier", "status", "threshold"}


class FormattedTable:
    """A table ready to show: human headers, index labels and cell texts, plus each column's kind.

    Attributes
    ----------
    index_header : str
    headers : list of str
    index : list of str
    cells : list of list of str
        Row by row.
    kinds : list of str
        Kind of each column (``"money"``...; a row-wise table has ``"mixed"``).
    numeric : list of bool
        Whether each column is right-aligned (numbers).
    show_index : bool
        False for a plain row number index (0, 1, 2 ...), which says nothing to a reader.
    """

    def __init__(self, index_header, headers, index, cells, kinds, numeric, show_index=True):
        self.show_index = show_index
        self.index_header = index_header
        self.headers = headers
        self.index = index
        self.cells = cells
        self.kinds = kinds
        self.numeric = numeric

    def to_frame(self) -> pd.DataFrame:
        """The texts as a DataFrame (headers as columns, index labels as index)."""
        out = pd.DataFrame(self.cells, columns=self.headers, index=pd.Index(self.index, name=self.index_header))
        return out


def _row_kinds(table):
    """Per-row kinds of a long-format table (a ``unit`` column, or rows named after KPIs), else None."""
    explicit = table.attrs.get("row_kinds")
    if explicit is not None:
        return [explicit.get(i) for i in table.index]
    if "unit" in table.columns:
        return [_UNIT_KINDS.get(str(u), _UNIT_KINDS.get(str(u).lower())) for u in table["unit"]]
    if table.attrs.get("orient") == "rows" or table.index.name == "kpi":
        return [column_kind(i) for i in table.index]
    return None


#: Columns that hold the row's own value in long-format tables (formatted by the row's kind).
_ROW_VALUE_COLUMNS = {"value", "actual", "baseline", "target", "gap"}


def format_table(table: pd.DataFrame, *, currency="", kinds=None, time_unit=None) -> FormattedTable:
    """Format a DataFrame column by column (or row by row for long-format KPI tables).

    Parameters
    ----------
    table : pandas.DataFrame
        ``table.attrs`` may carry ``"kinds"`` ({column: kind}), ``"row_kinds"`` ({row: kind}),
        ``"orient": "rows"`` (rows are measures, e.g. a stage x KPI board) and ``"time_unit"``.
    currency : str
        Money label; money columns get it in their header (``Revenue (CNY)``), cells show the amount.
    kinds : dict, optional
        Kinds by column name, overriding inference.
    time_unit : str, optional
        Time unit of ``since_last``-like columns (default ``table.attrs["time_unit"]``).
    """
    kinds = {**(table.attrs.get("kinds") or {}), **(kinds or {})}
    time_unit = time_unit or table.attrs.get("time_unit")
    row_kinds = _row_kinds(table)
    orient_rows = table.attrs.get("orient") == "rows"
    headers, col_kinds, numeric, formatters = [], [], [], []
    for col in table.columns:
        values = table[col]
        kind = kinds.get(col) or column_kind(col, values)
        if row_kinds is not None and (orient_rows or col in _ROW_VALUE_COLUMNS) and _numeric(values):
            kind = "mixed"
        col_kinds.append(kind)
        numeric.append(bool(kind in ("money", "share", "count", "days", "score", "number", "mixed")
                            and (_numeric(values) or values.isna().all())))
        head = label(col, time_unit)
        if kind == "money" and currency:
            head = f"{head} ({currency.strip()})"
        headers.append(head)
        if kind == "mixed":
            by_kind = {}
            for k in {r for r in row_kinds if r}:
                mask = [r == k for r in row_kinds]
                by_kind[k] = column_formatter(values[mask].tolist(), k, currency=currency)
                if col == "gap" and k == "share":  # a difference of two rates: percentage points
                    by_kind[k] = lambda v: MISSING if _is_missing(v) else f"{100 * float(v):+.1f}{tr('unit.pts')}"
            default = column_formatter(values.tolist(), "number")
            formatters.append(lambda v, i, by_kind=by_kind, default=default: by_kind.get(row_kinds[i], default)(v))
        else:
            fmt = column_formatter(values.tolist(), kind, currency=currency, in_header=bool(currency))
            if col in _CATEGORY_COLUMNS and kind == "text":
                formatters.append(lambda v, i, col=col: value_label(v, col) if not _is_missing(v) else MISSING)
            else:
                formatters.append(lambda v, i, fmt=fmt: fmt(v))
    # index
    names = [n for n in table.index.names if n is not None]
    index_header = label(tuple(names), time_unit) if len(names) > 1 else (label(names[0], time_unit) if names else "")
    if isinstance(table.index, pd.MultiIndex):
        index = [" / ".join(value_label(x) for x in idx) for idx in table.index]
    else:
        series = table.index.to_series()
        ikind = kinds.get(table.index.name) or column_kind(table.index.name or "", series)
        if ikind not in ("date", "bool") and not _numeric(series):
            index = [value_label(v, table.index.name) if not _is_missing(v) else MISSING for v in table.index]
        elif ikind in ("count", "id") or pd.api.types.is_integer_dtype(table.index.dtype):
            index = [format_value(v, "id") for v in table.index]
        else:
            fmt = column_formatter(list(table.index), ikind, currency=currency)
            index = [fmt(v) for v in table.index]
    cells = [[formatters[j](v, i) for j, v in enumerate(row)]
             for i, row in enumerate(table.itertuples(index=False, name=None))]
    plain = isinstance(table.index, pd.RangeIndex) and table.index.name is None
    return FormattedTable(index_header, headers, index, cells, col_kinds, numeric, show_index=not plain)


# -------------------------------------------------------------------------------------- KPI tables, HTML
#: Why a KPI can be blank, in plain words (the long-format KPI tables of ``toolkit.journey.stage_kpis``).
_KPI_BLANK_REASONS = {
    "CSAT": ("no survey events (satisfaction answers 1-5; pass csat=)", "无满意度调查事件（1-5 分；请传入 csat=）"),
    "NPS": ("no NPS answers (pass nps_scores=)", "无 NPS 答卷（请传入 nps_scores=）"),
    "LTV": ("no transactions or CLV given", "未提供交易或 CLV"),
    "CAC": ("no acquisition costs in the customers table", "客户表中没有获客成本"),
    "acquisition spend": ("no acquisition costs in the customers table", "客户表中没有获客成本"),
    "churn rate": ("no customer acquired before the churn window", "没有在流失窗口之前获得的客户"),
    "win-back rate": ("no win-back touchpoint old enough to judge", "没有足够早、可判断结果的赢回触点"),
}
register({f"kpi.blank.{k}": {"en": en, "zh": zh} for k, (en, zh) in _KPI_BLANK_REASONS.items()})
# the KPI board's rows (toolkit.report.kpi_board, index "kpi") whose key is not a column name with a label
register({"val.kpi.nps": {"en": "nps", "zh": "NPS"}, "val.kpi.clv": {"en": "clv", "zh": "CLV"}})
register({
    "kpi.blank": {"en": "n/a — {reason}", "zh": "无数据 — {reason}"},
    "kpi.blank.default": {"en": "not measured in these data", "zh": "这些数据中没有测量"},
})


def _kpi_blank(kpi) -> str:
    reason = tr(f"kpi.blank.{kpi}", _ABSENT)
    if reason == _ABSENT:
        reason = tr("kpi.blank.default")
    return tr("kpi.blank").format(reason=reason)


def format_kpi_table(kpis, *, currency="") -> pd.DataFrame:
    """A long-format KPI table (``stage, kpi, value, unit[, definition]``) with every value written for people.

    Each value goes through the report's formatter by its ``unit`` (people and events as counts ``2,000``,
    money ``92,280``, shares ``67.5%``, NPS points ``25.4``), so no cell shows ``2e+03``; a blank value says
    why (``n/a — no survey events ...``).

    Parameters
    ----------
    kpis : toolkit.journey.StageKPIs or pandas.DataFrame
        The result of :func:`toolkit.journey.stage_kpis` or its ``table``.
    currency : str, default ""
        Money label added to money values.

    Returns
    -------
    pandas.DataFrame
        Text only: ``stage, kpi, value[, definition]`` (stage names as labels); show it with
        :func:`html_table` (cells wrap) or as it is.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"stage": ["reach", "retention"], "kpi": ["people reached", "CSAT"],
    ...                   "value": [2000.0, float("nan")], "unit": ["people", "share"]})
    >>> format_kpi_table(t)["value"].tolist()
    ['2,000', 'n/a — no survey events (satisfaction answers 1-5; pass csat=)']
    """
    table = getattr(kpis, "table", kpis)
    if not isinstance(table, pd.DataFrame) or not {"kpi", "value"} <= set(table.columns):
        raise TypeError("format_kpi_table needs a StageKPIs or a DataFrame with 'kpi' and 'value' columns")
    units = table["unit"] if "unit" in table.columns else pd.Series([None] * len(table), index=table.index)
    kinds = [_UNIT_KINDS.get(str(u), _UNIT_KINDS.get(str(u).lower())) or column_kind(str(k))
             for u, k in zip(units, table["kpi"])]
    values = []
    for v, kind, kpi in zip(table["value"], kinds, table["kpi"]):
        if _is_missing(v):
            values.append(_kpi_blank(kpi))
        elif kind == "money":
            values.append(money(v, currency, 2 if abs(float(v)) < 100 else 0))
        elif kind == "count":
            values.append(count(v))
        elif kind == "share":
            values.append(share(v))
        elif kind == "score":
            values.append(_number(v, 1))
        else:
            values.append(_significant(v))
    out = pd.DataFrame({"value": values}, index=table.index)
    if "stage" in table.columns:
        out.insert(0, "stage", [value_label(s) for s in table["stage"]])
    out.insert(1 if "stage" in out.columns else 0, "kpi", table["kpi"].astype(str).to_numpy())
    if "definition" in table.columns:
        out["definition"] = table["definition"].astype(str).to_numpy()
    return out.reset_index(drop=True)


def html_table(table, *, currency="", kinds=None, time_unit=None, max_chars=80, css_class="cvt-table") -> str:
    """A DataFrame (or :class:`FormattedTable`) as an HTML table whose cells wrap instead of being cut.

    Numbers go through :func:`format_table` (no ``e+``, one format per column). Cells wrap
    (``white-space: normal``), so no text ends in "…"; a cell longer than ``max_chars`` characters also
    carries its full text as a ``title`` tooltip. Nothing here imports ipywidgets: widgets and lessons share it.
    """
    import html as _html

    ft = table if isinstance(table, FormattedTable) else format_table(table, currency=currency, kinds=kinds,
                                                                       time_unit=time_unit)
    cell_style = "white-space:normal;overflow-wrap:anywhere;padding:2px 8px;vertical-align:top"

    def cell(tag, text, right=False):
        text = str(text)
        title = f" title='{_html.escape(text, quote=True)}'" if len(text) > max_chars else ""
        align = "text-align:right;" if right else "text-align:left;"
        return f"<{tag} style='{align}{cell_style}'{title}>{_html.escape(text)}</{tag}>"

    head = ([cell("th", ft.index_header)] if ft.show_index else []) + [
        cell("th", h, n) for h, n in zip(ft.headers, ft.numeric)]
    rows = []
    for idx, cells in zip(ft.index, ft.cells):
        row = ([cell("th", idx)] if ft.show_index else []) + [cell("td", c, n) for c, n in zip(cells, ft.numeric)]
        rows.append("<tr>" + "".join(row) + "</tr>")
    return (f"<table class='{css_class}' style='border-collapse:collapse;max-width:100%;table-layout:auto'>"
            f"<thead><tr>{''.join(head)}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


# -------------------------------------------------------------------------------------- more Chinese labels (#20)
# Column names the explorers show whose English header was made from the name (``_words``): the English stays
# exactly that, Chinese is added.
register({f"col.{name}": {"en": _words(name), "zh": zh} for name, zh in {
    "expected_purchases": "预期购买次数", "spend": "每次购买金额", "clv_percentile": "CLV 百分位",
    "mean_frequency": "平均重复购买次数", "mean_n_orders": "平均订单数", "city_tier": "城市等级",
    "age_band": "年龄段", "year": "年", "survival": "留存概率", "discount_factor": "折现系数",
    "present_value": "现值", "cumulative_pv": "累计现值", "acquisition_date": "获客日期",
    "acquisition_cost": "获客成本", "child_age_months": "孩子月龄",
}.items()})

#: RFM segment names of the preset maps (:data:`toolkit.rfm.SEGMENT_MAPS`). The eight R/F/M classes carry the
#: course's names (重要价值客户 ... 一般挽留客户); the R x F grid the common Chinese marketing names.
SEGMENT_LABELS = {
    "Champions": "冠军客户", "Loyal": "忠诚客户", "Potential Loyalists": "潜在忠诚客户", "New": "新客户",
    "Promising": "有潜力客户", "Need Attention": "需要关注", "About to Sleep": "即将沉睡", "At Risk": "有流失风险",
    "Can't Lose Them": "不能失去的客户", "Hibernating": "休眠客户",
    "High-value": "重要价值客户", "High-value to develop": "重要发展客户", "High-value to retain": "重要保持客户",
    "High-value to win back": "重要挽留客户", "Regular value": "一般价值客户", "Regular to develop": "一般发展客户",
    "Regular to retain": "一般保持客户", "Regular to win back": "一般挽留客户",
}
register({f"val.{name}": {"en": name, "zh": zh} for name, zh in SEGMENT_LABELS.items()})
# the teaching company's categories (toolkit.datasets.load_company): channels, city tiers, event names; the
# English is what value_label wrote before
register({f"val.{name}": {"en": _words(name) if _SNAKE.match(name) else name, "zh": zh} for name, zh in {
    "one_yuan_promo": "一元促销", "organic_search": "自然搜索", "paid_social": "付费社交", "referral": "推荐",
    "retail_store": "零售门店", "tier1": "一线城市", "tier2": "二线城市", "tier3": "三线城市", "tier4": "四线城市",
    "visit": "访问", "sign_up": "注册", "trial": "试用", "ad_impression": "广告曝光", "purchase": "购买",
    "support_contact": "联系客服", "repurchase": "复购", "complaint": "投诉", "winback_offer": "赢回优惠",
    "gold": "金卡", "silver": "银卡", "bronze": "铜卡",
    # the channels of its transactions and touchpoints
    "app": "手机应用", "web": "网站", "store": "门店", "sms": "短信", "mini_program": "小程序",
    "service_center": "客服中心",
    # product categories of the teaching company (a mother-and-baby store)
    "feeding": "喂养用品", "strollers_gear": "童车与出行", "maternity_wear": "孕妇装", "baby_food": "婴儿辅食",
    "diapers": "纸尿裤", "baby_clothing": "童装", "baby_care": "洗护用品", "toys": "玩具",
    "infant_formula": "婴儿奶粉",
}.items()})
# the segment maps offered by the RFM explorer
register({
    "val.rf_grid": {"en": "rf_grid", "zh": "R×F 网格（10 类）"},
    "val.rfm_8": {"en": "rfm_8", "zh": "RFM 八类（重要价值 … 一般挽留）"},
    "val.custom map": {"en": "custom map", "zh": "自定义规则表"},
})
register({"val.all": {"en": "all", "zh": "全部"}})


def category_label(value) -> str:
    """A data category (a channel, a group, an event name) as a chart or menu shows it: :func:`value_label` in
    Chinese (``one_yuan_promo`` -> 一元促销), the value itself in English (as the data spell it)."""
    from .i18n import get_language

    return str(value) if get_language() == "en" else value_label(value)


# -------------------------------------------------------------------------------------- tables in a Chinese notebook
def _zh_value(value, context=None, *, header=False):
    """A cell or index value for a Chinese reader: its catalogue label (category ``val.*``, the one for its column
    ``val.<context>.*`` first, or a column name used as a row label; ``header=True``: a column name, ``col.*``
    before ``val.*``), or the Chinese of a sentence the toolkit wrote (:func:`toolkit.i18n.localize`), else None
    (the value as the data spell it)."""
    if not isinstance(value, str):
        return None
    keys = (f"col.{value}", f"val.{value}") if header else (f"val.{value}", f"col.{value}")
    if isinstance(context, str):
        keys = (f"val.{context}.{value}",) + keys
    for key in keys:
        text = tr(key, _ABSENT)
        if text != _ABSENT:
            return text
    found = localize(value)  # a sentence the toolkit wrote (a reason, a reading, a verdict)
    return None if found == value else found


def _zh_category(value: str):
    """The ``val.*`` label of a category used as a column (a pivot by channel), or None."""
    text = tr(f"val.{value}", _ABSENT)
    return None if text == _ABSENT else text


def _zh_header(name, categories=None) -> str:
    """HTML header: the Chinese label with the column's own name under it (what the code writes), or the name.

    ``categories``: the name of the columns' axis when the columns are the values of a variable (a crosstab's
    ``to``, ``predicted``): their category labels come first (``potential`` the tier, not the CLV part)."""
    import html as _html

    if isinstance(name, tuple):
        return " / ".join(_zh_header(n) for n in name if n is not None and str(n) != "")
    if name is None:
        return ""
    text = None
    if isinstance(categories, str):
        text = _zh_category(f"{categories}.{name}") or _zh_category(str(name))
    text = text or _catalogue(str(name)) or _zh_category(str(name))
    if text is None or text == str(name):
        return _html.escape(str(name))
    return f"{_html.escape(text)}<br><code style='font-size:85%;opacity:.7'>{_html.escape(str(name))}</code>"


def notebook_table_html(obj) -> str:
    """A DataFrame or Series as a Chinese notebook shows it (``set_language("zh")``): headers in Chinese with the
    column's name beneath (so the next cell can use it), categories (segments, stages, channels...) by their
    Chinese labels, numbers formatted as in the report. The data are unchanged: only their display.

    Long tables show their first and last rows like pandas (``display.max_rows``/``display.min_rows``).
    """
    import html as _html

    frame = obj.to_frame(name=obj.name if obj.name is not None else "") if isinstance(obj, pd.Series) else obj
    n_rows, n_cols = frame.shape
    max_rows = pd.get_option("display.max_rows") or n_rows
    max_cols = pd.get_option("display.max_columns") or n_cols
    shown = frame
    cut_rows = n_rows > max_rows
    if cut_rows:
        half = max((pd.get_option("display.min_rows") or 10) // 2, 1)
        shown = pd.concat([frame.iloc[:half], frame.iloc[-half:]])
    cut_cols = n_cols > max_cols
    if cut_cols:
        half_c = max(max_cols // 2, 1)
        shown = pd.concat([shown.iloc[:, :half_c], shown.iloc[:, -half_c:]], axis=1)
    flat = shown.copy()
    flat.columns = [f"\0{i}" for i in range(shown.shape[1])]  # format_table needs unique, plain names
    try:
        # each column formatted by the kind its own name says (a share as %, money with separators)
        kinds = {f"\0{i}": column_kind(str(name), shown.iloc[:, i]) for i, name in enumerate(shown.columns)
                 if isinstance(name, str)}
        formatted = format_table(flat.reset_index(drop=True), kinds=kinds).cells
    except Exception:  # noqa: BLE001 - an unusual dtype: show the values as pandas writes them
        formatted = [[str(v) for v in row] for row in flat.itertuples(index=False, name=None)]
    numeric = [pd.api.types.is_numeric_dtype(shown.iloc[:, j]) and not pd.api.types.is_bool_dtype(shown.iloc[:, j])
               for j in range(shown.shape[1])]
    cell = "padding:2px 8px;vertical-align:top;white-space:normal"

    def td(text, right, tag="td", wrap=True):
        style = cell if wrap else cell.replace("white-space:normal", "white-space:nowrap")
        return f"<{tag} style='{style};text-align:{'right' if right else 'left'}'>{text}</{tag}>"

    def index_text(value):
        parts = value if isinstance(value, tuple) else (value,)
        return " / ".join(_html.escape(_zh_value(p, n) or _text(p)) for p, n in zip(parts, names))

    names = list(shown.index.names)
    show_index = not (isinstance(shown.index, pd.RangeIndex) and shown.index.name is None and not cut_rows)
    head = [td(_zh_header(tuple(n for n in names if n is not None)) if any(n is not None for n in names) else "",
               False, "th", wrap=False)] if show_index else []
    headers = [_zh_header(c, shown.columns.name) for c in shown.columns]
    if cut_cols:
        headers.insert(half_c, "…")
        numeric.insert(half_c, False)
    # headers keep their words on one line: Chinese breaks between any two characters, so a narrow numeric column
    # would stack its label one character per line ("客/户/年/龄")
    head += [td(h, n, "th", wrap=False) for h, n in zip(headers, numeric)]
    rows = []
    raw_rows = list(shown.itertuples(index=False, name=None))
    for i, (idx, texts, raw) in enumerate(zip(shown.index, formatted, raw_rows)):
        if cut_rows and i == half:
            rows.append("<tr>" + "".join(td("…", False) for _ in range(len(head))) + "</tr>")
        values = [_html.escape(_zh_value(r, c) or t) for t, r, c in zip(texts, raw, shown.columns)]
        if cut_cols:
            values.insert(half_c, "…")
        row = ([td(index_text(idx), False, "th")] if show_index else []) + [
            td(v, n) for v, n in zip(values, numeric)]
        rows.append("<tr>" + "".join(row) + "</tr>")
    foot = ""
    if cut_rows or cut_cols:
        foot = f"<p style='font-size:90%;opacity:.75'>{tr('table.shape').format(rows=count(n_rows), cols=count(n_cols))}</p>"
    return (f"<table class='dataframe cvt-frame' style='border-collapse:collapse'><thead><tr>{''.join(head)}</tr>"
            f"</thead><tbody>{''.join(rows)}</tbody></table>{foot}")


register({"table.shape": {"en": "{rows} rows × {cols} columns", "zh": "共 {rows} 行 × {cols} 列"}})


def _notebook_tables(code: str) -> None:
    """Under zh, IPython shows DataFrames and Series through :func:`notebook_table_html`; under en as pandas does."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency of the notebooks only
        return
    shell = get_ipython()
    if shell is None:
        return
    formatter = shell.display_formatter.formatters["text/html"]
    for kind in (pd.DataFrame, pd.Series):
        if code == "en":
            formatter.type_printers.pop(kind, None)
        else:
            formatter.for_type(kind, notebook_table_html)


on_language_change(_notebook_tables)
_notebook_tables(get_language())
register({f"col.{name}": {"en": en, "zh": zh} for name, (en, zh) in {
    # what pandas names its own summaries (value_counts, describe, agg)
    "count": ("Count", "计数"), "proportion": ("Proportion", "占比"), "mean": ("Mean", "均值"),
    "std": ("Std", "标准差"), "min": ("Min", "最小值"), "max": ("Max", "最大值"), "median": ("Median", "中位数"),
    "sum": ("Sum", "合计"), "25%": ("25%", "下四分位数"), "50%": ("50%", "中位数"), "75%": ("75%", "上四分位数"),
}.items() if _catalogue(name) is None})
