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
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .config import TIME_UNITS
from .errors import DataQualityError, SchemaError

__all__ = ["Transactions", "CleaningReport", "read_transactions", "as_transactions"]

_OPTIONAL = ("order", "category", "quantity", "channel", "discount")
#: Role -> canonical column name. A frame that already uses canonical names maps onto
#: ``Transactions.from_frame(df, **CANONICAL_COLUMNS)`` (restricted to the columns it has).
CANONICAL_COLUMNS = _CANONICAL = {
    "customer": "customer_id",
    "time": "timestamp",
    "amount": "amount",
    "order": "order_id",
    "category": "category",
    "quantity": "quantity",
    "channel": "channel",
    "discount": "discount",
}
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
        "pass duplicates='drop' if these are export duplicates, or duplicates='keep' if they are genuine "
        "identical purchases (e.g. day-resolution dates without order ids)"
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
    """

    rows_in: int
    rows_kept: int = 0
    dropped: dict = field(default_factory=dict)
    kept_notes: dict = field(default_factory=dict)
    examples: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)

    @property
    def rows_dropped(self) -> int:
        """Total rows removed."""
        return int(sum(self.dropped.values()))

    @property
    def balanced(self) -> bool:
        """True when rows in = rows kept + rows dropped."""
        return self.rows_in == self.rows_kept + self.rows_dropped

    @property
    def summary(self) -> pd.DataFrame:
        """One row per reason: rows affected and what was done."""
        rows = [{"reason": "rows in", "rows": self.rows_in, "action": ""}]
        for reason, count in self.dropped.items():
            rows.append({"reason": reason, "rows": int(count), "action": "dropped"})
        for reason, count in self.kept_notes.items():
            rows.append({"reason": reason, "rows": int(count), "action": "kept"})
        rows.append({"reason": "rows kept", "rows": self.rows_kept, "action": ""})
        return pd.DataFrame(rows, columns=["reason", "rows", "action"])

    def __repr__(self) -> str:
        lines = [f"CleaningReport: {self.rows_in:,} rows in = {self.rows_kept:,} kept + {self.rows_dropped:,} dropped"]
        for reason, count in self.dropped.items():
            lines.append(f"  dropped {count:,}: {reason}")
        for reason, count in self.kept_notes.items():
            lines.append(f"  kept    {count:,}: {reason}")
        lines.extend(f"  note: {note}" for note in self.notes)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = (
            f"<p><b>Cleaning report</b>: {self.rows_in:,} rows in = {self.rows_kept:,} kept + "
            f"{self.rows_dropped:,} dropped</p>"
        )
        table = self.summary.to_html(index=False)
        parts = [head, table]
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


def _format_examples(ex):
    with pd.option_context("display.width", 120, "display.max_columns", 12):
        return ex.to_string()


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
            f"Column {column!r} has {n_bad:,} non-numeric amounts (e.g. {examples}) at rows "
            f"{list(bad_vals.index[:_N_EXAMPLES])}. If they are formatted money such as '1,234.50' or '¥99', "
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
        amount,
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
    ):
        """Validate a raw transaction frame and build the canonical frame and customer arrays.

        Parameters
        ----------
        df : pandas.DataFrame
            One row per transaction (or order line).
        customer, time, amount : str
            Names of the customer id, date/time and money columns in ``df``.
        order, category, quantity, channel, discount : str, optional
            Names of optional columns: order id, product category, item count, sales channel and discount
            (money off the order; > 0 marks a discounted order).
        observation_end : date-like, optional
            Last calendar day observed, inclusive. Defaults to the last date in the data.
        time_unit : {"D", "W", "M"}, default "D"
            Unit of durations (recency, T, ...) derived from this log.
        on_bad_rows : {"raise", "drop", "net"}, default "raise"
            What to do with rows that break the contract (missing or unparseable keys, dates after
            ``observation_end``, negative amounts, duplicates). ``"raise"`` raises one
            :class:`~toolkit.errors.DataQualityError` listing every problem; ``"drop"`` removes them;
            ``"net"`` nets refunds (negative amounts) against the customer's earlier purchases (same order
            first when ``order`` is given, then the latest earlier purchases) and drops the other bad rows.
            Every removed row is counted in :attr:`report`.
        duplicates : {None, "raise", "drop", "keep"}, default None
            Rows identical in every mapped column. ``None`` follows ``on_bad_rows`` (raise when it raises,
            drop otherwise). ``"keep"`` keeps them (and reports the count): right for day-resolution logs
            without order ids where identical same-day purchases are genuine (CDNOW).
        parse_amounts : bool, default False
            Parse formatted money strings ("1,234.50", "¥99", "$ 12", "(3.00)") by removing currency
            symbols and comma thousands separators. Off by default: such strings raise a SchemaError.
        zero_amounts : {"keep", "drop", "raise"}, default "keep"
            Zero-value transactions (free items, 100% discounts). Kept ones count as purchases and are
            reported.
        date_format : str, optional
            ``strftime`` format of the time column when it is text; otherwise formats are inferred per value.

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
                   "quantity": quantity, "channel": channel, "discount": discount}
        cls._check_options(time_unit, on_bad_rows, duplicates, zero_amounts)
        raw = cls._check_columns(df, mapping)
        report = CleaningReport(rows_in=len(raw))
        problems = []  # (reason, column, mask) in check order
        m = len(raw)

        # customer ids ------------------------------------------------------------
        cust = raw[customer]
        cust_missing = cust.isna().to_numpy().copy()  # pandas >= 3 hands out read-only views
        if isinstance(cust.dtype, pd.StringDtype) or cust.dtype == object:
            as_str = cust.astype("object")
            blank = as_str.map(lambda v: isinstance(v, str) and v.strip() == "").to_numpy(dtype=bool)
            cust_missing |= blank
        problems.append(("missing customer_id", customer, cust_missing))

        # timestamps ---------------------------------------------------------------
        ts, notes = _parse_dates(raw[time], time, date_format)
        report.notes.extend(notes)
        ts_na = ts.isna().to_numpy()
        raw_na = raw[time].isna().to_numpy().copy()
        if raw[time].dtype == object or isinstance(raw[time].dtype, pd.StringDtype):
            raw_na |= raw[time].astype("object").map(lambda v: isinstance(v, str) and v.strip() == "").to_numpy(dtype=bool)
        problems.append(("missing timestamp", time, raw_na))
        unparseable_ts = ts_na & ~raw_na
        if unparseable_ts.all() and m > 0:
            raise SchemaError(
                f"No value of column {column_repr(time)} could be read as a date (e.g. "
                f"{raw[time].head(3).tolist()}). Check that `time=` names the date column, or pass date_format=."
            )
        problems.append(("unparseable timestamp", time, unparseable_ts))

        # amounts ------------------------------------------------------------------
        amt, amt_bad = _parse_amounts(raw[amount], amount, parse_amounts)
        amt_na = raw[amount].isna().to_numpy()
        problems.append(("missing amount", amount, amt_na))
        problems.append(("unparseable amount", amount, amt_bad))
        problems.append(("non-finite amount", amount, np.isinf(amt)))

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

        # rows failing the basic checks are excluded before the order-dependent checks
        first_fail = np.zeros(m, dtype=bool)
        for _, _, mask in problems:
            first_fail |= mask
        good = ~first_fail

        # order-dependent checks on the remaining rows ---------------------------------
        all_good = bool(good.all())
        sub = raw if all_good else raw.loc[good]
        sub_pos = None if all_good else np.flatnonzero(good)  # raw position of each remaining row
        cust_vals, cust_note = _customer_values(sub[customer])
        if cust_note:
            report.notes.append(cust_note)
        codes, uniques = _factorize_ids(cust_vals)
        sub_ns = ts_ns.view("int64") if all_good else ts_ns[good].view("int64")
        sub_amt = amt if all_good else amt[good]
        extra_cols = [mapping[k] for k in _OPTIONAL if mapping[k] is not None]
        if extra_cols:
            extra = pd.util.hash_pandas_object(sub[extra_cols], index=False).to_numpy().view(np.int64)
        else:
            extra = np.empty(0, dtype=np.int64)

        from ._kernels.build import csr_order, duplicate_mask

        perm, offsets, ns_sorted, amount_sorted = csr_order(codes, sub_ns, sub_amt, len(uniques))
        if on_bad_rows != "net":
            del codes
        dup_sorted = duplicate_mask(offsets, perm, ns_sorted, amount_sorted, extra)
        del extra
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

        if dup_mode != "keep":
            problems.append(("duplicate row", ", ".join(str(c) for c in [customer, time, amount, *extra_cols]),
                             full(dup_local)))
        elif dup_local.any():
            report.kept_notes["duplicate row (kept: duplicates='keep')"] = int(dup_local.sum())
        if on_bad_rows != "net":
            problems.append(("negative amount (return)", amount, full(neg_local & ~dup_local)))
        if zero_amounts != "keep":
            zero_problem = full(zero_local & ~dup_local)
            if zero_amounts == "raise":
                problems.append(("zero amount", amount, zero_problem))
        elif zero_local.any():
            report.kept_notes["zero amount (kept: counted as a purchase)"] = int((zero_local & ~dup_local).sum())

        # raise with every problem at once ------------------------------------------------
        raise_reasons = []
        for reason, column, mask in problems:
            n_bad = int(mask.sum())
            if not n_bad:
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
                lines.append(f"- {reason} in column {column_repr(column)}: {n_bad:,} rows (first at rows "
                             f"{list(raw.index[pos[:_N_EXAMPLES]])}). Fix: {_FIX[reason]}.")
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
                report.examples[reason] = _examples(raw, np.flatnonzero(new))
                drop |= new
        if zero_amounts == "drop":
            zero_full = full(zero_local) & ~drop
            if zero_full.any():
                report.dropped["zero amount"] = int(zero_full.sum())
                report.examples["zero amount"] = _examples(raw, np.flatnonzero(zero_full))
                drop |= zero_full

        keep_local = ~(drop if sub_pos is None else drop[sub_pos])
        final_amount = sub_amt
        if on_bad_rows == "net" and neg_local.any():
            final_amount = sub_amt.copy()
            if sub_pos is None:
                sub_pos = np.arange(m)
            keep_local = cls._net(sub, sub_pos, raw, mapping, codes, perm, offsets, final_amount, keep_local,
                                  neg_local, report)

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
                columns_out[_CANONICAL[key]] = sub[col].to_numpy()[perm_kept]
        frame = pd.DataFrame(columns_out, copy=False)
        if "discount" in frame:
            frame["discount"] = pd.to_numeric(frame["discount"], errors="coerce").fillna(0.0).astype("float64")
        if "quantity" in frame:
            frame["quantity"] = pd.to_numeric(frame["quantity"], errors="coerce")
        report.rows_kept = len(frame)
        if not report.balanced:  # pragma: no cover - guarded by tests
            raise AssertionError("cleaning report does not balance")
        if len(frame) == 0:
            raise DataQualityError(
                f"No rows are left after cleaning ({report.rows_in:,} in). {report!r}", count=report.rows_in)
        arrays = build_arrays(frame, kept_offsets, uniques, end, time_unit)
        columns = {k: v for k, v in mapping.items() if v is not None}
        return cls(frame, arrays, end, time_unit, report, columns)

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
    def _net(sub, sub_pos, raw, mapping, codes, perm, offsets, final_amount, keep_local, neg_local, report):
        from ._kernels.build import net_returns

        if mapping["order"] is not None:
            pairs = pd.MultiIndex.from_arrays([codes, sub[mapping["order"]].to_numpy()])
            order_code = pd.factorize(pairs)[0].astype(np.int64)
        else:
            order_code = np.full(len(sub), -1, dtype=np.int64)
        # netting only sees rows that survive the other checks
        alive = keep_local[perm]
        p = perm[alive]
        new_offsets = np.concatenate([[0], np.cumsum(np.bincount(codes[p], minlength=len(offsets) - 1))])
        new_amount, status, unmatched = net_returns(new_offsets.astype(np.int64), final_amount[p], order_code[p])
        final_amount[p] = new_amount
        reasons = {1: "return netted against purchases", 2: "purchase fully refunded (netted)",
                   3: "return larger than earlier purchases (remainder unmatched)"}
        for code, reason in reasons.items():
            hit = status == code
            if hit.any():
                local = p[hit]
                report.dropped[reason] = int(hit.sum())
                report.examples[reason] = _examples(raw, sub_pos[local])
                keep_local[local] = False
        partly = int((status == 4).sum())
        if partly:
            report.kept_notes["purchase partly refunded (amount reduced)"] = partly
        if unmatched > 0:
            report.notes.append(f"{unmatched:,.2f} of refunds found no earlier purchase to net against")
        return keep_local

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


