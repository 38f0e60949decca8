"""Report section: data validation (the cleaning report, rows and money)."""

from __future__ import annotations

from ...i18n import tr
from ..base import ReportContext, Section
from ..format import _money_fmt


# ---------------------------------------------------------------------------------------------- data
def section_data(ctx: ReportContext) -> Section:
    """Data validation: the CleaningReport (rows in = kept + dropped by reason), customers and period."""
    tx = ctx.transactions
    rep = tx.report
    sec = Section("data", tr("report.section.data", "Data validation"), intro=tr(
        "report.intro.data",
        "Every row of the export and its money is accounted for: rows in = rows kept + rows dropped, and money in "
        "= money kept + money dropped, by reason."))
    lost = (rep.money_in - rep.money_kept) + max(rep.cancelled_later, 0.0)
    share = lost / rep.money_in if rep.money_in else 0.0
    sec.intro += " " + (tr("report.sowhat.data.loss",
                           "{share} of the money ({amount}) was dropped, netted or cancelled, so every later number "
                           "rests on the remaining {kept_share}.") if lost > 0 else
                        tr("report.sowhat.data.clean",
                           "All {rows} rows and all the money were kept, so every later number rests on the whole "
                           "export.")).format(share=f"{share:.1%}", amount=_money_fmt(ctx, 2).format(lost),
                                              kept_share=f"{1 - share:.1%}", rows=f"{rep.rows_in:,}")
    sec.add_number("rows_in", "rows in", rep.rows_in)
    sec.add_number("rows_kept", "rows kept", rep.rows_kept)
    sec.add_number("rows_dropped", "rows dropped", rep.rows_dropped)
    for reason, count in rep.dropped.items():
        sec.numbers[f"dropped: {reason}"] = float(count)
    sec.add_number("customers", "customers", tx.n_customers)
    sec.add_number("revenue", "revenue", float(tx.frame["amount"].sum()), _money_fmt(ctx))
    first = tx.frame["timestamp"].min()
    sec.headline.append(("period", f"{first:%Y-%m-%d} {tr('report.to', 'to')} {tx.observation_end:%Y-%m-%d}"))
    sec.add_number("money_in", "money in the export", rep.money_in, _money_fmt(ctx, 2))
    sec.add_number("money_kept", "money kept", rep.money_kept, _money_fmt(ctx, 2))
    if rep.cancelled_later > 0:
        sec.add_number("cancelled_later", "kept revenue cancelled later (refunds dropped)", rep.cancelled_later,
                       _money_fmt(ctx, 2))
    # the cleaning report's "action" is what was done to the rows, not advice
    sec.tables["rows in = kept + dropped"] = rep.summary.rename(columns={"action": "handling"}).set_index("reason")
    if rep.suspect_items is not None and len(rep.suspect_items):
        sec.tables["kept lines that look like non-product lines"] = rep.suspect_items.head(15)
    for reason, ex in rep.examples.items():
        sec.tables[f"examples: {reason}"] = ex.head(5)
    for note in rep.notes:
        sec.note(note)
    if not rep.balanced:  # pragma: no cover - Transactions guarantees it
        sec.note("The cleaning report does not balance: please report this as a bug.")
    return sec


