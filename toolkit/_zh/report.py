"""Chinese text of the report for sentences that lower layers write in English.

The cleaning report (:mod:`toolkit.data`), the lifecycle reasons and actions (:mod:`toolkit.lifecycle`), the
model fit checks (:mod:`toolkit.clv`) and the KPI definitions keep their English text (code, tests and the English
report read it). The Chinese report translates them where it shows them (:func:`toolkit.i18n.localize`, called by
``Section.to_html``): whole texts by exact match, and sentences with numbers in them by patterns whose variable
parts are translated in turn. A text without an entry stays in English, which ``tests/test_report_zh.py`` catches.
"""

from __future__ import annotations

import re

from ..i18n import register, register_patterns, register_text

_N = r"[-+−]?[\d,]*\.?\d+(?:e[-+]?\d+)?"  # a number as the toolkit prints it

# ------------------------------------------------------------------------------------------ exact texts
_ZH = {
    # data and journey: in toolkit._zh.results_data (the results show them without a report too)
    # RFM
    "customers (RFM)": "客户数", "high-value tier": "高价值层级", "dormant tier": "沉睡层级",
    "revenue from the high-value tier": "高价值层级贡献的收入", "revenue from the top 20% of customers": "前 20% 客户贡献的收入",
    "Gini coefficient of revenue": "收入基尼系数", "benchmark mean annual spend": "基准年均消费额",
    "value tiers": "价值层级", "value tier rules": "价值层级规则", "RFM segments": "RFM 客户细分",
    "revenue concentration": "收入集中度", "high": "高价值", "potential": "潜力", "regular": "一般", "dormant": "沉睡",
    "Champions": "冠军客户", "Loyal": "忠诚客户", "Potential Loyalists": "潜在忠诚客户", "New": "新客户",
    "Promising": "有潜力客户", "Need Attention": "需要关注", "About to Sleep": "即将沉睡", "At Risk": "有流失风险",
    "Can't Lose Them": "不能失去的客户", "Hibernating": "休眠客户", "High-value": "重要价值客户",
    "High-value to develop": "重要发展客户", "High-value to retain": "重要保持客户",
    "High-value to win back": "重要挽留客户", "Regular to develop": "一般发展客户",
    "Regular to retain": "一般保持客户", "Regular to win back": "一般挽留客户", "Regular value": "一般价值客户",
    "top 20%": "前 20%", "top 10%": "前 10%", "top 1%": "前 1%", "top 5%": "前 5%", "top 50%": "前 50%",
    # cohorts
    "cohorts": "同期群数", "median customer lifetime (months)": "客户生命周期中位数（月）",
    "average retention curve (cohort-size weighted)": "平均留存曲线（按同期群规模加权）",
    "Months since first purchase": "首次购买后的月数", "months since first purchase": "首次购买后的月数",
    "weeks since first purchase": "首次购买后的周数", "quarters since first purchase": "首次购买后的季度数",
    "rates per month (last 12)": "各月比率（最近 12 个月）", "rates per week (last 12)": "各周比率（最近 12 周）",
    "rates per quarter (last 12)": "各季度比率（最近 12 个季度）", "survival": "生存分析",
    "all": "全部",
    # lifecycle
    "in stability": "处于稳定期", "in deterioration": "处于退化期", "lost": "流失", "exploration": "考察期",
    "formation": "形成期", "stability": "稳定期", "deterioration": "退化期",
    "early abortion": "早期流产型", "mid-term abortion": "中期夭折型", "early exit": "提前退出型",
    "long-term retention": "长久保持型", "too early to tell": "尚无法判断",
    "early_abortion": "早期流产型", "midterm_abortion": "中期夭折型", "mid_term_abortion": "中期夭折型",
    "early_exit": "提前退出型", "long_term_retention": "长久保持型", "too_early": "尚无法判断",
    "long-term retention pattern": "长久保持型客户", "pattern too early to tell": "模式尚无法判断",
    "early-warning customers (top 20 listed)": "预警客户（列出前 20 位）",
    "spend at risk (early-warning customers)": "风险消费额（预警客户）",
    "pattern mix by acquisition quarter": "各获客季度的生命周期模式构成", "stages and patterns": "阶段与模式",
    "learned thresholds (days)": "从数据学得的阈值（天）", "early warning": "预警名单",
    "end of the flat exploration phase of the fitted curve": "拟合曲线中平坦考察阶段的结束点",
    "3 stable-phase purchase cycles": "3 个稳定期购买周期",
    "-ln(1 - 0.95): the same quantile of an exponential gap": "-ln(1 - 0.95)：指数分布间隔的同一分位数",
    "not yet a customer at this date": "此日期时尚未成为客户",
    "Lower first-purchase barriers: trial sizes, first-order coupons, clear onboarding and a fast, reliable first "
    "delivery.": "降低首购门槛：试用装、首单优惠券、清晰的新客引导，以及快速可靠的首次配送。",
    "Cross-sell and build the habit: recommend complementary categories, invite to the membership, a second-order "
    "incentive timed to her purchase cycle.": "交叉销售并培养习惯：推荐互补品类、邀请加入会员、按其购买周期安排二次购买激励。",
    "Loyalty programme: points and tiers, VIP service, early access, referral rewards; avoid blanket discounts to "
    "customers who buy anyway.": "忠诚计划：积分与等级、VIP 服务、优先购买、推荐奖励；避免对本来就会购买的客户普遍打折。",
    "Act on the early warning: find the cause (complaint, moved, need ended), service recovery, a personal "
    "reactivation offer sized to her value at risk.": "响应预警：找出原因（投诉、搬迁、需求结束），进行服务补救，并按其风险价值给予个性化的激活优惠。",
    "Win-back campaign for valuable lost customers (what changed, a reason to return); let low-value ones go.":
        "对有价值的流失客户开展赢回活动（了解发生了什么变化，给出回来的理由）；低价值客户可以放手。",
    "Fix the first experience and lower first-purchase barriers; check acquisition channels that bring one-off "
    "bargain hunters (e.g. the one-yuan promotion).": "改善首次体验、降低首购门槛；检查带来一次性逐利客户的获客渠道（如一元促销）。",
    "Strengthen formation: onboarding journeys, cross-sell, resolve service issues before the relationship settles.":
        "加强形成期：新客引导旅程、交叉销售，在关系稳定之前解决服务问题。",
    "Protect stable customers: loyalty programme, monitor the early-warning list, service recovery and win-back when "
    "activity drops.": "保护稳定客户：忠诚计划、跟踪预警名单，活跃度下降时进行服务补救与赢回。",
    "Reward and grow: VIP care, loyalty tiers, referral programme, cross-sell into the next life stage.":
        "奖励并发展：VIP 关怀、会员等级、推荐计划，向下一人生阶段交叉销售。",
    # CLV
    "annual retention (customers with a year of history)": "年保留率（有一年以上历史的客户）",
    "mean course CLV per customer": "每位客户的平均课程 CLV", "total course CLV": "课程 CLV 合计",
    "course CLV components (per customer)": "课程 CLV 构成（每位客户）", "mean course CLV by value tier": "各价值层级的平均课程 CLV",
    "historical": "历史价值", "current": "当前价值", "clv": "CLV", "mean": "均值", "median": "中位数", "sum": "合计",
    "fit health": "拟合健康度", "BetaGeo fit converged.": "BetaGeo 拟合已收敛。", "No parameter is at a bound.": "没有参数落在边界上。",
    "GammaGamma fit converged and its parameters are well determined.": "GammaGamma 拟合已收敛，参数确定良好。",
    "model CLV beside the naive forecast and the course CLV": "模型 CLV 与朴素预测及课程 CLV 的对比",
    "course CLV (historical + current + potential)": "课程 CLV（历史 + 当前 + 潜在）",
    "model parameters (whole history)": "模型参数（全部历史）", "customers ranked by model CLV": "按模型 CLV 排序的客户",
    "Usable with care: the fit is sound and beats the naive forecast, but some checks failed (see below).":
        "谨慎使用：拟合可靠且优于朴素预测，但部分检查未通过（见下文）。",
    "no standard error: the Hessian is not positive definite": "无标准误：Hessian 矩阵不是正定的",
    "not identified: flat likelihood along it (no standard error)": "不可识别：似然沿该参数是平的（无标准误）",
    "not identified: its 95% interval spans more than a factor of 2,500": "不可识别：其 95% 区间跨度超过 2,500 倍",
    "Course CLV skipped: no customer has a full year of history, so the annual retention rate cannot be estimated.":
        "已跳过课程 CLV：没有客户拥有完整一年的历史，因此无法估计年保留率。",
    # KPIs
    "no data in the window": "窗口内没有数据", "no NPS answers in the window": "窗口内没有 NPS 回答",
    "repurchase rate +10% on last year": "复购率比去年提高 10%", "NPS +5 points on last year": "NPS 比去年提高 5 分",
    "Net Promoter Score of the window's survey answers: % 9-10 − % 0-6 (points)":
        "窗口内调查回答的净推荐值：9-10 分占比 − 0-6 分占比（分）",
    "share of the window's buyers who bought on 2 or more distinct days in the window":
        "窗口内在 2 个或更多不同日期购买的客户占窗口内购买客户的比例",
    "mean of historical + current + potential value over customers acquired by the end, "
    "at the estimated annual retention, report margin and discount rate":
        "截至期末已获取客户的历史 + 当前 + 潜在价值均值，按估计的年保留率、报告的毛利率与折现率计算",
    "mean CLV ≥ 1.2 × industry mean": "平均 CLV ≥ 1.2 × 行业均值", "1.2 x baseline not set": "未设定 1.2 倍基准",
    "No event log given (events=..., --events): section skipped.": "未提供事件日志（events=...，--events）：已跳过本节。",
    "No event log given (events=...): section skipped.": "未提供事件日志（events=...）：已跳过本节。",
    "retention rate": "留存率", "active customers": "活跃客户数", "revenue per active customer": "每位活跃客户收入",
    "mean BG/NBD + Gamma-Gamma CLV": "BG/NBD + Gamma-Gamma CLV 均值", "customers who bought in the window": "窗口内购买的客户",
    "revenue in the window": "窗口内收入", "revenue in the window / active customers": "窗口内收入 / 活跃客户数",
    "share of the previous window's buyers who bought again in the window": "上一窗口的购买客户在本窗口再次购买的比例",
    "mean discounted CLV over the report horizon from BG/NBD and Gamma-Gamma fitted on the history up to the end":
        "用截至期末的历史拟合 BG/NBD 与 Gamma-Gamma，在报告期限内的折现 CLV 均值",
    "baseline not set": "未设定基准", "previous period": "上一期", "CLV ≥ 1.2 × industry mean": "CLV ≥ 1.2 × 行业均值",
    "met": "达成", "missed": "未达成", "no verdict": "无法判定",
}
register_text({en: {"zh": zh} for en, zh in _ZH.items()})

