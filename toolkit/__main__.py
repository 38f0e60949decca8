"""Command line: ``python -m toolkit report data.csv --customer ... --time ... --amount ... -o report.html``.

Run ``python -m toolkit --help`` or ``python -m toolkit report --help`` for the options. Data problems (a missing
column, bad rows, unreadable targets) end with exit code 1 and the toolkit's message, without a traceback;
usage errors with exit code 2.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

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


def _days(text):
    """A number of days > 0 (argparse type of the lifecycle options)."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a number of days > 0, got {text!r}")
    return value


def _yes_no(text):
    """True / False from 'true', 'yes', '1' / 'false', 'no', '0' (argparse type of --dayfirst)."""
    value = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}.get(text.strip().lower())
    if value is None:
        raise argparse.ArgumentTypeError(f"expected true or false, got {text!r}")
    return value


def _check_output(path, flag):
    """Refuse an output path that cannot be written, before anything is computed."""
    from ._validate import check_output_path

    check_output_path(path, flag)


def _columns(spec, option):
    """'key=col,key=col' -> dict."""
    out = {}
    for part in filter(None, (p.strip() for p in (spec or "").split(","))):
        if "=" not in part:
            raise SystemExit(f"{option}: expected key=column pairs separated by commas, got {part!r}")
        key, col = part.split("=", 1)
        out[key.strip()] = col.strip()
    return out


# API argument -> command-line flag, for messages written for Python users
_FLAGS = {
    "on_bad_rows": "--on-bad-rows", "duplicates": "--duplicates", "date_format": "--date-format",
    "parse_amounts": "--parse-amounts", "decimal": "--decimal", "discount": "--discount",
    "zero_amounts": "--zero-amounts", "observation_end": "--observation-end",
    "exclude_items": "--exclude-items", "line_key": "--line-key", "skiprows": "--skiprows", "item": "--item",
    "description": "--description", "quantity": "--quantity", "price": "--price", "amount": "--amount",
    "order": "--order", "customer": "--customer", "time": "--time", "time_unit": "--time-unit",
    "dayfirst": "--dayfirst", "date_outliers": "--date-outliers", "sheet_name": "--sheet",
    "loyal_duration": "--loyal-duration", "time_to_stability": "--time-to-stability", "lost_gap": "--lost-gap",
}


def _as_flags(text):
    """Rewrite ``name='value'`` / ``name=True`` / ``read_kwargs={'sep': ';'}`` in a message as command-line flags."""
    import re

    def reader(match):
        key, value = match.group(1), match.group(2)
        plain = value.strip("'")
        return f"--{key} {plain}" if plain.isalnum() or "-" in plain else f"--{key} {value}"

    text = re.sub(r"read_kwargs=\{'(sep|encoding)': ('[^']*'|\.\.\.)\}", reader, text)

    def flag(match):
        name, value = match.group(1), match.group(2)
        if name not in _FLAGS:
            return match.group(0)
        if value in ("True", ""):
            return _FLAGS[name]
        if value == "...":
            return f"{_FLAGS[name]} ..."
        option = _FLAGS[name]
        if value[:2] in ("r'", 'r"'):  # a regular expression
            value = value[2:-1]
            option = "--exclude-pattern" if name == "exclude_items" else option
        value = value.strip("'\"")
        if value.startswith("[") and value.endswith("]"):  # a list of codes -> comma separated
            value = ",".join(v.strip().strip("'\"") for v in value[1:-1].split(","))
        return f"{option} {value!r}" if (" " in value or "|" in value) else f"{option} {value}"

    return re.sub(r"\b([a-z_]+)=(\[[^\]]*\]|r?'[^']*'|\"[^\"]*\"|True|\.\.\.|[\w%./-]+|(?=[\s,.)]))", flag, text)


def _read_table(path, read_kwargs, columns):
    from .data import read_table

    frame, _ = read_table(path, columns, read_kwargs=read_kwargs)
    return frame


def _events(args, read_kwargs):
    if not args.events:
        return None
    mapping = _columns(args.event_columns, "--event-columns")
    raw = _read_table(Path(args.events), read_kwargs, [mapping.get("customer", "customer_id")])
    rename = {mapping.get(k, k): canon for k, canon in (("customer", "customer_id"), ("time", "timestamp"),
                                                        ("event", "event"), ("channel", "channel"))}
    return raw.rename(columns={k: v for k, v in rename.items() if k in raw.columns and k != v})


