"""Stage 1: validated transactions.

``Transactions.from_frame`` (or :func:`read_transactions` for CSV, Parquet and Excel files) is the only place
that knows the user's column names. It checks the raw frame, cleans what the caller allows it to clean,
records every removed or altered row in a :class:`CleaningReport`, and builds the canonical frame and the
per-customer :class:`~toolkit.customers.CustomerArrays` once. Every later analysis reuses them.

Canonical columns: ``customer_id, timestamp, amount`` and, when mapped, ``order_id, category, quantity,
channel, discount``.
"""

from __future__ import annotations

import difflib
import html
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from pandas.tseries.api import guess_datetime_format

from ._customer_arrays import build_arrays
from .config import TIME_UNITS
from .errors import DataQualityError, FileFormatError, ParameterError, SchemaError
from .i18n import get_language, localize, register, tr, using_language
from .vocabulary import CANONICAL_COLUMNS, EVENT_COLUMNS, EVENTS

__all__ = ["Transactions", "CleaningReport", "read_transactions", "as_transactions", "Events", "read_events",
           "as_events", "EVENT_COLUMNS", "customer_ids", "read_table", "guess_columns", "COLUMN_PATTERNS"]

_OPTIONAL = ("order", "category", "quantity", "channel", "discount", "item")
_CANONICAL = {**CANONICAL_COLUMNS, "item": "item"}
_N_EXAMPLES = 5

# Reasons, in the order they are checked. A row is counted under the first reason that removes it.
_FIX = {
    "missing customer_id": "fill or remove rows without a customer id, or pass on_bad_rows='drop'",
    "missing timestamp": "fill or remove rows without a date, or pass on_bad_rows='drop'",
    "unparseable timestamp": "pass date_format= (e.g. '%d/%m/%Y'), fix the values, or pass on_bad_rows='drop'",
    "date outside the usable range": (
        "dates before 1677-09-22 or after 2262-04-10 cannot be held (pandas counts nanoseconds in 64 bits); a typo "
        "in the year? Fix the values, or pass on_bad_rows='drop'"
    ),
    "date far outside the bulk (outlier)": (
        "a date after tomorrow (no export holds future purchases) or more than twice the span of the bulk of the "
        "dates (at least a year) before or after it is most likely a typo; fix the values, pass on_bad_rows='drop' "
        "to drop them, or date_outliers='keep' if they are genuine"
    ),
    "missing amount": "fill or remove rows without an amount, or pass on_bad_rows='drop'",
    "unparseable amount": (
        "fix the values (formatted money needs parse_amounts=True; values written with the other decimal "
        "separator than decimal= says are unreadable), or pass on_bad_rows='drop'"
    ),
    "percentage (not money)": "amounts are money, not rates: fix the values, or pass on_bad_rows='drop'",
    "non-finite amount": "replace inf values, or pass on_bad_rows='drop'",
    "unparseable quantity": (
        "fix the item counts (thousands separators need parse_amounts=True), or pass on_bad_rows='drop'"
    ),
    "unparseable discount": (
        "fix the values (money off the order; formatted money needs parse_amounts=True), or pass "
        "on_bad_rows='drop'"
    ),
    "percentage discount": (
        "the discount column is money off the order, not a rate: convert rates to money before loading "
        "(amount x rate / (1 - rate) when amounts are after the discount), or pass on_bad_rows='drop'"
    ),
    "after observation_end": "pass a later observation_end, or on_bad_rows='drop' to cut the log at that date",
    "duplicate row": (
        "pass duplicates='drop' if these are copies made by the export, or duplicates='keep' if they are genuine "
        "identical purchases (e.g. day-resolution dates without order ids), or line_key= naming the columns that "
        "identify a line"
    ),
    "negative amount (return)": (
        "pass on_bad_rows='net' to net refunds against the customer's earlier purchases, or "
        "on_bad_rows='drop' to remove them"
    ),
    "zero amount": "pass zero_amounts='keep' to count them as purchases, or zero_amounts='drop'",
}


@dataclass
class CleaningReport:
    """What validation did to the rows: ``rows_in == rows_kept + sum(dropped)``.

    Attributes
    ----------
    rows_in : int
        Rows in the raw frame.
    rows_kept : int
        Rows in the canonical frame.
    dropped : dict[str, int]
        Rows removed, by reason.
    kept_notes : dict[str, int]
        Rows kept but worth knowing about (zero amounts kept, purchases reduced by a refund, ...).
    examples : dict[str, pandas.DataFrame]
        The first offending rows of each reason, as given (original index and columns).
    notes : list[str]
        Other facts (time zone conversion, id type conversion, unmatched refund money).
    money_in : float
        Money of the rows in (every readable amount; rows without one carry none).
    money_kept : float
        Money of the canonical frame (after netting, when refunds are netted).
    money_dropped : dict[str, float]
        Money of the removed rows, by reason (refund rows carry negative money).
    money_moved : dict[str, float]
        Money taken off kept rows without removing them (purchases partly refunded by netting), so that
        ``money_in == money_kept + sum(money_dropped) + sum(money_moved)``.
    cancelled_later : float
        With refunds dropped (``on_bad_rows="drop"``): the part of the kept revenue that later refund rows of the
        same customers would cancel (what ``on_bad_rows="net"`` subtracts).
    suspect_items : pandas.DataFrame or None
        Kept lines that look like non-product lines (postage, fees, adjustments, tests): one row per item code
        with ``rows`` and ``money``. Nothing is excluded unless ``exclude_items=`` says so.
    where : str
        How example rows are numbered: "row" (the frame's index) or "line" (1-based lines of the file read).
    """

    rows_in: int
    rows_kept: int = 0
    dropped: dict = field(default_factory=dict)
    kept_notes: dict = field(default_factory=dict)
    examples: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    money_in: float = 0.0
    money_kept: float = 0.0
    money_dropped: dict = field(default_factory=dict)
    money_moved: dict = field(default_factory=dict)
    cancelled_later: float = 0.0
    suspect_items: pd.DataFrame | None = None
    where: str = "row"

    @property
    def rows_dropped(self) -> int:
        """Total rows removed."""
        return int(sum(self.dropped.values()))

    @property
    def balanced(self) -> bool:
        """True when rows in = rows kept + rows dropped."""
        return self.rows_in == self.rows_kept + self.rows_dropped

    @property
    def money_balanced(self) -> bool:
        """True when money in = money kept + money dropped + money moved by netting (to a cent per million)."""
        total = self.money_kept + sum(self.money_dropped.values()) + sum(self.money_moved.values())
        return abs(self.money_in - total) <= 0.005 + 1e-9 * abs(self.money_in)

    @property
    def summary(self) -> pd.DataFrame:
        """One row per reason: rows affected, their money and what was done."""
        rows = [{"reason": "rows in", "rows": self.rows_in, "money": self.money_in, "action": ""}]
        for reason, count in self.dropped.items():
            rows.append({"reason": reason, "rows": int(count), "money": self.money_dropped.get(reason, 0.0),
                         "action": "dropped"})
        for reason, money in self.money_moved.items():
            rows.append({"reason": reason, "rows": int(self.kept_notes.get(reason, 0)), "money": money,
                         "action": "taken off kept rows"})
        for reason, count in self.kept_notes.items():
            if reason not in self.money_moved:
                rows.append({"reason": reason, "rows": int(count), "money": float("nan"), "action": "kept"})
        rows.append({"reason": "rows kept", "rows": self.rows_kept, "money": self.money_kept, "action": ""})
        return pd.DataFrame(rows, columns=["reason", "rows", "money", "action"])

    def _counts(self) -> dict:
        """The balance's numbers as the reprs write them."""
        return {"rows_in": f"{self.rows_in:,}", "kept": f"{self.rows_kept:,}", "dropped": f"{self.rows_dropped:,}",
                "money_in": f"{self.money_in:,.2f}", "money_kept": f"{self.money_kept:,.2f}",
                "money_out": f"{sum(self.money_dropped.values()) + sum(self.money_moved.values()):,.2f}"}

    def __repr__(self) -> str:
        return self._text()

    def _text(self, language=None) -> str:
        """The text repr in ``language`` (default: the current one); error messages embed it in English."""
        with using_language(language):
            _texts()
            counts = self._counts()
            lines = [tr("data.report.repr").format(**counts), tr("data.report.repr.money").format(**counts)]
            for reason, count in self.dropped.items():
                lines.append(tr("data.report.repr.dropped").format(
                    count=f"{count:,}", reason=localize(reason), money=f"{self.money_dropped.get(reason, 0.0):,.2f}"))
            for reason, count in self.kept_notes.items():
                extra = (tr("data.report.repr.moved").format(money=f"{self.money_moved[reason]:,.2f}")
                         if reason in self.money_moved else "")
                lines.append(tr("data.report.repr.kept").format(count=f"{count:,}", reason=localize(reason),
                                                                extra=extra))
            lines.extend(tr("data.report.repr.note").format(note=localize(note)) for note in self.notes)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        _texts()
        head = f"<p>{tr('data.report.html.head').format(**self._counts())}</p>"
        summary = self.summary
        if get_language() != "en":  # the reasons and what was done in the current language, headers by label
            summary = _shown(summary.assign(reason=summary["reason"].map(localize),
                                            action=summary["action"].map(localize)).rename(
                columns={"action": "handling"}))
        table = summary.to_html(index=False, float_format=lambda v: f"{v:,.2f}", na_rep="")
        parts = [head, table]
        if self.suspect_items is not None and len(self.suspect_items):
            items = self.suspect_items if get_language() == "en" else _shown(self.suspect_items, cells=False)
            parts.append(f"<p>{tr('data.report.html.suspect')}</p>" + items.to_html(float_format=lambda v: f"{v:,.2f}"))
        for reason, ex in self.examples.items():
            if get_language() != "en":  # the client's columns and values as the file holds them; our index name
                ex = ex.rename_axis(_label(ex.index.name)) if ex.index.name is not None else ex
            summary_text = tr("data.report.html.examples").format(reason=html.escape(localize(reason)))
            parts.append(f"<details><summary>{summary_text}</summary>{ex.to_html()}</details>")
        if self.notes:
            parts.append("<ul>" + "".join(f"<li>{html.escape(localize(n))}</li>" for n in self.notes) + "</ul>")
        return "".join(parts)


register({
    "data.report.repr": {"en": "CleaningReport: {rows_in} rows in = {kept} kept + {dropped} dropped",
                         "zh": "清洗报告：输入 {rows_in} 行 = 保留 {kept} 行 + 删除 {dropped} 行"},
    "data.report.repr.money": {"en": "  money: {money_in} in = {money_kept} kept + {money_out} dropped or netted",
                               "zh": "  金额：输入 {money_in} = 保留 {money_kept} + 删除或相抵 {money_out}"},
    "data.report.repr.dropped": {"en": "  dropped {count}: {reason} (money {money})",
                                 "zh": "  删除 {count} 行：{reason}（金额 {money}）"},
    "data.report.repr.kept": {"en": "  kept    {count}: {reason}{extra}", "zh": "  保留 {count} 行：{reason}{extra}"},
    "data.report.repr.moved": {"en": " (money taken off {money})", "zh": "（扣除金额 {money}）"},
    "data.report.repr.note": {"en": "  note: {note}", "zh": "  备注：{note}"},
    "data.report.html.head": {
        "en": "<b>Cleaning report</b>: {rows_in} rows in = {kept} kept + {dropped} dropped; money {money_in} in = "
              "{money_kept} kept + {money_out} dropped or netted",
        "zh": "<b>清洗报告</b>：输入 {rows_in} 行 = 保留 {kept} 行 + 删除 {dropped} 行；金额：输入 {money_in} = "
              "保留 {money_kept} + 删除或相抵 {money_out}"},
    "data.report.html.suspect": {
        "en": "Lines that look like non-product lines (kept; pass <code>exclude_items=</code> to drop them):",
        "zh": "看起来像非商品行的明细（已保留；如需删除，请使用 <code>exclude_items=</code>）："},
    "data.report.html.examples": {"en": "Examples: {reason}", "zh": "示例：{reason}"},
    "data.tx.repr": {
        "en": "Transactions: {rows} rows, {customers} customers, {first} to {end} (time unit {unit}); {dropped} rows "
              "dropped in cleaning",
        "zh": "交易记录：{rows} 行，{customers} 位客户，{first} 至 {end}（时间单位 {unit}）；清洗时删除 {dropped} 行"},
    "data.events.repr": {
        "en": "Events: {events} events of {types} types, {customers} customers, {first} to {end}; {dropped} rows "
              "dropped in cleaning",
        "zh": "事件日志：{events} 个事件（{types} 种），{customers} 位客户，{first} 至 {end}；清洗时删除 {dropped} 行"},
})


def _texts():
    """Load the Chinese of the toolkit's result texts (:mod:`toolkit._zh`) when a result is shown in another
    language than English (``toolkit.set_language`` loads it too; ``toolkit.i18n.set_language`` does not)."""
    if get_language() != "en":
        from . import _zh  # noqa: F401


def _label(name) -> str:
    from .formatting import label

    return label(name)


def _shown(frame, cells=True):
    """A copy of ``frame`` to show in the current language (not English): headers and index names by their
    catalogue labels (:func:`toolkit.formatting.label`); with ``cells``, text cells and index labels that are
    categories or sentences of the toolkit by their labels or translations (data values stay as they are).
    The data keep their names: only what is shown changes."""
    from .formatting import _zh_value

    def text(v):
        return (_zh_value(v) or v) if isinstance(v, str) else v

    def textual(dtype):
        return dtype == object or pd.api.types.is_string_dtype(dtype) or isinstance(dtype, pd.CategoricalDtype)

    out = frame.copy()
    if cells:
        for col in out.columns:
            if textual(out[col].dtype):
                out[col] = out[col].astype(object).map(text)
        if isinstance(out.index, pd.MultiIndex):
            out.index = pd.MultiIndex.from_tuples([tuple(text(v) for v in idx) for idx in out.index],
                                                  names=out.index.names)
        elif textual(out.index.dtype):
            out.index = pd.Index([text(v) for v in out.index], name=out.index.name, dtype=object)
            if out.attrs.get("row_kinds"):  # per-row formats follow their rows
                out.attrs["row_kinds"] = {text(k): v for k, v in out.attrs["row_kinds"].items()}
    out.columns = [_label(c) for c in out.columns]
    out.index.names = [_label(n) if n is not None else None for n in out.index.names]
    return out


def _suggest(name, columns):
    close = difflib.get_close_matches(str(name), [str(c) for c in columns], n=3, cutoff=0.5)
    lowered = [c for c in columns if str(c).strip().lower() == str(name).strip().lower()]
    hints = [str(c) for c in lowered] + [c for c in close if c not in lowered]
    return f" Did you mean {', '.join(repr(h) for h in hints[:3])}?" if hints else ""


def _examples(raw, positions):
    return raw.iloc[np.asarray(positions)[:_N_EXAMPLES]]


def _where_kind(raw):
    return raw.index.name if raw.index.name in ("line", "sheet row") else "row"


def _where(raw, positions, n=_N_EXAMPLES):
    """'lines 5, 9' for a frame read from a file (its index holds 1-based file lines or sheet rows), else
    'rows [3, 7]' (the frame's index labels)."""
    labels = list(raw.index[np.asarray(positions)[:n]])
    kind = _where_kind(raw)
    if kind != "row":
        return f"{kind}{'s' if len(labels) > 1 else ''} " + ", ".join(str(v) for v in labels)
    return f"rows {labels}"


#: Reason of lines dropped on the caller's request.
_EXCLUDED = "non-product line (exclude_items)"
# item codes and descriptions that mark postage, fees, adjustments and tests rather than products
_NON_PRODUCT = re.compile(
    r"^(?:post(?:age)?|dot|carriage|shipping|delivery|bank charges?|.*fee|manual|m|d|s|b|adjust.*|test.*|sample.*|"
    r"discount|cruk|pads|gift_?voucher.*|c2|amazon.*|commission)$", re.IGNORECASE)
_NON_PRODUCT_TEXT = re.compile(
    r"\b(?:postage|carriage|shipping charge|bank charges?|amazon fee|manual|adjust(?:ment)? bad debt|discount|"
    r"test item|commission)\b", re.IGNORECASE)


def _parse_quantity(values, column, parse_amounts=False, decimal=None, fallback=None):
    """Item counts: :class:`ParsedNumbers`; text is read like amounts but without currency, and percentages
    are unreadable."""
    parsed = _parse_amounts(values, column, parse_amounts, decimal, role="quantity", fallback=fallback)
    return ParsedNumbers(parsed.values, parsed.missing, parsed.unreadable | parsed.percent,
                         np.zeros(len(values), dtype=bool), parsed.decimal)


def _excluded_items(raw, item, description, exclude_items):
    """Mask of the lines ``exclude_items`` names, and notes on codes that matched nothing."""
    notes = []
    if isinstance(exclude_items, str | re.Pattern):
        if item is None and description is None:
            raise SchemaError("exclude_items= (a pattern) needs item= or description= to search in.")
        pattern = re.compile(exclude_items) if isinstance(exclude_items, str) else exclude_items
        mask = np.zeros(len(raw), dtype=bool)
        for col in (c for c in (item, description) if c is not None):
            with warnings.catch_warnings():  # groups in the caller's pattern are fine for a search
                warnings.filterwarnings("ignore", "This pattern is interpreted as a regular expression")
                found = raw[col].astype("string").str.contains(pattern, regex=True)
            mask |= found.fillna(False).to_numpy(dtype=bool)
        return mask, notes
    if item is None:
        raise SchemaError("exclude_items= (item codes) needs item= (the item code column); or pass a regular "
                          "expression to search the description= column.")
    wanted = [str(c).strip() for c in exclude_items]
    codes = raw[item].astype("string").str.strip()
    mask = codes.isin(wanted).fillna(False).to_numpy(dtype=bool)
    found = set(codes[mask].unique())
    unknown = [c for c in wanted if c not in found]
    if unknown:
        notes.append(f"exclude_items: no line has item code {', '.join(repr(c) for c in unknown[:10])} in column "
                     f"{item!r}")
    return mask, notes


