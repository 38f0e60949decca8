"""The Chinese of the results of the data, journey and report layers (issue #20).

What the toolkit writes in English into its results -- the cleaning report's reasons and notes, the journey
tables' sentences (KPI definitions, paths, gaps, what a referral or a complaint is worth), the report's KPI board
-- stays English in the data (code and tests read it) and is translated where it is shown: the result objects'
``__repr__``/``_repr_html_`` (through :func:`toolkit.i18n.localize` and ``tr`` keys registered next to their
code), a Chinese notebook's tables (:func:`toolkit.formatting.notebook_table_html`) and the report
(``Section.to_html``). The reasons and journey KPIs the report translated (:mod:`toolkit.report.zh`) moved here,
unchanged, so that results and error messages find them without the report package.

Column labels added here keep the English header :func:`toolkit.formatting.label` wrote before (the name made
into words), so English tables do not change.
"""

from __future__ import annotations

import re

from ..formatting import label
from ..i18n import _CATALOGUE, _PATTERNS, register, register_patterns, register_text

_N = r"[-+−]?[\d,]*\.?\d+(?:e[-+]?\d+)?"  # a number as the toolkit prints it
_DATE = r"\d{4}-\d{2}-\d{2}"

# ------------------------------------------------------------------------------------------ from the report
# The cleaning report's reasons and the journey's KPIs as the report (toolkit.report.zh) has always translated them:
# here, so that the results, a Chinese notebook's tables and the error messages find them without loading the
# report package (which imports the data layer: it cannot be imported from it).
_REPORT_TEXTS = {
    # data: cleaning-report reasons, headline labels, table names
    "rows in": "输入行数", "rows kept": "保留行数", "rows dropped": "删除行数", "customers": "客户数",
    "revenue": "收入", "period": "时间范围", "money in the export": "导出数据中的金额", "money kept": "保留的金额",
    "kept revenue cancelled later (refunds dropped)": "保留收入中后来被取消的部分（已删除的退款）",
    "rows in = kept + dropped": "输入行 = 保留 + 删除", "kept lines that look like non-product lines": "疑似非商品行（已保留）",
    "missing customer_id": "缺少客户编号", "missing customer id": "缺少客户编号", "missing timestamp": "缺少时间",
    "missing amount": "缺少金额", "duplicate row": "重复行", "unreadable date": "无法识别的日期",
    "unreadable amount": "无法识别的金额", "negative amount": "负金额", "zero amount": "零金额",
    "return netted against purchases": "退货已与购买相抵", "purchase fully refunded (netted)": "购买已全额退款（相抵）",
    "return larger than earlier purchases (remainder unmatched)": "退货大于此前购买（余额无法匹配）",
    "purchase partly refunded (amount reduced)": "购买部分退款（金额已减少）", "taken off kept rows": "从保留行中扣除",
    "kept": "保留", "dropped": "删除", "netted": "相抵", "total": "合计", "date outside the observed window": "日期超出观察期",
    "excluded item (non-product line)": "排除的非商品行", "cancelled order": "已取消的订单",
    # journey
    "event names and their stage": "事件名称及其阶段", "conversion from previous": "上一阶段转化率",
    "stage funnel (loose order)": "阶段漏斗（宽松顺序）", "journey board": "旅程看板", "biggest gaps": "最大差距",
    "stage KPIs": "各阶段 KPI", "KPIs by acquisition channel": "各获客渠道的 KPI", "stage funnel": "阶段漏斗",
    "unique people with a touchpoint of this stage": "在该阶段有接触点的独立人数",
    "reached / people in the log": "触达人数 / 日志中的人数", "people with a first purchase": "有首次购买的人数",
    "sum of acquisition costs": "获客成本合计", "acquisition spend / new customers": "获客支出 / 新客户数",
    "new customers / people in the log": "新客户数 / 日志中的人数", "mean customer lifetime value": "平均客户终身价值",
    "share of satisfaction answers 4-5 (of 5)": "满意度评分 4-5 分（满分 5）的占比", "events of this stage": "该阶段的事件数",
    "reach": "触达", "acquisition": "获客", "conversion": "转化", "retention": "留存", "win_back": "赢回",
    "win-back": "赢回", "NPS (all answers)": "NPS（全部回答）",
    "median dwell (D)": "停留时间中位数（天）",
    "win-back rate": "赢回率", "win-back touchpoints": "赢回接触点", "customers with 2+ orders / customers":
        "有 2 笔及以上订单的客户 / 客户数", "acquisition spend": "获客支出", "churn rate": "流失率",
    "conversion rate": "转化率", "events": "事件数", "people reached": "触达人数",
    "new customers": "新客户数", "people": "人数", "points": "分", "reach rate": "触达率", "repurchase rate": "复购率",
}
register_text({en: {"zh": zh} for en, zh in _REPORT_TEXTS.items()})
register_patterns("zh", [
    # data
    (r"examples: (?P<r>.+)", r"示例：\g<r>"),
    (r"customer ids read as text or decimals were converted to integers \(e\.g\. (?P<e>.+)\)",
     r"以文本或小数读入的客户编号已转换为整数（例如 \g<e>）"),
    (rf"refunds netted: (?P<a>{_N}) of purchases cancelled by later refund rows of the same customers; (?P<b>{_N}) of "
     r"refunds found no earlier purchase in the log \(bought before it starts, or more than was bought\) and were "
     r"dropped", r"退款已相抵：同一客户后来的退款行取消了 \g<a> 的购买；另有 \g<b> 的退款在日志中找不到更早的购买"
     r"（购买发生在日志开始之前，或退款多于购买），已删除"),
    (rf"(?P<n>{_N}) kept lines \((?P<m>{_N}) of money\) look like non-product lines \(postage, fees, adjustments, "
     r"tests\): (?P<items>.+?)\. They are kept and counted as purchases; to drop them pass (?P<opt>.+)",
     r"\g<n> 行保留的数据（金额 \g<m>）看起来像非商品行（邮费、手续费、调整、测试）：\g<items>。它们被保留并计为购买；"
     r"如需删除，请使用 \g<opt>"),
    # journey
    (r"customers entering at (?P<s>.+)", r"从\g<s>进入的客户"),
    (r"(?P<a>[a-z_]+) to (?P<b>[a-z_]+)", r"\g<a>到\g<b>"),
    (r"median dwell \((?P<u>\w+)\)", lambda m: "停留时间中位数（" + {"D": "天", "W": "周", "M": "月"}.get(m["u"], m["u"]) + "）"),
    (rf"no purchase in the last (?P<d>{_N}) days, among customers acquired before that",
     r"在此之前获取的客户中，最近 \g<d> 天没有购买的比例"),
    (rf"win-back touchpoints followed by a purchase within (?P<d>{_N}) days", r"之后 \g<d> 天内有购买的赢回接触点占比"),
    (rf"Event log: (?P<a>{_N}) rows in = (?P<b>{_N}) kept \+ (?P<c>{_N}) dropped(?P<rest>.*)",
     r"事件日志：输入 \g<a> 行 = 保留 \g<b> 行 + 删除 \g<c> 行\g<rest>"),
])

