"""Report appendix: the course's terms in English and Chinese, with what each means in the report.

The same vocabulary as ``notebooks/GLOSSARY.md`` (lessons) and the i18n catalogue (stages, patterns), cut to the
terms a client meets in the report. The appendix is bilingual in both languages: the report's language comes
first, the other language's term beside it (marked ``lang`` for screen readers and for the tests).
"""

from __future__ import annotations

import html

import pandas as pd

from ...i18n import get_language, register, tr

register({
    "report.section.glossary": {"en": "Glossary", "zh": "术语表"},
    "report.glossary.intro": {
        "en": "The course's terms as this report uses them, with their Chinese names (the Chinese edition of the "
              "report uses the same terms).",
        "zh": "本报告所用的课程术语及其英文对照（英文版报告使用相同的术语）。"},
    "report.glossary.term": {"en": "Term", "zh": "术语"},
    "report.glossary.other": {"en": "Chinese", "zh": "英文"},
    "report.glossary.meaning": {"en": "Meaning in this report", "zh": "在本报告中的含义"},
})

# (group key, English group, Chinese group, [(English term, Chinese term, English meaning, Chinese meaning)])
GLOSSARY = [
    ("value", "Customer value", "客户价值", [
        ("customer lifetime value (CLV)", "客户终身价值", "historical + current + potential value of a customer",
         "一位客户的历史价值 + 当前价值 + 潜在价值"),
        ("historical value", "历史价值", "margin the customer has brought so far (revenue x margin)",
         "客户迄今带来的毛利（收入 × 毛利率）"),
        ("current value", "当前价值", "discounted margin of the coming years if the customer keeps buying as now",
         "客户保持现有购买行为时未来几年毛利的折现值"),
        ("potential value", "潜在价值", "value of selling more, referrals and data beyond current behaviour",
         "现有行为之外的增购、推荐与数据价值"),
        ("customer delivered value", "客户让渡价值", "total customer value minus total customer cost",
         "顾客总价值减去顾客总成本"),
        ("retention rate (CLV)", "保留率", "probability that a customer stays another year",
         "客户再保留一年的概率"),
        ("discount rate", "折现率", "annual rate that turns future money into today's",
         "把未来的钱换算成今天价值的年利率"),
        ("P(alive)", "存活概率", "probability that a customer has not silently left (BG/NBD model)",
         "客户尚未悄然流失的概率（BG/NBD 模型）"),
        ("calibration / holdout period", "校准期 / 验证期",
         "the window a model is fitted on / the later window its predictions are checked on",
         "模型拟合所用的时间窗 / 之后用来检验预测的时间窗"),
        ("naive forecast", "朴素预测", "each customer keeps her past purchase rate and spend",
         "假设每位客户保持过去的购买频率和金额"),
    ]),
    ("rfm", "RFM and value tiers", "RFM 与价值分层", [
        ("RFM", "RFM 模型", "recency, frequency and monetary scores 1-5 of each customer",
         "每位客户在最近一次消费、消费频率、消费金额上的 1-5 分"),
        ("recency (R)", "最近一次消费（R）", "days since the last purchase", "距最近一次购买的天数"),
        ("frequency (F)", "消费频率（F）", "number of purchase days", "有购买的天数"),
        ("monetary (M)", "消费金额（M）", "revenue of the customer", "客户的消费金额"),
        ("segment", "客户细分", "group of customers with similar R and F scores", "R、F 得分相近的客户群"),
        ("high-value / potential / regular / dormant tier", "高价值 / 潜力 / 一般 / 沉睡客户",
         "the course's value tiers from the last 12 months' spend, purchases and recency",
         "按近 12 个月消费额、购买次数和最近一次消费划分的价值层级"),
        ("revenue concentration (Pareto)", "收入集中度（帕累托）", "share of revenue from the top x% of customers",
         "前 x% 客户贡献的收入占比"),
        ("Gini coefficient", "基尼系数", "0 = every customer spends the same, 1 = one customer has all revenue",
         "0 表示人人消费相同，1 表示全部收入来自一位客户"),
    ]),
    ("cohorts", "Cohorts and retention", "同期群与留存", [
        ("acquisition cohort", "获客同期群", "customers whose first purchase fell in the same period",
         "首次购买在同一时期的客户"),
        ("retention rate", "留存率", "share of a cohort still buying in a later period", "同期群在之后某期仍有购买的比例"),
        ("repurchase rate", "复购率", "share of buyers who buy again", "再次购买的客户比例"),
        ("churn rate", "流失率", "share of active customers with no purchase for the churn window",
         "在流失窗口内没有购买的活跃客户比例"),
        ("survival curve (Kaplan-Meier)", "生存曲线（Kaplan-Meier）", "share of customers still active after t months",
         "t 个月后仍活跃的客户比例"),
    ]),
    ("lifecycle", "Customer lifecycle", "客户生命周期", [
        ("exploration", "考察期", "first purchases: the customer is trying the business out",
         "最初几次购买：客户在试探"),
        ("formation", "形成期", "purchases grow: the relationship forms", "购买增加：关系逐步形成"),
        ("stability", "稳定期", "regular purchases at a high level", "稳定且较高水平的购买"),
        ("deterioration", "退化期", "purchases fall off", "购买减少"),
        ("lost", "流失", "no purchase for longer than the lost gap", "超过流失间隔没有购买"),
        ("early abortion", "早期流产型", "leaves during exploration", "在考察期离开"),
        ("mid-term abortion", "中期夭折型", "leaves during formation", "在形成期离开"),
        ("early exit", "提前退出型", "leaves from stability before its natural end", "在稳定期提前离开"),
        ("long-term retention", "长久保持型", "stays in stability for a long time", "长期处于稳定期"),
        ("too early to tell", "尚无法判断", "history too short to classify", "历史太短，无法判断"),
        ("early warning", "预警", "stable customers whose buying dropped, ranked by spend at risk",
         "曾经稳定但购买下降的客户，按风险金额排序"),
    ]),
    ("journey", "Journey and KPIs", "客户旅程与 KPI", [
        ("customer journey", "客户旅程", "the course's five processes: reach, acquisition, conversion, retention, "
         "win-back", "课程的五个流程：触达、获客、转化、保留、赢回"),
        ("touchpoint", "接触点", "one interaction: a visit, an ad, a purchase, a support contact",
         "一次互动：访问、广告、购买、客服联系等"),
        ("conversion rate", "转化率", "share of customers moving on to the next stage", "进入下一阶段的客户比例"),
        ("net promoter score (NPS)", "净推荐值（NPS）", "share of promoters (9-10) minus share of detractors (0-6)",
         "推荐者（9-10 分）占比减去贬损者（0-6 分）占比"),
        ("key performance indicator (KPI)", "关键绩效指标（KPI）", "a measured number with a target",
         "有目标值的衡量指标"),
        ("target / actual / gap", "目标 / 实际 / 差距", "the KPI board: gap = actual - target",
         "KPI 看板：差距 = 实际 - 目标"),
        ("cleaning report", "数据清洗报告", "every input row accounted for: kept, dropped, and why",
         "每一行输入数据的去向：保留、删除及原因"),
    ]),
]


