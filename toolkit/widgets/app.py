"""The dashboard app: one page for the consultant's screen, starting from data.

Choose the bundled teaching company, CDNOW or the order-line sample, or load a client's CSV/Excel export (upload
or path) and map its columns with dropdowns guessed from the headers (:func:`toolkit.data.guess_columns`); the
cleaning report shows what was kept and dropped; then tabs: Overview (KPI board and headline findings), RFM &
tiers, Cohorts, Lifecycle, Journey (when an event log is given), CLV scenarios, CLV models and Report (download the
HTML report). The tabs are the explorers of this package (``rfm_explorer``, ``cohort_explorer``, ...), built the
first time a tab is opened (or ahead of time, in the background, by the Voila app).

``make dashboard`` (``python -m toolkit dashboard``) serves it with Voila on 127.0.0.1; in a notebook::

    from toolkit.widgets.app import dashboard_app
    dashboard_app()

:class:`AppState` holds the data and the analyses behind the tabs (no ipywidgets); :func:`dashboard_app` is the
thin view. Like every widget builder here it returns the widget (it does not display it).
"""

from __future__ import annotations

import base64
import html
import pathlib
import tempfile
import threading
import time
import warnings

import pandas as pd

from .. import datasets
from ..data import guess_columns, read_events, read_transactions
from ..errors import DataQualityWarning, ParameterError, ToolkitError, UnknownNameError
from ..i18n import register, tr

#: Data sources offered by the app, in menu order.
SOURCES = ("company", "cdnow", "order_lines", "file")
#: Tabs, in order.
TABS = ("overview", "rfm", "cohorts", "lifecycle", "journey", "clv_scenarios", "clv_models", "report")
#: Column roles the mapping step offers for a transaction export (required ones first).
TX_ROLES = ("customer", "time", "amount", "quantity", "price", "order", "item", "description", "channel")
EVENT_ROLES = ("customer", "time", "event", "channel")
_REQUIRED = {"customer", "time"}