# ------------------------------------------------------------------------------------------ cleaning report
register_text({en: {"zh": zh} for en, zh in {
    # reasons a row is dropped (toolkit.data._FIX, _EVENT_FIX and netting) that the report does not have yet
    "unparseable timestamp": "无法识别的时间",
    "date outside the usable range": "日期超出可处理范围",
    "date far outside the bulk (outlier)": "日期远离数据主体（异常值）",
    "unparseable amount": "无法识别的金额",
    "percentage (not money)": "百分比（不是金额）",
    "non-finite amount": "金额不是有限数值",
    "unparseable quantity": "无法识别的数量",
    "unparseable discount": "无法识别的折扣",
    "percentage discount": "百分比形式的折扣",
    "after observation_end": "晚于观察期结束日",
    "negative amount (return)": "负金额（退货）",
    "missing event": "缺少事件名称",
    "non-product line (exclude_items)": "排除的非商品行",
    # rows kept but worth knowing about
    "duplicate row (kept: duplicates='keep')": "重复行（按设置保留）",
    "zero amount (kept: counted as a purchase)": "零金额（已保留：计为一次购买）",
    # notes without numbers
    "customer ids stored as a mix of integers and decimals (1 and 1.0) were read as integers":
        "以整数和小数混合存储的客户编号（如 1 与 1.0）已按整数读取",
    "customer ids of mixed types were converted to text": "类型混杂的客户编号已转换为文本",
}.items()})


