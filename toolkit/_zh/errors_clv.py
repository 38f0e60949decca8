"""Chinese of the error and warning messages of errors_clv (see toolkit._zh).

The messages of :mod:`toolkit.clv` (the course CLV, portfolio, sensitivity, promotions, economics, intervals) and
of its models (:mod:`toolkit.clv.models`: fit, covariates, value). The parameter checks of :mod:`toolkit._validate`
they go through (``check_number`` and its hints) are in :mod:`toolkit._zh.errors_data`. Parameter names, column
names, values and the arguments that fix a problem (``penalizer=0.001``, ``method='bootstrap'``) stay as they are;
names the English writes bare are put in backticks so that they read as code.

The replacements are functions of the match (:func:`_f`): group texts are kept as they are unless named in
``zh=`` (translated with :func:`~toolkit.i18n.localize`, e.g. a hint sentence) or ``code=`` (backticks around a
bare word such as ``nan`` or ``None``).
"""

import re

from ..i18n import register_patterns
from ._common import code as _code
from ._common import fill as _fill
from ._common import name as _name
from ._common import zh as _zh

#: a number as the messages print it (1,234.5, -0.1, 1e-10, nan/inf are not numbers here)
_N = r"-?[\d,]*\.?\d+(?:e[-+]?\d+)?"
#: a model class name (BetaGeo, ParetoNBD, GammaGamma...)
_M = r"(?P<m>[A-Z][A-Za-z]*)"


def _where(text):
    """The portfolio's ``" after retention_delta=+0.05 on 'vip'"`` (or nothing) as a Chinese aside."""
    m = re.fullmatch(r" after (?P<d>retention_delta=\S+) on (?P<s>.+)", text or "")
    if m is None:
        return ""
    seg = m["s"]
    target = "全部客户" if seg in ("None", "'all'") else f"细分群体 {_code(seg)} "
    return f"（对{target}施加 {m['d']} 之后）"


def _model(value):
    """validate_frt(summary, "Model"): the generic name, not a class; a class name stays."""
    return "模型" if value == "Model" else value


def _f(template, *, code=(), name=(), zh=(), where=()):
    """Replacement building ``template`` from the match's groups (see the module docstring)."""
    transforms = {"m": _model}
    for names, fn in ((code, _code), (name, _name), (zh, _zh), (where, _where)):
        transforms.update(dict.fromkeys(names, fn))
    return _fill(template, **transforms)


# The shared parameter checks of toolkit._validate (check_number / check_int / check_array: "discount_rate must be
# a finite number in [0, 1], got nan. <hint>", the time-unit and customer-index checks) and the hints the clv
# callers append are translated in toolkit._zh.errors_data, with the other _validate messages. Except this one:
# check_index_aligned is only used by toolkit.clv.models.value (spend=), and its code example must stay code.


def _aligned_parts(text, name):
    out = []
    for part in text.split("; "):
        a = re.fullmatch(r"(?P<k>[\d,]+) customer\(s\) of the summary have no value in \S+ \(e\.g\. (?P<e>\[.*\])\)",
                         part)
        b = re.fullmatch(r"(?P<k>[\d,]+) id\(s\) of \S+ are not in the summary \(e\.g\. (?P<e>\[.*\])\)", part)
        if a:
            out.append(f"客户汇总表中有 {a['k']} 位客户在 {_name(name)} 中没有值（例如 {a['e']}）")
        elif b:
            out.append(f"{_name(name)} 中有 {b['k']} 个编号不在客户汇总表中（例如 {b['e']}）")
        else:
            out.append(part)
    return "；".join(out)


register_patterns("zh", [
    (r"(?P<n>\S+) does not match the customers of the summary: (?P<parts>.+?)\. Index it by the same customer_id "
     r"\(e\.g\. (?P=n)\.reindex\(summary\.index\)\.fillna\(value\)\), or pass a number or an array in the summary's "
     r"row order\.",
     lambda m: (f"{_name(m['n'])} 与客户汇总表的客户不一致：{_aligned_parts(m['parts'], m['n'])}。请按同样的 customer_id "
                f"建立索引（例如 `{m['n']}.reindex(summary.index).fillna(value)`），或按客户汇总表的行顺序传入一个数或"
                "一个数组。")),
])

# ------------------------------------------------------------------------------------------------------------------
# toolkit.clv._common, course, economics, promotions, portfolio, sensitivity (ScenarioError, SchemaError)
# ------------------------------------------------------------------------------------------------------------------
_W = r"(?P<w>(?: after retention_delta=\S+ on .+?)?)"