register({
    "app.title": {"en": "Customer value dashboard", "zh": "客户价值仪表板"},
    "app.source": {"en": "Data", "zh": "数据"},
    "app.source.company": {"en": "Teaching company (bundled: 2,000 customers, orders and touchpoints)",
                           "zh": "教学公司（内置：2,000 位客户、订单与触点）"},
    "app.source.cdnow": {"en": "CDNOW (bundled: 23,570 customers, 1997-98)", "zh": "CDNOW（内置：23,570 位客户，1997-98）"},
    "app.source.order_lines": {"en": "Order-line sample (bundled retail export)", "zh": "订单行样例（内置零售导出）"},
    "app.source.file": {"en": "Your file (CSV / Excel)", "zh": "您的文件（CSV / Excel）"},
    "app.upload": {"en": "Upload export", "zh": "上传导出文件"},
    "app.path": {"en": "or a path on this computer", "zh": "或本机文件路径"},
    "app.read": {"en": "Read the headers", "zh": "读取表头"},
    "app.load": {"en": "Load", "zh": "加载"},
    "app.events_upload": {"en": "Event log (optional)", "zh": "事件日志（可选）"},
    "app.mapping": {"en": "Which column is which? (guessed from the headers: check them)",
                    "zh": "各列的含义（根据表头猜测，请核对）"},
    "app.mapping.events": {"en": "Event log columns", "zh": "事件日志的列"},
    "app.on_bad_rows": {"en": "bad rows", "zh": "问题行"},
    "app.on_bad_rows.net": {"en": "net refunds, drop the rest (reported)", "zh": "冲抵退款，其余剔除（有报告）"},
    "app.on_bad_rows.drop": {"en": "drop (reported)", "zh": "剔除（有报告）"},
    "app.on_bad_rows.raise": {"en": "stop and list them", "zh": "停止并列出"},
    "app.none": {"en": "(none)", "zh": "（无）"},
    "app.role.customer": {"en": "customer id", "zh": "客户编号"},
    "app.role.time": {"en": "date / time", "zh": "日期/时间"},
    "app.role.amount": {"en": "amount (money)", "zh": "金额"},
    "app.role.quantity": {"en": "quantity", "zh": "数量"},
    "app.role.price": {"en": "unit price", "zh": "单价"},
    "app.role.order": {"en": "order / invoice", "zh": "订单号"},
    "app.role.item": {"en": "item code", "zh": "商品编码"},
    "app.role.description": {"en": "item description", "zh": "商品描述"},
    "app.role.channel": {"en": "acquisition channel", "zh": "获客渠道"},
    "app.role.event": {"en": "event", "zh": "事件"},
    "app.cleaning": {"en": "Cleaning report", "zh": "清洗报告"},
    "app.loaded": {"en": "{label}: {customers:,} customers, {rows:,} rows kept of {rows_in:,}",
                   "zh": "{label}：{customers:,} 位客户，保留 {rows:,} / {rows_in:,} 行"},
    "app.loading": {"en": "Loading {label} …", "zh": "正在加载 {label} …"},
    "app.computing": {"en": "Computing …", "zh": "正在计算 …"},
    "app.step": {"en": "Building the overview: {name} ({step} of {n})", "zh": "正在生成概览：{name}（第 {step}/{n} 步）"},
    "app.tab.overview": {"en": "Overview", "zh": "概览"},
    "app.tab.rfm": {"en": "RFM & tiers", "zh": "RFM 与价值分层"},
    "app.tab.cohorts": {"en": "Cohorts", "zh": "同期群"},
    "app.tab.lifecycle": {"en": "Lifecycle", "zh": "生命周期"},
    "app.tab.journey": {"en": "Journey", "zh": "客户旅程"},
    "app.tab.clv_scenarios": {"en": "CLV scenarios", "zh": "CLV 情景"},
    "app.tab.clv_models": {"en": "CLV models", "zh": "CLV 模型"},
    "app.tab.report": {"en": "Report", "zh": "报告"},
    "app.no_events": {"en": "No event log for these data: the journey tab needs touchpoint events (customer, time, "
                            "event). Choose the teaching company, or give an event log with your file.",
                      "zh": "这份数据没有事件日志：客户旅程需要触点事件（客户、时间、事件）。请选择教学公司，或随文件提供事件日志。"},
    "app.no_channel": {"en": "No acquisition channel in these data: the scenarios below are for the whole customer "
                             "base (map a channel column to compare channels).",
                       "zh": "这份数据没有获客渠道：以下情景针对全部客户（映射渠道列即可按渠道比较）。"},
    "app.failed": {"en": "This tab could not be computed on these data: {error}",
                   "zh": "这份数据无法计算此页：{error}"},
    "app.notes": {"en": "{n} data caveat(s) for this tab (click to read)", "zh": "此页有 {n} 条数据说明（点击查看）"},
    "app.report.build": {"en": "Build the report", "zh": "生成报告"},
    "app.report.lang": {"en": "language", "zh": "语言"},
    "app.report.ready": {"en": "Report ready ({sections} sections, {seconds:.1f} s).", "zh": "报告已生成（{sections} 节，{seconds:.1f} 秒）。"},
    "app.report.download": {"en": "Download the HTML report", "zh": "下载 HTML 报告"},
    "app.pick_file": {"en": "Upload a file or type its path, then read its headers.",
                      "zh": "请上传文件或输入路径，然后读取表头。"},
    "app.need": {"en": "Choose a column for: {roles}.", "zh": "请为以下角色选择列：{roles}。"},
    "app.need_money": {"en": "Choose the amount column, or quantity and unit price.", "zh": "请选择金额列，或数量与单价列。"},
    "app.headers": {"en": "{name}: {n:,} columns read", "zh": "{name}：读取了 {n:,} 列"},
})


