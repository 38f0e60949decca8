"""The executive summary: page one of a report, 5-7 findings drawn from the sections' own numbers.

Each finding is one sentence with its number and the recommended action. Candidates come from the sections that
ran (a skipped section gives none); each gets an importance score from the data (for example the share of revenue
the top 20% of customers bring, or how far month-1 retention is below 100%), and the 7 most important are kept
in that order. Fewer than 5 candidates gives fewer findings: a summary never invents one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..i18n import localize, register, tr
from .format import _money_fmt

register({
    "report.summary": {"en": "Executive summary", "zh": "执行摘要"},
    "report.summary.kpi": {"en": "KPI board", "zh": "KPI 看板"},
    "report.summary.status": {"en": "Sections", "zh": "各部分状态"},
    "report.find.kpi_missed": {
        "en": "{missed} of {n} KPI targets are missed ({which}): make them the first item of the next quarter's plan, "
              "with an owner for each.",
        "zh": "{n} 个 KPI 目标中有 {missed} 个未达成（{which}）：把它们列为下季度计划的首要事项，并为每项指定负责人。"},
    "report.find.kpi_met": {
        "en": "All {met} KPI targets with a verdict are met: raise the targets for next year.",
        "zh": "有结论的 {met} 个 KPI 目标全部达成：为明年提高目标。"},
    "report.find.kpi_no_verdict": {
        "en": "{nv} of {n} KPI targets have no verdict ({why}): give the missing baselines (e.g. the industry mean "
              "CLV) or a longer history so the board can judge them.",
        "zh": "{n} 个 KPI 目标中有 {nv} 个无法判定（{why}）：补充缺失的基准（如行业平均 CLV）或更长的历史数据。"},
    "report.find.concentration": {
        "en": "The top 20% of customers bring {share} of revenue: protect them with a key-account programme "
              "(personal contact, early access, service levels) before spending on acquisition.",
        "zh": "前 20% 的客户贡献了 {share} 的收入：在投入获客之前，先用大客户计划（专人联系、优先体验、服务承诺）留住他们。"},
    "report.find.spread": {
        "en": "Revenue is spread widely: the top 20% of customers bring only {share} of it, so broad programmes "
              "(repeat-purchase offers for everyone) pay more than key-account care.",
        "zh": "收入分布较分散：前 20% 的客户只贡献 {share}，因此面向全体的复购激励比大客户维护更划算。"},
    "report.find.retention": {
        "en": "{r1} of new customers buy again in their first {unit} ({r12} are still buying in {unit} 12): "
              "put a second-purchase offer into each new customer's first {unit}.",
        "zh": "新客户中有 {r1} 在第一个{unit}内再次购买（第 12 个{unit}仍在购买的为 {r12}）：在新客户的第一个{unit}内推出二次购买优惠。"},
    "report.find.retention_short": {
        "en": "{r1} of new customers buy again in their first {unit}: put a second-purchase offer into each new "
              "customer's first {unit}.",
        "zh": "新客户中有 {r1} 在第一个{unit}内再次购买：在新客户的第一个{unit}内推出二次购买优惠。"},
    "report.find.early_warning": {
        "en": "{n} formerly stable customers are buying less, with {value} of spend at risk: contact them this "
              "month, biggest first (the early-warning list in the lifecycle section).",
        "zh": "{n} 位曾经稳定的客户购买减少，涉及 {value} 的风险消费：本月内按金额从高到低逐一联系（见生命周期部分的预警名单）。"},
    "report.find.lost": {
        "en": "{lost} of customers are already lost (no purchase for longer than their usual gap allows): run a "
              "win-back campaign on the most valuable of them and measure its return.",
        "zh": "{lost} 的客户已经流失：对其中价值最高的客户开展赢回活动并衡量回报。"},
    "report.find.clv_sound": {
        "en": "A customer is worth {model} over the next {h} months (BG/NBD + Gamma-Gamma model, checked on a "
              "holdout; course CLV {course}): keep the cost of acquiring a customer well below it.",
        "zh": "未来 {h} 个月每位客户价值 {model}（BG/NBD + Gamma-Gamma 模型，已通过验证期检验；课程 CLV 为 {course}）：获客成本应明显低于此值。"},
    "report.find.clv_course": {
        "en": "A customer is worth {course} (course CLV); the probabilistic model's numbers are not reliable on "
              "this data (see the CLV section's warning): quote the course CLV and keep acquisition cost well "
              "below it.",
        "zh": "每位客户价值 {course}（课程 CLV）；概率模型在这份数据上不可靠（见 CLV 部分的警告）：请引用课程 CLV，并让获客成本明显低于此值。"},
    "report.find.cleaning": {
        "en": "{share} of the export's money was dropped, netted or cancelled during cleaning ({amount}): fix "
              "the export at its source so the next report starts from complete data.",
        "zh": "清洗时有 {share} 的金额被剔除、冲抵或取消（{amount}）：请从源头修正导出，使下一份报告基于完整数据。"},
    "report.find.clean": {
        "en": "All {rows} rows of the export were kept ({dropped} dropped): the numbers below rest on the whole "
              "export; keep the export format stable for the next report.",
        "zh": "导出的 {rows} 行全部保留（剔除 {dropped} 行）：以下数字基于完整数据；下次报告请保持导出格式不变。"},
    "report.find.nps": {
        "en": "NPS is {window} over the last {days} days ({n} answers; {all} over all answers): {action}",
        "zh": "最近 {days} 天的 NPS 为 {window}（{n} 份答卷；全部答卷为 {all}）：{action}"},
    "report.find.nps.low": {"en": "call back the detractors and fix their top complaint.",
                            "zh": "回访贬损者并解决他们最主要的投诉。"},
    "report.find.nps.ok": {"en": "ask the promoters for referrals.", "zh": "请推荐者为我们介绍新客户。"},
    "report.find.journey_gap": {
        "en": "The journey's biggest drop-off is at {stage}: {share} of customers are lost there; start the "
              "journey fixes at that stage.",
        "zh": "客户旅程中流失最大的环节是 {stage}：{share} 的客户在此流失；优先改进这一环节。"},
    "report.find.dormant": {
        "en": "{share} of customers are in the dormant tier: reactivate the ones with the highest past spend "
              "with a personal offer and let the rest go.",
        "zh": "{share} 的客户处于沉睡层级：对历史消费最高的客户提供个性化激活优惠，其余不再投入。"},
})


@dataclass
class Finding:
    """One finding of the executive summary.

    Attributes
    ----------
    key : str
        What it is about (``"concentration"``, ``"retention"``, ``"kpi_missed"``, ...).
    section : str
        Key of the section it comes from.
    text : str
        The sentence: the finding, its number and the recommended action.
    value : float
        The finding's number, unformatted.
    importance : float
        Ranking score (higher first).
    """

    key: str
    section: str
    text: str
    value: float
    importance: float


def _pct(v, digits=0):
    return f"{v:.{digits}%}"


def _ok(v):
    return v is not None and isinstance(v, (int, float)) and math.isfinite(v)


def executive_summary(sections, ctx, *, top=7) -> list:
    """The findings of a report, most important first (at most ``top``).

    Parameters
    ----------
    sections : list of Section
        The built sections; only sections whose outcome is "done" or "done with a caveat" give findings.
    ctx : ReportContext
        The context the sections filled (``ctx.cache``: KPI board, lifecycle result, ...).

    Returns
    -------
    list of Finding
    """
    done = {s.key: s for s in sections if s.outcome in ("done", "done with a caveat")}
    money = _money_fmt(ctx)
    out = []

    def add(key, section, text, value, importance):
        out.append(Finding(key, section, text, float(value), float(importance)))

    if "kpis" in done and "kpi_board" in ctx.cache:
        board = ctx.cache["kpi_board"]
        n = len(board)
        missed = board[board["status"] == "missed"]
        met = int((board["status"] == "met").sum())
        nv = board[board["met"].isna()]
        if len(missed):
            which = "; ".join(f"{localize(row['label'])}: {_kpi_value(k, row['actual'], money)}"
                              f"{tr('report.find.against', ' against ')}{_kpi_value(k, row['target'], money)}"
                              for k, row in missed.iterrows())
            add("kpi_missed", "kpis", tr("report.find.kpi_missed", "").format(missed=len(missed), n=n, which=which),
                len(missed), 0.95)
        elif met:
            add("kpi_met", "kpis", tr("report.find.kpi_met", "").format(met=met), met, 0.35)
        if len(nv):
            why = "; ".join(f"{localize(row['label'])}: {localize(row['status'])}" for _, row in nv.iterrows())
            add("kpi_no_verdict", "kpis", tr("report.find.kpi_no_verdict", "").format(nv=len(nv), n=n, why=why),
                len(nv), 0.3 + 0.2 * len(nv) / max(n, 1))
    if "clv" in done:
        num = done["clv"].numbers
        h = ctx.settings.horizon_months
        course = num.get("course_clv_mean")
        if num.get("model_sound") == 1.0 and _ok(num.get("model_clv_mean")):
            add("clv", "clv", tr("report.find.clv_sound", "").format(
                model=money.format(num["model_clv_mean"]), h=h,
                course=money.format(course) if _ok(course) else "n/a"), num["model_clv_mean"], 0.7)
        elif _ok(course):
            add("clv", "clv", tr("report.find.clv_course", "").format(course=money.format(course)), course, 0.8)
    if "rfm" in done:
        num = done["rfm"].numbers
        top20 = num.get("top20_revenue_share")
        if _ok(top20):
            key = "concentration" if top20 >= 0.5 else "spread"
            add(key, "rfm", tr(f"report.find.{key}", "").format(share=_pct(top20)), top20,
                top20 if top20 >= 0.5 else 0.3)
        dormant = num.get("dormant_share")
        if _ok(dormant) and dormant >= 0.2:
            add("dormant", "rfm", tr("report.find.dormant", "").format(share=_pct(dormant)), dormant,
                0.2 + 0.4 * dormant)
    if "cohorts" in done:
        num = done["cohorts"].numbers
        r1, r12 = num.get("retention_1"), num.get("retention_12")
        if _ok(r1):
            unit = {"D": "day", "W": "week", "M": "month", "Q": "quarter"}[ctx.settings.cohort_period]
            unit = tr(f"report.unit.{unit}", unit)
            key = "report.find.retention" if _ok(r12) else "report.find.retention_short"
            add("retention", "cohorts", tr(key, "").format(r1=_pct(r1), unit=unit, r12=_pct(r12) if _ok(r12) else ""),
                r1, 0.4 + 0.5 * (1 - r1))
    if "lifecycle" in done:
        num = done["lifecycle"].numbers
        n_ew, value = num.get("early_warning"), num.get("early_warning_value")
        share = num.get("early_warning_value_share")
        if _ok(n_ew) and n_ew > 0 and _ok(value):
            add("early_warning", "lifecycle", tr("report.find.early_warning", "").format(
                n=f"{int(n_ew):,}", value=money.format(value)), value,
                0.55 + min(2 * share, 0.35) if _ok(share) else 0.6)
        lost = num.get("lost")
        if _ok(lost) and lost >= 0.2:
            add("lost", "lifecycle", tr("report.find.lost", "").format(lost=_pct(lost)), lost, 0.25 + 0.4 * lost)
    if "journey" in done:
        num = done["journey"].numbers
        window, every = num.get("nps_window"), num.get("nps")
        if _ok(window) or _ok(every):
            shown = window if _ok(window) else every
            action = tr("report.find.nps.low" if shown < 30 else "report.find.nps.ok", "")
            add("nps", "journey", tr("report.find.nps", "").format(
                window=f"{shown:+.0f}", days=ctx.settings.kpi_window_days,
                n=f"{int(num.get('nps_window_answers', 0)):,}", all=f"{every:+.0f}" if _ok(every) else "n/a",
                action=action), shown, 0.45 + (0.3 if shown < 0 else 0.0))
        gap = ctx.cache.get("journey_gap")
        if gap is not None:
            add("journey_gap", "journey", tr("report.find.journey_gap", "").format(
                stage=gap[0], share=_pct(gap[1])), gap[1], 0.3 + 0.4 * gap[1])
    if "data" in done:
        num = done["data"].numbers
        money_in = num.get("money_in", math.nan)
        lost_money = (money_in - num.get("money_kept", money_in)) + num.get("cancelled_later", 0.0)
        if _ok(money_in) and money_in > 0 and lost_money > 0.0005 * money_in:
            share = lost_money / money_in
            add("cleaning", "data", tr("report.find.cleaning", "").format(
                share=_pct(share, 1), amount=_money_fmt(ctx).format(lost_money)), share, 0.3 + min(8 * share, 0.6))
        elif _ok(num.get("rows_in")):
            add("clean", "data", tr("report.find.clean", "").format(
                rows=f"{int(num['rows_in']):,}", dropped=f"{int(num.get('rows_dropped', 0)):,}"), 0.0, 0.05)
    out.sort(key=lambda f: -f.importance)
    return out[:top]


def _kpi_value(kpi, value, money):
    if not _ok(value):
        return "n/a"
    if kpi in ("repurchase_rate", "retention_rate"):
        return _pct(value)
    if kpi == "nps":
        return f"{value:+.1f}"
    if kpi in ("clv", "model_clv", "revenue", "revenue_per_active"):
        return money.format(value)
    return f"{value:,.0f}"


# The two-sentence openings of the sections (what this shows; so what) and the labels this issue added to them,
# registered here in one place so the section modules stay small.
register({
    "report.unit.day": {"en": "day", "zh": "天"},
    "report.unit.week": {"en": "week", "zh": "周"},
    "report.unit.month": {"en": "month", "zh": "月"},
    "report.unit.quarter": {"en": "quarter", "zh": "季度"},
    "report.intro.data": {
        "en": "Every row of the export and its money is accounted for: rows in = rows kept + rows dropped, and money "
              "in = money kept + money dropped, by reason.",
        "zh": "导出的每一行及其金额都有交代：输入行数 = 保留行数 + 剔除行数，输入金额 = 保留金额 + 剔除金额，并按原因列出。"},
    "report.sowhat.data.loss": {
        "en": "{share} of the money ({amount}) was dropped, netted or cancelled, so every later number rests on the "
              "remaining {kept_share}.",
        "zh": "{share} 的金额（{amount}）被剔除、冲抵或取消，因此后续所有数字都基于剩余的 {kept_share}。"},
    "report.sowhat.data.clean": {
        "en": "All {rows} rows and all the money were kept, so every later number rests on the whole export.",
        "zh": "全部 {rows} 行和全部金额均被保留，因此后续所有数字都基于完整的导出数据。"},
    "report.intro.rfm": {
        "en": "Customers scored on recency, frequency and money and grouped into segments and the course's value "
              "tiers (high, potential, regular, dormant), with how concentrated revenue is.",
        "zh": "按最近购买、购买频率和消费金额为客户打分，分成细分群体和课程的价值层级（高价值、潜力、一般、沉睡），并给出收入集中度。"},
    "report.sowhat.rfm.concentrated": {
        "en": "The top 20% of customers bring {top20} of revenue: losing a few of them costs more than losing many "
              "others.",
        "zh": "前 20% 的客户贡献了 {top20} 的收入：失去其中少数几位，比失去许多其他客户损失更大。"},
    "report.sowhat.rfm.spread": {
        "en": "The top 20% of customers bring only {top20} of revenue: value is spread, so broad programmes matter "
              "more than key accounts.",
        "zh": "前 20% 的客户只贡献 {top20} 的收入：价值分布较分散，面向全体的计划比大客户维护更重要。"},
    "report.intro.cohorts": {
        "en": "Customers grouped by the period of their first purchase: the share still buying in each later "
              "period, repurchase and churn rates (churn = no purchase for {days} days) and how long customers "
              "survive.",
        "zh": "按首次购买所在期间对客户分组：之后各期仍在购买的比例、复购率和流失率（流失 = {days} 天未购买），以及客户的存续时间。"},
    "report.sowhat.cohorts.first": {
        "en": "{Unit}-1 retention is {r1}, and {r12} are still buying in {unit} 12: most customers who do not buy "
              "again within the first {unit} never do, so the first {unit} decides.",
        "zh": "第 1 个{unit}的留存率为 {r1}，第 12 个{unit}仍有 {r12} 在购买：第一个{unit}内没有再次购买的客户大多再也不会回来，第一个{unit}是关键。"},
    "report.sowhat.cohorts.short": {
        "en": "{Unit}-1 retention is {r1}: that share of new customers buys again within a {unit}; the log is too "
              "short to follow cohorts to {unit} 12.",
        "zh": "第 1 个{unit}的留存率为 {r1}：这是在一个{unit}内再次购买的新客户比例；数据太短，无法跟踪到第 12 个{unit}。"},
    "report.sowhat.cohorts.erodes": {
        "en": "{Unit}-1 retention is {r1} and falls to {r12} by {unit} 12: customers keep leaving after the first "
              "{unit}, so retention needs work beyond the welcome.",
        "zh": "第 1 个{unit}的留存率为 {r1}，到第 12 个{unit}降至 {r12}：客户在第一个{unit}之后仍在不断流失，留存工作不能止于欢迎阶段。"},
    "report.intro.lifecycle": {
        "en": "Every customer's lifecycle stage today (exploration, formation, stability, deterioration, lost) and "
              "pattern, by rules learned from this log, and the early-warning list of stable customers whose "
              "buying dropped.",
        "zh": "每位客户当前所处的生命周期阶段（考察期、形成期、稳定期、退化期、流失）和生命周期模式（规则从本数据中学习得到），以及购买减少的稳定客户预警名单。"},
    "report.sowhat.lifecycle": {
        "en": "{n} customers are on the early-warning list with {value} of spend at risk, and {lost} of customers "
              "are already lost: call the list this month, biggest first.",
        "zh": "预警名单上有 {n} 位客户，涉及 {value} 的风险消费，另有 {lost} 的客户已经流失：本月内按金额从高到低逐一联系名单上的客户。"},
    "report.intro.journey": {
        "en": "The course's five customer-management processes (reach, acquisition, conversion, retention, "
              "win-back) from the event log: customers reaching each stage, conversion, time in each stage, stage "
              "KPIs and NPS.",
        "zh": "根据事件日志呈现课程的五个客户管理流程（触达、获取、转化、保留、赢回）：各阶段的客户数、转化率、停留时间、阶段 KPI 和 NPS。"},
    "report.sowhat.journey": {
        "en": "{overall} of customers who enter at {first} get to {last}, and the biggest drop-off is at {stage} "
              "({share} lost there): that stage is where the journey leaks most.",
        "zh": "从 {first} 进入的客户中有 {overall} 到达 {last}，流失最大的环节是 {stage}（在此流失 {share}）：这是旅程中漏损最严重的地方。"},
    "report.skip.journey": {"en": "No event log given (events=..., --events): section skipped.",
                            "zh": "未提供事件日志（events=...，--events）：已跳过本部分。"},
    "report.nps.all": {"en": "NPS, all {n} answers", "zh": "NPS（全部 {n} 份答卷）"},
    "report.nps.window": {"en": "NPS, last {days} days ({n} answers)", "zh": "NPS（最近 {days} 天，{n} 份答卷）"},
    "report.intro.clv": {
        "en": "Two views of what a customer is worth: the course CLV (margin so far plus the discounted margin of "
              "the coming years at the observed retention; margin {margin}, discount rate {rate} a year) and a "
              "BG/NBD + Gamma-Gamma model, first checked on a holdout period.",
        "zh": "客户价值的两种视角：课程 CLV（迄今的毛利加上按观测留存率折现的未来毛利；毛利率 {margin}，年折现率 {rate}），以及先经验证期检验的 BG/NBD + Gamma-Gamma 模型。"},
    "report.sowhat.clv.sound": {
        "en": "The model passes its checks: a customer is worth {model} over the next {h} months (course CLV "
              "{course}), the ceiling for what acquiring one may cost.",
        "zh": "模型通过了检验：未来 {h} 个月每位客户价值 {model}（课程 CLV 为 {course}），这是获客成本的上限。"},
    "report.sowhat.clv.course": {
        "en": "The model's numbers are not reliable on this data, so quote the course CLV: {course} per customer.",
        "zh": "模型的数字在这份数据上不可靠，请引用课程 CLV：每位客户 {course}。"},
    "report.sowhat.clv.none": {"en": "Neither CLV could be estimated on this data; the notes say why.",
                               "zh": "这份数据无法估计任何一种 CLV；原因见备注。"},
    "report.intro.kpis": {
        "en": "Each KPI over the last {w} days ({start} to {end}) against the consultant's target (gap = actual − "
              "target), with a previous-period baseline over the {w} days before ({previous_start} to "
              "{previous_end}) only where the data, which start on {data_start}, cover it.",
        "zh": "每个 KPI 按最近 {w} 天（{start} 至 {end}）计算并与顾问的目标比较（差距 = 实际 − 目标）；上一期基准取之前的 {w} 天（{previous_start} 至 {previous_end}），仅在数据（始于 {data_start}）完整覆盖时使用。"},
    "report.sowhat.kpis": {"en": "{met} of {n} targets are met, {missed} missed and {none} without a verdict.",
                           "zh": "{n} 个目标中 {met} 个达成，{missed} 个未达成，{none} 个无法判定。"},
    "report.kpis.targets": {"en": "targets", "zh": "目标数"},
    "report.kpis.met": {"en": "met", "zh": "达成"},
    "report.kpis.missed": {"en": "missed", "zh": "未达成"},
    "report.kpis.no_verdict": {"en": "no verdict", "zh": "无法判定"},
})
