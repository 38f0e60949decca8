"""Figures of the client report (:mod:`toolkit.report`): PNG rendering, the KPI board and the PDF export.

The report keeps its figures as PNG bytes so that one HTML file can embed them (base64) and the report
object stays plain data. Figures are drawn on standalone :class:`matplotlib.figure.Figure` objects (not
registered with pyplot), so building a report in Jupyter neither displays nor leaks figures.

Colours: Okabe-Ito (colour-blind safe); "met" and "missed" are also told apart by the bar direction and by
the text on each bar, never by colour alone.
"""

from __future__ import annotations

import io
import re
import textwrap

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..errors import SchemaError
from ..formatting import format_value
from ..i18n import get_language, localize, register, register_patterns, register_text, tr
from ._fonts import PNG_RC
from .rfm import OKABE_ITO

__all__ = ["figure_png", "plot_kpi_board", "plot_histogram", "plot_group_bars", "write_pdf"]

register({
    "report.kpi.title": {"en": "KPI board: gap to target", "zh": "KPI 看板：与目标的差距"},
    "report.kpi.ylabel": {"en": "KPI and its target", "zh": "KPI 及其目标"},
    "report.kpi.xlabel": {"en": "gap = actual − target (% of |target|)",
                          "zh": "差距 = 实际 − 目标（占 |目标| 的百分比）"},
    "report.kpi.met": {"en": "met", "zh": "达成"},
    "report.kpi.missed": {"en": "missed", "zh": "未达成"},
    "report.kpi.no_target": {"en": "no target", "zh": "无目标"},
    "report.kpi.no_history": {"en": "no verdict, not enough history", "zh": "历史数据不足，无法判定"},
    "report.kpi.actual": {"en": "actual", "zh": "实际"},
    "report.kpi.target": {"en": "target", "zh": "目标"},
    "report.kpi.pts": {"en": "{gap} pts", "zh": "{gap} 个百分点"},
    "report.hist.customers": {"en": "customers", "zh": "客户数"},
    "report.pdf.truncated": {"en": "first {rows} of {total} rows", "zh": "前 {rows} 行（共 {total} 行）"},
    "report.pdf.more": {"en": "; every row is in the HTML report and its CSV files", "zh": "；所有行见网页版报告及其表格文件"},
    "report.pdf.note": {"en": "note: ", "zh": "注："},
    "report.hist.mean": {"en": "mean {v}", "zh": "均值 {v}"},
    "report.hist.median": {"en": "median {v}", "zh": "中位数 {v}"},
})
# axis texts the report's sections pass in English (toolkit.report.sections.clv)
register_text({"value tier": {"zh": "价值层级"}})
register_patterns("zh", [
    (r"(?P<h>\d+)-month CLV per customer(?: \((?P<c>[^)]+)\))?",
     lambda m: f"每位客户的 {m['h']} 个月 CLV" + (f"（{m['c']}）" if m["c"] else "")),
    (r"mean CLV per customer(?: \((?P<c>[^)]+)\))?", lambda m: "每位客户的平均 CLV" + (f"（{m['c']}）" if m["c"] else "")),
])


def _said(text):
    """A text the report wrote in English, in the current language when a translation is known."""
    return localize(text) if isinstance(text, str) and get_language() != "en" else text


def figure_png(draw, *, figsize=(7.0, 4.2), dpi=110) -> bytes:
    """Draw on a fresh standalone figure and return it as PNG bytes.

    Parameters
    ----------
    draw : callable
        ``draw(ax)`` draws on the Axes (usually a ``toolkit.plotting`` function with ``ax=ax``).
    figsize : (float, float), default (7.0, 4.2)
        Inches.
    dpi : int, default 110

    Returns
    -------
    bytes
        The PNG file.
    """
    import matplotlib

    # unhinted glyphs lay out and render faster (and keep small digits legible at screen resolution); zlib
    # level 1 encodes several times faster for ~8% larger files: together ~25% off a report's figure time
    with matplotlib.rc_context(PNG_RC):
        fig = draw_figure(draw, figsize=figsize, dpi=dpi)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi, pil_kwargs={"compress_level": 1})
    return buf.getvalue()


