"""Small helpers shared by the widget views."""

from __future__ import annotations

import functools
import io

from .. import _zh  # noqa: F401  (Chinese text of the English sentences lower layers write)

#: Description style of every labelled control: the label takes the width its text needs, so it is never cut
#: with "…" (ipywidgets' default label is 80px wide, ``overflow: hidden; text-overflow: ellipsis``).
LABEL_STYLE = {"description_width": "initial"}

#: CSS shared by the explorers (an HTML widget holding a <style> element, added to each explorer's box):
#: ``cvt-wrap`` lets a Label or button wrap its text instead of cutting it with "…"; ``cvt-table`` cells wrap.
_CSS = """<style>
.cvt-wrap, .cvt-wrap .widget-label, .cvt-wrap .jupyter-widget-label, .cvt-wrap.widget-label,
.cvt-wrap.jupyter-widget-label {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
  height: auto !important; line-height: 1.45 !important; }
.cvt-table td, .cvt-table th { white-space: normal !important; overflow-wrap: anywhere; }
.cvt-explorer-root { max-width: 100%; overflow-x: auto; }
</style>"""


def labelled_options(values, labeller):
    """Dropdown options showing ``labeller(value)`` in Chinese: ``(label, value)`` pairs; the English view keeps
    the plain values (column and map names as the API spells them), as does a list whose labels are the values."""
    from ..i18n import get_language

    values = list(values)
    if get_language() == "en":
        return values
    labels = [labeller(v) for v in values]
    if all(str(lab) == str(v) for lab, v in zip(labels, values)):
        return values
    return list(zip(labels, values))


def attribute_label(name) -> str:
    """How a customer attribute offered in a "split by" menu is named: as given in English (the caller's own
    key), through the column catalogue in Chinese (``city_tier`` -> 城市等级; an unknown or Chinese name stays)."""
    from ..formatting import label
    from ..i18n import get_language

    if name is None or get_language() == "en":
        return name
    return label(name)


def figure_png(fig, dpi=80) -> bytes:
    """PNG bytes of a standalone matplotlib Figure (built by ``toolkit.plotting``), for an Image widget."""
    from ..plotting._texts import rendered

    rendered(fig)  # the language tests read the figure's words here, before they become pixels
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def add_setting_properties(cls, names):
    """Give a widget state class one read-only property per setting, reading ``self.settings[name]``."""
    for name in names:
        setattr(cls, name, property(lambda self, _n=name: self.settings[_n],
                                    doc=f"Current ``{name}`` setting (change it with update)."))


def explorer_outputs(ipw, prefix, box_class):
    """The output side of an explorer: message, figure image, table and the (still empty) outer VBox.

    Each carries the CSS class the browser tests look for (``cvt-<prefix>-message``, ``-figure``, ``-table``;
    the box ``box_class``); the box starts with ``n_redraws = 0`` and no ``figure``.
    """
    message = ipw.HTML()
    message.add_class(f"cvt-{prefix}-message")
    image = ipw.Image(format="png", layout=ipw.Layout(max_width="100%", height="auto"))  # shrinks on narrow pages
    image.add_class(f"cvt-{prefix}-figure")
    table = ipw.HTML()
    table.add_class(f"cvt-{prefix}-table")
    box = ipw.VBox()
    box.add_class(box_class)
    box.n_redraws = 0
    box.figure = None
    return message, image, table, box


class SyncGuard:
    """Marks the moments when a view sets its own controls, so that their observers ignore those changes.

    ``with guard:`` around the programmatic updates; observers return early while ``guard.on``.
    """

    def __init__(self):
        self.on = False

    def __enter__(self):
        self.on = True
        return self

    def __exit__(self, *exc):
        self.on = False
        return False


def wire_controls(controls, prefix, on_change, attach_to=None):
    """Name each control (``_cvt_name``, read by ``on_change``), give it the CSS class
    ``cvt-<prefix>-<name>`` (underscores as hyphens: a stable hook for the browser tests) and observe its value.
    With ``attach_to``, each control is also set as an attribute of that widget.
    """
    for name, ctl in controls.items():
        ctl._cvt_name = name
        ctl.add_class(f"cvt-{prefix}-{name.replace('_', '-')}")
        ctl.observe(on_change, names="value")
        if attach_to is not None:
            setattr(attach_to, name, ctl)


