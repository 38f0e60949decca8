"""How report values are written: money, numbers and HTML tables, through :mod:`toolkit.formatting`.

Tables are formatted column by column (:func:`toolkit.formatting.format_table`: one kind and one number of
decimals per column, human headers). A table longer than :data:`MAX_TABLE_ROWS` shows its first rows — the
section orders its rows so that these are the ones that matter — and links to the whole table as a CSV file
embedded in the page (a ``data:`` URI), so the HTML stays one self-contained file.
"""

from __future__ import annotations

import base64
import html
import re

import pandas as pd

from ..formatting import _currency_parts, format_table, format_value, label
from ..i18n import register, tr

#: Rows shown of a long table; the rest is in its CSV download.
MAX_TABLE_ROWS = 20

register({
    "report.table.more": {"en": "Top {shown} of {total} — download all (CSV)",
                          "zh": "前 {shown} 行，共 {total} 行 — 下载全部（CSV）"},
    "report.table.rows": {"en": "{total} rows", "zh": "共 {total} 行"},
})


def _fmt_float(v):
    """One number on its own (a headline or a sentence): about three significant digits, ``–`` when missing."""
    return format_value(v, "number")


def _label(v):
    """A column or index name as a human header."""
    return label(v)


def _slug(name):
    text = re.sub(r"[^0-9A-Za-z\u4e00-\u9fff]+", "-", str(name)).strip("-").lower()
    return (text or "table")[:60]


def _csv_data_uri(table) -> str:
    """The whole table as CSV (raw values, human headers) in a base64 ``data:`` URI."""
    out = table.copy()
    time_unit = table.attrs.get("time_unit")
    out.columns = [label(c, time_unit) for c in out.columns]
    names = [label(n, time_unit) if n is not None else "" for n in out.index.names]
    out.index = out.index.set_names(names)
    plain = isinstance(table.index, pd.RangeIndex) and table.index.name is None
    text = out.to_csv(index=not plain)
    data = base64.b64encode(("\ufeff" + text).encode("utf-8")).decode("ascii")  # BOM: Excel reads UTF-8
    return f"data:text/csv;charset=utf-8;base64,{data}"


def _cell_html(text, numeric):
    """One formatted cell: numbers right-aligned, long text (a reason, an action) given room to read."""
    if numeric:
        return f'<td class="n">{html.escape(text)}</td>'
    return f'<td class="long">{html.escape(text)}</td>' if len(text) > 40 else f"<td>{html.escape(text)}</td>"


def _table_html(table, name=None, *, currency="", max_rows=MAX_TABLE_ROWS):
    """A DataFrame as an HTML table: human headers, each column in one format, long tables cut with a CSV link.

    Parameters
    ----------
    table : pandas.DataFrame
        Rows in the order that matters (the first ``max_rows`` are shown). ``table.attrs`` may carry
        ``"kinds"``, ``"row_kinds"``, ``"orient"`` and ``"time_unit"`` (see :func:`toolkit.formatting.format_table`),
        and ``"show"``: the columns shown in the page (the CSV download has them all).
    name : str, optional
        Table name, used for the download's file name (``early-warning.csv``).
    currency : str
        Money label (money headers read ``Revenue (CNY)``).
    max_rows : int
        Longer tables show their first ``max_rows`` rows and a "download all (CSV)" link.
    """
    frame = table
    extra = ""
    if max_rows is not None and len(frame) > max_rows:
        uri = _csv_data_uri(table)
        text = tr("report.table.more", "Top {shown} of {total} — download all (CSV)").format(
            shown=f"{max_rows:,}", total=f"{len(table):,}")
        extra = (f'<p class="more"><a class="download" download="{_slug(name or "table")}.csv" '
                 f'href="{uri}">{html.escape(text)}</a></p>')
        frame = table.head(max_rows)
        frame.attrs = dict(table.attrs)
    show = table.attrs.get("show")
    if show:
        attrs = dict(frame.attrs)
        frame = frame[[c for c in show if c in frame.columns]]
        frame.attrs = attrs
    ft = format_table(frame, currency=currency)
    first = f"<th>{html.escape(ft.index_header)}</th>" if ft.show_index else ""
    head = f"<tr>{first}" + "".join(
        f'<th class="n">{html.escape(h)}</th>' if num else f"<th>{html.escape(h)}</th>"
        for h, num in zip(ft.headers, ft.numeric)) + "</tr>"
    rows = []
    for idx, cells in zip(ft.index, ft.cells):
        rows.append("<tr>" + (f"<th>{html.escape(idx)}</th>" if ft.show_index else "")
                    + "".join(_cell_html(c, num) for c, num in zip(cells, ft.numeric)) + "</tr>")
    return (f'<div class="table-wrap"><table class="table"><thead>{head}</thead><tbody>{"".join(rows)}</tbody>'
            f'</table></div>{extra}')


def _money_fmt(ctx, decimals=0):
    """A ``str.format`` pattern for one money amount with the report's currency (``"{:,.0f} CNY"``)."""
    pre, post = _currency_parts(ctx.settings.currency)
    pre, post = (p.replace("{", "{{").replace("}", "}}") for p in (pre, post))
    return pre + "{:,.%df}" % decimals + post  # noqa: UP031