def draw_figure(draw, *, figsize=(7.0, 4.2), dpi=110) -> Figure:
    """The laid-out standalone :class:`~matplotlib.figure.Figure` behind :func:`figure_png` (tests inspect it)."""
    fig = Figure(figsize=figsize, dpi=dpi)
    ax = fig.subplots()
    draw(ax)
    fig.tight_layout()
    return fig


def _fmt(v):
    if v is None or not np.isfinite(v):
        return "–"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:,.1f}"
    return f"{v:.3g}"


#: How each KPI's values read (toolkit.formatting kinds); others fall back to plain numbers.
_KPI_KINDS = {"clv": "money", "model_clv": "money", "revenue": "money", "revenue_per_active": "money",
              "repurchase_rate": "share", "retention_rate": "share", "active_customers": "count", "nps": "score"}


def plot_kpi_board(board, ax=None, *, title=None, currency=""):
    """Horizontal bars of each KPI's gap to its target, relative to the target's size.

    A bar to the right (green, "met") means actual ≥ target for a higher-is-better KPI; to the left
    (vermillion, "missed") a shortfall. Each bar is labelled with actual, target and gap in the KPI's own units,
    so the chart reads without colour. KPIs without a target (or with target 0), and those whose windows the
    data do not fully cover (``status`` "not enough history ..."), are listed with a grey marker and no verdict.

    Parameters
    ----------
    board : pandas.DataFrame
        :func:`toolkit.report.kpi_board` output (``label, actual, target, gap, met``).
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    missing = [c for c in ("label", "actual", "target", "gap", "met") if c not in board.columns]
    if missing:
        raise SchemaError(f"plot_kpi_board needs columns {missing}; pass toolkit.report.kpi_board(...) output.")
    if ax is None:
        ax = Figure(figsize=(8, 0.7 * max(len(board), 2) + 1.2)).subplots()
    n = len(board)
    y = np.arange(n)
    target = board["target"].to_numpy(dtype=float)
    gap = board["gap"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(np.abs(target) > 0, 100.0 * gap / np.abs(target), np.nan)
    met = board["met"].to_numpy(dtype=object)
    colors = [OKABE_ITO[2] if m is True else (OKABE_ITO[5] if m is False else "0.6") for m in met]
    shown = np.nan_to_num(rel, nan=0.0)
    ax.barh(y, shown, color=colors, height=0.55)
    span = float(np.nanmax(np.abs(rel))) if np.isfinite(rel).any() else 10.0
    span = max(span, 10.0) * 1.15
    ax.set_xlim(-span, span)
    ax.axvline(0, color="0.2", lw=1)
    for i, row in enumerate(board.itertuples()):
        short = str(getattr(row, "status", "")).startswith("not enough history")
        status = (tr("report.kpi.met", "met") if row.met is True else
                  tr("report.kpi.missed", "missed") if row.met is False else
                  tr("report.kpi.no_history", "no verdict, not enough history") if short else
                  tr("report.kpi.no_target", "no target"))
        kind = _KPI_KINDS.get(str(row.Index))
        if kind == "share":  # a rate's gap is in percentage points
            gap_text = "–" if not np.isfinite(row.gap) else tr("report.kpi.pts").format(gap=f"{100 * float(row.gap):+.1f}")
        else:
            gap_text = format_value(row.gap, kind, currency=currency) if kind else _fmt(row.gap)
        value = (lambda v: format_value(v, kind, currency=currency)) if kind else _fmt
        text = (f"{status}: {tr('report.kpi.actual', 'actual')} {value(row.actual)}, "
                f"{tr('report.kpi.target', 'target')} {value(row.target)}, {tr('report.kpi.gap', 'gap')} {gap_text}")
        # the label sits on the empty side of the zero line: right of it for a bar to the left and for a
        # row without a verdict (no bar), left of it for a bar to the right; wrapped so it stays in its half
        right = shown[i] <= 0
        ax.text(0.02 * span if right else -0.02 * span, i, textwrap.fill(text, 44), va="center",
                ha="left" if right else "right", fontsize=8, color="0.1")
    ax.set_yticks(y)
    # KPI labels are written in English by the targets; the Chinese figure shows them translated (toolkit.i18n.localize)
    ax.set_yticklabels([textwrap.fill(localize(str(v)), 28 if get_language() == "en" else 16) for v in board["label"]])
    ax.invert_yaxis()
    ax.set_xlabel(tr("report.kpi.xlabel", "gap = actual − target (% of |target|)"))
    ax.set_ylabel(tr("report.kpi.ylabel", "KPI and its target"))
    ax.set_title(title or tr("report.kpi.title", "KPI board: gap to target"))
    ax.grid(axis="x", alpha=0.3)
    return ax


def plot_histogram(values, ax=None, *, title, xlabel, bins=40, log=False, color=None):
    """Histogram of per-customer values (e.g. CLV), with the mean and median marked.

    Parameters
    ----------
    values : array-like or pandas.Series
        Non-finite values are left out.
    ax : matplotlib Axes, optional
    title, xlabel : str
        Title and x-axis label (with units).
    bins : int, default 40
    log : bool, default False
        Logarithmic count axis (skewed values).
    color : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if ax is None:
        ax = Figure(figsize=(7, 4)).subplots()
    ax.hist(v, bins=bins, color=color or OKABE_ITO[4], log=log)
    if log and get_language() != "en":  # plain numbers (0.1, 10, 100) rather than mathtext powers of ten
        from matplotlib.ticker import FuncFormatter

        ax.yaxis.set_major_formatter(FuncFormatter(lambda t, _: f"{t:,g}"))
    if len(v):
        ax.axvline(float(np.mean(v)), color=OKABE_ITO[5], ls="--", lw=1.2,
                   label=tr("report.hist.mean").format(v=_fmt(float(np.mean(v)))))
        ax.axvline(float(np.median(v)), color="0.2", ls=":", lw=1.2,
                   label=tr("report.hist.median").format(v=_fmt(float(np.median(v)))))
        ax.legend(frameon=False, fontsize=8)
    ax.set_xlabel(_said(xlabel))
    ax.set_ylabel(tr("report.hist.customers", "customers"))
    ax.set_title(_said(title))
    return ax


