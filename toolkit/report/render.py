"""A built Report and its HTML (and PDF) rendering."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from ..errors import UnknownNameError
from ..i18n import get_language, localize, register, tr, using_language
from .base import Section, _localized
from .. import _zh  # noqa: F401  (Chinese text of English sentences from lower layers: toolkit._zh)
from .format import _table_html


# ============================================================================================ report
class Report:
    """A built report: its sections and settings; export with :meth:`to_html` or :meth:`to_pdf`.

    Attributes
    ----------
    title, subtitle : str
    sections : list of Section
    settings : ReportSettings
    targets : list of Target
    seconds : float
        Total build time.
    findings : list of Finding
        The executive summary (page one): 5-7 findings, most important first (see
        :func:`toolkit.report.summary.executive_summary`).
    """

    def __init__(self, title, subtitle, sections, settings, targets, seconds, language="en", findings=None):
        self.findings = list(findings or [])
        self.title = title
        self.subtitle = subtitle
        self.sections = sections
        self.settings = settings
        self.targets = targets
        self.seconds = seconds
        self.language = language

    def __getitem__(self, key) -> Section:
        for sec in self.sections:
            if sec.key == key:
                return sec
        raise UnknownNameError(f"No section {key!r}; sections: {self.keys()}")

    def keys(self):
        """Section keys in order."""
        return [s.key for s in self.sections]

    @property
    def kpi_board(self) -> pd.DataFrame | None:
        """The KPI board table (None without a ``kpis`` section)."""
        try:
            return self["kpis"].tables.get("KPI board")
        except KeyError:
            return None

    @property
    def incomplete(self) -> list:
        """Sections not fully done, as ``(section, outcome, reason)``: skipped, not enough data or error (what
        ``--strict`` turns into a non-zero exit)."""
        return [(s, s.outcome, s.reason) for s in self.sections
                if s.outcome in ("skipped", "not enough data", "error")]

    def summary_html(self) -> str:
        """Page one: the executive summary (findings, the KPI board figure and each section's outcome)."""
        items = "".join(f'<li data-section="{html.escape(f.section)}">{html.escape(f.text)}</li>'
                        for f in self.findings)
        head = html.escape(tr("report.summary", "Executive summary"))
        parts = [f'<div id="summary" class="exec-summary"><h2>{head}</h2><ol class="findings">{items}</ol>']
        try:
            kpis = self["kpis"]
        except KeyError:
            kpis = None
        if kpis is not None and kpis.figures:
            import base64

            caption, png = next(iter(kpis.figures.items()))
            data = base64.b64encode(png).decode("ascii")
            counts = " · ".join(f"{label} {value}" for label, value in kpis.headline)
            parts.append(f'<figure class="kpi-board"><img alt="{html.escape(caption)}" src="data:image/png;base64,'
                         f'{data}"><figcaption>{html.escape(caption)}: {html.escape(counts)}</figcaption></figure>')
        rows = "".join(f'<li class="outcome-{s.outcome.replace(" ", "-")}">{html.escape(s.title)}: '
                       f"{html.escape(s.outcome_text(limit=160))}</li>" for s in self.sections)
        parts.append(f'<h3>{html.escape(tr("report.summary.status", "Sections"))}</h3>'
                     f'<ul class="outcomes">{rows}</ul></div>')
        return "\n".join(parts)

    def html(self) -> str:
        """The whole report as one self-contained HTML document (inline CSS, base64 PNG, no external URLs)."""
        if self.language != get_language():  # render in the report's language, then restore the caller's
            with using_language(self.language):
                return self.html()
        from .fonts import embed_font
        from .sections.glossary import glossary_html

        toc = "".join(f'<li><a href="#sec-{html.escape(s.key)}">{html.escape(s.title)}</a>'
                      f' <small class="outcome">({html.escape(s.outcome_text(reason=False))})</small></li>'
                      for s in self.sections)
        toc += f'<li><a href="#sec-glossary">{html.escape(tr("report.section.glossary", "Glossary"))}</a></li>'
        body = "\n".join(s.to_html(i) for i, s in enumerate(self.sections, 1))
        body += "\n" + glossary_html(len(self.sections) + 1)
        timing = pd.DataFrame({"status": [s.outcome_text(reason=False) for s in self.sections],
                               "seconds": [round(s.seconds, 2) for s in self.sections]},
                              index=pd.Index([s.title for s in self.sections], name="section"))
        return embed_font(f'<!DOCTYPE html>\n<html lang="{html.escape(self.language)}">\n<head>\n<meta charset="utf-8">\n'
                f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
                f"<title>{html.escape(self.title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
                f"<header><h1>{html.escape(self.title)}</h1><p>{html.escape(self.subtitle)}</p></header>\n"
                f"{self.summary_html()}\n"
                f'<nav><h2>{html.escape(tr("report.toc", "Contents"))}</h2><ol>{toc}</ol></nav>\n{body}\n'
                f'<footer><h2>{html.escape(tr("report.assumptions", "Assumptions and run details"))}</h2>'
                f"{_table_html(self.settings.table())}{_table_html(timing)}"
                f"<p>{html.escape(tr('report.built_in', 'Built in {seconds:.1f} s by Customer Value Toolkit.').format(seconds=self.seconds))}</p></footer>\n</body>\n</html>\n", self.language)

    def to_html(self, path) -> Path:
        """Write the report as one self-contained HTML file and return its path."""
        from .._validate import check_output_path

        path = check_output_path(path, "path")
        path.write_text(self.html(), encoding="utf-8")
        return path

    def to_pdf(self, path) -> Path:
        """Write a PDF version (matplotlib ``PdfPages``; see :func:`toolkit.plotting.report.write_pdf` for its limits:
        raster figures, tables cut to 28 rows x 9 columns, no links)."""
        from .._validate import check_output_path
        from ..plotting.report import write_pdf

        with using_language(self.language):
            # the sections' English texts as the Chinese HTML report shows them (plotting cannot import the report)
            sections = self.sections if self.language == "en" else [_localized(sec) for sec in self.sections]
            return write_pdf(self, check_output_path(path, "path"), sections=sections)

    def __repr__(self):
        lines = [tr("report.repr").format(title=self.title, subtitle=self.subtitle, n=len(self.sections),
                                          seconds=self.seconds)]
        for i, s in enumerate(self.sections, 1):
            head = _headline(s)
            lines.append(tr("report.repr.section").format(i=i, title=localize(s.title), outcome=_outcome(s))
                         + (tr("report.repr.head").format(head=head) if head else ""))
        return "\n".join(lines)

    def _repr_html_(self):
        rows = "".join(
            f"<tr><td>{i}</td><td>{html.escape(localize(s.title))}</td><td>{html.escape(_outcome(s))}</td>"
            f"<td>{html.escape(_headline(s))}</td></tr>"
            for i, s in enumerate(self.sections, 1))
        heads = "".join(f"<th>{html.escape(tr(f'report.repr.col.{k}'))}</th>"
                        for k in ("section", "status", "headline"))
        return (f"<p><b>{html.escape(self.title)}</b> — {html.escape(self.subtitle)}</p>"
                f"<table><tr><th></th>{heads}</tr>{rows}</table>")


def _outcome(sec) -> str:
    """A section's outcome as the reprs show it: the English word, else its label in the current language."""
    return sec.outcome if get_language() == "en" else tr(f"report.outcome.{sec.outcome}", sec.outcome)


def _headline(sec, n=3) -> str:
    """The first ``n`` headline numbers of a section, labels and values in the current language."""
    sep = tr("report.repr.sep")
    return sep.join(f"{localize(k)} {localize(v)}" for k, v in sec.headline[:n])


register({
    "report.repr": {"en": "Report: {title} ({subtitle}); {n} sections in {seconds:.1f} s",
                    "zh": "报告：{title}（{subtitle}）；共 {n} 节，用时 {seconds:.1f} 秒"},
    "report.repr.section": {"en": "  {i}. {title} [{outcome}]", "zh": "  {i}. {title} [{outcome}]"},
    "report.repr.head": {"en": ": {head}", "zh": "：{head}"},
    "report.repr.sep": {"en": "; ", "zh": "；"},
    "report.repr.col.section": {"en": "section", "zh": "章节"},
    "report.repr.col.status": {"en": "status", "zh": "状态"},
    "report.repr.col.headline": {"en": "headline", "zh": "要点"},
})


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans","Noto Sans CJK SC","Microsoft YaHei",sans-serif;
max-width:1100px;margin:0 auto;padding:1.5rem;color:#1a1a1a;line-height:1.45;overflow-wrap:break-word}
*,*::before,*::after{box-sizing:border-box}
header{border-bottom:3px solid #0072B2;margin-bottom:1rem}h1{margin:.2rem 0}h2{color:#0072B2;margin-top:2rem}
nav ol{columns:2}section{border-top:1px solid #ddd;padding-top:.5rem}
.intro{color:#333;max-width:60rem}.status{display:inline-block;background:#eee;padding:.1rem .5rem;border-radius:3px}
dl.headline{display:flex;flex-wrap:wrap;gap:.6rem;margin:1rem 0}
dl.headline div{border:1px solid #cfd8e3;border-radius:6px;padding:.4rem .7rem;min-width:9rem;max-width:100%;background:#f7fafc}
dl.headline dt{font-size:.8rem;color:#555}dl.headline dd{margin:0;font-size:1.15rem;font-weight:600}
figure{display:inline-block;vertical-align:top;margin:.5rem 1rem .5rem 0;max-width:100%}
figure img{display:block;max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.85rem;color:#555}
img,svg,video,canvas,iframe{max-width:100%}pre,code{white-space:pre-wrap;overflow-wrap:anywhere}
.table-wrap{max-width:100%;overflow-x:auto}
table.table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0 1rem;max-width:100%}
table.table:has(thead th:nth-child(8)){font-size:.78rem}
table.table:has(thead th:nth-child(11)){font-size:.72rem}
table.table th,table.table td{border-bottom:1px solid #e2e2e2;padding:.2rem .5rem;text-align:left;vertical-align:top}
table.table thead th{vertical-align:bottom;overflow-wrap:break-word;hyphens:auto}
table.table td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
table.table td.long{min-width:11rem;max-width:26rem;overflow-wrap:anywhere}
table.table:has(thead th:nth-child(8)) td{overflow-wrap:anywhere}table.table thead th{overflow-wrap:normal;word-break:normal;hyphens:manual}
table.table th{background:#f0f4f8}ul.notes{font-size:.85rem;color:#7a4b00}.more{font-size:.8rem;color:#555}
footer{margin-top:2rem;border-top:3px solid #0072B2;font-size:.85rem}
@page{size:A4;margin:15mm 13mm 17mm}
@media print{
body{max-width:none;margin:0;padding:0;font-size:9.5pt;line-height:1.35}
h1{font-size:18pt}h2{font-size:13pt;margin-top:0}h3{font-size:10.5pt}
h1,h2,h3,h4{break-after:avoid;page-break-after:avoid}
section{break-before:page;page-break-before:always;border-top:none;padding-top:0}
footer{break-before:page;page-break-before:always;border-top:none}
nav ol{columns:2}a{color:inherit;text-decoration:none}
figure,figure img,dl.headline,dl.headline div,tr,thead,.intro{break-inside:avoid;page-break-inside:avoid}
figure{display:block;margin:.3rem 0;text-align:center}figure img{display:inline-block;max-height:120mm;width:auto;
max-width:100%;border:none}
.table-wrap{overflow:visible}table.table{font-size:7.5pt;width:100%}
table.table:has(thead th:nth-child(8)){font-size:6.8pt}table.table:has(thead th:nth-child(11)){font-size:6.2pt}
table.table th,table.table td{padding:.1rem .25rem}table.table td.long{min-width:0;max-width:none}
thead{display:table-header-group}
button,input,select,.no-print,.download,a[download],nav.toc-links{display:none!important}
dl.headline div{background:none}
}
.exec-summary{border:2px solid #0072B2;border-radius:8px;padding:.4rem 1.2rem 1rem;margin:1rem 0 1.5rem;background:#f7fafc}
.exec-summary h2{margin-top:.6rem}ol.findings li{margin:.35rem 0;font-size:1.02rem}
.exec-summary figure.kpi-board{display:block;margin:.8rem 0}ul.outcomes{font-size:.85rem;columns:2}
.outcome-done-with-a-caveat{color:#7a4b00}.outcome-skipped,.outcome-not-enough-data,.outcome-error{color:#a01010}
p.status.outcome-done{background:#e6f2e6}p.status.outcome-done-with-a-caveat{background:#fff3d6}
@media print{.exec-summary{break-after:page;page-break-after:always;border:none;padding:0;background:none}
.exec-summary figure.kpi-board img{max-height:80mm}}
"""


