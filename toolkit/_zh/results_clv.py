"""The Chinese of the CLV results (issue #20): what ``toolkit.clv`` and ``toolkit.customer_value`` show.

* keyed templates (``clv.*``, ``value.*``) for the reprs and HTML summaries of the result objects, which build
  their Chinese text from them under ``set_language("zh")`` (their English is written in the code, unchanged);
* ``col.*`` and ``val.*`` labels for the columns and category values of the frames they return (a Chinese notebook
  shows frames through :func:`toolkit.formatting.notebook_table_html`; the data keep their English names);
* the sentences the results hold in English (verdicts, fit checks, readings, strategies, fit notes), translated
  where they are shown (:func:`toolkit.i18n.localize`).

The wording follows the course glossary (``notebooks/GLOSSARY.md``) and reuses the Chinese the report
(:mod:`toolkit.report.zh`), the plots (:mod:`toolkit.plotting.clv`) and the model explorer already use.
"""

from __future__ import annotations

import re

from ..formatting import label, value_label
from ..i18n import _CATALOGUE, localize, register, register_patterns, register_text, tr

_N = r"[-+−]?[\d,]*\.?\d+(?:e[-+]?\d+)?"  # a number as the toolkit prints it

# ------------------------------------------------------------------------------------------ result templates
register({key: {"en": en, "zh": zh} for key, (en, zh) in {
    "clv.yes": ("yes", "是"),
    "clv.no": ("no", "否"),
    # toolkit.clv.course.CLVResult
    "clv.result.repr": ("CLVResult(total={total}: historical={historical}, current={current} over {horizon}, "
                        "potential={potential} [upsell={upsell}, referral={referral}, data={data}])",
                        "课程 CLV 合计 {total}：历史价值 {historical}，当前价值 {current}（{horizon}），"
                        "潜在价值 {potential}"
                        "（增购价值 {upsell}，推荐价值 {referral}，数据价值 {data}）"),
    "clv.result.years": ("horizon {years} years", "时间跨度 {years} 年"),
    "clv.result.forever": ("inf years", "无限时间跨度"),
    "clv.result.head": ("<b>Course CLV</b> = {total} ({horizon})", "<b>课程 CLV</b> = {total}（{horizon}）"),
    "clv.result.amount": ("value", "金额"),
    # toolkit.clv.economics.UnitEconomics (the scenario widget's wording)
    "clv.economics.repr": ("UnitEconomics(CLV:CAC = {ratio}:1 ({state}), payback {payback}; CLV {clv}, CAC {cac})",
                           "单位经济效益：CLV:CAC = {ratio}:1（{state}），回收期 {payback}；CLV {clv}，CAC {cac}"),
    "clv.economics.healthy": ("healthy", "健康"),
    "clv.economics.below": ("below the {ratio}:1 line", "低于 {ratio}:1 健康线"),
    "clv.economics.months": ("{months} months", "{months} 个月"),
    "clv.economics.no_payback": ("inf months", "无法收回（年毛利为 0）"),
    "clv.economics.unknown_payback": ("nan months", "未知（未给出年毛利）"),
    # toolkit.clv.promotions.PromotionResult
    "clv.promotion.repr": ("PromotionResult(a {cut} price cut pays for itself if retention rises by {points} points, "
                           "{retention} -> {breakeven})",
                           "促销盈亏平衡：降价 {cut}，保留率提高 {points} 个百分点即可收回成本"
                           "（{retention} → {breakeven}）"),
    "clv.promotion.never": ("PromotionResult(a {cut} price cut never pays for itself: even retention 1 is not enough)",
                            "促销盈亏平衡：降价 {cut} 永远无法收回成本：即使保留率达到 1 也不够"),
    "clv.promotion.retention": ("retention", "当前保留率"),
    # toolkit.clv.portfolio.PortfolioResult
    "clv.portfolio.repr": ("PortfolioResult({change} on {segment} ({n} customers): total {value} {base} -> {scenario}, "
                           "change {delta}{band})",
                           "客户群情景：{segment}（{n} 位客户）{change}：{value}合计 {base} → {scenario}，"
                           "变化 {delta}{band}"),
    "clv.portfolio.retention_delta": ("retention_delta={value}", "保留率 {value} 个百分点"),
    "clv.portfolio.price_change": ("price_change={value}", "价格 {value}"),
    "clv.portfolio.cost_change": ("cost_change={value}", "每年维系成本 {value}"),
    "clv.portfolio.no_change": ("no change", "不作改变"),
    "clv.portfolio.band": (" (90% band {low} .. {high})", "（90% 区间 {low} .. {high}）"),
    "clv.portfolio.value.current": ("current", "当前价值"),
    "clv.portfolio.value.clv": ("clv", "CLV（历史 + 当前价值）"),
    # toolkit.clv.sensitivity.SensitivityResult
    "clv.sensitivity.repr": ("SensitivityResult({value}={base}, ±{pct}; largest swings: {top})",
                             "敏感性分析：{value} {base}，各因素 ±{pct}；波动最大的因素：{top}"),
    "clv.sensitivity.head": ("<b>Sensitivity of {value}</b> ({base}), each factor ±{pct}",
                             "<b>敏感性分析：{value}</b>（{base}），各因素 ±{pct}"),
    "clv.sensitivity.value.total": ("total CLV", "总 CLV"),
    "clv.sensitivity.value.current": ("current CLV", "当前价值"),
    "clv.sensitivity.value.potential": ("potential CLV", "潜在价值"),
    # toolkit.clv.evaluation.EvaluationReport
    "clv.evaluation.repr": ("EvaluationReport: {verdict}", "模型评估：{verdict}"),
    "clv.check.ok": ("ok", "通过"),
    "clv.check.failed": ("!!", "未通过"),
    # toolkit.clv.diagnostics: period transactions, likelihood-ratio test
    "clv.period.repr": ("<PeriodTransactions {model}: chi-square {chi2} on {df} df, p = {p}>",
                        "<拟合检验（各重复购买次数的客户数），{model}：卡方 {chi2}，自由度 {df}，p = {p}>"),
    "clv.period.title": ("Period transactions, {model}", "拟合检验（各重复购买次数的客户数），{model}"),
    "clv.period.actual": ("actual", "实际客户数"),
    "clv.period.expected": ("expected", "预期客户数"),
    "clv.test.no_p": ("nan", "无"),
    "clv.lr.repr": ("<LikelihoodRatioTest LR = {statistic} on {df} df, p = {p}>",
                    "<似然比检验 LR = {statistic}，自由度 {df}，p = {p}>"),
    "clv.lr.note": ("Note: {note}", "注：{note}"),
    # toolkit.clv.models: repr and summary
    "clv.model.not_fitted": ("{cls} ({model}), not fitted", "{cls}（{model}），尚未拟合"),
    "clv.model.fitted": ("{cls} ({model}) fitted on {n} customers ({patterns} patterns): {params}; log-likelihood {ll}",
                         "{cls}（{model}），基于 {n} 位客户（{patterns} 种模式）拟合：{params}；对数似然 {ll}"),
    "clv.model.given": ("{cls} ({model}) from given parameters: {params}", "{cls}（{model}），参数为给定值：{params}"),
    "clv.model.coefficients": (", and {n} covariate coefficients", "，另有 {n} 个协变量系数"),
    "clv.model.footer": ("AIC {aic} · BIC {bic} · converged: {converged}",
                         "AIC {aic} · BIC {bic} · 已收敛：{converged}"),
    "clv.process.purchase": ("purchase", "购买率"),
    "clv.process.dropout": ("dropout", "流失率"),
    "clv.process.spend": ("spend", "消费额"),
    # toolkit.customer_value.DeliveredValue (the glossary's terms)
    "value.delivered.repr": ("DeliveredValue(total value {value} - total cost {cost} = {delivered}; "
                             "value/cost {ratio})",
                             "客户让渡价值：顾客总价值 {value} - 顾客总成本 {cost} = {delivered}；价值成本比 {ratio}"),
}.items()})


