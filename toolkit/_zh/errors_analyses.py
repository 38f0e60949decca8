"""Chinese of the error and warning messages of errors_analyses (see toolkit._zh).

The messages of the analyses (:mod:`toolkit.rfm`, :mod:`toolkit.cohorts`, :mod:`toolkit.journey`,
:mod:`toolkit.lifecycle` with its short-history caveats, :mod:`toolkit.logrank`, :mod:`toolkit.customer_value`,
:mod:`toolkit.formatting`), of the report (:mod:`toolkit.report`: settings, KPI targets, NPS and event inputs), of
the plotting functions and of the widgets. Also the sentence of the shared parameter checks of
:mod:`toolkit._validate` (``check_number`` / ``check_int`` / ``check_array``: "window must be a finite number in
[1, 36524], got -1. <hint>") with the hints these modules pass to them (the hints of :mod:`toolkit.clv` are in
:mod:`toolkit._zh.errors_clv`).

Some of these messages are raised as plain ``ValueError`` / ``KeyError`` / ``TypeError``: a widget shows them
through :func:`~toolkit.i18n.localize` (its error line), and they read in Chinese wherever they are raised as a
:class:`~toolkit.errors.ToolkitError` (``ParameterError`` is a ``ValueError``).

Column names, argument names, values and the arguments that fix a problem (``method='thresholds'``,
``unmapped='report'``) stay as they are; names the English writes bare are put in backticks (:func:`_name`) so
that they read as code. Replacements are functions of the match (:func:`_f`): group texts are kept as they are
unless a transform is named for them.
"""

import re

from ..i18n import register_patterns, register_text
from ._common import code as _code
from ._common import fill as _f
from ._common import name as _name
from ._common import zh as _zh

#: a number as the messages print it (12,560, -0.5, 1e-10)
_N = r"-?[\d,]*\.?\d+(?:e[-+]?\d+)?"
#: a value as repr prints it: a quoted string, or one token (5, None, nan, 0.5)
_V = r"(?:'[^']*'|\"[^\"]*\"|\S+?)"


def _cols(value):
    """``"since_last, n_days, revenue"`` (column names joined by commas) -> each name in backticks."""
    names = [c for c in (value or "").split(", ") if c]
    return "、".join(f"`{c}`" for c in names) if names else "（无）"


def _choice_zh(value):
    """``"kind must be 'a', 'b' or 'c'"`` -> ``"`kind` 必须是 'a'、'b' 或 'c'"``."""
    name, options = value.split(" must be ", 1)
    return f"`{name}` 必须是 " + re.sub(r" or (?=['\"])", " 或 ", re.sub(r", (?=['\"])", "、", options))


def _history(value):
    """``"4 months"`` / ``"60 days"`` (toolkit.lifecycle._history) in Chinese."""
    return re.sub(r"(\d) months?\b", r"\1 个月", re.sub(r"(\d) days?\b", r"\1 天", value or ""))


# ------------------------------------------------------------------------------------------------------------------
# Hints the analyses and the report pass to toolkit._validate (translated inside the checks' own sentence)
# ------------------------------------------------------------------------------------------------------------------
register_text({text: {"zh": zh} for text, zh in {
    "It is a number of days, e.g. 90.": "它是天数，例如 90。",
    "It is the inactivity window in days, e.g. 90.": "它是不活跃窗口的天数，例如 90。",
    "Pass 0.05 for 95% bands.": "95% 置信带请传 0.05。",
    "Pass 0.05 for a 5% level.": "5% 的显著性水平请传 0.05。",
    "It is a number of days (or None to learn it from the data).": "它是天数（传 `None` 则从数据中学习）。",
    "Pass 0.6 for 60%.": "60% 请传 0.6。",
    "It is an annual rate: pass 0.1 for 10%.": "它是年利率：10% 请传 0.1。",
    "For example 36 (three years).": "例如 36（三年）。",
    "It is the KPI window in days, e.g. 365 (one year).": "它是 KPI 时间窗的天数，例如 365（一年）。",
    "It is the churn definition in days, e.g. 90.": "它是流失判定的天数，例如 90。",
    "For example 180.": "例如 180。",
    "RFM scores use 2 to 10 bins; 5 is usual.": "RFM 打分使用 2 到 10 档；通常为 5 档。",
    "It is a mean annual spend per customer.": "它是每位客户的年均消费额。",
    # the CLV scenario widget's refusal: the check's message, then this
    "Kept the previous settings.": "已保留之前的设置。",
    # the missing-column hints of toolkit.rfm
    "Pass recency_col=/frequency_col=/monetary_col= to use other columns.":
        "如需使用其他列，请传入 recency_col=/frequency_col=/monetary_col=。",
    "Score the customers with rfm_scores first.": "请先用 rfm_scores 给客户打分。",
    "Pass labels= (e.g. the output of value_tiers) or assign_segments first.":
        "请传入 labels=（例如 value_tiers 的输出），或先运行 assign_segments。",
    "Pass the summary columns via data or choose other *_col names.":
        "请通过 `data` 传入客户汇总表中的这些列，或选用其他 `*_col` 列名。",
}.items()})

register_patterns("zh", [
    (r"Pass a number in the log's time unit \((?P<u>'\w+')\) or a pd\.Timedelta\.",
     _f("请传入以日志时间单位（{u}）计的数值，或一个 pd.Timedelta。")),
])

# The sentence of the checks themselves ("window must be a finite number in [1, 36524], got -1. <hint>"), shared by
# every layer: errors_data and errors_clv each leave it to the other, so it is here (registered first, it is the
# one used; a copy elsewhere would never be reached).
_RANGE = r"(?:in [\[(][^,\s]+, [^\])\s]+[\])]|[<>]=? \S+)"


def _range_zh(text):
    """``in [0, 1]`` -> ``[0, 1] 内的``, ``>= 0`` -> ``>= 0 的`` (the bounds as the English prints them)."""
    if not text:
        return ""
    return (" " + text[3:] + " 内的") if text.startswith("in ") else (" " + text + " 的")


def _check_number(match):
    kind = "有限数值" if match["kind"] == "a finite number" else "数值（可为无穷）"
    return (f"{_name(match['name'])} 必须是{_range_zh(match['rng'])}{kind}，实际为 {_code(match['got'])}。"
            f"{_zh(match['hint'])}")


def _check_array(match):
    kind = "有限数值" if match["kind"] == "finite numbers" else "数值（可为无穷）"
    return (f"{_name(match['name'])} 的每个值都必须是{_range_zh(match['rng'])}{kind}，有 {match['k']} 个值不符合"
            f"（例如 {match['got']}）。{_zh(match['hint'])}")


register_patterns("zh", [
    (rf"(?P<name>[A-Za-z_][\w\[\]'\"]*) must be (?P<kind>a number|a finite number)(?: (?P<rng>{_RANGE}))?, got "
     r"(?P<got>.+?)\.(?: (?P<hint>.+))?", _check_number),
    (r"(?P<name>[A-Za-z_][\w\[\]'\"]*) must be a whole number, got (?P<got>\S+?)\.(?: (?P<hint>.+))?",
     _f("{name} 必须是整数，实际为 {got}。{hint}", name=_name, got=_code, hint=_zh)),
    (rf"(?P<name>[A-Za-z_][\w\[\]'\"]*) must be (?P<kind>numbers|finite numbers)(?: (?P<rng>{_RANGE}))?, got "
     r"(?P<got>\[.*?\]) \((?P<k>[\d,]+) value\(s\)\)\.(?: (?P<hint>.+))?", _check_array),
])

# ------------------------------------------------------------------------------------------------------------------
# Choices and lists shared by several modules ("X must be 'a' or 'b', got v.", "X must be one of [...], got v.")
# ------------------------------------------------------------------------------------------------------------------
#: "X must be <one of these quoted values>" as the analyses, the report and the plots write it (each pair exactly,
#: so that the same sentence of another layer keeps its own translation)
_CHOICES = [
    'method must be "quantile" or "thresholds"', 'purchases must be "n_days" or "n_orders"',
    'annualise must be "auto", "window" or "tenure"', 'missing must be "raise" or "drop"',
    "partial must be 'censor' or 'keep'", "clock must be 'lapse' or 'last_purchase'",
    "unmapped must be 'report' or 'raise'", "level must be 'event' or 'stage'", "order must be 'strict' or 'loose'",
    "invalid must be 'raise' or 'drop'", "basket must be 'customer' or 'order'",
    "kind must be 'survival' or 'retention'", 'value must be "count" or "revenue"', 'what must be "pattern" or "stage"',
    'kind must be "tier" or "segment"', "cohort_period must be 'D', 'W', 'M' or 'Q'",
]
_CHOICES_RE = "|".join(re.escape(c) for c in _CHOICES)

