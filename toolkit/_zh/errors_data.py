"""Chinese of the error and warning messages of errors_data (see toolkit._zh).

The data layer: :mod:`toolkit.data` (reading files, validating transactions and event logs: the bad-row messages
with their fixes, the cleaning report inside "no rows are left"), :mod:`toolkit._validate` (output paths, event
flags, time units; the number checks are in :mod:`toolkit._zh.errors_analyses`), :mod:`toolkit.customers`,
:mod:`toolkit.datasets`, :mod:`toolkit.scale` and the command line. The cleaning report's reasons and notes
themselves are translated with the results (:mod:`toolkit.report.zh`, :mod:`toolkit._zh.results_data`).

Every pattern is anchored on the English wording of one message template. Replacements are functions that keep
what the reader types or looks up exactly as raised -- column names, values, ``argument=value``, example rows --
and translate only the parts that are prose (a reason, a fix, a hint), so a column called ``period`` or ``total``
is never turned into Chinese. Words that are names of formats or programs (``CSV``, ``Excel``, ``UTF-8``) are set
in backticks, like the code they are.
"""

from __future__ import annotations

import re

from ..i18n import localize, register_patterns, register_text
from ._common import zh as _zh

_N = r"[-+−]?[\d,]*\.?\d+(?:e[-+]?\d+)?"  # a number as the toolkit prints it
_C = r"[\d,]+"  # a count, with thousands separators
#: where example rows are: "rows [3, 7]" (the frame's index), "line 5" / "lines 5, 9" (a file), "sheet rows 3, 4"
_W = r"(?:rows \[[^\]]*\]|(?:line|sheet row)s? \d+(?:, \d+)*)"


def _where(text):
    """'rows [3, 7]' -> '行 [3, 7]', 'lines 5, 9' -> '文件第 5, 9 行', 'sheet rows 3, 4' -> '工作表第 3, 4 行'."""
    if text is None:
        return ""
    m = re.fullmatch(r"rows (\[.*\])", text)
    if m:
        return f"行 {m[1]}"
    m = re.fullmatch(r"sheet rows? (.+)", text)
    if m:
        return f"工作表第 {m[1]} 行"
    m = re.fullmatch(r"lines? (.+)", text)
    if m:
        return f"文件第 {m[1]} 行"
    return text


def _val(text):
    """A value as the message printed it; words that are not quoted or bracketed (nan, None, list [1]) in
    backticks, so that they read as the value they are."""
    if text is None:
        return ""
    t = text.strip()
    if re.search(r"[A-Za-z]{3,}", t) and not re.fullmatch(r"'[^']*'|\"[^\"]*\"|\[.*\]|\{.*\}|`[^`]*`", t):
        return f"`{t}`"
    return t


def _code(text):
    """A name or path in backticks (a plain word such as ``margin`` or a folder would read as English prose)."""
    if text is None:
        return ""
    return text if text.startswith("`") else f"`{text}`"


def _dym(hints):
    """The Chinese of _suggest's ' Did you mean 'a', 'b'?'."""
    return f"是否想用 {hints}？" if hints else ""


_WHAT = {"transaction": "交易", "event": "事件", "table": "表格"}
_WHATS = {"transactions": "交易数据", "events": "事件数据", "tables": "表格"}


def _what(word, plural=False):
    table = _WHATS if plural else _WHAT
    return table.get(word, _code(word))


def _fill(template, m, **extra):
    """``template`` with ``{name}`` fields from the match's groups (as raised) and ``extra`` (translated)."""
    values = {k: ("" if v is None else v) for k, v in m.groupdict().items()}
    values.update(extra)
    return template.format(**values)


def _t(template, **funcs):
    """A replacement: ``template.format`` of the groups, each group in ``funcs`` passed through its function."""
    def replace(m):
        done = {k: f(m.group(k)) for k, f in funcs.items()}
        return _fill(template, m, **done)
    return replace


_P = []


def _add(regex, replacement):
    _P.append((regex, replacement if callable(replacement) else _t(replacement)))


# ================================================================================== reasons, fixes, notes
# The reasons and notes of the cleaning report themselves are translated with the report's results
# (toolkit.report.zh, toolkit._zh.results_data); here: how to fix each reason, and the messages around them.

# How to fix each reason (toolkit.data._FIX and _EVENT_FIX), shown after "Fix:".
_FIXES = {
    "fill or remove rows without a customer id, or pass on_bad_rows='drop'":
        "补全或删除没有客户编号的行，或传入 on_bad_rows='drop'",
    "fill or remove rows without a date, or pass on_bad_rows='drop'":
        "补全或删除没有日期的行，或传入 on_bad_rows='drop'",
    "pass date_format= (e.g. '%d/%m/%Y'), fix the values, or pass on_bad_rows='drop'":
        "传入 date_format= （例如 '%d/%m/%Y'）、修正这些值，或传入 on_bad_rows='drop'",
    "dates before 1677-09-22 or after 2262-04-10 cannot be held (pandas counts nanoseconds in 64 bits); a typo "
    "in the year? Fix the values, or pass on_bad_rows='drop'":
        "早于 1677-09-22 或晚于 2262-04-10 的日期无法表示（`pandas` 用 64 位整数计纳秒）；是不是年份写错了？"
        "请修正这些值，或传入 on_bad_rows='drop'",
    "a date after tomorrow (no export holds future purchases) or more than twice the span of the bulk of the "
    "dates (at least a year) before or after it is most likely a typo; fix the values, pass on_bad_rows='drop' "
    "to drop them, or date_outliers='keep' if they are genuine":
        "晚于明天的日期（导出数据中不会有未来的购买），或早于、晚于大部分日期所覆盖时段、且相距超过该时段两倍长度"
        "（至少一年）的日期，很可能是笔误；请修正这些值，传入 on_bad_rows='drop' 删除它们，或在它们确实无误时传入 "
        "date_outliers='keep'",
    "fill or remove rows without an amount, or pass on_bad_rows='drop'":
        "补全或删除没有金额的行，或传入 on_bad_rows='drop'",
    "fix the values (formatted money needs parse_amounts=True; values written with the other decimal "
    "separator than decimal= says are unreadable), or pass on_bad_rows='drop'":
        "修正这些值（带格式的金额需要 parse_amounts=True；小数分隔符与 decimal= 所指不同的值无法识别），"
        "或传入 on_bad_rows='drop'",
    "amounts are money, not rates: fix the values, or pass on_bad_rows='drop'":
        "金额应是钱数而不是比率：请修正这些值，或传入 on_bad_rows='drop'",
    "replace inf values, or pass on_bad_rows='drop'": "替换 `inf` 值，或传入 on_bad_rows='drop'",
    "fix the item counts (thousands separators need parse_amounts=True), or pass on_bad_rows='drop'":
        "修正商品数量（带千位分隔符的数字需要 parse_amounts=True），或传入 on_bad_rows='drop'",
    "fix the values (money off the order; formatted money needs parse_amounts=True), or pass "
    "on_bad_rows='drop'":
        "修正这些值（折扣是订单减免的金额；带格式的金额需要 parse_amounts=True），或传入 on_bad_rows='drop'",
    "the discount column is money off the order, not a rate: convert rates to money before loading "
    "(amount x rate / (1 - rate) when amounts are after the discount), or pass on_bad_rows='drop'":
        "折扣列是订单减免的金额，不是比率：请在加载前把比率换算成金额（金额为折后金额时，折扣 = "
        "`amount x rate / (1 - rate)`），或传入 on_bad_rows='drop'",
    "pass a later observation_end, or on_bad_rows='drop' to cut the log at that date":
        "传入更晚的 observation_end，或传入 on_bad_rows='drop' 在该日期截断日志",
    "pass duplicates='drop' if these are copies made by the export, or duplicates='keep' if they are genuine "
    "identical purchases (e.g. day-resolution dates without order ids), or line_key= naming the columns that "
    "identify a line":
        "如果这些是导出时产生的副本，请传入 duplicates='drop'；如果它们确实是完全相同的多次购买（例如日期只精确到天、"
        "又没有订单号），请传入 duplicates='keep'；或用 line_key= 指定能识别一行的列",
    "pass on_bad_rows='net' to net refunds against the customer's earlier purchases, or "
    "on_bad_rows='drop' to remove them":
        "传入 on_bad_rows='net' 将退款与该客户此前的购买相抵，或传入 on_bad_rows='drop' 删除它们",
    "pass zero_amounts='keep' to count them as purchases, or zero_amounts='drop'":
        "传入 zero_amounts='keep' 将其计为购买，或传入 zero_amounts='drop'",
    "fill or remove rows without an event name, or pass on_bad_rows='drop'":
        "补全或删除没有事件名称的行，或传入 on_bad_rows='drop'",
    "pass duplicates='drop' if these are export duplicates, or duplicates='keep' if identical touchpoints "
    "at the same time are genuine (e.g. day-resolution logs)":
        "如果这些是导出产生的重复，请传入 duplicates='drop'；如果同一时间的相同触点确实存在（例如时间只精确到天的日志），"
        "请传入 duplicates='keep'",
}


