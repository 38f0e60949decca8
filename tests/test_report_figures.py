"""Every figure of the client report is readable: no two text boxes overlap (tick labels, titles, axis labels,
legends, annotations) and no legend covers a bar or other patch of the data (issue #18, point 3).

The reports are built exactly as a client gets them (the teaching company with events and NPS, and the order-line
sample); :func:`toolkit.plotting.report.draw_figure` is wrapped so that each figure the sections draw is kept and
measured with the Agg renderer at the report's own size and resolution.
"""

from __future__ import annotations

import itertools

import matplotlib
import pytest

matplotlib.use("Agg")
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.legend import Legend
from matplotlib.text import Text
from matplotlib.transforms import Bbox

import toolkit
from toolkit.plotting import report as report_plots
from toolkit.report import build_report

SLACK = 1.0  # pixels: boxes that merely touch (shared edge, rounding) do not count as overlapping


def _company_report():
    company = toolkit.datasets.load_company()
    tx = company.to_transactions(time_unit="W")
    return build_report(tx, events=company.events, nps=company.nps, industry_clv=900.0,
                        settings={"currency": "CNY"}, progress=False)


def _order_lines_report():
    from toolkit.datasets import dataset_path

    tx = toolkit.read_transactions(dataset_path("retail", "order_lines_sample.csv"), "CustomerID", "InvoiceDate",
                                   order="InvoiceNo", quantity="Quantity", price="UnitPrice", item="StockCode",
                                   on_bad_rows="net")
    return build_report(tx, settings={"currency": "GBP"}, progress=False)


REPORTS = {"company": _company_report, "order_lines": _order_lines_report}


@pytest.fixture(scope="module", params=sorted(REPORTS))
def figures(request):
    """[(section key, figure caption, Figure)] of one report, as its sections drew them."""
    kept = []
    original = report_plots.draw_figure

    def keep(draw, **kwargs):
        fig = original(draw, **kwargs)
        kept.append(fig)
        return fig

    mp = pytest.MonkeyPatch()
    mp.setattr(report_plots, "draw_figure", keep)
    try:
        report = REPORTS[request.param]()
        for sec in report.sections:  # figures are drawn when first read (report.base.Figures): read them all
            list(sec.figures.values())
    finally:
        mp.undo()
    captions = [(sec.key, caption) for sec in report.sections for caption in sec.figures]
    assert len(captions) == len(kept) and kept, "every report figure goes through draw_figure"
    return [(request.param, key, caption, fig) for (key, caption), fig in zip(captions, kept)]


# ------------------------------------------------------------------------------------------ measuring
def _shown(artist):
    return artist.get_visible() and (artist.axes is None or artist.axes.get_visible())


def _tick_texts(ax):
    """Tick labels that are drawn: visible, not empty, at a tick inside the axis's view interval."""
    out = []
    if not ax.axison:
        return out  # ax.axis("off"): no ticks are drawn
    for axis in (ax.xaxis, ax.yaxis):
        if not axis.get_visible():
            continue
        lo, hi = sorted(axis.get_view_interval())
        tol = 1e-9 * max(abs(lo), abs(hi), 1.0)
        for tick in axis.get_major_ticks() + axis.get_minor_ticks():
            loc = tick.get_loc()
            if loc is None or not (lo - tol <= loc <= hi + tol) or not tick.get_visible():
                continue
            out += [lab for lab in (tick.label1, tick.label2) if lab.get_visible() and lab.get_text().strip()]
    return out