# ------------------------------------------------------------------------------------------ patterns
register_patterns("zh", [
    # RFM
    (r"still buying in (?P<u>month|week|quarter|day) (?P<k>\d+)",
     lambda m: f"第 {m['k']} { {'month': '个月', 'week': '周', 'quarter': '个季度', 'day': '天'}[m['u']]}仍在购买"),
    (r"repurchase rate in (?P<p>.+)", r"\g<p> 复购率"),
    (r"churn rate in (?P<p>.+)", r"\g<p> 流失率"),
    (rf"churn = no purchase for (?P<d>{_N}) days; lifetime to the lapse day", r"流失 = \g<d> 天内没有购买；生命周期计到失效日"),
    (r"The heatmap shows the last (?P<a>\d+) of (?P<b>\d+) cohorts\.", r"热力图显示 \g<b> 个同期群中的最近 \g<a> 个。"),
    # lifecycle thresholds and reasons
    (rf"end of the formation ramp fitted to the repeat-purchase rate by age of (?P<n>{_N}) customers still buying "
     rf"after (?P<d>{_N}) days(?P<rest>.*)",
     lambda m: f"按客户年龄拟合的复购率曲线中形成期上升段的结束点（{m['n']} 位客户在 {m['d']} 天后仍在购买）"
               + ("；受观察窗口限制，为下限" if m["rest"] else "")),
    (rf"exploration-phase purchase cycle 1 / \((?P<a>{_N}) x (?P<b>{_N}) purchase days per day\): two purchases this "
     r"close are one trial", r"考察期购买周期 1 /（\g<a> × 每天 \g<b> 个购买日）：间隔如此之近的两次购买视为一次试用"),
    (r"exploration-phase purchase cycle (?P<f>.+?): two purchases this close are one trial",
     r"考察期购买周期 \g<f>：间隔如此之近的两次购买视为一次试用"),
    (rf"t_stability \+ (?P<k>\d+) stable-phase cycles of (?P<d>{_N}) days", r"进入稳定期的时间 + \g<k> 个 \g<d> 天的稳定期购买周期"),
    (rf"(?P<q>{_N})% quantile of (?P<n>{_N}) first repeat gaps(?: of customers with (?P<h>{_N})\+ days of history)?",
     lambda m: f"{m['n']} 个首次复购间隔" + (f"（来自至少有 {m['h']} 天历史的客户）" if m["h"] else "")
               + f"的 {m['q']}% 分位数"),
    (rf"Kaplan-Meier mean stable duration of (?P<n>{_N}) customers who reached stability, restricted to (?P<d>{_N}) "
     rf"days \((?P<p>{_N})% still at risk\)", r"\g<n> 位进入稳定期客户的 Kaplan-Meier 平均稳定时长，限制在 \g<d> 天内（\g<p>% 仍在风险中）"),
    (rf"assumed: the longest stable time the observed (?P<w>{_N})-day window can show \((?P<f>.+?)\), because only "
     rf"(?P<n>{_N}) customers reached stability \((?P<k>{_N}) needed\)",
     r"假设值：\g<w> 天观察窗口能显示的最长稳定时间（\g<f>），因为只有 \g<n> 位客户进入稳定期（需要 \g<k> 位）"),
    (rf"lost: (?P<s>{_N}) days since the last purchase > lost_gap (?P<g>{_N}) days \(almost all repeat purchases come "
     r"sooner\)", r"流失：距上次购买 \g<s> 天 > 流失间隔 \g<g> 天（几乎所有复购都来得更早）"),
    (rf"(?P<stage>lost|deterioration): (?P<s>{_N}) days since the last purchase > (?P<k>{_N}) x her typical gap of "
     rf"(?P<g>{_N}) days = (?P<t>{_N}) days", r"\g<stage>：距上次购买 \g<s> 天 > \g<k> × 其典型间隔 \g<g> 天 = \g<t> 天"),
    (rf"lost: P\(alive\) (?P<p>{_N}) < (?P<t>{_N})", r"流失：P(alive) \g<p> < \g<t>"),
    (rf"deterioration: (?P<n>{_N}) purchase days in the last (?P<w>{_N}) days where her own baseline rate predicts "
     rf"(?P<e>{_N}) \(Poisson p = (?P<p>{_N}) < (?P<a>{_N})\)",
     r"退化期：最近 \g<w> 天内有 \g<n> 个购买日，而按其自身基准购买率应有 \g<e> 个（泊松 p = \g<p> < \g<a>）"),
    (rf"exploration: first purchase (?P<t>{_N}) days ago < (?P<d>{_N}) days \(one exploration-phase purchase cycle\)",
     r"考察期：首次购买在 \g<t> 天前 < \g<d> 天（一个考察期购买周期）"),
    (rf"exploration: a single purchase day so far \((?P<t>{_N}) days ago\), not yet lost \(lost after (?P<d>{_N}) days\)",
     r"考察期：目前只有一个购买日（\g<t> 天前），尚未流失（\g<d> 天后视为流失）"),
    (rf"formation: (?P<n>{_N}) purchase days in (?P<t>{_N}) days, tenure < (?P<d>{_N}) days \(typical time to reach "
     r"stability\)", r"形成期：\g<t> 天内有 \g<n> 个购买日，客户年龄 < \g<d> 天（进入稳定期的典型时间）"),
    (rf"stability: tenure (?P<t>{_N}) >= (?P<d>{_N}) days and buying at her rhythm \((?P<s>{_N}) days since the last "
     rf"purchase, typical gap (?P<g>{_N}) days\)", r"稳定期：客户年龄 \g<t> ≥ \g<d> 天，且按其节奏购买（距上次购买 \g<s> 天，典型间隔 \g<g> 天）"),
    # lifecycle pattern reasons (toolkit.lifecycle._pattern_reason)
    (r"not yet a customer", "尚未成为客户"),
    (r"early abortion: lost after a single purchase day", "早期流产型：只有一个购买日便流失"),
    (rf"early abortion: lost after two purchase days (?P<s>{_N}) days apart \(<= (?P<t>{_N}) days: one trial\)",
     r"早期流产型：两个相隔 \g<s> 天的购买日后流失（≤ \g<t> 天：视为一次试用）"),
    (rf"mid-term abortion: lost; her last purchase came (?P<s>{_N}) days after the first, before reaching stability "
     rf"\((?P<r>{_N}) days\)", r"中期夭折型：已流失；最后一次购买在首次购买后 \g<s> 天，尚未进入稳定期（\g<r> 天）"),
    (rf"early exit: lost after about (?P<s>{_N}) days of stability < expected loyal duration (?P<l>{_N}) days",
     r"提前退出型：稳定约 \g<s> 天后流失 < 预期忠诚期 \g<l> 天"),
    (rf"long-term retention: stable for about (?P<s>{_N}) days >= expected loyal duration (?P<l>{_N}) days before she "
     r"was lost", r"长久保持型：流失前稳定约 \g<s> 天 ≥ 预期忠诚期 \g<l> 天"),
    (rf"long-term retention: still active and stable for about (?P<s>{_N}) days >= (?P<l>{_N}) days",
     r"长久保持型：仍然活跃，已稳定约 \g<s> 天 ≥ \g<l> 天"),
    (rf"too early to tell: still active \((?P<s>{_N}) days since the last purchase, not yet lost\); she needs about "
     rf"(?P<n>{_N}) more days of purchases to count as long-term retention",
     r"尚无法判断：仍然活跃（距上次购买 \g<s> 天，尚未流失）；还需约 \g<n> 天的持续购买才算长久保持型"),
    # CLV
    (rf"fit health \(holdout of (?P<d>{_N}) days from (?P<t>[\d-]+)\)", r"拟合健康度（自 \g<t> 起 \g<d> 天的验证期）"),
    (rf"All parameters are well determined \(finite standard errors; 95% intervals narrower than a factor of "
     rf"(?P<f>{_N})\)\.", r"所有参数均确定良好（标准误有限；95% 区间窄于 \g<f> 倍）。"),
    (rf"Holdout purchases: predicted (?P<p>{_N}) vs actual (?P<a>{_N}) \((?P<e>[^)]+)\)\.(?P<rest>.*)",
     lambda m: f"验证期购买次数：预测 {m['p']}，实际 {m['a']}（{m['e']}）。"
               + ("误差超过 10%：请检查季节性、业务变化或校准期是否过短。" if "above" in m["rest"] else "")),
    (rf"Per customer, mean absolute error (?P<a>{_N}) vs (?P<b>{_N}) for the naive forecast \(each customer repeats "
     r"her calibration-period purchase rate\): the model is (?P<v>better|worse)\.",
     lambda m: f"按客户计，平均绝对误差为 {m['a']}，朴素预测（每位客户重复其校准期购买率）为 {m['b']}："
               + ("模型更好。" if m["v"] == "better" else "模型更差。")),
    (rf"Correlation of frequency and spend among repeat buyers is (?P<c>{_N}): the Gamma-Gamma independence assumption "
     r"looks (?P<v>\w+)\.", lambda m: f"复购客户中购买频率与消费额的相关系数为 {m['c']}：Gamma-Gamma 独立性假设"
                                      + ("看来可以接受。" if m["v"] == "acceptable" else "看来不成立。")),
    (rf"Spend per holdout purchase: predicted (?P<p>{_N}) vs actual (?P<a>{_N}) \((?P<e>[^)]+)\) over (?P<n>{_N}) "
     r"customers who bought again\.", r"验证期每次购买金额：预测 \g<p>，实际 \g<a>（\g<e>），基于 \g<n> 位再次购买的客户。"),
    (rf"(?P<n>{_N}) customers who first bought on the last day have no probabilistic CLV\.",
     r"\g<n> 位在最后一天首次购买的客户没有概率 CLV。"),
    (rf"(?P<n>{_N}) customers without repeat purchases were left out \(no spend information\)\.",
     r"\g<n> 位没有复购的客户未纳入（没有消费额信息）。"),
    (rf"(?P<n>{_N}) customers whose first purchase is on the last calibration day are left out of the holdout check "
     r"\(the model needs some observation time\)\.", r"\g<n> 位在校准期最后一天首次购买的客户未纳入验证（模型需要一定的观察时间）。"),
    (r"mean (?P<h>\d+)-month model CLV(?P<f>.*)", lambda m: f"{m['h']} 个月模型 CLV 均值" + ("（不可靠，见警告）" if m["f"] else "")),
    (r"total (?P<h>\d+)-month model CLV(?P<f>.*)", lambda m: f"{m['h']} 个月模型 CLV 合计" + ("（不可靠，见警告）" if m["f"] else "")),
    (r"mean P\(alive\)(?P<f>.*)", lambda m: "平均 P(alive)" + ("（不可靠，见警告）" if m["f"] else "")),
    (r"mean (?P<h>\d+)-month naive-forecast CLV", r"\g<h> 个月朴素预测 CLV 均值"),
    (r"total (?P<h>\d+)-month naive-forecast CLV", r"\g<h> 个月朴素预测 CLV 合计"),
    (r"naive forecast: past rate and spend kept \((?P<h>\d+) months\)", r"朴素预测：保持过去的购买率与消费额（\g<h> 个月）"),
    (r"BG/NBD \+ Gamma-Gamma \((?P<h>\d+) months\)", r"BG/NBD + Gamma-Gamma（\g<h> 个月）"),
    (r"Mean per customer \((?P<c>\w+)\)", r"每位客户均值（\g<c>）"),
    (r"Purchases in the next (?P<h>\d+) months", r"未来 \g<h> 个月的购买次数"),
    (r"purchases in the next (?P<h>\d+) months", r"未来 \g<h> 个月的购买次数"),
    (r"top (?P<n>\d+) customers by model CLV", r"模型 CLV 最高的 \g<n> 位客户"),
    (rf"Estimated annual retention (?P<r>{_N}) clipped to (?P<c>{_N}) for the course CLV\.",
     r"估计的年保留率 \g<r> 在课程 CLV 中被截断为 \g<c>。"),
    (r"(?P<m>BetaGeo|GammaGamma) fit has problems: the data do not pin down the (?P=m) parameter\(s\) (?P<p>.+?) "
     r"\(their 95% interval spans a factor of (?P<f>[^)]+)\)\.",
     r"\g<m> 拟合有问题：数据无法确定 \g<m> 的参数 \g<p>（其 95% 区间跨度达 \g<f> 倍）。"),
    (r"(?P<lead>Not identified|Do not use): the data do not pin down the (?P<m>\w+) parameter\(s\) (?P<p>.+?) \(the "
     r"likelihood is flat along them, so they have no standard error\)\.",
     lambda m: ("不可识别" if m["lead"] == "Not identified" else "请勿使用")
               + f"：数据无法确定 {m['m']} 的参数 {m['p']}（似然沿这些参数是平的，因此没有标准误）。"),
    # KPIs: target rules (toolkit.report.kpis.Target.rule)
    (rf"at least (?P<v>{_N})", r"至少 \g<v>"),
    (rf"(?P<v>{_N}) x (?P<b>previous period|baseline not set|baseline {_N})", r"\g<v> × \g<b>"),
    (rf"(?P<b>previous period|baseline not set|baseline {_N}) (?P<v>[-+]{_N})%", r"\g<b> \g<v>%"),
    (rf"(?P<b>previous period|baseline not set|baseline {_N}) (?P<v>[-+]{_N}) points", r"\g<b> \g<v> 分"),
    (rf"baseline (?P<v>{_N})", r"基准 \g<v>"),
    (r"(?P<k>.+?): no verdict: (?P<r>.+?)\.?", r"\g<k>：无法判定：\g<r>"),
    (rf"not enough history for the window \(needs (?P<d>{_N}) days up to (?P<t>[\d-]+), has (?P<h>{_N})\)",
     r"窗口的历史不足（需要截至 \g<t> 的 \g<d> 天，实有 \g<h> 天）"),
])