def _note(text):
    """A note of the cleaning report (translated with the results): whole, else its parts joined by '; '."""
    done = _zh(text)
    if done != text or "; " not in text:
        return done
    return "；".join(_zh(part) for part in text.split("; "))


# ================================================================================== bad rows (DataQualityError)
# "N of M rows break the transaction contract:" then, line by line, "- reason in column 'x': n rows (first at
# rows [..]). Fix: ...." and the example rows (indented: left as the file holds them).
_add(rf"(?P<n>{_C}) of (?P<m>{_C}) rows(?P<part> of one partition)? break the (?P<kind>transaction|event) contract:",
     lambda m: f"{m['m']} 行数据中有 {m['n']} 处不符合{'交易' if m['kind'] == 'transaction' else '事件'}数据的规则"
               + ("（一个分区内的计数）" if m["part"] else "") + "：")
_add(rf"- (?P<reason>.+?) in (?P<col>every column|column .+?): (?P<n>{_C}) rows(?: \(first at (?P<w>{_W})\))?\. "
     r"Fix: (?P<fix>.+?)\.?",
     lambda m: f"- {_zh(m['reason'])}（" + ("所有列" if m["col"] == "every column" else f"列 {m['col'][7:]}")
               + f"）：{m['n']} 行" + (f"（最先出现在{_where(m['w'])}）" if m["w"] else "")
               + f"。修正方法：{_zh(m['fix'])}。")
_add(r"\(Counts are for one partition; PartitionedTransactions\.report adds them up over the whole log\.\)",
     "（以上计数仅针对一个分区；PartitionedTransactions.report 会汇总整个日志的计数。）")


def _report_line(line):
    """One line of CleaningReport's repr in Chinese (the two-space indent kept)."""
    m = re.fullmatch(rf"CleaningReport: (?P<a>{_C}) rows in = (?P<b>{_C}) kept \+ (?P<c>{_C}) dropped", line)
    if m:
        return f"清洗报告（CleaningReport）：输入 {m['a']} 行 = 保留 {m['b']} 行 + 删除 {m['c']} 行"
    m = re.fullmatch(r"  money: (?P<a>\S+) in = (?P<b>\S+) kept \+ (?P<c>\S+) dropped or netted", line)
    if m:
        return f"  金额：输入 {m['a']} = 保留 {m['b']} + 删除或相抵 {m['c']}"
    m = re.fullmatch(rf"  dropped (?P<n>{_C}): (?P<r>.+) \(money (?P<m>\S+)\)", line)
    if m:
        return f"  删除 {m['n']} 行：{_zh(m['r'])}（金额 {m['m']}）"
    m = re.fullmatch(rf"  kept +(?P<n>{_C}): (?P<r>.+?)(?: \(money taken off (?P<m>\S+)\))?", line)
    if m:
        return f"  保留 {m['n']} 行：{_zh(m['r'])}" + (f"（扣除金额 {m['m']}）" if m["m"] else "")
    m = re.fullmatch(r"  note: (?P<t>.+)", line)
    if m:
        return f"  说明：{_note(m['t'])}"
    return line


_add(rf"No rows are left after cleaning \((?P<n>{_C}) in\)\. (?P<rep>CleaningReport: .*)",
     lambda m: f"清洗后没有剩下任何行（输入 {m['n']} 行）。\n"
               + "\n".join(_report_line(line) for line in m["rep"].split("\n")))

# ================================================================================== columns and mapping
_add(r"exclude_items= \(a pattern\) needs item= or description= to search in\.",
     "exclude_items= （正则表达式）需要 item= 或 description= 指明在哪一列中查找。")
_add(r"exclude_items= \(item codes\) needs item= \(the item code column\); or pass a regular expression to search "
     r"the description= column\.",
     "exclude_items= （商品编码列表）需要 item= （商品编码列）；或者传入正则表达式，在 description= 列中查找。")
_add(r"Map the money once: amount= \(money per row\), or price= with quantity= \(amount = quantity x unit price\)\.",
     "金额只需映射一次：用 amount= （每行的金额），或用 price= 加 quantity= （金额 = 数量 × 单价）。")
_add(r"Pass amount= or price= \(with quantity=\), not both\.",
     "请传入 amount= 或 price= （配合 quantity= ），不要两者都传。")
_add(r"price= needs quantity=: the money of a row is quantity x unit price\.",
     "price= 需要配合 quantity= ：一行的金额 = 数量 × 单价。")
_add(r"line_key=(?P<lk>.+?): (?P<miss>\[.*?\]|no columns) not in the frame\.(?: Did you mean (?P<dym>.+?)\?)? "
     r"Available columns: (?P<cols>\[.*\])\.",
     lambda m: f"line_key={m['lk']}：" + ("没有指定任何列" if m["miss"] == "no columns" else f"{m['miss']} 不在数据表中")
               + f"。{_dym(m['dym'])}现有的列：{m['cols']}。")
_add(r"Expected a pandas DataFrame of (?P<k>transactions|events), got (?P<t>.+?)\.",
     lambda m: f"需要 `pandas` DataFrame 形式的{'交易' if m['k'] == 'transactions' else '事件'}数据，"
               f"收到的是 {_code(m['t'])}。")
_add(r"Column names must be unique; duplicated: (?P<d>\[.*\])\. Rename them first\.",
     "列名必须唯一；重复的列名：{d}。请先重命名。")