# ------------------------------------------------------------------------------------------ column and value labels
def _add(prefix, entries, english):
    """``col.*`` / ``val.*`` labels: Chinese added, the English kept as the formatter wrote it before (so English
    tables do not change); an entry another module already gave Chinese is left alone."""
    for name, zh in entries.items():
        entry = _CATALOGUE.get(f"{prefix}.{name}")
        if entry and entry.get("zh"):
            continue
        en = entry["en"] if entry and entry.get("en") else english(name)  # not in the catalogue: made from the name
        register({f"{prefix}.{name}": {"en": en, "zh": zh}})


#: Chinese headers of the columns of the CLV results (``col.<name>``).
COLUMNS = {
    # course CLV: the components (CLVResult.summary, customer_values) and the year-by-year table
    "upsell": "增购价值", "referral": "推荐价值", "data": "数据价值", "total": "合计", "expected_margin": "期望毛利",
    "component": "组成部分",
    # customer_values, estimate_retention, spend_gap, channel_economics, clv_segments
    "annual_revenue": "年收入", "annual_margin": "年毛利", "horizon": "时间跨度（年）",
    "clv_new": "新客户价值（当前 + 潜在）",
    "retained": "仍在购买的客户数", "upsell_uplift": "增购空间", "n_customers": "客户数", "cac": "获客成本",
    "clv_cac": "CLV:CAC", "payback_months": "回收期（月）", "healthy": "健康（≥ 3:1）", "clv_segment": "CLV 细分",
    "strategy": "策略",
    # sensitivity (tornado, elasticities) and its factors as row labels
    "factor": "影响因素", "base": "基准值", "low": "下调后", "high": "上调后", "value_low": "下调后的价值",
    "value_high": "上调后的价值", "swing": "波动幅度", "elasticity": "弹性", "reading": "解读",
    "revenue_growth": "每年收入变化", "retention_cost": "每年维系成本", "referrals_per_year": "每年推荐人数",
    "data_value": "每年数据价值",
    # promotions
    "price_cut": "降价幅度", "base_value": "当前价值（不促销）", "breakeven_uplift": "盈亏平衡所需的保留率提升",
    "breakeven_retention": "盈亏平衡保留率", "feasible": "可行", "uplift": "保留率提升",
    "profit_change": "每位客户的价值变化",
    "total_change": "价值变化合计",
    # portfolio scenarios
    "scenario": "情景", "delta": "变化", "base_total": "基准合计", "scenario_total": "情景合计", "quantile": "分位数",
    "n_affected": "受影响客户数", "delta_pct": "变化比例", "delta_q05": "变化（5% 分位数）",
    "delta_q95": "变化（95% 分位数）",
    # holdout evaluation (calibration_holdout_split, evaluate_model, tracking, period_transactions)
    "frequency_holdout": "验证期重复购买次数", "monetary_value_holdout": "验证期平均每次购买金额",
    "duration_holdout": "验证期时长", "calibration frequency": "校准期重复购买次数", "predicted": "预测值",
    "predictor": "预测方法", "relative_error": "相对误差", "actual_mean_spend": "实际平均每次购买金额",
    "predicted_mean_spend": "预测平均每次购买金额", "expected": "预期值", "actual_cumulative": "累计实际值",
    "expected_cumulative": "累计预期值", "holdout": "验证期", "period_end": "期末", "repeats": "重复购买次数",
    "difference": "差值", "contribution": "卡方贡献", "naive_purchases": "朴素预测购买次数",
    "naive_clv": "朴素预测 CLV",
    # model summaries, diagnostics, likelihood-ratio test, intervals
    "lower 95%": "95% 下限", "upper 95%": "95% 上限", "log_se": "对数标准误", "interval_factor": "区间倍数",
    "at_bound": "位于边界", "statistic": "统计量", "df": "自由度", "p_value": "p 值", "log_likelihood": "对数似然",
    "lower": "下限", "upper": "上限", "estimate": "估计值",
    **{f"{side}_{level}": f"{level}% {zh}" for level in (50, 80, 90, 95, 99)
       for side, zh in (("lower", "下限"), ("upper", "上限"))},
    # the value parts of customer delivered value (DeliveredValue.summary)
    "side": "价值 / 成本", "part": "组成部分",
}
#: Chinese labels of the category values of the CLV results, by the column (or index) they sit in
#: (``val.<column>.<value>``: ``potential`` in the CLV components is not the value tier ``potential``).
VALUES = {
    # CLV segments (clv_segments): the lesson's quadrant names
    "clv_segment": {"high-value": "高价值", "growth": "成长型", "watch": "观察型", "low-value": "低价值"},
    # the components of the course CLV (CLVResult.summary's index, and the columns of a table built from it)
    "component": {"historical": "历史价值", "current": "当前价值", "upsell": "增购价值", "referral": "推荐价值",
                  "data": "数据价值", "potential": "潜在价值", "total": "合计"},
    # the sensitivity factors (SensitivityResult's index: toolkit.clv.sensitivity.FACTORS)
    "factor": {"horizon": "时间跨度（年）", "discount_rate": "折现率", "retention": "留存率",
               "revenue_growth": "每年收入变化", "retention_cost": "每年维系（保留）成本",
               "annual_revenue": "购买价值（年收入）", "referrals_per_year": "推荐价值（每年推荐人数）",
               "data_value": "每年数据价值", "margin": "毛利率"},
    # evaluate_model: the predictors compared and the names of the checks (``report.checks["check"]``)
    "predictor": {"model": "模型", "baseline": "朴素预测"},
    "check": {"converged": "已收敛", "bounds": "参数边界", "identified": "参数可识别",
              "holdout total": "验证期购买总数", "beats baseline": "优于朴素预测", "spend independence": "消费与频率独立",
              "spend forecast": "消费额预测", "spend model": "消费模型"},
    # a model parameter given with from_params (``model.diagnostics["status"]``), not the consultant's "given"
    "status": {"given": "给定值"},
    # the Monte Carlo band of a portfolio scenario
    "quantile": {"q05": "5% 分位数", "q50": "中位数", "q95": "95% 分位数"},
    # DeliveredValue.summary: the side (value / cost) and the part (the glossary's terms)
    "side": {"value": "顾客总价值", "cost": "顾客总成本"},
    "part": {"product": "产品价值", "service": "服务价值", "personnel": "人员价值", "image": "形象价值",
             "money": "货币成本", "time": "时间成本", "energy": "精力成本", "psychological": "心理成本"},
}
_add("col", COLUMNS, label)
for _context, _values in VALUES.items():  # val.<column>.<value>: the label of a value in that column or index
    _add(f"val.{_context}", _values, value_label)
