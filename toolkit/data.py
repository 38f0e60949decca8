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

from .config import TIME_UNITS
from .errors import DataQualityError, FileFormatError, SchemaError

__all__ = ["Transactions", "CleaningReport", "read_transactions", "as_transactions", "Events", "read_events",
           "as_events", "EVENT_COLUMNS", "customer_ids", "read_table"]

_OPTIONAL = ("order", "category", "quantity", "channel", "discount", "item")
#: Role -> canonical column name. A frame that already uses canonical names maps onto
#: ``Transactions.from_frame(df, **CANONICAL_COLUMNS)`` (restricted to the columns it has).
CANONICAL_COLUMNS = {
    "customer": "customer_id",
    "time": "timestamp",
    "amount": "amount",
    "order": "order_id",
    "category": "category",
    "quantity": "quantity",
    "channel": "channel",
    "discount": "discount",
}
_CANONICAL = {**CANONICAL_COLUMNS, "item": "item"}
_N_EXAMPLES = 5

# Reasons, in the order they are checked. A row is counted under the first reason that removes it.
_FIX = {
    "missing customer_id": "fill or remove rows without a customer id, or pass on_bad_rows='drop'",
    "missing timestamp": "fill or remove rows without a date, or pass on_bad_rows='drop'",
    "unparseable timestamp": "pass date_format= (e.g. '%d/%m/%Y'), fix the values, or pass on_bad_rows='drop'",
    "missing amount": "fill or remove rows without an amount, or pass on_bad_rows='drop'",
    "unparseable amount": "fix the values, or pass on_bad_rows='drop'",
    "non-finite amount": "replace inf values, or pass on_bad_rows='drop'",
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

    def __repr__(self) -> str:
        lines = [f"CleaningReport: {self.rows_in:,} rows in = {self.rows_kept:,} kept + {self.rows_dropped:,} dropped",
                 f"  money: {self.money_in:,.2f} in = {self.money_kept:,.2f} kept + "
                 f"{sum(self.money_dropped.values()) + sum(self.money_moved.values()):,.2f} dropped or netted"]
        for reason, count in self.dropped.items():
            lines.append(f"  dropped {count:,}: {reason} (money {self.money_dropped.get(reason, 0.0):,.2f})")
        for reason, count in self.kept_notes.items():
            extra = f" (money taken off {self.money_moved[reason]:,.2f})" if reason in self.money_moved else ""
            lines.append(f"  kept    {count:,}: {reason}{extra}")
        lines.extend(f"  note: {note}" for note in self.notes)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = (
            f"<p><b>Cleaning report</b>: {self.rows_in:,} rows in = {self.rows_kept:,} kept + "
            f"{self.rows_dropped:,} dropped; money {self.money_in:,.2f} in = {self.money_kept:,.2f} kept + "
            f"{sum(self.money_dropped.values()) + sum(self.money_moved.values()):,.2f} dropped or netted</p>"
        )
        table = self.summary.to_html(index=False, float_format=lambda v: f"{v:,.2f}", na_rep="")
        parts = [head, table]
        if self.suspect_items is not None and len(self.suspect_items):
            parts.append("<p>Lines that look like non-product lines (kept; pass <code>exclude_items=</code> to "
                         "drop them):</p>" + self.suspect_items.to_html(float_format=lambda v: f"{v:,.2f}"))
        for reason, ex in self.examples.items():
            parts.append(f"<details><summary>Examples: {html.escape(reason)}</summary>{ex.to_html()}</details>")
        if self.notes:
            parts.append("<ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in self.notes) + "</ul>")
        return "".join(parts)


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


def _parse_quantity(values, column):
    """Return (float64 quantities, unparseable mask over non-null values)."""
    if pd.api.types.is_bool_dtype(values.dtype):
        raise SchemaError(f"Column {column!r} holds booleans, not quantities. Map `quantity=` to the item count.")
    if pd.api.types.is_numeric_dtype(values.dtype):
        return values.to_numpy(dtype="float64", na_value=np.nan), np.zeros(len(values), dtype=bool)
    numeric = pd.to_numeric(values.astype("object"), errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    return numeric, values.notna().to_numpy() & np.isnan(numeric)


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


def _parse_uniform_strings(obj, date_format):
    """Fast path: every non-null value is a string in one format (given, or guessed from the first value)
    without a UTC offset. Returns the parsed column, or None to take the general path.

    pandas parses a column in a known format in C (~0.5 s for 500k values); ``format="mixed"`` parses value by
    value (~8x slower). The result is the general path's wherever this returns: a value that does not match
    the format sends the whole column to the general path, which also checks time zones.
    """
    present = obj.notna().to_numpy()
    if date_format is not None:
        candidates = [date_format]
    else:
        first = obj.iloc[int(present.argmax())] if present.any() else None
        if not isinstance(first, str):
            return None
        # month-first is pandas' reading of an ambiguous value such as 05/06/2024; the day-first reading is tried
        # when the month-first format does not fit every value (25/06/2024), so one format serves the column
        with warnings.catch_warnings():  # pandas warns when dayfirst=True meets a year-first value
            warnings.simplefilter("ignore", UserWarning)
            guesses = [guess_datetime_format(first.strip(), dayfirst=d) for d in (False, True)]
        candidates = list(dict.fromkeys(f for f in guesses if f is not None))
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
    for fmt in candidates:
        try:
            parsed = pd.to_datetime(obj, format=fmt, errors="coerce")
            if date_format is None and bool((parsed.isna() & present).any()):
                # padded values (" 2024-01-05") are common in exports: strip once, only when needed
                stripped = obj.astype("string").str.strip() if stripped is None else stripped
                parsed = pd.to_datetime(stripped, format=fmt, errors="coerce")
        except (ValueError, TypeError):
            continue
        if date_format is not None or not bool((parsed.isna() & present).any()):
            return parsed.astype("datetime64[ns]")
    return None  # several formats in one column: value by value


def _parse_dates(values, column, date_format):
    """Parse a time column to naive datetime64[ns]. Returns (parsed, notes)."""
    notes = []
    s = values
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        notes.append(f"time zone {s.dt.tz} of column {column!r} dropped: local wall-clock times are used")
        return s.dt.tz_localize(None).astype("datetime64[ns]"), notes
    if pd.api.types.is_datetime64_dtype(s.dtype):
        return (s if s.dtype == "datetime64[ns]" else s.astype("datetime64[ns]")), notes
    if pd.api.types.is_bool_dtype(s.dtype):
        raise SchemaError(f"Column {column!r} holds booleans, not dates. Map `time=` to the date column.")
    if pd.api.types.is_numeric_dtype(s.dtype):
        finite = s.dropna()
        if len(finite) and np.all(np.mod(finite.to_numpy(dtype=float), 1) == 0):
            as_int = finite.astype("int64")
            if len(as_int) and as_int.between(10000101, 21001231).all():
                parsed = pd.to_datetime(s.astype("Int64").astype("string"), format="%Y%m%d", errors="coerce")
                notes.append(f"column {column!r} read as YYYYMMDD integers")
                return parsed.astype("datetime64[ns]"), notes
        raise SchemaError(
            f"Column {column!r} is numeric ({s.dtype}) and not YYYYMMDD dates; the time unit of numeric "
            "timestamps is ambiguous. Convert it first, e.g. pd.to_datetime(df[col], unit='s')."
        )
    # strings or objects
    fast = _parse_uniform_strings(s, date_format)
    if fast is not None:
        return fast, notes
    obj = s.astype("object")
    nonnull = obj[obj.notna()]
    tz_objects = {v.tzinfo for v in nonnull if isinstance(v, pd.Timestamp | np.datetime64) and getattr(v, "tzinfo", None)}
    if len(tz_objects) > 1:
        raise SchemaError(
            f"Column {column!r} mixes time zones ({', '.join(sorted(map(str, tz_objects)))}). Convert every "
            "value to one zone first, e.g. pd.to_datetime(df[col], utc=True).dt.tz_convert('Asia/Shanghai')."
        )
    strings = nonnull.astype(str)
    offsets = strings.str.extract(r"(Z|[+-]\d{2}:?\d{2})\s*$", expand=False).dropna()
    if offsets.nunique() > 1:
        examples = strings[offsets.index].groupby(offsets.values).head(1).tolist()[:4]
        raise SchemaError(
            f"Column {column!r} mixes time zones: {offsets.nunique()} different UTC offsets "
            f"({', '.join(sorted(offsets.unique())[:5])}), e.g. {examples}. Convert every value to one zone "
            "first, e.g. pd.to_datetime(df[col], utc=True).dt.tz_convert('Asia/Shanghai')."
        )
    kwargs = {"errors": "coerce"}
    if date_format is not None:
        kwargs["format"] = date_format
    else:
        kwargs["format"] = "mixed"
    parsed = pd.to_datetime(obj, **kwargs)
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):
        notes.append(f"time zone {parsed.dt.tz} of column {column!r} dropped: local wall-clock times are used")
        parsed = parsed.dt.tz_localize(None)
    return parsed.astype("datetime64[ns]"), notes


_CURRENCY = re.compile(r"[^\d.,\-()+eE]")


def _parse_amounts(values, column, parse_amounts):
    """Return (float64 array, unparseable mask over non-null values)."""
    s = values
    if pd.api.types.is_bool_dtype(s.dtype):
        raise SchemaError(f"Column {column!r} holds booleans, not amounts. Map `amount=` to the money column.")
    if pd.api.types.is_numeric_dtype(s.dtype):
        return s.to_numpy(dtype="float64", na_value=np.nan), np.zeros(len(s), dtype=bool)
    obj = s.astype("object")
    notnull = obj.notna().to_numpy()
    numeric = pd.to_numeric(obj, errors="coerce").to_numpy(dtype="float64", na_value=np.nan).copy()
    bad = notnull & np.isnan(numeric)
    # Literal "nan" strings count as missing, not unparseable.
    if bad.any() and not parse_amounts:
        bad_vals = obj[bad]
        n_bad = int(bad.sum())
        examples = ", ".join(repr(v) for v in bad_vals.head(_N_EXAMPLES).tolist())
        raise SchemaError(
            f"Column {column!r} has {n_bad:,} non-numeric amounts (e.g. {examples}) at "
            f"{_where(s, np.flatnonzero(bad))}. If they are formatted money such as '1,234.50' or '¥99', "
            "pass parse_amounts=True to strip currency symbols and thousands separators; otherwise fix the column."
        )
    if bad.any():
        text = obj[bad].astype(str).str.strip()
        negative = text.str.match(r"^\(.*\)$") | text.str.contains(r"^-|-\s*$|^\D+-", regex=True)
        cleaned = text.str.replace(_CURRENCY, "", regex=True).str.replace(r"[()+\-]", "", regex=True)
        cleaned = cleaned.str.replace(",", "", regex=False)
        parsed = pd.to_numeric(cleaned, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        parsed = np.where(negative.to_numpy(), -parsed, parsed)
        numeric[bad] = parsed
        bad = notnull & np.isnan(numeric)
    return numeric, bad


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
        price=None,
        item=None,
        description=None,
        exclude_items=None,
        line_key=None,
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
            cancellation invoices) against the customer's earlier purchases (same order first when ``order`` is
            given, then the latest earlier purchases) and drops the other bad rows. Every removed row and its money
            is counted in :attr:`report`.
        duplicates : {None, "raise", "drop", "keep"}, default None
            Rows equal in **every column of the frame** (or in ``line_key``): copies of one row made by the
            export. Distinct lines with equal totals are never duplicates. ``None`` follows ``on_bad_rows``
            (raise when it raises, drop otherwise). ``"keep"`` keeps them (and reports the count).
        parse_amounts : bool, default False
            Parse formatted money strings ("1,234.50", "¥99", "$ 12", "(3.00)") by removing currency
            symbols and comma thousands separators. Off by default: such strings raise a SchemaError.
        zero_amounts : {"keep", "drop", "raise"}, default "keep"
            Zero-value transactions (free items, 100% discounts). Kept ones count as purchases and are
            reported.
        date_format : str, optional
            ``strftime`` format of the time column when it is text; otherwise the format is inferred.
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
            Empty frame, a missing or duplicated column, non-numeric amounts without ``parse_amounts``,
            mixed time zones, numeric timestamps.
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
        from .customers import build_arrays

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
        ts, notes = _parse_dates(raw[time], time, date_format)
        report.notes.extend(notes)
        ts_na = ts.isna().to_numpy()
        raw_na = raw[time].isna().to_numpy().copy()
        if (raw[time].dtype == object or isinstance(raw[time].dtype, pd.StringDtype)) and ts_na.any():
            maybe = np.flatnonzero(ts_na & ~raw_na)  # a blank string parses to NaT: look only at those
            raw_na[maybe] |= _blank_strings(raw[time].iloc[maybe])
        problems.append(("missing timestamp", time, raw_na))
        unparseable_ts = ts_na & ~raw_na
        if unparseable_ts.all() and m > 0:
            raise SchemaError(
                f"No value of column {column_repr(time)} could be read as a date (e.g. "
                f"{raw[time].head(3).tolist()}). Check that `time=` names the date column, or pass date_format=."
            )
        problems.append(("unparseable timestamp", time, unparseable_ts))

        # money ----------------------------------------------------------------------
        if price is None:
            amt, amt_bad = _parse_amounts(raw[amount], amount, parse_amounts)
            amt_na = raw[amount].isna().to_numpy()
            money_col = amount
        else:
            unit, price_bad = _parse_amounts(raw[price], price, parse_amounts)
            qty, qty_bad = _parse_quantity(raw[quantity], quantity)
            amt = qty * unit
            amt_na = raw[price].isna().to_numpy() | raw[quantity].isna().to_numpy()
            amt_bad = (price_bad | qty_bad) & ~amt_na
            money_col = f"{quantity} x {price}"
        finite = np.isfinite(amt)
        money = np.where(finite, amt, 0.0)
        report.money_in = float(money.sum())
        problems.append(("missing amount", money_col, amt_na))
        problems.append(("unparseable amount", money_col, amt_bad))
        problems.append(("non-finite amount", money_col, np.isinf(amt)))

        # observation end -----------------------------------------------------------
        ts_ns = ts.to_numpy(dtype="datetime64[ns]")
        if observation_end is None:
            # NaT is the smallest int64, so the max ignores it whenever one valid time exists
            end = pd.Timestamp(ts_ns.view("int64").max()).normalize() if not ts_na.all() else None
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
                                      report, money)
            else:
                cls._cancelled_later(sub, mapping, codes, perm, offsets, sub_amt, keep_local | (neg_local & alive),
                                     report)
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
        if "discount" in frame:
            frame["discount"] = pd.to_numeric(frame["discount"], errors="coerce").fillna(0.0).astype("float64")
        if "quantity" in frame:
            frame["quantity"] = pd.to_numeric(frame["quantity"], errors="coerce")
        report.rows_kept = len(frame)
        report.money_kept = float(amount_out.sum())
        if not report.balanced or not report.money_balanced:  # pragma: no cover - guarded by tests
            raise AssertionError(f"cleaning report does not balance: {report!r}")
        report.suspect_items, suspect_note = _suspect_items(sub, perm_kept, amount_out, *item_cols)
        if suspect_note:
            report.notes.append(suspect_note)
        if len(frame) == 0:
            error = DataQualityError(
                f"No rows are left after cleaning ({report.rows_in:,} in). {report!r}", count=report.rows_in)
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
            raise ValueError(f"time_unit must be one of {TIME_UNITS}, got {time_unit!r}.")
        if on_bad_rows not in ("raise", "drop", "net"):
            raise ValueError(f"on_bad_rows must be 'raise', 'drop' or 'net', got {on_bad_rows!r}.")
        if duplicates not in (None, "raise", "drop", "keep"):
            raise ValueError(f"duplicates must be None, 'raise', 'drop' or 'keep', got {duplicates!r}.")
        if zero_amounts not in ("keep", "drop", "raise"):
            raise ValueError(f"zero_amounts must be 'keep', 'drop' or 'raise', got {zero_amounts!r}.")

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
        if mapping["order"] is None:
            return np.full(len(sub), -1, dtype=np.int64)
        # equal codes <=> same customer and same order id (the kernel only compares them)
        order, uniques = pd.factorize(sub[mapping["order"]])
        return codes.astype(np.int64) * np.int64(len(uniques) + 1) + order

    @classmethod
    def _net(cls, sub, sub_pos, raw, mapping, codes, perm, offsets, final_amount, keep_local, report, money):
        from ._kernels.build import net_returns

        order_code = cls._order_codes(sub, mapping, codes)
        # netting only sees rows that survive the other checks
        alive = keep_local[perm]
        p = perm[alive]
        new_offsets = np.concatenate([[0], np.cumsum(np.bincount(codes[p], minlength=len(offsets) - 1))])
        before = final_amount[p]
        new_amount, status, unmatched = net_returns(new_offsets.astype(np.int64), before, order_code[p])
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
    def _cancelled_later(cls, sub, mapping, codes, perm, offsets, amount, rows, report):
        """With refunds dropped, how much of the kept revenue later refund rows would cancel (a note)."""
        from ._kernels.build import net_returns

        order_code = cls._order_codes(sub, mapping, codes)
        alive = rows[perm]
        p = perm[alive]
        new_offsets = np.concatenate([[0], np.cumsum(np.bincount(codes[p], minlength=len(offsets) - 1))])
        before = amount[p]
        new_amount, _, unmatched = net_returns(new_offsets.astype(np.int64), before, order_code[p])
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
        return (f"Transactions: {len(self):,} rows, {self.n_customers:,} customers, "
                f"{first:%Y-%m-%d} to {self.observation_end:%Y-%m-%d} (time unit {self.time_unit!r}); "
                f"{self.report.rows_dropped:,} rows dropped in cleaning")

    def _repr_html_(self) -> str:
        return f"<p>{html.escape(repr(self))}</p>" + self.report._repr_html_()