def plot_group_bars(table, ax=None, *, title, ylabel, xlabel=None, stacked=True):
    """Bars of one or more value columns per group (rows of ``table``), stacked by default.

    Parameters
    ----------
    table : pandas.DataFrame
        Index: groups (drawn in order); columns: the values (e.g. mean historical and current CLV per tier).
    ax : matplotlib Axes, optional
    title, ylabel : str
    xlabel : str, optional
        Defaults to the index name.
    stacked : bool, default True

    Returns
    -------
    matplotlib.axes.Axes
    """
    if ax is None:
        ax = Figure(figsize=(7, 4)).subplots()
    from ..formatting import category_label, label

    zh = get_language() != "en"
    x = np.arange(len(table))
    bottom = np.zeros(len(table))
    width = 0.6 if stacked else 0.8 / max(table.shape[1], 1)
    for k, col in enumerate(table.columns):
        vals = np.nan_to_num(table[col].to_numpy(dtype=float))
        pos = x if stacked else x - 0.4 + width * (k + 0.5)
        ax.bar(pos, vals, width, bottom=bottom if stacked else None, color=OKABE_ITO[k % len(OKABE_ITO)],
               label=label(col) if zh else str(col))
        if stacked:
            bottom = bottom + vals
    ax.set_xticks(x)
    ax.set_xticklabels([category_label(i) for i in table.index])  # tiers, channels: their names under zh
    name = table.index.name
    ax.set_xlabel(_said(xlabel) or ((label(name) if zh else name) if name else ""))
    ax.set_ylabel(_said(ylabel))
    ax.set_title(_said(title))
    ax.legend(frameon=False, fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    return ax


# -------------------------------------------------------------------------------------------------- PDF
_PAGE = (11.69, 8.27)  # A4 landscape, inches
_MARGIN = 0.45  # inches, every side
_GAP = 0.18  # inches between blocks
_FIG_SCALE = 0.66  # a 7-inch report figure prints 4.6 inches wide: two side by side on A4 landscape
PDF_TABLE_ROWS = 10  # the top rows of each table (the HTML shows more; every row is in its CSV files)
_TABLE_FONT = 6.5  # points
_LONG_TEXT = 1.8  # inches: a long text column (reason, action) wraps at this width


class _Flow:
    """Blocks laid out on A4 landscape pages, top to bottom, consecutive blocks side by side when they fit."""

    def __init__(self, pdf, title):
        from matplotlib.backends.backend_agg import RendererAgg

        self.pdf, self.title, self.page, self.fig = pdf, title, 0, None
        self.width = _PAGE[0] - 2 * _MARGIN
        self.bottom = _MARGIN + 0.25  # room for the page footer
        self._measure = RendererAgg(100, 100, 72)  # 72 dpi: sizes come out in points

    def text_width(self, text, size, bold=False):
        from matplotlib.font_manager import FontProperties

        props = FontProperties(size=size, weight="bold" if bold else "normal")
        lines = str(text).split("\n") or [""]
        return max(self._measure.get_text_width_height_descent(line or " ", props, ismath=False)[0]
                   for line in lines) / 72.0

    def new_page(self):
        self.close_page()
        self.page += 1
        self.fig = Figure(figsize=_PAGE)
        self.fig.text(_MARGIN / _PAGE[0], 0.35 / _PAGE[1], self.title, fontsize=7, color="0.45")
        self.fig.text(1 - _MARGIN / _PAGE[0], 0.35 / _PAGE[1], str(self.page), fontsize=7, color="0.45", ha="right")
        self.y = _PAGE[1] - _MARGIN

    def close_page(self):
        if self.fig is not None:
            self.pdf.savefig(self.fig)
            self.fig = None

    def room(self):
        return self.y - self.bottom if self.fig is not None else 0.0

    def ensure(self, height):
        if self.fig is None or height > self.room() + 1e-9:
            self.new_page()

    def row(self, blocks):
        """Place blocks [(width, height, draw(fig, x, top))] in rows: left to right while they fit the width."""
        line, used = [], 0.0
        for blk in blocks:
            if line and used + _GAP + blk[0] > self.width:
                self._place(line)
                line, used = [], 0.0
            line.append(blk)
            used += blk[0] + (_GAP if len(line) > 1 else 0.0)
        if line:
            self._place(line)

    def _place(self, line):
        height = max(b[1] for b in line)
        self.ensure(height)
        x = _MARGIN
        for w, _, draw in line:
            draw(self.fig, x, self.y)
            x += w + _GAP
        self.y -= height + _GAP

    def paragraph(self, text, size=9.5, bold=False, color="0.1", indent=0.0):
        if not text:
            return
        chars = max(int((self.width - indent) * 72 / (0.5 * size)), 20)  # ~0.5 em per character
        body = "\n".join(textwrap.fill(part, _chars(part, chars)) for part in str(text).split("\n"))
        height = (body.count("\n") + 1) * size * 1.4 / 72

        def draw(fig, x, top):
            fig.text((x + indent) / _PAGE[0], top / _PAGE[1], body, fontsize=size, va="top", color=color,
                     weight="bold" if bold else "normal", linespacing=1.4)

        self._place([(self.width, height, draw)])


def _image_block(png, max_height):
    import matplotlib.image as mpimg

    img = mpimg.imread(io.BytesIO(png), format="png")
    h_px, w_px = img.shape[:2]
    width, height = _FIG_SCALE * w_px / 110.0, _FIG_SCALE * h_px / 110.0  # report figures are 110 dpi
    limit = _PAGE[0] - 2 * _MARGIN
    scale = min(1.0, limit / width, max_height / height)
    width, height = width * scale, height * scale

    def draw(fig, x, top):
        ax = fig.add_axes((x / _PAGE[0], (top - height) / _PAGE[1], width / _PAGE[0], height / _PAGE[1]))
        ax.imshow(img, interpolation="antialiased")
        ax.set_axis_off()

    return width, height, draw


def _table_strings(table, max_rows, currency=""):
    """Headers and cells as the HTML report writes them (toolkit.formatting: human headers, one format per
    column), for the first ``max_rows`` rows."""
    from ..formatting import format_column, label

    frame = table.reset_index() if not isinstance(table.index, pd.RangeIndex) else table
    shown = frame.iloc[:max_rows]
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
               for c in frame.columns]
    zh = get_language() != "en"
    # the row labels' own column has no name of its own (pandas calls it "index"): no header in Chinese
    header = ["" if zh and re.fullmatch(r"index|level_\d+", str(c)) else label(c) for c in frame.columns]
    columns = []
    for c in frame.columns:
        try:
            columns.append(format_column(shown[c].tolist(), name=c if isinstance(c, str) else None,
                                         currency=currency))
        except (TypeError, ValueError):  # a column the formatter cannot read: plain cells
            columns.append([_cell(v) for v in shown[c]])
    cells = [list(row) for row in zip(*columns)] if columns else []
    return header, cells, numeric, len(frame)