register_patterns("zh", [
    (rf"(?P<c>{_CHOICES_RE})(?:, got (?P<v>{_V}))?\.?",
     lambda m: (_choice_zh(m["c"]) + (f"，实际为 {_code(m['v'])}。" if m["v"] is not None else "。"))),
    (r"(?P<n>period|metric|time_unit) must be one of (?P<o>\[[^\]]*\]|\([^)]*\))(?P<d> \(days, ISO weeks, months, "
     rf"quarters\))?, got (?P<v>{_V})\.?",
     lambda m: (f"{_name(m['n'])} 必须是 {m['o']} 之一" + ("（天、ISO 周、月、季度）" if m["d"] else "")
                + f"，实际为 {_code(m['v'])}。")),
])

# ------------------------------------------------------------------------------------------------------------------
# toolkit.rfm
# ------------------------------------------------------------------------------------------------------------------
_C = r"(?P<c>[A-Za-z_][\w.]*)"  # the function that raises (rfm_scores, value_tiers, assign_segments...)


def _detail(value):
    """``"influence: ['referrals']; growth: ['n_days']"`` (dimension: missing columns) with the dimensions in
    backticks."""
    return "；".join(re.sub(r"^(\w+): ", lambda m: f"`{m[1]}`：", part) for part in (value or "").split("; "))


def _segment(value):
    """A segment name of a rule: its Chinese label when the catalogue has one (the preset maps), else as given.

    The rule message is also shown on the RFM explorer's error line, which reads as plain Chinese (no code): so
    the bounds are given as "R 分范围 4..5" and the fix as "5 档" (``bins=5``), as the widget words them."""
    from ..formatting import value_label

    name = value.strip("'\"")
    label = value_label(name)
    return value if label == name else label


def _json_error(value):
    """A message of Python's JSON decoder ("Expecting value: line 1 column 1 (char 0)") in Chinese."""
    m = re.fullmatch(r"(?P<what>.+?): line (?P<l>\d+) column (?P<c>\d+) \(char (?P<p>\d+)\)", value or "")
    if m is None:
        return f"`{value}`"
    what = m["what"]
    known = {"Expecting value": "此处应为一个值",
             "Expecting property name enclosed in double quotes": "此处应为用双引号括起来的属性名",
             "Expecting ':' delimiter": "此处应为分隔符 ':'", "Expecting ',' delimiter": "此处应为分隔符 ','",
             "Extra data": "有多余的数据", "Unterminated string starting at": "字符串没有结束，起点",
             "Invalid control character at": "无效的控制字符，位置", "Invalid \\escape": "无效的转义符",
             "Invalid \\uXXXX escape": "无效的 \\uXXXX 转义符"}
    return f"{known.get(what, '`' + what + '`')}：第 {m['l']} 行第 {m['c']} 列（第 {m['p']} 个字符）"


