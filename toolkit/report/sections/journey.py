"""Report section: the customer journey (needs an event log)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...i18n import get_language, tr
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
    sec = Section("journey", tr("report.section.journey", "Customer journey"), intro=tr(
        "report.intro.journey",
        "The course's five customer-management processes (reach, acquisition, conversion, retention, win-back) "
        "from the event log: customers reaching each stage, conversion, time in each stage, stage KPIs and NPS."))
    if ctx.events is None:
        sec.status = "skipped"
        sec.note(tr("report.skip.journey", "No event log given (events=..., --events): section skipped."))
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
    gaps = board.gaps
    drops = gaps[gaps["kind"] == "drop-off"] if "kind" in gaps.columns else gaps.iloc[:0]
    if len(drops):
        # stage names as the reader sees them: "win-back" in English, the journey's labels in another language
        stage_name = (lambda x: str(x).replace("_", "-")) if get_language() == "en" else journey._name
        ctx.cache["journey_gap"] = (stage_name(drops["where"].iloc[0]), float(drops["value"].iloc[0]))
        sec.intro += " " + tr(
            "report.sowhat.journey",
            "{overall} of customers who enter at {first} get to {last}, and the biggest drop-off is at {stage} "
            "({share} lost there): that stage is where the journey leaks most.").format(
            overall=f"{table['overall_conversion'].iloc[-1]:.0%}", first=stage_name(table.index[0]),
            last=stage_name(table.index[-1]),
            stage=ctx.cache["journey_gap"][0], share=f"{ctx.cache['journey_gap'][1]:.0%}")
    if ctx.nps is not None:
        from ..kpis import nps_definitions

        result = journey.nps(ctx.nps)
        defs = nps_definitions(ctx)  # one computation per definition, shared with the KPI board
        for key, number in (("all", "nps"), ("window", "nps_window")):
            sec.add_number(number, defs.loc[key, "label"], defs.loc[key, "nps"], "{:+.1f}")
        sec.numbers["nps_window_answers"] = float(defs.loc["window", "answers"])
        sec.tables["NPS by definition"] = defs
        sec.add_figure("NPS", lambda ax: journey_plots.plot_nps(result, ax=ax), figsize=(6.5, 3.2))
    sec.add_figure("journey board", lambda ax: journey_plots.plot_journey_board(board, ax=ax), figsize=(10, 5.5))
    sec.add_figure("stage funnel", lambda ax: journey_plots.plot_funnel(funnel, ax=ax), figsize=(7, 4))
    sec.tables["journey board"] = board.grid.copy()
    sec.tables["journey board"].attrs["orient"] = "rows"  # rows are measures: customers, rates, days, money
    sec.tables["biggest gaps"] = board.gaps
    table.attrs["time_unit"] = funnel.time_unit
    sec.tables["stage funnel (loose order)"] = table
    sec.tables["stage KPIs"] = kpis.table
    if kpis.by_channel is not None and len(kpis.by_channel):
        sec.tables["KPIs by acquisition channel"] = kpis.by_channel
    return sec