# ------------------------------------------------------------------------------------------ column labels
# Column names of report tables that the label catalogue of toolkit.formatting does not have in Chinese.
register({f"col.{name}": {"en": name[:1].upper() + name[1:], "zh": zh} for name, zh in {
    "all": "全部", "answers": "回答数", "description": "描述", "first": "首次", "last": "最近", "line": "行",
    "lower 95%": "95% 下限", "upper 95%": "95% 上限", "mean per customer": "每位客户均值", "total": "合计",
    "months since first purchase": "首次购买后的月数", "weeks since first purchase": "首次购买后的周数",
    "quarters since first purchase": "首次购买后的季度数", "days since first purchase": "首次购买后的天数",
    **{f"purchases in the next {h} months": f"未来 {h} 个月的购买次数" for h in (6, 12, 18, 24, 36, 48, 60)},
}.items()})
register({"report.find.against": {"en": " against ", "zh": "，目标 "}})
register({"report.built_in": {"en": "Built in {seconds:.1f} s by Customer Value Toolkit.", "zh": "由 Customer Value Toolkit 生成，用时 {seconds:.1f} 秒。"}})

# ------------------------------------------------------------------------------------------ model warnings, caveats
# The CLV model warning is a list of problems joined by "; ": translated phrase by phrase.
_MODEL_PHRASES = [
    (r"the data do not pin down the (\w+) parameter\(s\) ([\w, ]+?) \(the likelihood is flat along them, so they "
     r"have no standard error\)", r"数据无法确定 \1 的参数 \2（似然沿这些参数是平的，因此没有标准误）"),
    (r"the data do not pin down the (\w+) parameter\(s\) ([\w, ]+?) \(they run to the edge of the allowed range\)",
     r"数据无法确定 \1 的参数 \2（它们落到了允许范围的边界）"),
    (r"the data do not pin down the (\w+) parameter\(s\) ([\w, ]+?) \(their 95% interval spans a factor of ([^)]+)\)",
     r"数据无法确定 \1 的参数 \2（其 95% 区间跨度达 \3 倍）"),
    (r"the data do not pin down the (\w+) parameter\(s\) ([\w, ]+?) \(their 95% interval is unbounded\)",
     r"数据无法确定 \1 的参数 \2（其 95% 区间无界）"),
    (r"on a (\d+)-day holdout, ", r"在 \1 天的验证期上，"),
    (r"on the whole history, ", "在全部历史上，"),
    (r"a and b set how fast customers stop buying, so ", "a 和 b 决定客户停止购买的速度，因此"),
    (r"P\(alive\) and the (\d+)-month CLV rest on values the data do not support",
     r"P(alive) 和 \1 个月 CLV 建立在数据不支持的数值之上"),
    (r" \(spend per purchase\)", "（每次购买金额）"),
    (r"its predictions could not be checked on a holdout \(the log is too short\)", "其预测无法在验证期上检验（日志太短）"),
    (r"the (\w+) fit did not converge", r"\1 拟合未收敛"),
    (r"it does not predict the holdout better than the naive forecast[^;.]*", "它对验证期的预测并不优于朴素预测"),
    (r"([\d,]+) customers have an infinite expected spend \(Gamma-Gamma q = ([^)]+?) <= 1: very heavy-tailed amounts; "
     r"check for outliers\), so their model CLV is undefined and means and totals leave them out",
     r"\1 位客户的预期消费额为无穷大（Gamma-Gamma q = \2 ≤ 1：金额分布尾部极重，请检查异常值），其模型 CLV 无定义，均值与合计不含这些客户"),
    (r"Quote the course CLV instead: mean (.+?), total (.+?)(?=\.(?:\s|$))", r"请改用课程 CLV：均值 \1，合计 \2"),
    (r"The course CLV is not available either \(no customer has a year of history\)", "课程 CLV 也无法计算（没有客户拥有一年的历史）"),
    (r"For comparison, the naive forecast \(each customer keeps her past purchase rate and spend\) gives mean (.+?), "
     r"total (.+?) over (\d+) months \(([\d,]+) purchases, against the model's ([\d,]+)\)",
     r"作为对比，朴素预测（每位客户保持过去的购买频率和消费额）在 \3 个月内给出均值 \1、合计 \2（\4 次购买，模型为 \5 次）"),
    (r"^Do not quote the BG/NBD \+ Gamma-Gamma numbers: ", "请勿引用 BG/NBD + Gamma-Gamma 的数字："),
    (r"^Model warning: ", "模型警告："),
    (r"; and ", "；并且"), (r"; ", "；"), (r"\.(?:\s+|$)", "。"),
]
_MODEL_PHRASES = [(re.compile(a), b) for a, b in _MODEL_PHRASES]