def _factorize_ids(values):
    """Sorted integer codes and the distinct ids (ascending).

    Integer ids in a range no wider than a few times the row count (sequential customer numbers) go through a
    direct-address table; anything else through pandas' hash factorisation.
    """
    arr = values.to_numpy() if isinstance(values, pd.Series) else np.asarray(values)
    if arr.dtype.kind in "iu" and len(arr):
        vmin, vmax = int(arr.min()), int(arr.max())
        span = vmax - vmin + 1
        if span <= 2 * len(arr) + 1024:
            from ._kernels.build import dense_int_codes

            return dense_int_codes(arr.astype(np.int64, copy=False), np.int64(vmin), np.int64(span))
    codes, uniques = pd.factorize(values, sort=True)
    return codes.astype(np.int64, copy=False), uniques


def _customer_values(values):
    """Customer ids ready for a sorted factorize; returns (values, note or None)."""
    note = None
    if pd.api.types.is_float_dtype(values.dtype):
        arr = values.to_numpy()
        if np.all(np.mod(arr, 1) == 0):
            return values.astype("int64"), f"customer ids read as floats were converted to integers"
        return values, None
    if values.dtype == object:
        kinds = {type(v) for v in values.head(100_000)}
        if len(kinds) > 1 or (kinds and not kinds <= {str, int, np.int64}):
            values = values.astype(str)
            note = "customer ids of mixed types were converted to text"
    elif isinstance(values.dtype, pd.StringDtype):
        values = values.astype(object)
    return values, note


