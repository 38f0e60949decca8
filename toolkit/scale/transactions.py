"""Transaction logs as Dask DataFrames: read, shuffle once by customer, validate each partition with the
in-memory rules (:meth:`toolkit.Transactions.from_frame`) and add up the cleaning reports."""

from __future__ import annotations

from pathlib import Path

import dask
import dask.dataframe as dd
import pandas as pd

from ..data import _FIX, CleaningReport, Transactions, _indent, _parse_dates, as_transactions
from ..errors import DataQualityError, SchemaError
from ._cluster import compute as _compute
from ._cluster import get_client
from ._cluster import persist as _persist

__all__ = ["PartitionedTransactions", "read_transactions", "from_dask", "combine_reports"]

_N_EXAMPLES = 5
_ROLE_OF_REASON = {
    "missing customer_id": "customer", "missing timestamp": "time", "unparseable timestamp": "time",
    "after observation_end": "time", "missing amount": "amount", "unparseable amount": "amount",
    "non-finite amount": "amount", "negative amount (return)": "amount", "zero amount": "amount",
}


class _Part:
    """One validated partition: its Transactions (None when no row survived) and its cleaning report."""

    __slots__ = ("tx", "report")

    def __init__(self, tx, report):
        self.tx = tx
        self.report = report


def _validate_part(raw, kwargs):
    """``Transactions.from_frame`` on one partition (never in raise mode: problems are counted, then judged)."""
    if len(raw) == 0:
        return _Part(None, CleaningReport(rows_in=0))
    try:
        tx = as_transactions(raw, **kwargs)
    except DataQualityError as err:  # every row of this partition was dropped
        report = getattr(err, "report", None)
        if report is None:
            raise
        return _Part(None, report)
    return _Part(tx, tx.report)


def _raising(report, rules):
    """(reason, count) of the report entries that the caller's options turn into an error."""
    out = []
    for reason, count in report.dropped.items():
        if reason == "duplicate row":
            raises = rules["duplicates"] == "raise"
        elif reason == "zero amount":
            raises = rules["zero_amounts"] == "raise"
        elif reason in _ROLE_OF_REASON or reason in _FIX:
            raises = rules["on_bad_rows"] == "raise"
        else:  # netting outcomes
            raises = False
        if raises and count:
            out.append((reason, int(count)))
    return out


def _error(report, rules, columns, scope):
    bad = _raising(report, rules)
    if not bad:
        return None
    total = sum(c for _, c in bad)
    lines = [f"{total:,} of {report.rows_in:,} rows{scope} break the transaction contract:"]
    for reason, count in bad:
        role = _ROLE_OF_REASON.get(reason)
        column = columns.get(role) if role else ", ".join(str(c) for c in columns.values())
        lines.append(f"- {reason} in column {column!r}: {count:,} rows. Fix: {_FIX[reason]}.")
        ex = report.examples.get(reason)
        if ex is not None:
            with pd.option_context("display.width", 120, "display.max_columns", 12):
                lines.append(_indent(ex.to_string()))
    first = bad[0][0]
    role = _ROLE_OF_REASON.get(first)
    return DataQualityError("\n".join(lines), column=columns.get(role) if role else None, count=total,
                            examples=report.examples.get(first))


def combine_reports(reports):
    """Add up the :class:`~toolkit.CleaningReport` of every partition into one.

    Counts are summed by reason (in the order the in-memory validation checks them); ``examples`` keep the
    first rows of each reason over the partitions in partition order; ``notes`` keep each distinct note once.
    """
    reports = [r for r in reports if r is not None]
    out = CleaningReport(rows_in=int(sum(r.rows_in for r in reports)),
                         rows_kept=int(sum(r.rows_kept for r in reports)))
    order = {reason: k for k, reason in enumerate(_FIX)}
    dropped, kept, examples = {}, {}, {}
    for r in reports:
        for reason, count in r.dropped.items():
            dropped[reason] = dropped.get(reason, 0) + int(count)
        for reason, count in r.kept_notes.items():
            kept[reason] = kept.get(reason, 0) + int(count)
        for reason, ex in r.examples.items():
            have = examples.get(reason)
            if have is None or len(have) < _N_EXAMPLES:
                examples[reason] = ex if have is None else pd.concat([have, ex]).head(_N_EXAMPLES)
        for note in r.notes:
            if note not in out.notes:
                out.notes.append(note)
    out.money_in = float(sum(r.money_in for r in reports))
    out.money_kept = float(sum(r.money_kept for r in reports))
    out.cancelled_later = float(sum(r.cancelled_later for r in reports))
    for attr in ("money_dropped", "money_moved"):
        total = {}
        for r in reports:
            for reason, value in getattr(r, attr).items():
                total[reason] = total.get(reason, 0.0) + float(value)
        setattr(out, attr, total)
    out.dropped = dict(sorted(dropped.items(), key=lambda kv: order.get(kv[0], len(order))))
    out.kept_notes = kept
    out.examples = {reason: examples[reason] for reason in out.dropped if reason in examples}
    return out


