"""How report values are written: numbers, money, labels and HTML tables."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

_MAX_TABLE_ROWS = 60


def _fmt_float(v):
    if not np.isfinite(v):
        return "–"
    if v != 0 and abs(v) < 0.001:
        return f"{v:.2e}"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 100:
        return f"{v:,.1f}"
    return f"{v:.3f}".rstrip("0").rstrip(".") if v != int(v) else f"{v:.0f}"


def _label(v):
    return " / ".join(str(x) for x in v) if isinstance(v, tuple) else str(v)


def _cell_html(v):
    if isinstance(v, (bool, np.bool_)) or v is None:
        return "<td>" + ("–" if v is None else html.escape(str(v))) + "</td>"
    if isinstance(v, (int, np.integer)):
        return f'<td class="n">{v:,}</td>'
    if isinstance(v, (float, np.floating)):
        return f'<td class="n">{_fmt_float(float(v))}</td>'
    if isinstance(v, pd.Timestamp):
        return f"<td>{v:%Y-%m-%d %H:%M}</td>" if (v.hour or v.minute) else f"<td>{v:%Y-%m-%d}</td>"
    if v is pd.NaT or (not isinstance(v, str) and pd.api.types.is_scalar(v) and pd.isna(v)):
        return "<td>–</td>"
    text = str(v)
    # long text (a reason, an action) gets room to read instead of a one-word-wide column
    return f'<td class="long">{html.escape(text)}</td>' if len(text) > 40 else f"<td>{html.escape(text)}</td>"


def _table_html(table):
    """A DataFrame as a plain HTML table: numbers right-aligned and formatted, text escaped, long tables cut."""
    frame = table
    extra = ""
    if len(frame) > _MAX_TABLE_ROWS:
        extra = f'<p class="more">First {_MAX_TABLE_ROWS} of {len(frame):,} rows.</p>'
        frame = frame.head(_MAX_TABLE_ROWS)
    index_name = _label(tuple(n for n in frame.index.names if n is not None)) if any(frame.index.names) else ""
    head = f"<tr><th>{html.escape(index_name)}</th>" + "".join(
        f"<th>{html.escape(_label(c))}</th>" for c in frame.columns) + "</tr>"
    rows = []
    for idx, values in zip(frame.index, frame.itertuples(index=False, name=None)):
        rows.append(f"<tr><th>{html.escape(_label(idx))}</th>" + "".join(_cell_html(v) for v in values) + "</tr>")
    return (f'<div class="table-wrap"><table class="table"><thead>{head}</thead><tbody>{"".join(rows)}</tbody>'
            f'</table></div>{extra}')


def _money_fmt(ctx, decimals=0):
    cur = f" {ctx.settings.currency}" if ctx.settings.currency else ""
    return "{:,.%df}%s" % (decimals, cur.replace("{", "{{").replace("}", "}}"))