_add(r"The (?P<k>transaction|event) frame is empty \(0 rows\): nothing to analyse\. Check the file or filter\.",
     lambda m: f"{'交易' if m['k'] == 'transaction' else '事件'}数据表为空（0 行）：没有可分析的内容。请检查文件或筛选条件。")


def _not_columns(m):
    parts = []
    for one in re.finditer(r"(?P<key>\w+)=(?P<col>.+?) is not a column\.(?: Did you mean (?P<dym>.+?)\?)?(?: |$)",
                           m["body"]):
        parts.append(f"{one['key']}={one['col']} 不是数据表中的列。{_dym(one['dym'])}")
    return "".join(parts) + f"现有的列：{m['cols']}。"


_add(r"(?P<body>\w+=.+? is not a column\..*?) Available columns: (?P<cols>\[.*\])\.", _not_columns)
_add(r"One column is mapped to two roles: (?P<m>\{.*\})\. Map each role to its own column\.",
     "同一列被映射到了两个角色：{m}。请为每个角色映射各自的列。")
_add(r"The customer id column holds booleans: map `customer=` to the id column\.",
     "客户编号列存放的是布尔值：请把 `customer=` 映射到客户编号列。")
_add(r"A raw (?P<ev>event )?frame needs its column names: pass (?P<args>.+?) \(or build "
     r"toolkit\.(?P<cls>Transactions|Events)\.from_frame once and reuse it\)\.",
     lambda m: f"原始{'事件' if m['ev'] else '交易'}数据表需要指明列名：请传入 {m['args']} "
               f"（或先用 toolkit.{m['cls']}.from_frame 构建一次，之后重复使用）。")
_add(r"Expected toolkit\.(?P<cls>Transactions|Events) or a pandas DataFrame, got (?P<t>.+?)\.",
     _t("需要 toolkit.{cls} 或 `pandas` DataFrame，收到的是 {t}。", t=_code))
_add(r"transactions= must be a toolkit\.Transactions \(build it with Transactions\.from_frame first\), got "
     r"(?P<t>.+?)\.",
     _t("transactions= 必须是 toolkit.Transactions（请先用 Transactions.from_frame 构建），收到的是 {t}。", t=_code))

# ================================================================================== dates
_add(r"No value of column (?P<c>.+?) could be read as a date \(e\.g\. (?P<ex>.+)\)\. Check that `time=` names the "
     r"date column, or pass date_format=\.",
     "列 {c} 中没有任何值能读成日期（例如 {ex}）。请检查 `time=` 是否指向日期列，或传入 date_format= 。")
_add(r"Column (?P<c>.+?) holds no date at all \((?P<m>[\d,]+) rows missing\): nothing can be placed in time\. Check "
     r"that `time=` names the date column\.",
     "列 {c} 中完全没有日期（{m} 行缺失）：无法确定任何一行的时间。请检查 `time=` 是否指向日期列。")
_add(r"Column (?P<c>.+?) holds booleans, not dates\. Map `time=` to the date column\.",
     "列 {c} 存放的是布尔值，不是日期。请把 `time=` 映射到日期列。")
_add(rf"Column (?P<c>.+?): the order of day and month cannot be told from the values\. Every date reads both ways "
     rf"and none has a day above 12 \(e\.g\. (?P<ex>.+) at (?P<w>{_W}); '05/06/2024' is 5 June day-first, 6 May "
     r"month-first\)\. Say which: pass date_format=(?P<f1>.+?) \(day first\) or date_format=(?P<f2>.+?) \(month "
     r"first\), or dayfirst=True / dayfirst=False\.",
     _t("列 {c}：无法从数值判断日和月的先后顺序。每个日期两种读法都成立，且没有一个日大于 12（例如 {ex}，位于{w}；"
        "'05/06/2024' 按日在前是 6 月 5 日，按月在前是 5 月 6 日）。请指明顺序：传入 date_format={f1} （日在前）"
        "或 date_format={f2} （月在前），或传入 dayfirst=True / dayfirst=False 。", w=_where))
_add(r"Column (?P<c>.+?) is numeric \((?P<dt>\w+)\)(?: \((?P<a>\S+) to (?P<b>\S+)\))?: neither YYYYMMDD dates nor "
     r"Excel serial day numbers \(about 25569-73051 for 1970-2099\), and the time unit of other numbers is "
     r"ambiguous\. Convert it first, e\.g\. (?P<code>pd\.to_datetime\(df\[col\], unit='s'\)) for Unix seconds\.",
     lambda m: f"列 {m['c']} 是数值列（`{m['dt']}`）" + (f"（{m['a']} 至 {m['b']}）" if m["a"] else "")
               + "：既不是 `YYYYMMDD` 格式的日期，也不是 `Excel` 日期序列号（1970-2099 年约为 25569-73051），"
               f"而其他数字的时间单位无法确定。请先转换，例如 `Unix` 秒可用 `{m['code']}`。")
_add(rf"Column (?P<c>.+?) holds day-first dates \((?P<n1>{_C}), e\.g\. (?P<e1>.+?) at (?P<w1>{_W})\) and "
     rf"month-first dates \((?P<n2>{_C}), e\.g\. (?P<e2>.+?) at (?P<w2>{_W})\): one column has one format\. Pass "
     r"date_format= with the format of most rows \(e\.g\. '%d/%m/%Y'\); the others are then reported as unparseable, "
     r"and fixed or dropped with on_bad_rows='drop'\.",
     _t("列 {c} 中既有日在前的日期（{n1} 个，例如 {e1}，位于{w1}），也有月在前的日期（{n2} 个，例如 {e2}，位于{w2}）："
        "一列只能有一种格式。请用 date_format= 传入大多数行的格式（例如 '%d/%m/%Y'）；其余的值将报告为无法识别，"
        "可以修正，或用 on_bad_rows='drop' 删除。", w1=_where, w2=_where))
_add(rf"Column (?P<c>.+?) mixes time zones: (?P<k>\d+) different zones or UTC offsets \((?P<z>.+?)\), e\.g\. "
     rf"(?P<ex>\[.*?\]) at (?P<w>{_W})\. Local times of different zones do not compare: convert every value to one "
     r"zone first, e\.g\. (?P<code>.+), and pass that\.",
     _t("列 {c} 混用了多个时区：共有 {k} 个不同的时区或 `UTC` 偏移（{z}），例如 {ex}，位于{w}。不同时区的本地时间"
        "无法相互比较：请先把所有值转换到同一时区，例如 {code}，再传入转换后的结果。", z=_code, w=_where, code=_code))
_add(rf"Column (?P<c>.+?) mixes times with a time zone \((?P<n1>{_C}), e\.g\. (?P<e1>.+?) at (?P<w1>{_W})\) and "
     rf"without one \((?P<n2>{_C}), e\.g\. (?P<e2>.+?) at (?P<w2>{_W})\): which zone the others are in cannot be "
     r"told\. Write every value with its offset, or every value in local time without one \(e\.g\. (?P<code>.+)\)\.",
     _t("列 {c} 中既有带时区的时间（{n1} 个，例如 {e1}，位于{w1}），也有不带时区的时间（{n2} 个，例如 {e2}，"
        "位于{w2}）：无法判断后者属于哪个时区。请让每个值都带上偏移，或都写成不带偏移的本地时间（例如 {code}）。",
        w1=_where, w2=_where, code=_code))