def _part_report(part):
    return part.report


def _combine_and_check(reports, rules, columns):
    report = combine_reports(reports)
    error = _error(report, rules, columns, "")
    if error is not None:
        raise error
    return report


def check_part(part, rules, columns):
    """The partition's Transactions; raises (partition-local counts) when its rows break a raising rule."""
    error = _error(part.report, rules, columns, " of one partition")
    if error is not None:
        error.args = (error.args[0] + "\n(Counts are for one partition; PartitionedTransactions.report adds "
                      "them up over the whole log.)",)
        raise error
    return part.tx


def _max_time(values, column, date_format):
    parsed, _ = _parse_dates(values, column, date_format)
    return pd.Series([parsed.max()], dtype="datetime64[ns]")


def _synthetic_raw(meta, time):
    """Two valid rows with the dtypes of ``meta`` (to derive the result schemas without touching the data)."""
    cols = {}
    for col in meta.columns:
        dtype = meta[col].dtype
        if col == time and pd.api.types.is_numeric_dtype(dtype):  # YYYYMMDD numbers
            values = pd.Series([20000101, 20000102]).astype(dtype)
        elif col == time and not pd.api.types.is_datetime64_any_dtype(dtype):
            values = pd.Series(["2000-01-01", "2000-01-02"], dtype=dtype)
        elif pd.api.types.is_datetime64_any_dtype(dtype):
            values = pd.Series(pd.to_datetime(["2000-01-01", "2000-01-02"])).astype(dtype)
        elif pd.api.types.is_bool_dtype(dtype):
            values = pd.Series([True, False], dtype=dtype)
        elif pd.api.types.is_numeric_dtype(dtype):
            values = pd.Series([1, 2]).astype(dtype)
        else:
            try:
                values = pd.Series(["1", "2"]).astype(dtype)
            except (TypeError, ValueError):
                values = pd.Series(["1", "2"], dtype=object)
        cols[col] = values
    return pd.DataFrame(cols)


class PartitionedTransactions:
    """A transaction log split into partitions that each hold whole customers, validated partition by partition.

    Build it with :func:`read_transactions` or :func:`from_dask`. Nothing is computed until an analysis
    (or :attr:`report`, :meth:`persist`) asks for it. Every partition is validated by
    :meth:`toolkit.Transactions.from_frame` with the same options and the same (global) observation end, so a
    customer's rows are cleaned exactly as in memory.

    Attributes
    ----------
    parts : list of dask.delayed.Delayed
        One validated partition each (internal objects holding a ``Transactions`` and its report).
    observation_end : pandas.Timestamp
    time_unit : str
    columns : dict
        Role -> user column name, as given.
    client : distributed.Client or None
    """

    def __init__(self, parts, observation_end, time_unit, columns, rules, sample, client):
        self.parts = parts
        self.observation_end = observation_end
        self.time_unit = time_unit
        self.columns = columns
        self._rules = rules
        self._sample = sample  # a tiny validated Transactions with the same schema (result metadata)
        self.client = client
        self._report = None

    @property
    def npartitions(self) -> int:
        return len(self.parts)

    def report_delayed(self):
        """The combined cleaning report as a Dask Delayed (compute it together with other results to read the
        data once); raises the combined DataQualityError when the options say "raise"."""
        # each partition's report travels, never the partitions themselves (the whole log on one worker)
        fn = dask.delayed(_part_report, pure=True)
        reports = [fn(p) for p in self.parts]
        return dask.delayed(_combine_and_check, pure=True)(reports, self._rules, self.columns)

    @property
    def report(self) -> CleaningReport:
        """Cleaning report added up over all partitions (computed on first access).

        Raises the combined :class:`~toolkit.errors.DataQualityError` (counts over the whole log) when rows
        break a rule that the options turn into an error, as ``Transactions.from_frame`` does.
        """
        if self._report is None:
            (self._report,) = _compute(self.report_delayed(), client=self.client, progress=False)
        return self._report

    def persist(self, progress=True):
        """Validate every partition now and keep the results in (cluster) memory; checks the report.

        Later analyses then start from the validated partitions. Needs memory for the whole cleaned log
        (about 40 bytes per row); for logs larger than the cluster's memory, compute the analyses together
        instead (see :func:`toolkit.scale.persist`).
        """
        self.parts = list(_persist(*self.parts, client=self.client, progress=progress))
        self.report  # noqa: B018 - raises on bad rows
        return self

    def summary_meta(self, **kwargs):
        from ..customers import customer_summary

        return customer_summary(self._sample, **kwargs).iloc[:0]

    def __repr__(self) -> str:
        return (f"PartitionedTransactions({self.npartitions} partitions by customer, observation end "
                f"{self.observation_end:%Y-%m-%d}, time unit {self.time_unit!r}, columns {self.columns})")


