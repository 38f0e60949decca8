"""Typed errors and warnings of the toolkit.

Every message says what is wrong, where (column, count, example rows) and how to fix it.
"""

from __future__ import annotations

__all__ = [
    "ScenarioError",
    "ToolkitError",
    "SchemaError",
    "FileFormatError",
    "OutputPathError",
    "DataQualityError",
    "ConvergenceError",
    "NotFittedError",
    "ParameterError",
    "UnitMismatchError",
    "UnknownNameError",
    "DataQualityWarning",
    "ConvergenceWarning",
    "BinningWarning",
]


def _localized(text: str) -> str:
    """``text`` in the language chosen with :func:`toolkit.set_language`: messages are written in English at the
    raise site and translated when shown (``str(error)``), so ``pytest.raises(match=...)`` and logs stay English
    while a Chinese notebook shows Chinese. The translations live in :mod:`toolkit._zh` (loaded on first use)."""
    from .i18n import get_language, localize

    if get_language() == "en":
        return text
    from . import _zh  # noqa: F401  (registers the Chinese of the messages)

    return localize(text)


class ToolkitError(Exception):
    """Base class of every error raised by the toolkit on purpose.

    ``str(error)`` is the message in the current language (:func:`toolkit.set_language`); ``error.message`` is the
    English it was raised with.
    """

    @property
    def message(self) -> str:
        return super().__str__()

    def __str__(self) -> str:
        return _localized(super().__str__())


class SchemaError(ToolkitError, ValueError):
    """A column is missing, misnamed, duplicated or of a type that cannot be used."""


class FileFormatError(SchemaError):
    """A file cannot be read as a table: wrong separator, broken quoting, another encoding, no header row.

    Attributes
    ----------
    path : str
        The file.
    line : int or None
        1-based line of the file where reading failed, when known.
    expected, found : int or None
        Fields the header has and fields the failing line has, for a field-count mismatch.
    """

    def __init__(self, message, *, path=None, line=None, expected=None, found=None):
        super().__init__(message)
        self.path = path
        self.line = line
        self.expected = expected
        self.found = found


class OutputPathError(ToolkitError, ValueError):
    """An output path cannot be written: a folder, a missing folder, or no permission. Checked before computing."""


class DataQualityError(ToolkitError, ValueError):
    """Rows break a rule of the data contract (NaN keys, returns, duplicates, dates after the end...).

    Attributes
    ----------
    column : str or None
        The column the rule is about.
    count : int
        How many rows break it.
    examples : pandas.DataFrame or None
        The first offending rows, as they were given.
    """

    def __init__(self, message, *, column=None, count=0, examples=None):
        super().__init__(message)
        self.column = column
        self.count = count
        self.examples = examples


class ConvergenceError(ToolkitError, RuntimeError):
    """An optimiser did not converge; the message says what to try."""


class NotFittedError(ToolkitError, AttributeError):
    """A model was used before ``fit``."""


class ParameterError(ToolkitError, ValueError):
    """A setting passed to a public function (horizon, rate, margin, window...) is out of its range.

    Attributes
    ----------
    parameter : str
        The parameter's own name, as the caller spelled it.
    value : object
        The value that was refused.
    """

    def __init__(self, message, *, parameter=None, value=None):
        super().__init__(message)
        self.parameter = parameter
        self.value = value


class ScenarioError(ToolkitError, ValueError):
    """Scenario parameters that would give an infinite or meaningless value (CLV, delivered value)."""


class UnitMismatchError(ToolkitError, ValueError):
    """Inputs that must share a time unit or a customer index do not (a model in weeks, a summary in days;
    a spend Series whose customers are not the summary's)."""


class UnknownNameError(ToolkitError, KeyError):
    """A name that is not there was asked for (a customer, a KPI, a section, a setting); the message lists what
    exists.

    A ``KeyError``, so ``except KeyError`` and ``pytest.raises(KeyError)`` keep working; unlike a plain
    ``KeyError``, ``str(error)`` is the message itself (not its quoted repr), in the current language.
    """

    @property
    def message(self) -> str:
        return Exception.__str__(self)  # KeyError.__str__ would quote it: "'unknown KPI ...'"

    def __str__(self) -> str:
        return _localized(self.message)


class DataQualityWarning(UserWarning):
    """Data were usable but something deserves a look (collapsed bins, zero amounts...).

    Shown in the current language, like :class:`ToolkitError`."""

    def __str__(self) -> str:
        return _localized(super().__str__())


class BinningWarning(DataQualityWarning):
    """Quantile scoring produced fewer distinct scores than asked because of ties."""


class ConvergenceWarning(RuntimeWarning):
    """An optimiser stopped early or at a bound; results may be unreliable. Shown in the current language."""

    def __str__(self) -> str:
        return _localized(super().__str__())
