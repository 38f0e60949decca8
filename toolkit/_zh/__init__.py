"""The Chinese of the sentences the toolkit writes in English (issue #20): messages, results' texts, the report.

Labels shown by one module (column headers ``col.*``, categories ``val.*``, reprs' ``tr`` keys) are registered next
to that module's code. What lower layers write as English sentences -- error and warning messages, cleaning
reasons, lifecycle derivations and reasons, verdicts, KPI definitions, the report's sentences -- is translated
where it is shown (:func:`toolkit.i18n.localize`) from the entries here, one module per area, all in the one
catalogue of :mod:`toolkit.i18n`: exact texts (:func:`~toolkit.i18n.register_text`) and sentence patterns
(:func:`~toolkit.i18n.register_patterns`). Errors are raised in English (tests match them, logs keep them) and
translated by ``str(error)`` under ``set_language("zh")`` (:func:`toolkit.errors._localized`). Quoted names,
arguments (``on_bad_rows='drop'``), flags and example rows stay as they are: they are what the reader types or
looks for in the file.

This package imports only :mod:`toolkit.i18n` and :mod:`toolkit.formatting` (a leaf of the import graph), so that
any layer -- errors included -- can load it without an import circle.
"""

# Order matters where two areas translate the same sentence: patterns are tried in registration order and the
# first full match wins (exact texts: the last registration wins).
from . import errors_analyses, errors_clv, errors_data  # noqa: F401
from . import results_lessons  # noqa: F401  (headers of the columns the lessons build)
from . import results_data  # noqa: F401  (reprs and tables of the data, journey and report results)
from . import results_clv  # noqa: F401  (reprs, tables and verdicts of the CLV results)
from . import report  # noqa: F401  (the report's sentences; lifecycle reasons, KPI names and definitions)