register_patterns("zh", [
    (r"`(?P<n>\w+)` has shape (?P<s>\(.*?\)), expected a scalar or \((?P<k>\d+),\) values, one per customer\.",
     _f("`{n}` 的形状为 {s}，应为一个标量或 ({k},) 个值（每位客户一个）。")),
    (rf"retention must be a rate in \[0, 1\) \(1 only with a finite horizon\){_W}; got (?P<v>\[.*?\])\. Pass 0\.8 "
     r"for 80%, not 80; churn 20% means retention 0\.8\.",
     _f("`retention` 必须是 [0, 1) 内的比率（只有时间跨度有限时才可以为 1）{w}；实际为 {v}。80% 请传 0.8，而不是 80；"
        "流失率 20% 即留存率 0.8。", where=("w",))),
    (rf"discount_rate must be a finite yearly rate in \[0, 1\]{_W}; got (?P<v>\[.*?\])\. Pass 0\.1 for 10% \(not 10\); "
     r"a negative rate would make later years worth more than today\.",
     _f("`discount_rate` 必须是 [0, 1] 内的有限年折现率{w}；实际为 {v}。10% 请传 0.1（不是 10）；负的折现率会让以后的年份比"
        "今天更值钱。", where=("w",))),
    (rf"retention 1 means an infinite expected lifetime, so the default horizon 1/\(1-r\) is infinite{_W}\. Give a "
     r"finite `horizon` \(years\) or a retention below 1\.",
     _f("留存率为 1 意味着期望生命周期无限长，因此默认时间跨度 1/(1-r) 为无穷大{w}。请给出有限的 `horizon`（年），或低于 1 "
        "的留存率。", where=("w",))),
    (rf"horizon must be a number of years >= 0 or numpy\.inf{_W}; got (?P<v>\[.*?\])\.",
     _f("`horizon` 必须是 >= 0 的年数或 numpy.inf{w}；实际为 {v}。", where=("w",))),
    (rf"horizon counts whole years{_W}; got (?P<v>\[.*?\])\. Round it first\.",
     _f("`horizon` 以整年计{w}；实际为 {v}。请先取整。", where=("w",))),
    (rf"horizon above (?P<n>{_N}) years{_W}: pass numpy\.inf for the infinite-horizon limit\.",
     _f("`horizon` 超过了 {n} 年{w}：如需无限时间跨度的极限，请传 numpy.inf。", where=("w",))),
    (rf"an infinite horizon with retention (?P<r>\S+) \(discount rate (?P<d>\S+)\) describes a customer who never "
     rf"leaves{_W}: the value is infinite, or \(with d > 0\) only a perpetuity artefact\. Use a finite horizon or a "
     r"retention below 1\.",
     _f("无限时间跨度加上留存率 {r}（折现率 {d}）描述的是一位永远不会离开的客户{w}：其价值为无穷大，或者（d > 0 时）只是"
        "永续年金公式造成的假象。请使用有限的时间跨度，或低于 1 的留存率。", code=("r", "d"), where=("w",))),
    (rf"margin is the gross margin rate in \[0, 1\]{_W}; got (?P<v>\[.*?\])\. Pass 0\.6 for 60%\. A negative margin "
     r"makes 'current value / annual margin' meaningless: model loss-making service as `retention_cost` instead\.",
     _f("`margin` 是 [0, 1] 内的毛利率{w}；实际为 {v}。60% 请传 0.6。负的毛利率会让“当前价值 / 年毛利”失去意义：亏本的"
        "服务请改用 `retention_cost` 来表示。", where=("w",))),
    (rf"annual_revenue must be finite and >= 0{_W}\.",
     _f("`annual_revenue` 必须是有限数值且 >= 0{w}。", where=("w",))),
    # course
    (r"upsell_probability is a probability in \[0, 1\]; pass 0\.3 for 30%\.",
     _f("`upsell_probability` 是 [0, 1] 内的概率；30% 请传 0.3。")),
    (r"revenue_growth is a yearly rate above -100%; pass 0\.05 for \+5% a year\.",
     _f("`revenue_growth` 是高于 -100% 的年增长率；每年 +5% 请传 0.05。")),
    (r"with an infinite horizon, revenue growth \(1\+g\) times r/\(1\+d\) must stay below 1, otherwise the value is "
     r"infinite\. Lower `revenue_growth` or use a finite horizon\.",
     _f("时间跨度无限时，收入增长 (1+g) 乘以 r/(1+d) 必须小于 1，否则价值为无穷大。请降低 `revenue_growth`，或使用有限的"
        "时间跨度。")),
    (r"`(?P<n>\w+)` must be finite and >= 0\.", _f("`{n}` 必须是有限数值且 >= 0。")),
    (r"upsell_revenue is the annual revenue of the bigger plan: it must be >= annual_revenue\.",
     _f("`upsell_revenue` 是更大方案的年收入：它必须 >= `annual_revenue`。")),
    (r"course_clv is for one customer: `(?P<n>\w+)` must be a scalar\. Use clv_components or customer_values for "
     r"arrays\.",
     _f("course_clv 只针对一位客户：`{n}` 必须是标量。数组请使用 clv_components 或 customer_values。")),
    # economics
    (r"cac \(customer acquisition cost\) must be a positive number; got (?P<v>.+?)\.",
     _f("`cac`（获客成本）必须是正数；实际为 {v}。", code=("v",))),
    (r"channel_economics needs columns (?P<c>\[.*?\]); pass `customers` with `(?P<a>[^`]*)` and `(?P<b>[^`]*)`, and "
     r"per-customer values from customer_values\(\)\.",
     _f("channel_economics 需要列 {c}；请传入含 `{a}` 和 `{b}` 列的 `customers`，以及 customer_values() 给出的每位客户的"
        "价值。")),
    # promotions
    (r"price_cut (?P<p>\S+) must be in \[0, margin=(?P<mg>[^)]+)\): a cut of the whole margin or more leaves no margin "
     r"to recover with retention\.",
     _f("price_cut {p} 必须在 [0, margin={mg}) 之内：降价幅度达到或超过全部毛利，就没有毛利可以靠留存来弥补了。",
        code=("p",))),
    # portfolio
    (r"expected toolkit\.customer_summary\(tx\) output \(a DataFrame\) or a toolkit\.Transactions, got (?P<t>\S+)\.",
     _f("需要 toolkit.customer_summary(tx) 的输出（一个 DataFrame）或一个 toolkit.Transactions，实际为 {t}。",
        code=("t",))),
    (r"the customer summary needs `tenure_days` \(or `T`\): use toolkit\.customer_summary\(tx\)\.",
     _f("客户汇总表需要 `tenure_days`（或 `T`）列：请使用 toolkit.customer_summary(tx)。")),
    (r"estimate_retention needs columns (?P<c>\[.*?\]) of toolkit\.customer_summary\(tx\)\.",
     _f("estimate_retention 需要 toolkit.customer_summary(tx) 的列 {c}。")),
    (r"the customer summary needs a `revenue` column: use toolkit\.customer_summary\(tx\)\.",
     _f("客户汇总表需要 `revenue` 列：请使用 toolkit.customer_summary(tx)。")),
    (r"current value is missing or not finite for (?P<n>[\d,]+) customer\(s\), e\.g\. (?P<e>\[.*\]): score every "
     r"customer of the summary with the model \(same summary, same index\)\.",
     _f("有 {n} 位客户的当前价值缺失或不是有限数值，例如 {e}：请用模型为客户汇总表中的每位客户打分（同一个汇总表、同一个"
        "索引）。")),
    (r"q is a quantile in \(0, 1\]\.", _f("`q` 是 (0, 1] 内的分位数。")),
    (r"clv_segments needs columns (?P<c>\[.*?\])\.", _f("clv_segments 需要列 {c}。")),
    (r"`(?P<n>\w+)`=(?P<v>.+) is not a column of the summary\.", _f("`{n}`={v} 不是客户汇总表中的列。", code=("v",))),
    (r"`(?P<n>\w+)` has no value for group\(s\) (?P<g>\[.*\]) of `(?P<c>[^`]*)`\.",
     _f("`{n}` 对 `{c}` 的分组 {g} 没有值。")),
    (r"group column (?P<g>.+) is not in the summary; columns are (?P<c>\[.*\])\.",
     _f("分组列 {g} 不在客户汇总表中；现有的列为 {c}。", code=("g",))),
    (r"segment (?P<s>.+) not found in `(?P<g>[^`]*)`; groups are (?P<gs>\[.*\])\.",
     _f("在 `{g}` 中找不到细分群体 {s}；现有的分组为 {gs}。", code=("s",))),
    (r"value must be 'current' or 'clv'\.", _f("`value` 必须是 'current' 或 'clv'。")),
    (r"segment (?P<s>.+) given but the Portfolio has no `group` column\.",
     _f("给出了细分群体 {s}，但此 `Portfolio` 没有 `group` 列。", code=("s",))),
    (rf"retention must stay a rate in \[0, 1\){_W}: it would reach (?P<v>\S+)\.",
     _f("留存率必须保持在 [0, 1) 之内{w}：它将达到 {v}。", code=("v",), where=("w",))),
    (r"cost_change makes a maintenance cost negative\.", _f("`cost_change` 会使某个维系成本变为负数。")),
    (r"a Monte Carlo band needs `retention_n` \(Portfolio\) or `retention_sd`\.",
     _f("蒙特卡洛区间需要 `retention_n`（`Portfolio`）或 `retention_sd`。")),
    (rf"retention would reach 1{_W}: an infinite expected lifetime, so the default horizon 1/\(1-r\) is infinite\. "
     r"Use a smaller change or a finite `horizon`\.",
     _f("留存率将达到 1{w}：期望生命周期无限长，因此默认时间跨度 1/(1-r) 为无穷大。请使用更小的变化，或有限的 `horizon`。",
        where=("w",))),
    (rf"retention would reach 1 with an infinite horizon{_W}: infinite value\.",
     _f("在无限时间跨度下留存率将达到 1{w}：价值为无穷大。", where=("w",))),
    # sensitivity
    (r"value must be 'total', 'current' or 'potential'\.", _f("`value` 必须是 'total'、'current' 或 'potential'。")),
    (r"unknown factor\(s\) (?P<u>\[.*?\]); choose from (?P<c>\[.*?\])\.", _f("未知的因素 {u}；请从 {c} 中选择。")),
    # evaluation
    (r"evaluate_model needs the output of calibration_holdout_split; missing (?P<c>\[.*?\])\.",
     _f("evaluate_model 需要 calibration_holdout_split 的输出；缺少 {c}。")),
])