def column_repr(column):
    return repr(column)


def _indent(text, prefix="    "):
    return "\n".join(prefix + line for line in text.splitlines())


def customer_ids(values):
    """Customer ids as the export means them, whichever way they were read.

    One rule for the API, the CSV and Excel readers and the command line, so that one customer has one id:
    integral numbers become integers (``12347.0`` read as a float, or the text ``"12347.0"`` a spreadsheet wrote,
    both become ``12347``), digit strings without leading zeros become integers (what ``pandas.read_csv`` infers),
    and every other string stays text with its leading zeros (``"00042"``).

    Parameters
    ----------
    values : array-like
        Non-missing ids (a column, or the distinct values of one).

    Returns
    -------
    numpy.ndarray
        int64 when every id is an integer by the rule above, else the values as text (object array), or the
        floats themselves when some are not integral.
    """
    s = pd.Series(values, copy=False)
    if len(s) == 0:
        return s.to_numpy()
    if pd.api.types.is_bool_dtype(s.dtype):
        raise SchemaError("The customer id column holds booleans: map `customer=` to the id column.")
    if pd.api.types.is_integer_dtype(s.dtype):
        return s.to_numpy(dtype=np.int64)
    if pd.api.types.is_float_dtype(s.dtype):
        arr = s.to_numpy(dtype=np.float64)
        if np.all(np.mod(arr, 1) == 0) and np.abs(arr).max() < 2 ** 53:
            return arr.astype(np.int64)
        return arr
    kinds = {type(v) for v in s}
    if kinds <= {int, np.int64, np.int32}:
        return s.to_numpy(dtype=np.int64)
    text = s.astype(str).str.strip()
    if kinds <= {str, int, float, np.int64, np.float64} and text.str.fullmatch(r"-?\d{1,18}(\.0*)?").all():
        digits = text.str.replace(r"\.0*$", "", regex=True)
        if not digits.str.match(r"-?0\d").any():  # "00042" is text: its zeros are part of the id
            return digits.astype(np.int64).to_numpy()
        text = digits
    return text.to_numpy(dtype=object)