# the CLV segment names also without their column (the segment plot's legend, menus): no other value is spelt so
_add("val", VALUES["clv_segment"], value_label)

# ------------------------------------------------------------------------------------------ exact sentences
register_text({en: {"zh": zh} for en, zh in {
    # sensitivity factors (toolkit.clv.sensitivity.FACTORS, as the tornado plot names them)
    "time horizon (years)": "时间跨度（年）", "discount rate": "折现率", "retention rate": "留存率",
    "revenue change per year": "每年收入变化", "maintenance (retention) cost per year": "每年维系（保留）成本",
    "purchase value (annual revenue)": "购买价值（年收入）",
    "referral value (referrals per year)": "推荐价值（每年推荐人数）",
    "data value per year": "每年数据价值",
    "base is 0: no elasticity (see the tornado)": "基准值为 0：没有弹性（见龙卷风图）",
    # CLV segment strategies (toolkit.clv.portfolio.SEGMENT_STRATEGIES)
    "high current, high potential: retain and develop (VIP service, loyalty, account management)":
        "当前价值高、潜在价值高：保持并发展（VIP 服务、忠诚计划、客户经理）",
    "low current, high potential: develop (up-sell, cross-sell, referral programmes)":
        "当前价值低、潜在价值高：发展（增购、交叉销售、推荐计划）",
    "high current, low potential: maintain efficiently and watch for churn signals":
        "当前价值高、潜在价值低：高效维护，留意流失信号",
    "low current, low potential: serve at low cost (self-service), or let go":
        "当前价值低、潜在价值低：低成本服务（自助服务），或放手",
    # evaluate_model's checks and verdicts (the report's wording)
    "No parameter is at a bound.": "没有参数落在边界上。",
    "Trustworthy on this holdout: the fit is sound and predictions track reality.":
        "在该验证期上可信：拟合可靠，预测与实际相符。",
    "Usable with care: the fit is sound and beats the naive forecast, but some checks failed (see below).":
        "谨慎使用：拟合可靠且优于朴素预测，但部分检查未通过（见下文）。",
    # model diagnostics: status of each parameter
    "well determined": "确定良好",
    "not identified: at the edge of the allowed range": "不可识别：落在允许范围的边界",
    "not identified: flat likelihood along it (no standard error)": "不可识别：似然沿该参数是平的（无标准误）",
    "no standard error: the Hessian is not positive definite": "无标准误：Hessian 矩阵不是正定的",
    "not identified: its 95% interval spans more than a factor of 2,500": "不可识别：其 95% 区间跨度超过 2,500 倍",
    # fit notes
    "Parameters were given, not estimated.": "参数为给定值，未经估计。",
}.items()})