# ------------------------------------------------------------------------------------------------------------------
# toolkit.clv.models.base: fit, predictions, data checks; ConvergenceWarning / ConvergenceError
# ------------------------------------------------------------------------------------------------------------------


def _rule(text):
    """The rule part of a ``check_rule`` message (``frequency must be >= 0``) in Chinese, or None."""
    for regex, template in _RULES:
        m = re.fullmatch(regex, text)
        if m:
            return template.format(**{k: (v if k == "op" else _name(v)) for k, v in m.groupdict().items()})
    return None


_RULES = [
    (r"(?P<c>\w+) must be (?P<op>>=|>) 0", "{c} 必须 {op} 0"),
    (r"(?P<c>\w+) counts repeat purchases and must be a whole number", "{c} 是重复购买次数，必须是整数"),
    (r"(?P<c>\w+) \(age at the end of calibration\) must be > 0", "{c}（校准期结束时的客户年龄）必须 > 0"),
    (r"(?P<a>\w+) must not exceed (?P<b>\w+)", "{a} 不能超过 {b}"),
    (r"(?P<a>\w+) must be 0 when (?P<b>\w+) is 0", "{b} 为 0 时，{a} 必须为 0"),
    (r"frequency must not exceed recency \(one transaction per period\)",
     "`frequency` 不能超过 `recency`（每期最多一次交易）"),
    (r"(?P<c>\w+) must be a whole number >= 0", "{c} 必须是 >= 0 的整数"),
    (r"monetary_value must be > 0 for customers with repeat purchases \(check zero or negative amounts, e\.g\. "
     r"returns, in the transactions\)",
     "有重复购买的客户，`monetary_value` 必须 > 0（请检查交易中为零或为负的金额，例如退货）"),
]
_RULES = [(re.compile(a), b) for a, b in _RULES]