def _event_name(match):
    from ..formatting import value_label

    return f"从交易记录并入的购买事件（事件名：{value_label(match['e'])}）"


def _date_outliers(match):
    parts = []
    for part in match["parts"].split("; or "):
        bulk = re.fullmatch(rf"more than (?P<y>{_N}) years \(twice the bulk's span, at least a year\) before or after "
                            rf"the bulk (?P<a>{_DATE}) to (?P<b>{_DATE})", part)
        future = re.fullmatch(rf"after (?P<d>{_DATE}) \(the future\)", part)
        if bulk:
            parts.append(f"早于或晚于数据主体（{bulk['a']} 至 {bulk['b']}）超过 {bulk['y']} 年（主体跨度的两倍，至少一年）")
        elif future:
            parts.append(f"晚于 {future['d']}（未来日期）")
        else:
            parts.append(part)
    return f"{match['n']} 个日期远离日志的数据主体：" + "；或".join(parts)


register_patterns("zh", [
    (r"purchase events merged from transactions \('(?P<e>[^']*)'\)", _event_name),
    (rf"(?P<n>{_N}) purchase events added from (?P<m>{_N}) orders of the transactions \((?P<k>{_N}) already in the "
     r"log\); example row numbers refer to the events followed by the merged purchases(?P<rest>.*)",
     lambda m: f"从交易记录的 {m['m']} 笔订单中新增 {m['n']} 个购买事件（{m['k']} 笔已在日志中）；示例的行号按事件日志编号，"
               "并入的购买排在其后"
               + (_no_common_customer(m["rest"]) if m["rest"] else "")),
    (rf"refunds netted: (?P<a>{_N}) of purchases cancelled by later refund rows of the same customers",
     r"退款已相抵：同一客户后来的退款行取消了 \g<a> 的购买"),
    (rf"(?P<c>{_N}) \((?P<p>{_N}%)\) of the kept revenue was cancelled later by refund rows of the same customers, "
     r"which were dropped; pass (?P<opt>on_bad_rows='net') to subtract it",
     r"保留收入中有 \g<c>（\g<p>）后来被同一客户的退款行取消，这些退款行已删除；如需扣除，请使用 \g<opt>"),
    (rf"(?P<n>{_N}) customer ids had spaces around them, which were removed \(e\.g\. (?P<e>.+)\)",
     r"\g<n> 个客户编号前后带有空格，已去除（例如 \g<e>）"),
    (rf"(?P<n>{_N}) customer ids written two ways were read as one customer each \(e\.g\. (?P<a>.+?) and (?P<b>.+?) -> "
     r"(?P<c>.+)\)", r"\g<n> 个客户编号有两种写法，已合并为同一位客户（例如 \g<a> 和 \g<b> -> \g<c>）"),
    (r"time zone (?P<tz>\S+) of column (?P<c>.+) dropped: local wall-clock times are used",
     r"列 \g<c> 的时区 \g<tz> 已去除：使用当地时间"),
    (r"column (?P<c>.+) read as YYYYMMDD integers", r"列 \g<c> 按 YYYYMMDD 格式的整数读作日期"),
    (r"column (?P<c>.+) read as Excel serial day numbers \(days since 1899-12-30, e\.g\. 45292 = 2024-01-01\)",
     r"列 \g<c> 按 Excel 日期序号读作日期（自 1899-12-30 起的天数，例如 45292 = 2024-01-01）"),
    (rf"(?P<n>{_N}) dates are far outside the bulk of the log: (?P<parts>.+)", _date_outliers),
    (r"exclude_items: no line has item code (?P<codes>.+) in column (?P<c>'[^']*')",
     r"exclude_items：列 \g<c> 中没有商品编码为 \g<codes> 的行"),
    (r"(?P<f>.+?): read as UTF-16 text \(its byte-order mark says so\)", r"\g<f>：按 UTF-16 文本读取（文件的字节顺序标记如此指明）"),
    (r"(?P<f>.+?) is not UTF-8 text; it was read as GB18030 \(GBK, the encoding of Chinese Windows exports\)\. "
     r"If names look garbled, pass (?P<opt>read_kwargs=.+) with the file's encoding",
     r"\g<f> 不是 UTF-8 文本，已按 GB18030（GBK，中文 Windows 导出文件的编码）读取。如果名称显示为乱码，请用 \g<opt> 指定文件的编码"),
    (r"(?P<f>.+?): the header is on (?:line|sheet row) (?P<n>\d+); the (?P<k>\d+) (?:line|sheet row)s? above it "
     r"\(a title block\) were skipped", r"\g<f>：表头在第 \g<n> 行；其上方的 \g<k> 行（标题区）已跳过"),
])