def _nps(args, read_kwargs):

    if not args.nps:
        return None
    mapping = _columns(args.nps_columns, "--nps-columns")
    raw = _read_table(Path(args.nps), read_kwargs, [mapping.get("customer", "customer_id")])
    rename = {mapping.get(k, k): canon for k, canon in (("customer", "customer_id"), ("date", "date"),
                                                        ("score", "score"))}
    return raw.rename(columns={k: v for k, v in rename.items() if k in raw.columns and k != v})


def dashboard_command(port=8866, lang=None, extra=(), preheat=True) -> list:
    """The command that serves the dashboard app with Voila on 127.0.0.1 (``python -m toolkit dashboard``).

    With ``preheat`` Voila keeps one kernel that has already run the app (data loaded, tabs computed), so the page
    a consultant opens is complete at once; the next visitor gets a fresh pre-heated kernel.
    """
    here = Path(__file__).resolve().parent / "widgets" / "_voila"
    heat = ["--preheat_kernel=True", "--pool_size=1"] if preheat else []
    return [sys.executable, "-m", "voila", str(here / "dashboard.ipynb"), "--template=cvt", "--no-browser",
            "--Voila.ip=127.0.0.1", f"--Voila.port={port}", "--Voila.port_retries=0", *heat, *extra]


def dashboard_env(lang=None, env=None) -> dict:
    """Environment for the Voila server: our template folder first on JUPYTER_PATH, the app's language."""
    env = dict(os.environ if env is None else env)
    here = str(Path(__file__).resolve().parent / "widgets" / "_voila")
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (here, env.get("JUPYTER_PATH", "")) if p)
    if lang:
        env["TOOLKIT_DASHBOARD_LANG"] = lang
    return env