# ================================================================================== money and numbers
_ROLE_ZH = {"amounts": "金额", "prices": "价格", "discounts": "折扣", "quantities": "数量"}

_add(rf"Column (?P<c>.+?) mixes decimal separators: (?P<n1>{_C}) use a decimal point \(e\.g\. (?P<e1>.+?); first at "
     rf"(?P<w1>{_W})\) and (?P<n2>{_C}) use a decimal comma \(e\.g\. (?P<e2>.+?); first at (?P<w2>{_W})\)\. Fix the "
     r"column at the source, or pass decimal='\.' or decimal=',' to read one style: values written in the other "
     r"become unparseable rows \(on_bad_rows='drop' drops and reports them\)\.",
     _t("列 {c} 混用了小数分隔符：{n1} 个值用小数点（例如 {e1}；最先出现在{w1}），{n2} 个值用小数逗号（例如 {e2}；"
        "最先出现在{w2}）。请在源头修正该列，或传入 decimal='.' 或 decimal=',' 只按一种写法读取：另一种写法的值将成为"
        "无法识别的行（on_bad_rows='drop' 会删除并报告它们）。", w1=_where, w2=_where))
_add(rf"Column (?P<c>.+?): the decimal separator cannot be told from the values\. (?P<n>{_C}) values such as "
     rf"(?P<ex>.+?) \(first at (?P<w>{_W})\) read two ways \((?P<t>.+?) is (?P<a>\S+) with a decimal point and "
     r"(?P<b>\S+) with a decimal comma\), and no value settles it\. Pass decimal='\.' or decimal=','\.",
     _t("列 {c}：无法从数值判断小数分隔符。有 {n} 个值（例如 {ex}，最先出现在{w}）有两种读法（{t} 按小数点读是 {a}，"
        "按小数逗号读是 {b}），且没有任何值能确定是哪一种。请传入 decimal='.' 或 decimal=','。", w=_where))
_add(r"Column (?P<c>.+?) holds booleans, not (?P<what>amounts|prices|discounts|quantities)\. Map `(?P<role>\w+)=` to "
     r"the (?P<col>money|item count) column\.",
     lambda m: f"列 {m['c']} 存放的是布尔值，不是{_ROLE_ZH[m['what']]}。请把 `{m['role']}=` 映射到"
               + ("金额列。" if m["col"] == "money" else "商品数量列。"))
_add(rf"Column (?P<c>.+?) holds percentages \(e\.g\. (?P<ex>.+?) at (?P<w>{_W})\), but the discount column is money "
     r"off the order \(list price = amount \+ discount\)\. Convert the rates to money before loading \(discount = "
     r"amount x rate / \(1 - rate\) when amounts are after the discount\), or do not map discount=\.",
     _t("列 {c} 存放的是百分比（例如 {ex}，位于{w}），但折扣列应是订单减免的金额（标价 = 金额 + 折扣）。请在加载前"
        "把比率换算成金额（金额为折后金额时，折扣 = `amount x rate / (1 - rate)`），或者不映射 discount= 。", w=_where))
_add(rf"Column (?P<c>.+?) holds percentages \(e\.g\. (?P<ex>.+?) at (?P<w>{_W})\), not money: map `(?P<role>\w+)=` "
     r"to the money column\.",
     _t("列 {c} 存放的是百分比（例如 {ex}，位于{w}），不是金额：请把 `{role}=` 映射到金额列。", w=_where))


def _formatted_hint(hint):
    if not hint:
        return ""
    m = re.fullmatch(r"; but the column mixes a decimal point \(e\.g\. (?P<a>.+?)\) and a decimal comma \(e\.g\. "
                     r"(?P<b>.+?)\): fix it at the source, or also pass decimal='\.' or decimal=',' to read one style",
                     hint)
    if m:
        return (f"；但该列混用了小数点（例如 {m['a']}）和小数逗号（例如 {m['b']}）：请在源头修正，或同时传入 "
                "decimal='.' 或 decimal=',' 只按一种写法读取")
    m = re.fullmatch(r"; no value tells the decimal separator \((?P<a>.+?) read two ways\), so also pass "
                     r"decimal='\.' or decimal=','", hint)
    if m:
        return f"；没有任何值能确定小数分隔符（{m['a']} 有两种读法），因此还需传入 decimal='.' 或 decimal=','"
    m = re.fullmatch(r" \(the values have a decimal comma, e\.g\. (?P<a>.+?): it is read from the column\)", hint)
    if m:
        return f"（这些值使用小数逗号，例如 {m['a']}：会根据该列自动识别）"
    m = re.fullmatch(r" \(the values have a decimal point, e\.g\. (?P<a>.+?)\)", hint)
    if m:
        return f"（这些值使用小数点，例如 {m['a']}）"
    return hint


_add(rf"Column (?P<c>.+?) has (?P<n>{_C}) non-numeric (?P<what>amounts|prices|discounts|quantities) \(e\.g\. "
     rf"(?P<ex>.+?)\) at (?P<w>{_W})\. They look like (?P<look>formatted money|numbers with thousands separators): "
     r"pass parse_amounts=True to read currency symbols, thousands separators and parentheses(?P<hint>.*?)\.(?: "
     rf"(?P<k>{_C}) other values are not numbers \(e\.g\. (?P<ex2>.+?)\): they count as bad rows\.)?",
     lambda m: f"列 {m['c']} 有 {m['n']} 个非数字的{_ROLE_ZH[m['what']]}（例如 {m['ex']}），位于{_where(m['w'])}。"
               + ("它们看起来是带格式的金额" if m["look"] == "formatted money" else "它们看起来是带千位分隔符的数字")
               + f"：请传入 parse_amounts=True 以识别货币符号、千位分隔符和括号{_formatted_hint(m['hint'])}。"
               + (f"另有 {m['k']} 个值不是数字（例如 {m['ex2']}）：它们按问题行处理。" if m["k"] else ""))

# ================================================================================== files
_SEP_ZH = {"tab": "制表符"}


def _sep(text):
    return _SEP_ZH.get(text, text)


_add(r"(?P<p>.+?) is a folder, not a (?P<w>\w+) file: name the file inside it\.",
     lambda m: f"{_code(m['p'])} 是文件夹，不是{_what(m['w'])}文件：请指定其中的文件。")
_add(r"Unsupported file type (?P<s>'.*?') for (?P<f>.+?): use CSV, Parquet or Excel\.",
     _t("不支持 {f} 的文件类型 {s}：请使用 `CSV`、`Parquet` 或 `Excel` 文件。", f=_code))
_add(r"(?P<f>.+?) is empty \(0 bytes\): nothing was exported into it\. Export the (?P<w>\w+) again, or check the "
     r"path\.",
     lambda m: f"{m['f']} 是空文件（0 字节）：导出时没有写入任何内容。请重新导出{_what(m['w'], True)}，或检查路径。")
_add(r"(?P<f>.+?) cannot be read as Parquet \((?P<e>\w+)\): the file is damaged or cut short\. Export it again\.",
     _t("{f} 无法按 `Parquet` 读取（{e}）：文件已损坏或不完整。请重新导出。", e=_code))