register_patterns("zh", [
    (rf"{_C} expects a customer summary DataFrame \(toolkit\.customer_summary\(tx\)\) or a toolkit\.Transactions, got "
     r"(?P<t>\S+)\.",
     _f("{c} 需要客户汇总表 DataFrame（toolkit.customer_summary(tx)）或 toolkit.Transactions，实际为 {t}。", t=_code)),
    (rf"{_C}: missing column\(s\) (?P<m>\[.*?\])\. The frame has: (?P<have>.*?)\.(?: (?P<hint>.+))?",
     _f("{c}：缺少列 {m}。该表现有的列：{have}。{hint}", have=_cols, hint=_zh)),
    (rf"{_C}: column (?P<col>'[^']*'|\"[^\"]*\") must be numeric, it has dtype (?P<t>\S+)\.",
     _f("{c}：列 {col} 必须是数值型，实际类型为 {t}。", t=_code)),
    (r"thresholds must be a dict like (?P<ex>\{.*?\}) with one increasing list of cut points per dimension, got "
     r"(?P<t>\S+)\.",
     _f("`thresholds` 必须是形如 {ex} 的字典，每个维度一个递增的切分点列表，实际为 {t}。", t=_code)),
    (r"method=\"thresholds\" needs cut points for every dimension; missing (?P<m>\[.*?\])\.",
     _f("method=\"thresholds\" 需要每个维度的切分点；缺少 {m}。")),
    (rf"bins must be an integer between 2 and 20, got (?P<v>{_V})\.",
     _f("`bins` 必须是 2 到 20 之间的整数，实际为 {v}。", v=_code)),
    (r"unknown segment map (?P<n>.+?); presets: (?P<p>\[.*?\])\.", _f("未知的细分规则表 {n}；预设规则表有：{p}。")),
    (r"a segment map is a DataFrame of rules with columns segment, r_min, r_max, f_min, f_max\[, m_min, m_max\] \(or "
     r"a preset name (?P<p>\[.*?\])\), got (?P<t>\S+)\.",
     _f("细分规则表是由规则组成的 DataFrame，列为 `segment`、r_min、r_max、f_min、f_max（以及可选的 m_min、m_max），"
        "也可以是预设规则表的名称 {p}；实际为 {t}。", t=_code)),
    (r"segment map: missing column 'segment' \(the label of each rule\)\.",
     _f("细分规则表：缺少列 'segment'（每条规则的细分群体名称）。")),
    (r"segment map has no rules\.", _f("细分规则表中没有任何规则。")),
    (r"segment map: no score ranges \(r_min/r_max, f_min/f_max, m_min/m_max\) given\.",
     _f("细分规则表：没有给出任何分数范围（r_min/r_max、f_min/f_max、m_min/m_max）。")),
    (rf"{_C}: annualise=\"window\" needs a Transactions input or summary columns (?P<a>'[^']*') and (?P<b>'[^']*'); "
     r"or use annualise=\"tenure\"\.",
     _f("{c}：annualise=\"window\" 需要传入 `Transactions`，或客户汇总表中有 {a} 和 {b} 列；也可以改用 "
        "annualise=\"tenure\"。")),
    (rf"{_C}: the benchmark mean annual spend must be > 0, got (?P<v>{_V})\. Pass benchmark_mean= explicitly\.",
     _f("{c}：基准年均消费额必须大于 0，实际为 {v}。请明确传入 benchmark_mean=。", v=_code)),
    (r"weights and dimensions must name the same dimensions; weights: (?P<w>\[.*?\]), dimensions: (?P<d>\[.*?\])\.",
     _f("`weights` 与 `dimensions` 必须列出相同的维度；`weights`：{w}，`dimensions`：{d}。")),
    (r"weights must be finite and non-negative, got (?P<w>\{.*\})\.",
     _f("`weights` 必须是有限的非负数，实际为 {w}。")),
    (rf"weights must sum to 1, but they sum to (?P<t>{_N}|nan|inf) \((?P<d>.*)\)\.",
     _f("`weights` 之和必须为 1，但实际之和为 {t}（{d}）。", t=_code)),
    (r"tier_cuts must be decreasing and tier_labels must have one more entry than tier_cuts, got (?P<a>\(.*?\)) and "
     r"(?P<b>\(.*\))\.",
     _f("tier_cuts 必须递减，且 tier_labels 必须比 tier_cuts 多一项，实际为 {a} 和 {b}。")),
    (r"count_support_contacts expects a DataFrame of events, got (?P<t>\S+)\.",
     _f("count_support_contacts 需要一个事件 DataFrame，实际为 {t}。", t=_code)),
    (r"precedence must order (?P<l>\[.*?\]), got (?P<v>.+?)\.",
     _f("`precedence` 必须给出 {l} 的先后顺序，实际为 {v}。", v=_code)),
    (rf"{_C}: needs a discount signal \((?P<d>'[^']*'): build the Transactions with discount=\.\.\. so that "
     r"customer_summary adds it\) or support contacts \((?P<s>'[^']*') column, or "
     r"support=count_support_contacts\(events\)\); the data has neither\.",
     _f("{c}：需要折扣信号（{d}：构建 `Transactions` 时传入 discount=...，customer_summary 就会加上这一列）或客服接触"
        "次数（{s} 列，或 support=count_support_contacts(events)）；当前数据两者都没有。")),
    (rf"{_C}: (?P<n>{_N}) customer\(s\) have negative (?P<col>'[^']*'); concentration needs non-negative revenue "
     r"\(clip or drop them first\)\.",
     _f("{c}：有 {n} 位客户的 {col} 为负；计算收入集中度需要非负的收入（请先截断或删除这些客户）。")),
    (r"top fractions must be in \(0, 1\], got (?P<l>\[.*\])\.", _f("头部比例必须在 (0, 1] 之内，实际为 {l}。")),
    (rf"{_C}: every k must satisfy 2 <= k < n_customers \((?P<n>{_N})\); got (?P<k>.+?)\.",
     _f("{c}：每个 k 都必须满足 2 <= k < n_customers（{n}）；实际为 {k}。", k=_code)),
    (rf"{_C}: the frame must have one row per customer \(index = customer_id\), but (?P<n>{_N}) ids repeat, e\.g\. "
     r"(?P<e>\[.*?\])\. Pass toolkit\.customer_summary\(tx\) or set the customer id as the index\.",
     _f("{c}：该表必须每位客户一行（索引 = customer_id），但有 {n} 个客户编号重复，例如 {e}。请传入 "
        "toolkit.customer_summary(tx)，或把客户编号设为索引。")),
    (rf"{_C}: column (?P<col>'[^']*'|\"[^\"]*\") has (?P<n>{_N}) missing value\(s\), e\.g\. for customers "
     r"(?P<e>\[.*?\])\. Fill them \(e\.g\. \.fillna\(0\)\) or drop those customers first\.",
     _f("{c}：列 {col} 有 {n} 个缺失值，例如客户 {e}。请先填补（例如 `.fillna(0)`）或删除这些客户。")),
    (r"thresholds: unknown key (?P<k>.+?); use 'r', 'f' and 'm' \(or the column names (?P<l>\[.*?\])\)\.",
     _f("`thresholds`：未知的键 {k}；请使用 'r'、'f' 和 'm'（或列名 {l}）。", k=_code)),
    (r"thresholds\[(?P<k>'[^']*')\] must be strictly increasing numbers without NaN, got (?P<l>\[.*\])\.",
     _f("`thresholds[{k}]` 必须是严格递增且不含 NaN 的数，实际为 {l}。")),
    (r"method=\"thresholds\" needs thresholds=(?P<ex>\{.*\})\.", _f("method=\"thresholds\" 需要传入 thresholds={ex}。")),
    (r"thresholds are only used with method=\"thresholds\"\.", _f("`thresholds` 只在 method=\"thresholds\" 时使用。")),
    (r"edges need method=\"quantile\" and (?P<k>\d+) cut points for each of \"r\", \"f\", \"m\"\.",
     _f("`edges` 需要 method=\"quantile\"，并且 \"r\"、\"f\"、\"m\" 各有 {k} 个切分点。")),
    (rf"{_C}: (?P<n>{_N}) customer\(s\) fall into score cells no rule covers \(e\.g\. (?P<need>\[.*?\]) = "
     r"(?P<cells>\[.*\])\); they are labelled (?P<o>'[^']*'|\"[^\"]*\")\. See check_segment_map\.",
     _f("{c}：有 {n} 位客户落在没有任何规则覆盖的分数格中（例如 {need} = {cells}）；他们被标记为 {o}。"
        "请用 check_segment_map 查看规则表的空缺。")),
    (r"custom dimensions (?P<d>\[.*?\]) need weights=; the defaults cover (?P<w>\[.*?\])\.",
     _f("自定义维度 {d} 需要传入 weights=；默认权重只覆盖 {w}。")),
    (rf"{_C}: columns missing for dimension\(s\) (?P<d>.+?)\. Join them to the summary \(e\.g\. "
     r"(?P<ex>summary\.join\(.+?\)\.fillna\(\{.*?\}\))\), point dimensions= at columns you have, or pass "
     r"missing='drop' to drop those dimensions and re-normalise the weights\.",
     _f("{c}：维度 {d} 所需的列缺失。请把这些列合并到客户汇总表中（例如 `{ex}`），或让 dimensions= 指向已有的列，"
        "或传入 missing='drop' 去掉这些维度并重新归一化权重。", d=_detail)),
    (rf"{_C}: no dimension left after dropping (?P<d>.+?)\.",
     _f("{c}：去掉 {d} 之后没有剩下任何维度。", d=_detail)),
    (rf"{_C}: dropped dimension\(s\) (?P<d>.+?); weights re-normalised to (?P<w>.+?)\.",
     _f("{c}：已去掉维度 {d}；权重重新归一化为 {w}。", d=_detail)),
    (r"types= needs type_col= \(the column holding the event type\)\.",
     _f("types= 需要同时传入 type_col=（存放事件类型的列）。")),
    (rf"{_C}: none of the (?P<n>{_N}) ids in support= matches a customer id of the data \(e\.g\. (?P<a>\[.*?\]) vs "
     r"(?P<b>\[.*?\])\); check the id type\.",
     _f("{c}：support= 中的 {n} 个编号没有一个与数据中的客户编号匹配（例如 {a} 对比 {b}）；请检查编号的类型。")),
    (rf"{_C}: labels must have one entry per customer id\.", _f("{c}：`labels` 必须每个客户编号一项。")),
    (rf"{_C}: (?P<n>{_N}) customer\(s\) have no label, e\.g\. (?P<e>\[.*?\])\.",
     _f("{c}：有 {n} 位客户没有标签，例如 {e}。")),
    (r"thresholds\[(?P<d>'[^']*')\] has (?P<n>\d+) cut points, i\.e\. (?P<s>\d+) scores, but bins=(?P<b>\d+); pass "
     r"bins=(?P<s2>\d+) or (?P<k>-?\d+) cut points\.",
     _f("`thresholds[{d}]` 有 {n} 个切分点，即 {s} 个分数，但 bins={b}；请传入 bins={s2}，或给出 {k} 个切分点。")),
    (r"segment map rule (?P<i>\d+) \((?P<seg>.+?)\): (?P<lo>\w+)=(?P<a>\S+), (?P<hi>\w+)=(?P<b>\S+) must satisfy "
     r"1 <= (?P=lo) <= (?P=hi) <= bins=(?P<n>\d+)\. The presets are written for scores 1\.\.5: score with bins=5 or "
     r"write a map for your number of bins\.",
     lambda m: (f"细分规则表第 {m['i']} 条规则（{_segment(m['seg'])}）的 {m['lo'][0].upper()} 分范围 {m['a']}..{m['b']} "
                f"须在 1..{m['n']} 之内。预设规则表是按 1..5 分编写的：请用 5 档打分，或按你的档数编写规则表。")),
    (rf"{_C}: (?P<d>[rfm])_score must be within 1\.\.(?P<b>\d+) \(got (?P<lo>\S+)\.\.(?P<hi>\S+)\)\.",
     _f("{c}：{d}_score 必须在 1..{b} 之内（实际为 {lo}..{hi}）。")),
    (r"segment map: (?P<col>\w+) must hold whole scores, got (?P<l>\[.*\])\.",
     _f("细分规则表：{col} 必须是整数分数，实际为 {l}。")),
    (rf"{_C}: log1p asked for (?P<col>'[^']*'|\"[^\"]*\"), which has negative values\.",
     _f("{c}：要求对 {col} 取 log1p，但该列有负值。")),
    # the binning warning (lesson 01)
    (r"(?P<d>[rfm])_score \((?P<col>.+?)\): ties collapse (?P<b>\d+) quantile bins into (?P<k>\d+) distinct "
     r"score\(s\); customers per score: (?P<per>\{.*?\})\. Empty score\(s\) (?P<e>\[.*?\]) are kept empty \(scores "
     r"stay on the 1\.\.bins scale\)\. Use method='thresholds' or fewer bins to spread them\.",
     _f("{d}_score（{col}）：并列值使 {b} 个分位数档只得到 {k} 个不同的分数；各分数的客户数：{per}。空的分数 {e} "
        "保持为空（分数仍在 1 到档数的刻度上）。如需把客户分散开，请使用 method='thresholds' 或减少档数。", col=_name)),
])

# ------------------------------------------------------------------------------------------------------------------
# toolkit.cohorts (and the same checks in toolkit.plotting.cohorts)
# ------------------------------------------------------------------------------------------------------------------
_W = r"(?P<w>by|cohort|value)"  # the argument a per-customer attribute was passed as

