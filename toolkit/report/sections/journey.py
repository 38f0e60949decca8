"""Report section: the customer journey (needs an event log)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...i18n import tr
from ..base import ReportContext, Section


def _match_ids(ids, reference):
    """Customer ids converted to the type of the transaction log's ids (text vs numbers), so that an event log or
    survey read from another file joins on the same customers."""
    ref_text = np.asarray(reference).dtype.kind in "OUS"
    values = pd.Series(ids)
    if ref_text and values.dtype.kind in "iuf":
        as_int = pd.to_numeric(values, errors="coerce")
        if (as_int.dropna() % 1 == 0).all():
            values = as_int.astype("Int64")
        return values.astype("string").astype(object).where(values.notna(), None)
    if not ref_text and (values.dtype.kind in "OUS" or isinstance(values.dtype, pd.StringDtype)):
        num = pd.to_numeric(values, errors="coerce")
        if num.notna().sum() == values.notna().sum():
            return num
    return values


def _events_for_journey(ctx, sec):
    """The event log as ``toolkit.Events`` (built once, bad rows dropped and reported)."""
    from ...data import Events, as_events

    if isinstance(ctx.events, Events):
        return ctx.events
    if "journey_events" not in ctx.cache:
        frame = ctx.events.assign(customer_id=_match_ids(ctx.events["customer_id"], ctx.transactions.customer_ids))
        cols = frame.columns
        ev = as_events(frame, customer="customer_id", time="timestamp", event="event",
                       channel="channel" if "channel" in cols else None, order="order_id" if "order_id" in cols else None,
                       on_bad_rows="drop")
        ctx.cache["journey_events"] = ev
        rep = ev.report
        sec.note(f"Event log: {rep.rows_in:,} rows in = {rep.rows_kept:,} kept + {rep.rows_dropped:,} dropped"
                 + "".join(f"; {n:,} {reason}" for reason, n in rep.dropped.items()) + ".")
    return ctx.cache["journey_events"]


def section_journey(ctx: ReportContext) -> Section:
    """Journey-map board of the course's five processes, the stage funnel, the stage KPIs and NPS.

    Needs an event log (``customer_id, timestamp, event``, optionally ``channel`` and ``order_id``) whose event
    names follow the ``"five_processes"`` journey map of :mod:`toolkit.journey` (ad_impression, visit, sign_up,
    trial, purchase, repurchase, referral, support_contact, complaint, winback_offer); other names are reported
    as unmapped.
    """
    sec = Section("journey", tr("report.section.journey", "Customer journey"), intro=(
        "The course's five customer-management processes (reach, acquisition, conversion, retention, win-back) "
        "from the event log: how many customers reach each stage, the conversion between stages, the time spent "
        "in each, the stage KPIs and the biggest gaps; plus NPS from the survey answers."))
    if ctx.events is None:
        sec.status = "skipped"
        sec.note("No event log given (events=...): section skipped.")
        return sec
    from ... import journey
    from ...plotting import journey as journey_plots

    s = ctx.settings
    ev = _events_for_journey(ctx, sec)
    unmapped = journey.check_map(ev, journey.journey_map("five_processes"))
    if len(unmapped):
        sec.tables["event names and their stage"] = unmapped
    funnel = journey.funnel(ev, journey_map="five_processes", order="loose")
    nps_scores = ctx.nps if ctx.nps is not None and "customer_id" in ctx.nps.columns else None
    kpis = journey.stage_kpis(ev, transactions=ctx.transactions, nps_scores=nps_scores, margin=s.margin,
                              churn_window=s.churn_window_days)
    board = journey.journey_board(ev, kpis=kpis)
    table = funnel.table
    sec.add_number("entered", f"customers entering at {table.index[0]}", table["customers"].iloc[0])
    sec.add_number("overall_conversion", f"{table.index[0]} to {table.index[-1]}", table["overall_conversion"].iloc[-1], "{:.1%}")
    if ctx.nps is not None:
        result = journey.nps(ctx.nps)
        sec.add_number("nps", "NPS (all answers)", result.table["nps"].iloc[0], "{:+.1f}")
        sec.add_figure("NPS", lambda ax: journey_plots.plot_nps(result, ax=ax), figsize=(6.5, 3.2))
    sec.add_figure("journey board", lambda ax: journey_plots.plot_journey_board(board, ax=ax), figsize=(10, 5.5))
    sec.add_figure("stage funnel", lambda ax: journey_plots.plot_funnel(funnel, ax=ax), figsize=(7, 4))
    sec.tables["journey board"] = board.grid
    sec.tables["biggest gaps"] = board.gaps
    sec.tables["stage funnel (loose order)"] = table
    sec.tables["stage KPIs"] = kpis.table
    if kpis.by_channel is not None and len(kpis.by_channel):
        sec.tables["KPIs by acquisition channel"] = kpis.by_channel
    return sec