def read_transactions(path, customer, time, amount, *, sheet_name=0, read_kwargs=None, **kwargs):
    """Read a CSV, TSV, Parquet or Excel transaction export and validate it.

    Customer ids are read as text for CSV and Excel files so that zero-padded ids ("00042") survive.

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
    **kwargs
        Passed to :meth:`Transactions.from_frame`.

    Returns
    -------
    Transactions
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"No such transaction file: {path}")
    read_kwargs = dict(read_kwargs or {})
    suffix = path.suffix.lower()
    if suffix in {".csv", ".txt", ".tsv"}:
        read_kwargs.setdefault("dtype", {customer: str})
        if suffix == ".tsv":
            read_kwargs.setdefault("sep", "\t")
        raw = pd.read_csv(path, **read_kwargs)
    elif suffix in {".parquet", ".pq"}:
        raw = pd.read_parquet(path, **read_kwargs)
    elif suffix in {".xlsx", ".xls", ".xlsm"}:
        read_kwargs.setdefault("dtype", {customer: str})
        raw = pd.read_excel(path, sheet_name=sheet_name, **read_kwargs)
    else:
        raise SchemaError(f"Unsupported file type {suffix!r} for {path.name}: use CSV, Parquet or Excel.")
    return Transactions.from_frame(raw, customer=customer, time=time, amount=amount, **kwargs)


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