register_patterns("zh", [
    (rf"{_W} must be a Series indexed by customer_id \(one column\), not a DataFrame; e\.g\. "
     r"customers\.set_index\('customer_id'\)\['channel'\]\.",
     _f("{w} 必须是以 customer_id 为索引的 `Series`（单列），而不是 DataFrame；例如 "
        "customers.set_index('customer_id')['channel']。", w=_name)),
    (rf"{_W} must be a pandas Series indexed by customer_id, a dict, or the name of a transaction column; got "
     r"(?P<t>\S+)\.",
     _f("{w} 必须是以 customer_id 为索引的 `pandas.Series`、字典，或交易记录中某一列的列名；实际为 {t}。",
        w=_name, t=_code)),
    (rf"{_W} has duplicated customer ids \(e\.g\. (?P<d>\[.*?\])\); give one value per customer\.",
     _f("{w} 中有重复的客户编号（例如 {d}）；每位客户只能有一个值。", w=_name)),
    (rf"No customer id of {_W} matches the transaction log \(e\.g\. log ids (?P<a>\[.*?\]), (?P=w) ids "
     r"(?P<b>\[.*?\])\)\.",
     _f("{w} 中没有任何客户编号与交易日志匹配（例如日志中的编号为 {a}，{w} 中的编号为 {b}）。", w=_name)),
    (r"matrix has no attrs\['cohort_size'\]; pass a retention_matrix\(\) result\.",
     _f("该矩阵没有 `attrs['cohort_size']`；请传入 retention_matrix() 的结果。")),
    (r"The matrix is split by (?P<n>.+?): pass group= one of (?P<g>\[.*\])\.",
     _f("该矩阵按 {n} 分组：请传入 group=，取值为 {g} 之一。", n=_code)),
    (r"durations and events must be 1-d and of equal length\.", _f("`durations` 和 `events` 必须是一维且长度相同。")),
    (r"durations must be finite and >= 0; drop or fix the bad values\.",
     _f("`durations` 必须是有限值且 >= 0；请删除或修正有问题的值。")),
    (rf"by=(?P<v>{_V}): a string names a transaction column \('channel' or 'category', value at the first "
     r"purchase\); pass other customer attributes as a Series indexed by customer_id, e\.g\. "
     r"customers\.set_index\('customer_id'\)\['channel'\]\.",
     _f("by={v}：字符串表示交易记录中的列（'channel' 或 'category'，取首次购买时的值）；其他客户属性请以 customer_id "
        "为索引的 `Series` 传入，例如 customers.set_index('customer_id')['channel']。")),
    (rf"by=(?P<v>{_V}) but the transactions have no (?P=v) column; map it in Transactions\.from_frame\((?P<b>\w+)="
     r"\.\.\.\)\.",
     _f("by={v}，但交易记录中没有 {v} 列；请在 Transactions.from_frame({b}=...) 中映射这一列。")),
    (r"cohort must be 'first_purchase' or a Series of acquisition dates indexed by customer_id, got (?P<v>.+?)\.",
     _f("`cohort` 必须是 'first_purchase'，或以 customer_id 为索引的获客日期 `Series`，实际为 {v}。", v=_code)),
    (r"survivors must be a 1-d sequence of at least two counts \(alive at t = 0, 1, \.\.\.\)\.",
     _f("`survivors` 必须是至少包含两个计数的一维序列（t = 0, 1, ... 时仍存活的客户数）。")),
    (r"survivors must be finite counts >= 0\.", _f("`survivors` 必须是 >= 0 的有限计数。")),
    (r"survivors must not increase \(a cohort only loses customers\); they rise at t = (?P<t>\[.*?\])\.",
     _f("`survivors` 不能增加（同期群只会失去客户）；在 t = {t} 处上升了。")),
    (r"the cohort is empty \(survivors\[0\] is 0\)\.", _f("该同期群为空（`survivors[0]` 为 0）。")),
    (r"sBG fit failed: the log-likelihood was not finite from any start\. Check that the survivor counts are a "
     r"cohort's customers alive at t = 0, 1, \.\.\.",
     _f("sBG 拟合失败：从任何起点出发，对数似然都不是有限值。请检查存活计数是否为某个同期群在 t = 0, 1, ... 时仍存活的"
        "客户数。")),
    (r"alpha and beta must be positive and finite, got (?P<a>\S+), (?P<b>\S+)\.",
     _f("alpha 和 beta 必须是有限的正数，实际为 {a} 和 {b}。", a=_code, b=_code)),
    (r"This ShiftedBetaGeometric is not fitted yet: call fit\(survivors\) or from_params\(\)\.",
     _f("此 ShiftedBetaGeometric 模型尚未拟合：请先调用 `fit(survivors)` 或 from_params()。")),
    (rf"discount_rate must be >= 0, got (?P<v>{_V})\.", _f("`discount_rate` 必须 >= 0，实际为 {v}。", v=_code)),
])

# ------------------------------------------------------------------------------------------------------------------
# toolkit.journey
# ------------------------------------------------------------------------------------------------------------------
register_patterns("zh", [
    (r"A journey map is a preset name, a JourneyMap or a dict \{stage: \[events\]\}, got (?P<t>\S+)\.",
     _f("旅程地图应为预设名称、JourneyMap 或字典 {{stage: [events]}}，实际为 {t}。", t=_code)),
    (rf"(?P<n>{_N}) events of (?P<k>{_N}) touchpoints are not mapped to a stage of journey map (?P<m>.+?): "
     r"(?P<d>\{.*\})\. Fix: add them to the map's touchpoints, or pass unmapped='report' to leave them out of stage "
     r"views\.",
     _f("有 {n} 个事件（{k} 种接触点）没有映射到旅程地图 {m} 的任何阶段：{d}。解决办法：把它们加入该地图的接触点，"
        "或传入 unmapped='report'，在阶段视图中略去它们。", m=_code)),
    (r"Expected toolkit\.Events \(build it once with toolkit\.Events\.from_frame\), got (?P<t>\S+)\.",
     _f("需要 toolkit.Events（用 toolkit.Events.from_frame 构建一次即可），实际为 {t}。", t=_code)),
    (rf"{_W} must be a pandas Series indexed by customer_id \(or 'channel'\), got (?P<t>\S+)\.",
     _f("{w} 必须是以 customer_id 为索引的 `pandas.Series`（或 'channel'），实际为 {t}。", w=_name, t=_code)),
    (rf"{_W} has duplicated customer ids; give one value per customer\.",
     _f("{w} 中有重复的客户编号；每位客户只能有一个值。", w=_name)),
    (r"by='channel' needs a channel column: map it in Events\.from_frame\(channel=\.\.\.\)\.",
     _f("by='channel' 需要渠道列：请在 Events.from_frame(channel=...) 中映射这一列。")),
    (r"A funnel needs at least one step\.", _f("漏斗至少需要一个步骤。")),
    (r"max_length must be at least 1\.", _f("max_length 必须至少为 1。")),
    (rf"max_length=(?P<m>\S+) is too long for (?P<n>{_N}) states \(paths are encoded exactly in 64 bits\); use "
     r"max_length <= (?P<k>-?\d+)\.",
     _f("max_length={m} 对 {n} 个状态来说太长（路径以 64 位整数精确编码）；请使用 max_length <= {k}。")),
    (rf"n must be a whole number >= 0 \(paths to return\), got (?P<v>{_V})\.",
     _f("`n` 必须是 >= 0 的整数（要返回的路径数），实际为 {v}。", v=_code)),
    (r"NPS answers need a 'score' column; got (?P<l>\[.*\])\.", _f("NPS 回答需要 'score' 列；现有的列为 {l}。")),
    (r"customer ids are (?P<a>numbers|text) in the events \(e\.g\. (?P<e>\[.*?\])\) but (?P<b>numbers|text) in the "
     r"transactions \(e\.g\. (?P<t>\[.*?\])\), so no customer would match\. Read both with the same id type, e\.g\. "
     r"(?P<ex>events_frame\['customer_id'\] = .+?) before Events\.from_frame\.",
     lambda m: (f"事件日志中的客户编号是{'数字' if m['a'] == 'numbers' else '文本'}（例如 {m['e']}），而交易记录中是"
                f"{'数字' if m['b'] == 'numbers' else '文本'}（例如 {m['t']}），因此没有任何客户能匹配上。请用相同的编号类型"
                f"读取两者，例如在 Events.from_frame 之前执行 `{m['ex']}`。")),
    (r"stage_kpis needs a map with five stages \(reach, acquisition, conversion, retention, win-back\); (?P<n>.+?) "
     r"has (?P<l>\[.*\])\.",
     _f("stage_kpis 需要一张有五个阶段（触达、获客、转化、留存、赢回）的旅程地图；{n} 的阶段是 {l}。", n=_code)),
    (r"Co-purchase affinity needs a category column: map it in Transactions\.from_frame\(category=\.\.\.\)\.",
     _f("共同购买关联度需要品类列：请在 Transactions.from_frame(category=...) 中映射这一列。")),
    (r"Journey map (?P<n>'[^']*'|\"[^\"]*\"): stages must be distinct and non-empty, got (?P<s>.+)\.",
     _f("旅程地图 {n}：各阶段必须互不相同且不能为空，实际为 {s}。", s=_code)),
    (r"Journey map (?P<n>'[^']*'|\"[^\"]*\"): touchpoints mapped to unknown stages (?P<u>\[.*?\]); stages are "
     r"(?P<l>\[.*\])\.",
     _f("旅程地图 {n}：有接触点映射到了未知的阶段 {u}；现有阶段为 {l}。")),
    (r"Journey map (?P<n>'[^']*'|\"[^\"]*\"): stages (?P<e>\[.*?\]) have no touchpoint; map at least one event to "
     r"each stage or remove it\.",
     _f("旅程地图 {n}：阶段 {e} 没有任何接触点；请为每个阶段至少映射一个事件，或删除该阶段。")),
    (r"unknown stage (?P<s>.+?); stages are (?P<l>\[.*\])", _f("未知的阶段 {s}；现有阶段为 {l}", s=_code)),
    (r"unknown journey map (?P<s>.+?); presets are (?P<l>\[.*?\]) \(or pass a JourneyMap or a dict "
     r"\{stage: \[events\]\}\)",
     _f("未知的旅程地图 {s}；预设有 {l}（也可以传入 JourneyMap 或字典 {{stage: [events]}}）", s=_code)),
    (r"(?P<n>[A-Za-z_]\w*) must be a duration >= 0, got (?P<v>.+?)\.",
     _f("{n} 必须是 >= 0 的时长，实际为 {v}。", n=_name, v=_code)),
    (rf"(?P<n>{_N}) events are not mapped to a stage of (?P<m>.+?) and are left out; see "
     r"toolkit\.journey\.check_map\(events, map\)\.",
     _f("有 {n} 个事件没有映射到 {m} 的任何阶段，已被略去；请用 `toolkit.journey.check_map(events, map)` 查看。",
        m=_code)),
    (r"Pass steps=\[\.\.\.\] \(event names\) or journey_map= \(its stages become the steps\)\.",
     _f("请传入 steps=[...]（事件名称）或 journey_map=（其阶段即为漏斗的步骤）。")),
    (rf"(?P<n>{_N}) NPS answers in column 'score' are neither whole numbers 0-10 nor a label \(promoter, passive, "
     r"neutral, detractor\) \(e\.g\. (?P<e>\[.*?\]) at positions (?P<p>\[.*?\])\)\. Fix: correct them, or pass "
     r"invalid='drop' to leave them out \(they are counted in the notes\)\.",
     _f("列 'score' 中有 {n} 个 NPS 回答既不是 0-10 的整数，也不是标签（`promoter`、`passive`、`neutral`、"
        "`detractor`）（例如位置 {p} 上的 {e}）。解决办法：改正它们，或传入 invalid='drop' 将其略去（会在说明中计数）。")),
    (r"unknown KPI (?P<k>.+?); KPIs: (?P<l>\[.*\])", _f("未知的 KPI {k}；可用的 KPI：{l}", k=_code)),
    (r"Journey map (?P<n>'[^']*'|\"[^\"]*\"): (?P<e>'[^']*'|\"[^\"]*\") and another spelling of it are mapped to two "
     r"stages \((?P<a>'[^']*'|\"[^\"]*\") and (?P<b>'[^']*'|\"[^\"]*\")\); event names are matched ignoring case and "
     r"spaces, so map the name once\.",
     _f("旅程地图 {n}：{e} 和它的另一种写法被映射到了两个阶段（{a} 和 {b}）；事件名称在匹配时忽略大小写和空格，"
        "所以同一名称只需映射一次。")),
    (rf"by=(?P<v>{_V}): use 'channel' \(channel of the entry event\) or a Series of a customer attribute indexed by "
     r"customer_id\.",
     _f("by={v}：请使用 'channel'（进入事件的渠道），或以 customer_id 为索引的客户属性 `Series`。")),
    (r"event (?P<e>'[^']*'|\"[^\"]*\") is mapped to two stages \((?P<a>'[^']*'|\"[^\"]*\") and "
     r"(?P<b>'[^']*'|\"[^\"]*\")\)\.",
     _f("事件 {e} 被映射到了两个阶段（{a} 和 {b}）。")),
    (r"Funnel step (?P<s>.+?) is neither an event of the log nor a stage of the map\.(?: Did you mean "
     r"(?P<close>.+?)\?)? Events: (?P<l>\[.*\])\.",
     lambda m: (f"漏斗步骤 {_code(m['s'])} 既不是日志中的事件，也不是旅程地图的阶段。"
                + (f"你是不是想输入 {m['close'].replace(', ', '、')}？" if m["close"] else "")
                + f"日志中的事件：{m['l']}。")),
])