# The customer-id notes of one column are joined by "; ": split them before any single note's pattern (whose
# ``(e.g. ...)`` would swallow the next note) is tried.
_PATTERNS.setdefault("zh", []).insert(0, (
    re.compile(r"(?P<a>(?:[\d,]+ )?customer ids .+?); (?P<b>(?:[\d,]+ )?customer ids .+)", re.DOTALL),
    r"\g<a>；\g<b>"))


def _no_common_customer(rest):
    found = re.fullmatch(r"; no customer of the transactions \(e\.g\. (?P<a>.+?)\) is in the event log \(e\.g\. "
                         r"(?P<b>.+?)\): check that both name customers the same way", rest)
    if found is None:
        return rest
    return (f"；交易记录中的客户（例如 {found['a']}）都不在事件日志中（例如 {found['b']}）：请检查两者的客户编号写法是否一致")


# ------------------------------------------------------------------------------------------ the teaching company
register_text({en: {"zh": zh} for en, zh in {
    "one row per customer: acquisition date, channel, cost, segment attributes": "每位客户一行：获客日期、渠道、获客成本、细分属性",
    "one row per order line: timestamp, order_id, amount (yuan, net), category, ...":
        "每个订单明细一行：时间、订单编号、金额（元，净额）、品类……",
    "touchpoints: ad_impression, visit, sign_up, ..., purchase/repurchase (one per order)":
        "接触点：广告曝光、访问、注册……、购买/复购（每笔订单一个）",
    "survey responses: date and score 0-10": "调查答卷：日期和 0-10 分的评分",
    "latent: pattern, need_class, stage dates, churned, pattern_determinable, pattern_evident":
        "隐含真相：生命周期模式、需求类型、各阶段日期、是否流失、模式能否判定、模式是否明显",
    "latent: lifecycle stage of each customer in each month": "隐含真相：每位客户每个月所处的生命周期阶段",
}.items()})

# ------------------------------------------------------------------------------------------ journey
register_text({en: {"zh": zh} for en, zh in {
    "% promoters (9-10) - % detractors (0-6)": "推荐者（9-10 分）占比 − 贬损者（0-6 分）占比",
    "exit rate": "退出率", "drop-off": "流失", "dwell": "停留时间", "exit": "退出",
    # units of the KPI tables (the report's tables are localized cell by cell)
    "share": "占比", "money": "金额",
    # what a referral is worth, what a complaint costs (JourneyValue.referral / .complaint)
    "value of a referred customer": "被推荐客户的价值", "value of other customers": "其他客户的价值",
    "difference": "差额", "acquisition cost of a referred customer": "被推荐客户的获客成本",
    "net value of a referred customer": "被推荐客户的净价值", "referrals made": "发出的推荐次数",
    "referred customers": "被推荐客户数", "value of one referral made": "每次推荐的价值",
    "customers with a complaint": "有投诉的客户数", "complainers compared": "参与比较的投诉客户数",
    "others compared": "参与比较的其他客户数",
    "cost of a complaint (margin, within channel)": "一次投诉的成本（毛利，按渠道内比较）",
    "mean CLV with a complaint (raw)": "有投诉客户的平均 CLV（未调整）",
    "mean CLV without a complaint (raw)": "无投诉客户的平均 CLV（未调整）",
    "lower 95%": "95% 下限", "upper 95%": "95% 上限",
    "acquisition channel = channel of each customer's first event (no customers table)":
        "获客渠道 = 每位客户第一个事件的渠道（未提供客户表）",
    "NPS by definition": "各口径的 NPS", "window": "时间窗",
}.items()})
# the teaching company's event names where the report shows them: the same Chinese as their value labels
# (toolkit.formatting)
register_text({name: {"zh": _CATALOGUE[f"val.{name}"]["zh"]} for name in (
    "ad_impression", "visit", "sign_up", "trial", "purchase", "repurchase", "referral", "support_contact",
    "complaint", "winback_offer")})