class AppState:
    """The dashboard's data and the analyses behind its tabs (no widgets).

    Parameters
    ----------
    lang : {"en", "zh"}, optional
        Language of the report built on the Report tab (default: the current language).

    Attributes
    ----------
    source : str or None
        One of :data:`SOURCES` once data are loaded.
    label : str
        What the data are, for headings.
    transactions : toolkit.Transactions or None
    events : toolkit.Events or None
        Touchpoints for the journey tab (the teaching company, or an event log given with a file).
    attributes : dict[str, pandas.Series]
        Customer attributes to split cohorts by (e.g. acquisition channel), indexed by customer id.
    channel : pandas.Series or None
        Acquisition channel per customer, when the data have one.
    nps : pandas.DataFrame or None
    raw : pandas.DataFrame or None
        The file's first rows after :meth:`read_headers` (for the column mapping).
    guess : dict
        Role -> column guessed from the file's headers.
    """

    def __init__(self, lang=None):
        self.lang = lang
        self.source = None
        self.label = ""
        self.transactions = None
        self.events = None
        self.attributes = {}
        self.channel = None
        self.nps = None
        self.path = None
        self.raw = None
        self.guess = {}
        self._cache = {}
        #: Warnings raised while computing each tab (data caveats), shown on that tab.
        self.notes = {}
        self._locks = {tab: threading.Lock() for tab in TABS}

    # ------------------------------------------------------------------ data
    def load(self, source, **options):
        """Load a bundled source (``company``, ``cdnow``, ``order_lines``) and forget every computed tab."""
        if source == "company":
            company = datasets.load_company()
            tx = company.to_transactions()
            customers = company.customers.set_index("customer_id")
            channel = customers["channel"]
            self._set(source, tr("app.source.company"), tx, company.to_events(tx), channel,
                      {"channel": channel, "city tier": customers["city_tier"]}, company.nps)
        elif source == "cdnow":
            self._set(source, tr("app.source.cdnow"), datasets.load_cdnow_transactions("master"))
        elif source == "order_lines":
            self._set(source, tr("app.source.order_lines"), datasets.load_order_lines_transactions(**options))
        else:
            raise ParameterError(f"unknown source {source!r}; choose from {SOURCES[:3]} or use load_file()",
                                 parameter="source", value=source)
        return self

    def read_headers(self, path, nrows=200):
        """Read the first rows of a client's export and guess its columns (:func:`toolkit.data.guess_columns`)."""
        path = pathlib.Path(path)
        suffix = path.suffix.lower()
        if suffix in {".xlsx", ".xls", ".xlsm"}:
            raw = pd.read_excel(path, nrows=nrows, dtype=str)
        elif suffix in {".parquet", ".pq"}:
            raw = pd.read_parquet(path).head(nrows)
        else:
            raw = pd.read_csv(path, nrows=nrows, dtype=str, sep=None, engine="python", encoding_errors="replace")
        self.path, self.raw = path, raw
        self.guess = guess_columns(raw.columns, TX_ROLES)
        return self.guess

    def load_file(self, mapping, *, events_path=None, event_mapping=None, on_bad_rows="net", **options):
        """Validate the client's export with ``mapping`` (role -> column; None or missing = not in the file).

        ``options`` go to :func:`toolkit.read_transactions` (``dayfirst=``, ``decimal=``, ...). A mapped
        ``channel`` column is read with the transactions; each customer's channel at her first purchase becomes
        her acquisition channel (the attribute cohorts and journeys are split by).
        """
        cols = {role: col for role, col in mapping.items() if col}
        if self.path is None:
            raise ToolkitError("No file read yet: upload a file or give its path, then read its headers.")
        tx = read_transactions(self.path, **cols, on_bad_rows=on_bad_rows, **options)
        channel, attributes = None, {}
        if "channel" in tx.frame:
            first = tx.frame.sort_values("timestamp", kind="stable").groupby("customer_id")["channel"].first()
            channel = first.dropna()
            attributes = {"channel": channel}
        events = None
        if events_path is not None:
            em = {role: col for role, col in (event_mapping or {}).items() if col}
            events = read_events(events_path, **em, transactions=tx, on_bad_rows="drop")
        self._set("file", self.path.name, tx, events, channel, attributes)
        return self

    def _set(self, source, label, tx, events=None, channel=None, attributes=None, nps=None):
        self.source, self.label, self.transactions, self.events = source, label, tx, events
        self.channel, self.attributes, self.nps = channel, dict(attributes or {}), nps
        self._cache.clear()
        self.notes.clear()

    @property
    def loaded_text(self) -> str:
        rep = self.transactions.report
        return tr("app.loaded").format(label=self.label, customers=self.transactions.n_customers,
                                       rows=rep.rows_kept, rows_in=rep.rows_in)

    # ------------------------------------------------------------------ analyses behind the tabs
    def compute(self, key, progress=None):
        """The analysis behind a tab (computed once per data set; thread-safe: one builder per tab)."""
        with self._locks[key]:
            if key not in self._cache:
                with warnings.catch_warnings(record=True) as caught:  # shown on the tab, not in a stderr box
                    warnings.simplefilter("always")
                    self._cache[key] = getattr(self, f"_compute_{key}")(progress)
                self.notes[key] = list(dict.fromkeys(str(w.message) for w in caught))
            return self._cache[key]

    def computed(self, key) -> bool:
        return key in self._cache

    def _compute_overview(self, progress=None):
        from ..report import build_report

        return build_report(self.transactions, self.events, nps=self.nps, progress=progress or False,
                            lang=self.lang)

    def _compute_lifecycle(self, progress=None):
        from ..lifecycle import LifecycleClassifier

        return LifecycleClassifier().fit(self.transactions)

    def _compute_clv_models(self, progress=None):
        from ..clv.models import BetaGeo, GammaGamma
        from ..customers import customer_summary

        summary = customer_summary(self.transactions)
        summary = summary[summary["T"] > 0]
        bg = BetaGeo().fit(summary)
        # Gamma-Gamma models the mean spend of repeat buyers; zero-value repeat purchases have no spend to model
        no_spend = (summary["frequency"] > 0) & ~(summary["monetary_value"] > 0)
        if no_spend.any():
            warnings.warn(DataQualityWarning(
                f"{int(no_spend.sum()):,} repeat customers whose repeat purchases sum to zero or less (refunds, free "
                "orders) are left out of the CLV models tab: the spend model needs a positive mean spend."))
            summary = summary[~no_spend]
        repeat = summary[summary["frequency"] > 0]
        gg = GammaGamma().fit(repeat) if len(repeat) >= 10 else None
        return bg, summary, gg

    def _compute_clv_scenarios(self, progress=None):
        from .. import clv
        from ..customers import customer_summary

        summary = customer_summary(self.transactions)
        if self.channel is None:
            return None
        summary = summary.join(self.channel.rename("channel"), how="inner")
        from ..report import ReportSettings

        settings = ReportSettings()  # the report's business assumptions: one margin and discount rate
        retention = clv.estimate_retention(summary, by="channel")
        rate = retention["retention"].fillna(retention["retention"].mean()).clip(0.05, 0.95)
        return clv.Portfolio(summary, group="channel", margin=settings.margin, retention=rate,
                             discount_rate=settings.discount_rate, retention_n=retention["n"])