# ------------------------------------------------------------------------------------------ sentence patterns
_CLV_OF = {"total": "总 CLV", "current": "当前价值", "potential": "潜在价值"}


def _signed_change(value, what):
    """``what`` (the total CLV...) changes by ``value`` percent: ``+1.36`` -> 总 CLV 增加 1.36%, ``-0.12`` -> …减少
    0.12%."""
    v = value.strip()
    change = f"减少 {v.lstrip('-−')}%" if v.startswith(("-", "−")) else f"增加 {v.lstrip('+')}%"
    return what + (" " if what[-1:].isascii() else "") + change


_WHY = {"they run to the edge of the allowed range": "它们落到了允许范围的边界",
        "the likelihood is flat along them, so they have no standard error": "似然沿这些参数是平的，因此没有标准误",
        "their 95% interval is unbounded": "其 95% 区间无界"}
_FACTOR = re.compile(r"their 95% interval spans a factor of (?P<f>.+)")
_PROBLEM = r"the data do not pin down the (?P<m>\w+) parameter\(s\) (?P<p>.+?) \((?P<why>[^()]*)\)"


def _why(text):
    """The reason a model's parameters are not pinned down (``BaseModel.identification_problem``)."""
    if text in _WHY:
        return _WHY[text]
    found = _FACTOR.fullmatch(text)
    return f"其 95% 区间跨度达 {found['f']} 倍" if found else text