# ------------------------------------------------------------------------------------------------------------------
# toolkit.lifecycle: errors of LifecycleClassifier and the caveats of a short history (DataQualityWarning)
# ------------------------------------------------------------------------------------------------------------------
_LEARNED = {"the time to stability": "进入稳定期的时间", "the purchase cycles": "购买周期", "the lost gap": "流失间隔"}


def _learned(value):
    """``"the time to stability, the purchase cycles and the lost gap"`` -> ``"进入稳定期的时间、购买周期和流失间隔"``."""
    parts = [_LEARNED.get(p, p) for p in re.split(r", | and ", value or "")]
    return "、".join(parts[:-1]) + ("和" if len(parts) > 1 else "") + parts[-1]


def _half(value):
    m = re.fullmatch(r"the longest with (\d+)\+ such customers", value or "")
    if m:
        return f"即仍有至少 {m[1]} 位此类客户的最长期限"
    return "即观察窗口的一半" if value == "half the window" else value


def _fix_horizon(value):
    return {'leave horizon_days="auto" to fit it to the observed window':
            '保留 horizon_days="auto"，让它按观察窗口自动确定',
            "pass horizon_days of at most half the observed window": "传入不超过观察窗口一半的 horizon_days"
            }.get(value, value)


def _seen(match):
    if match["none"]:
        return f"在 {match['n']} 位进入稳定期的客户中，没有一位被观察到离开"
    return f"在 {match['n']} 位进入稳定期的客户中，只有 {match['k']} 位被观察到离开"


_TIP = r"pass loyal_duration=DAYS \(--loyal-duration\) to use the business's own expectation"
_TIP_ZH = "也可以传入 loyal_duration=DAYS（--loyal-duration），使用业务自己对忠诚时长的预期"