def _item_column(raw, mapping, description):
    """The item-code column, mapped or recognised by name (StockCode, SKU, item code ...), and the description."""
    if mapping.get("item") is not None:
        return mapping["item"], description, True
    used = {c for c in mapping.values() if c is not None}
    text = [c for c in raw.columns if c not in used and (raw[c].dtype == object or
                                                          isinstance(raw[c].dtype, pd.StringDtype))]
    code = next((c for c in text if re.search(r"stock|sku|item|article|product.?(code|id|no)", str(c), re.I)), None)
    desc = description or next((c for c in text if re.search(r"desc|product.?name|item.?name", str(c), re.I)), None)
    return code, desc, False


def _suspect_items(sub, perm_kept, amount_out, code_col, desc_col, mapped):
    """Kept lines that look like postage, fees, adjustments or tests: a table by item code and a note."""
    key_col = code_col if code_col is not None else desc_col
    if key_col is None:
        return None, None
    # distinct values first (a few thousand), then the lines that carry a flagged one
    line_codes, distinct = pd.factorize(sub[key_col])
    line_codes = line_codes[perm_kept]
    distinct = pd.Series(distinct, dtype="string").str.strip()
    if not len(distinct):
        return None, None
    if code_col is not None:
        flagged = distinct.str.fullmatch(_NON_PRODUCT).fillna(False)
        has_digit = distinct.str.contains(r"\d").fillna(False)
        if has_digit.mean() >= 0.9:  # product codes carry digits here: a code without one is not a product
            flagged |= ~has_digit
    else:
        flagged = distinct.str.contains(_NON_PRODUCT_TEXT).fillna(False)
    flagged = flagged.to_numpy(dtype=bool)
    if not flagged.any():
        return None, None
    hit = np.flatnonzero(flagged[line_codes] & (line_codes >= 0))
    table = pd.DataFrame({"item" if code_col is not None else "description": distinct.to_numpy()[line_codes[hit]],
                          "money": amount_out[hit]})
    key = table.columns[0]
    agg = {"rows": ("money", "size"), "money": ("money", "sum")}
    if code_col is not None and desc_col is not None:
        table["description"] = sub[desc_col].to_numpy()[perm_kept[hit]]
        agg["description"] = ("description", "first")
    out = table.groupby(key, sort=False).agg(**agg).sort_values("rows", ascending=False, kind="stable")
    shown = list(out.index[:8])
    if key == "item":
        flag = f"exclude_items={shown!r}" if mapped else f"item={code_col!r} and exclude_items={shown!r}"
    else:
        flag = f"exclude_items=r'^(?:{'|'.join(re.escape(v) for v in shown[:4])})$'"
    note = (f"{int(out['rows'].sum()):,} kept lines ({out['money'].sum():,.2f} of money) look like non-product lines "
            f"(postage, fees, adjustments, tests): {', '.join(f'{c!r} ({n:,})' for c, n in out['rows'].head(8).items())}"
            f". They are kept and counted as purchases; to drop them pass {flag}")
    return out, note


def _format_examples(ex):
    with pd.option_context("display.width", 120, "display.max_columns", 12):
        return ex.to_string()


def _blank_strings(values):
    """Boolean array: the value is a string of only whitespace (a missing value in a CSV export)."""
    # as text, a non-string value (a number, a date) is never blank and a missing one is NA
    return (values.astype("string").str.strip() == "").fillna(False).to_numpy(dtype=bool)


#: Dates pandas can hold (nanoseconds since 1970 in int64), as whole days strictly inside its bounds, so that a
#: day's end and a day after it stay representable.
_FIRST_DAY = pd.Timestamp("1677-09-22")
_LAST_DAY = pd.Timestamp("2262-04-10")
#: Excel's day 0 (serial 1 is 1900-01-01; Excel's fictitious 1900-02-29 makes the epoch 1899-12-30).
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
#: A time zone: a UTC offset (or Z) after a clock time, e.g. "2024-01-05T10:00:00+08:00".
_OFFSET = re.compile(r"\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})\s*$")
#: Day and month as the first two numbers of a value ("05/06/2024", "5.6.24", "05-06-2024 10:00").
_DAY_MONTH = r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](?:\d{4}|\d{2})(?!\d)"
_DATE_OUTLIERS = ("check", "keep")


def _year_first(fmt):
    year, month = max(fmt.find("%Y"), fmt.find("%y")), fmt.find("%m")
    return 0 <= year < month


def _check_date_options(dayfirst, date_outliers):
    if dayfirst not in (None, True, False):
        raise ParameterError(f"dayfirst must be None (infer from the values), True or False, got {dayfirst!r}.",
                             parameter="dayfirst", value=dayfirst)
    if date_outliers not in _DATE_OUTLIERS:
        raise ParameterError(f"date_outliers must be 'check' or 'keep', got {date_outliers!r}.",
                             parameter="date_outliers", value=date_outliers)


def _ambiguous_order(column, values, positions, formats=None):
    """SchemaError: no value tells whether the column is day-first or month-first."""
    positions = np.asarray(positions)
    text = values.iloc[positions].astype(str).str.strip()
    distinct = positions[~text.duplicated().to_numpy()]  # different values say more than one value thrice
    positions = np.concatenate([distinct, positions[~np.isin(positions, distinct)]])
    shown = ", ".join(repr(str(v).strip()) for v in values.iloc[positions[:3]])
    if formats is None:
        formats = ("%d/%m/%Y", "%m/%d/%Y")
    return SchemaError(
        f"Column {column!r}: the order of day and month cannot be told from the values. Every date reads both "
        f"ways and none has a day above 12 (e.g. {shown} at {_where(values, positions, n=3)}; '05/06/2024' is "
        f"5 June day-first, 6 May month-first). Say which: pass date_format={formats[0]!r} (day first) or "
        f"date_format={formats[1]!r} (month first), or dayfirst=True / dayfirst=False.")


def _usable_range(parsed):
    """(datetime64[ns] Series, mask of dates outside the range pandas can hold, now NaT)."""
    values = parsed.to_numpy()
    if values.dtype == "datetime64[ns]":
        return parsed, np.zeros(len(values), dtype=bool)
    unit = np.datetime_data(values.dtype)[0]
    outside = ~np.isnat(values) & ((values < np.datetime64(_FIRST_DAY.date(), unit))
                                   | (values > np.datetime64(_LAST_DAY.date(), unit)))
    if outside.any():
        values = values.copy()
        values[outside] = np.datetime64("NaT", unit)
    return pd.Series(values.astype("datetime64[ns]"), index=parsed.index, name=parsed.name), outside


def _numeric_dates(s, column):
    """Numbers as dates: YYYYMMDD integers or Excel serial day numbers; anything else is refused."""
    arr = s.to_numpy(dtype="float64", na_value=np.nan)
    finite = np.isfinite(arr)
    vals = arr[finite]
    if len(vals) and np.all(np.mod(vals, 1) == 0) and np.all((vals >= 10000101) & (vals <= 21001231)):
        text = pd.Series(np.where(finite, arr, 0).astype(np.int64), index=s.index).astype("string")
        parsed = pd.to_datetime(text.where(finite), format="%Y%m%d", errors="coerce")
        return parsed, f"column {column!r} read as YYYYMMDD integers"
    if len(vals) and np.all((vals >= 1) & (vals <= 2958465)) and 25569 <= np.median(vals) <= 73051:
        # whole milliseconds: a float serial carries the time of day only to about a microsecond
        ms = np.round(np.where(finite, arr, 0) * 86_400_000).astype(np.int64)
        parsed = pd.Series(_EXCEL_EPOCH.to_datetime64().astype("datetime64[ms]") + ms.astype("timedelta64[ms]"),
                           index=s.index).where(finite)
        return parsed, (f"column {column!r} read as Excel serial day numbers (days since 1899-12-30, e.g. 45292 = "
                        "2024-01-01)")
    shown = f" ({vals.min():g} to {vals.max():g})" if len(vals) else ""
    raise SchemaError(
        f"Column {column!r} is numeric ({s.dtype}){shown}: neither YYYYMMDD dates nor Excel serial day numbers "
        "(about 25569-73051 for 1970-2099), and the time unit of other numbers is ambiguous. Convert it first, "
        "e.g. pd.to_datetime(df[col], unit='s') for Unix seconds.")


def _parse_uniform_strings(obj, date_format, dayfirst=None, column=None):
    """Fast path: every non-null value is a string in one format (given, or guessed from the first value)
    without a UTC offset. Returns the parsed column (any datetime64 unit), or None to take the general path.

    pandas parses a column in a known format in C (~0.5 s for 500k values); ``format="mixed"`` parses value by
    value (~8x slower). The result is the general path's wherever this returns: a value that does not match
    the format sends the whole column to the general path, which also checks time zones.

    Day and month: when the first value reads both ways (05/06/2024), the column decides. The reading that fits
    every value is used; when both fit every value and give different dates, no value tells the order and a
    SchemaError asks for ``date_format=`` or ``dayfirst=``. ``dayfirst=`` keeps only the reading it names.
    """
    present = obj.notna().to_numpy()
    pair = None  # (day-first format, month-first format) when the first value reads both ways
    if date_format is not None:
        candidates = [date_format]
    else:
        first = obj.iloc[int(present.argmax())] if present.any() else None
        if not isinstance(first, str):
            return None
        with warnings.catch_warnings():  # pandas warns when dayfirst=True meets a year-first value
            warnings.simplefilter("ignore", UserWarning)
            month_first, day_first = (guess_datetime_format(first.strip(), dayfirst=d) for d in (False, True))
        if month_first is not None and _year_first(month_first):
            day_first = None  # year-month-day (pandas offers %Y-%d-%m for dayfirst=True)
        if month_first is not None and day_first is not None and month_first != day_first:
            pair = (day_first, month_first)
        candidates = list(dict.fromkeys(f for f in (month_first, day_first) if f is not None))
        if pair is not None and dayfirst is not None:
            candidates = [day_first if dayfirst else month_first]
            pair = None
    candidates = [f for f in candidates if "%z" not in f and "%Z" not in f]
    if not candidates:
        return None
    if not isinstance(obj.dtype, pd.StringDtype) and pd.api.types.infer_dtype(obj, skipna=True) != "string":
        return None
    if len(candidates) > 1:  # a spread-out sample rules out a format cheaply before a full pass
        sample = obj[present].iloc[np.linspace(0, int(present.sum()) - 1, 2000).astype(np.int64)]
        fits = [f for f in candidates
                if not pd.to_datetime(sample, format=f, errors="coerce").isna().any()]
        candidates = fits or candidates
    stripped = None

    def parse(fmt):
        nonlocal stripped
        parsed = pd.to_datetime(obj, format=fmt, errors="coerce")
        if date_format is None and bool((parsed.isna() & present).any()):
            # padded values (" 2024-01-05") are common in exports: strip once, only when needed
            stripped = obj.astype("string").str.strip() if stripped is None else stripped
            parsed = pd.to_datetime(stripped, format=fmt, errors="coerce")
        return parsed

    for k, fmt in enumerate(candidates):
        try:
            parsed = parse(fmt)
        except (ValueError, TypeError):
            continue
        if date_format is not None:
            return parsed
        if bool((parsed.isna() & present).any()):
            continue
        if pair is not None and len(candidates) == 2 and k == 0:
            # the sample did not tell day-first from month-first: the other reading must fail somewhere
            try:
                other = parse(candidates[1])
            except (ValueError, TypeError):
                other = None
            if other is not None and not bool((other.isna() & present).any()):
                differ = np.flatnonzero((parsed != other).to_numpy())
                if len(differ):
                    raise _ambiguous_order(column, obj, differ, pair)
        return parsed
    return None  # several formats in one column: value by value


def _day_first(strings, column):
    """Day-first (True), month-first (False) or None (no value of the form d/m/y) from every value.

    A first number above 12 is a day, a second number above 12 is a day: values of both kinds mean two orders in
    one column (a SchemaError); values of neither kind with different numbers cannot be read (a SchemaError)."""
    found = strings.str.extract(_DAY_MONTH)
    hit = found[0].notna().to_numpy()
    if not hit.any():
        return None
    first = found[0].to_numpy()[hit].astype(np.int64)
    second = found[1].to_numpy()[hit].astype(np.int64)
    pos = np.flatnonzero(hit)
    day_first, month_first = first > 12, second > 12
    if day_first.any() and month_first.any():
        a, b = pos[day_first][:2], pos[month_first][:2]
        shown = lambda p: ", ".join(repr(v) for v in strings.iloc[p])  # noqa: E731
        raise SchemaError(
            f"Column {column!r} holds day-first dates ({int(day_first.sum()):,}, e.g. {shown(a)} at "
            f"{_where(strings, a)}) and month-first dates ({int(month_first.sum()):,}, e.g. {shown(b)} at "
            f"{_where(strings, b)}): one column has one format. Pass date_format= with the format of most rows "
            "(e.g. '%d/%m/%Y'); the others are then reported as unparseable, and fixed or dropped with "
            "on_bad_rows='drop'.")
    if day_first.any():
        return True
    if month_first.any():
        return False
    differ = first != second
    if differ.any():
        raise _ambiguous_order(column, strings, pos[differ])
    return False  # day equals month everywhere: both readings agree


def _read_times(values, column, date_format=None, dayfirst=None):
    """Parse a time column. Returns (naive datetime64[ns] Series, notes, mask of dates outside the usable range).

    Rules: one format per text column (see :func:`_parse_uniform_strings`; columns of several formats are read
    value by value, with one day/month order decided by every value); numbers are YYYYMMDD or Excel serial
    days; time zones: the local wall-clock time of each value is used and its zone dropped (noted) when the column
    has one zone; several UTC offsets, or values with and without an offset, are refused (SchemaError), since
    which zone a value without an offset is in cannot be told. Dates outside 1677-09-22..2262-04-10 (what
    pandas can hold) are NaT and flagged in the mask.
    """
    notes = []
    s = values
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        notes.append(f"time zone {s.dt.tz} of column {column!r} dropped: local wall-clock times are used")
        return _with_notes(_usable_range(s.dt.tz_localize(None)), notes)
    if pd.api.types.is_datetime64_dtype(s.dtype):
        return _with_notes(_usable_range(s), notes)
    if pd.api.types.is_bool_dtype(s.dtype):
        raise SchemaError(f"Column {column!r} holds booleans, not dates. Map `time=` to the date column.")
    if pd.api.types.is_numeric_dtype(s.dtype):
        parsed, note = _numeric_dates(s, column)
        notes.append(note)
        return _with_notes(_usable_range(parsed), notes)
    # strings or objects
    fast = _parse_uniform_strings(s, date_format, dayfirst, column)
    if fast is not None:
        return _with_notes(_usable_range(fast), notes)
    obj = s.astype("object")
    notnull = obj.notna().to_numpy()
    is_text = np.fromiter((isinstance(v, str) for v in obj), dtype=bool, count=len(obj))
    strings = obj[is_text].astype(str)
    offset = strings.str.extract(_OFFSET, expand=False).replace("Z", "+00:00").str.replace(
        r"^([+-]\d{2})(\d{2})$", r"\1:\2", regex=True)  # one spelling per offset
    zone_of = np.full(len(obj), None, dtype=object)
    zone_of[np.flatnonzero(is_text)] = offset.to_numpy(dtype=object)
    for k in np.flatnonzero(notnull & ~is_text):  # Timestamp / datetime objects
        tz = getattr(obj.iloc[k], "tzinfo", None)
        if tz is not None:
            zone_of[k] = str(tz)
    aware = pd.notna(zone_of)
    zones = set(zone_of[aware])
    if len(zones) > 1:
        first_of = np.sort(pd.Series(np.flatnonzero(aware)).groupby(zone_of[aware]).first().to_numpy())[:4]
        raise SchemaError(
            f"Column {column!r} mixes time zones: {len(zones)} different zones or UTC offsets "
            f"({', '.join(sorted(zones)[:5])}), e.g. {[str(v) for v in obj.iloc[first_of]]} at "
            f"{_where(obj, first_of)}. Local times of different zones do not compare: convert every value to one "
            "zone first, e.g. pd.to_datetime(df[col], utc=True).dt.tz_convert('Asia/Shanghai'), and pass that.")
    if zones:
        naive = np.flatnonzero(notnull & ~aware)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            readable = naive[pd.to_datetime(obj.iloc[naive].astype(str), format="mixed", errors="coerce")
                             .notna().to_numpy()] if len(naive) else naive
        if len(readable):
            with_zone = np.flatnonzero(aware)
            raise SchemaError(
                f"Column {column!r} mixes times with a time zone ({len(with_zone):,}, e.g. "
                f"{str(obj.iloc[with_zone[0]])!r} at {_where(obj, with_zone)}) and without one ({len(readable):,}, "
                f"e.g. {str(obj.iloc[readable[0]])!r} at {_where(obj, readable)}): which zone the others are in "
                "cannot be told. Write every value with its offset, or every value in local time without one "
                "(e.g. pd.to_datetime(df[col], utc=True).dt.tz_convert('Asia/Shanghai').dt.tz_localize(None)).")

    def naive_times(parsed):
        if isinstance(parsed.dtype, pd.DatetimeTZDtype):
            notes.append(f"time zone {parsed.dt.tz} of column {column!r} dropped: local wall-clock times are used")
            return parsed.dt.tz_localize(None)
        return parsed

    with warnings.catch_warnings():  # pandas warns when a value goes against dayfirst
        warnings.simplefilter("ignore", UserWarning)
        if date_format is not None:
            return _with_notes(_usable_range(naive_times(pd.to_datetime(obj, format=date_format,
                                                                        errors="coerce"))), notes)
        dmy = np.zeros(len(obj), dtype=bool)
        dmy[np.flatnonzero(is_text)] = strings.str.contains(_DAY_MONTH, regex=True).to_numpy(dtype=bool)
        parsed = naive_times(pd.to_datetime(obj.where(~dmy), format="mixed", errors="coerce"))
        if dmy.any():
            order = dayfirst if dayfirst is not None else _day_first(strings[dmy[is_text]], column)
            # year-first and named-month values are read as they are; only d/m/y values follow the order
            parsed_dmy = naive_times(pd.to_datetime(obj.where(dmy), format="mixed", errors="coerce",
                                                    dayfirst=bool(order)))
            parsed = parsed.where(~dmy, parsed_dmy)
    return _with_notes(_usable_range(parsed), notes)