_add(r"(?P<f>.+?) holds no rows \(only the column names\): export the (?P<w>\w+) again\.",
     lambda m: f"{m['f']} 没有数据行（只有列名）：请重新导出{_what(m['w'], True)}。")
_add(r"(?P<f>.+?) holds no table: only blank lines \(or separators\)\. Export the (?P<w>\w+) again, or check the "
     r"path\.",
     lambda m: f"{m['f']} 中没有表格：只有空行（或分隔符）。请重新导出{_what(m['w'], True)}，或检查路径。")
_add(r"(?P<f>.+?) holds no table(?: below line (?P<k>\d+))?: only blank lines\. Check the file, or skiprows=\.",
     lambda m: f"{m['f']}" + (f" 第 {m['k']} 行以下" if m["k"] else " ") + "没有表格：只有空行。请检查文件，或检查 skiprows= 。")
_add(r"(?P<f>.+?), line (?P<l>\d+): a quote opened on this line is never closed, so the rest of the file reads as "
     r"one value\. Fix the quoting of that value\.(?P<shown>\n.*)?",
     "{f} 第 {l} 行：这一行开始的引号没有闭合，导致文件余下的部分被读成了一个值。请修正该值的引号。{shown}")
_add(r"(?P<f>.+?) cannot be read as a table: (?P<t>.+)\. Check sep= and quoting \(read_kwargs=\{'sep': \.\.\.\}\)\.",
     lambda m: f"{m['f']} 无法读成表格：“{m['t'].replace(chr(10), ' ')}”。请检查 sep= 和引号设置"
               "（read_kwargs={'sep': ...}）。")


def _parser_cause(cause):
    m = re.fullmatch(r"the separator is probably (?P<a>.+?), not (?P<b>.+?): the header line splits into (?P<k>\d+) "
                     r"fields with it\. Pass read_kwargs=(?P<kw>\{.*\})", cause)
    if m:
        return (f"分隔符很可能是 {_sep(m['a'])} 而不是 {_sep(m['b'])}：用它拆分表头行可得到 {m['k']} 个字段。"
                f"请传入 read_kwargs={m['kw']}")
    if cause == "a quote on that line is not closed, so the value runs into the next ones. Fix the quoting":
        return "该行有一个引号没有闭合，导致这个值与后面的值连在了一起。请修正引号"
    m = re.fullmatch(r"a value on that line contains the separator (?P<s>.+?) without quotes \(e\.g\. a description "
                     r"with commas or spaces\)\. Quote such values in the export, or pass the right separator with "
                     r"read_kwargs=\{'sep': \.\.\.\}", cause)
    if m:
        return (f"该行有一个值包含分隔符 {_sep(m['s'])} 却没有加引号（例如含逗号或空格的商品描述）。请在导出时给这类值"
                "加上引号，或用 read_kwargs={'sep': ...} 传入正确的分隔符")
    if cause == "the line has more values than the header has names. Check the separator and quoting":
        return "该行的值比表头的列名多。请检查分隔符和引号"
    return cause


_add(r"(?P<f>.+?), line (?P<l>\d+): expected (?P<e>\d+) fields \(as in the header\), found (?P<s>\d+); "
     r"(?P<cause>.+?)\.(?P<shown>\n.*)?",
     _t("{f} 第 {l} 行：应有 {e} 个字段（与表头一致），实际有 {s} 个；{cause}。{shown}", cause=_parser_cause))


def _encoding_hint(hint):
    m = re.fullmatch(r"it decodes as (?P<g>'[^']*') \(gbk for Chinese Windows exports, latin-1 for Western ones\): "
                     r"pass read_kwargs=(?P<kw>\{.*\})", hint)
    if m:
        return (f"它可以按 {m['g']} 解码（`gbk` 用于中文 `Windows` 导出的文件，`latin-1` 用于西文文件）："
                f"请传入 read_kwargs={m['kw']}")
    m = re.fullmatch(r"pass read_kwargs=(?P<kw>\{.*\})", hint)
    if m:
        return f"请传入 read_kwargs={m['kw']}"
    return hint


_add(r"(?P<f>.+?) is (?:not (?P<enc>.+?) text|(?P<auto>neither UTF-8 \(with or without a byte-order mark\) nor "
     rf"Chinese GB18030/GBK text)) \(byte (?P<b>.+?) at position (?P<p>{_C})\); (?P<hint>.+)\.",
     lambda m: f"{m['f']} "
               + ("既不是 `UTF-8` 文本（无论是否带字节顺序标记），也不是中文 `GB18030`/`GBK` 文本" if m["auto"]
                  else f"不是 {_code(m['enc'])} 编码的文本")
               + f"（位置 {m['p']} 处的字节 {m['b']}）；{_encoding_hint(m['hint'])}。")

_KINDS = {
    "a zip archive (an Excel .xlsx workbook is one)": "`zip` 压缩包（`Excel` 的 `.xlsx` 工作簿就是这种格式）",
    "an old Excel workbook (.xls)": "旧版 `Excel` 工作簿（`.xls`）",
    "a Parquet file": "`Parquet` 文件",
    "a PDF document": "`PDF` 文档",
    "a gzip-compressed file (unpack it first)": "`gzip` 压缩文件（请先解压）",
    "a PNG image": "`PNG` 图片",
    "a JPEG image": "`JPEG` 图片",
    "a binary file, not text": "二进制文件，而不是文本",
}
_WANTED = {"a Parquet file": "`Parquet` 文件", "a text (CSV) file": "文本（`CSV`）文件",
           "an Excel workbook": "`Excel` 工作簿"}


def _sp(text):
    """A space before text that starts with code (backticks), as Chinese text sets Latin words apart."""
    return f" {text}" if text.startswith("`") else text


def _what_file(what):
    if what == "it holds text (CSV?): rename it to .csv":
        return "它存放的是文本（`CSV`？）：请将其重命名为 `.csv`"
    for kind, zh in _KINDS.items():
        if what.startswith(f"it is {kind}"):
            rest = what[len(f"it is {kind}"):]
            if rest == "; export the table as CSV, Excel or Parquet":
                return f"它是{_sp(zh)}；请把表格导出为 `CSV`、`Excel` 或 `Parquet`"
            m = re.fullmatch(r": rename it to (?P<s>\.\w+)", rest)
            if m:
                return f"它是{_sp(zh)}：请将其重命名为 `{m['s']}`"
    return what


_add(r"(?P<f>.+?) is not (?P<want>a Parquet file|a text \(CSV\) file|an Excel workbook): (?P<what>.+) \(the file "
     r"name's ending decides how it is read\)\.",
     lambda m: f"{m['f']} 不是{_sp(_WANTED[m['want']])}：{_what_file(m['what'])}（文件的扩展名决定按什么格式读取）。")
_add(r"(?P<f>.+?) cannot be opened as an Excel workbook \((?P<e>\w+)\): the file is damaged, cut short or not a "
     r"workbook\. Open it in Excel and save it again, or export the table as CSV\.",
     _t("{f} 无法作为 `Excel` 工作簿打开（{e}）：文件已损坏、不完整，或者根本不是工作簿。请在 `Excel` 中打开并重新保存，"
        "或把表格导出为 `CSV`。", e=_code))