def from_dask(data, customer, time, amount, *, npartitions=None, client=None, shuffle_method=None, **kwargs):
    """Validate a Dask (or pandas) DataFrame of transactions partition by partition.

    The frame is shuffled once by ``customer`` so that each partition holds whole customers; each partition is
    then validated by :meth:`toolkit.Transactions.from_frame` with ``kwargs`` and the observation end of the
    whole log (computed first when not given: one pass over the time column).

    Parameters
    ----------
    data : dask.dataframe.DataFrame or pandas.DataFrame
        Raw transactions (a pandas frame is split into ``npartitions``, default 4).
    customer, time, amount : str
        Column names, as in ``Transactions.from_frame``.
    npartitions : int, optional
        Partitions after the shuffle (default: as many as the input). Aim for 1e5-1e7 rows per partition.
    client : distributed.Client, str or None
        Where to run (see :func:`toolkit.scale.get_client`).
    shuffle_method : {"p2p", "tasks", "disk"}, optional
        Dask's shuffle algorithm (default: Dask's choice, p2p on a cluster).
    **kwargs
        Options of ``Transactions.from_frame`` (``order=, category=, ..., observation_end=, time_unit=,
        on_bad_rows=, duplicates=, zero_amounts=, parse_amounts=, date_format=``).

    Returns
    -------
    PartitionedTransactions

    Notes
    -----
    With ``on_bad_rows="raise"`` (the default) bad rows raise a DataQualityError with counts over the whole
    log from :attr:`PartitionedTransactions.report` / :meth:`~PartitionedTransactions.persist`, and with the
    counts of one partition from an analysis that meets them first. Rules that depend on the whole log are
    applied globally (observation end); per-row rules and per-customer rules (duplicates, netting refunds)
    are local to a customer and so exactly as in memory. Conversions of the id column (floats to integers,
    mixed types to text) are decided per partition: give the id column one type.
    """
    client = get_client(client)
    if isinstance(data, pd.DataFrame):
        data = dd.from_pandas(data, npartitions=npartitions or 4, sort=False)
    if not isinstance(data, dd.DataFrame):
        raise SchemaError(f"Expected a Dask or pandas DataFrame of transactions, got {type(data).__name__}.")
    mapping = {"customer": customer, "time": time, "amount": amount,
               **{k: kwargs.get(k) for k in ("order", "category", "quantity", "channel", "discount")}}
    missing = [f"{role}={col!r}" for role, col in mapping.items() if col is not None and col not in data.columns]
    if missing:
        raise SchemaError(f"{', '.join(missing)} not in the columns {list(data.columns)}.")
    Transactions._check_options(kwargs.get("time_unit", "D"), kwargs.get("on_bad_rows", "raise"),
                                kwargs.get("duplicates"), kwargs.get("zero_amounts", "keep"))
    columns = {k: v for k, v in mapping.items() if v is not None}

    # the observation end of the whole log
    end = kwargs.get("observation_end")
    if end is None:
        date_format = kwargs.get("date_format")
        if pd.api.types.is_datetime64_any_dtype(data[time].dtype) and not isinstance(data[time].dtype,
                                                                                     pd.DatetimeTZDtype):
            latest = data[time].max()
        else:
            latest = data[time].map_partitions(_max_time, time, date_format,
                                               meta=pd.Series(dtype="datetime64[ns]")).max()
        (latest,) = _compute(latest, client=client, progress=False)
        if pd.isna(latest):
            raise SchemaError(f"No value of column {time!r} could be read as a date. Check `time=` or pass "
                              "date_format=.")
        end = pd.Timestamp(latest).normalize()
    else:
        end = pd.Timestamp(end)
        end = (end.tz_localize(None) if end.tzinfo is not None else end).normalize()

    # options: validate in "drop" mode, judge the counts afterwards (raise / keep as the caller asked)
    on_bad_rows = kwargs.get("on_bad_rows", "raise")
    duplicates = kwargs.get("duplicates")
    zero_amounts = kwargs.get("zero_amounts", "keep")
    rules = {"on_bad_rows": on_bad_rows,
             "duplicates": duplicates if duplicates is not None else ("raise" if on_bad_rows == "raise" else "drop"),
             "zero_amounts": zero_amounts}
    part_kwargs = {**kwargs, "customer": customer, "time": time, "amount": amount, "observation_end": end,
                   "on_bad_rows": "drop" if on_bad_rows == "raise" else on_bad_rows,
                   "duplicates": "drop" if rules["duplicates"] == "raise" else rules["duplicates"],
                   "zero_amounts": "drop" if zero_amounts == "raise" else zero_amounts}

    sample_kwargs = {**part_kwargs, "observation_end": pd.Timestamp("2000-01-02"), "on_bad_rows": "drop"}
    sample = as_transactions(_synthetic_raw(data._meta, time), **sample_kwargs)

    shuffle_kwargs = {"shuffle_method": shuffle_method} if shuffle_method else {}
    shuffled = data.shuffle(on=customer, npartitions=npartitions or data.npartitions, **shuffle_kwargs)
    validate = dask.delayed(_validate_part, pure=True)
    parts = [validate(p, part_kwargs, dask_key_name=f"toolkit-validate-{shuffled._name}-{k}")
             for k, p in enumerate(shuffled.to_delayed())]
    return PartitionedTransactions(parts, end, kwargs.get("time_unit", "D"), columns, rules, sample, client)