def _problem(match):
    return f"数据无法确定 {match['m']} 的参数 {match['p']}（{_why(match['why'])}）"


def _problems(text):
    """The problems of a "Do not use" verdict, joined by "; and "."""
    out = []
    for part in text.split("; and "):
        part = part.strip()
        found = re.fullmatch(_PROBLEM, part)
        if found:
            out.append(_problem(found))
            continue
        found = re.fullmatch(r"the (?P<m>\w+) fit did not converge", part)
        if found:
            out.append(f"{found['m']} 拟合未收敛")
            continue
        found = re.fullmatch(rf"it does not predict the holdout better than the naive forecast \(each customer repeats "
                             rf"her calibration-period rate\): mean absolute error per customer (?P<a>{_N}) vs "
                             rf"(?P<b>{_N})", part)
        if found:
            out.append(f"它对验证期的预测并不优于朴素预测（每位客户重复其校准期购买率）：每位客户的平均绝对误差 "
                       f"{found['a']}，朴素预测为 {found['b']}")
            continue
        out.append(localize(part))
    return "；并且".join(out)


def _model_name(text):
    """``full Pareto/NBD`` / ``restricted Pareto/NBD`` (two fits of one model in the likelihood-ratio test)."""
    for en, zh in (("full ", "（完整模型）"), ("restricted ", "（受限模型）")):
        if text.startswith(en):
            return text[len(en):] + zh
    return text