def _check_rule(match):
    return f"{'模型' if match['m'] == 'Model' else match['m']}：{_rule(match['rule'])}（{match['n']} 行）。"


# the rule part of the pattern: only the rules above (a named group becomes a plain one)
_RULE_RE = "|".join(re.sub(r"\(\?P<\w+>", "(?:", r.pattern) for r, _ in _RULES)


def _not_converged(match):
    return (f"{match['m']} 未收敛：优化器报告 '{match['msg']}'（{match['it']} 次迭代后，每位客户的最大梯度为 "
            f"{match['g']}）。可尝试：max_iter={match['k']}、接近以往拟合结果的 initial_params、penalizer=0.001，"
            "或重新缩放时间（用周代替天）。")


register_patterns("zh", [
    (rf"{_M}: (?P<rule>{_RULE_RE}) \((?P<n>[\d,]+) rows\)\.", _check_rule),
    (rf"{_M}: column (?P<c>.+) has (?P<n>[\d,]+) missing or non-numeric values\.",
     _f("{m}：列 {c} 有 {n} 个缺失或非数值的值。")),
    (rf"{_M} needs a pandas DataFrame with columns (?P<c>\[.*?\]), got (?P<t>\S+)\.",
     _f("{m} 需要一个包含列 {c} 的 pandas.DataFrame，实际为 {t}。", code=("t",))),
    (rf"{_M} needs the column\(s\) (?P<c>\[.*?\]); the summary has (?P<h>\[.*\])\. Build it with "
     r"toolkit\.customer_summary\(tx\) or rename your columns\.",
     _f("{m} 需要列 {c}；客户汇总表只有 {h}。请用 toolkit.customer_summary(tx) 构建它，或重命名你的列。")),
    (rf"This {_M} was fitted without covariates; do not pass covariates=\.",
     _f("此 {m} 拟合时没有使用协变量；请不要传入 covariates=。")),
    (rf"This {_M} was fitted with covariates: pass her covariates= \(a Series or a one-row DataFrame with the columns "
     r"given at fit\)\.",
     _f("此 {m} 拟合时使用了协变量：请传入她的 covariates=（一个 `Series`，或只有一行、包含拟合时所用各列的 DataFrame）。")),
    (r"time_unit must be one of 'D', 'W', 'M' or None, got (?P<v>.+)\.",
     _f("`time_unit` 必须是 'D'、'W'、'M' 或 `None`，实际为 {v}。", code=("v",))),
    (rf"initial_params has unknown name\(s\) (?P<u>\[.*?\]); {_M} has (?P<p>\[.*?\])\.",
     _f("initial_params 中有未知的名称 {u}；{m} 的参数为 {p}。")),
    (rf"{_M}\.fit needs at least one customer with positive weight\.", _f("{m}.fit 至少需要一位权重为正的客户。")),
    (rf"{_M} could not evaluate its likelihood at any starting point \(objective (?P<o>.+?)\)\. Try: initial_params "
     r"close to published values, a time unit where T is between about 1 and 1000 \(weeks rather than days\), or "
     r"penalizer=0\.001\.",
     _f("{m} 在任何起始点都无法计算似然（目标函数值 {o}）。可尝试：接近已发表数值的 initial_params、让 T 大约在 1 到 1000 "
        "之间的时间单位（用周而不是天），或 penalizer=0.001。", code=("o",))),
    (rf"{_M} did not converge: (?P<msg>.+?) \(largest gradient per customer (?P<g>\S+) after (?P<it>\d+) "
     r"iterations\)\. Try: max_iter=(?P<k>\d+), initial_params near a previous fit, penalizer=0\.001, or rescaling "
     r"time \(weeks instead of days\)\.", _not_converged),
    (r"weights column (?P<w>.+) is not in the summary \(columns: (?P<c>\[.*\])\)\.",
     _f("权重列 {w} 不在客户汇总表中（现有的列：{c}）。", code=("w",))),
    (r"weights must be one finite, non-negative number per row\.", _f("`weights` 必须是每行一个有限的非负数。")),
    (rf"{_M}: parameter\(s\) (?P<p>\[.*?\]) ended at the edge of the allowed range \((?P<b>exp\([^)]*\))\): the data "
     r"cannot pin them down, and predictions that depend on them are unreliable\. Try: more customers or a longer "
     r"calibration period, penalizer=0\.001, or a simpler model\.",
     _f("{m}：参数 {p} 停在了允许范围的边界（`{b}`）：数据无法确定它们，依赖它们的预测不可靠。可尝试：更多客户或更长的"
        "校准期、penalizer=0.001，或更简单的模型。")),
    (rf"{_M}: the Hessian at the optimum is not positive definite, so standard errors are NaN\. Some parameter "
     r"combination is not identified by these data(?: \(along (?P<p>\[[^\]]*\])\))?; often a parameter runs off to 0 "
     r"or infinity\. Try more data or penalizer=0\.001\.",
     lambda m: f"{m['m']}：最优点处的 Hessian 矩阵不是正定的，因此标准误为 NaN。这些数据无法识别某些参数组合"
               + (f"（沿 {m['p']}）" if m["p"] else "") + "；常见情况是某个参数趋于 0 或无穷大。请尝试更多数据或 "
               "penalizer=0.001。"),
    (rf"{_M}: parameter\(s\) (?P<p>\[[^\]]*\]) are barely determined by the data \(95% intervals span more than a "
     r"factor of 2,500\); the likelihood is flat along them\. Predictions may still be fine, but do not interpret "
     r"these values\. Try: more customers or a longer calibration period, penalizer=0\.001, or a simpler model\.",
     _f("{m}：参数 {p} 几乎无法由数据确定（95% 区间跨度超过 2,500 倍），似然沿这些参数是平的。预测可能仍然可用，但不要"
        "解读这些参数值。可尝试：更多客户或更长的校准期、penalizer=0.001，或更简单的模型。")),
    (rf"This {_M} is not fitted yet: call \.fit\(summary\) first, or build one from known values with "
     r"(?P=m)\.from_params\(\.\.\.\)\.",
     _f("此 {m} 尚未拟合：请先调用 `.fit(summary)`，或用 {m}.from_params(...) 由已知的参数值构建。")),
    (rf"This {_M} is not fitted yet: call \.fit\(summary\) first\.", _f("此 {m} 尚未拟合：请先调用 `.fit(summary)`。")),
    (rf"{_M} cannot be identified from these data: none of the (?P<n>[\d,]+) customers made a repeat purchase "
     r"\(frequency is 0 for all\), so the purchase rate and the drop-out process cannot be told apart \(the "
     r"likelihood is largest as the purchase rate goes to 0\)\. Use a longer calibration period, more customers, or "
     r"a non-parametric view \(toolkit\.cohorts, toolkit\.clv\.estimate_retention\)\.",
     _f("{m} 无法从这些数据中识别：{n} 位客户都没有重复购买（所有客户的 `frequency` 都是 0），因此无法区分购买率与流失"
        "过程（购买率趋于 0 时似然最大）。请使用更长的校准期、更多客户，或非参数的方法（toolkit.cohorts、"
        "toolkit.clv.estimate_retention）。")),
])