def _with_notes(parsed_outside, notes):
    return parsed_outside[0], notes, parsed_outside[1]


def _parse_dates(values, column, date_format, dayfirst=None):
    """Parse a time column to naive datetime64[ns]. Returns (parsed, notes); dates pandas cannot hold are NaT
    (:func:`_read_times` also says which)."""
    parsed, notes, _ = _read_times(values, column, date_format, dayfirst)
    return parsed, notes


def _date_outliers(ts, valid, check_future, date_outliers="check", today=None):
    """Mask of dates far outside the bulk of the column, and a note on the rule (None when nothing is flagged).

    The rule: the bulk runs from the k-th smallest to the k-th largest date (k = 1% of the dates, at least one,
    so a few typos never define it); a date more than twice the bulk's span (at least a year) before or after it
    is an outlier, and so is a date after tomorrow (local time) when the caller gave no ``observation_end``
    (no export holds future purchases; a given end decides instead, with the reason "after observation_end").
    """
    out = np.zeros(len(valid), dtype=bool)
    ns = ts.to_numpy(dtype="datetime64[ns]").view("int64")
    vals = ns[valid]
    n = len(vals)
    if date_outliers == "keep" or n == 0:
        return out, None
    day = 86_400 * 10 ** 9
    low, high = -(2 ** 63), 2 ** 63 - 1  # Python ints: no overflow in the margins
    parts = []
    if n >= 3:
        k = min(max(1, n // 100), (n - 1) // 2)
        part = np.partition(vals, [k, n - 1 - k])
        first, last = int(part[k]), int(part[n - 1 - k])
        margin = 2 * max(last - first, 365 * day)
        low, high = first - margin, last + margin
        parts.append(f"more than {margin / (365.2425 * day):.1f} years (twice the bulk's span, at least a year) "
                     f"before or after the bulk {pd.Timestamp(first):%Y-%m-%d} to {pd.Timestamp(last):%Y-%m-%d}")
    if check_future:
        tomorrow_end = int((pd.Timestamp(today) if today is not None else pd.Timestamp.now()).normalize().value) + 2 * day
        high = min(high, tomorrow_end - 1)
        parts.append(f"after {pd.Timestamp(tomorrow_end - day):%Y-%m-%d} (the future)")
    low, high = max(low, -(2 ** 63) + 1), min(high, 2 ** 63 - 1)
    out[valid] = (vals < low) | (vals > high)
    if not out.any():
        return out, None
    return out, f"{int(out.sum()):,} dates are far outside the bulk of the log: {'; or '.join(parts)}"


# numbers written as text ------------------------------------------------------------------------------
# Characters read as a plain space (thousands separator or padding): no-break, narrow no-break, thin, figure, en
# and em spaces, tab; as an apostrophe (Swiss thousands separator): right single quote, modifier letter
# apostrophe, prime, backtick; as a minus sign: minus, figure dash, en dash, small and full-width hyphen-minus.
_AS_SPACE = "\u00a0\u202f\u2009\u2007\u2002\u2003\t"
_AS_APOSTROPHE = "\u2019\u02bc\u2032`"
_AS_MINUS = "\u2212\u2012\u2013\ufe63\uff0d"
_NA_TEXT = frozenset({"", "nan", "none", "null", "na", "n/a", "#n/a", "nat", "-nan"})
_LONGEST_NUMBER = 40  # longer text is never a number (and would widen the character matrix)
_MAX_DIGITS = 15  # a float64 holds 15 significant decimal digits exactly
# a currency symbol or code, before or after the number: ISO codes (EUR, USD, CHF), symbols with an optional
# country prefix (€, $, US$, R$, HK$), and the usual abbreviations
_CURRENCY_TOKEN = (r"(?:[A-Z]{3}|[A-Z]{0,2}[$€£¥₹₩₽₺₴₦₱₫₪฿₡₲₵₸₼₾¢￥￡＄]|Rs\.?|kr\.?|Kr\.?|Fr\.?|zł|Kč|Ft|Rp|RM|"
                   r"元|円|руб\.?)")
# the shape of a number written as text, digits written as 9: signs, parentheses, currency, number, percent
_NUMBER_SHAPE = re.compile(
    rf"\s*(?P<o1>\()?\s*(?P<s1>[-+])?\s*(?P<c1>{_CURRENCY_TOKEN})?\s*(?P<s2>[-+])?\s*(?P<o2>\()?\s*"
    r"(?P<num>[.,]?9(?:[9.,' ]*9)?)"
    rf"\s*(?P<pct>%)?\s*(?P<c3>\))?\s*(?P<s3>-)?\s*(?P<c2>{_CURRENCY_TOKEN})?\s*(?P<s4>-)?\s*(?P<c4>\))?\s*"
)
# a number with decimal point / decimal comma: thousands grouped by the other mark, spaces or apostrophes (or by
# the Indian lakh grouping 12,34,567.89), or not grouped
_NUMBER_WITH = {
    ".": re.compile(r"(?:9{1,3}(?:,999)+|9{1,2}(?:,99)+,999|9{1,3}(?: 999)+|9{1,3}(?:'999)+|9+)?(?:\.9+)?"),
    ",": re.compile(r"(?:9{1,3}(?:\.999)+|9{1,3}(?: 999)+|9{1,3}(?:'999)+|9+)?(?:,9+)?"),
}
_SHAPE_FIELDS = ("kind", "evidence", "sign", "scale_point", "scale_comma")


@dataclass(frozen=True)
class ParsedNumbers:
    """Numbers read from a column by :func:`parse_money`.

    Attributes
    ----------
    values : numpy.ndarray
        float64 values; NaN where the value is missing, unreadable or a percentage.
    missing : numpy.ndarray
        bool: missing (NaN, None, blank text or a written NA such as ``"nan"``, ``"N/A"``).
    unreadable : numpy.ndarray
        bool: present but not a number in the column's style (words, dates, the other decimal separator).
    percent : numpy.ndarray
        bool: percentages such as ``"12.5%"`` (refused: money is not a rate).
    decimal : {".", ",", None}
        Decimal separator the text was read with (None when no text needed one).
    """

    values: np.ndarray
    missing: np.ndarray
    unreadable: np.ndarray
    percent: np.ndarray
    decimal: str | None = None


def _shape_info(shape, currency):
    """(kind, evidence, sign, scale with decimal point, scale with decimal comma) of one shape.

    kind: "number", "percent", "missing" or "bad"; evidence: "point" or "comma" (readable with that decimal
    separator only), "either" (readable both ways, as different numbers: '1,234'), "plain" (the same both ways).
    """
    text = shape.strip()
    if text.lower() in _NA_TEXT:
        return "missing", "", 1, 0, 0
    bad = ("bad", "", 1, 0, 0)
    match = _NUMBER_SHAPE.fullmatch(text)
    if match is None:
        return bad
    g = match.groupdict()
    opens = (g["o1"] is not None) + (g["o2"] is not None)
    closes = (g["c3"] is not None) + (g["c4"] is not None)
    signs = [g[k] for k in ("s1", "s2", "s3", "s4") if g[k] is not None]
    currencies = (g["c1"] is not None) + (g["c2"] is not None)
    num = g["num"]
    if (opens != closes or opens > 1 or len(signs) > 1 or (opens and signs) or (currencies and not currency)
            or num.count("9") > _MAX_DIGITS):
        return bad
    point = _NUMBER_WITH["."].fullmatch(num) is not None
    comma = _NUMBER_WITH[","].fullmatch(num) is not None
    if not (point or comma):
        return bad
    evidence = ("either" if "." in num or "," in num else "plain") if point and comma else (
        "point" if point else "comma")
    scale_point = len(num) - num.index(".") - 1 if point and "." in num else 0
    scale_comma = len(num) - num.index(",") - 1 if comma and "," in num else 0
    sign = -1 if opens or signs == ["-"] else 1
    return ("percent" if g["pct"] else "number"), evidence, sign, scale_point, scale_comma


def _scan_text_numbers(texts, currency):
    """Read strings as digits and shapes: (digits read as one integer, float64; shape code of each string, -1 for
    text too long to be a number; DataFrame of shape facts, one row per code; kind and evidence of each string,
    see :func:`_shape_info`). Vectorised over a character matrix; only the few distinct shapes meet Python."""
    n = len(texts)
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=n)
    short = lengths <= _LONGEST_NUMBER
    digits = np.zeros(n, dtype=np.float64)
    codes = np.full(n, -1, dtype=np.int64)
    if not short.any():
        return digits, codes, pd.DataFrame(columns=list(_SHAPE_FIELDS)), np.full(n, "bad"), np.full(n, "")
    width = max(int(lengths[short].max()), 1)
    chars = np.array((texts if short.all() else texts[short]).tolist(), dtype=f"<U{width}")
    chars = chars.view(np.uint32).reshape(-1, width)  # one code point per cell, 0 after the end
    flat = chars.reshape(-1)
    wide = np.flatnonzero(flat > 127)
    if len(wide):  # one spelling for the spaces, apostrophes and minus signs of other locales
        found = flat[wide]
        for group, plain in ((_AS_SPACE, " "), (_AS_APOSTROPHE, "'"), (_AS_MINUS, "-")):
            found[np.isin(found, [ord(c) for c in group])] = ord(plain)
        flat[wide] = found
    chars[chars == ord("\t")] = ord(" ")
    is_digit = (chars >= ord("0")) & (chars <= ord("9"))
    shapes = np.where(is_digit, np.uint32(ord("9")), chars)
    # distinct shapes: factorise a hash of each row, then check that rows of one code are one shape
    mix = np.random.default_rng(23).integers(1, 2 ** 62, size=width, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    short_codes, _ = pd.factorize(shapes.astype(np.uint64) @ mix)  # wraps around: a hash

    def first_rows(c):  # codes count up in order of first appearance
        return np.flatnonzero(np.r_[True, c[1:] > np.maximum.accumulate(c)[:-1]])

    first = first_rows(short_codes)
    if not (shapes == shapes[first][short_codes]).all():  # pragma: no cover - a 64-bit hash collision
        short_codes, _ = pd.factorize(shapes.view(f"<U{width}").ravel().astype(object))
        first = first_rows(short_codes)
    uniques = shapes[first].view(f"<U{width}").ravel().tolist()
    codes[short] = short_codes
    values = np.zeros(len(chars), dtype=np.int64)  # the digits of each string read as one integer (Horner)
    for column_digit, column_char in zip(is_digit.T, chars.T):
        values = np.where(column_digit, values * 10 + (column_char.astype(np.int64) - ord("0")), values)
    digits[short] = values  # exact: shapes with more than _MAX_DIGITS digits are refused
    table = pd.DataFrame([_shape_info(s, currency) for s in uniques], columns=list(_SHAPE_FIELDS))
    # per string (code -1, too long, reads the appended "bad")
    kind = np.append(table["kind"].to_numpy(dtype="U7"), "bad")[codes]
    evidence = np.append(table["evidence"].to_numpy(dtype="U6"), "")[codes]
    return digits, codes, table, kind, evidence


def _examples_text(texts, n=3):
    return ", ".join(repr(v) for v in pd.unique(np.asarray(texts, dtype=object))[:n])


def _decimal_from(evidence):
    """Decimal separator the evidence of a column's rows settles: (".", ",", or None; problem or None)."""
    point, comma = (evidence == "point").any(), (evidence == "comma").any()
    if point and comma:
        return None, "mixed"
    if point or comma:
        return ("." if point else ","), None
    return None, ("either" if (evidence == "either").any() else None)


def parse_money(values, *, decimal=None, column="amount", currency=True, fallback=None):
    """Read money (or, with ``currency=False``, counts) written as text in any common locale.

    The decimal separator is decided per column from the values: a value that reads only one way settles it
    ('12,50', '1.234,50' and '1.234.567' have a decimal comma; '12.5', '1,234.50' and '1,234,567' a decimal
    point). Thousands may be grouped by the other mark, spaces (also no-break and narrow no-break spaces) or
    apostrophes (also ’); currency symbols and ISO codes may stand before or after the number; a minus sign
    before or after it, or parentheses, make it negative.

    Parameters
    ----------
    values : pandas.Series or array-like
        Text (and possibly numbers) of one column.
    decimal : {None, ".", ","}, default None
        Decimal separator of the text. None decides it from the values.
    column : str, default "amount"
        Column name for messages.
    currency : bool, default True
        Accept currency symbols and codes (money). With False (item counts) they make a value unreadable.
    fallback : {None, ".", ","}
        Decimal separator used when no value settles it (e.g. the one of the amount column, for a discount
        column of round values), instead of raising.

    Returns
    -------
    ParsedNumbers
        Values with per-row masks of missing, unreadable and percentage values, and the decimal separator used.

    Raises
    ------
    SchemaError
        The column mixes a decimal point and a decimal comma, or no value tells which one it uses ('1,234' only)
        and ``decimal`` / ``fallback`` do not say; the message names examples of each and ``decimal=``.

    Examples
    --------
    >>> parse_money(["€1.234,50", "-12,50 €", "(3,00)"]).values
    array([1234.5,  -12.5,   -3. ])
    >>> parse_money(["CHF 1'234.50", "USD 1,234", "1 234.5"]).values
    array([1234.5, 1234. , 1234.5])
    """
    if decimal not in (None, ".", ","):
        raise ParameterError(f"decimal must be None, '.' or ',', got {decimal!r}", parameter="decimal", value=decimal)
    s = values if isinstance(values, pd.Series) else pd.Series(values, dtype=object)
    n = len(s)
    missing = s.isna().to_numpy().copy()
    out = np.full(n, np.nan)
    unreadable = np.zeros(n, dtype=bool)
    percent = np.zeros(n, dtype=bool)
    obj = s.to_numpy(dtype=object)
    if isinstance(s.dtype, pd.StringDtype) or pd.api.types.infer_dtype(obj, skipna=True) in ("string", "empty"):
        is_text = ~missing
    else:
        is_text = np.fromiter((isinstance(v, str) for v in obj), dtype=bool, count=n)
    other = ~is_text & ~missing
    if other.any():  # numbers stored as numbers among text (a spreadsheet column of mixed cells)
        given = obj[other]
        number = np.fromiter((not isinstance(v, (bool, np.bool_)) for v in given), dtype=bool, count=len(given))
        read = pd.to_numeric(pd.Series(np.where(number, given, None)), errors="coerce").to_numpy(dtype="float64")
        out[other] = read
        unreadable[other] = np.isnan(read)
    if not is_text.any():
        return ParsedNumbers(out, missing, unreadable, percent, decimal)
    pos = np.flatnonzero(is_text)
    texts = obj[pos]
    digits, codes, table, kind, evidence = _scan_text_numbers(texts, currency)
    used = decimal
    if used is None:
        used, problem = _decimal_from(evidence[kind == "number"])
        if problem == "either" and fallback is not None:
            used, problem = fallback, None
        if problem is not None:
            raise SchemaError(_decimal_message(s, column, pos, texts, kind, evidence, digits, codes, table, problem))
    scale = table["scale_point" if used != "," else "scale_comma"].to_numpy(dtype=np.int64)
    readable = table["evidence"].isin(["plain", "either", "point" if used != "," else "comma"]).to_numpy()
    ok = codes >= 0
    ok[ok] = readable[codes[ok]]
    number = ok & (kind == "number")
    at = codes[number]
    out[pos[number]] = digits[number] / 10.0 ** scale[at] * table["sign"].to_numpy(dtype=np.float64)[at]
    missing[pos[kind == "missing"]] = True
    percent[pos[ok & (kind == "percent")]] = True
    bad = pos[~ok & (kind != "missing")]
    if len(bad):  # exponents and infinities that the shapes do not cover ('1.5e3', '-inf')
        again = np.where(kind[~ok & (kind != "missing")] == "bad", obj[bad], None)
        read = pd.to_numeric(pd.Series(again, dtype=object), errors="coerce").to_numpy(dtype="float64")
        out[bad] = read
        unreadable[bad] = np.isnan(read)
    return ParsedNumbers(out, missing, unreadable, percent, used if (kind == "number").any() else decimal)


def _decimal_message(s, column, pos, texts, kind, evidence, digits, codes, table, problem):
    """The SchemaError text for a column that mixes decimal separators, or that no value settles."""
    if problem == "mixed":
        parts = []
        for name, word in (("point", "a decimal point"), ("comma", "a decimal comma")):
            rows = (kind == "number") & (evidence == name)
            parts.append(f"{int(rows.sum()):,} use {word} (e.g. {_examples_text(texts[rows])}; "
                         f"first at {_where(s, pos[rows])})")
        return (f"Column {column!r} mixes decimal separators: {parts[0]} and {parts[1]}. Fix the column at the "
                "source, or pass decimal='.' or decimal=',' to read one style: values written in the other become "
                "unparseable rows (on_bad_rows='drop' drops and reports them).")
    rows = (kind == "number") & (evidence == "either")
    first = np.flatnonzero(rows)[0]
    facts = table.iloc[codes[first]]
    as_point = np.format_float_positional(digits[first] / 10.0 ** facts["scale_point"], trim="-")
    as_comma = np.format_float_positional(digits[first] / 10.0 ** facts["scale_comma"], trim="-")
    return (f"Column {column!r}: the decimal separator cannot be told from the values. {int(rows.sum()):,} values "
            f"such as {_examples_text(texts[rows])} (first at {_where(s, pos[rows])}) read two ways ("
            f"{texts[first]!r} is {as_point} with a decimal point and {as_comma} with a decimal comma), and no "
            "value settles it. Pass decimal='.' or decimal=','.")


_ROLES = {"amount": "amounts", "price": "prices", "discount": "discounts", "quantity": "quantities"}


def _parse_amounts(values, column, parse_amounts, decimal=None, *, role="amount", fallback=None):
    """Read a money column (role "amount", "price" or "discount") or an item count column ("quantity").

    Numbers stay numbers at no cost. Text is read as plain numbers unless ``parse_amounts`` or ``decimal`` ask
    for formatted money (:func:`parse_money`). Without them, formatted money raises a SchemaError that names the
    option reading it; blanks and written NAs are missing; words, dates and percentages are per-row problems.
    Returns :class:`ParsedNumbers`.
    """
    s = values
    money = role != "quantity"
    if pd.api.types.is_bool_dtype(s.dtype):
        raise SchemaError(f"Column {column!r} holds booleans, not {_ROLES[role]}. Map `{role}=` to the "
                          f"{'money' if money else 'item count'} column.")
    if pd.api.types.is_numeric_dtype(s.dtype):
        numbers = s.to_numpy(dtype="float64", na_value=np.nan)
        return ParsedNumbers(numbers, np.isnan(numbers), np.zeros(len(s), dtype=bool), np.zeros(len(s), dtype=bool))
    if parse_amounts or decimal is not None:
        parsed = parse_money(s, decimal=decimal, column=column, currency=money, fallback=fallback)
    else:
        numbers = pd.to_numeric(s.astype("object"), errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        missing = s.isna().to_numpy().copy()
        odd = ~missing & np.isnan(numbers)
        if not odd.any():
            return ParsedNumbers(numbers, missing, np.zeros(len(s), dtype=bool), np.zeros(len(s), dtype=bool))
        # text pandas does not read: blanks, words, percentages -- or formatted money, which needs the option
        both = [parse_money(s[odd], decimal=d, column=column, currency=money) for d in (".", ",")]
        read = [~p.missing & ~p.unreadable & ~p.percent for p in both]
        formatted = read[0] | read[1]
        if formatted.any():
            raise SchemaError(_formatted_message(s, odd, formatted, column, role))
        percent, unreadable = np.zeros(len(s), dtype=bool), np.zeros(len(s), dtype=bool)
        percent[odd] = both[0].percent | both[1].percent
        unreadable[odd] = ~both[0].missing & ~percent[odd]
        missing[odd] = both[0].missing
        parsed = ParsedNumbers(numbers.copy(), missing, unreadable, percent)
    present = ~parsed.missing
    if money and parsed.percent.any() and not (present & ~parsed.percent).any():
        pos = np.flatnonzero(parsed.percent)
        examples = _examples_text(s.iloc[pos].tolist())
        if role == "discount":
            raise SchemaError(
                f"Column {column!r} holds percentages (e.g. {examples} at {_where(s, pos)}), but the discount "
                "column is money off the order (list price = amount + discount). Convert the rates to money before "
                "loading (discount = amount x rate / (1 - rate) when amounts are after the discount), or do not "
                "map discount=.")
        raise SchemaError(f"Column {column!r} holds percentages (e.g. {examples} at {_where(s, pos)}), not money: "
                          f"map `{role}=` to the money column.")
    return parsed


def _formatted_message(s, odd, formatted, column, role):
    """SchemaError text: formatted money (or counts with separators) without ``parse_amounts``."""
    pos = np.flatnonzero(odd)[formatted]
    texts = s.iloc[pos].tolist()
    what = "formatted money" if role != "quantity" else "numbers with thousands separators"
    hint = ""
    obj = s.to_numpy(dtype=object)
    is_text = np.fromiter((isinstance(v, str) for v in obj), dtype=bool, count=len(obj))
    if is_text.any():  # the decimal separator of the whole column, as parse_amounts=True would read it
        all_texts = obj[is_text]
        _, _, _, kind, evidence = _scan_text_numbers(all_texts, role != "quantity")
        decided, problem = _decimal_from(evidence[kind == "number"])

        def ex(name):
            return _examples_text(all_texts[(kind == "number") & (evidence == name)], 2)

        if problem == "mixed":
            hint = (f"; but the column mixes a decimal point (e.g. {ex('point')}) and a decimal comma (e.g. "
                    f"{ex('comma')}): fix it at the source, or also pass decimal='.' or decimal=',' to read one style")
        elif problem == "either":
            hint = (f"; no value tells the decimal separator ({ex('either')} read two ways), so also pass "
                    "decimal='.' or decimal=','")
        elif decided == ",":
            hint = f" (the values have a decimal comma, e.g. {ex('comma')}: it is read from the column)"
        elif decided == ".":
            hint = f" (the values have a decimal point, e.g. {ex('point')})"
    others = np.flatnonzero(odd)[~formatted]
    rest = ""
    if len(others):
        rest = (f" {len(others):,} other values are not numbers (e.g. {_examples_text(s.iloc[others].tolist())}): "
                "they count as bad rows.")
    return (f"Column {column!r} has {len(pos):,} non-numeric {_ROLES[role]} (e.g. {_examples_text(texts)}) at "
            f"{_where(s, pos)}. They look like {what}: pass parse_amounts=True to read currency symbols, thousands "
            f"separators and parentheses{hint}.{rest}")



class Transactions:
    """A validated transaction log with its per-customer arrays.

    Build it with :meth:`from_frame` or :func:`read_transactions`; do not call the constructor yourself.

    Attributes
    ----------
    frame : pandas.DataFrame
        Canonical columns ``customer_id, timestamp, amount[, order_id, category, quantity, channel, discount]``,
        sorted by customer then time. Row ``i`` is transaction ``i`` of :attr:`arrays`.
    arrays : toolkit.customers.CustomerArrays
        CSR per-customer arrays built once.
    observation_end : pandas.Timestamp
        Last calendar day observed (inclusive).
    time_unit : {"D", "W", "M"}
        Unit of every duration derived from this log ("M" is the mean Gregorian month, 365.2425/12 days).
    report : CleaningReport
        Rows in, rows kept and rows dropped by reason.
    """

    def __init__(self, frame, arrays, observation_end, time_unit, report, columns):
        self.frame = frame
        self.arrays = arrays
        self.observation_end = observation_end
        self.time_unit = time_unit
        self.report = report
        self.columns = columns

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_frame(
        cls,
        df,
        customer,
        time,
        amount=None,
        order=None,
        category=None,
        quantity=None,
        channel=None,
        discount=None,
        observation_end=None,
        time_unit="D",
        on_bad_rows="raise",
        duplicates=None,
        parse_amounts=False,
        zero_amounts="keep",
        date_format=None,
        *,
        decimal=None,
        price=None,
        item=None,
        description=None,
        exclude_items=None,
        line_key=None,
        dayfirst=None,
        date_outliers="check",
    ):
        """Validate a raw transaction frame and build the canonical frame and customer arrays.

        Parameters
        ----------
        df : pandas.DataFrame
            One row per transaction, or per order line (then map ``order=``: lines of one order count as one
            purchase in every analysis).
        customer, time : str
            Names of the customer id and date/time columns in ``df``.
        amount : str, optional
            Name of the money column (net amount per row). Or map ``quantity=`` and ``price=`` instead.
        order, category, quantity, channel, discount : str, optional
            Names of optional columns: order id (invoice number), product category, item count, sales channel
            and discount (money off the order; > 0 marks a discounted order).
        observation_end : date-like, optional
            Last calendar day observed, inclusive. Defaults to the last date in the data.
        time_unit : {"D", "W", "M"}, default "D"
            Unit of durations (recency, T, ...) derived from this log.
        on_bad_rows : {"raise", "drop", "net"}, default "raise"
            What to do with rows that break the contract (missing or unparseable keys, dates after
            ``observation_end``, negative amounts, duplicates). ``"raise"`` raises one
            :class:`~toolkit.errors.DataQualityError` listing every problem; ``"drop"`` removes them (and reports
            how much of the kept revenue later refund rows cancel); ``"net"`` nets refunds (negative amounts, e.g.
            cancellation invoices) against the customer's purchases and drops the other bad rows. Every removed
            row and its money is counted in :attr:`report`. The netting rule does not depend on the order of the
            rows: refunds are settled in time order (at equal times purchases come before refunds); each takes
            from lines of the same order first (when ``order`` is given), then from purchases of the same
            calendar day, then from earlier days, latest first, and within each of these steps a purchase of
            exactly the refund's amount first. A refund never reaches a later day's purchase of another order.
        duplicates : {None, "raise", "drop", "keep"}, default None
            Rows equal in **every column of the frame** (or in ``line_key``): copies of one row made by the
            export. Distinct lines with equal totals are never duplicates. ``None`` follows ``on_bad_rows``
            (raise when it raises, drop otherwise). ``"keep"`` keeps them (and reports the count).
        parse_amounts : bool, default False
            Read formatted money in the money columns (amount, price, discount) and thousands separators in
            quantities, by :func:`parse_money`: currency symbols and codes before or after the number ("¥99",
            "-12,50 €", "CHF 1'234.50", "USD 1,234"), thousands grouped by points, commas, spaces (also no-break
            and narrow no-break) or apostrophes, negatives as "-12.50", "12,50-" or "(3.00)". The decimal
            separator is decided per column from the values ("1.234,50" or "12,50" settle a decimal comma,
            "1,234.50" or "12.5" a decimal point); a column that mixes both, or that no value settles ("1,234"
            only), raises a SchemaError asking for ``decimal=``. Percentages are refused ("12.5%": reason
            "percentage (not money)", or "percentage discount"). Off by default: formatted money raises a
            SchemaError naming this option; text that is no number ("two", "abc") is a bad row of its column
            (reasons "unparseable amount", "unparseable quantity", "unparseable discount") either way. Blank
            text and written NAs ("nan", "N/A") are missing values; a missing discount is no discount.
        zero_amounts : {"keep", "drop", "raise"}, default "keep"
            Zero-value transactions (free items, 100% discounts). Kept ones count as purchases and are
            reported.
        date_format : str, optional
            ``strftime`` format of the time column when it is text; otherwise the format is inferred.
            One format serves the whole column: it is inferred from all values (day-first or month-first
            as the values that can only be read one way say; a column whose every date reads both ways raises a
            SchemaError asking for ``date_format=`` or ``dayfirst=``). Numbers are read as YYYYMMDD or Excel
            serial days (45292 = 2024-01-01). Time zones: a column in one zone (or one UTC offset) keeps each
            value's local wall-clock time and drops the zone (noted); several zones, or values with and without
            an offset, raise a SchemaError. Dates pandas cannot hold (before 1677-09-22 or after 2262-04-10)
            are bad rows ("date outside the usable range").
        dayfirst : bool, optional
            Day before month in text dates such as 05/06/2024 (True) or month first (False); default: inferred.
        date_outliers : {"check", "keep"}, default "check"
            ``"check"``: dates far outside the bulk are bad rows ("date far outside the bulk (outlier)", raised
            or dropped as ``on_bad_rows`` says): after tomorrow when ``observation_end`` is not given, or more
            than twice the bulk's span (at least a year) before or after the bulk (the dates between the 1st and
            99th percentile, by rank). They never move the observation end. ``"keep"`` accepts them.
        decimal : {None, ".", ","}, default None
            Decimal separator of money and quantities written as text, for columns whose values do not settle it
            (see ``parse_amounts``; setting it implies ``parse_amounts=True``). Values written with the other
            separator become unparseable rows.
        price : str, optional
            Unit price column: the money of a row is ``quantity * price`` (needs ``quantity=``; replaces
            ``amount=``). Parsed like amounts (``parse_amounts``).
        item, description : str, optional
            Item code and item description columns. ``item`` is kept as the canonical column ``item``; both
            serve ``exclude_items`` and the detection of non-product lines (postage, fees, adjustments), which
            the :attr:`report` lists without excluding anything.
        exclude_items : list of str, or str, optional
            Non-product lines to drop (reason "non-product line (exclude_items)"): a list of item codes (exact,
            in the ``item`` column), or a regular expression searched in the ``item`` and ``description``
            columns (e.g. ``r"^(POST|DOT|M|BANK CHARGES)$"``).
        line_key : list of str, optional
            Columns that identify a line, for ``duplicates``: rows of one customer at one time with equal values
            in them are copies. Default: every column of the frame.

        Returns
        -------
        Transactions

        Raises
        ------
        SchemaError
            Empty frame, a missing or duplicated column, formatted money without ``parse_amounts``, a money
            column that mixes decimal separators or does not settle one (``decimal=``), a money column of
            percentages only, mixed time zones, numeric timestamps.
        DataQualityError
            Bad rows with ``on_bad_rows="raise"``; the message lists each problem with its column, count,
            example rows and the fix.

        Examples
        --------
        >>> import pandas as pd, toolkit
        >>> raw = pd.DataFrame({"cust": [1, 1, 2], "date": ["2024-01-02", "2024-02-03", "2024-01-05"],
        ...                     "value": [10.0, 12.5, 7.0]})
        >>> tx = toolkit.Transactions.from_frame(raw, customer="cust", time="date", amount="value")
        >>> tx.n_customers, len(tx)
        (2, 3)
        """
        mapping = {"customer": customer, "time": time, "amount": amount, "order": order, "category": category,
                   "quantity": quantity, "channel": channel, "discount": discount, "item": item}
        cls._check_options(time_unit, on_bad_rows, duplicates, zero_amounts)
        if (amount is None) == (price is None):
            raise SchemaError("Map the money once: amount= (money per row), or price= with quantity= "
                              "(amount = quantity x unit price)." if amount is None else
                              "Pass amount= or price= (with quantity=), not both.")
        if price is not None and quantity is None:
            raise SchemaError("price= needs quantity=: the money of a row is quantity x unit price.")
        raw = cls._check_columns(df, {**mapping, "price": price, "description": description})
        key_cols = cls._line_key(raw, customer, line_key)
        report = CleaningReport(rows_in=len(raw), where=_where_kind(raw))
        problems = []  # (reason, column, mask) in check order
        m = len(raw)

        # customer ids ------------------------------------------------------------
        cust = raw[customer]
        cust_missing = cust.isna().to_numpy().copy()  # pandas >= 3 hands out read-only views
        if isinstance(cust.dtype, pd.StringDtype) or cust.dtype == object:
            cust_missing |= _blank_strings(cust)
        problems.append(("missing customer_id", customer, cust_missing))

        # timestamps ---------------------------------------------------------------
        _check_date_options(dayfirst, date_outliers)
        ts, notes, outside = _read_times(raw[time], time, date_format, dayfirst)
        report.notes.extend(notes)
        ts_na = ts.isna().to_numpy()
        raw_na = raw[time].isna().to_numpy().copy()
        if (raw[time].dtype == object or isinstance(raw[time].dtype, pd.StringDtype)) and ts_na.any():
            maybe = np.flatnonzero(ts_na & ~raw_na)  # a blank string parses to NaT: look only at those
            raw_na[maybe] |= _blank_strings(raw[time].iloc[maybe])
        problems.append(("missing timestamp", time, raw_na))
        unparseable_ts = ts_na & ~raw_na & ~outside
        if unparseable_ts.all() and m > 0:
            raise SchemaError(
                f"No value of column {column_repr(time)} could be read as a date (e.g. "
                f"{raw[time].head(3).tolist()}). Check that `time=` names the date column, or pass date_format=."
            )
        problems.append(("unparseable timestamp", time, unparseable_ts))
        problems.append(("date outside the usable range", time, outside))
        outliers, outlier_note = _date_outliers(ts, ~ts_na, observation_end is None, date_outliers)
        if outlier_note:
            report.notes.append(outlier_note)
        problems.append(("date far outside the bulk (outlier)", time, outliers))

        # money ----------------------------------------------------------------------
        # text is read by parse_money: the decimal separator of each column is decided from its values (or by
        # decimal=); a discount or quantity column that does not settle it takes the money column's
        if decimal not in (None, ".", ","):
            raise ParameterError(f"decimal must be None, '.' or ',', got {decimal!r}",
                                 parameter="decimal", value=decimal)
        money_text = parse_amounts or decimal is not None
        parsed = _parse_amounts(raw[price if price is not None else amount], price if price is not None else amount,
                                parse_amounts, decimal, role="price" if price is not None else "amount")
        qty = None if quantity is None else _parse_quantity(raw[quantity], quantity, money_text, decimal,
                                                             fallback=parsed.decimal)
        if price is None:
            amt, amt_na = parsed.values, parsed.missing
            money_col = amount
        else:
            amt = qty.values * parsed.values
            amt_na = parsed.missing | qty.missing
            money_col = f"{quantity} x {price}"
        finite = np.isfinite(amt)
        money = np.where(finite, amt, 0.0)
        report.money_in = float(money.sum())
        problems.append(("missing amount", money_col, amt_na))
        # a bad price or percentage is the price column's problem, not the product's
        problems.append(("unparseable amount", amount or price, parsed.unreadable & ~amt_na))
        problems.append(("percentage (not money)", amount or price, parsed.percent & ~amt_na))
        problems.append(("non-finite amount", money_col, np.isinf(amt)))
        if qty is not None:  # its own reason, also when it forms the amount (a word, a percentage, a currency)
            problems.append(("unparseable quantity", quantity, qty.unreadable))
        disc = None
        if discount is not None:
            disc = _parse_amounts(raw[discount], discount, parse_amounts, decimal, role="discount",
                                  fallback=parsed.decimal)
            problems.append(("unparseable discount", discount, disc.unreadable))
            problems.append(("percentage discount", discount, disc.percent))

        # observation end -----------------------------------------------------------
        ts_ns = ts.to_numpy(dtype="datetime64[ns]")
        if observation_end is None:
            # the last usable date: outliers do not move the end of the log
            usable = ~ts_na & ~outliers
            end = pd.Timestamp(ts_ns.view("int64")[usable].max()).normalize() if usable.any() else None
            problems.append(("after observation_end", time, np.zeros(m, dtype=bool)))
        else:
            end = pd.Timestamp(observation_end)
            if end.tzinfo is not None:
                end = end.tz_localize(None)
            end = end.normalize()
            after = ~ts_na & (ts_ns >= np.datetime64(end + pd.Timedelta(days=1), "ns"))
            problems.append(("after observation_end", time, after))

        # non-product lines the caller named --------------------------------------------------
        if exclude_items is not None:
            excluded, exclude_notes = _excluded_items(raw, item, description, exclude_items)
            report.notes.extend(exclude_notes)
            problems.append((_EXCLUDED, item if item is not None else description, excluded))

        # rows failing the basic checks are excluded before the order-dependent checks
        first_fail = np.zeros(m, dtype=bool)
        for _, _, mask in problems:
            first_fail |= mask
        good = ~first_fail

        # order-dependent checks on the remaining rows ---------------------------------
        all_good = bool(good.all())
        # later steps need the mapped columns only (the duplicate check hashes whole rows of `raw` below)
        item_cols = _item_column(raw, mapping, description)  # mapped, or recognised by name
        needed = list(dict.fromkeys(c for c in (*mapping.values(), *item_cols[:2]) if c is not None))
        sub = raw if all_good else raw.loc[good, needed]
        sub_pos = None if all_good else np.flatnonzero(good)  # raw position of each remaining row
        codes, uniques, cust_note = _factorize_ids(sub[customer])
        if cust_note:
            report.notes.append(cust_note)
        sub_ns = ts_ns.view("int64") if all_good else ts_ns[good].view("int64")
        sub_amt = amt if all_good else amt[good]
        if key_cols:
            extra = pd.util.hash_pandas_object(raw[key_cols], index=False).to_numpy().view(np.int64)
            extra = extra if all_good else extra[good]
        else:
            extra = np.empty(0, dtype=np.int64)

        from ._kernels.build import csr_order, duplicate_mask

        perm, offsets, ns_sorted, amount_sorted = csr_order(codes, sub_ns, sub_amt, len(uniques))
        # an explicit line key decides alone; by default the whole row (amount included) must repeat
        same_amount = amount_sorted if line_key is None else np.zeros_like(amount_sorted)
        dup_sorted = duplicate_mask(offsets, perm, ns_sorted, same_amount, extra)
        del extra, same_amount
        dup_local = np.zeros(len(sub), dtype=bool)
        dup_local[perm[dup_sorted]] = True
        del dup_sorted
        dup_mode = duplicates if duplicates is not None else ("raise" if on_bad_rows == "raise" else "drop")
        neg_local = sub_amt < 0
        zero_local = sub_amt == 0

        def full(mask_local):
            out = np.zeros(m, dtype=bool)
            out[mask_local if sub_pos is None else sub_pos[mask_local]] = True
            return out

        dup_what = "every column" if line_key is None else ", ".join(str(c) for c in key_cols)
        if dup_mode != "keep":
            problems.append(("duplicate row", dup_what, full(dup_local)))
        elif dup_local.any():
            report.kept_notes["duplicate row (kept: duplicates='keep')"] = int(dup_local.sum())
        if on_bad_rows != "net":
            problems.append(("negative amount (return)", money_col, full(neg_local & ~dup_local)))
        if zero_amounts != "keep":
            zero_problem = full(zero_local & ~dup_local)
            if zero_amounts == "raise":
                problems.append(("zero amount", money_col, zero_problem))
        elif zero_local.any():
            report.kept_notes["zero amount (kept: counted as a purchase)"] = int((zero_local & ~dup_local).sum())

        # raise with every problem at once ------------------------------------------------
        raise_reasons = []
        for reason, column, mask in problems:
            n_bad = int(mask.sum())
            if not n_bad or reason == _EXCLUDED:
                continue
            is_dup = reason == "duplicate row"
            is_zero = reason == "zero amount"
            raising = (is_dup and dup_mode == "raise") or (is_zero and zero_amounts == "raise") or (
                not is_dup and not is_zero and on_bad_rows == "raise")
            if raising:
                raise_reasons.append((reason, column, mask, n_bad))
        if raise_reasons:
            lines = [f"{sum(r[3] for r in raise_reasons):,} of {m:,} rows break the transaction contract:"]
            for reason, column, mask, n_bad in raise_reasons:
                pos = np.flatnonzero(mask)
                where = (f"in {column}" if reason == "duplicate row" and line_key is None else
                         f"in column {column_repr(column)}")
                lines.append(f"- {reason} {where}: {n_bad:,} rows (first at {_where(raw, pos)}). "
                             f"Fix: {_FIX[reason]}.")
                lines.append(_indent(_format_examples(_examples(raw, pos))))
            first = raise_reasons[0]
            raise DataQualityError("\n".join(lines), column=first[1], count=sum(r[3] for r in raise_reasons),
                                   examples=_examples(raw, np.flatnonzero(first[2])))

        # drop -------------------------------------------------------------------------
        drop = np.zeros(m, dtype=bool)
        for reason, column, mask in problems:
            new = mask & ~drop
            n_new = int(new.sum())
            if n_new:
                report.dropped[reason] = report.dropped.get(reason, 0) + n_new
                report.money_dropped[reason] = report.money_dropped.get(reason, 0.0) + float(money[new].sum())
                report.examples[reason] = _examples(raw, np.flatnonzero(new))
                drop |= new
        if zero_amounts == "drop":
            zero_full = full(zero_local) & ~drop
            if zero_full.any():
                report.dropped["zero amount"] = int(zero_full.sum())
                report.money_dropped["zero amount"] = 0.0
                report.examples["zero amount"] = _examples(raw, np.flatnonzero(zero_full))
                drop |= zero_full

        keep_local = ~(drop if sub_pos is None else drop[sub_pos])
        final_amount = sub_amt
        if neg_local.any():
            alive = ~(dup_local if dup_mode != "keep" else np.zeros(len(sub), dtype=bool))
            if sub_pos is None:
                sub_pos = np.arange(m)
            if on_bad_rows == "net":
                final_amount = sub_amt.copy()
                keep_local = cls._net(sub, sub_pos, raw, mapping, codes, perm, offsets, final_amount, keep_local,
                                      report, money, sub_ns)
            else:
                cls._cancelled_later(sub, mapping, codes, perm, offsets, sub_amt, keep_local | (neg_local & alive),
                                     report, sub_ns)
        del codes

        # canonical frame in CSR order -----------------------------------------------------
        netted = final_amount is not sub_amt
        if keep_local.all():
            perm_kept, kept_offsets, ts_out = perm, offsets, ns_sorted
            amount_out = final_amount[perm_kept] if netted else amount_sorted
            uniques = np.asarray(uniques)
            counts = np.diff(offsets)
        else:
            keep_sorted = keep_local[perm]
            perm_kept = perm[keep_sorted]
            ts_out = ns_sorted[keep_sorted]
            amount_out = final_amount[perm_kept] if netted else amount_sorted[keep_sorted]
            kept_before = np.zeros(len(keep_sorted) + 1, dtype=np.int64)
            np.cumsum(keep_sorted, out=kept_before[1:])
            del keep_sorted
            counts = np.diff(kept_before[offsets])
            del kept_before
            present = counts > 0
            uniques = np.asarray(uniques)[present]
            counts = counts[present]
            kept_offsets = np.zeros(len(counts) + 1, dtype=np.int64)
            np.cumsum(counts, out=kept_offsets[1:])
        del perm, ns_sorted, amount_sorted
        columns_out = {
            "customer_id": np.repeat(uniques, counts),
            "timestamp": ts_out.view("datetime64[ns]"),
            "amount": amount_out,
        }
        for key in _OPTIONAL:
            col = mapping[key]
            if col is not None:
                columns_out[_CANONICAL[key]] = sub[col].array.take(perm_kept)  # keeps text as Arrow strings
        frame = pd.DataFrame(columns_out, copy=False)
        kept_raw = perm_kept if sub_pos is None else sub_pos[perm_kept]  # raw position of each kept row
        if disc is not None:  # read above; unreadable ones were bad rows, a missing discount is no discount
            frame["discount"] = np.where(disc.missing, 0.0, disc.values)[kept_raw]
        if qty is not None and not pd.api.types.is_numeric_dtype(raw[quantity].dtype):
            frame["quantity"] = qty.values[kept_raw]  # text read above (numbers keep their dtype)
        report.rows_kept = len(frame)
        report.money_kept = float(amount_out.sum())
        if not report.balanced or not report.money_balanced:  # pragma: no cover - guarded by tests
            raise AssertionError(f"cleaning report does not balance: {report._text('en')}")
        report.suspect_items, suspect_note = _suspect_items(sub, perm_kept, amount_out, *item_cols)
        if suspect_note:
            report.notes.append(suspect_note)
        if len(frame) == 0:
            error = DataQualityError(
                f"No rows are left after cleaning ({report.rows_in:,} in). {report._text('en')}", count=report.rows_in)
            error.report = report  # callers that add up reports over pieces of a log (toolkit.scale) need it
            raise error
        arrays = build_arrays(frame, kept_offsets, uniques, end, time_unit)
        columns = {k: v for k, v in {**mapping, "price": price, "description": description}.items()
                   if v is not None}
        return cls(frame, arrays, end, time_unit, report, columns)

    @staticmethod
    def _line_key(raw, customer, line_key):
        """Columns hashed to find copies of a row (the customer is the CSR grouping, time and amount the runs)."""
        if line_key is None:
            return [c for c in raw.columns if c != customer]
        cols = [line_key] if isinstance(line_key, str) else list(line_key)
        missing = [c for c in cols if c not in raw.columns]
        if missing or not cols:
            raise SchemaError(f"line_key={line_key!r}: {missing or 'no columns'} not in the frame."
                              + (_suggest(missing[0], raw.columns) if missing else "")
                              + f" Available columns: {[str(c) for c in raw.columns]}.")
        return cols

    @staticmethod
    def _check_options(time_unit, on_bad_rows, duplicates, zero_amounts):
        if time_unit not in TIME_UNITS:
            raise ParameterError(f"time_unit must be one of {TIME_UNITS}, got {time_unit!r}.",
                                 parameter="time_unit", value=time_unit)
        if on_bad_rows not in ("raise", "drop", "net"):
            raise ParameterError(f"on_bad_rows must be 'raise', 'drop' or 'net', got {on_bad_rows!r}.",
                                 parameter="on_bad_rows", value=on_bad_rows)
        if duplicates not in (None, "raise", "drop", "keep"):
            raise ParameterError(f"duplicates must be None, 'raise', 'drop' or 'keep', got {duplicates!r}.",
                                 parameter="duplicates", value=duplicates)
        if zero_amounts not in ("keep", "drop", "raise"):
            raise ParameterError(f"zero_amounts must be 'keep', 'drop' or 'raise', got {zero_amounts!r}.",
                                 parameter="zero_amounts", value=zero_amounts)

    @staticmethod
    def _check_columns(df, mapping):
        if not isinstance(df, pd.DataFrame):
            raise SchemaError(f"Expected a pandas DataFrame of transactions, got {type(df).__name__}.")
        if df.columns.duplicated().any():
            dupes = sorted({str(c) for c in df.columns[df.columns.duplicated()]})
            raise SchemaError(f"Column names must be unique; duplicated: {dupes}. Rename them first.")
        if len(df) == 0:
            raise SchemaError("The transaction frame is empty (0 rows): nothing to analyse. Check the file or filter.")
        missing = []
        for key, col in mapping.items():
            if col is not None and col not in df.columns:
                missing.append(f"{key}={col!r} is not a column.{_suggest(col, df.columns)}")
        if missing:
            raise SchemaError(" ".join(missing) + f" Available columns: {[str(c) for c in df.columns]}.")
        used = [c for c in mapping.values() if c is not None]
        if len(set(used)) != len(used):
            raise SchemaError(f"One column is mapped to two roles: {mapping}. Map each role to its own column.")
        return df

    @staticmethod
    def _order_codes(sub, mapping, codes):
        """Order ids as codes ranked by value (``-1`` when missing): the netting kernel compares them within a
        customer only, and breaks ties by them, so they must not depend on the order of the rows."""
        if mapping["order"] is None:
            return np.full(len(sub), -1, dtype=np.int64)
        try:
            order, _ = pd.factorize(sub[mapping["order"]], sort=True)
        except TypeError:  # ids of mixed types: rank the distinct values by type name, then text
            order, uniques = pd.factorize(sub[mapping["order"]])
            keys = [(type(v).__name__, str(v)) for v in uniques]
            rank = np.empty(len(keys), dtype=np.int64)
            rank[sorted(range(len(keys)), key=keys.__getitem__)] = np.arange(len(keys))
            order = np.where(order >= 0, rank[np.maximum(order, 0)], -1)
        return order.astype(np.int64, copy=False)

    @classmethod
    def _netting(cls, sub, mapping, codes, perm, offsets, amount, rows, sub_ns):
        """Run the netting kernel on the ``rows`` (a mask over ``sub``) in CSR order.

        Returns (positions in ``sub``, amounts before, amounts after, status, unmatched refund money)."""
        from ._kernels.build import net_returns

        order_code = cls._order_codes(sub, mapping, codes)
        p = perm[rows[perm]]
        new_offsets = np.concatenate([[0], np.cumsum(np.bincount(codes[p], minlength=len(offsets) - 1))])
        before = amount[p]
        new_amount, status, unmatched = net_returns(new_offsets.astype(np.int64), sub_ns[p], before, order_code[p])
        return p, before, new_amount, status, unmatched

    @classmethod
    def _net(cls, sub, sub_pos, raw, mapping, codes, perm, offsets, final_amount, keep_local, report, money,
             sub_ns):
        """Net refunds against purchases by the rule of :func:`toolkit._kernels.build.net_returns`."""
        # netting only sees rows that survive the other checks
        p, before, new_amount, status, unmatched = cls._netting(sub, mapping, codes, perm, offsets, final_amount,
                                                                keep_local, sub_ns)
        final_amount[p] = new_amount
        reasons = {1: "return netted against purchases", 2: "purchase fully refunded (netted)",
                   3: "return larger than earlier purchases (remainder unmatched)"}
        for code, reason in reasons.items():
            hit = status == code
            if hit.any():
                local = p[hit]
                report.dropped[reason] = int(hit.sum())
                report.money_dropped[reason] = float(money[sub_pos[local]].sum())
                report.examples[reason] = _examples(raw, sub_pos[local])
                keep_local[local] = False
        partly = status == 4
        if partly.any():
            reason = "purchase partly refunded (amount reduced)"
            report.kept_notes[reason] = int(partly.sum())
            report.money_moved[reason] = float((before[partly] - new_amount[partly]).sum())
        refunds = float(-before[before < 0].sum())
        if refunds > 0:
            text = (f"refunds netted: {refunds - unmatched:,.2f} of purchases cancelled by later refund rows of the "
                    "same customers")
            if unmatched > 0:
                text += (f"; {unmatched:,.2f} of refunds found no earlier purchase in the log (bought before it "
                         "starts, or more than was bought) and were dropped")
            report.notes.append(text)
        return keep_local

    @classmethod
    def _cancelled_later(cls, sub, mapping, codes, perm, offsets, amount, rows, report, sub_ns):
        """With refunds dropped, how much of the kept revenue later refund rows would cancel (a note)."""
        _, before, new_amount, _, _ = cls._netting(sub, mapping, codes, perm, offsets, amount, rows, sub_ns)
        purchases = before > 0
        cancelled = float((before[purchases] - new_amount[purchases]).sum())
        report.cancelled_later = cancelled
        if cancelled > 0:
            kept = float(before[purchases].sum())
            report.notes.append(
                f"{cancelled:,.2f} ({cancelled / kept:.1%}) of the kept revenue was cancelled later by refund rows of "
                f"the same customers, which were dropped; pass on_bad_rows='net' to subtract it")

    # ------------------------------------------------------------------ accessors
    def __len__(self):
        return len(self.frame)

    @property
    def n_customers(self) -> int:
        """Number of distinct customers."""
        return len(self.arrays.customer_id)

    @property
    def customer_ids(self):
        """Original customer ids, sorted."""
        return self.arrays.customer_id

    def __repr__(self) -> str:
        first = self.frame["timestamp"].min()
        return tr("data.tx.repr").format(rows=f"{len(self):,}", customers=f"{self.n_customers:,}",
                                         first=f"{first:%Y-%m-%d}", end=f"{self.observation_end:%Y-%m-%d}",
                                         unit=repr(self.time_unit), dropped=f"{self.report.rows_dropped:,}")

    def _repr_html_(self) -> str:
        return f"<p>{html.escape(repr(self))}</p>" + self.report._repr_html_()


def column_repr(column):
    return repr(column)


def _indent(text, prefix="    "):
    return "\n".join(prefix + line for line in text.splitlines())


def customer_ids(values):
    """Customer ids as the export means them, whichever way they were read.

    One rule for the API, the CSV and Excel readers, the command line and event logs, so that one customer has
    one id: integral numbers become integers (``12347.0`` read as a float, or the text ``"12347.0"`` a
    spreadsheet wrote, both become ``12347``; ``1``, ``1.0`` and ``"1"`` are one customer), digit strings
    without leading zeros become integers (what ``pandas.read_csv`` infers), and every other string stays text
    with its leading zeros (``"00042"``) but without surrounding spaces (``"C1 "`` is ``"C1"``). Integers are
    int64, or uint64 when some are at least 2**63 and none is negative (64-bit ids are kept exact, never
    wrapped to negative numbers).

    Parameters
    ----------
    values : array-like
        Non-missing ids (a column, or the distinct values of one).

    Returns
    -------
    numpy.ndarray
        int64 (or uint64, see above) when every id is an integer by the rule above, else the values as text
        (object array), or the floats themselves when some are not integral.
    """
    s = pd.Series(values, copy=False)
    if len(s) == 0:
        return s.to_numpy()
    if pd.api.types.is_bool_dtype(s.dtype):
        raise SchemaError("The customer id column holds booleans: map `customer=` to the id column.")
    if pd.api.types.is_unsigned_integer_dtype(s.dtype):
        arr = s.to_numpy(dtype=np.uint64)
        return arr if arr.max() >= 2 ** 63 else arr.astype(np.int64)
    if pd.api.types.is_integer_dtype(s.dtype):
        return s.to_numpy(dtype=np.int64)
    if pd.api.types.is_float_dtype(s.dtype):
        arr = s.to_numpy(dtype=np.float64)
        if np.all(np.mod(arr, 1) == 0) and np.abs(arr).max() < 2 ** 53:
            return arr.astype(np.int64)
        return arr
    kinds = {type(v) for v in s}
    if kinds <= {int, np.int64, np.int32, np.uint64}:
        return _int_ids([int(v) for v in s], s)
    text = s.astype(str).str.strip()
    if kinds <= {str, int, float, np.int64, np.float64, np.uint64} and text.str.fullmatch(r"-?\d{1,20}(\.0*)?").all():
        digits = text.str.replace(r"\.0*$", "", regex=True)
        if not digits.str.match(r"-?0\d").any():  # "00042" is text: its zeros are part of the id
            ints = _int_ids([int(v) for v in digits], None)
            if ints is not None:
                return ints
        text = digits
    return text.to_numpy(dtype=object)


def _int_ids(ints, fallback):
    """Python ints as int64, or uint64 when they need it; text (or None without ``fallback``) otherwise."""
    lo, hi = min(ints), max(ints)
    if -2 ** 63 <= lo and hi < 2 ** 63:
        return np.asarray(ints, dtype=np.int64)
    if lo >= 0 and hi < 2 ** 64:
        return np.asarray(ints, dtype=np.uint64)
    return None if fallback is None else fallback.astype(str).to_numpy(dtype=object)


def _factorize_ids(values):
    """Sorted integer codes, the distinct ids (ascending, by :func:`customer_ids`) and a note or None.

    Integer ids in a range no wider than a few times the row count (sequential customer numbers) go through a
    direct-address table; anything else through pandas' hash factorisation, whose distinct values are then read
    by :func:`customer_ids` (a few thousand values, not every row) and factorised again in sorted order. The
    note names what the id rule changed: ids read as text or decimals that became integers, text ids stripped
    of spaces, and distinct raw values that became one customer (with an example).
    """
    arr = values.to_numpy() if isinstance(values, pd.Series) else np.asarray(values)
    if arr.dtype.kind in "iu" and len(arr):
        vmin, vmax = int(arr.min()), int(arr.max())
        span = vmax - vmin + 1
        if span <= 2 * len(arr) + 1024 and vmax < 2 ** 63:
            from ._kernels.build import dense_int_codes

            codes, uniques = dense_int_codes(arr.astype(np.int64, copy=False), np.int64(vmin), np.int64(span))
            return codes, uniques, None
    codes, raw_uniques = pd.factorize(values)
    ids = customer_ids(raw_uniques)
    notes = []
    if ids.dtype.kind in "iu" and np.asarray(raw_uniques).dtype.kind not in "iu":
        changed = [k for k, (v, i) in enumerate(zip(raw_uniques, ids.tolist())) if repr(v) != repr(i)]
        notes.append(f"customer ids read as text or decimals were converted to integers (e.g. "
                     f"{raw_uniques[changed[0]]!r} -> {ids[changed[0]]})" if changed else
                     "customer ids stored as a mix of integers and decimals (1 and 1.0) were read as integers")
    elif ids.dtype == object and len(ids):
        if {type(v) for v in raw_uniques} - {str}:
            notes.append("customer ids of mixed types were converted to text")
        padded = [v for v in raw_uniques if isinstance(v, str) and v != v.strip()]
        if padded:
            notes.append(f"{len(padded):,} customer ids had spaces around them, which were removed (e.g. "
                         f"{padded[0]!r} -> {padded[0].strip()!r})")
    new_codes, uniques = pd.factorize(ids, sort=True)
    if len(uniques) < len(ids):
        n_merged = len(ids) - len(uniques)
        first = np.flatnonzero(pd.Series(new_codes).duplicated(keep=False).to_numpy())
        same = first[new_codes[first] == new_codes[first[0]]][:2]
        example = " and ".join(repr(raw_uniques[k]) for k in same)
        notes.append(f"{n_merged:,} customer ids written two ways were read as one customer each (e.g. {example} "
                     f"-> {np.asarray(uniques)[new_codes[first[:1]]].tolist()[0]!r})")
    note = "; ".join(notes) if notes else None
    return new_codes[codes].astype(np.int64, copy=False), np.asarray(uniques), note


def read_transactions(path, customer, time, amount=None, *, sheet_name=0, read_kwargs=None, skiprows=None,
                      **kwargs):
    """Read a CSV, TSV, Parquet or Excel transaction export and validate it.

    Customer ids are read as text for CSV and Excel files so that zero-padded ids ("00042") survive, then
    interpreted by :func:`customer_ids` like any other path (``"12347.0"`` and ``12347`` are one customer). Example
    rows in messages and in the cleaning report are numbered by file line (CSV) or sheet row (Excel). A title
    block above the header row is found and skipped when a row holds every mapped column name.

    Parameters
    ----------
    path : str or path-like
        ``.csv``, ``.txt``, ``.tsv``, ``.parquet``, ``.pq``, ``.xlsx`` or ``.xls``.
    customer, time, amount : str
        Column names, as in :meth:`Transactions.from_frame`.
    sheet_name : str or int, default 0
        Excel sheet.
    read_kwargs : dict, optional
        Extra arguments for the pandas reader (e.g. ``{"sep": ";", "encoding": "gbk"}``).
    skiprows : int, optional
        Rows above the header row (a title block); found by itself when a row holds every mapped name.
    **kwargs
        Passed to :meth:`Transactions.from_frame` (``order=``, ``quantity=``, ``price=``, ``on_bad_rows=``...).

    Returns
    -------
    Transactions

    Raises
    ------
    FileFormatError
        The file cannot be read as a table (wrong separator, broken quoting, another encoding); the message
        gives the line, the field counts and the likely cause.
    """
    names = [c for c in (customer, time, amount, *(kwargs.get(k) for k in (*_OPTIONAL, "price", "description")))
             if isinstance(c, str)]
    raw, notes = _read_frame(path, names, sheet_name, read_kwargs, what="transaction", skiprows=skiprows)
    tx = Transactions.from_frame(raw, customer=customer, time=time, amount=amount, **kwargs)
    tx.report.notes[:0] = notes
    return tx


def as_transactions(data, **kwargs):
    """Return ``data`` if it is a :class:`Transactions`, else validate it with :meth:`Transactions.from_frame`."""
    if isinstance(data, Transactions):
        if kwargs:
            unknown = {k for k in kwargs if k not in {"observation_end", "time_unit"}}
            if unknown:
                raise ParameterError(f"Column arguments {sorted(unknown)} only apply to raw frames, "
                                     "not to Transactions.")
        return data
    if isinstance(data, pd.DataFrame):
        missing = [k for k in ("customer", "time", "amount") if k not in kwargs]
        if missing:
            raise SchemaError(
                f"A raw frame needs its column names: pass {', '.join(f'{k}=...' for k in missing)} "
                "(or build toolkit.Transactions.from_frame once and reuse it).")
        return Transactions.from_frame(data, **kwargs)
    raise SchemaError(f"Expected toolkit.Transactions or a pandas DataFrame, got {type(data).__name__}.")


# ======================================================================================================
# Events: touchpoint logs (journeys)
# ======================================================================================================

_EVENT_OPTIONAL = ("channel", "order")
_EVENT_FIX = {
    "missing customer_id": _FIX["missing customer_id"],
    "missing timestamp": _FIX["missing timestamp"],
    "unparseable timestamp": _FIX["unparseable timestamp"],
    "missing event": "fill or remove rows without an event name, or pass on_bad_rows='drop'",
    "date outside the usable range": _FIX["date outside the usable range"],
    "date far outside the bulk (outlier)": _FIX["date far outside the bulk (outlier)"],
    "after observation_end": _FIX["after observation_end"],
    "duplicate row": (
        "pass duplicates='drop' if these are export duplicates, or duplicates='keep' if identical touchpoints "
        "at the same time are genuine (e.g. day-resolution logs)"
    ),
}


def _blank_or_missing(values):
    """Missing values and blank strings of a column, as a writable bool array."""
    if not (values.dtype == object or isinstance(values.dtype, pd.StringDtype)):
        return values.isna().to_numpy().copy()
    codes, uniques = pd.factorize(values)  # blank check per distinct value: fast on long logs
    blank = np.array([isinstance(v, str) and v.strip() == "" for v in uniques] + [True], dtype=bool)
    return blank[codes]  # code -1 (missing) reads the trailing True


def _event_rank(labels, event_order):
    """Tie rank of every event label: position in ``event_order``, unknown names alphabetically after it."""
    if event_order is None:
        event_order = EVENTS
    order = {str(name): k for k, name in enumerate(event_order)}
    known = sorted((lab for lab in labels if lab in order), key=order.__getitem__)
    unknown = sorted(lab for lab in labels if lab not in order)
    return known + unknown


class Events:
    """A validated touchpoint log (customer, time, event[, channel, order]) in per-customer CSR order.

    Build it with :meth:`from_frame` or :func:`read_events`; do not call the constructor yourself.

    **Tie rule.** Events of one customer are sorted by timestamp; events with the *same* timestamp are ordered
    by the rank of their event name in :attr:`event_labels` (the ``event_order`` given to :meth:`from_frame`;
    by default the teaching company's order ``ad_impression, visit, sign_up, trial, purchase, repurchase,
    referral, complaint, support_contact, winback_offer`` for the names it knows, then other names
    alphabetically), then by channel and order id (so identical rows are adjacent). The sequence is therefore a
    function of the rows alone, never of their input order. Funnels, transitions and paths read this sequence.

    Attributes
    ----------
    frame : pandas.DataFrame
        Canonical columns ``customer_id, timestamp, event[, channel, order_id, amount]`` in CSR order: row ``j``
        is event ``j`` of the arrays below. ``amount`` exists when transactions were merged in (order value of
        the merged purchase events, NaN for other events).
    customer_id : ndarray (n,)
        Original ids, sorted ascending.
    offsets : int64 ndarray (n + 1,)
        Customer ``i`` owns events ``offsets[i]:offsets[i + 1]``.
    ns : int64 ndarray (m,)
        Timestamps in nanoseconds since the epoch, sorted within customer (tie rule above).
    event_code : int32 ndarray (m,)
        Codes into :attr:`event_labels` (code = tie rank).
    event_labels : ndarray of str
    channel_code : int32 ndarray (m,) or None
        Codes into :attr:`channel_labels`; ``-1`` where the channel is missing.
    channel_labels : ndarray of str or None
    observation_end : pandas.Timestamp
        Last calendar day observed (inclusive).
    time_unit : {"D", "W", "M"}
        Unit of the durations reported by journey analyses.
    report : CleaningReport
    """

    def __init__(self, frame, customer_id, offsets, ns, event_code, event_labels, channel_code, channel_labels,
                 observation_end, time_unit, report, columns):
        self.frame = frame
        self.customer_id = customer_id
        self.offsets = offsets
        self.ns = ns
        self.event_code = event_code
        self.event_labels = event_labels
        self.channel_code = channel_code
        self.channel_labels = channel_labels
        self.observation_end = observation_end
        self.time_unit = time_unit
        self.report = report
        self.columns = columns
        self._cache = {}  # derived arrays (stage codes per journey map, ...) reused by toolkit.journey

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_frame(cls, df, customer, time, event, channel=None, order=None, *, transactions=None,
                   purchase_event="purchase", repurchase_event=None, event_order=None, observation_end=None,
                   time_unit="D", on_bad_rows="raise", duplicates=None, date_format=None, dayfirst=None,
                   date_outliers="check"):
        """Validate a raw touchpoint log, optionally merge purchases from transactions, and build CSR arrays.

        Parameters
        ----------
        df : pandas.DataFrame
            One row per touchpoint (ad impression, visit, sign-up, purchase, complaint, ...).
        customer, time, event : str
            Names of the customer id, date/time and event-name columns in ``df``.
        channel, order : str, optional
            Names of the channel column (where the touchpoint happened) and the order id column.
        transactions : toolkit.Transactions, optional
            Purchases to merge in as events named ``purchase_event`` (one event per order, or per row without
            order ids, at the order's first timestamp, carrying the order value in ``amount`` and the sales
            channel). Orders already in the log are not added twice: with ``order`` mapped and order ids in
            the transactions, orders whose id is already in the log are skipped; otherwise purchases at a
            (customer, timestamp) that already has a ``purchase_event`` / ``repurchase_event`` row are skipped.
            Merged rows count in ``report.rows_in`` and are noted in ``report.kept_notes``.
        purchase_event : str, default "purchase"
            Event name of merged purchases (of the first purchase only, when ``repurchase_event`` is given).
        repurchase_event : str, optional
            Event name of a customer's later merged purchases (e.g. ``"repurchase"``).
        event_order : sequence of str, optional
            Order of event names used to break ties between simultaneous events (see the class docstring).
        observation_end : date-like, optional
            Last calendar day observed, inclusive. Defaults to the last date in the data.
        time_unit : {"D", "W", "M"}, default "D"
        on_bad_rows : {"raise", "drop"}, default "raise"
            Rows with a missing or unparseable customer, time or event, or after ``observation_end``:
            ``"raise"`` raises one :class:`~toolkit.errors.DataQualityError` listing every problem (column,
            count, example rows, fix); ``"drop"`` removes them and counts them in :attr:`report`.
        duplicates : {None, "raise", "drop", "keep"}, default None
            Rows identical in every mapped column. ``None`` follows ``on_bad_rows``.
        date_format : str, optional
            ``strftime`` format of a text time column; otherwise inferred as in :meth:`Transactions.from_frame`.
        dayfirst : bool, optional
            Day before month in text dates (True) or month first (False); default: inferred from the values.
        date_outliers : {"check", "keep"}, default "check"
            Dates far outside the bulk, as in :meth:`Transactions.from_frame`.

        Returns
        -------
        Events

        Raises
        ------
        SchemaError
            Empty frame, missing or duplicated columns, numeric timestamps, mixed time zones.
        DataQualityError
            Bad rows with ``on_bad_rows="raise"``.

        Examples
        --------
        >>> import pandas as pd, toolkit
        >>> raw = pd.DataFrame({"cust": [1, 1, 2], "when": ["2024-01-02", "2024-01-03", "2024-01-05"],
        ...                     "what": ["visit", "purchase", "visit"]})
        >>> ev = toolkit.Events.from_frame(raw, customer="cust", time="when", event="what")
        >>> ev.n_customers, len(ev)
        (2, 3)
        """
        if time_unit not in TIME_UNITS:
            raise ParameterError(f"time_unit must be one of {TIME_UNITS}, got {time_unit!r}.",
                                 parameter="time_unit", value=time_unit)
        if on_bad_rows not in ("raise", "drop"):
            raise ParameterError(f"on_bad_rows must be 'raise' or 'drop' for events, got {on_bad_rows!r}.",
                                 parameter="on_bad_rows", value=on_bad_rows)
        if duplicates not in (None, "raise", "drop", "keep"):
            raise ParameterError(f"duplicates must be None, 'raise', 'drop' or 'keep', got {duplicates!r}.",
                                 parameter="duplicates", value=duplicates)
        mapping = {"customer": customer, "time": time, "event": event, "channel": channel, "order": order}
        if not isinstance(df, pd.DataFrame):
            raise SchemaError(f"Expected a pandas DataFrame of events, got {type(df).__name__}.")
        if len(df) == 0:
            raise SchemaError("The event frame is empty (0 rows): nothing to analyse. Check the file or filter.")
        Transactions._check_columns(df, mapping)
        used = [c for c in mapping.values() if c is not None]
        raw = df[used]
        n_events_in = len(raw)
        merged_note = None
        if transactions is not None:
            raw, merged_note = cls._merge_transactions(raw, mapping, transactions, purchase_event, repurchase_event)
        report = CleaningReport(rows_in=len(raw))
        if merged_note is not None:
            report.kept_notes[merged_note[0]] = merged_note[1]
            report.notes.append(merged_note[2])
        m = len(raw)
        problems = [("missing customer_id", customer, _blank_or_missing(raw[customer]))]
        _check_date_options(dayfirst, date_outliers)
        ts, notes, outside = _read_times(raw[time], time, date_format, dayfirst)
        report.notes.extend(notes)
        ts_na = ts.isna().to_numpy()
        raw_na = _blank_or_missing(raw[time])
        problems.append(("missing timestamp", time, raw_na))
        unparseable = ts_na & ~raw_na & ~outside
        if unparseable.all():
            raise SchemaError(
                f"No value of column {column_repr(time)} could be read as a date (e.g. "
                f"{raw[time].head(3).tolist()}). Check that `time=` names the date column, or pass date_format=.")
        problems.append(("unparseable timestamp", time, unparseable))
        problems.append(("date outside the usable range", time, outside))
        outliers, outlier_note = _date_outliers(ts, ~ts_na, observation_end is None, date_outliers)
        if outlier_note:
            report.notes.append(outlier_note)
        problems.append(("date far outside the bulk (outlier)", time, outliers))
        if (ts_na & ~outside).all():
            raise SchemaError(f"Column {column_repr(time)} holds no date at all ({m:,} rows missing): nothing can be "
                              "placed in time. Check that `time=` names the date column.")
        problems.append(("missing event", event, _blank_or_missing(raw[event])))
        ts_ns = ts.to_numpy(dtype="datetime64[ns]")
        if observation_end is None:
            usable = ~ts_na & ~outliers  # outliers do not move the end of the log
            end = pd.Timestamp(ts_ns.view("int64")[usable].max()).normalize() if usable.any() else None
        else:
            end = pd.Timestamp(observation_end)
            if end.tzinfo is not None:
                end = end.tz_localize(None)
            end = end.normalize()
            after = ~ts_na & (ts_ns >= np.datetime64(end + pd.Timedelta(days=1), "ns"))
            problems.append(("after observation_end", time, after))
        bad = np.zeros(m, dtype=bool)
        for _, _, mask in problems:
            bad |= mask
        good = ~bad
        sub = raw if good.all() else raw.loc[good]
        sub_pos = np.flatnonzero(good)

        # codes: events by tie rank, then channel and order, so CSR ties follow the tie rule ----------
        raw_code, raw_names = pd.factorize(sub[event])
        names = [str(v).strip() for v in raw_names]
        labels = np.asarray(_event_rank(sorted(set(names)), event_order), dtype=object)
        ev_code = pd.Index(labels).get_indexer(names).astype(np.int32)[raw_code]
        sort_keys = [ev_code]
        ch_code = ch_labels = None
        if channel is not None:
            ch_code, ch_labels = pd.factorize(sub[channel], sort=True)
            ch_code = ch_code.astype(np.int32)
            ch_labels = np.asarray(ch_labels, dtype=object)
            sort_keys.insert(0, ch_code)
        if order is not None:
            sort_keys.insert(0, pd.factorize(sub[order], sort=True)[0])
        pre = np.lexsort(sort_keys) if len(sort_keys) > 1 else np.argsort(ev_code, kind="stable")
        codes, uniques, cust_note = _factorize_ids(sub[customer])
        if cust_note:
            report.notes.append(cust_note)
        sub_ns = ts_ns.view("int64")[sub_pos]
        from ._kernels.build import csr_order, duplicate_mask

        perm_pre, offsets, ns_sorted, code_sorted = csr_order(codes[pre], sub_ns[pre], ev_code[pre].astype(np.float64),
                                                              len(uniques))
        perm = pre[perm_pre]  # CSR position -> row of `sub`
        extra_cols = [mapping[k] for k in _EVENT_OPTIONAL if mapping[k] is not None]
        if extra_cols:
            extra = pd.util.hash_pandas_object(sub[extra_cols], index=False).to_numpy().view(np.int64)[pre]
        else:
            extra = np.empty(0, dtype=np.int64)
        dup_sorted = duplicate_mask(offsets, perm_pre, ns_sorted, code_sorted, extra)
        dup_mode = duplicates if duplicates is not None else ("raise" if on_bad_rows == "raise" else "drop")
        dup_local = np.zeros(len(sub), dtype=bool)
        dup_local[perm[dup_sorted]] = True
        dup_full = np.zeros(m, dtype=bool)
        dup_full[sub_pos[dup_local]] = True
        if dup_mode != "keep":
            problems.append(("duplicate row", ", ".join(str(c) for c in used), dup_full))
        elif dup_full.any():
            report.kept_notes["duplicate row (kept: duplicates='keep')"] = int(dup_full.sum())

        raising = [(r, c, mk, int(mk.sum())) for r, c, mk in problems if mk.any() and (
            (r == "duplicate row" and dup_mode == "raise") or (r != "duplicate row" and on_bad_rows == "raise"))]
        if raising:
            total = sum(r[3] for r in raising)
            lines = [f"{total:,} of {m:,} rows break the event contract:"]
            for reason, column, mask, n_bad in raising:
                pos = np.flatnonzero(mask)
                lines.append(f"- {reason} in column {column_repr(column)}: {n_bad:,} rows (first at "
                             f"{_where(raw, pos)}). Fix: {_EVENT_FIX[reason]}.")
                lines.append(_indent(_format_examples(_examples(raw, pos))))
            first = raising[0]
            raise DataQualityError("\n".join(lines), column=first[1], count=total,
                                   examples=_examples(raw, np.flatnonzero(first[2])))
        drop = np.zeros(m, dtype=bool)
        for reason, column, mask in problems:
            new = mask & ~drop
            if new.any():
                report.dropped[reason] = report.dropped.get(reason, 0) + int(new.sum())
                report.examples[reason] = _examples(raw, np.flatnonzero(new))
                drop |= new

        keep_sorted = ~drop[sub_pos[perm]]
        if not keep_sorted.all():
            kept_before = np.zeros(len(keep_sorted) + 1, dtype=np.int64)
            np.cumsum(keep_sorted, out=kept_before[1:])
            counts = np.diff(kept_before[offsets])
            has = counts > 0
            uniques = np.asarray(uniques)[has]
            counts = counts[has]
            offsets = np.zeros(len(counts) + 1, dtype=np.int64)
            np.cumsum(counts, out=offsets[1:])
            perm = perm[keep_sorted]
            ns_sorted = ns_sorted[keep_sorted]
        if len(perm) == 0:
            raise DataQualityError(f"No rows are left after cleaning ({report.rows_in:,} in). {report._text('en')}",
                                   count=report.rows_in)
        cid = np.asarray(uniques)
        if cid.dtype.kind == "i":  # uint64 ids (some >= 2**63) stay uint64: exact, never wrapped negative
            cid = cid.astype(np.int64)
        ev_out = ev_code[perm]
        # drop labels no kept row uses (codes keep the tie-rank order)
        used_codes = np.flatnonzero(np.bincount(ev_out, minlength=len(labels)))
        if len(used_codes) < len(labels):
            remap = np.full(len(labels), -1, dtype=np.int32)
            remap[used_codes] = np.arange(len(used_codes), dtype=np.int32)
            ev_out = remap[ev_out]
            labels = labels[used_codes]
        cols = {"customer_id": np.repeat(cid, np.diff(offsets)), "timestamp": ns_sorted.view("datetime64[ns]"),
                "event": pd.Categorical.from_codes(ev_out, categories=list(labels))}
        ch_out = None
        if channel is not None:
            ch_out = ch_code[perm]
            used_ch = np.flatnonzero(np.bincount(ch_out[ch_out >= 0], minlength=len(ch_labels)))
            remap = np.full(len(ch_labels) + 1, -1, dtype=np.int32)
            remap[used_ch] = np.arange(len(used_ch), dtype=np.int32)
            ch_out = remap[ch_out]  # -1 stays -1 (index -1 is the spare last slot)
            ch_labels = ch_labels[used_ch]
            cols["channel"] = pd.Categorical.from_codes(ch_out, categories=list(ch_labels))
        if order is not None:
            cols["order_id"] = sub[order].take(perm).reset_index(drop=True)
        if "__amount__" in sub.columns:
            cols["amount"] = sub["__amount__"].to_numpy(dtype=np.float64)[perm]
        frame = pd.DataFrame(cols, copy=False)
        report.rows_kept = len(frame)
        if not report.balanced:  # pragma: no cover - guarded by tests
            raise AssertionError("cleaning report does not balance")
        columns = {k: v for k, v in mapping.items() if v is not None}
        del n_events_in
        return cls(frame, cid, offsets, ns_sorted, ev_out.astype(np.int32), labels, ch_out, ch_labels, end,
                   time_unit, report, columns)

    @staticmethod
    def _merge_transactions(raw, mapping, tx, purchase_event, repurchase_event):
        """Append one purchase event per order of ``tx`` that the log does not already hold."""
        if not isinstance(tx, Transactions):
            raise SchemaError("transactions= must be a toolkit.Transactions (build it with "
                              f"Transactions.from_frame first), got {type(tx).__name__}.")
        f = tx.frame
        keys = ["customer_id"] + (["order_id"] if "order_id" in f else ["timestamp"])
        agg = {"timestamp": "min", "amount": "sum"} if "order_id" in f else {"amount": "sum"}
        if "channel" in f:
            agg["channel"] = "first"
        orders = f.groupby(keys, sort=False, observed=True).agg(agg).reset_index()
        orders = orders.sort_values(["customer_id", "timestamp"], kind="stable")
        names = np.full(len(orders), purchase_event, dtype=object)
        if repurchase_event is not None:
            later = orders["customer_id"].duplicated().to_numpy()
            names[later] = repurchase_event
        def ids(values):
            # ids by the one id rule (customer_ids), so "17850", " 17850" and 17850 meet; None where missing
            codes, uniques = pd.factorize(pd.Series(values, copy=False))
            norm = np.append(np.asarray(customer_ids(uniques), dtype=object), None)
            return norm[codes]  # code -1 (missing) reads the trailing None

        def name_key(name):
            return str(name).strip().casefold()

        skip = np.zeros(len(orders), dtype=bool)
        if mapping["order"] is not None and "order_id" in orders:
            known = pd.Index(pd.unique(ids(raw[mapping["order"]].dropna().unique())))
            skip = pd.Index(ids(orders["order_id"].to_numpy())).isin(known)
        else:
            wanted = {name_key(e) for e in (purchase_event, repurchase_event) if e is not None}
            names_in = pd.Series(raw[mapping["event"]].to_numpy(), dtype=object)
            is_purchase = names_in.map(lambda v: isinstance(v, str) and name_key(v) in wanted).to_numpy(dtype=bool)
            have = pd.MultiIndex.from_arrays([ids(raw[mapping["customer"]].to_numpy()[is_purchase]),
                                              pd.to_datetime(raw[mapping["time"]].to_numpy()[is_purchase],
                                                             errors="coerce")])
            skip = pd.MultiIndex.from_arrays([ids(orders["customer_id"].to_numpy()),
                                              orders["timestamp"].to_numpy()]).isin(have)
        add = orders.loc[~skip]
        extra = pd.DataFrame({mapping["customer"]: add["customer_id"].to_numpy(),
                              mapping["time"]: add["timestamp"].to_numpy(),
                              mapping["event"]: names[~skip]})
        if mapping["channel"] is not None:
            extra[mapping["channel"]] = add["channel"].to_numpy() if "channel" in add else None
        if mapping["order"] is not None:
            extra[mapping["order"]] = add["order_id"].to_numpy() if "order_id" in add else None
        extra["__amount__"] = add["amount"].to_numpy()
        base = raw.assign(__amount__=np.nan)
        if pd.api.types.is_datetime64_any_dtype(base[mapping["time"]].dtype):
            extra[mapping["time"]] = extra[mapping["time"]].astype(base[mapping["time"]].dtype)
        combined = pd.concat([base, extra], ignore_index=True)
        note = (f"purchase events merged from transactions ({purchase_event!r})", int(len(add)),
                f"{len(add):,} purchase events added from {len(orders):,} orders of the transactions "
                f"({int(skip.sum()):,} already in the log); example row numbers refer to the events followed "
                "by the merged purchases")
        ev_ids = pd.unique(ids(raw[mapping["customer"]].to_numpy()))
        ev_ids = ev_ids[pd.notna(ev_ids)]
        tx_ids = pd.unique(ids(orders["customer_id"].to_numpy()))
        if len(ev_ids) and len(tx_ids) and not pd.Index(tx_ids).isin(ev_ids).any():
            note = note[:2] + (note[2] + f"; no customer of the transactions (e.g. {tx_ids[0]!r}) is in the event "
                               f"log (e.g. {ev_ids[0]!r}): check that both name customers the same way",)
        return combined, note

    # ------------------------------------------------------------------ accessors
    def __len__(self):
        return len(self.ns)

    @property
    def n_customers(self) -> int:
        """Number of distinct customers."""
        return len(self.customer_id)

    @property
    def n_events(self) -> int:
        """Number of events (rows)."""
        return len(self.ns)

    def codes_of(self, names):
        """Event codes of the given event names (``-1`` for names not in the log)."""
        index = pd.Index(self.event_labels)
        return index.get_indexer(list(names))

    def __repr__(self) -> str:
        first = pd.Timestamp(self.ns.min())
        return tr("data.events.repr").format(events=f"{len(self):,}", types=len(self.event_labels),
                                             customers=f"{self.n_customers:,}", first=f"{first:%Y-%m-%d}",
                                             end=f"{self.observation_end:%Y-%m-%d}",
                                             dropped=f"{self.report.rows_dropped:,}")

    def _repr_html_(self) -> str:
        counts = self.frame["event"].value_counts().rename("events").to_frame()
        if get_language() != "en":
            counts = _shown(counts)
        return (f"<p>{html.escape(repr(self))}</p>" + counts.to_html() + self.report._repr_html_())


_SEPARATORS = {",": "','", ";": "';'", "\t": "tab", "|": "'|'"}


def _head_lines(path, encoding, n=40):
    with open(path, encoding=encoding or "utf-8", errors="replace", newline="") as fh:
        return [line for _, line in zip(range(n), fh)]


def _parser_error(path, exc, sep, encoding):
    """A FileFormatError from pandas' tokenizer message: the line, field counts and the likely cause."""
    text = str(exc)
    found = re.search(r"Expected (\d+) fields? in line (\d+), saw (\d+)", text)
    eof = re.search(r"EOF inside string starting at row (\d+)", text)
    if eof:
        line = int(eof.group(1)) + 1
        head = _head_lines(path, encoding, n=line) if line <= 5000 else []
        shown = f"\n    line {line}: {head[line - 1].rstrip()[:200]}" if len(head) >= line else ""
        return FileFormatError(f"{path.name}, line {line}: a quote opened on this line is never closed, so the rest "
                               f"of the file reads as one value. Fix the quoting of that value.{shown}",
                               path=str(path), line=line)
    if not found:
        return FileFormatError(f"{path.name} cannot be read as a table: {text.strip()}. Check sep= and "
                               "quoting (read_kwargs={'sep': ...}).", path=str(path))
    expected, line, saw = (int(g) for g in found.groups())
    head = _head_lines(path, encoding, n=max(line, 2) if line <= 5000 else 2)
    header = head[0] if head else ""
    bad = head[line - 1].rstrip("\r\n") if 0 < line <= len(head) else ""
    sep = sep if sep is not None else ","
    counts = {s: header.count(s) for s in _SEPARATORS if s != sep}
    best = max(counts, key=counts.get)
    if counts[best] and (counts[best] + 1 > expected or sep == " "):
        cause = (f"the separator is probably {_SEPARATORS[best]}, not {_SEPARATORS.get(sep, repr(sep))}: the header "
                 f"line splits into {counts[best] + 1} fields with it. Pass read_kwargs={{'sep': {best!r}}}")
    elif bad.count('"') % 2:
        cause = "a quote on that line is not closed, so the value runs into the next ones. Fix the quoting"
    elif sep == " " or sep in bad and expected > 1:
        cause = (f"a value on that line contains the separator {_SEPARATORS.get(sep, repr(sep))} without quotes "
                 "(e.g. a description with commas or spaces). Quote such values in the export, or pass the right "
                 "separator with read_kwargs={'sep': ...}")
    else:
        cause = "the line has more values than the header has names. Check the separator and quoting"
    shown = f"\n    line {line}: {bad[:200]}" if bad else ""
    return FileFormatError(f"{path.name}, line {line}: expected {expected} fields (as in the header), found {saw}; "
                           f"{cause}.{shown}", path=str(path), line=line, expected=expected, found=saw)


def _encoding_error(path, exc, encoding=None):
    """FileFormatError for a text file that the encoding tried (or every automatic one) cannot decode."""
    with open(path, "rb") as fh:
        sample = fh.read(1 << 16)
    tried = (f"not {encoding} text" if encoding else
             "neither UTF-8 (with or without a byte-order mark) nor Chinese GB18030/GBK text")
    guess = None
    for candidate in ("gb18030", "cp1252"):
        try:
            sample.decode(candidate)
        except UnicodeDecodeError:
            continue
        guess = "gbk" if candidate == "gb18030" else "latin-1"
        break
    hint = (f"it decodes as {guess!r} (gbk for Chinese Windows exports, latin-1 for Western ones): "
            f"pass read_kwargs={{'encoding': {guess!r}}}" if guess else "pass read_kwargs={'encoding': ...}")
    return FileFormatError(f"{path.name} is {tried} (byte {exc.object[exc.start:exc.start + 1]!r} at "
                           f"position {exc.start:,}); {hint}.", path=str(path))


#: First bytes of files that are not text tables, with what they are and the file name ending that reads them.
_MAGIC = (
    (b"PK\x03\x04", "a zip archive (an Excel .xlsx workbook is one)", ".xlsx"),
    (b"\xd0\xcf\x11\xe0", "an old Excel workbook (.xls)", ".xls"),
    (b"PAR1", "a Parquet file", ".parquet"),
    (b"%PDF", "a PDF document", None),
    (b"\x1f\x8b", "a gzip-compressed file (unpack it first)", None),
    (b"\x89PNG", "a PNG image", None),
    (b"\xff\xd8\xff", "a JPEG image", None),
)


def _sniff(path):
    """(first 64 KiB, what the file is when it is no text or None, the suffix that reads it or None)."""
    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
    for magic, kind, suffix in _MAGIC:
        if head.startswith(magic):
            return head, kind, suffix
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):  # NUL bytes: not 8-bit text
        return head, "a binary file, not text", None
    return head, None, None


def _not_this_kind(path, wanted, kind, suffix):
    """FileFormatError: the file is not what its name says; what it is and how to read it."""
    if kind is None:
        what = "it holds text (CSV?): rename it to .csv"
    else:
        what = f"it is {kind}" + (f": rename it to {suffix}" if suffix else "; export the table as CSV, Excel or "
                                  "Parquet")
    return FileFormatError(f"{path.name} is not {wanted}: {what} (the file name's ending decides how it is read).",
                           path=str(path))


def _reads_as_gb18030(path, max_lines=2000, max_bytes=64 << 20):
    """True when the lines with non-ASCII bytes decode as GB18030 into mostly common Chinese characters (the
    GB2312 set), so that Western text in another 8-bit encoding is not taken for Chinese."""
    lines, seen = [], 0
    with open(path, "rb") as fh:
        for raw in fh:
            seen += len(raw)
            if not raw.isascii():
                lines.append(raw)
            if len(lines) >= max_lines or seen > max_bytes:
                break
    try:
        wide = [c for c in b"".join(lines).decode("gb18030") if ord(c) > 127]
    except UnicodeDecodeError:
        return False

    def common(char):
        try:
            char.encode("gb2312")
        except UnicodeEncodeError:
            return False
        return True

    return bool(wide) and sum(map(common, wide)) >= 0.9 * len(wide)


def _sheet_names(path):
    try:
        with pd.ExcelFile(path) as book:
            return [str(n) for n in book.sheet_names]
    except ImportError:
        raise
    except Exception as exc:  # noqa: BLE001 - every reader error means the same to the user
        raise FileFormatError(
            f"{path.name} cannot be opened as an Excel workbook ({type(exc).__name__}): the file is damaged, cut "
            "short or not a workbook. Open it in Excel and save it again, or export the table as CSV.",
            path=str(path)) from None


def _pick_sheet(path, sheet_name, names):
    """The sheet ``sheet_name`` names (a name, or a 0-based number; digits given as text are a number unless a
    sheet has that name); a FileFormatError listing the sheets otherwise."""
    listed = ", ".join(repr(n) for n in names)
    if isinstance(sheet_name, str):
        if sheet_name in names:
            return sheet_name
        same = [n for n in names if n.strip().casefold() == sheet_name.strip().casefold()]
        if len(same) == 1:
            return same[0]
        if not sheet_name.strip().isdigit():
            raise FileFormatError(f"{path.name} has no sheet {sheet_name!r}; its sheets are {listed}."
                                  f"{_suggest(sheet_name, names)} Pass sheet_name= with one of them.", path=str(path))
        sheet_name = int(sheet_name)
    if isinstance(sheet_name, int | np.integer) and not isinstance(sheet_name, bool):
        if 0 <= sheet_name < len(names):
            return names[sheet_name]
        raise FileFormatError(f"{path.name} has {len(names)} sheet{'s' if len(names) > 1 else ''} ({listed}); "
                              f"sheet number {sheet_name} is not one of them (sheets count from 0). Pass "
                              "sheet_name= with a sheet's name or number.", path=str(path))
    raise SchemaError(f"sheet_name= must name one sheet (its name or 0-based number), got {sheet_name!r}.")


def _find_header(rows, names):
    """Index of the first row whose cells hold every expected column name, or None."""
    wanted = {str(n).strip() for n in names}
    for k, row in enumerate(rows):
        cells = {str(c).strip() for c in row if c is not None and c == c}
        if wanted <= cells:
            return k
    return None


def _read_frame(path, columns, sheet_name=0, read_kwargs=None, what="transaction", skiprows=None):
    """Read a CSV/TSV, Parquet or Excel file as the export's table.

    ``columns`` are the mapped column names; the first (the customer id) is read as text for CSV and Excel, so
    that its leading zeros survive. A title block above the header row is skipped when a row below it holds every
    mapped name (a note says so); otherwise missing names raise a SchemaError that names ``skiprows``. The index of
    the result holds the 1-based line of the file (``line``) or row of the sheet (``sheet row``), so that every
    example row in a message can be found in the file.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"No such {what} file: {path}")
    if path.is_dir():
        raise FileFormatError(f"{path} is a folder, not a {what} file: name the file inside it.", path=str(path))
    read_kwargs = dict(read_kwargs or {})
    suffix = path.suffix.lower()
    customer = columns[0]
    notes = []
    if suffix not in {".parquet", ".pq", ".csv", ".txt", ".tsv", ".xlsx", ".xls", ".xlsm"}:
        raise SchemaError(f"Unsupported file type {suffix!r} for {path.name}: use CSV, Parquet or Excel.")
    if path.stat().st_size == 0:
        raise FileFormatError(f"{path.name} is empty (0 bytes): nothing was exported into it. Export the {what}s "
                              "again, or check the path.", path=str(path))
    head, kind, fits = _sniff(path)
    where = ""
    if suffix in {".parquet", ".pq"}:
        if not head.startswith(b"PAR1"):
            raise _not_this_kind(path, "a Parquet file", kind, fits)
        try:
            frame = pd.read_parquet(path, **read_kwargs)
        except (ImportError, MemoryError):
            raise
        except Exception as exc:  # noqa: BLE001 - pyarrow's many errors mean one thing to the user
            raise FileFormatError(f"{path.name} cannot be read as Parquet ({type(exc).__name__}): the file is "
                                  "damaged or cut short. Export it again.", path=str(path)) from None
        if len(frame) == 0:
            raise FileFormatError(f"{path.name} holds no rows (only the column names): export the {what}s again.",
                                  path=str(path))
        return frame, notes
    if suffix in {".csv", ".txt", ".tsv"}:
        if kind is not None:
            raise _not_this_kind(path, "a text (CSV) file", kind, fits)
        if "encoding" not in read_kwargs:  # UTF-8 first; a byte-order mark says UTF-8-SIG or UTF-16
            if head.startswith(b"\xef\xbb\xbf"):
                read_kwargs["encoding"] = "utf-8-sig"
            elif head.startswith((b"\xff\xfe", b"\xfe\xff")):
                read_kwargs["encoding"] = "utf-16"
                notes.append(f"{path.name}: read as UTF-16 text (its byte-order mark says so)")
        automatic = read_kwargs.get("encoding") in (None, "utf-8-sig")
        if len(head) < (1 << 16) and not head.decode("utf-8", errors="ignore").strip(" \t\r\n,;|\ufeff"):
            raise FileFormatError(f"{path.name} holds no table: only blank lines (or separators). Export the "
                                  f"{what}s again, or check the path.", path=str(path))
        read_kwargs.setdefault("dtype", {customer: str})
        if suffix == ".tsv":
            read_kwargs.setdefault("sep", "\t")
        sep = read_kwargs.get("sep")

        def read(skip):
            try:
                return pd.read_csv(path, skiprows=skip, **read_kwargs)
            except pd.errors.ParserError as exc:
                raise _parser_error(path, exc, sep, read_kwargs.get("encoding")) from None
            except pd.errors.EmptyDataError:
                raise FileFormatError(f"{path.name} holds no table" + (f" below line {skip}" if skip else "")
                                      + ": only blank lines. Check the file, or skiprows=.", path=str(path)) from None
            except UnicodeDecodeError as exc:
                if automatic and read_kwargs.get("encoding") != "gb18030" and _reads_as_gb18030(path):
                    read_kwargs["encoding"] = "gb18030"
                    notes.append(f"{path.name} is not UTF-8 text; it was read as GB18030 (GBK, the encoding of "
                                 "Chinese Windows exports). If names look garbled, pass read_kwargs={'encoding': "
                                 "...} with the file's encoding")
                    return read(skip)
                raise _encoding_error(path, exc, None if automatic else read_kwargs.get("encoding")) from None

        def head_rows():
            import csv

            return list(csv.reader(_head_lines(path, read_kwargs.get("encoding")), delimiter=sep or ","))
        label, first_line = "line", 2
    else:
        if fits not in (".xlsx", ".xls"):
            raise _not_this_kind(path, "an Excel workbook", kind, fits)
        names = _sheet_names(path)
        sheet = _pick_sheet(path, sheet_name, names)
        where = f", sheet {sheet!r}" if len(names) > 1 else ""
        read_kwargs.setdefault("dtype", {customer: str})

        def read(skip):
            try:
                return pd.read_excel(path, sheet_name=sheet, skiprows=skip, **read_kwargs)
            except (ImportError, MemoryError):
                raise
            except Exception as exc:  # noqa: BLE001 - openpyxl/xlrd errors mean one thing to the user
                raise FileFormatError(f"{path.name}{where} cannot be read ({type(exc).__name__}: "
                                      f"{str(exc)[:200]}). Open it in Excel and save it again, or export the table "
                                      "as CSV.", path=str(path)) from None

        def head_rows(name=None):
            top = pd.read_excel(path, sheet_name=sheet if name is None else name, header=None, nrows=40,
                                dtype=object)
            return top.itertuples(index=False, name=None)
        label, first_line = "sheet row", 2
    skip = skiprows
    parse_error = None
    try:
        frame = read(skip)
        missing = [c for c in columns if c not in frame.columns]
    except FileFormatError as exc:  # a title block of fewer fields than the table breaks the tokenizer
        if skip is not None:
            raise
        frame, missing, parse_error = None, list(columns), exc
    if missing and skip is None:
        rows = list(head_rows())
        header = _find_header(rows, columns)
        if header:  # a title block: the header is further down
            skip = header
            notes.append(f"{path.name}: the header is on {label} {header + 1}; the {header} {label}s above it "
                         "(a title block) were skipped")
        else:  # a row below that holds most names is the header, with a misnamed column
            scores = [len({str(n) for n in columns} & {str(c).strip() for c in row}) for row in rows]
            best_row = int(np.argmax(scores)) if scores else 0
            if best_row > 0 and scores[best_row] >= max(2, len(columns) - len(missing) + 1):
                skip = best_row
        if skip:
            frame = read(skip)
            missing = [c for c in columns if c not in frame.columns]
    if frame is None:
        raise parse_error
    if missing:
        got = [str(c) for c in frame.columns]
        hint = ""
        if skip:
            hint = f" (The header was taken from {label} {skip + 1}, the row that holds most of the mapped names.)"
        if suffix not in {".xlsx", ".xls", ".xlsm"} and len(got) == 1:
            header = got[0]
            best = max(_SEPARATORS, key=header.count)
            if header.count(best):
                hint += (f" The header was read as one column: the separator looks like {_SEPARATORS[best]}; pass "
                        f"read_kwargs={{'sep': {best!r}}}.")
        if suffix in {".xlsx", ".xls", ".xlsm"}:  # the data may sit on another sheet
            holders = [n for n in names if n != sheet and _find_header(list(head_rows(n)), columns) is not None]
            hint += (f" This is sheet {sheet!r} of {', '.join(repr(n) for n in names)}."
                     + (f" Sheet {holders[0]!r} holds every mapped column: pass sheet_name={holders[0]!r}."
                        if holders else " Pass sheet_name= to read another sheet."))
        raise SchemaError(
            f"{path.name}{where}: {', '.join(repr(c) for c in missing)} not among the columns of the header row "
            f"({got[:12]}{' ...' if len(got) > 12 else ''}).{_suggest(missing[0], frame.columns)}{hint} If a title "
            "block sits above the header row, pass skiprows=N (the number of rows above the header).")
    if len(frame) == 0:
        raise FileFormatError(f"{path.name}{where}: the header row has the columns but no data rows follow it. "
                              f"Export the {what}s again, or check the file.", path=str(path))
    offset = (skip if isinstance(skip, int) else len(skip) if skip is not None else 0)
    frame.index = pd.RangeIndex(first_line + offset, first_line + offset + len(frame), name=label)
    return frame, notes


def read_table(path, columns, *, sheet_name=0, read_kwargs=None, skiprows=None, what="table"):
    """Read a CSV/TSV, Excel or Parquet export the way :func:`read_transactions` does (see there).

    Returns the frame (index: 1-based file line or sheet row) and a list of notes (e.g. a skipped title block).
    """
    return _read_frame(path, list(columns), sheet_name, read_kwargs, what=what, skiprows=skiprows)


def read_events(path, customer, time, event, *, sheet_name=0, read_kwargs=None, skiprows=None, **kwargs):
    """Read a CSV, TSV, Parquet or Excel touchpoint export and validate it with :meth:`Events.from_frame`.

    Parameters
    ----------
    path : str or path-like
    customer, time, event : str
        Column names, as in :meth:`Events.from_frame`.
    sheet_name : str or int, default 0
    read_kwargs : dict, optional
        Extra arguments for the pandas reader.
    **kwargs
        Passed to :meth:`Events.from_frame` (``channel=``, ``order=``, ``transactions=``, ...).

    Returns
    -------
    Events
    """
    names = [c for c in (customer, time, event, kwargs.get("channel"), kwargs.get("order")) if isinstance(c, str)]
    raw, notes = _read_frame(path, names, sheet_name, read_kwargs, what="event", skiprows=skiprows)
    ev = Events.from_frame(raw, customer=customer, time=time, event=event, **kwargs)
    ev.report.notes[:0] = notes
    return ev


def as_events(data, **kwargs):
    """Return ``data`` if it is :class:`Events`, else validate a raw frame with :meth:`Events.from_frame`."""
    if isinstance(data, Events):
        if kwargs:
            raise ParameterError(f"Column arguments {sorted(kwargs)} only apply to raw frames, not to Events.")
        return data
    if isinstance(data, pd.DataFrame):
        missing = [k for k in ("customer", "time", "event") if k not in kwargs]
        if missing:
            raise SchemaError(f"A raw event frame needs its column names: pass {', '.join(f'{k}=...' for k in missing)}"
                              " (or build toolkit.Events.from_frame once and reuse it).")
        return Events.from_frame(data, **kwargs)
    raise SchemaError(f"Expected toolkit.Events or a pandas DataFrame, got {type(data).__name__}.")


# --------------------------------------------------------------------------- guessing the columns of an export
#: Role -> header patterns (regular expressions on the header with case, spaces, "_", "-" and "." removed), in
#: order of preference. English and Chinese headers of common shop, ERP and CRM exports.
COLUMN_PATTERNS = {
    "customer": [r"^(customer|client|member|user|buyer|account|shopper|contact)(id|no|number|code|key)?$",
                 r"^(cust|cid|uid)(id|no)?$", r"(customer|member|client|buyer)(id|no|number|code)",
                 r"^id$", r"会员(id|编号|号|卡号)?$", r"(客户|用户|顾客|买家)(id|编号|号|代码)?$"],
    "time": [r"^(invoice|order|purchase|transaction|payment|sale|paid|created)(date|time|datetime|at|timestamp)$",
             r"^(date|time|timestamp|datetime)$", r"(date|time)$", r"^(下单|支付|付款|交易|订单|购买|成交)(时间|日期)$",
             r"(时间|日期)$"],
    "amount": [r"^(net|paid|total|line|order|sales|gross)?(amount|value|revenue|sales|total|spend|paid)(cny|rmb|usd|eur|gbp)?$",
               r"^(dollar|money)value$", r"(amount|revenue|paid|total)", r"^(实付|支付|付款|成交|订单|销售)?(金额|总额|总价)$",
               r"金额"],
    "order": [r"^(invoice|order|transaction|receipt|bill)(id|no|number|code)?$", r"(invoice|order)(id|no|number)",
              r"^(订单|发票|交易|流水)(号|编号|id)?$"],
    "quantity": [r"^(quantity|qty|units|count|pieces)$", r"^(数量|件数)$"],
    "price": [r"^(unit)?price$", r"^(unitcost|priceeach|itemprice)$", r"^(单价|价格)$"],
    "item": [r"^(stockcode|sku|item|product|article)(id|no|code)?$", r"^(商品|货品|产品)(编码|编号|id|代码)$"],
    "description": [r"^(description|itemname|productname|title)$", r"^(商品|货品|产品)(名称|描述)$"],
    "channel": [r"^(channel|source|acquisitionchannel|utmsource|medium)$", r"^(渠道|来源|获客渠道)$"],
    "event": [r"^(event|eventname|eventtype|action|touchpoint)$", r"^(事件|行为|触点)$"],
}


def _header_key(name) -> str:
    return re.sub(r"[\s_\-.()（）/]+", "", str(name)).lower()


def guess_columns(columns, roles=None) -> dict:
    """Guess which column of an export plays which role, from its headers.

    Parameters
    ----------
    columns : iterable of str, or pandas.DataFrame
        The headers (or the frame) of the export.
    roles : sequence of str, optional
        Roles to guess, from :data:`COLUMN_PATTERNS` (default: all of them).

    Returns
    -------
    dict
        Role -> column name, or None when no header looks like that role. Each column plays at most one role,
        the roles taking their pick in the order of ``roles``. A guess is only a starting point: the dashboard
        shows it in dropdowns to be checked, and :meth:`Transactions.from_frame` validates whatever is chosen.

    Examples
    --------
    >>> guess_columns(["InvoiceNo", "StockCode", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID"])["price"]
    'UnitPrice'
    """
    names = [str(c) for c in (columns.columns if isinstance(columns, pd.DataFrame) else columns)]
    roles = list(COLUMN_PATTERNS) if roles is None else list(roles)
    unknown = [r for r in roles if r not in COLUMN_PATTERNS]
    if unknown:
        raise ParameterError(f"unknown role(s) {unknown}; choose from {list(COLUMN_PATTERNS)}",
                             parameter="roles", value=unknown)
    keys = {name: _header_key(name) for name in names}
    taken, guess = set(), {}
    for role in roles:
        guess[role] = None
        for pattern in COLUMN_PATTERNS[role]:
            hit = next((n for n in names if n not in taken and re.search(pattern, keys[n])), None)
            if hit is not None:
                guess[role] = hit
                taken.add(hit)
                break
    return guess