def _chars(text, chars):
    """Characters per line for ``text`` wrapped at ``chars`` Latin characters (a CJK character is twice as wide)."""
    return max(chars // 2, 8) if re.search(r"[\u3400-\u9fff]", str(text)) else chars


def _zh_table(table):
    """A report table for a Chinese page: category codes and the toolkit's English sentences as a Chinese reader
    sees them in a notebook (:func:`toolkit.formatting._zh_value`, the label for the value's column first), the row
    labels as a first column. The numbers are unchanged."""
    from ..formatting import _zh_value

    frame = table.reset_index() if not isinstance(table.index, pd.RangeIndex) else table.copy()
    for col in frame.columns:
        values = frame[col]
        if values.dtype == object or pd.api.types.is_string_dtype(values.dtype) or isinstance(
                values.dtype, pd.CategoricalDtype):
            frame[col] = [(_zh_value(v, col) or v) if isinstance(v, str) else v for v in values.astype(object)]
    return frame


def _table_blocks(flow, title, table, max_rows=PDF_TABLE_ROWS):
    """A table as one or more blocks: every column, split into column groups (the first column repeated) when
    the table is wider than the page; the first ``max_rows`` rows, with a note saying how many there are."""
    size = _TABLE_FONT
    line_h = size * 1.3 / 72
    header, cells, numeric, total = _table_strings(table, max_rows)
    n_cols = len(header)
    widths, wrap_at = [], []
    for j in range(n_cols):
        col = [row[j] for row in cells]
        natural = max([flow.text_width(v, size) for v in col] + [0.3])
        wrap = natural > _LONG_TEXT and not numeric[j]
        chars = max(int(_LONG_TEXT * 72 / (0.5 * size)), 10)
        wrap_at.append(chars if wrap else None)
        head_w = max(flow.text_width(w, size, bold=True) for w in textwrap.fill(header[j], 18).split("\n"))
        widths.append(max(min(natural, _LONG_TEXT), head_w) + 0.12)
    # column groups that fit the page width; the first column (the row's name) starts every group
    groups, current, used = [], [], 0.0
    for j in range(n_cols):
        if current and used + widths[j] > flow.width:
            groups.append(current)
            current, used = ([0], widths[0]) if j > 0 else ([], 0.0)
        current.append(j)
        used += widths[j]
    groups.append(current)
    blocks = []
    page_height = _PAGE[1] - 2 * _MARGIN - 0.3
    parts = []  # (columns, first row, end row): row ranges that fit a page, per column group
    for cols in groups:
        wrapped = [[textwrap.fill(row[j], _chars(row[j], wrap_at[j])) if wrap_at[j] else row[j] for j in cols]
                   for row in cells]
        lines = [max([v.count("\n") + 1 for v in r] + [1]) for r in wrapped]
        start, used = 0, 0.5 + 3 * line_h
        for k, n in enumerate(lines):
            if k > start and used + n * line_h + 0.04 > page_height:
                parts.append((cols, start, k))
                start, used = k, 0.5 + 3 * line_h
            used += n * line_h + 0.04
        parts.append((cols, start, len(cells)))
    for g, (cols, r0, r1) in enumerate(parts):
        rows = [[textwrap.fill(row[j], _chars(row[j], wrap_at[j])) if wrap_at[j] else row[j] for j in cols]
                for row in cells[r0:r1]]
        heads = [textwrap.fill(header[j], 18) for j in cols]
        head_lines = max(h.count("\n") + 1 for h in heads)
        row_lines = [max([v.count("\n") + 1 for v in r] + [1]) for r in rows]
        name = title if len(parts) == 1 else f"{title} ({g + 1}/{len(parts)})"
        note = ""
        if total > len(cells):
            note = tr("report.pdf.truncated", "first {rows} of {total} rows").format(rows=len(cells), total=f"{total:,}")
            note += tr("report.pdf.more", "; every row is in the HTML report and its CSV files")
        width = sum(widths[j] for j in cols)
        width = max(width, flow.text_width(name, 8, bold=True) + 0.05, flow.text_width(note, 6.5) + 0.05)
        height = 0.22 + (0.14 if note else 0) + (head_lines + sum(row_lines)) * line_h + 0.04 * (len(rows) + 1)
        blocks.append((width, height,
                       _table_drawer(name, note, [widths[j] for j in cols], [numeric[j] for j in cols], heads, rows,
                                     head_lines, row_lines, line_h, size)))
    return blocks


def _table_drawer(name, note, widths, numeric, heads, rows, head_lines, row_lines, line_h, size):
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle

    def draw(fig, x, top):
        W, H = _PAGE
        fig.text(x / W, top / H, name, fontsize=8, weight="bold", va="top")
        y = top - 0.2
        if note:
            fig.text(x / W, y / H, note, fontsize=6.5, color="0.35", va="top")
            y -= 0.14
        total_w = sum(widths)
        hh = head_lines * line_h + 0.04
        fig.add_artist(Rectangle((x / W, (y - hh) / H), total_w / W, hh / H, transform=fig.transFigure,
                                 facecolor="#eef2f6", edgecolor="none"))
        cx = x
        for w, head, num in zip(widths, heads, numeric):
            fig.text((cx + (w - 0.06 if num else 0.06)) / W, (y - 0.02) / H, head, fontsize=size, weight="bold",
                     va="top", ha="right" if num else "left", linespacing=1.15)
            cx += w
        y -= hh
        for values, n_lines in zip(rows, row_lines):
            rh = n_lines * line_h + 0.04
            cx = x
            for w, value, num in zip(widths, values, numeric):
                fig.text((cx + (w - 0.06 if num else 0.06)) / W, (y - 0.02) / H, value, fontsize=size, va="top",
                         ha="right" if num else "left", linespacing=1.15)
                cx += w
            y -= rh
            fig.add_artist(Line2D([x / W, (x + total_w) / W], [y / H, y / H], transform=fig.transFigure,
                                  color="0.85", lw=0.4))

    return draw


def _cell(v):
    if v is None or v is pd.NaT:
        return "–"
    if isinstance(v, (bool, np.bool_)):
        return "✓" if v else "–"
    if isinstance(v, (float, np.floating)):
        return _fmt(float(v))
    if isinstance(v, (int, np.integer)):
        return f"{v:,}"
    if isinstance(v, pd.Timestamp):
        return f"{v:%Y-%m-%d %H:%M}" if (v.hour or v.minute) else f"{v:%Y-%m-%d}"
    text = str(v)
    return text if len(text) <= 400 else text[:397] + "..."


def write_pdf(report, path, sections=None):
    """Write a report as a compact PDF on A4 landscape pages: a title block with the contents, then per section
    its text (intro, headline numbers, notes), its figures two to a row, and its tables.

    Uses matplotlib's ``PdfPages``, so it needs nothing beyond matplotlib. Every table keeps every column (a
    table wider than the page is split into column groups, its first column repeated); it shows its first
    :data:`PDF_TABLE_ROWS` rows (the top of what the HTML shows; the full tables are in the HTML report and its CSV
    files) and says how many there are. A section starts on a new page unless the previous one left over 20% of a
    page free. Limits: figures are embedded as the same PNG rasters as in the HTML (not vector graphics); there
    are no links or bookmarks; text uses matplotlib's fonts (Chinese needs a CJK font, as for every figure).

    Parameters
    ----------
    report : toolkit.report.Report
    path : str or path-like

    Returns
    -------
    pathlib.Path
    """
    from pathlib import Path

    from matplotlib.backends.backend_pdf import PdfPages

    path = Path(path)
    if sections is None:
        sections = report.sections
    if get_language() != "en":  # the sections' tables as the Chinese HTML report shows them
        from dataclasses import replace

        sections = [replace(sec, tables={localize(k): _zh_table(v) if isinstance(v, pd.DataFrame) else v
                                         for k, v in sec.tables.items()})
                    for sec in sections]
    with PdfPages(path, metadata={"Title": report.title, "Creator": "Customer Value Toolkit"}) as pdf:
        flow = _Flow(pdf, report.title)
        flow.new_page()
        flow.paragraph(report.title, size=18, bold=True)
        flow.paragraph(report.subtitle, size=10, color="0.3")
        body_height = _PAGE[1] - 2 * _MARGIN - 0.25
        findings = getattr(report, "findings", [])  # page one: the executive summary and the KPI board
        if findings:
            flow.paragraph(tr("report.summary", "Executive summary"), size=14, bold=True, color="#0072B2")
            for k, finding in enumerate(findings, 1):
                flow.paragraph(f"{k}. {finding.text}", size=9)
            kpis = next((s for s in sections if s.key == "kpis"), None)
            if kpis is not None and kpis.figures:
                flow.row([_image_block(next(iter(kpis.figures.values())), 0.3 * body_height)])
            flow.paragraph("   ·   ".join(f"{i}. {sec.title}: {sec.outcome_text(reason=False)}"
                                          for i, sec in enumerate(sections, 1)), size=8.5)
        else:
            for i, sec in enumerate(sections, 1):
                head = "; ".join(f"{label} {value}" for label, value in sec.headline[:4])
                flow.paragraph(f"{i}. {sec.title} [{sec.outcome_text(reason=False)}]" + (f": {head}" if head else ""),
                               size=8.5, indent=0.15)
        for i, sec in enumerate(sections, 1):
            if flow.room() < 0.2 * body_height:
                flow.new_page()
            flow.paragraph(f"{i}. {sec.title} [{sec.outcome_text(reason=False)}]", size=14,
                           bold=True, color="#0072B2")
            flow.paragraph(sec.intro, size=9)
            if sec.headline:
                flow.paragraph("   ·   ".join(f"{label}: {value}" for label, value in sec.headline), size=9,
                               bold=True)
            for note in sec.notes:
                flow.paragraph(f"{tr('report.pdf.note')}{note}", size=8, color="#7a4b00")
            pngs = list(sec.figures.values())[1 if findings and sec.key == "kpis" else 0:]  # KPI chart: page one
            flow.row([_image_block(png, 0.5 * body_height) for png in pngs])
            blocks = []
            for name, table in sec.tables.items():
                if isinstance(table, pd.DataFrame) and len(table.columns):
                    blocks += _table_blocks(flow, name, table)
            flow.row(blocks)
        flow.close_page()
    return path