register_patterns("zh", [
    (r"at: give at least one snapshot date\.", _f("at：请至少给出一个快照日期。")),
    (r"Snapshot (?P<d>\S+) is after the observation end \((?P<e>\S+)\): purchases after the end were not observed\. "
     r"Pass earlier dates\.",
     _f("快照日期 {d} 晚于观察期结束日（{e}）：结束日之后的购买没有被观察到。请传入更早的日期。")),
    (r"No customer is both predicted and determinable in the truth\.",
     _f("没有任何客户既有预测结果、又能在真实标签中确定其类别。")),
    (r"start must be an earlier snapshot than end\.", _f("`start` 必须是比 `end` 更早的快照。")),
    (r"start must be before end\.", _f("`start` 必须早于 `end`。")),
    (r"no action for (?P<l>.+?); labels: (?P<ls>\[.*\])", _f("没有针对 {l} 的行动建议；可用的标签：{ls}", l=_code)),
    (rf"drop_alpha must be in \[0, 1\), got (?P<v>{_V})\.", _f("drop_alpha 必须在 [0, 1) 之内，实际为 {v}。", v=_code)),
    (rf"bin_days must be at least 1, got (?P<v>{_V})\.", _f("bin_days 必须至少为 1，实际为 {v}。", v=_code)),
    (rf"LifecycleClassifier\.fit: the lifecycle needs at least (?P<h1>{_N} (?:months|days)) of history "
     rf"\((?P<d1>{_N}) days\), this log has (?P<h2>{_N} (?:months|days)) \((?P<d2>{_N}) days from the first purchase "
     rf"to the observation end\)\. Learning when customers reach stability follows customers for at least "
     rf"(?P<s>{_N}) days \(4 bins of bin_days=(?P<w>\d+)\) from the first half of the window\. Give a longer "
     r"history\.",
     _f("LifecycleClassifier.fit：生命周期分析需要至少 {h1}的历史（{d1} 天），本日志只有 {h2}（从首次购买到观察期结束共 "
        "{d2} 天）。要学到客户何时进入稳定期，需要从观察窗口的前一半开始跟踪客户至少 {s} 天（4 个 bin_days={w} 的分箱）。"
        "请提供更长的历史数据。", h1=_history, h2=_history)),
    (rf"LifecycleClassifier\.fit: the lifecycle needs at least (?P<k>\d+) customers who bought again (?P<s>{_N}) or "
     r"more days after their first purchase \(to learn how the purchase rate grows with age\), this log has "
     rf"(?P<n>{_N}) \(of (?P<c>{_N}) customers over (?P<h>{_N} (?:months|days))\)\. Give a log with more customers "
     r"or a longer history\.",
     _f("LifecycleClassifier.fit：生命周期分析需要至少 {k} 位在首次购买 {s} 天或更久之后再次购买的客户（用来学习购买率"
        "如何随客户年龄增长），本日志只有 {n} 位（{h}内共 {c} 位客户）。请提供客户更多或历史更长的日志。", h=_history)),
    (rf"LifecycleClassifier\.fit: the purchase-rate curve that gives the time to reach stability needs at least "
     rf"(?P<k>\d+) customers who bought again (?P<d>{_N}) or more days after their first purchase, this log has "
     rf"(?P<n>{_N})(?: over (?P<h>{_N} (?:months|days)))?\. Give a longer history, or (?P<fix>.+?)\.",
     lambda m: (f"LifecycleClassifier.fit：用来确定进入稳定期时间的购买率曲线需要至少 {m['k']} 位在首次购买 {m['d']} "
                f"天或更久之后再次购买的客户，本日志{'在 ' + _history(m['h']) + '内' if m['h'] else ''}只有 {m['n']} 位。"
                f"请提供更长的历史数据，或{_fix_horizon(m['fix'])}。")),
    (r"LifecycleClassifier\.fit: the purchase-rate curve could not be fitted; pass time_to_stability=\.\.\.",
     _f("LifecycleClassifier.fit：无法拟合购买率曲线；请传入 time_to_stability=...")),
    (rf"LifecycleClassifier\.fit: the lost gap needs at least (?P<k>\d+) customers with (?P<h>{_N})\+ days of "
     rf"history who made a second purchase, this log has (?P<n>{_N}); pass lost_gap=\.\.\. \(days\)\.",
     _f("LifecycleClassifier.fit：学习流失间隔需要至少 {k} 位有 {h} 天以上历史且有过第二次购买的客户，本日志只有 {n} 位；"
        "请传入 lost_gap=...（天）。")),
    (rf"LifecycleClassifier\.fit: the expected loyal duration needs at least (?P<k>\d+) customers who reached "
     rf"stability, this log has (?P<n>{_N}); pass loyal_duration=\.\.\. \(days\)\.",
     _f("LifecycleClassifier.fit：学习预期忠诚时长需要至少 {k} 位进入稳定期的客户，本日志只有 {n} 位；请传入 "
        "loyal_duration=...（天）。")),
    (r"thresholds is missing (?P<l>\[.*\])", _f("`thresholds` 缺少 {l}")),
    (r"This LifecycleClassifier is not fitted yet: call fit\(transactions\) first\.",
     _f("此 LifecycleClassifier 尚未拟合：请先调用 `fit(transactions)`。")),
    (r"reclassify needs the cached features of a log: fit, or from_thresholds\(\.\.\., X=tx\)\.",
     _f("`reclassify` 需要某个日志的缓存特征：请先 `fit`，或使用 from_thresholds(..., X=tx)。")),
    (r"window shapes the cached features: set recent_window and refit instead\.",
     _f("`window` 决定了缓存的特征：请改为设置 recent_window 并重新拟合。")),
    (r"This classifier holds no log: pass X \(a Transactions\)\.",
     _f("此分类器没有保存任何日志：请传入 X（一个 `Transactions`）。")),
    (r"customer (?P<c>.+?) is not in the log", _f("客户 {c} 不在日志中", c=_code)),
    (r"by must be \"cohort\" or a pandas Series indexed by customer_id\.",
     _f("`by` 必须是 \"cohort\"，或以 customer_id 为索引的 `pandas.Series`。")),
    (r"Unknown parameter (?P<n>.+?); valid: (?P<l>\[.*\])", _f("未知的参数 {n}；有效的参数：{l}", n=_code)),
    (rf"(?P<n>lost_quantile|deterioration_quantile) must be in \(0, 1\), got (?P<v>{_V})\.",
     _f("{n} 必须在 (0, 1) 之内，实际为 {v}。", n=_name, v=_code)),
    (rf"horizon_days must be \"auto\" or cover at least 4 bins of bin_days \((?P<d>{_N}) days\), got (?P<v>{_V})\.",
     _f("horizon_days 必须是 \"auto\"，或至少覆盖 4 个 bin_days 分箱（{d} 天），实际为 {v}。", v=_code)),
    (rf"(?P<n>time_to_stability|loyal_duration|lost_gap|recent_window) must be \"auto\" or a positive number of "
     rf"days, got (?P<v>{_V})\.",
     _f("{n} 必须是 \"auto\" 或正的天数，实际为 {v}。", n=_name, v=_code)),
    (r"unknown threshold (?P<n>.+?); choose from (?P<l>\[.*\])", _f("未知的阈值 {n}；可选：{l}", n=_code)),
    # caveats of a short history (also shown in the report and by LifecycleClassifier's repr)
    (rf"Time to reach stability: the full (?P<f>\d+)-day purchase-rate curve needs at least (?P<k>\d+) customers still "
     rf"buying (?P=f) days after their first purchase, this log has (?P<n>{_N}) over (?P<w>{_N} (?:months|days)) "
     rf"\(needs about (?P<m>\d+) months of history, has (?P<h>\d+)\)\. The curve follows customers over their first "
     r"(?P<d>\d+) days instead \((?P<half>[^)]+)\); (?P<learned>.+?) come from customers with at least (?P=d) days "
     r"of history, and a customer who settles later than that is not seen\.",
     _f("进入稳定期的时间：完整的 {f} 天购买率曲线需要至少 {k} 位在首次购买 {f} 天后仍在购买的客户，本日志在 {w}内只有 "
        "{n} 位（约需 {m} 个月的历史，实有 {h} 个月）。因此曲线改为跟踪客户的前 {d} 天（{half}）；{learned}来自至少有 "
        "{d} 天历史的客户，更晚才稳定下来的客户无法被观察到。", w=_history, half=_half, learned=_learned)),
    (rf"Time to reach stability: the purchase rate is still rising at the end of the (?P<h>\d+)-day horizon, so "
     rf"customers take at least (?P<t>{_N}) days to reach stability, possibly longer, and stability is called early\. "
     rf"Learning it needs a longer history \(the full (?P<f>\d+)-day horizon needs (?P<m>\d+) months(?:, has "
     r"(?P<has>\d+))?\); or pass time_to_stability=DAYS \(--time-to-stability\) from the business's experience\.",
     lambda m: (f"进入稳定期的时间：在 {m['h']} 天的观察期末购买率仍在上升，因此客户至少需要 {m['t']} 天（可能更久）才能"
                f"进入稳定期，稳定期的判定偏早。要从数据中学得它需要更长的历史（完整的 {m['f']} 天观察期需要 {m['m']} 个月"
                + (f"，实有 {m['has']} 个月" if m["has"] else "") + "）；或按业务经验传入 time_to_stability=DAYS"
                "（--time-to-stability）。")),
    (r"The purchase rate is still rising at the end of the (?P<h>\d+)-day horizon; pass a longer horizon_days or "
     r"time_to_stability=\.\.\.",
     _f("在 {h} 天的观察期末购买率仍在上升；请传入更长的 horizon_days 或 time_to_stability=...")),
    (rf"Expected loyal duration: (?P<l>{_N}) days is a lower bound\. (?:(?P<none>None) of the (?P<n>{_N}) customers "
     rf"who reached stability was seen leaving|Only (?P<k>{_N}) of the (?P<n2>{_N}) customers who reached stability "
     rf"(?:was|were) seen leaving), and (?P<s>{_N})% are still stable at (?P<t>{_N}) days, the longest stable time "
     r"enough of them could be followed: the mean measures the window more than the customers\. Seeing a typical "
     rf"stable customer leave needs more than (?P<m>\d+) months of history \(time to stability \+ loyal "
     rf"duration\)(?:, has (?P<has>\d+))?\. Early exit is judged against this lower bound; {_TIP}\.",
     lambda m: (f"预期忠诚时长：{m['l']} 天只是一个下限。"
                + _seen({"none": m["none"], "n": m["n"] or m["n2"], "k": m["k"]})
                + f"，且有 {m['s']}% 的客户在 {m['t']} 天时仍处于稳定期，而这已是能跟踪到足够多客户的最长稳定时间："
                "这个均值反映的更多是观察窗口的长度，而不是客户本身。要看到一位典型的稳定客户离开，需要超过 "
                f"{m['m']} 个月的历史（进入稳定期的时间 + 忠诚时长）" + (f"，实有 {m['has']} 个月" if m["has"] else "")
                + f"。提前退出型是相对于这个下限来判定的；{_TIP_ZH}。")),
    (rf"Expected loyal duration: learning it needs at least (?P<k>\d+) customers who reached stability \(purchases "
     rf"spanning (?P<r>{_N})\+ days\), this log has (?P<n>{_N}) over (?P<w>{_N} (?:months|days))(?:; reaching "
     r"stability alone needs more than (?P<sm>\d+) months of history, has (?P<sh>\d+))?\. Assumed (?P<a>"
     rf"{_N}) days, the longest stable time the window can show \((?P<win>{_N}) days minus (?P<t>{_N}) days to reach "
     r"stability\): a lower bound, so only a customer stable for the whole window can be called long-term retention, "
     r"and a customer lost after reaching stability counts as early exit\. A longer history gives more stable "
     rf"customers to learn from; {_TIP}\.",
     lambda m: (f"预期忠诚时长：要从数据中学得它，需要至少 {m['k']} 位进入稳定期的客户（购买跨度 {m['r']} 天以上），本日志"
                f"在 {_history(m['w'])}内只有 {m['n']} 位"
                + (f"；仅进入稳定期就需要超过 {m['sm']} 个月的历史，实有 {m['sh']} 个月" if m["sm"] else "")
                + f"。因此假设为 {m['a']} 天，即观察窗口能显示的最长稳定时间（{m['win']} 天减去进入稳定期所需的 {m['t']} "
                "天）：这是一个下限，因此只有在整个窗口内都稳定的客户才会被判为长久保持型，进入稳定期后流失的客户计为"
                f"提前退出型。更长的历史能提供更多可供学习的稳定客户；{_TIP_ZH}。")),
    (rf"(?P<s>{_N})% of customers \((?P<k>{_N}) of (?P<n>{_N})\) are \"too early to tell\": they are still active, "
     r"and an active customer's pattern can be called only once her purchases span the time to stability plus the "
     rf"expected loyal duration \((?P<a>{_N}) \+ (?P<b>{_N}) = (?P<c>{_N}) days, about (?P<m>\d+) months\)(?:; this "
     rf"log covers (?P<w>{_N} (?:months|days)) \((?P<wd>{_N}) days\))?\. Judge them by their current stage; "
     r"(?P<fix>a longer history lets more of them be called|a longer history, or the business's own loyal duration "
     r"\(loyal_duration=DAYS, --loyal-duration\), lets more of them be called)\.",
     lambda m: (f"{m['s']}% 的客户（{m['n']} 位中的 {m['k']} 位）“尚无法判断”：他们仍然活跃，而活跃客户的生命周期模式只有"
                f"在其购买跨度达到进入稳定期的时间加预期忠诚时长（{m['a']} + {m['b']} = {m['c']} 天，约 {m['m']} 个月）"
                "后才能判定" + (f"；本日志覆盖 {_history(m['w'])}（{m['wd']} 天）" if m["w"] else "")
                + "。请按他们当前所处的阶段来判断；"
                + ("更长的历史能让更多客户得到判定。" if m["fix"].startswith("a longer history lets") else
                   "更长的历史，或业务自己的忠诚时长（loyal_duration=DAYS，--loyal-duration），能让更多客户得到判定。"))),
])

