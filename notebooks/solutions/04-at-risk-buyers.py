# Solution to 04 · exercise "buyers at risk": frequent buyers (>= 2 repeat days) with BG/NBD P(alive) below 0.5.
p_alive = bg.p_alive(split)
n_at_risk = int(((split["frequency"] >= 2) & (p_alive < 0.5)).sum())
n_at_risk