#: JupyterLab's (and Voila's) font variables: the explorers' fonts come through them, so that icon fonts (Font
#: Awesome) keep their own family -- never set ``font-family`` on ``*``.
FONT_VARIABLES = ("jp-ui-font-family", "jp-content-font-family", "jp-widgets-font-family")
#: In Chinese the bundled font comes first (as in the report): Latin text is drawn by its Latin glyphs too, and a
#: character outside its subset falls back to the page's own fonts. (Last in the list, after the page's fonts,
#: Chromium on Linux drew bold text, headings and table cells of the notebook with the system font's empty boxes:
#: the browser test caught it.)
_FALLBACK = ('system-ui, -apple-system, blinkmacsystemfont, "Segoe UI", helvetica, arial, sans-serif, '
             '"Apple Color Emoji", "Segoe UI Emoji", "Segoe UI Symbol"')
_CJK = r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]"


def _gb2312() -> str:
    """The 7,445 characters of GB 2312 (6,763 common hanzi, CJK punctuation and symbols): lesson text in Chinese."""
    chars = []
    for high in (*range(0xA1, 0xAA), *range(0xB0, 0xF8)):
        for low in range(0xA1, 0xFF):
            try:
                chars.append(bytes((high, low)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return "".join(chars)


@functools.lru_cache(maxsize=1)
def chinese_text() -> str:
    """The characters the bundled font is cut to: every CJK character the toolkit can write (the Chinese of the
    catalogue, :mod:`toolkit.i18n`, whole texts and patterns included, and of the package's sources, for patterns
    written as functions) plus GB 2312, so that a lesson's own Chinese text shows too. About 7,500 characters,
    1.7 MB (cut once, about 20 s, then read from the user's font cache)."""
    import pathlib
    import re

    from .. import i18n

    parts = [entry.get("zh", "") for entry in i18n._CATALOGUE.values()]
    parts += [entry.get("zh", "") for entry in i18n._TEXTS.values()]
    parts += [str(replacement) for _, replacement in i18n._PATTERNS.get("zh", ())]
    root = pathlib.Path(__file__).resolve().parents[1]
    for path in sorted(root.rglob("*.py")):
        try:
            parts.append(path.read_text(encoding="utf-8"))
        except OSError:
            pass
    return "".join(sorted(set(re.findall(_CJK, "".join(parts))) | set(_gb2312())))


@functools.lru_cache(maxsize=8)
def font_css(scope=":root:root", text=None) -> str:
    """``<style>`` blocks: ``@font-face`` of the bundled Noto Sans SC (:mod:`toolkit.report.fonts`, no CDN, no
    system font needed) cut to ``text`` (default :func:`chinese_text`), and JupyterLab's font variables on
    ``scope`` with that family as the last fallback. The default scope (the page root, doubled to outrank the
    theme's ``:root``) reaches every widget and the notebook's own text; the dashboard app passes its root class.
    Bold is synthesised by the browser (``font-synthesis: weight``); "" when the font package is missing.
    """
    from ..report.fonts import FONT_FAMILY, font_face_css

    face = font_face_css(chinese_text() if text is None else text)
    if not face:
        return ""
    face = face.replace('<style id="embedded-font">', '<style class="cvt-font">', 1)
    family = f'"{FONT_FAMILY}", {_FALLBACK}'
    # font_face_css also styles body/table/th/td/h1-h3 for the report page: in a notebook, keep the @font-face only
    face = face.split("\n", 1)[0] + "</style>\n" if "}\n" in face else face
    # "+" written as the CSS escape "\+" (the same URL to the browser): base64 never reads like "4e+7" to a
    # check for scientific notation in the page
    face = face.replace("+", "\\+")
    code = f'menlo, consolas, "DejaVu Sans Mono", "{FONT_FAMILY}", monospace'  # code keeps its monospace Latin
    return face + (f"<style class='cvt-font-vars'>{scope} {{ " + "".join(f"--{v}: {family}; " for v in FONT_VARIABLES)
                   + f"--jp-code-font-family: {code}; font-synthesis: weight; }}"
                   # form controls take the browser's own font, not the inherited one (their icons keep theirs)
                   + ", ".join(f"{scope} .jupyter-widgets {tag}" for tag in ("button", "select", "input", "textarea"))
                   + " { font-family: var(--jp-widgets-font-family); }</style>")


def write_lab_css(folder) -> str:
    """Write ``custom.css`` for JupyterLab into ``folder``: the bundled Chinese font for the whole Lab page (lesson
    Markdown, code, file browser, outputs), before any kernel runs. ``make lab`` serves it with
    ``--LabApp.custom_css=True`` from a folder inside the virtual environment (the user's own Jupyter settings are
    untouched). Returns the file's path; writes an empty file when the font package is missing."""
    import pathlib
    import re

    path = pathlib.Path(folder) / "custom.css"
    path.parent.mkdir(parents=True, exist_ok=True)
    css = re.sub(r"</?style[^>]*>", "\n", font_css()).strip()
    path.write_text("/* Customer Value Toolkit: the bundled Noto Sans SC for Chinese text (make lab) */\n" + css + "\n",
                    encoding="utf-8")
    return str(path)


_FONT_WIDGET = {}


def font_widget(ipw):
    """One hidden HTML widget per kernel holding :func:`font_css`, shared by every explorer (the font's ~2 MB
    travel to the browser once; each explorer shows a view of the same model, so clearing one output keeps the
    font for the others)."""
    widget = _FONT_WIDGET.get("zh")
    if widget is None or getattr(widget, "comm", None) is None:  # none yet, or closed
        widget = ipw.HTML(value=font_css(), layout=ipw.Layout(display="none"))
        widget.add_class("cvt-stylesheet")
        widget.add_class("cvt-font-face")
        _FONT_WIDGET["zh"] = widget
    return widget


def stylesheet(ipw):
    """The hidden widget carrying the explorers' CSS (``cvt-wrap``, ``cvt-table``); in Chinese a box of it and
    the shared :func:`font_widget` (the bundled font); put it in the explorer's box."""
    from ..i18n import get_language

    css = ipw.HTML(value=_CSS, layout=ipw.Layout(display="none"))
    css.add_class("cvt-stylesheet")
    if get_language() == "zh" and font_css():
        box = ipw.VBox([css, font_widget(ipw)], layout=ipw.Layout(display="none"))
        box.add_class("cvt-stylesheet")
        return box
    return css


def wrapping_label(ipw, value=""):
    """A Label whose text wraps instead of ending in "…" (class ``cvt-wrap``), with the full text as tooltip."""
    lab = ipw.Label(value=value, tooltip=value, layout=ipw.Layout(width="auto", max_width="100%"))
    lab.add_class("cvt-wrap")
    return lab


def auto_button(ipw, description, **kwargs):
    """A Button as wide as its text (the default is 148px, which cuts longer texts with "…"), text as tooltip."""
    return ipw.Button(description=description, tooltip=description, layout=ipw.Layout(width="auto"), **kwargs)


def row(ipw, children):
    """An HBox whose controls wrap onto the next line when the page is narrow (never wider than the page)."""
    return ipw.HBox(list(children), layout=ipw.Layout(flex_flow="row wrap", max_width="100%"))


class FigureAndTables:
    """A figure (PNG) above HTML tables, without the display protocol of an ``Output`` widget.

    An ``Output`` widget only captures what is displayed in the kernel's current request, so a view drawn from a
    background thread (the dashboard app computes its tabs ahead of time) or before the page connects would stay
    empty; setting widget values works from anywhere. ``box`` (a VBox) is what goes in the layout; the image is
    hidden until it has a picture (never a broken-image icon).
    """

    def __init__(self, ipw):
        self.image = ipw.Image(format="png", layout=ipw.Layout(display="none", max_width="100%", height="auto"))
        self.tables = ipw.HTML()
        self.box = ipw.VBox([self.image, self.tables])

    def show(self, png=None, tables=""):
        if png:
            self.image.value = png
            self.image.layout.display = None
        else:
            self.image.layout.display = "none"
        self.tables.value = tables