_add(r"(?P<f>.+?) has no sheet (?P<s>.+?); its sheets are (?P<l>.+?)\.(?: Did you mean (?P<dym>.+?)\?)? Pass "
     r"sheet_name= with one of them\.",
     _t("{f} 中没有工作表 {s}；它的工作表有 {l}。{dym}请用 sheet_name= 传入其中之一。", dym=_dym))
_add(r"(?P<f>.+?) has (?P<n>\d+) sheets? \((?P<l>.+?)\); sheet number (?P<k>-?\d+) is not one of them \(sheets count "
     r"from 0\)\. Pass sheet_name= with a sheet's name or number\.",
     "{f} 共有 {n} 个工作表（{l}）；其中没有编号为 {k} 的工作表（编号从 0 开始）。请用 sheet_name= 传入工作表的名称或编号。")
_add(r"sheet_name= must name one sheet \(its name or 0-based number\), got (?P<v>.+)\.",
     _t("sheet_name= 必须指定一个工作表（名称或从 0 开始的编号），收到的是 {v}。", v=_val))
_add(r"(?P<f>.+?)(?:, sheet (?P<s>.+?))? cannot be read \((?P<e>\w+): (?P<t>.*)\)\. Open it in Excel and save it "
     r"again, or export the table as CSV\.",
     lambda m: f"{m['f']}" + (f"（工作表 {m['s']}）" if m["s"] else " ") + f"无法读取（{_code(m['e'])}："
               f"“{m['t'].replace(chr(10), ' ')}”）。请在 `Excel` 中打开并重新保存，或把表格导出为 `CSV`。")


def _header_hint(hint):
    out = []
    rest = hint
    steps = (
        ((r" \(The header was taken from (?P<label>line|sheet row) (?P<k>\d+), the row that holds most of the mapped "
          r"names\.\)"),
         lambda m: f"（表头取自{'文件' if m['label'] == 'line' else '工作表'}第 {m['k']} 行，即包含已映射列名最多的那一行。）"),
        ((r" The header was read as one column: the separator looks like (?P<sep>.+?); pass "
          r"read_kwargs=(?P<kw>\{.*?\})\."),
         lambda m: f"表头被读成了一列：分隔符看起来是 {_sep(m['sep'])}；请传入 read_kwargs={m['kw']}。"),
        (r" This is sheet (?P<s>'.*?') of (?P<all>.+?)\.(?= Sheet | Pass |$)",
         lambda m: f"当前读取的是工作表 {m['s']}（全部工作表：{m['all']}）。"),
        (r" Sheet (?P<h>'.*?') holds every mapped column: pass sheet_name=(?P<h2>'.*?')\.",
         lambda m: f"工作表 {m['h']} 包含所有已映射的列：请传入 sheet_name={m['h2']}。"),
        (r" Pass sheet_name= to read another sheet\.", lambda m: "请用 sheet_name= 读取其他工作表。"),
    )
    while rest:
        for regex, replace in steps:
            m = re.match(regex, rest)
            if m:
                out.append(replace(m))
                rest = rest[m.end():]
                break
        else:
            out.append(rest)
            break
    return "".join(out)


_add(r"(?P<f>.+?)(?:, sheet (?P<s>'.*?'))?: (?P<miss>.+?) not among the columns of the header row \((?P<got>\[.*?\])"
     r"(?P<more> \.\.\.)?\)\.(?: Did you mean (?P<dym>.+?)\?)?(?P<hint>.*?) If a title block sits above the header "
     r"row, pass skiprows=N \(the number of rows above the header\)\.",
     lambda m: f"{m['f']}" + (f"（工作表 {m['s']}）" if m["s"] else "") + f"：表头行的列（{m['got']}{m['more'] or ''}）中"
               f"没有 {m['miss']}。{_dym(m['dym'])}{_header_hint(m['hint'])}如果表头行上方还有标题区，请传入 "
               "skiprows=N （表头上方的行数）。")
_add(r"(?P<f>.+?)(?:, sheet (?P<s>'.*?'))?: the header row has the columns but no data rows follow it\. Export the "
     r"(?P<w>\w+) again, or check the file\.",
     lambda m: f"{m['f']}" + (f"（工作表 {m['s']}）" if m["s"] else "") + "：表头行有这些列，但下面没有数据行。"
               f"请重新导出{_what(m['w'], True)}，或检查文件。")

# ================================================================================== parameters (toolkit._validate)
# check_number / check_int / check_array ("<name> must be a finite number in [0, 1], got nan. <hint>") are
# translated in toolkit._zh.errors_analyses (registered first, so one copy is used) and check_index_aligned's "does
# not match" in toolkit._zh.errors_clv (its only caller); the hints the clv callers append are below.
_add(r"(?P<name>\S+) has duplicated customer ids \(e\.g\. (?P<d>\[.*\])\); pass one value per customer\.",
     _t("{name} 中有重复的客户编号（例如 {d}）；请每位客户只传一个值。", name=_code))
_add(r"(?P<where>\S+): (?P<m>\w+) was fitted on a summary in time unit (?P<f>'\w+'), but this summary is in "
     r"(?P<g>'\w+'); its recency and T would be read as (?P=f) and every prediction would be wrong \(rates off by a "
     r"factor of (?P<x>\S+)\)\. Rebuild the summary with (?P<code>toolkit\.customer_summary\(tx, time_unit='\w+'\)), "
     r"or refit the model on this summary\.",
     "{where}：{m} 是在时间单位为 {f} 的客户汇总表上拟合的，但这个汇总表的时间单位是 {g}；它的 `recency` 和 `T` 会被"
     "当作 {f} 来读，所有预测都会出错（速率相差 {x} 倍）。请用 {code} 重建客户汇总表，或在这个汇总表上重新拟合模型。")
_add(r"(?P<name>\S+) (?P<path>.+?): that is a folder; name a file in it, e\.g\. (?P<eg>.+)",
     _t("{name} 指定的路径 {path} 是一个文件夹；请指定其中的一个文件，例如 {eg}", name=_code, path=_code, eg=_code))
_add(r"(?P<name>\S+) (?P<path>.+?): the folder (?P<folder>.+?) does not exist\. Create it first \(mkdir -p "
     r"(?P<f2>.+?)\) or name a file in an existing folder\.",
     lambda m: f"{_code(m['name'])} 指定的路径 {_code(m['path'])}：文件夹 {_code(m['folder'])} 不存在。请先创建它"
               f"（`mkdir -p {m['f2']}`），或指定一个已有文件夹中的文件。")
_add(r"(?P<name>\S+) (?P<path>.+?): (?P<folder>.+?) is a file, not a folder\. Name a file in an existing folder\.",
     _t("{name} 指定的路径 {path}：{folder} 是文件而不是文件夹。请指定一个已有文件夹中的文件。",
        name=_code, path=_code, folder=_code))
_add(r"(?P<name>\S+) (?P<path>.+?): no permission to write there\. Name a file in a folder you can write to\.",
     _t("{name} 指定的路径 {path}：没有写入权限。请指定一个你有写权限的文件夹中的文件。", name=_code, path=_code))
_add(r"events must be True/False \(or 1/0\) per duration: (?P<n>\d+) value\(s\) are neither, e\.g\. (?P<s>\[.*\])\. "
     r"Mark an observed churn 1 \(True\) and a right-censored customer 0 \(False\)\.",
     "`events` 中每个时长对应的值必须是 `True`/`False`（或 1/0）：有 {n} 个值两者都不是，例如 {s}。观察到流失的记为 1"
     "（`True`），右删失的客户记为 0（`False`）。")