def _dashboard(args) -> int:
    import subprocess

    cmd = dashboard_command(args.port, args.lang, args.voila_args, preheat=not args.no_preheat)
    _out(f"Customer value dashboard on http://127.0.0.1:{args.port}/ (Ctrl+C stops it)")
    try:
        return subprocess.call(cmd, env=dashboard_env(args.lang))
    except KeyboardInterrupt:
        return 0


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

    from ._warmup import warmup
    from .data import read_transactions
    from .report import ReportSettings, build_report, read_targets

    started = time.perf_counter()
    _check_output(args.output, "-o")  # before minutes of work, not after
    if args.pdf:
        _check_output(args.pdf, "--pdf")
    warmup(progress=not args.quiet)  # first run after an install: compile once, behind a progress bar
    read_kwargs = {}
    if args.sep:
        read_kwargs["sep"] = args.sep
    if args.encoding:
        read_kwargs["encoding"] = args.encoding
    optional = {k: getattr(args, k) for k in ("order", "category", "quantity", "channel", "discount", "price",
                                              "item", "description") if getattr(args, k)}
    frame_kwargs = dict(optional, time_unit=args.time_unit, on_bad_rows=args.on_bad_rows,
                        observation_end=args.observation_end, date_format=args.date_format,
                        parse_amounts=args.parse_amounts, zero_amounts=args.zero_amounts, decimal=args.decimal)
    if args.duplicates:
        frame_kwargs["duplicates"] = args.duplicates
    frame_kwargs.update(dayfirst=args.dayfirst, date_outliers=args.date_outliers)
    if args.exclude_items and args.exclude_pattern:
        raise SystemExit("--exclude-items and --exclude-pattern: pass one of them")
    if args.exclude_items:
        frame_kwargs["exclude_items"] = [c.strip() for c in args.exclude_items.split(",") if c.strip()]
    elif args.exclude_pattern:
        frame_kwargs["exclude_items"] = args.exclude_pattern
    if args.line_key:
        frame_kwargs["line_key"] = [c.strip() for c in args.line_key.split(",") if c.strip()]
    if args.skiprows is not None:
        frame_kwargs["skiprows"] = args.skiprows
    if not args.quiet:
        _out(f"reading and validating {args.data} ...")
    tx = read_transactions(args.data, args.customer, args.time, args.amount, read_kwargs=read_kwargs or None,
                           **({"sheet_name": args.sheet} if args.sheet is not None else {}), **frame_kwargs)
    tx.report.notes = [_as_flags(note) for note in tx.report.notes]  # the report is read by a CLI user too
    if not args.quiet:
        _out(_as_flags(f"  {tx.report!r}".replace("\n", "\n  ")))
    targets = read_targets(args.targets, industry_clv=args.industry_clv) if args.targets else None
    settings = ReportSettings(margin=args.margin, discount_rate=args.discount_rate, horizon_months=args.horizon_months,
                              churn_window_days=args.churn_window, kpi_window_days=args.kpi_window,
                              currency=args.currency, loyal_duration_days=args.loyal_duration,
                              time_to_stability_days=args.time_to_stability, lost_gap_days=args.lost_gap)

    def progress(step, n_steps, name, state, seconds, section=None):
        if args.quiet:
            return
        if state == "start":
            sys.stdout.write(f"[{step}/{n_steps}] {name} ...")
            sys.stdout.flush()
        else:  # the section's outcome, as the HTML says it: done / done with a caveat / skipped / ...
            _out(f" {section.outcome_text(reason=False) if section is not None else state} ({seconds:.1f} s)")

    report = build_report(tx, events=_events(args, read_kwargs), nps=_nps(args, read_kwargs), targets=targets,
                          settings=settings, industry_clv=args.industry_clv, title=args.title, progress=progress, lang=args.lang)
    path = report.to_html(Path(args.output))
    if not args.quiet:
        _out(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")
    if args.pdf:
        pdf = report.to_pdf(Path(args.pdf))
        if not args.quiet:
            _out(f"wrote {pdf}")
    if not args.quiet:
        for sec in report.sections:
            if sec.outcome != "done":
                _out(_as_flags(f"note: section '{sec.title}' {sec.outcome_text(limit=300)}"))
        _out(f"done in {time.perf_counter() - started:.1f} s")
    if args.strict and report.incomplete:
        for sec, outcome, reason in report.incomplete:
            _err(_as_flags(f"strict: section '{sec.title}' {sec.outcome_text(limit=300)}"))
        _err(f"strict: {len(report.incomplete)} section(s) not done; the report was written, exit code 3")
        return 3
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
    cols.add_argument("--amount", help="money column (net amount per row); or --quantity and --price")
    for name, text in (("order", "order id (invoice number): rows are order lines"),
                       ("category", "product category"), ("quantity", "item count"),
                       ("price", "unit price: amount = quantity x price (needs --quantity)"),
                       ("item", "item code (e.g. StockCode)"), ("description", "item description"),
                       ("channel", "sales channel"), ("discount", "discount amount")):
        cols.add_argument(f"--{name}", help=f"{text} column (optional)")
    rd = rp.add_argument_group("reading and cleaning")
    rd.add_argument("--sep", help="CSV separator (default ',')")
    rd.add_argument("--encoding", help="file encoding, e.g. gbk")
    rd.add_argument("--sheet", help="Excel sheet: its name, or its number counting from 0 (default: the first)")
    rd.add_argument("--date-format", help="strftime format of text dates, e.g. %%d/%%m/%%Y")
    rd.add_argument("--dayfirst", nargs="?", const=True, default=None, type=_yes_no, metavar="BOOL",
                    help="text dates put the day first (05/06/2024 = 5 June); '--dayfirst false' for month first "
                         "(default: decided by the values)")
    rd.add_argument("--date-outliers", choices=("check", "keep"), default="check",
                    help="dates after tomorrow or far before/after the bulk of the log: bad rows (check, default) or "
                         "genuine (keep)")
    rd.add_argument("--parse-amounts", action="store_true",
                    help="read formatted money such as '¥1,234.50', '€1.234,50', 'CHF 1\'234.50' or '(3.00)'")
    rd.add_argument("--decimal", choices=(".", ","),
                    help="decimal separator of money written as text (default: read from the values; implies "
                         "--parse-amounts)")
    rd.add_argument("--on-bad-rows", choices=("raise", "drop", "net"), default="raise",
                    help="bad rows: stop with a message (default), drop them, or net refunds against purchases")
    rd.add_argument("--duplicates", choices=("raise", "drop", "keep"),
                    help="rows equal in every column: copies made by the export (default: follow --on-bad-rows)")
    rd.add_argument("--line-key", metavar="COLS",
                    help="columns that identify a line, comma separated (default: every column)")
    rd.add_argument("--zero-amounts", choices=("keep", "drop", "raise"), default="keep",
                    help="zero-value rows: count them as purchases (default), drop them, or stop")
    rd.add_argument("--exclude-items", metavar="CODES",
                    help="drop non-product lines by item code (needs --item), comma separated, e.g. POST,DOT,M")
    rd.add_argument("--exclude-pattern", metavar="REGEX",
                    help="drop non-product lines whose item code or description matches this regular expression")
    rd.add_argument("--skiprows", type=int, metavar="N",
                    help="rows above the header row (a title block); found by itself when a row holds the names")
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
    lc = rp.add_argument_group("lifecycle", "durations of the lifecycle section, in days (default: learned from "
                                            "the data, bounded by the observed window; the report says what it "
                                            "assumed)")
    lc.add_argument("--loyal-duration", type=_days, metavar="DAYS",
                    help="expected loyal duration: stable customers who leave sooner are early exits")
    lc.add_argument("--time-to-stability", type=_days, metavar="DAYS",
                    help="typical time from the first purchase to the stability stage")
    lc.add_argument("--lost-gap", type=_days, metavar="DAYS",
                    help="days without a purchase after which any customer is lost (regular buyers may be called "
                         "lost sooner, at about 3 times their own gap)")
    out = rp.add_argument_group("output")
    out.add_argument("-o", "--output", required=True, help="HTML file to write")
    out.add_argument("--pdf", help="also write a PDF (figures and tables; see the docs for its limits)")
    out.add_argument("--title", help="report title")
    out.add_argument("--lang", choices=("en", "zh"), default="en",
                     help="language of the report: en (English, default) or zh (Chinese, with the Chinese font "
                          "embedded in the HTML)")
    out.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    out.add_argument("--strict", action="store_true",
                     help="exit with code 3 (after writing the report) when any section is skipped, lacks data or "
                          "fails, printing why: for pipelines")
    rp.set_defaults(func=_report)

    wp = sub.add_parser("warmup", help="compile the kernels once (after install), so that later runs start fast",
                        description="Compile every numba kernel on a slice of the bundled data and store it in "
                                    "numba's disk cache. Does nothing (in milliseconds) when the cache is warm.")
    wp.add_argument("--force", action="store_true", help="run every step even when the cache is warm")
    wp.add_argument("-q", "--quiet", action="store_true", help="print nothing")
    wp.set_defaults(func=_warmup)

    dp = sub.add_parser("dashboard", help="serve the dashboard app (Voila) on 127.0.0.1",
                        description="One page for the consultant's screen: choose bundled data or load an export, "
                                    "map its columns, then tabs for every analysis and the report. Needs the lab "
                                    "extras (pip install 'customer-value-toolkit[lab]').")
    dp.add_argument("--port", type=int, default=8866, help="port on 127.0.0.1 (default 8866)")
    dp.add_argument("--lang", choices=("en", "zh"), help="language of the app and its report (default: English)")
    dp.add_argument("--no-preheat", action="store_true",
                    help="start each page's kernel on request instead of keeping one ready (less memory, slower page)")
    dp.add_argument("voila_args", nargs=argparse.REMAINDER, help="further Voila options, e.g. --theme=dark")
    dp.set_defaults(func=_dashboard)
    return parser


def main(argv=None) -> int:
    """Entry point; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    if args.command == "report" and not args.amount and not (args.price and args.quantity):
        parser.error("report: the money of a row is needed: --amount COLUMN, or --quantity COLUMN and --price COLUMN")
    from .errors import DataQualityError, ToolkitError

    try:
        return args.func(args)
    except (ToolkitError, FileNotFoundError, ValueError, UnicodeDecodeError) as exc:
        _err(f"error: {_as_flags(str(exc))}")
        if isinstance(exc, DataQualityError):
            _err("Options: --on-bad-rows drop (or net, to net refunds against purchases), --duplicates keep|drop, "
                 "--date-format FORMAT, --exclude-items CODES. Example rows are numbered by line of the file.")
        return 1
    except KeyboardInterrupt:  # pragma: no cover - interactive
        _err("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
