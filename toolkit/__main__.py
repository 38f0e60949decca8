"""Command line: ``python -m toolkit report data.csv --customer ... --time ... --amount ... -o report.html``.

Run ``python -m toolkit --help`` or ``python -m toolkit report --help`` for the options. Data problems (a missing
column, bad rows, unreadable targets) end with exit code 1 and the toolkit's message, without a traceback;
usage errors with exit code 2.
"""

from __future__ import annotations

import argparse
import sys
import time

_EPILOG = """\
example:
  python -m toolkit report orders.csv --customer "Member ID" --time "Order Time" --amount "Paid" \\
      --order "Order No" --time-unit W --on-bad-rows drop --targets targets.json -o report.html --pdf report.pdf

targets.json (the course's targets; the industry mean CLV is the consultant's number):
  {"clv": {"kind": "ratio", "value": 1.2, "baseline": 850},
   "repurchase_rate": {"kind": "relative", "value": 0.10},
   "nps": {"kind": "points", "value": 5}}
"""


def _out(text):
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _err(text):
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def _columns(spec, option):
    """'key=col,key=col' -> dict."""
    out = {}
    for part in filter(None, (p.strip() for p in (spec or "").split(","))):
        if "=" not in part:
            raise SystemExit(f"{option}: expected key=column pairs separated by commas, got {part!r}")
        key, col = part.split("=", 1)
        out[key.strip()] = col.strip()
    return out


def _read_table(path, read_kwargs):
    import pandas as pd

    from .errors import SchemaError

    suffix = path.suffix.lower()
    if not path.exists():
        raise FileNotFoundError(f"No such file: {path}")
    if suffix in {".csv", ".txt", ".tsv"}:
        kw = dict(read_kwargs)
        if suffix == ".tsv":
            kw.setdefault("sep", "\t")
        return pd.read_csv(path, **kw)
    if suffix in {".xlsx", ".xls", ".xlsm"}:
        return pd.read_excel(path)
    if suffix in {".parquet", ".pq"}:
        return pd.read_parquet(path)
    raise SchemaError(f"Unsupported file type {suffix!r} for {path.name}: use CSV, Parquet or Excel.")


def _events(args, read_kwargs):
    from pathlib import Path

    if not args.events:
        return None
    raw = _read_table(Path(args.events), read_kwargs)
    mapping = _columns(args.event_columns, "--event-columns")
    rename = {mapping.get(k, k): canon for k, canon in (("customer", "customer_id"), ("time", "timestamp"),
                                                        ("event", "event"), ("channel", "channel"))}
    return raw.rename(columns={k: v for k, v in rename.items() if k in raw.columns and k != v})


def _nps(args, read_kwargs):
    from pathlib import Path

    if not args.nps:
        return None
    raw = _read_table(Path(args.nps), read_kwargs)
    mapping = _columns(args.nps_columns, "--nps-columns")
    rename = {mapping.get(k, k): canon for k, canon in (("customer", "customer_id"), ("date", "date"),
                                                        ("score", "score"))}
    return raw.rename(columns={k: v for k, v in rename.items() if k in raw.columns and k != v})


def _warmup(args) -> int:
    from ._warmup import cache_status, warmup

    if not args.quiet:
        _out("Preparing the toolkit's fast kernels (numba compiles them once after install; later runs load them "
             "from the cache) ...")
    seconds = warmup(progress=not args.quiet, force=args.force)
    status = cache_status()
    if not args.quiet:
        cached = int((status["cached_versions"] > 0).sum())
        _out(f"kernels ready in {seconds:.1f} s ({cached} of {len(status)} kernels in the cache; "
             f"{int(status['cached_versions'].sum())} compiled versions)")
    return 0


