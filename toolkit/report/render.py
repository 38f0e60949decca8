"""A built Report and its HTML (and PDF) rendering."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from ..i18n import tr
from .base import Section
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
    """

    def __init__(self, title, subtitle, sections, settings, targets, seconds, language="en"):
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
        raise KeyError(f"No section {key!r}; sections: {self.keys()}")

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

    def html(self) -> str:
        """The whole report as one self-contained HTML document (inline CSS, base64 PNG, no external URLs)."""
        toc = "".join(f'<li><a href="#sec-{html.escape(s.key)}">{html.escape(s.title)}</a>'
                      + (f" <small>({html.escape(s.status)})</small>" if s.status != "ok" else "") + "</li>"
                      for s in self.sections)
        body = "\n".join(s.to_html(i) for i, s in enumerate(self.sections, 1))
        timing = pd.DataFrame({"status": [s.status for s in self.sections],
                               "seconds": [round(s.seconds, 2) for s in self.sections]},
                              index=pd.Index([s.title for s in self.sections], name="section"))
        return (f'<!DOCTYPE html>\n<html lang="{html.escape(self.language)}">\n<head>\n<meta charset="utf-8">\n'
                f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
                f"<title>{html.escape(self.title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
                f"<header><h1>{html.escape(self.title)}</h1><p>{html.escape(self.subtitle)}</p></header>\n"
                f'<nav><h2>{html.escape(tr("report.toc", "Contents"))}</h2><ol>{toc}</ol></nav>\n{body}\n'
                f'<footer><h2>{html.escape(tr("report.assumptions", "Assumptions and run details"))}</h2>'
                f"{_table_html(self.settings.table())}{_table_html(timing)}"
                f"<p>Built in {self.seconds:.1f} s by Customer Value Toolkit.</p></footer>\n</body>\n</html>\n")

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

        return write_pdf(self, check_output_path(path, "path"))

    def __repr__(self):
        lines = [f"Report: {self.title} ({self.subtitle}); {len(self.sections)} sections in {self.seconds:.1f} s"]
        for i, s in enumerate(self.sections, 1):
            head = "; ".join(f"{k} {v}" for k, v in s.headline[:3])
            lines.append(f"  {i}. {s.title} [{s.status}]" + (f": {head}" if head else ""))
        return "\n".join(lines)

    def _repr_html_(self):
        rows = "".join(
            f"<tr><td>{i}</td><td>{html.escape(s.title)}</td><td>{html.escape(s.status)}</td>"
            f"<td>{html.escape('; '.join(f'{k} {v}' for k, v in s.headline[:3]))}</td></tr>"
            for i, s in enumerate(self.sections, 1))
        return (f"<p><b>{html.escape(self.title)}</b> — {html.escape(self.subtitle)}</p>"
                f"<table><tr><th></th><th>section</th><th>status</th><th>headline</th></tr>{rows}</table>")


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans","Noto Sans CJK SC","Microsoft YaHei",sans-serif;
max-width:1100px;margin:0 auto;padding:1.5rem;color:#1a1a1a;line-height:1.45}
header{border-bottom:3px solid #0072B2;margin-bottom:1rem}h1{margin:.2rem 0}h2{color:#0072B2;margin-top:2rem}
nav ol{columns:2}section{border-top:1px solid #ddd;padding-top:.5rem}
.intro{color:#333;max-width:60rem}.status{display:inline-block;background:#eee;padding:.1rem .5rem;border-radius:3px}
dl.headline{display:flex;flex-wrap:wrap;gap:.6rem;margin:1rem 0}
dl.headline div{border:1px solid #cfd8e3;border-radius:6px;padding:.4rem .7rem;min-width:9rem;background:#f7fafc}
dl.headline dt{font-size:.8rem;color:#555}dl.headline dd{margin:0;font-size:1.15rem;font-weight:600}
figure{display:inline-block;vertical-align:top;margin:.5rem 1rem .5rem 0;max-width:100%}figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.85rem;color:#555}
table.table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0 1rem}.table-wrap{max-width:100%;overflow-x:auto}
td.long{min-width:18rem}
table.table th,table.table td{border-bottom:1px solid #e2e2e2;padding:.2rem .6rem;text-align:left;vertical-align:top}
table.table td.n{text-align:right;font-variant-numeric:tabular-nums}
table.table th{background:#f0f4f8}ul.notes{font-size:.85rem;color:#7a4b00}.more{font-size:.8rem;color:#555}
footer{margin-top:2rem;border-top:3px solid #0072B2;font-size:.85rem}
"""


