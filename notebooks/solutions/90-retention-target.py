# Solution to 90 · exercise "one more target": retention rate at least 60%.
retention_board = build_report(tx, targets={"retention_rate": 0.6}, sections=["kpis"], progress=False).kpi_board
retention_gap = retention_board.loc["retention_rate", "gap"]
retention_gap