def _report(args) -> int:
    from pathlib import Path

    from ._warmup import warmup
    from .data import read_transactions
    from .report import ReportSettings, build_report, read_targets

    started = time.perf_counter()
    warmup(progress=not args.quiet)  # first run after an install: compile once, behind a progress bar
    read_kwargs = {}
    if args.sep:
        read_kwargs["sep"] = args.sep
    if args.encoding:
        read_kwargs["encoding"] = args.encoding
    optional = {k: getattr(args, k) for k in ("order", "category", "quantity", "channel", "discount")
                if getattr(args, k)}
    frame_kwargs = dict(optional, time_unit=args.time_unit, on_bad_rows=args.on_bad_rows,
                        observation_end=args.observation_end, date_format=args.date_format,
                        parse_amounts=args.parse_amounts)
    if args.duplicates:
        frame_kwargs["duplicates"] = args.duplicates
    if not args.quiet:
        _out(f"reading and validating {args.data} ...")
    tx = read_transactions(args.data, args.customer, args.time, args.amount, read_kwargs=read_kwargs or None,
                           **({"sheet_name": args.sheet} if args.sheet is not None else {}), **frame_kwargs)
    if not args.quiet:
        _out(f"  {tx.report!r}".replace("\n", "\n  "))
    targets = read_targets(args.targets, industry_clv=args.industry_clv) if args.targets else None
    settings = ReportSettings(margin=args.margin, discount_rate=args.discount_rate, horizon_months=args.horizon_months,
                              churn_window_days=args.churn_window, kpi_window_days=args.kpi_window,
                              currency=args.currency)

    def progress(step, n_steps, name, state, seconds):
        if args.quiet:
            return
        if state == "start":
            sys.stdout.write(f"[{step}/{n_steps}] {name} ...")
            sys.stdout.flush()
        else:
            _out(f" done ({seconds:.1f} s)")

    report = build_report(tx, events=_events(args, read_kwargs), nps=_nps(args, read_kwargs), targets=targets,
                          settings=settings, industry_clv=args.industry_clv, title=args.title, progress=progress)
    path = report.to_html(Path(args.output))
    if not args.quiet:
        _out(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")
    if args.pdf:
        pdf = report.to_pdf(Path(args.pdf))
        if not args.quiet:
            _out(f"wrote {pdf}")
    if not args.quiet:
        for sec in report.sections:
            if sec.status != "ok":
                _out(f"note: section '{sec.title}' {sec.status}: {'; '.join(sec.notes[:1])}")
        _out(f"done in {time.perf_counter() - started:.1f} s")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m toolkit``."""
    parser = argparse.ArgumentParser(
        prog="python -m toolkit",
        description="Customer Value Toolkit: customer value analytics for Jupyter, and a command line for "
                    "headless client reports.")
    sub = parser.add_subparsers(dest="command", metavar="command")
    rp = sub.add_parser(
        "report", help="validate a transaction export and write the client report (HTML, optionally PDF)",
        description="Validate a client's transaction export (CSV, TSV, Excel or Parquet), run the report sections "
                    "(data validation, RFM and value tiers, cohorts, lifecycle, journey, CLV, KPI board) and write "
                    "one self-contained HTML file.",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    rp.add_argument("data", help="transaction export: .csv, .tsv, .txt, .xlsx, .xls, .parquet")
    cols = rp.add_argument_group("columns of the export")
    cols.add_argument("--customer", required=True, help="customer id column")
    cols.add_argument("--time", required=True, help="date/time column")
    cols.add_argument("--amount", required=True, help="money column (net amount per row)")
    for name, text in (("order", "order id"), ("category", "product category"), ("quantity", "item count"),
                       ("channel", "sales channel"), ("discount", "discount amount")):
        cols.add_argument(f"--{name}", help=f"{text} column (optional)")
    rd = rp.add_argument_group("reading and cleaning")
    rd.add_argument("--sep", help="CSV separator (default ',')")
    rd.add_argument("--encoding", help="file encoding, e.g. gbk")
    rd.add_argument("--sheet", help="Excel sheet name")
    rd.add_argument("--date-format", help="strftime format of text dates, e.g. %%d/%%m/%%Y")
    rd.add_argument("--parse-amounts", action="store_true", help="parse money strings such as '¥1,234.50'")
    rd.add_argument("--on-bad-rows", choices=("raise", "drop", "net"), default="raise",
                    help="bad rows: stop with a message (default), drop them, or net refunds against purchases")
    rd.add_argument("--duplicates", choices=("raise", "drop", "keep"),
                    help="identical rows (default: follow --on-bad-rows)")
    rd.add_argument("--observation-end", help="last day observed (default: the last date in the data)")
    rd.add_argument("--time-unit", choices=("D", "W", "M"), default="D",
                    help="unit of durations in the tables (W is usual for CLV models; default D)")
    ex = rp.add_argument_group("other inputs")
    ex.add_argument("--events", help="event log file (customer_id, timestamp, event[, channel])")
    ex.add_argument("--event-columns", help="rename event columns: customer=COL,time=COL,event=COL,channel=COL")
    ex.add_argument("--nps", help="NPS survey file (customer_id, date, score 0-10)")
    ex.add_argument("--nps-columns", help="rename NPS columns: customer=COL,date=COL,score=COL")
    ex.add_argument("--targets", help="targets JSON file (default: the course's targets)")
    ex.add_argument("--industry-clv", type=float, help="industry mean CLV: baseline of the 'CLV >= 1.2 x industry' target")
    bz = rp.add_argument_group("business assumptions")
    bz.add_argument("--margin", type=float, default=0.6, help="gross margin rate (default 0.6)")
    bz.add_argument("--discount-rate", type=float, default=0.10, help="annual discount rate (default 0.10)")
    bz.add_argument("--horizon-months", type=int, default=36, help="model CLV horizon in months (default 36)")
    bz.add_argument("--churn-window", type=int, default=90, help="churn = no purchase for this many days (default 90)")
    bz.add_argument("--kpi-window", type=int, default=365, help="KPI window in days (default 365)")
    bz.add_argument("--currency", default="", help="currency label, e.g. CNY")
    out = rp.add_argument_group("output")
    out.add_argument("-o", "--output", required=True, help="HTML file to write")
    out.add_argument("--pdf", help="also write a PDF (figures and tables; see the docs for its limits)")
    out.add_argument("--title", help="report title")
    out.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    rp.set_defaults(func=_report)

    wp = sub.add_parser("warmup", help="compile the kernels once (after install), so that later runs start fast",
                        description="Compile every numba kernel on a slice of the bundled data and store it in "
                                    "numba's disk cache. Does nothing (in milliseconds) when the cache is warm.")
    wp.add_argument("--force", action="store_true", help="run every step even when the cache is warm")
    wp.add_argument("-q", "--quiet", action="store_true", help="print nothing")
    wp.set_defaults(func=_warmup)
    return parser


def main(argv=None) -> int:
    """Entry point; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    from .errors import DataQualityError, ToolkitError

    try:
        return args.func(args)
    except (ToolkitError, FileNotFoundError, ValueError, UnicodeDecodeError) as exc:
        _err(f"error: {exc}")
        if isinstance(exc, DataQualityError):
            _err("On the command line: --on-bad-rows drop (or net, to net refunds), --duplicates keep|drop, "
                 "--date-format FORMAT.")
        return 1
    except KeyboardInterrupt:  # pragma: no cover - interactive
        _err("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