# ------------------------------------------------------------------------------------------------------------------
# toolkit.clv.models.covariates
# ------------------------------------------------------------------------------------------------------------------
register_patterns("zh", [
    (r"(?P<n>\w+_covariates|categorical|reference) must be a list of column names, got (?P<v>.+)\.",
     _f("{n} 必须是列名的列表，实际为 {v}。", name=("n",), code=("v",))),
    (rf"{_M}: covariate column (?P<c>'[^']*'|\S+) is not numeric \((?P<n>[\d,]+) non-numeric values, e\.g\. "
     r"(?P<e>\[.*?\])\)\. Pass (?P<fix>categorical=\[.*?\]) to one-hot encode it \(or convert it to numbers "
     r"yourself\)\.",
     _f("{m}：协变量列 {c} 不是数值型（有 {n} 个非数值的值，例如 {e}）。请传入 {fix} 对它做独热编码（或自行把它转换为"
        "数值）。", code=("c",))),
    (rf"{_M}: categorical covariate (?P<c>.+?) has (?P<k>[\d,]+) level\(s\) among the (?P<n>[\d,]+) fitted "
     r"customers: it cannot explain differences between them\. Leave it out of purchase_covariates / "
     r"dropout_covariates\.",
     _f("{m}：分类协变量 {c} 在 {n} 位拟合客户中只有 {k} 个水平：它无法解释客户之间的差异。请把它从 purchase_covariates / "
        "dropout_covariates 中去掉。", code=("c",))),
    (r"(?P<r>reference\[.*?\] = .+?) is not a level of (?P<c>.+?) \(levels: (?P<l>\[.*\])\)\.",
     _f("`{r}` 不是 {c} 的水平（现有的水平：{l}）。", code=("c",))),
    (rf"{_M}: the covariates frame has no column (?P<c>.+?) \(the model was fitted with (?P<f>\[.*?\]); it has "
     r"(?P<h>\[.*\])\)\.",
     _f("{m}：协变量表中没有列 {c}（模型拟合时使用了 {f}；该表只有 {h}）。", code=("c",))),
    (rf"{_M}: covariate (?P<c>.+?) has (?P<n>[\d,]+) value\(s\) that were not levels at fit \(e\.g\. (?P<e>\[.*?\]); "
     r"fitted levels (?P<l>\[.*?\])\)\. Map them to a fitted level or refit with them\.",
     _f("{m}：协变量 {c} 有 {n} 个值在拟合时不是它的水平（例如 {e}；拟合时的水平为 {l}）。请把它们映射到拟合时的某个"
        "水平，或带上它们重新拟合。", code=("c",))),
    (rf"{_M}(?P<fit>\.fit)?: covariates must be a pandas DataFrame indexed by customer_id, got (?P<t>\S+)\.",
     _f("{m}{fit}：`covariates` 必须是以 customer_id 为索引的 pandas.DataFrame，实际为 {t}。", code=("t",))),
    (rf"{_M}\.fit needs a pandas DataFrame summary, got (?P<t>\S+)\.",
     _f("{m}.fit 需要一个 pandas.DataFrame 形式的客户汇总表，实际为 {t}。", code=("t",))),
    (rf"{_M}: the covariates frame has (?P<n>[\d,]+) duplicated customer id\(s\) \(e\.g\. (?P<e>\[.*?\])\); it needs "
     r"one row per customer\.",
     _f("{m}：协变量表中有 {n} 个重复的客户编号（例如 {e}）；每位客户只能有一行。")),
    (rf"{_M}: column\(s\) (?P<c>\[.*?\]) are not in the covariates frame \(columns: (?P<h>\[.*\])\)\.",
     _f("{m}：列 {c} 不在协变量表中（现有的列：{h}）。")),
    (rf"{_M}: categorical / reference name column\(s\) (?P<u>\[.*?\]) that are not used as covariates "
     r"\((?P<e>\[.*\])\)\.",
     _f("{m}：`categorical` / `reference` 中指定的列 {u} 没有被用作协变量（协变量为 {e}）。")),
    (rf"{_M}: (?P<n>[\d,]+) customer\(s\) of the summary have no row in covariates \(e\.g\. (?P<e>\[.*?\])\)\. Pass a "
     r"covariates frame indexed by customer_id with a row for every customer of the summary\.",
     _f("{m}：客户汇总表中有 {n} 位客户在 `covariates` 中没有对应的行（例如 {e}）。请传入以 customer_id 为索引、客户汇总表"
        "中每位客户都有一行的协变量表。")),
    (rf"{_M}: (?P<n>[\d,]+) customer\(s\) of the summary have no row in (?P<s>the covariates given at fit|covariates) "
     r"\(e\.g\. (?P<e>\[.*?\])\)\. For new customers pass covariates=frame indexed by customer_id with the columns "
     r"(?P<c>\[.*\])\.",
     lambda m: (f"{m['m']}：客户汇总表中有 {m['n']} 位客户在"
                + ("拟合时给出的协变量" if m["s"].startswith("the") else " `covariates` ")
                + f"中没有对应的行（例如 {m['e']}）。对于新客户，请传入以 customer_id 为索引、包含列 {m['c']} 的 "
                "covariates=frame。")),
    (rf"{_M}\.fit: no covariate column is used by any process; name some in (?P<c>\[.*?\])\.",
     _f("{m}.fit：没有任何过程用到协变量列；请在 {c} 中指定一些列。")),
    (rf"{_M}\.(?P<w>\w+) describes one population, but this model was fitted with covariates \(every customer has her "
     r"own parameters\)\. Use the per-customer predictions with covariates=, or a model fitted without covariates\.",
     _f("{m}.{w} 描述的是单一总体，但此模型拟合时使用了协变量（每位客户都有自己的参数）。请使用带 covariates= 的逐客户"
        "预测，或不含协变量拟合的模型。")),
    (rf"{_M}: covariate (?P<c>.+?) is missing or not finite for (?P<n>[\d,]+) customer\(s\) of the summary\. Fill "
     r"those values, or leave those customers out of the summary\.",
     _f("{m}：客户汇总表中有 {n} 位客户的协变量 {c} 缺失或不是有限数值。请填补这些值，或把这些客户从客户汇总表中去掉。",
        code=("c",))),
    (rf"{_M}: covariate (?P<c>.+?) is missing or not finite for (?P<n>[\d,]+) customer\(s\); fill those values\.",
     _f("{m}：有 {n} 位客户的协变量 {c} 缺失或不是有限数值；请填补这些值。", code=("c",))),
    (rf"{_M}: covariate (?P<c>.+?) is constant \((?P<v>\S+) for all (?P<n>[\d,]+) customers of the summary\): its "
     r"coefficient cannot be told apart from the model's scale parameter\. Leave it out of purchase_covariates / "
     r"dropout_covariates \(or spend_covariates\)\.",
     _f("{m}：协变量 {c} 是常数（客户汇总表中全部 {n} 位客户都为 {v}）：它的系数无法与模型的尺度参数区分开。请把它从 "
        "purchase_covariates / dropout_covariates（或 spend_covariates）中去掉。", code=("c", "v"))),
    (rf"{_M}\.fit: (?P<g>\[.*?\]) choose covariate columns, but covariates= is not given; pass covariates=frame "
     r"\(indexed by customer_id\)\.",
     _f("{m}.fit：{g} 指定了协变量列，但没有给出 covariates=；请传入 covariates=frame（以 customer_id 为索引）。")),
])