def glossary_table(language: str | None = None) -> pd.DataFrame:
    """The glossary as a table: group, term and its translation, meaning, in ``language`` (default: current)."""
    zh = (language or get_language()) == "zh"
    rows = []
    for _key, group_en, group_zh, terms in GLOSSARY:
        for en, cn, meaning_en, meaning_zh in terms:
            rows.append((group_zh if zh else group_en, cn if zh else en, en if zh else cn,
                         meaning_zh if zh else meaning_en))
    return pd.DataFrame(rows, columns=["group", "term", "translation", "meaning"])


def glossary_html(number=None) -> str:
    """The glossary appendix as an HTML ``<section id="sec-glossary">`` in the current language."""
    zh = get_language() == "zh"
    other = "en" if zh else "zh"
    title = tr("report.section.glossary", "Glossary")
    title = f"{number}. {title}" if number is not None else title
    head = (f"<tr><th>{html.escape(tr('report.glossary.term', 'Term'))}</th>"
            f"<th>{html.escape(tr('report.glossary.other', 'Chinese'))}</th>"
            f"<th>{html.escape(tr('report.glossary.meaning', 'Meaning in this report'))}</th></tr>")
    parts = ['<section id="sec-glossary" class="glossary">', f"<h2>{html.escape(title)}</h2>",
             f'<p class="intro">{html.escape(tr("report.glossary.intro", ""))}</p>']
    for _key, group_en, group_zh, terms in GLOSSARY:
        rows = "".join(
            f"<tr><th>{html.escape(cn if zh else en)}</th>"
            f'<td lang="{other}">{html.escape(en if zh else cn)}</td>'
            f"<td>{html.escape(meaning_zh if zh else meaning_en)}</td></tr>"
            for en, cn, meaning_en, meaning_zh in terms)
        parts.append(f"<h3>{html.escape(group_zh if zh else group_en)}</h3>"
                     f'<div class="table-wrap"><table class="table glossary" style="width:100%"><thead>{head}</thead>'
                     f"<tbody>{rows}</tbody></table></div>")
    parts.append("</section>")
    return "\n".join(parts)