def _factorize_ids(values):
    """Sorted integer codes, the distinct ids (ascending, by :func:`customer_ids`) and a note or None.

    Integer ids in a range no wider than a few times the row count (sequential customer numbers) go through a
    direct-address table; anything else through pandas' hash factorisation, whose distinct values are then read
    by :func:`customer_ids` (a few thousand values, not every row) and factorised again in sorted order.
    """
    arr = values.to_numpy() if isinstance(values, pd.Series) else np.asarray(values)
    if arr.dtype.kind in "iu" and len(arr):
        vmin, vmax = int(arr.min()), int(arr.max())
        span = vmax - vmin + 1
        if span <= 2 * len(arr) + 1024:
            from ._kernels.build import dense_int_codes

            codes, uniques = dense_int_codes(arr.astype(np.int64, copy=False), np.int64(vmin), np.int64(span))
            return codes, uniques, None
    codes, raw_uniques = pd.factorize(values)
    ids = customer_ids(raw_uniques)
    note = None
    if ids.dtype.kind in "iu" and np.asarray(raw_uniques).dtype.kind not in "iu":
        note = (f"customer ids read as text or decimals were converted to integers (e.g. {raw_uniques[0]!r} -> "
                f"{ids[0]})")
    elif ids.dtype == object and len(ids) and {type(v) for v in raw_uniques} - {str}:
        note = "customer ids of mixed types were converted to text"
    new_codes, uniques = pd.factorize(ids, sort=True)
    if len(uniques) < len(ids):
        n_merged = len(ids) - len(uniques)
        note = (note + "; " if note else "") + (
            f"{n_merged:,} ids written two ways (e.g. '12347' and '12347.0') were read as one customer each")
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
                raise TypeError(f"Column arguments {sorted(unknown)} only apply to raw frames, not to Transactions.")
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