# ------------------------------------------------------------------------------------------------------------------
# toolkit.clv.models.gamma_gamma and value (DataQualityWarning, ParameterError)
# ------------------------------------------------------------------------------------------------------------------
register_patterns("zh", [
    (r"Gamma-Gamma fitted q = (?P<q>\S+) <= 1: spend is so heavy-tailed that the model's mean spend is infinite \(a "
     r"few very large baskets\? check the amounts for outliers, or cap them\)\. Expected spend is infinite, not a "
     r"number, for customers with p \* frequency \+ q <= 1 and for new customers\.",
     _f("Gamma-Gamma 拟合得到 q = {q} <= 1：消费额的尾部极重，模型的平均消费额为无穷大（是否有少数特别大的订单？请检查"
        "金额中的异常值，或对其封顶）。对于 `p * frequency + q <= 1` 的客户以及新客户，预期消费额是无穷大，而不是一个数。")),
    (r"Gamma-Gamma assumes spend is independent of purchase frequency, but their correlation is (?P<c>\S+): expected "
     r"spend may be biased\.",
     _f("Gamma-Gamma 假设消费额与购买频率相互独立，但二者的相关系数为 {c}：预期消费额可能有偏差。", code=("c",))),
    (r"Gamma-Gamma: expected spend is infinite for (?P<n>[\d,]+) customer\(s\) because p \* frequency \+ q <= 1 "
     r"\(p = (?P<p>\S+), q = (?P<q>\S+)\): the fitted spend distribution has no mean for them\. Check the amounts for "
     r"outliers\.",
     _f("Gamma-Gamma：有 {n} 位客户的预期消费额为无穷大，因为 `p * frequency + q <= 1`（p = {p}，q = {q}）：拟合出的消费额"
        "分布对他们没有均值。请检查金额中的异常值。")),
    (r"(?P<w>customer_lifetime_value|ModelCLV\.clv): (?P<n>[\d,]+) customer\(s\) have an infinite CLV because their "
     r"expected spend is infinite \(a Gamma-Gamma fit with q <= 1; see its warning\)\. Sum CLVs with a cap or without "
     r"them \(e\.g\. clv\[np\.isfinite\(clv\)\]\.sum\(\)\), and check the amounts for outliers\.",
     _f("{w}：有 {n} 位客户的 CLV 为无穷大，因为他们的预期消费额为无穷大（Gamma-Gamma 拟合得到 q <= 1；见它的警告）。"
        "汇总 CLV 时请设上限或排除这些客户（例如 `clv[np.isfinite(clv)].sum()`），并检查金额中的异常值。")),
    (r"spend has (?P<k>[\d,]+) values but the summary has (?P<n>[\d,]+) customers; pass one value per row of the "
     r"summary \(or a Series indexed by customer_id\)\.",
     _f("`spend` 有 {k} 个值，但客户汇总表有 {n} 位客户；请为客户汇总表的每一行传一个值（或传入以 customer_id 为索引的 "
        "`Series`）。")),
    (r"horizon (?P<h>\S+) is beyond the (?P<m>[\d,]+) periods prepared; build ModelCLV with max_horizon=(?P<k>\d+) or "
     r"more\.",
     _f("`horizon` {h} 超出了预先准备的 {m} 个期间；请用 max_horizon={k} 或更大的值构建 ModelCLV。")),
    (r"period must be one of (?P<l>\[.*?\]) or a number, got (?P<v>.+)\.",
     _f("`period` 必须是 {l} 之一或一个数，实际为 {v}。", code=("v",))),
])