def read_transactions(path, customer, time, amount, *, read_kwargs=None, npartitions=None, client=None,
                      shuffle_method=None, **kwargs):
    """Read CSV or Parquet transaction logs (one file, a folder or a glob) with Dask and validate them.

    Parameters
    ----------
    path : str, path-like or list
        ``.csv``/``.txt``/``.tsv`` or ``.parquet``/``.pq`` files, a folder of Parquet files, or a glob
        (``"logs/2024-*.csv"``). Remote URLs (``s3://``, ``gs://``, ``abfs://``) work when the matching fsspec
        package is installed, so workers of a cluster read the data themselves.
    customer, time, amount : str
        Column names.
    read_kwargs : dict, optional
        Extra arguments for ``dask.dataframe.read_csv`` / ``read_parquet`` (``blocksize``, ``sep``,
        ``storage_options``, ...). Customer ids are read as text from CSV so that "00042" survives.
    npartitions, client, shuffle_method, **kwargs
        As in :func:`from_dask`.

    Returns
    -------
    PartitionedTransactions
    """
    read_kwargs = dict(read_kwargs or {})
    first = str(path[0] if isinstance(path, (list, tuple)) else path)
    suffix = Path(first.rstrip("/*")).suffix.lower()
    is_dir = "://" not in first and Path(first).is_dir()
    if suffix in {".csv", ".txt", ".tsv"}:
        dtype = dict(read_kwargs.pop("dtype", {}) or {})
        dtype.setdefault(customer, str)
        if suffix == ".tsv":
            read_kwargs.setdefault("sep", "\t")
        data = dd.read_csv(path, dtype=dtype, **read_kwargs)
    elif suffix in {".parquet", ".pq"} or is_dir:
        data = dd.read_parquet(path, **read_kwargs)
    else:
        raise SchemaError(f"Unsupported file type {suffix!r} for {first}: toolkit.scale reads CSV and Parquet "
                          "(read Excel with toolkit.read_transactions).")
    return from_dask(data, customer, time, amount, npartitions=npartitions, client=client,
                     shuffle_method=shuffle_method, **kwargs)