#: Role -> canonical column name of an event log.
EVENT_COLUMNS = {"customer": "customer_id", "time": "timestamp", "event": "event", "channel": "channel",
                 "order": "order_id"}
_EVENT_OPTIONAL = ("channel", "order")
_EVENT_FIX = {
    "missing customer_id": _FIX["missing customer_id"],
    "missing timestamp": _FIX["missing timestamp"],
    "unparseable timestamp": _FIX["unparseable timestamp"],
    "missing event": "fill or remove rows without an event name, or pass on_bad_rows='drop'",
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
        from .datasets import EVENTS

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
                   time_unit="D", on_bad_rows="raise", duplicates=None, date_format=None):
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
            ``strftime`` format of a text time column.

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
            raise ValueError(f"time_unit must be one of {TIME_UNITS}, got {time_unit!r}.")
        if on_bad_rows not in ("raise", "drop"):
            raise ValueError(f"on_bad_rows must be 'raise' or 'drop' for events, got {on_bad_rows!r}.")
        if duplicates not in (None, "raise", "drop", "keep"):
            raise ValueError(f"duplicates must be None, 'raise', 'drop' or 'keep', got {duplicates!r}.")
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
        ts, notes = _parse_dates(raw[time], time, date_format)
        report.notes.extend(notes)
        ts_na = ts.isna().to_numpy()
        raw_na = _blank_or_missing(raw[time])
        problems.append(("missing timestamp", time, raw_na))
        unparseable = ts_na & ~raw_na
        if unparseable.all():
            raise SchemaError(
                f"No value of column {column_repr(time)} could be read as a date (e.g. "
                f"{raw[time].head(3).tolist()}). Check that `time=` names the date column, or pass date_format=.")
        problems.append(("unparseable timestamp", time, unparseable))
        if ts_na.all():
            raise SchemaError(f"Column {column_repr(time)} holds no date at all ({m:,} rows missing): nothing can be "
                              "placed in time. Check that `time=` names the date column.")
        problems.append(("missing event", event, _blank_or_missing(raw[event])))
        ts_ns = ts.to_numpy(dtype="datetime64[ns]")
        if observation_end is None:
            end = pd.Timestamp(ts_ns.view("int64").max()).normalize()
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
            raise DataQualityError(f"No rows are left after cleaning ({report.rows_in:,} in). {report!r}",
                                   count=report.rows_in)
        cid = np.asarray(uniques)
        if cid.dtype.kind in "iu":
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
        skip = np.zeros(len(orders), dtype=bool)
        if mapping["order"] is not None and "order_id" in orders:
            known = pd.Index(raw[mapping["order"]].dropna().unique())
            skip = orders["order_id"].isin(known).to_numpy()
        else:
            is_purchase = raw[mapping["event"]].isin([purchase_event, repurchase_event]).to_numpy()
            have = pd.MultiIndex.from_arrays([raw[mapping["customer"]].to_numpy()[is_purchase],
                                              pd.to_datetime(raw[mapping["time"]].to_numpy()[is_purchase])])
            skip = pd.MultiIndex.from_arrays([orders["customer_id"].to_numpy(),
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
        return (f"Events: {len(self):,} events of {len(self.event_labels)} types, {self.n_customers:,} customers, "
                f"{first:%Y-%m-%d} to {self.observation_end:%Y-%m-%d}; {self.report.rows_dropped:,} rows "
                "dropped in cleaning")

    def _repr_html_(self) -> str:
        counts = self.frame["event"].value_counts().rename("events").to_frame()
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


def _encoding_error(path, exc):
    with open(path, "rb") as fh:
        sample = fh.read(1 << 16)
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
    return FileFormatError(f"{path.name} is not UTF-8 text (byte {exc.object[exc.start:exc.start + 1]!r} at "
                           f"position {exc.start:,}); {hint}.", path=str(path))


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
    read_kwargs = dict(read_kwargs or {})
    suffix = path.suffix.lower()
    customer = columns[0]
    notes = []
    if suffix in {".parquet", ".pq"}:
        return pd.read_parquet(path, **read_kwargs), notes
    if suffix in {".csv", ".txt", ".tsv"}:
        read_kwargs.setdefault("dtype", {customer: str})
        if suffix == ".tsv":
            read_kwargs.setdefault("sep", "\t")
        sep, encoding = read_kwargs.get("sep"), read_kwargs.get("encoding")

        def read(skip):
            try:
                return pd.read_csv(path, skiprows=skip, **read_kwargs)
            except pd.errors.ParserError as exc:
                raise _parser_error(path, exc, sep, encoding) from None
            except UnicodeDecodeError as exc:
                raise _encoding_error(path, exc) from None

        def head_rows():
            import csv

            return list(csv.reader(_head_lines(path, encoding), delimiter=sep or ","))
        label, first_line = "line", 2
    elif suffix in {".xlsx", ".xls", ".xlsm"}:
        read_kwargs.setdefault("dtype", {customer: str})

        def read(skip):
            return pd.read_excel(path, sheet_name=sheet_name, skiprows=skip, **read_kwargs)

        def head_rows():
            top = pd.read_excel(path, sheet_name=sheet_name, header=None, nrows=40, dtype=object)
            return top.itertuples(index=False, name=None)
        label, first_line = "sheet row", 2
    else:
        raise SchemaError(f"Unsupported file type {suffix!r} for {path.name}: use CSV, Parquet or Excel.")
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
        raise SchemaError(
            f"{path.name}: {', '.join(repr(c) for c in missing)} not among the columns of the header row "
            f"({got[:12]}{' ...' if len(got) > 12 else ''}).{_suggest(missing[0], frame.columns)}{hint} If a title "
            "block sits above the header row, pass skiprows=N (the number of rows above the header).")
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
            raise TypeError(f"Column arguments {sorted(kwargs)} only apply to raw frames, not to Events.")
        return data
    if isinstance(data, pd.DataFrame):
        missing = [k for k in ("customer", "time", "event") if k not in kwargs]
        if missing:
            raise SchemaError(f"A raw event frame needs its column names: pass {', '.join(f'{k}=...' for k in missing)}"
                              " (or build toolkit.Events.from_frame once and reuse it).")
        return Events.from_frame(data, **kwargs)
    raise SchemaError(f"Expected toolkit.Events or a pandas DataFrame, got {type(data).__name__}.")