def _boxes(fig):
    """(text boxes [(label, Bbox)], legend boxes [(label, Bbox)], patch boxes [(axes, Bbox)]) in display pixels."""
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)  # a standalone Figure has a plain canvas; measure with Agg, as the PNG is drawn
    renderer = fig.canvas.get_renderer()
    fig.draw(renderer)  # lays out ticks, legends and offset texts as savefig does
    texts, legends, patches = [], [], []
    in_legend = set()
    for leg in fig.findobj(Legend):
        if _shown(leg):
            legends.append((f"legend {[t.get_text() for t in leg.get_texts()]}", leg.get_window_extent(renderer)))
            in_legend.update(id(t) for t in leg.findobj(Text))
    tick_texts = {id(t) for ax in fig.axes for t in _tick_texts(ax)}
    all_ticks = {id(t) for ax in fig.axes for axis in (ax.xaxis, ax.yaxis)
                 for tick in axis.get_major_ticks() + axis.get_minor_ticks() for t in (tick.label1, tick.label2)}
    for t in fig.findobj(Text):
        if id(t) in in_legend or not _shown(t) or not t.get_text().strip():
            continue
        if id(t) in all_ticks and id(t) not in tick_texts:
            continue  # a tick outside the view: not drawn
        box = t.get_window_extent(renderer)
        if box.width > 0 and box.height > 0:
            texts.append((repr(t.get_text()), box))
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        clip = ax.get_window_extent(renderer)
        for p in ax.patches:
            if not _shown(p):
                continue
            box = Bbox.intersection(p.get_window_extent(renderer), clip)  # what is drawn is clipped to the axes
            if box is not None and box.width > SLACK and box.height > SLACK:
                patches.append((ax, box))
    return texts, legends, patches


def _overlap(a, b):
    return (min(a.x1, b.x1) - max(a.x0, b.x0) > SLACK) and (min(a.y1, b.y1) - max(a.y0, b.y0) > SLACK)


def _where(item):
    report, key, caption, _ = item
    return f"{report} / {key} / {caption!r}"


def test_report_draws_its_figures(figures):
    keys = {key for _, key, _, _ in figures}
    assert {"rfm", "cohorts", "clv", "kpis"} <= keys


def test_no_two_texts_overlap(figures):
    problems = []
    for item in figures:
        texts, legends, _ = _boxes(item[3])
        for (la, a), (lb, b) in itertools.combinations(texts + legends, 2):
            if _overlap(a, b):
                problems.append(f"{_where(item)}: {la} overlaps {lb}")
    assert not problems, "\n".join(problems)


def test_no_legend_over_the_data(figures):
    problems = []
    for item in figures:
        _, legends, patches = _boxes(item[3])
        for label, box in legends:
            hits = [p for _, p in patches if _overlap(box, p)]
            if hits:
                problems.append(f"{_where(item)}: {label} covers {len(hits)} bar(s)/patch(es)")
    assert not problems, "\n".join(problems)


def test_texts_stay_inside_the_figure(figures):
    problems = []
    for item in figures:
        fig = item[3]
        frame = fig.bbox
        texts, legends, _ = _boxes(fig)
        for label, box in texts + legends:
            if box.x0 < frame.x0 - SLACK or box.x1 > frame.x1 + SLACK or box.y0 < frame.y0 - SLACK \
                    or box.y1 > frame.y1 + SLACK:
                problems.append(f"{_where(item)}: {label} is cut by the figure's edge")
    assert not problems, "\n".join(problems)


def test_pdf_tables_keep_every_column():
    """A table wider than the PDF page is split into column groups (its first column repeated), never cut."""
    import pandas as pd
    from matplotlib.backends.backend_pdf import PdfPages

    wide = pd.DataFrame({f"a rather long column name {j}": [123456.789 * (j + 1), 2.5] for j in range(30)},
                        index=pd.Index(["first", "second"], name="row"))
    with PdfPages(__import__("io").BytesIO()) as pdf:
        flow = report_plots._Flow(pdf, "t")
        blocks = report_plots._table_blocks(flow, "wide", wide)
        assert len(blocks) > 1 and all(w <= flow.width + 1e-9 for w, _, _ in blocks)
        flow.row(blocks)
        flow.close_page()
    header, _, _, _ = report_plots._table_strings(wide, 5)
    assert len(header) == 31  # the index and all 30 columns go in