# ------------------------------------------------------------------------------------------------------------------
# toolkit.clv.intervals
# ------------------------------------------------------------------------------------------------------------------
register_patterns("zh", [
    (r"(?P<n>quantity|method) must be one of (?P<l>\[.*?\]), got (?P<v>.+)\.",
     _f("{n} 必须是 {l} 之一，实际为 {v}。", name=("n",), code=("v",))),
    (r"method='bootstrap' is not available for models fitted with covariates \(a refit needs each resampled "
     r"customer's covariates\); use method='normal'\.",
     _f("method='bootstrap' 不适用于带协变量拟合的模型（每次重新拟合都需要每位重抽样客户的协变量）；请使用 "
        "method='normal'。")),
    (r"levels must hold at least one coverage level, e\.g\. levels=\(0\.8, 0\.95\)\.",
     _f("`levels` 至少要包含一个覆盖水平，例如 levels=(0.8, 0.95)。")),
    (r"levels must be distinct, got (?P<l>\[.*\])\.", _f("`levels` 中的值不能重复，实际为 {l}。")),
    (rf"method='normal' needs the Hessian of a {_M} fitted on data; this one was built from given parameters \(no "
     r"estimation error to propagate\)\. Fit it, or use method='bootstrap' with the data\.",
     _f("method='normal' 需要一个在数据上拟合的 {m} 的 Hessian 矩阵；此模型是由给定参数构建的（没有可传播的估计误差）。"
        "请先拟合它，或对数据使用 method='bootstrap'。")),
    (rf"{_M}: the Hessian at the estimate is not positive definite, so the estimates have no normal approximation "
     r"\(some parameter is not identified; see model\.diagnostics\)\. (?P<fix>Use more data, fewer covariates, or "
     r"penalizer=0\.001\.|Use method='bootstrap', more data, or penalizer=0\.001\.)",
     lambda m: (f"{m['m']}：估计值处的 Hessian 矩阵不是正定的，因此估计值没有正态近似（有参数不可识别；见 "
                "model.diagnostics）。"
                + ("请使用更多数据、更少的协变量，或 penalizer=0.001。" if "covariates" in m["fix"]
                   else "请使用 method='bootstrap'、更多数据，或 penalizer=0.001。"))),
    (rf"{_M}: (?P<f>[\d,]+) of (?P<n>[\d,]+) bootstrap refits failed; the model is barely identified on these data\. "
     r"Use more data, or penalizer=0\.001\.",
     _f("{m}：{n} 次自助法重抽样拟合中有 {f} 次失败；该模型在这些数据上几乎无法识别。请使用更多数据，或 penalizer=0.001。")),
    (r"quantity='expected_purchases' needs the horizon t \(in the model's time unit\), e\.g\. t=52 for a year in "
     r"weeks\.",
     _f("quantity='expected_purchases' 需要时间跨度 t（以模型的时间单位计），例如以周为单位时，一年为 t=52。")),
    (r"quantity='clv' needs (?P<l>\[.*?\]) \(as customer_lifetime_value does\), e\.g\. "
     r"spend_model=GammaGamma\(\)\.fit\(repeaters\), horizon=12, period='M', discount_rate=0\.01\.",
     _f("quantity='clv' 需要 {l}（与 customer_lifetime_value 相同），例如 `spend_model=GammaGamma().fit(repeaters)`、"
        "horizon=12、period='M'、discount_rate=0.01。")),
])