# hints appended by check_probability (its default) and by the callers in toolkit.clv; registered unless another
# module's translator already did
_HINTS = {
    "Pass 0.3 for 30%.": "30% 请传 0.3。",
    "For example max_repeat=7 (bins 0, 1, ..., 6, 7+).": "例如 max_repeat=7（分档为 0, 1, ..., 6, 7+）。",
    "It is a duration in the model's time unit.": "它是一段时长，以模型的时间单位计。",
    "For example n_draws=200.": "例如 n_draws=200。",
    "For example n_boot=200.": "例如 n_boot=200。",
    "Each level is a coverage probability, e.g. 0.8 or 0.95.": "每个水平都是一个覆盖概率，例如 0.8 或 0.95。",
    "It is the weight of an L2 penalty; 0 (none) or a small value such as 0.001.":
        "它是 L2 惩罚项的权重；取 0（不惩罚）或一个较小的值，例如 0.001。",
    "For example tol=1e-10.": "例如 tol=1e-10。",
    "For example max_iter=2000.": "例如 max_iter=2000。",
    "Model parameters are positive.": "模型参数都是正数。",
    "Coefficients are finite numbers.": "系数都是有限数。",
    "It is the length of one period in the model's time unit.": "它是一期的长度，以模型的时间单位计。",
    "It is the expected spend per purchase.": "它是每次购买的预期消费额。",
    "It counts periods (e.g. horizon=12 with period='M').": "它是期数（例如 horizon=12 配合 period='M'）。",
    "It counts periods.": "它是期数。",
    "It is the rate per period: pass 0.01 for 1% a month (about 12.7% a year), not 1 or 12.":
        "它是每期的折现率：每月 1%（约合每年 12.7%）请传 0.01，而不是 1 或 12。",
    "It is the share of spend that is profit: pass 0.3 for 30%.": "它是消费额中利润所占的比例：30% 请传 0.3。",
    "It is added to retention in rate points: pass 0.05 for +5 points.": "它以百分点加到留存率上：+5 个百分点请传 0.05。",
    "Pass -0.1 for a 10% price cut.": "降价 10% 请传 -0.1。",
    "It is added to the maintenance cost per retained year.": "它加到每个留存年份的维系成本上。",
    "It is the relative change of each factor: pass 0.1 for ±10%, not 10 or 5 (beyond ±50% a rate such as "
    "revenue_growth would step to -100%).":
        "它是每个因素的相对变化：±10% 请传 0.1，而不是 10 或 5（超过 ±50% 时，revenue_growth 这类比率会跨到 -100%）。",
    "It is the relative step of the elasticities: pass 0.01 for 1%.": "它是弹性计算的相对步长：1% 请传 0.01。",
}

# ================================================================================== customers, datasets, scale
_add(r"observation_end must be a date \(or None for the log's end\), got (?P<v>.+)\.",
     _t("observation_end 必须是日期（或 `None`，表示使用日志的最后一天），收到的是 {v}。", v=_val))
_add(r"The bundled data sets were not found: looked for the package folder 'toolkit/_datasets' \(installed wheel\) "
     r"and for (?P<src>.+?) \(source checkout or editable install\)\. Reinstall the package \(pip install "
     r"customer-value-toolkit\) or run from a checkout of the repository\.",
     _t("找不到内置数据集：已查找包内文件夹 'toolkit/_datasets'（已安装的 `wheel` 包）和 {src}（源码检出或可编辑安装）。"
        "请重新安装本包（`pip install customer-value-toolkit`），或在仓库的检出目录中运行。", src=_code))
_add(r"Bundled data file (?P<f>.+?) not found under (?P<d>.+?)\. Check the name against datasets/README\.md\.",
     _t("在 {d} 下找不到内置数据文件 {f}。请对照 `datasets/README.md` 检查文件名。", d=_code))
_add(r"Bundled company file (?P<f>.+?) is missing from (?P<d>.+?)\.",
     _t("{d} 中缺少内置的教学公司数据文件 {f}。", f=_code, d=_code))
_add(r"rfm_scores: missing column (?P<c>.+?); the summary has (?P<l>\[.*\])\.",
     "rfm_scores：缺少列 {c}；汇总表中的列为 {l}。")
_add(r"(?P<d>[rfm])_score \((?P<c>.+?)\): ties leave score\(s\) (?P<e>\[.*?\]) empty over the whole customer base "
     r"\(scores stay on the 1\.\.bins scale\)\. Use fewer bins to spread them\.",
     _t("{d}_score（{c}）：由于并列值，整个客户群中得分 {e} 没有客户（得分仍按 `1..bins` 的刻度）。请减少分档数"
        "（`bins`）以拉开得分。", c=_code))
_add(r"No partition has customers: nothing to (?P<w>count|learn from)\.",
     lambda m: "没有任何分区含有客户：" + ("无可计数。" if m["w"] == "count" else "无从学习。"))
_add(r"purchase_model must be a fitted transaction model, got (?P<t>.+?)\.",
     _t("purchase_model 必须是已拟合的交易模型，收到的是 {t}。", t=_code))
_add(r"(?P<n>\S+) expects a PartitionedTransactions \(toolkit\.scale\.read_transactions or from_dask\), got "
     r"(?P<t>.+?)\.",
     _t("{n} 需要 PartitionedTransactions（由 toolkit.scale.read_transactions 或 from_dask 构建），收到的是 {t}。",
        n=_code, t=_code))
_add(r"Expected a Dask or pandas DataFrame of transactions, got (?P<t>.+?)\.",
     _t("需要 `Dask` 或 `pandas` DataFrame 形式的交易数据，收到的是 {t}。", t=_code))
_add(r"(?P<miss>\w+=.+?) not in the columns (?P<l>\[.*\])\.", "{miss} 不在数据的列 {l} 中。")
_add(r"No value of column (?P<c>.+?) could be read as a date\. Check `time=` or pass date_format=\.",
     "列 {c} 中没有任何值能读成日期。请检查 `time=`，或传入 date_format= 。")
_add(r"Unsupported file type (?P<s>'.*?') for (?P<f>.+?): toolkit\.scale reads CSV and Parquet \(read Excel with "
     r"toolkit\.read_transactions\)\.",
     _t("不支持 {f} 的文件类型 {s}：toolkit.scale 只读取 `CSV` 和 `Parquet` 文件（`Excel` 文件请用 "
        "toolkit.read_transactions 读取）。", f=_code))

# ================================================================================== ValueError / TypeError texts
# Raised as plain ValueError / TypeError / FileNotFoundError (argument checks of the data layer), which are not
# localized when shown; their Chinese is ready for when they are raised as ParameterError / SchemaError.
_add(r"on_bad_rows must be 'raise', 'drop' or 'net', got (?P<v>.+?)\.",
     _t("`on_bad_rows` 必须是 'raise'、'drop' 或 'net'，收到的是 {v}。", v=_val))
_add(r"on_bad_rows must be 'raise' or 'drop' for events, got (?P<v>.+?)\.",
     _t("事件日志的 `on_bad_rows` 必须是 'raise' 或 'drop'，收到的是 {v}。", v=_val))