# ------------------------------------------------------------------------------------------------------------------
# toolkit.logrank, toolkit.customer_value, toolkit.formatting
# ------------------------------------------------------------------------------------------------------------------
register_patterns("zh", [
    (r"groups is required: one group label per duration \(e\.g\. the acquisition channel\)\.",
     _f("必须提供 `groups`：每个时长对应一个分组标签（例如获客渠道）。")),
    (r"durations, events and groups must be 1-d and of equal length\.",
     _f("`durations`、`events` 和 `groups` 必须是一维且长度相同。")),
    (rf"the log-rank test compares at least two groups; got (?P<k>{_N}) \((?P<l>\[.*\])\)\. Split the customers by "
     r"channel, cohort or segment\.",
     _f("log-rank 检验至少要比较两个分组；实际只有 {k} 个（{l}）。请按渠道、同期群或细分群体划分客户。")),
    (r"no churn event happens while two groups are at risk \(and some customers survive it\), so the groups' "
     r"survival cannot be compared\.",
     _f("在两个分组都有客户处于风险中（且有客户在该时点之后仍存活）的期间，没有发生任何流失事件，因此无法比较各组的生存"
        "情况。")),
    (r"the durations table has no 'group' column: build it with a split, e\.g\. survival_curves\(tx, by=channel\) or "
     r"lapse_durations\(tx, by=channel\)\.",
     _f("`durations` 表中没有 'group' 列：请按分组来构建它，例如 survival_curves(tx, by=channel) 或 "
        "lapse_durations(tx, by=channel)。")),
    (r"`(?P<k>\w+)` must be a finite amount >= 0; got (?P<v>.+?)\.",
     _f("`{k}` 必须是 >= 0 的有限金额；实际为 {v}。", v=_code)),
    (r"format_kpi_table needs a StageKPIs or a DataFrame with 'kpi' and 'value' columns",
     _f("format_kpi_table 需要一个 StageKPIs，或一个含 'kpi' 和 'value' 列的 DataFrame")),
])

# ------------------------------------------------------------------------------------------------------------------
# toolkit.report: KPI targets, NPS answers, event log, sections
# ------------------------------------------------------------------------------------------------------------------
register_patterns("zh", [
    (rf"(?P<n>{_N}) NPS answers are not whole numbers from 0 to 10 \(e\.g\. (?P<e>\[.*?\])\)\. Fix or remove them\.",
     _f("有 {n} 个 NPS 回答不是 0 到 10 的整数（例如 {e}）。请改正或删除它们。")),
    (r"No such targets file: (?P<p>.+)", _f("找不到目标文件：{p}", p=lambda v: f"`{v}`")),
    (r"Unknown KPI (?P<k>.+?) in a target\. Known KPIs: (?P<l>\[.*\])\.",
     _f("目标中的 KPI {k} 未知。已知的 KPI：{l}。", k=_code)),
    (r"Target kind must be one of (?P<l>\[.*?\]), got (?P<v>.+?) \(KPI (?P<k>.+?)\)\.",
     _f("目标的 `kind` 必须是 {l} 之一，实际为 {v}（KPI {k}）。", v=_code, k=_code)),
    (r"Target value for (?P<k>.+?) must be a finite number, got (?P<v>.+?)\.",
     _f("{k} 的目标值必须是有限数值，实际为 {v}。", k=_code, v=_code)),
    (r"Target baseline for (?P<k>.+?) must be a number, 'previous' or null, got (?P<v>.+?)\.",
     _f("{k} 的目标基准必须是数值、'previous' 或 `null`，实际为 {v}。", k=_code, v=_code)),
    (r"(?P<f>\S+) is not valid JSON: (?P<e>.+)", _f("{f} 不是有效的 `JSON` 文件：{e}", f=_code, e=_json_error)),
    (r"Target for (?P<k>.+?) must be a number or an object with kind/value, got (?P<v>.+)\.",
     _f("{k} 的目标必须是一个数值，或含 `kind`/`value` 的对象，实际为 {v}。", k=_code, v=_code)),
    (r"Targets must be Target objects or dicts, got (?P<t>\S+)\.",
     _f("目标必须是 `Target` 对象或字典，实际为 {t}。", t=_code)),
    (r"A target needs kpi, kind and value \(optional baseline, label\); got (?P<v>.+)\.",
     _f("每个目标都需要 `kpi`、`kind` 和 `value`（可选 `baseline`、`label`）；实际为 {v}。", v=_code)),
    (r"No section (?P<k>.+?); sections: (?P<l>.+)", _f("没有章节 {k}；现有章节：{l}", k=_code, l=_code)),
    (r"a report section must be a function ctx -> Section", _f("报告章节必须是一个函数（`ctx -> Section`）")),
    (r"events must be a DataFrame \(customer_id, timestamp, event\), got (?P<t>\S+)\.",
     _f("`events` 必须是 DataFrame（`customer_id`、`timestamp`、`event`），实际为 {t}。", t=_code)),
    (r"The event log needs columns customer_id, timestamp, event; missing (?P<m>\[.*?\])\. Available: "
     r"(?P<l>\[.*\])\.",
     _f("事件日志需要 `customer_id`、`timestamp`、`event` 列；缺少 {m}。现有的列：{l}。")),
    (r"nps must be a DataFrame \(date, score\), got (?P<t>\S+)\.",
     _f("`nps` 必须是 DataFrame（`date`、`score`），实际为 {t}。", t=_code)),
    (r"NPS responses need a 'score' column \(0-10\) and a 'date' \(or 'timestamp'\) column; got (?P<l>\[.*\])\.",
     _f("NPS 回答需要 'score' 列（0-10）和 'date'（或 'timestamp'）列；现有的列为 {l}。")),
    (rf"(?P<n>{_N}) NPS responses have a missing or unreadable date \(e\.g\. (?P<e>\[.*?\])\)\. Fix or remove them\.",
     _f("有 {n} 个 NPS 回答的日期缺失或无法识别（例如 {e}）。请改正或删除它们。")),
    (r"Unknown report section\(s\) (?P<u>\[.*?\]); available: (?P<l>\[.*\])\.",
     _f("未知的报告章节 {u}；可用的章节：{l}。")),
])