def _html_message(text, kind="info"):
    colour = {"info": "#1f4e79", "error": "#9c2a00", "ok": "#1e6b34"}[kind]
    return f'<div style="color:{colour};white-space:normal;line-height:1.4">{html.escape(text)}</div>'


_CSS = """<style>
.cvt-app { max-width: 1340px; }
.cvt-app .cvt-app-overview table { border-collapse: collapse; font-size: 13px; }
.cvt-app .cvt-app-overview td, .cvt-app .cvt-app-overview th { padding: 3px 8px; border-bottom: 1px solid #ddd;
  white-space: normal; text-align: left; }
.cvt-app .cvt-app-overview img { max-width: 100%; height: auto; }
.cvt-app .cvt-app-overview ol.findings li { margin: 4px 0; line-height: 1.45; }
.cvt-app .widget-label, .cvt-app .widget-label-basic { overflow: visible; text-overflow: clip; }
.cvt-app .cvt-app-mapping .widget-dropdown > select { max-width: 220px; }
</style>"""


def _font_css() -> str:
    """``@font-face`` of the bundled Noto Sans SC as the app's last fallback family (:func:`._common.font_css`): cut
    to the Chinese the toolkit can write in Chinese, to the report's language switch ("中文") in English."""
    from ..i18n import get_language
    from ._common import font_css

    return font_css(scope=".cvt-app", text=None if get_language() == "zh" else "中文")