def _tidy(text):
    """No space after a full-width bracket: ``Pareto/NBD（完整模型）多出的参数``."""
    return text.replace("） ", "）")


def _stat(text):
    """``chi-square 4.8 on 3 df, p = 0.19`` / ``LR = 232.62 on 8 df, p < 0.001``."""
    found = re.fullmatch(rf"(?P<what>chi-square|LR =) (?P<x>{_N}) on (?P<df>\d+) df, (?P<p>p [=<] \S+)", text)
    if not found:
        return text
    what = "卡方" if found["what"] == "chi-square" else "LR ="
    return f"{what} {found['x']}，自由度 {found['df']}，{found['p']}"


def _gap(match):
    return f"差距最大处为 {match['w']} 次重复购买（实际 {match['a']} 位客户，预期 {match['e']} 位）"


_GAP = rf"the largest gap is at (?P<w>[\w+]+) repeat purchases? \((?P<a>{_N}) customers, (?P<e>{_N}) expected\)"
_SIZE = " With this many customers even small differences are significant; judge whether the gap matters."
_SIZE_ZH = "客户如此之多，即使很小的差异也会显著；请判断这一差距是否重要。"

register_patterns("zh", [
    # sensitivity readings (SensitivityResult.elasticities["reading"])
    (rf"one more year adds (?P<e>{_N})% to (?P<v>total|current|potential) CLV",
     lambda m: f"时间跨度多一年，{_signed_change(m['e'], _CLV_OF[m['v']])}"),
    (rf"1% more (?P<f>.+) changes (?P<v>total|current|potential) CLV by (?P<e>{_N})%",
     lambda m: f"{localize(m['f'])}提高 1%，{_signed_change(m['e'], _CLV_OF[m['v']])}"),
    # evaluate_model's checks
    (r"(?P<m>\w+) fit converged\.", r"\g<m> 拟合已收敛。"),
    (r"(?P<m>\w+) fit did not converge\.", r"\g<m> 拟合未收敛。"),
    (r"Parameter\(s\) (?P<p>\[[^\]]*\]) are at a bound of the search range: the data cannot pin them down\.",
     r"参数 \g<p> 落在搜索范围的边界上：数据无法确定它们。"),
    (rf"All parameters are well determined \(finite standard errors; 95% intervals narrower than a factor of "
     rf"(?P<f>{_N})\)\.", r"所有参数均确定良好（标准误有限；95% 区间窄于 \g<f> 倍）。"),
    (r"Not identified: (?P<p>.+)\.", lambda m: "不可识别：" + (_problems(m["p"]) if m["p"].startswith("the ")
                                                               else "见 model.diagnostics") + "。"),
    (rf"Holdout purchases: predicted (?P<p>{_N}) vs actual (?P<a>{_N}) \((?P<e>[^)]+)\)\.(?P<rest>.*)",
     lambda m: f"验证期购买次数：预测 {m['p']}，实际 {m['a']}（{m['e']}）。"
               + ("误差超过 10%：请检查季节性、业务变化或校准期是否过短。" if "above" in m["rest"] else "")),
    (rf"Per customer, mean absolute error (?P<a>{_N}) vs (?P<b>{_N}) for the naive forecast \(each customer repeats "
     r"her calibration-period purchase rate\): the model is (?P<v>better|NOT better than the naive forecast)\.",
     lambda m: f"按客户计，平均绝对误差为 {m['a']}，朴素预测（每位客户重复其校准期购买率）为 {m['b']}："
               + ("模型更好。" if m["v"] == "better" else "模型并不优于朴素预测。")),
    (rf"Correlation of frequency and spend among repeat buyers is (?P<c>{_N}|nan): the Gamma-Gamma independence "
     r"assumption (?P<v>looks acceptable|is doubtful; spend forecasts may be biased)\.",
     lambda m: f"复购客户中购买频率与消费额的相关系数为 {m['c']}：Gamma-Gamma 独立性假设"
               + ("看来可以接受。" if m["v"] == "looks acceptable" else "值得怀疑，消费额预测可能有偏差。")),
    (rf"Spend per holdout purchase: predicted (?P<p>{_N}) vs actual (?P<a>{_N}) \((?P<e>[^)]+)\) over (?P<n>{_N}) "
     r"customers who bought again(?P<off>; the spend model is off by more than 10%)?\.",
     lambda m: f"验证期每次购买金额：预测 {m['p']}，实际 {m['a']}（{m['e']}），基于 {m['n']} 位再次购买的客户"
               + ("；消费模型偏差超过 10%。" if m["off"] else "。")),
    (r"(?P<m>\w+) fit converged and its parameters are well determined\.", r"\g<m> 拟合已收敛，参数确定良好。"),
    (r"(?P<m>\w+) fit has problems: (?P<p>.+)\.", lambda m: f"{m['m']} 拟合有问题：{_problems(m['p'])}。"),
    (r"Do not use: (?P<p>.+)\.", lambda m: f"请勿使用：{_problems(m['p'])}。"),
    # period transactions (the model explorer's wording)
    (r"The (?P<m>.+?) model reproduces how many customers made 0, 1, 2, \.\.\. repeat purchases in the calibration "
     r"period: the differences are within chance \((?P<s>[^)]+)\)\.",
     lambda m: f"{m['m']} 模型再现了校准期内重复购买 0、1、2……次的客户数：差异在随机波动范围内（{_stat(m['s'])}）。"),
    (rf"The (?P<m>.+?) model fits the repeat-purchase histogram only roughly \((?P<s>[^)]+)\); {_GAP}\.(?P<z>.*)",
     lambda m: f"{m['m']} 模型只能大致再现重复购买次数的分布（{_stat(m['s'])}）；{_gap(m)}。"
               + (_SIZE_ZH if m["z"] else "")),
    (rf"The (?P<m>.+?) model does not reproduce the repeat-purchase histogram \((?P<s>[^)]+)\); {_GAP}\.(?P<z>.*)",
     lambda m: f"{m['m']} 模型未能再现重复购买次数的分布（{_stat(m['s'])}）；{_gap(m)}。"
               + (_SIZE_ZH if m["z"] else "")),
    (r"Too few bins to test the (?P<m>.+?) fit \(after pooling bins that expect fewer than (?P<k>\S+) customers, "
     r"(?P<df>-?\d+) degrees of freedom remain\); compare the columns by eye\.",
     r"分组太少，无法检验 \g<m> 的拟合（合并预期不足 \g<k> 位客户的分组后自由度只剩 \g<df>）；"
     r"请直接比较实际与预期两列。"),
    # likelihood-ratio test: verdicts and notes
    (r"The extra parameters of (?P<f>.+?) improve the fit more than chance would \((?P<s>[^)]+)\): prefer (?P=f)\.",
     lambda m: _tidy(f"{_model_name(m['f'])} 多出的参数对拟合的改进超出了随机波动（{_stat(m['s'])}）：应选用"
               f" {_model_name(m['f'])}。")),
    (r"The extra parameters of (?P<f>.+?) do not improve the fit beyond chance \((?P<s>[^)]+)\): the simpler "
     r"(?P<r>.+?) is enough\.",
     lambda m: _tidy(f"{_model_name(m['f'])} 多出的参数对拟合的改进没有超出随机波动（{_stat(m['s'])}）：更简单的"
               f" {_model_name(m['r'])} 就够了。")),
    (rf"No nested test is possible; (?P<b>.+?) has the higher log-likelihood \(difference (?P<d>{_N})\), and with "
     r"equal parameter counts also the lower AIC/BIC\.",
     lambda m: _tidy(f"无法进行嵌套检验；{_model_name(m['b'])} 的对数似然更高（相差 {m['d']}），两者参数个数相同，"
               "因此其 AIC/BIC 也更低。")),
    (r"(?P<r>.+?) and (?P<f>.+?) have the same number of free parameters, so neither is a special case of the other "
     r"\(BG/NBD and MBG/NBD are not nested\): there is no chi-square test\. The log-likelihood difference is shown; "
     r"compare AIC/BIC \(lower is better\)\.",
     lambda m: _tidy(f"{_model_name(m['r'])} 与 {_model_name(m['f'])} 的自由参数个数相同，"
               "两者都不是对方的特例（BG/NBD 与 "
               "MBG/NBD 不嵌套）：无法进行卡方检验。这里给出对数似然之差；请比较 AIC/BIC（越低越好）。")),
    (r"(?P<r>.+?) is not a special case of (?P<f>.+?); the chi-square p-value assumes nesting\.",
     lambda m: _tidy(f"{_model_name(m['r'])} 不是 {_model_name(m['f'])} 的特例；卡方检验的 p 值以嵌套为前提。")),
    (rf"The full model's log-likelihood is lower than the restricted one's by (?P<d>{_N}): a nested full model can "
     r"always do at least as well, so its fit did not reach the maximum \(refit from the restricted estimates\)\. "
     r"The statistic is taken as 0\.",
     r"完整模型的对数似然比受限模型低 \g<d>：嵌套的完整模型至少应当同样好，说明其拟合没有达到最大值（请从受限模型的"
     r"估计值出发重新拟合）。统计量按 0 计。"),
    # a covariate coefficient of a model (``params_`` / ``summary`` index): process, column and level
    (r"(?P<p>purchase|dropout|spend):(?P<c>[^:=]+)(?:=(?P<l>.+))?",
     lambda m: f"{tr('clv.process.' + m['p'])}：{tr('col.' + m['c'], m['c'])}"
               + (f"={tr('val.' + m['l'], m['l'])}" if m["l"] is not None else "")),
    # fit notes of the models (the warnings among them are translated with the error messages)
    (r"Start (?P<k>\d+) did not converge \((?P<msg>.*)\); retried from another start\.",
     r"第 \g<k> 个起点未收敛（\g<msg>）；已换一个起点重试。"),
    (r"Optimiser stopped with '(?P<msg>.*)' but the gradient is ~0 \((?P<g>[^)]+)\); accepted\.",
     r"优化器以“\g<msg>”停止，但梯度约为 0（\g<g>）；已接受该结果。"),
    (rf"(?P<n>{_N}) customers without repeat purchases were left out \(no spend information\)\.",
     r"\g<n> 位没有复购的客户未纳入（没有消费额信息）。"),
    (r"Covariate '(?P<c>[^']+)' one-hot encoded with reference level '(?P<l>[^']*)' \(coefficients compare each other "
     r"level with it\)\.",
     lambda m: f"协变量“{tr('col.' + m['c'], m['c'])}”已做独热编码，参照水平为“{tr('val.' + m['l'], m['l'])}”"
               "（各系数都是其他水平与它的比较）。"),
])