_add(r"duplicates must be None, 'raise', 'drop' or 'keep', got (?P<v>.+?)\.",
     _t("`duplicates` 必须是 `None`、'raise'、'drop' 或 'keep'，收到的是 {v}。", v=_val))
_add(r"zero_amounts must be 'keep', 'drop' or 'raise', got (?P<v>.+?)\.",
     _t("`zero_amounts` 必须是 'keep'、'drop' 或 'raise'，收到的是 {v}。", v=_val))
_add(r"decimal must be None, '\.' or ',', got (?P<v>.+?)\.?",
     _t("`decimal` 必须是 `None`、'.' 或 ','，收到的是 {v}。", v=_val))
_add(r"dayfirst must be None \(infer from the values\), True or False, got (?P<v>.+?)\.",
     _t("`dayfirst` 必须是 `None`（根据数值推断）、`True` 或 `False`，收到的是 {v}。", v=_val))
_add(r"date_outliers must be 'check' or 'keep', got (?P<v>.+?)\.",
     _t("`date_outliers` 必须是 'check' 或 'keep'，收到的是 {v}。", v=_val))
_add(r"Column arguments (?P<a>\[.*?\]) only apply to raw frames, not to (?P<cls>Transactions|Events)\.",
     "列参数 {a} 只适用于原始数据表，不适用于 `{cls}`。")
_add(r"No such (?P<w>\w+) file: (?P<p>.+)",
     lambda m: f"找不到{_what(m['w'])}文件：{_code(m['p'])}")
_add(r"unknown role\(s\) (?P<u>\[.*?\]); choose from (?P<l>\[.*\])", "未知的角色 {u}；请从 {l} 中选择")
_add(r"observation_end (?P<d>[\d-]+) is after the end of the log \((?P<e>[\d-]+)\): purchases in between were not "
     r"observed\. Pass an earlier date or rebuild the Transactions\.",
     "`observation_end` {d} 晚于日志的结束日期（{e}）：这段时间内的购买没有被观察到。请传入更早的日期，或重新构建 "
     "`Transactions`。")
_add(r"kind must be 'sample' or 'master', got (?P<v>.+?)\.", _t("`kind` 必须是 'sample' 或 'master'，收到的是 {v}。",
                                                              v=_val))
_add(r"n_customers must be a positive integer, got (?P<v>.+?)\.", _t("`n_customers` 必须是正整数，收到的是 {v}。", v=_val))
_add(r"seed must be an integer, got (?P<v>.+?)\.", _t("`seed` 必须是整数，收到的是 {v}。", v=_val))
_add(r"end \((?P<e>[\d-]+)\) must be after start \((?P<s>[\d-]+)\)\.", "`end`（{e}）必须晚于 `start`（{s}）。")
_add(r"Unknown channel\(s\) (?P<u>\[.*?\]) in channel_mix; use (?P<l>\[.*\])\.",
     "`channel_mix` 中有未知的渠道 {u}；请使用 {l}。")
_add(r"channel_mix shares must be finite, non-negative and not all zero\.",
     "`channel_mix` 的各份额必须是有限的非负数，且不能全为零。")
_add(r"seasonality must be in \[0, 2\], got (?P<v>.+?)\.", _t("`seasonality` 必须在 [0, 2] 范围内，收到的是 {v}。", v=_val))
_add(r"loyal_duration_days must be at least 30, got (?P<v>.+?)\.",
     _t("`loyal_duration_days` 必须至少为 30，收到的是 {v}。", v=_val))
_add(r"(?P<name>\S+) must be a positive number, got (?P<v>.+?)\.",
     _t("{name} 必须是正数，收到的是 {v}。", name=_code, v=_val))
_add(r"(?P<name>\S+) must be an integer >= (?P<lo>\d+), got (?P<v>.+?)\.",
     _t("{name} 必须是 >= {lo} 的整数，收到的是 {v}。", name=_code, v=_val))
_add(r"months must be at most 60, got (?P<v>.+?)\.", _t("`months` 最多为 60，收到的是 {v}。", v=_val))
_add(r"mean_lines_per_invoice must be in \[1, 200\], got (?P<v>.+?)\.",
     _t("`mean_lines_per_invoice` 必须在 [1, 200] 范围内，收到的是 {v}。", v=_val))
_add(r"(?P<name>\S+) must be in \[0, 0\.9\), got (?P<v>.+?)\.",
     _t("{name} 必须在 [0, 0.9) 范围内，收到的是 {v}。", name=_code, v=_val))
_add(r"at: give at least one snapshot date\.", "`at`：请至少给出一个快照日期。")
_add(r"Snapshot (?P<d>[\d-]+) is after the observation end \((?P<e>[\d-]+)\): purchases after the end were not "
     r"observed\. Pass earlier dates\.",
     "快照日期 {d} 晚于观察期末（{e}）：观察期末之后的购买没有被观察到。请传入更早的日期。")
_add(r"window must be at least 1 day, got (?P<v>.+?)\.", _t("`window` 必须至少为 1 天，收到的是 {v}。", v=_val))
_add(r"fit expects a toolkit\.clv\.models model, got (?P<t>.+?)\.",
     _t("`fit` 需要 toolkit.clv.models 中的模型，收到的是 {t}。", t=_code))
_add(r"Expected a fitted toolkit\.LifecycleClassifier, got (?P<t>.+?)\.",
     _t("需要已拟合的 toolkit.LifecycleClassifier，收到的是 {t}。", t=_code))
_add(r"fit_lifecycle expects a toolkit\.LifecycleClassifier, got (?P<t>.+?)\.",
     _t("fit_lifecycle 需要 toolkit.LifecycleClassifier，收到的是 {t}。", t=_code))
# the command line (toolkit.__main__): argparse and SystemExit texts, and the options printed after bad rows
_add(r"expected a number of days > 0, got (?P<v>.+)", _t("需要一个大于 0 的天数，收到的是 {v}", v=_val))
_add(r"expected true or false, got (?P<v>.+)", _t("需要 `true` 或 `false`，收到的是 {v}", v=_val))
_add(r"(?P<o>--[\w-]+): expected key=column pairs separated by commas, got (?P<v>.+)",
     "{o}：需要用逗号分隔的 key=column 对，收到的是 {v}")
_add(r"--exclude-items and --exclude-pattern: pass one of them", "--exclude-items 和 --exclude-pattern：只能传入其中一个")
_add(r"report: the money of a row is needed: --amount COLUMN, or --quantity COLUMN and --price COLUMN",
     "`report` 命令需要每行的金额：--amount 列名，或 --quantity 列名 和 --price 列名")
_add(r"Options: --on-bad-rows drop \(or net, to net refunds against purchases\), --duplicates keep\|drop, "
     r"--date-format FORMAT, --exclude-items CODES\. Example rows are numbered by line of the file\.",
     "可用选项：--on-bad-rows drop（或 `net`，将退款与购买相抵）、--duplicates keep|drop、--date-format 格式、"
     "--exclude-items 商品编码。示例行按文件的行号编号。")

register_text({en: {"zh": zh} for en, zh in _FIXES.items()})
register_text({en: {"zh": zh} for en, zh in _HINTS.items() if localize(en, "zh") == en})
register_patterns("zh", _P)