# ------------------------------------------------------------------------------------------------------------------
# Argument checks of toolkit.clv raised as ParameterError / UnitMismatchError / DataQualityError / ConvergenceError
# (diagnostics, evaluation, the models' from_params, purchase histories and simulations)
# ------------------------------------------------------------------------------------------------------------------
register_patterns("zh", [
    (r"Horizons t must be finite and >= 0\.", _f("时间跨度 t 必须是有限值且 >= 0。")),
    (r"period_transactions needs at least one customer\.", _f("period_transactions 至少需要一位客户。")),
    (rf"Expected counts sum to (?P<t>\S+) for (?P<n>{_N}) customers \(or are negative\); the P\(X\(t\)=x\) "
     r"evaluation failed\.",
     _f("期望人数之和为 {t}，而客户有 {n} 位（或出现了负值）：P(X(t)=x) 的计算失败。")),
    (rf"The models were fitted on different data: (?P<a>{_N}) vs (?P<b>{_N}) customers\. Fit both on the same "
     r"summary\.",
     _f("两个模型是在不同的数据上拟合的：{a} 位客户对 {b} 位客户。请在同一份客户汇总表上拟合两个模型。")),
    (r"The models were fitted in different time units \((?P<a>.+?) vs (?P<b>.+?)\); their likelihoods are not "
     r"comparable\.",
     _f("两个模型的时间单位不同（{a} 与 {b}）：它们的似然无法比较。", code=("a", "b"))),
    (r"full has fewer free parameters \((?P<f>\d+)\) than restricted \((?P<r>\d+)\): swap the arguments\.",
     _f("`full` 的自由参数（{f} 个）少于 `restricted`（{r} 个）：请把两个模型对调传入。")),
    (r"The (?P<r>full|restricted) model has no maximised log-likelihood \(built from given parameters\?\); fit both "
     r"models on the same summary\.",
     _f("`{r}` 模型没有最大化的对数似然（是由给定参数构建的吗？）；请在同一份客户汇总表上拟合两个模型。")),
    (r"The (?P<r>full|restricted) model was fitted with (?P<p>penalizer=\S+): its estimates are not maximum "
     r"likelihood and the LR test does not apply\. Refit with penalizer=0\.",
     _f("`{r}` 模型拟合时使用了 {p}：其估计值不是最大似然估计，似然比检验不适用。请用 penalizer=0 重新拟合。")),
    (r"holdout_end \((?P<h>[\d-]+)\) must be after calibration_end \((?P<c>[\d-]+)\)\.",
     _f("holdout_end（{h}）必须晚于 calibration_end（{c}）。")),
    (r"holdout_end \((?P<h>[\d-]+)\) is after the end of the log \((?P<e>[\d-]+)\): purchases in between were not "
     r"observed\.",
     _f("holdout_end（{h}）晚于日志的结束日期（{e}）：这段时间内的购买没有被观察到。")),
    (r"quantity must be 'expected_purchases' or 'p_alive', got (?P<v>.+)\.",
     _f("`quantity` 必须是 'expected_purchases' 或 'p_alive'，实际为 {v}。", code=("v",))),
    (r"(?P<p>period=\S+) needs the summary's time unit \(got (?P<u>.+?)\); pass time_unit=\.",
     _f("{p} 需要客户汇总表的时间单位（实际为 {u}）；请传入 time_unit=。", code=("u",))),
    (rf"{_M} needs exactly the parameters (?P<l>\[.*?\]); missing (?P<a>\[.*?\]), unexpected (?P<b>\[.*?\])\.",
     _f("{m} 需要且只需要参数 {l}；缺少 {a}，多出 {b}。")),
    (rf"All parameters of {_M} must be positive and finite, got (?P<p>.+)\.",
     _f("{m} 的所有参数都必须是有限的正数，实际为 {p}。", code=("p",))),
    (r"purchase_times must hold at least one finite time\.", _f("`purchase_times` 至少要包含一个有限的时间。")),
    (r"Evaluation times must not be before the first purchase\.", _f("计算的时间点不能早于首次购买。")),
    (r"purchases must be a non-empty 1-d array of 0/1, one entry per opportunity\.",
     _f("`purchases` 必须是由 0/1 组成的非空一维数组，每个购买机会一项。")),
    (r"simulate needs frequency > 0 for every customer\.", _f("`simulate` 要求每位客户的 `frequency` > 0。")),
    (r"(?P<p>period=\S+) needs the model's time unit, which is unknown \(the summary had no attrs\['time_unit'\]\)\. "
     r"Pass period as a number of model time units instead, e\.g\. period=365\.2425/12/7 for months when the model "
     r"was fitted in weeks\.",
     _f("{p} 需要模型的时间单位，但它未知（客户汇总表没有 `attrs['time_unit']`）。请改为把 `period` 写成模型时间单位的"
        "个数，例如模型以周为单位拟合时，按月计算可传入 period=365.2425/12/7。")),
])
