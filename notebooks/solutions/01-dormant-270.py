# Solution to 01 · exercise "a stricter dormant rule": dormant only after 270 days without a purchase.
tiers_270 = rfm.value_tiers(tx, dormant_days=270)
n_dormant_270 = int((tiers_270["tier"] == "dormant").sum())
n_dormant_270