def _overview_html(report) -> str:
    """Executive summary and KPI board of a built report, as one HTML block for the Overview tab."""
    parts = [report.summary_html()]
    try:
        parts.append(report["kpis"].to_html(0))
    except KeyError:
        pass
    return '<div class="cvt-app-overview">' + "".join(parts) + "</div>"


def _download_link(report) -> str:
    data = base64.b64encode(report.html().encode("utf-8")).decode("ascii")
    name = "customer-value-report.html"
    return (f'<a download="{name}" href="data:text/html;charset=utf-8;base64,{data}" class="cvt-app-download" '
            f'style="font-weight:bold">{html.escape(tr("app.report.download"))} ({len(data) * 3 // 4 / 1e6:.1f} MB)</a>')


def dashboard_app(source="company", *, background=False, lang=None, prebuild=True):
    """Build (not display) the dashboard app.

    Parameters
    ----------
    source : {"company", "cdnow", "order_lines"} or None, default "company"
        Bundled data loaded at start (None: start on the data step with nothing loaded).
    background : bool, default False
        Compute the Overview (and, with ``prebuild``, the other tabs' analyses) in a background thread, so that
        the page shows at once and fills in (the Voila app does this); False computes the Overview before
        returning (tests, notebooks).
    lang : {"en", "zh"}, optional
        Language of the report built on the Report tab.
    prebuild : bool, default True
        With ``background``, also compute the other tabs' analyses after the Overview, so that opening a tab is
        quick.

    Returns
    -------
    ipywidgets.VBox
        With attributes ``state`` (:class:`AppState`), ``source`` (Dropdown), ``upload`` (FileUpload), ``path``
        (Text), ``read_button``, ``mapping`` (dict role -> Dropdown), ``event_mapping``, ``on_bad_rows``,
        ``load_button``, ``message`` and ``cleaning`` (HTML), ``tabs`` (Tab), ``views`` (dict tab -> the
        explorer once built) and ``thread`` (the background thread, or None). CSS classes ``cvt-app-<name>``
        are stable hooks for browser tests.
    """
    import ipywidgets as ipw

    if lang is not None:  # the app owns its page: its language is the page's
        from ..i18n import set_language

        set_language(lang)
    state = AppState(lang=lang)
    full = ipw.Layout(width="auto")
    src = ipw.Dropdown(options=[(tr(f"app.source.{s}"), s) for s in SOURCES], value=source or "file",
                       description=tr("app.source"), style={"description_width": "initial"},
                       layout=ipw.Layout(width="640px"))
    upload = ipw.FileUpload(accept=".csv,.tsv,.txt,.xlsx,.xls,.parquet", multiple=False,
                            description=tr("app.upload"), layout=ipw.Layout(width="auto"))
    path = ipw.Text(placeholder="/path/to/export.csv", description=tr("app.path"),
                    style={"description_width": "initial"}, layout=ipw.Layout(width="520px"))
    read_button = ipw.Button(description=tr("app.read"), layout=ipw.Layout(width="auto"))
    ev_upload = ipw.FileUpload(accept=".csv,.tsv,.txt,.xlsx,.xls,.parquet", multiple=False,
                               description=tr("app.events_upload"), layout=ipw.Layout(width="auto"))
    on_bad = ipw.Dropdown(options=[(tr(f"app.on_bad_rows.{k}"), k) for k in ("net", "drop", "raise")],
                          value="net", description=tr("app.on_bad_rows"), style={"description_width": "initial"},
                          layout=ipw.Layout(width="auto"))
    load_button = ipw.Button(description=tr("app.load"), button_style="primary", layout=ipw.Layout(width="auto"))
    mapping = {role: ipw.Dropdown(options=[(tr("app.none"), "")], value="", description=tr(f"app.role.{role}"),
                                  style={"description_width": "initial"}, layout=ipw.Layout(width="auto"))
               for role in TX_ROLES}
    event_mapping = {role: ipw.Dropdown(options=[(tr("app.none"), "")], value="",
                                        description=tr(f"app.role.{role}"), style={"description_width": "initial"},
                                        layout=ipw.Layout(width="auto")) for role in EVENT_ROLES}
    message = ipw.HTML(layout=full)
    cleaning = ipw.HTML(layout=full)
    cleaning_box = ipw.Accordion(children=[cleaning], layout=full)
    cleaning_box.set_title(0, tr("app.cleaning"))
    cleaning_box.selected_index = None
    mapping_box = ipw.VBox([
        ipw.HTML(f"<b>{html.escape(tr('app.mapping'))}</b>"),
        ipw.GridBox(list(mapping.values()), layout=ipw.Layout(grid_template_columns="repeat(3, minmax(0, 1fr))",
                                                             grid_gap="4px 16px", width="100%")),
        ipw.HTML(f"<b>{html.escape(tr('app.mapping.events'))}</b>"),
        ipw.GridBox(list(event_mapping.values()),
                    layout=ipw.Layout(grid_template_columns="repeat(4, minmax(0, 1fr))", grid_gap="4px 16px",
                                      width="100%")),
        ipw.HBox([on_bad, load_button], layout=ipw.Layout(flex_flow="row wrap", grid_gap="8px")),
    ], layout=ipw.Layout(display="none", width="100%"))
    mapping_box.add_class("cvt-app-mapping")
    file_box = ipw.VBox([ipw.HBox([upload, path, read_button, ev_upload],
                                  layout=ipw.Layout(flex_flow="row wrap", align_items="center", grid_gap="8px")),
                         mapping_box], layout=ipw.Layout(display="none", width="100%"))

    tabs = ipw.Tab(children=[ipw.HTML(_html_message(tr("app.computing"))) for _ in TABS], layout=full)
    for i, key in enumerate(TABS):
        tabs.set_title(i, tr(f"app.tab.{key}"))
    tabs.add_class("cvt-app-tabs")
    views = {}
    fonts = ipw.HTML()  # the bundled Chinese font, filled in with the data (cutting it takes a moment)
    app = ipw.VBox([ipw.HTML(_CSS + f"<h2 style='margin:4px 0'>{html.escape(tr('app.title'))}</h2>"), fonts,
                    src, file_box, message, cleaning_box, tabs], layout=full)
    app.add_class("cvt-app")
    for name, w in {"source": src, "upload": upload, "path": path, "read-button": read_button,
                    "events-upload": ev_upload, "on-bad-rows": on_bad, "load-button": load_button,
                    "message": message, "cleaning": cleaning}.items():
        w.add_class(f"cvt-app-{name}")
    for role, w in {**mapping, **{f"event-{r}": w for r, w in event_mapping.items()}}.items():
        w.add_class(f"cvt-app-map-{role}")
    app.state, app.source, app.upload, app.path, app.read_button = state, src, upload, path, read_button
    app.mapping, app.event_mapping, app.on_bad_rows, app.load_button = mapping, event_mapping, on_bad, load_button
    app.message, app.cleaning, app.tabs, app.views, app.thread = message, cleaning, tabs, views, None
    app.timings = {}
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="cvt-app-"))

    # ------------------------------------------------------------------ tab views (the explorers)
    def view_for(key):
        """Build the widget of one tab from the state's (cached) analysis."""
        if key == "overview":
            def step(i, n, name, status, seconds, *rest):
                if status == "start":
                    tabs.children[0].value = _html_message(tr("app.step").format(name=name, step=i, n=n))
            return ipw.HTML(_overview_html(state.compute("overview", step)), layout=full)
        tx = state.transactions
        if key == "rfm":
            from .rfm_explorer import rfm_explorer
            return rfm_explorer(tx)
        if key == "cohorts":
            from .cohort_explorer import cohort_explorer
            return cohort_explorer(tx, state.attributes or None)
        if key == "lifecycle":
            from .lifecycle_browser import lifecycle_browser
            return lifecycle_browser(state.compute("lifecycle"))
        if key == "journey":
            if state.events is None:
                return ipw.HTML(_html_message(tr("app.no_events")), layout=full)
            from .journey_explorer import journey_explorer
            others = {k: v for k, v in state.attributes.items() if k != "channel"}
            return journey_explorer(state.events, others or None, state.channel)
        if key == "clv_scenarios":
            from .clv_scenario import clv_scenario_widget
            portfolio = state.compute("clv_scenarios")
            if portfolio is None:
                return ipw.VBox([ipw.HTML(_html_message(tr("app.no_channel"))), clv_scenario_widget()])
            return clv_scenario_widget(portfolio=portfolio)
        if key == "clv_models":
            from .model_explorer import model_explorer
            from ..report import ReportSettings

            bg, summary, gg = state.compute("clv_models")
            settings = ReportSettings()  # the same assumptions as the Overview's and the report's CLV
            monthly = (1 + settings.discount_rate) ** (1 / 12) - 1
            return model_explorer(bg, summary, tx, spend=gg, period="M", horizon=settings.horizon_months,
                                  discount_rate=round(monthly, 4), margin=settings.margin, currency=settings.currency)
        if key == "report":
            return report_view()
        raise UnknownNameError(f"unknown tab {key!r}; choose from {list(TABS)}")

    def report_view():
        lang_pick = ipw.ToggleButtons(options=[("English", "en"), ("中文", "zh")], value=lang or "en",
                                      description=tr("app.report.lang"), style={"description_width": "initial"})
        build = ipw.Button(description=tr("app.report.build"), button_style="primary", layout=ipw.Layout(width="auto"))
        out = ipw.HTML(layout=full)
        out.add_class("cvt-app-report-out")
        build.add_class("cvt-app-report-build")
        lang_pick.add_class("cvt-app-report-lang")

        def on_build(_):
            out.value = _html_message(tr("app.computing"))
            try:
                report = state.compute("overview") if lang_pick.value == (lang or "en") else None
                if report is None:
                    from ..report import build_report
                    report = build_report(state.transactions, state.events, nps=state.nps, progress=False,
                                          lang=lang_pick.value)
                out.value = (_html_message(tr("app.report.ready").format(
                    sections=len(report.sections), seconds=report.seconds), "ok") + _download_link(report))
            except ToolkitError as err:
                out.value = _html_message(str(err), "error")

        build.on_click(on_build)
        box = ipw.VBox([ipw.HBox([lang_pick, build], layout=ipw.Layout(flex_flow="row wrap", grid_gap="12px")), out],
                       layout=full)
        box.build_button, box.lang, box.output = build, lang_pick, out
        return box

    tab_locks = {key: threading.Lock() for key in TABS}  # one builder per tab; other tabs build meanwhile
    swapping = threading.Lock()

    def show(key):
        """Put the tab's view in place (built once; errors become a message, never a traceback).

        A tab the user opens is built at once, even while the background thread computes another one."""
        i = TABS.index(key)
        with tab_locks[key]:
            if key in views:
                return views[key]
            t0 = time.perf_counter()
            with warnings.catch_warnings(record=True) as caught:  # caveats go on the tab, not to stderr
                warnings.simplefilter("always")
                try:
                    view = view_for(key)
                except (ToolkitError, ValueError) as err:
                    view = ipw.HTML(_html_message(tr("app.failed").format(error=err), "error"), layout=full)
            notes = list(dict.fromkeys([*state.notes.get(key, []), *(str(w.message) for w in caught)]))
            if notes and key != "overview":  # the overview's caveats are in its findings
                items = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
                note = ipw.HTML(f'<details class="cvt-app-notes"><summary>{html.escape(tr("app.notes").format(n=len(notes)))}'
                                f'</summary><ul style="white-space:normal">{items}</ul></details>', layout=full)
                view = ipw.VBox([note, view], layout=full)
            view.add_class(f"cvt-app-view-{key.replace('_', '-')}")
            views[key] = view
            app.timings[key] = time.perf_counter() - t0
            with swapping:
                children = list(tabs.children)
                children[i] = view
                tabs.children = children
            return view

    def on_tab(change):
        if change["new"] is not None and state.transactions is not None:
            show(TABS[change["new"]])

    tabs.observe(on_tab, names="selected_index")

    def reset_tabs():
        views.clear()
        tabs.children = [ipw.HTML(_html_message(tr("app.computing"))) for _ in TABS]
        for i, key in enumerate(TABS):
            tabs.set_title(i, tr(f"app.tab.{key}"))

    def start():
        """Show the cleaning report and compute the open tab (and, ahead of time, the others)."""
        rep = state.transactions.report
        if not fonts.value:
            fonts.value = _font_css()
        message.value = _html_message(state.loaded_text, "ok")
        cleaning.value = rep._repr_html_()
        reset_tabs()
        first = TABS[tabs.selected_index or 0]
        order = [first] + [k for k in TABS if k != first]
        app.remove_class("cvt-app-ready")
        for key in order if background and prebuild else order[:1]:
            show(key)
        app.add_class("cvt-app-ready")  # every tab computed (a hook for tests and the benchmark)

    def load_source(name):
        message.value = _html_message(tr("app.loading").format(label=tr(f"app.source.{name}")))
        try:
            state.load(name)
        except ToolkitError as err:
            message.value = _html_message(str(err), "error")
            return
        start()

    def in_background(task, *args):
        """Run ``task`` in a thread (``background=True``) or now; a failure is shown, never lost."""
        def work():
            try:
                task(*args)
            except Exception as err:  # noqa: BLE001 - shown on the page: a background failure must not vanish
                message.value = _html_message(tr("app.failed").format(error=err), "error")

        if not background:
            task(*args)
            return
        app.thread = threading.Thread(target=work, name="cvt-app", daemon=True)
        app.thread.start()

    def set_options(dropdowns, columns, guess):
        opts = [(tr("app.none"), "")] + [(str(c), str(c)) for c in columns]
        for role, dd in dropdowns.items():
            dd.options = opts
            dd.value = guess.get(role) or ""

    def read_file(_=None):
        target = None
        if upload.value:
            item = upload.value[0]
            target = tmp / pathlib.Path(item["name"]).name
            target.write_bytes(bytes(item["content"]))
        elif path.value.strip():
            target = pathlib.Path(path.value.strip()).expanduser()
        if target is None:
            message.value = _html_message(tr("app.pick_file"))
            return
        try:
            guess = state.read_headers(target)
        except (OSError, ValueError, ToolkitError) as err:
            message.value = _html_message(f"{target.name}: {err}", "error")
            return
        set_options(mapping, state.raw.columns, guess)
        message.value = _html_message(tr("app.headers").format(name=target.name, n=len(state.raw.columns)))
        mapping_box.layout.display = "flex"

    def events_file():
        if not ev_upload.value:
            return None
        item = ev_upload.value[0]
        target = tmp / ("events-" + pathlib.Path(item["name"]).name)
        target.write_bytes(bytes(item["content"]))
        return target

    def on_events_upload(_):
        target = events_file()
        if target is None:
            return
        head = pd.read_csv(target, nrows=50) if target.suffix.lower() not in {".xlsx", ".xls"} \
            else pd.read_excel(target, nrows=50)
        set_options(event_mapping, head.columns, guess_columns(head.columns, EVENT_ROLES))

    def load_file(_=None):
        chosen = {role: dd.value or None for role, dd in mapping.items()}
        missing = [tr(f"app.role.{r}") for r in ("customer", "time") if not chosen[r]]
        if missing:
            message.value = _html_message(tr("app.need").format(roles=", ".join(missing)), "error")
            return
        if not chosen["amount"] and not (chosen["quantity"] and chosen["price"]):
            message.value = _html_message(tr("app.need_money"), "error")
            return
        ev_map = {role: dd.value or None for role, dd in event_mapping.items()}
        ev_path = events_file()
        message.value = _html_message(tr("app.loading").format(label=state.path.name))
        try:
            state.load_file(chosen, events_path=ev_path, event_mapping=ev_map, on_bad_rows=on_bad.value)
        except (ToolkitError, FileNotFoundError) as err:
            message.value = _html_message(str(err), "error")
            return
        in_background(start)

    def on_source(change):
        if change["new"] == "file":
            file_box.layout.display = "flex"
            return
        file_box.layout.display = "none"
        in_background(load_source, change["new"])

    src.observe(on_source, names="value")
    read_button.on_click(read_file)
    upload.observe(lambda _: read_file(), names="value")
    ev_upload.observe(on_events_upload, names="value")
    load_button.on_click(load_file)
    app.load_file, app.read_file = load_file, read_file

    if source and source != "file":
        in_background(load_source, source)
    else:
        file_box.layout.display = "flex"
        message.value = _html_message(tr("app.pick_file"))
    return app
