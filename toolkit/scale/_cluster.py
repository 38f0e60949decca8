"""Where the work runs: the Dask client (or the local scheduler), computing with a progress display."""

from __future__ import annotations

import contextlib
import logging

import dask

__all__ = ["get_client", "compute", "persist", "dashboard_link"]

_log = logging.getLogger("toolkit.scale")
_CLIENTS = {}  # scheduler address -> Client opened by us (reused, never closed behind the caller's back)


def get_client(client=None):
    """The ``distributed.Client`` to run on, or None for Dask's local scheduler.

    Parameters
    ----------
    client : distributed.Client, str or None
        A client; a scheduler address such as ``"tcp://10.0.0.5:8786"`` (a client is opened once per
        address and reused); or None: the current default client when one exists (``Client(...)`` makes
        itself the default), else None (Dask's local threaded scheduler).
    """
    if client is None:
        try:
            from distributed import default_client
        except ImportError:  # pragma: no cover - distributed is installed with the dask extra
            return None
        try:
            return default_client()
        except ValueError:
            return None
    if isinstance(client, str):
        if client not in _CLIENTS:
            from distributed import Client

            _CLIENTS[client] = Client(client, set_as_default=False)
        return _CLIENTS[client]
    return client


def dashboard_link(client=None):
    """Address of the Dask diagnostics dashboard (task stream, memory per worker), or None locally."""
    client = get_client(client)
    return getattr(client, "dashboard_link", None) if client is not None else None


def _progress_context(show):
    if not show:
        return contextlib.nullcontext()
    from dask.diagnostics import ProgressBar

    return ProgressBar(minimum=1.0)


def compute(*collections, client=None, progress=True):
    """Compute Dask collections (DataFrames, Delayed) on ``client``; returns the results in order.

    Parameters
    ----------
    *collections
        Dask collections; other objects are returned as they are.
    client : distributed.Client, str or None
        See :func:`get_client`.
    progress : bool, default True
        Show progress: Dask's text progress bar on the local scheduler (for runs longer than a second); on a
        cluster, ``distributed.progress`` (a widget in Jupyter, a text bar in a terminal). The dashboard
        address is logged on the ``toolkit.scale`` logger and returned by :func:`dashboard_link`.
    """
    client = get_client(client)
    if client is None:
        with _progress_context(progress):
            return dask.compute(*collections)
    futures = client.compute(list(collections))
    if progress:
        from distributed import progress as show_progress

        _log.info("Dask dashboard: %s", client.dashboard_link)
        show_progress(futures)
    return tuple(client.gather(futures))


def persist(*collections, client=None, progress=True):
    """Persist Dask collections in (cluster) memory; computes shared tasks once. Returns them in order.

    On a cluster this returns at once (work continues in the background, shown by the progress display);
    on the local scheduler it blocks until done.
    """
    client = get_client(client)
    if client is None:
        with _progress_context(progress):
            return dask.persist(*collections)
    out = client.persist(list(collections))
    if progress:
        from distributed import progress as show_progress

        _log.info("Dask dashboard: %s", client.dashboard_link)
        show_progress(out)
    return tuple(out)