def _path(match):
    """A journey path ``reach → acquisition → …``: each state by its label."""
    from ..formatting import value_label

    return " → ".join(value_label(p) for p in match.group(0).split(" → "))


register_patterns("zh", [
    (r"[\w()…\- |]+(?: → [\w()…\- |]+)+", _path),
    (rf"revenue change after a complaint \((?P<d>{_N}) d\)", r"投诉后的收入变化（\g<d> 天）"),
    (rf"revenue change of others \((?P<d>{_N}) d\)", r"其他客户的收入变化（\g<d> 天）"),
    (rf"LTV = course CLV \(toolkit\.clv\.customer_values, margin (?P<m>{_N})\)",
     r"LTV = 课程 CLV（toolkit.clv.customer_values，毛利率 \g<m>）"),
    # KPI board windows (toolkit.report.kpis)
    (rf"(?P<a>{_DATE}) to (?P<b>{_DATE})", r"\g<a> 至 \g<b>"),
    (rf"as of (?P<d>{_DATE})", r"截至 \g<d>"),
])
register_text({"given": {"zh": "顾问给定"}, "KPI board": {"zh": "KPI 看板"}})

# ------------------------------------------------------------------------------------------ column labels
# Columns of the data, journey and dataset results that the label catalogue (toolkit.formatting) lacks; the English
# is the header label() made from the name before.
register({f"col.{name}": {"en": label(name), "zh": zh}
          for name, zh in {
    # the cleaning report's examples (index: the file's lines, the frame's rows) and the teaching company's tables
    "row": "行", "columns": "列数", "table": "数据表",
    # journey
    "stage_number": "阶段序号", "path": "路径", "steps": "步数", "mean_value": "平均价值", "total_value": "价值合计",
    "state": "状态", "visits": "停留次数", "completed": "已结束", "p25": "25 分位", "p75": "75 分位", "p90": "90 分位",
    "moves": "转移次数", "share_of_from": "占移出的比例", "from": "起点", "to": "终点", "source": "来源",
    "responses": "答卷数", "promoters": "推荐者", "passives": "被动者", "detractors": "贬损者",
    "promoter_share": "推荐者占比", "passive_share": "被动者占比", "detractor_share": "贬损者占比",
    "lower": "下限", "upper": "上限", "entry_channel": "进入渠道", "exit_stage": "离开时所处阶段",
    "furthest_stage": "到达的最远阶段", "referrals": "推荐次数", "complaints": "投诉次数", "total_clv": "CLV 合计",
    "entry_time": "进入时间", "exit_rate": "退出率", "antecedent": "前项品类", "consequent": "后项品类",
    "baskets": "购物篮数", "support": "支持度", "confidence": "置信度", "lift": "提升度", "because_of": "推荐依据",
    "ltv_cac": "LTV/CAC", "people reached": "触达人数", "score": "得分",
}.items() if f"col.{name}" not in _CATALOGUE})
register({"col.sheet row": {"en": "Sheet row", "zh": "工作表行"}})

# the index name of the example rows an error message quotes (their line in the file)
register_text({"line": {"zh": "文件行号"}})