# ------------------------------------------------------------------------------------------------------------------
# toolkit.plotting
# ------------------------------------------------------------------------------------------------------------------
register_text({text: {"zh": zh} for text, zh in {
    "No Chinese font found: plot text in Chinese will show empty boxes. Install the toolkit's dependencies again "
    "(pip install -e .), which include pylopdf-fonts-zh-cn (Noto Sans SC).":
        "没有找到中文字体：图中的中文会显示为空白方框。请重新安装工具包的依赖（`pip install -e .`），其中包括 "
        "`pylopdf-fonts-zh-cn`（Noto Sans SC）。",
    "toolkit.plotting needs matplotlib: pip install matplotlib":
        "toolkit.plotting 需要 `matplotlib`：`pip install matplotlib`",
}.items()})

register_patterns("zh", [
    (r"(?P<m>[A-Z]\w*) has no mixing distribution for (?P<p>'[^']*'); it has (?P<h>\[.*\])\.",
     _f("{m} 没有 {p} 的混合分布；它有的是 {h}。")),
    (r"Pass at least one tracking table per model \(toolkit\.clv\.evaluation\.tracking, or an EvaluationReport built "
     r"with transactions=\)\.",
     _f("每个模型至少要传入一张跟踪表（toolkit.clv.evaluation.tracking，或用 transactions= 构建的 EvaluationReport）。")),
    (r"The tracking table of (?P<l>.+?) covers other periods than the first one: build all with the same "
     r"transactions, calibration end and holdout end\.",
     _f("{l} 的跟踪表所覆盖的期间与第一张不同：请用相同的交易记录、校准期结束日和验证期结束日构建所有跟踪表。", l=_code)),
    (r"Nothing drawn yet: call update\(funnel_result, transitions\) first\.",
     _f("尚未绘制任何内容：请先调用 `update(funnel_result, transitions)`。")),
    (r"This matrix holds expected purchases; build it with quantity='p_alive'\.",
     _f("该矩阵保存的是预期购买次数；请用 quantity='p_alive' 构建。")),
    (r"This report has no tracking table: pass transactions= to evaluate_model\.",
     _f("该评估报告没有跟踪表：请向 evaluate_model 传入 transactions=。")),
    (r"plot_kpi_board needs columns (?P<m>\[.*?\]); pass toolkit\.report\.kpi_board\(\.\.\.\) output\.",
     _f("plot_kpi_board 需要列 {m}；请传入 toolkit.report.kpi_board(...) 的输出。")),
    (r"(?P<n>plot_\w+) expects a DataFrame \(e\.g\. the output of toolkit\.rfm\.rfm_scores\), got (?P<t>\S+)\.",
     _f("{n} 需要一个 DataFrame（例如 toolkit.rfm.rfm_scores 的输出），实际为 {t}。", t=_code)),
    (r"(?P<n>plot_\w+) needs columns (?P<m>\[.*?\]); pass the output of (?P<o>\w+)\.",
     _f("{n} 需要列 {m}；请传入 {o} 的输出。")),
    (r"value=\"revenue\" needs a revenue column \(rfm_scores keeps it with the default monetary_col=\"revenue\"; "
     r"otherwise join summary\[\"revenue\"\]\)\.",
     _f("value=\"revenue\" 需要收入列（使用默认的 monetary_col=\"revenue\" 时 rfm_scores 会保留这一列；否则请合并 "
        "`summary[\"revenue\"]`）。")),
    (r"plot_pareto expects the result of revenue_concentration, got (?P<t>\S+)\.",
     _f("plot_pareto 需要 revenue_concentration 的结果，实际为 {t}。", t=_code)),
])

# ------------------------------------------------------------------------------------------------------------------
# toolkit.widgets
# ------------------------------------------------------------------------------------------------------------------
#: "unknown <what> 'x'; choose from [...]" of the widgets' states
_UNKNOWN = {"CLV scenario parameter": " CLV 情景参数", "measure": "指标", "split": "分组方式", "map": "旅程地图",
            "segment": "细分群体", "part(s)": "组成部分", "model explorer setting(s)": "模型浏览器设置",
            "RFM explorer setting(s)": " RFM 浏览器设置"}
_UNKNOWN_RE = "|".join(re.escape(k) for k in _UNKNOWN)

register_patterns("zh", [
    (r"No file read yet: upload a file or give its path, then read its headers\.",
     _f("尚未读取任何文件：请上传文件或给出文件路径，然后读取表头。")),
    (rf"(?P<n>{_N}) repeat customers whose repeat purchases sum to zero or less \(refunds, free orders\) are left out "
     r"of the CLV models tab: the spend model needs a positive mean spend\.",
     _f("有 {n} 位复购客户的复购金额合计为零或负数（退款、免费订单），已从“CLV 模型”页中排除：消费额模型需要正的平均"
        "消费额。")),
    (r"unknown source (?P<s>.+?); choose from (?P<l>\[.*?\]|\(.*?\)) or use load_file\(\)",
     _f("未知的数据来源 {s}；请从 {l} 中选择，或使用 load_file()", s=_code)),
    (rf"unknown (?P<w>{_UNKNOWN_RE}) (?P<v>'[^']*'|\"[^\"]*\"|\[[^\]]*\]|\S+); choose from (?P<l>\[.*\]|\(.*\))",
     lambda m: f"未知的{_UNKNOWN[m['w']]} {_code(m['v'])}；可选：{m['l']}"),
    (r"unknown control (?P<k>.+?)(?:; controls are (?P<l>.+))?",
     lambda m: f"未知的控件 {_code(m['k'])}" + (f"；可用的控件：{_code(m['l'])}" if m["l"] else "")),
    (r"(?P<w>DeliveredValueState|ModelExplorerState|RFMExplorerState): (?P<e>.+)",
     _f("`{w}`：{e}", e=_zh)),
    (r"(?P<w>model_explorer|rfm_explorer) got unknown setting\(s\) (?P<u>\[.*?\]); choose from (?P<l>\[.*\])",
     _f("{w} 收到了未知的设置 {u}；可选：{l}")),
    (r"window must be >= 0 days, got (?P<v>.+)", _f("`window` 必须 >= 0 天，实际为 {v}", v=_code)),
    # the states' refusals (shown on the widget's error line; the previous settings stay)
    (r"horizon must be a whole number of periods >= 1, got (?P<v>.+?); kept the previous value",
     _f("`horizon` 必须是 >= 1 的整数期数，实际为 {v}；仍使用之前的值", v=_code)),
    (r"discount_rate must be a finite number in \[0, 1\] per period, got (?P<v>.+?); kept the previous value",
     _f("`discount_rate` 必须是 [0, 1] 内的每期有限数值，实际为 {v}；仍使用之前的值", v=_code)),
    (r"margin must be a share between 0 and 1, got (?P<v>.+?); kept the previous value",
     _f("`margin` 必须是 0 到 1 之间的比例，实际为 {v}；仍使用之前的值", v=_code)),
    (r"(?P<e>.+[。）]) Kept the previous settings\.", _f("{e}已保留之前的设置。")),
    (r"customer (?P<c>.+?) is in the summary but not in the transactions\.",
     _f("客户 {c} 在客户汇总表中，但不在交易记录中。", c=_code)),
    (r"period=(?P<p>\S+) needs a model time unit in (?P<l>\[.*?\]) \(got (?P<u>.+?)\); pass period as a number of "
     r"model time units\.",
     _f("period={p} 需要模型的时间单位属于 {l}（实际为 {u}）；请把 `period` 写成模型时间单位的个数。", u=_code)),
])

# the RFM explorer's refusal of heatmap_value (its other refusals are translated next to the widget, in
# toolkit.widgets.rfm_explorer; "RFMExplorerState: <refusal>" above)
register_patterns("zh", [
    (r"heatmap_value must be \"count\" or \"revenue\", got (?P<v>.+)",
     _f("`heatmap_value` 必须是 \"count\" 或 \"revenue\"，实际为 {v}", v=_code)),
])

# the app's guard for a tab key that has no view (toolkit.widgets.app; UnknownNameError)
register_patterns("zh", [
    (r"unknown tab (?P<k>.+?); choose from (?P<l>\[.*\])", _f("未知的标签页 {k}；可选：{l}", k=_code)),
])