def _model_warning(match):
    text = match.group(0)
    for pattern, replacement in _MODEL_PHRASES:
        text = pattern.sub(replacement, text)
    return text


def _months_text(text):
    return text.replace(" months", " 个月").replace(" month", " 个月").replace(" weeks", " 周").replace(" days", " 天")


def _explorer_warning(match):
    """The model explorer's warning: its problems are the same phrases as the report's model warning."""
    problems = match["p"]
    for pattern, replacement in _MODEL_PHRASES:
        problems = pattern.sub(replacement, problems)
    instead = "下方的课程 CLV 或朴素预测" if "course" in match["i"] else "下方的朴素预测"
    return f"请勿引用该模型的 P(alive) 或 CLV：{problems.rstrip('。')}。请改用{instead}。"


register_patterns("zh", [
    (r"Do not quote this model's P\(alive\) or CLV: (?P<p>.+)\. Use (?P<i>.+?) instead\.", _explorer_warning),
    (r"(?:Do not quote the BG/NBD \+ Gamma-Gamma numbers|Model warning): .+", _model_warning),
    (rf"Holdout fit-health check skipped: the log spans (?P<s>{_N}) days, too short to hold out (?P<h>{_N}) days and "
     r"keep at least 4 weeks of calibration\.", r"已跳过验证期拟合检查：日志只覆盖 \g<s> 天，不足以留出 \g<h> 天的验证期并保留至少 4 周的校准期。"),
    (r"Not checked: the log is too short for a holdout, so the model's predictions are unverified\.",
     "未检查：日志太短，无法设置验证期，模型的预测未经检验。"),
    (r"(?P<m>\w+): the Hessian at the optimum is not positive definite, so standard errors are NaN\. Some parameter "
     r"combination is not identified by these data(?: \(along (?P<p>[^)]+)\))?; often a parameter runs off to 0 or "
     r"infinity\. Try more data or penalizer=0\.001\.",
     lambda m: f"{m['m']}：最优点处的 Hessian 矩阵不是正定的，因此标准误为 NaN。这些数据无法识别某些参数组合"
               + (f"（沿 {m['p']}）" if m["p"] else "") + "；常见情况是某个参数趋于 0 或无穷大。请尝试更多数据或 penalizer=0.001。"),
    (r"(?P<m>\w+): parameter\(s\) (?P<p>\[[^\]]*\]) are barely determined by the data \(95% intervals span more than a "
     r"factor of 2,500\); the likelihood is flat along them\. Predictions may still be fine, but do not interpret these "
     r"values\. Try: more customers or a longer calibration period, penalizer=0\.001, or a simpler model\.",
     r"\g<m>：参数 \g<p> 几乎无法由数据确定（95% 区间跨度超过 2,500 倍），似然沿这些参数是平的。预测可能仍然可用，"
     r"但不要解读这些参数值。可尝试：更多客户或更长的校准期、penalizer=0.001，或更简单的模型。"),
    # lifecycle caveats (toolkit.lifecycle), the numbers kept
    (rf"Time to reach stability: the full (?P<f>\d+)-day purchase-rate curve needs at least (?P<k>\d+) customers still "
     rf"buying (?P=f) days after their first purchase, this log has (?P<n>{_N}) over (?P<w>.+?) \(needs about "
     rf"(?P<m>\d+) months of history, has (?P<h>\d+)\)\. The curve follows customers over their first (?P<d>\d+) days "
     r"instead \((?P<half>[^)]+)\); (?P<learned>.+?) come from customers with at least (?P=d) days of history, and a "
     r"customer who settles later than that is not seen\.",
     lambda m: f"进入稳定期的时间：完整的 {m['f']} 天购买率曲线需要至少 {m['k']} 位在首次购买 {m['f']} 天后仍在购买的客户，"
               f"本日志在 {_months_text(m['w'])}内只有 {m['n']} 位（约需 {m['m']} 个月的历史，实有 {m['h']} 个月）。"
               f"因此曲线改为跟踪客户的前 {m['d']} 天；稳定期时间、购买周期与流失间隔都来自至少有 {m['d']} 天历史的客户，"
               "更晚才稳定下来的客户无法被观察到。"),
    (rf"Time to reach stability: the purchase rate is still rising at the end of the (?P<h>\d+)-day horizon, so "
     rf"customers take at least (?P<t>{_N}) days to reach stability, possibly longer, and stability is called early\. "
     rf"Learning it needs a longer history \(the full (?P<f>\d+)-day horizon needs (?P<m>\d+) months(?:, has "
     r"(?P<has>\d+))?\); or pass time_to_stability=DAYS \(--time-to-stability\) from the business's experience\.",
     lambda m: f"进入稳定期的时间：在 {m['h']} 天的观察期末购买率仍在上升，因此客户至少需要 {m['t']} 天（可能更久）才能进入"
               f"稳定期，稳定期的判定偏早。要从数据中学得它需要更长的历史（完整的 {m['f']} 天观察期需要 {m['m']} 个月"
               + (f"，实有 {m['has']} 个月" if m["has"] else "") + "）；或按业务经验传入 time_to_stability=DAYS"
               "（--time-to-stability）。"),
    (rf"Expected loyal duration: learning it needs at least (?P<k>\d+) customers who reached stability \(purchases "
     rf"spanning (?P<r>{_N})\+ days\), this log has (?P<n>{_N}) over (?P<w>.+?)(?P<short>; reaching stability alone "
     rf"needs more than .+?)?\. Assumed (?P<a>{_N}) days, the longest stable time the window can show \((?P<win>{_N}) "
     rf"days minus (?P<t>{_N}) days to reach stability\): a lower bound, .+",
     lambda m: f"预期忠诚时长：要从数据中学得它，需要至少 {m['k']} 位进入稳定期的客户（购买跨度 {m['r']} 天以上），本日志在 "
               f"{_months_text(m['w'])}内只有 {m['n']} 位。因此假设为 {m['a']} 天，即观察窗口能显示的最长稳定时间"
               f"（{m['win']} 天减去进入稳定期所需的 {m['t']} 天）：这是下限，只有在整个窗口内都稳定的客户才会被判为长久保持型，"
               "进入稳定期后流失的客户计为提前退出型。更长的历史能提供更多可供学习的稳定客户；也可传入业务自己的忠诚时长"
               "（loyal_duration=DAYS，--loyal-duration）。"),
    (rf"(?P<s>{_N})% of customers \((?P<k>{_N}) of (?P<n>{_N})\) are \"too early to tell\": they are still active, .+?"
     rf"\((?P<a>{_N}) \+ (?P<b>{_N}) = (?P<c>{_N}) days, about (?P<m>\d+) months\)(?:; this log covers (?P<w>.+?) "
     rf"\((?P<wd>{_N}) days\))?\. Judge them by their current stage; .+",
     lambda m: f"{m['s']}% 的客户（{m['n']} 位中的 {m['k']} 位）“尚无法判断”：他们仍然活跃，而活跃客户的生命周期模式只有在其"
               f"购买跨度达到进入稳定期的时间加预期忠诚时长（{m['a']} + {m['b']} = {m['c']} 天，约 {m['m']} 个月）后才能判定"
               + (f"；本日志覆盖 {_months_text(m['w'])}（{m['wd']} 天）" if m["w"] else "")
               + "。请按他们当前所处的阶段来判断；更长的历史或业务自己的忠诚时长（loyal_duration=DAYS，--loyal-duration）"
               "可以让更多客户得到判定。"),
    (r"The purchase rate is still rising at the end of the (?P<h>\d+)-day horizon; pass a longer horizon_days or "
     r"time_to_stability=\.\.\.", r"在 \g<h> 天的观察期末购买率仍在上升；请传入更长的 horizon_days 或 time_to_stability=..."),
])
register({"report.subtitle": {"en": "{customers} customers, {rows} transactions, {first} to {end}; built {now}",
                              "zh": "{customers} 位客户，{rows} 笔交易，{first} 至 {end}；生成于 {now}"}})
# the teaching company's acquisition channels (toolkit.datasets.load_company), shown through value labels
# (their labels, English and Chinese, are in toolkit.formatting with the other category values)
register({"report.kpi.gap": {"en": "gap", "zh": "差距"}})
