"""Slow, obviously correct reference implementations, one section per analysis.

Kernels are compared with these on random inputs (hypothesis). Keep them plain pandas / Python.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# --- summary ---

DAYS = {"D": 1.0, "W": 7.0, "M": 365.2425 / 12.0}


def customer_summary(frame, observation_end, time_unit="D"):
    """Reference per-customer summary from a canonical frame (customer_id, timestamp, amount[, ...]).

    Written as a plain loop over customers with pandas, following the definitions in the docstring of
    ``toolkit.customer_summary`` (distinct purchase days, lifetimes semantics).
    """
    end = pd.Timestamp(observation_end).normalize()
    scale = DAYS[time_unit]
    rows = {}
    for cid, g in frame.groupby("customer_id", sort=True):
        g = g[g["timestamp"].dt.normalize() <= end].sort_values("timestamp", kind="stable")
        if g.empty:
            continue
        days = g["timestamp"].dt.normalize()
        distinct = sorted(days.unique())
        first = distinct[0]
        freq = len(distinct) - 1
        repeat_spend = g.loc[days > first, "amount"].sum()
        gaps = [(b - a).days for a, b in zip(distinct[:-1], distinct[1:])]
        n_orders = g["order_id"].nunique() if "order_id" in g else len(g)
        row = {
            "frequency": freq,
            "recency": (distinct[-1] - first).days / scale,
            "T": (end - first).days / scale,
            "monetary_value": repeat_spend / freq if freq else 0.0,
            "n_orders": n_orders,
            "n_days": len(distinct),
            "revenue": g["amount"].sum(),
            "first_purchase": g["timestamp"].iloc[0],
            "last_purchase": g["timestamp"].iloc[-1],
            "since_last": (end - distinct[-1]).days / scale,
            "ipt_mean": np.mean(gaps) / scale if gaps else np.nan,
            "ipt_cv": (np.std(gaps, ddof=1) / np.mean(gaps)) if len(gaps) >= 2 else np.nan,
        }
        if "category" in g:
            row["breadth"] = g["category"].dropna().nunique()
        if "quantity" in g:
            row["depth"] = g["quantity"].sum() / n_orders
        else:
            row["depth"] = len(g) / n_orders
        if "discount" in g:
            if "order_id" in g:
                row["discount_share"] = g.loc[g["discount"] > 0, "order_id"].nunique() / n_orders
            else:
                row["discount_share"] = (g["discount"] > 0).sum() / n_orders
        row["tenure_days"] = float((end - first).days)
        rows[cid] = row
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "customer_id"
    return out


def pandas_summary_recipe(raw, customer, time, amount, observation_end, time_unit="D"):
    """The plain pandas groupby recipe an analyst would write (vectorised, same semantics); used by benches."""
    end = pd.Timestamp(observation_end).normalize()
    scale = DAYS[time_unit]
    d = pd.DataFrame({"c": raw[customer].to_numpy(), "day": pd.to_datetime(raw[time]).dt.normalize(),
                      "a": raw[amount].to_numpy()})
    d = d[d["day"] <= end]
    per_day = d.groupby(["c", "day"], sort=True)["a"].sum().reset_index()
    g = per_day.groupby("c")
    first = g["day"].transform("min")
    per_day["repeat"] = np.where(per_day["day"] > first, per_day["a"], 0.0)
    agg = per_day.groupby("c").agg(n_days=("day", "size"), first=("day", "min"), last=("day", "max"),
                                   revenue=("a", "sum"), repeat=("repeat", "sum"))
    out = pd.DataFrame(index=agg.index)
    out["frequency"] = agg["n_days"] - 1
    out["recency"] = (agg["last"] - agg["first"]).dt.days / scale
    out["T"] = (end - agg["first"]).dt.days / scale
    out["monetary_value"] = np.where(out["frequency"] > 0, agg["repeat"] / out["frequency"].clip(lower=1), 0.0)
    out["revenue"] = agg["revenue"]
    out["since_last"] = (end - agg["last"]).dt.days / scale
    return out


# --- rfm ---


def rfm_quantile_scores(values, bins, reverse=False):
    """Quantile scores by minimum rank: ``1 + floor(bins * (rank_min - 1) / n)``.

    Ties share the score of their lowest rank (i.e. the lower score). ``reverse`` scores ``-values``
    (smaller value = higher score), as RFM does for ``since_last``.
    """
    s = pd.Series(np.asarray(values, dtype=float))
    if reverse:
        s = -s
    n = len(s)
    ranks = s.rank(method="min").to_numpy()
    return np.array([1 + (bins * (int(r) - 1)) // n for r in ranks], dtype=np.int64)


def rfm_threshold_scores(values, cuts, reverse=False):
    """Right-closed bins ``(cut[s-1], cut[s]]`` via ``pd.cut``; reversed for recency."""
    edges = [-np.inf, *cuts, np.inf]
    codes = pd.cut(pd.Series(np.asarray(values, dtype=float)), edges, right=True, labels=False).to_numpy()
    scores = codes.astype(np.int64) + 1
    return (len(cuts) + 2 - scores) if reverse else scores


def rfm_segments(scores, rules, other="unclassified"):
    """First rule (in table order) whose inclusive ranges contain the customer's scores, by a plain loop."""
    out = []
    for _, row in scores.iterrows():
        label = other
        for _, rule in rules.iterrows():
            ok = True
            for d in ("r", "f", "m"):
                lo, hi = rule.get(f"{d}_min"), rule.get(f"{d}_max")
                if lo is None or pd.isna(lo):
                    continue
                if not lo <= row[f"{d}_score"] <= hi:
                    ok = False
            if ok:
                label = rule["segment"]
                break
        out.append(label)
    return out


def gini(values):
    """Gini coefficient as the mean absolute difference over twice the mean (O(n^2))."""
    x = np.asarray(values, dtype=float)
    n = len(x)
    return float(np.abs(x[:, None] - x[None, :]).sum() / (2 * n * n * x.mean()))


def top_share(values, fraction):
    """Revenue share of the ceil(fraction * n) largest customers."""
    x = sorted(np.asarray(values, dtype=float), reverse=True)
    k = int(np.ceil(fraction * len(x) - 1e-9))
    return sum(x[:k]) / sum(x)


# --- scenario ---


def scenario_current_value(revenue, margin, retention, discount, horizon, growth, cost):
    """Course current value per customer by a plain Python loop over customers and years.

    current = sum_{t=1..H} (R m (1+g)**(t-1) - c) r**t / (1+d)**t; an infinite horizon uses the
    geometric-series limits (inf when the series diverges). Returns (current, factor_g, factor).
    """
    cur, fac_g, fac = [], [], []
    for R, m, r, d, h, g, c in zip(revenue, margin, retention, discount, horizon, growth, cost):
        q = r / (1.0 + d)
        if h == float("inf"):
            a = q / (1.0 - q) if q < 1.0 else float("inf")
            ag = q / (1.0 - (1.0 + g) * q) if (1.0 + g) * q < 1.0 else float("inf")
        else:
            a = sum(q**t for t in range(1, int(h) + 1))
            ag = sum((1.0 + g) ** (t - 1) * q**t for t in range(1, int(h) + 1))
        fac.append(a)
        fac_g.append(ag)
        with np.errstate(invalid="ignore"):  # inf - inf (divergent growth series with a cost) is NaN, as in the kernel
            cur.append((R * m * ag if R * m != 0 else 0.0) - (c * a if c != 0 else 0.0))
    return np.array(cur, dtype=float), np.array(fac_g, dtype=float), np.array(fac, dtype=float)


def scenario_current_value_numpy(revenue, margin, retention, discount, horizon, growth, cost):
    """The same with vectorised NumPy (a years x customers loop, finite horizons only): the benchmark baseline."""
    revenue, margin, retention, discount, horizon, growth, cost = (
        np.asarray(x, dtype=float) for x in (revenue, margin, retention, discount, horizon, growth, cost))
    q = retention / (1.0 + discount)
    a = np.zeros_like(q)
    ag = np.zeros_like(q)
    for t in range(1, int(horizon.max()) + 1 if horizon.size else 1):
        live = horizon >= t
        w = q**t
        a += np.where(live, w, 0.0)
        ag += np.where(live, (1.0 + growth) ** (t - 1) * w, 0.0)
    return revenue * margin * ag - cost * a, ag, a


def scenario_current_value_pandas(frame):
    """Pandas baseline: one row per customer x year (explode), then a groupby sum. Finite horizons only.

    ``frame`` has columns revenue, margin, retention, discount, horizon, growth, cost.
    """
    long = frame.assign(t=[np.arange(1, int(h) + 1) for h in frame["horizon"]]).explode("t")
    long = long.dropna(subset=["t"])
    t = long["t"].astype(float)
    w = (long["retention"] / (1.0 + long["discount"])) ** t
    pv = (long["revenue"] * long["margin"] * (1.0 + long["growth"]) ** (t - 1.0) - long["cost"]) * w
    return pv.groupby(level=0).sum().reindex(frame.index, fill_value=0.0)


# --- models ---
# Plain scipy.special one-liners of the BTYD formulas (papers cited in toolkit/_kernels/likelihoods.py),
# written directly from the published expressions, without log-space tricks. One customer at a time.

from scipy import special as _sp  # noqa: E402


def _hyp2f1(a, b, c, z):
    """scipy's 2F1; where it gives NaN (it does for c - a - b a whole number and z near 1, e.g.
    2F1(9.504, 5; 15.504; 0.9975)), the Gauss series [AS64] 15.1.1 summed term by term (a, b, c > 0, 0 <= z < 1)."""
    value = _sp.hyp2f1(a, b, c, z)
    if np.isfinite(value):
        return value
    term, total, n = 1.0, 1.0, 0
    while n < 10_000_000:
        ratio = (a + n) * (b + n) / ((c + n) * (n + 1)) * z
        term *= ratio
        total += term
        n += 1
        if ratio < 1 and term * ratio / (1 - ratio) < 1e-17 * total:
            break
    return total


def bgnbd_loglik(r, alpha, a, b, x, tx, T, modified=False):
    """BG/NBD (Fader, Hardie & Lee 2005) or MBG/NBD (Batislam et al. 2007) log-likelihood of one customer."""
    A = _sp.gamma(r + x) * alpha ** r / (_sp.gamma(r) * (alpha + T) ** (r + x))
    C = _sp.gamma(r + x) * alpha ** r / (_sp.gamma(r) * (alpha + tx) ** (r + x))
    if modified:
        L = _sp.beta(a, b + x + 1) / _sp.beta(a, b) * A + _sp.beta(a + 1, b + x) / _sp.beta(a, b) * C
    else:
        L = _sp.beta(a, b + x) / _sp.beta(a, b) * A + (x > 0) * _sp.beta(a + 1, b + x - 1) / _sp.beta(a, b) * C
    return float(np.log(L))


def bgnbd_p_alive(r, alpha, a, b, x, tx, T, modified=False):
    if modified:
        return 1.0 / (1.0 + a / (b + x) * ((alpha + T) / (alpha + tx)) ** (r + x))
    if x == 0:
        return 1.0
    return 1.0 / (1.0 + a / (b + x - 1) * ((alpha + T) / (alpha + tx)) ** (r + x))


def bgnbd_conditional_expected(r, alpha, a, b, x, tx, T, t, modified=False):
    k = 1 if modified else 0
    hyp = _hyp2f1(r + x, b + x + k, a + b + x - 1 + k, t / (alpha + T + t))
    num = (a + b + x - 1 + k) / (a - 1) * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp)
    return float(num * bgnbd_p_alive(r, alpha, a, b, x, tx, T, modified))


def bgnbd_expected_new(r, alpha, a, b, t, modified=False):
    z = t / (alpha + t)
    if modified:
        return b / (a - 1) * (1 - (alpha / (alpha + t)) ** r * _hyp2f1(r, b + 1, a + b, z))
    return (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * _hyp2f1(r, b, a + b - 1, z))


def pnbd_A0(r, alpha, s, beta, x, tx, T):
    """A_0 of Fader, Hardie & Lee (2005, note 009) for the alpha >= beta and alpha < beta cases."""
    k = r + s + x
    if alpha >= beta:
        return (_sp.hyp2f1(k, s + 1, k + 1, (alpha - beta) / (alpha + tx)) / (alpha + tx) ** k
                - _sp.hyp2f1(k, s + 1, k + 1, (alpha - beta) / (alpha + T)) / (alpha + T) ** k)
    return (_sp.hyp2f1(k, r + x, k + 1, (beta - alpha) / (beta + tx)) / (beta + tx) ** k
            - _sp.hyp2f1(k, r + x, k + 1, (beta - alpha) / (beta + T)) / (beta + T) ** k)


def pnbd_loglik(r, alpha, s, beta, x, tx, T):
    first = 1 / ((alpha + T) ** (r + x) * (beta + T) ** s)
    L = (_sp.gamma(r + x) * alpha ** r * beta ** s / _sp.gamma(r)
         * (first + s / (r + s + x) * pnbd_A0(r, alpha, s, beta, x, tx, T)))
    return float(np.log(L))


def pnbd_loglik_quad(r, alpha, s, beta, x, tx, T):
    """Same likelihood by numerical integration over the death time (no hypergeometric function)."""
    from scipy.integrate import quad

    c = _sp.gamma(r + x) * alpha ** r / _sp.gamma(r)
    alive = c / (alpha + T) ** (r + x) * (beta / (beta + T)) ** s
    dead = quad(lambda tau: c / (alpha + tau) ** (r + x) * s * beta ** s / (beta + tau) ** (s + 1), tx, T,
                epsabs=0, epsrel=1e-12)[0]
    return float(np.log(alive + dead))


def pnbd_p_alive(r, alpha, s, beta, x, tx, T):
    first = 1 / ((alpha + T) ** (r + x) * (beta + T) ** s)
    return float(first / (first + s / (r + s + x) * pnbd_A0(r, alpha, s, beta, x, tx, T)))


def pnbd_conditional_expected(r, alpha, s, beta, x, tx, T, t):
    return float((r + x) * (beta + T) / ((alpha + T) * (s - 1)) * (1 - ((beta + T) / (beta + T + t)) ** (s - 1))
                 * pnbd_p_alive(r, alpha, s, beta, x, tx, T))


def bgbb_loglik(alpha, beta, gamma, delta, x, tx, n):
    B = _sp.beta
    L = B(alpha + x, beta + n - x) / B(alpha, beta) * B(gamma, delta + n) / B(gamma, delta)
    for i in range(int(n - tx)):
        L += B(alpha + x, beta + tx - x + i) / B(alpha, beta) * B(gamma + 1, delta + tx + i) / B(gamma, delta)
    return float(np.log(L))


def bgbb_p_alive(alpha, beta, gamma, delta, x, tx, n, m=1):
    B = _sp.beta
    num = B(alpha + x, beta + n - x) / B(alpha, beta) * B(gamma, delta + n + m) / B(gamma, delta)
    return float(num / np.exp(bgbb_loglik(alpha, beta, gamma, delta, x, tx, n)))


def bgbb_conditional_expected(alpha, beta, gamma, delta, x, tx, n, n_star):
    B, G = _sp.beta, _sp.gamma
    L = np.exp(bgbb_loglik(alpha, beta, gamma, delta, x, tx, n))
    return float(B(alpha + x + 1, beta + n - x) / B(alpha, beta) * delta / (gamma - 1) * G(gamma + delta)
                 / G(1 + delta) * (G(1 + delta + n) / G(gamma + delta + n)
                                   - G(1 + delta + n + n_star) / G(gamma + delta + n + n_star)) / L)


def gg_loglik(p, q, g, x, m):
    """Gamma-Gamma density of the mean spend m of x transactions (Fader, Hardie & Lee 2005, JMR)."""
    return float(_sp.gammaln(p * x + q) - _sp.gammaln(p * x) - _sp.gammaln(q) + q * np.log(g)
                 + p * x * np.log(x) + (p * x - 1) * np.log(m) - (p * x + q) * np.log(g + x * m))


def gg_expected_spend(p, q, g, x, m):
    return float((g + x * m) * p / (p * x + q - 1)) if x > 0 else float(g * p / (q - 1))


def discounted_clv(expected_fn, spend, horizon, period, rate, margin=1.0):
    """sum_k (E[Y(k L)] - E[Y((k-1) L)]) / (1 + d)^k, one customer, expected_fn(t) = E[Y(t)]."""
    return margin * spend * sum((expected_fn(k * period) - expected_fn((k - 1) * period)) / (1 + rate) ** k
                                for k in range(1, horizon + 1))


# --- cohorts ---

_COHORT_FREQ = {"D": "D", "W": "W-SUN", "M": "M", "Q": "Q-DEC"}


def cohort_retention(frame, period, observation_end, metric="retention", group=None, acquisition=None,
                     partial="censor"):
    """Cohort matrix the tutorial way: groupby cohort/period, nunique, pivot; censored cells NaN.

    ``frame``: canonical (customer_id, timestamp, amount[, order_id]). ``group``: Series by customer_id.
    ``acquisition``: optional Series of acquisition dates by customer_id (else first purchase).
    """
    freq = _COHORT_FREQ[period]
    end = pd.Timestamp(observation_end).normalize()
    d = frame.copy()
    d["p"] = d["timestamp"].dt.to_period(freq)
    if acquisition is None:
        first = d.groupby("customer_id")["timestamp"].transform("min")
        d["c"] = first.dt.to_period(freq)
    else:
        acq = pd.to_datetime(d["customer_id"].map(acquisition)).dt.normalize()
        d = d[acq.notna() & (acq <= end)]
        d["c"] = acq[d.index].dt.to_period(freq)
    d["k"] = (d["p"] - d["c"]).map(lambda off: off.n)
    d["g"] = "all" if group is None else d["customer_id"].map(group)
    d = d[d["g"].notna()]
    sizes = d.groupby(["g", "c"])["customer_id"].nunique()
    d = d[d["k"] >= 0]
    if "order_id" in d:
        d["oid"] = list(zip(d["customer_id"], d["order_id"]))
    else:
        d["oid"] = np.arange(len(d))
    cust_period = d.groupby(["g", "c", "customer_id", "k"])["amount"].sum().rename("rev").reset_index()
    rev0 = cust_period[cust_period["k"] == 0].set_index(["g", "c", "customer_id"])["rev"]
    cust_period["rev0"] = [rev0.get((g, c, i), 0.0) for g, c, i in
                           zip(cust_period["g"], cust_period["c"], cust_period["customer_id"])]
    cust_period["capped"] = np.minimum(cust_period["rev"], cust_period["rev0"])
    active = d.groupby(["g", "c", "k"])["customer_id"].nunique().unstack("k")
    orders = d.groupby(["g", "c", "k"])["oid"].nunique().unstack("k")
    revenue = d.groupby(["g", "c", "k"])["amount"].sum().unstack("k")
    gross = cust_period.groupby(["g", "c", "k"])["capped"].sum().unstack("k")
    # full grid: every cohort from the first to the last, periods up to the end
    cohorts = pd.period_range(d["c"].min(), d["c"].max(), freq=freq) if len(sizes) else pd.PeriodIndex([], freq=freq)
    last_p = end.to_period(freq)
    n_k = (last_p - cohorts.min()).n + 1 if len(cohorts) else 0
    groups = sorted(sizes.index.get_level_values(0).unique())
    idx = pd.MultiIndex.from_product([groups, cohorts], names=["g", "c"])
    cols = range(n_k)
    size = sizes.reindex(idx).fillna(0).to_numpy(dtype=float)[:, None]

    def grid(t):
        return t.reindex(index=idx, columns=cols).fillna(0).to_numpy(dtype=float)

    a, o, r, gr = grid(active), grid(orders), grid(revenue), grid(gross)
    with np.errstate(divide="ignore", invalid="ignore"):
        values = {
            "active": a, "retention": a / size, "orders": o, "orders_per_customer": o / size, "revenue": r,
            "revenue_per_customer": r / size, "cumulative_revenue": np.cumsum(r, axis=1),
            "cumulative_revenue_per_customer": np.cumsum(r, axis=1) / size,
            "net_revenue_retention": r / r[:, :1], "gross_revenue_retention": gr / r[:, :1],
        }[metric]
    observed = np.zeros(values.shape, dtype=bool)
    for i, (_, c) in enumerate(idx):
        for k in cols:
            p = c + k
            observed[i, k] = (p.end_time.normalize() <= end) if partial == "censor" else (p.start_time <= end)
    values = np.where(observed, values, np.nan)
    keep_cols = observed.any(axis=0) if len(idx) else np.zeros(n_k, dtype=bool)
    last = int(np.nonzero(keep_cols)[0].max()) + 1 if keep_cols.any() else (1 if len(idx) else 0)
    out = pd.DataFrame(values[:, :last], index=idx, columns=pd.RangeIndex(last))
    return out, pd.Series(size[:, 0], index=idx)


def lapse_durations(frame, window, observation_end, clock="lapse"):
    """Per customer: (duration in days, event) of the first active spell; plain loop over purchase days."""
    end = pd.Timestamp(observation_end).normalize()
    out = {}
    for cid, g in frame.groupby("customer_id", sort=True):
        days = sorted(set(g["timestamp"].dt.normalize()))
        days = [d for d in days if d <= end]
        first = days[0]
        u, lapsed = days[0], False
        for nxt in days[1:]:
            if (nxt - u).days > window:
                lapsed = True
                break
            u = nxt
        if not lapsed and (end - u).days >= window:
            lapsed = True
        if clock == "lapse":
            dur = (u - first).days + window if lapsed else (end - first).days
        else:
            dur = (u - first).days
        out[cid] = (float(dur), lapsed)
    df = pd.DataFrame.from_dict(out, orient="index", columns=["duration", "event"])
    df.index.name = "customer_id"
    return df


def period_rates(frame, period, window, observation_end):
    """Per fully observed calendar period, the status counts of ``toolkit.cohorts.period_rates`` (loops)."""
    freq = _COHORT_FREQ[period]
    end = pd.Timestamp(observation_end).normalize()
    days = {cid: sorted(set(g["timestamp"].dt.normalize())) for cid, g in frame.groupby("customer_id")}
    first_p = min(d[0] for d in days.values()).to_period(freq)
    periods = [p for p in pd.period_range(first_p, end.to_period(freq), freq=freq) if p.end_time.normalize() <= end]
    rows = []

    def active_at(ds, t):
        return any(t - pd.Timedelta(days=window) < d <= t for d in ds)

    for i, p in enumerate(periods):
        ps, pe = p.start_time, p.end_time.normalize()
        r = dict(customers=0, active=0, rep=0, churn_base=0, churned=0, winback_base=0, reactivated=0, both=0)
        for ds in days.values():
            if ds[0] > pe:
                continue
            r["customers"] += 1
            n_in = sum(ps <= d <= pe for d in ds)
            r["active"] += n_in > 0
            r["rep"] += n_in >= 2
            prev_end = ps - pd.Timedelta(days=1)
            if ds[0] <= prev_end:
                if active_at(ds, prev_end):
                    r["churn_base"] += 1
                    r["churned"] += not active_at(ds, pe)
                else:
                    r["winback_base"] += 1
                    r["reactivated"] += n_in > 0
                if i > 0:
                    q = periods[i - 1]
                    bought_prev = any(q.start_time <= d <= q.end_time.normalize() for d in ds)
                    r["both"] += bought_prev and n_in > 0
        rows.append(r)
    return pd.DataFrame(rows, index=pd.PeriodIndex(periods, freq=freq))


def pandas_cohort_recipe(raw, customer, time, amount):
    """The monthly cohort recipe analysts copy from tutorials (benchmark baseline; no censoring)."""
    d = raw[[customer, time]].copy()
    d["order_month"] = d[time].dt.to_period("M")
    d["cohort"] = d.groupby(customer)[time].transform("min").dt.to_period("M")
    counts = d.groupby(["cohort", "order_month"])[customer].nunique().reset_index()
    counts["period"] = (counts["order_month"] - counts["cohort"]).apply(lambda off: off.n)
    table = counts.pivot(index="cohort", columns="period", values=customer)
    return table.divide(table[0], axis=0)


# --- journey ---


def journey_sequences(frame, rank):
    """Per customer, the list of (ns, event) in the documented order: time, then the event's tie rank."""
    f = frame.assign(_r=frame["event"].map(rank), _ns=frame["timestamp"].astype("datetime64[ns]").astype("int64"))
    f = f.sort_values(["customer_id", "_ns", "_r"], kind="stable")
    return {cid: list(zip(g["_ns"], g["event"])) for cid, g in f.groupby("customer_id", sort=True)}


def journey_funnel(frame, steps, rank, order="strict", window_ns=None):
    """Reference funnel: {customer: (depth, [step times])} for entered customers.

    Strict: brute force over increasing position tuples (itertools.combinations, lexicographic order): the first
    tuple of maximal length whose events match the steps in order and lie within the window of the first is the
    answer. Loose: for each entry, each later step is the earliest matching later event within the window.
    """
    import itertools

    out = {}
    for cid, seq in journey_sequences(frame, rank).items():
        best = None
        if order == "strict":
            for d in range(len(steps), 0, -1):
                for pos in itertools.combinations(range(len(seq)), d):
                    if all(seq[p][1] in steps[j] for j, p in enumerate(pos)) and (
                            window_ns is None or seq[pos[-1]][0] - seq[pos[0]][0] <= window_ns):
                        best = (d, [seq[p][0] for p in pos])
                        break
                if best:
                    break
        else:
            for p, (t0, e0) in enumerate(seq):
                if e0 not in steps[0]:
                    continue
                times = [t0]
                for j in range(1, len(steps)):
                    later = [t for t, e in seq[p + 1:] if e in steps[j] and (window_ns is None or t - t0 <= window_ns)]
                    if not later:
                        break
                    times.append(min(later))
                if best is None or len(times) > best[0]:
                    best = (len(times), times)
        if best:
            out[cid] = best
    return out


def journey_transitions(frame, rank, states, collapse=False, max_gap_ns=None):
    """Reference transition counts (DataFrame, rows '(start)' + states, columns states + '(exit)')."""
    counts = pd.DataFrame(0, index=["(start)"] + list(states), columns=list(states) + ["(exit)"])
    for seq in journey_sequences(frame, rank).values():
        prev, prev_t = None, None
        for t, e in seq:
            if prev is None:
                counts.loc["(start)", e] += 1
            elif max_gap_ns is not None and t - prev_t > max_gap_ns:
                counts.loc[prev, "(exit)"] += 1
                counts.loc["(start)", e] += 1
            elif collapse and e == prev:
                prev_t = t
                continue
            else:
                counts.loc[prev, e] += 1
            prev, prev_t = e, t
        if prev is not None:
            counts.loc[prev, "(exit)"] += 1
    return counts


def journey_paths(frame, rank, max_length, collapse=True):
    """Reference path counts: {path string: customers}, paths truncated with '…' as in top_paths."""
    from collections import Counter

    c = Counter()
    for seq in journey_sequences(frame, rank).values():
        states = []
        for _, e in seq:
            if collapse and states and states[-1] == e:
                continue
            states.append(e)
        path = states[:max_length] + (["…"] if len(states) > max_length else [])
        c[" → ".join(path)] += 1
    return dict(c)


def pandas_journey_recipe(frame, steps, max_length=6):
    """A vectorised pandas implementation of funnel (strict order, no window), transition counts and top paths:
    the baseline of the journey benchmark. ``frame`` is canonical (customer_id, timestamp, event) and already in
    the documented order (Events.frame)."""
    f = frame[["customer_id", "event"]].copy()
    f["pos"] = np.arange(len(f))
    # funnel: earliest matching event after the previous step, step by step
    cur = f[f["event"].isin(steps[0])].groupby("customer_id", observed=True)["pos"].min().rename("p")
    counts = [len(cur)]
    for step in steps[1:]:
        cand = f[f["event"].isin(step)].merge(cur.reset_index(), on="customer_id")
        cand = cand[cand["pos"] > cand["p"]]
        cur = cand.groupby("customer_id", observed=True)["pos"].min().rename("p")
        counts.append(len(cur))
    # transitions with start and exit
    ev = f["event"].astype(str)
    nxt = ev.shift(-1).where(f["customer_id"].shift(-1) == f["customer_id"], "(exit)")
    prv_start = f["customer_id"].shift(1) != f["customer_id"]
    moves = pd.crosstab(ev, nxt)
    starts = ev[prv_start].value_counts()
    # top paths (consecutive repeats collapsed)
    keep = (ev != ev.shift(1)) | (f["customer_id"] != f["customer_id"].shift(1))
    g = f.loc[keep, ["customer_id"]].assign(event=ev[keep])
    g["k"] = g.groupby("customer_id").cumcount()
    g = g[g["k"] <= max_length]
    paths = g.groupby("customer_id")["event"].agg(
        lambda s: " → ".join(list(s)[:max_length] + (["…"] if len(s) > max_length else [])))
    top = paths.value_counts().head(10)
    return counts, moves, starts, top


# --- lifecycle ---

LIFECYCLE_STAGES = ("exploration", "formation", "stability", "deterioration", "lost")


def lifecycle_features(frame, snapshots, window):
    """Reference lifecycle features: one row per (snapshot, customer) acquired by the snapshot.

    ``frame`` is canonical (customer_id, timestamp, amount); ``snapshots`` are dates. A plain loop over customers and
    snapshots following the docstring of ``toolkit._kernels.lifecycle.snapshot_features``.
    """
    from scipy.stats import poisson

    f = frame.assign(day=frame["timestamp"].dt.normalize())
    rows = []
    for s in pd.DatetimeIndex(snapshots).normalize():
        cut = s - pd.Timedelta(days=window)
        for cid, g in f.groupby("customer_id", sort=True):
            g = g[g["day"] <= s]
            if g.empty:
                continue
            days = sorted(g["day"].unique())
            first, last = days[0], days[-1]
            recent = [d for d in days if d > cut]
            earlier = [d for d in days if first < d <= cut]
            exposure = (cut - first).days
            row = {"snapshot": s, "customer_id": cid, "n_days": len(days), "tenure": (s - first).days,
                   "since_last": (s - last).days, "span": (last - first).days, "recent_n": len(recent),
                   "revenue": g["amount"].sum(), "base_rate": np.nan, "drop_p": np.nan, "rate_ratio": np.nan,
                   "spend_ratio": np.nan}
            if exposure >= window:
                base = len(earlier) / exposure
                row["base_rate"] = base
                row["drop_p"] = poisson.cdf(len(recent), base * window) if base > 0 else 1.0
                if base > 0:
                    row["rate_ratio"] = (len(recent) / window) / base
                early_spend = g.loc[(g["day"] > first) & (g["day"] <= cut), "amount"].sum()
                if early_spend > 0:
                    row["spend_ratio"] = (g.loc[g["day"] > cut, "amount"].sum() / window) / (early_spend / exposure)
            rows.append(row)
    return pd.DataFrame(rows)


def lifecycle_stage(n_days, tenure, since_last, span, drop_p, th, p_alive=None):
    """Reference stage rule for one customer-snapshot (the documented order); returns (stage, rule name)."""
    if n_days <= 0:
        return None, "not_yet_customer"
    gap = span / (n_days - 1) if n_days >= 2 else float("nan")
    lost_at = th["lost_gap"]
    rhythm = n_days >= 3 and th["k_lost"] * gap > lost_at
    if rhythm:
        lost_at = th["k_lost"] * gap
    if since_last > lost_at:
        return "lost", "lost_rhythm" if rhythm else "lost_gap"
    if p_alive is not None and th["p_alive_min"] > 0 and p_alive < th["p_alive_min"]:
        return "lost", "lost_p_alive"
    if n_days >= 3 and tenure >= th["t_explore"] and since_last > th["k_det"] * gap:
        return "deterioration", "deterioration_lapse"
    # compare as Python floats: under NumPy's promotion rules a float32 drop_p would round a tiny alpha to 0
    if drop_p == drop_p and float(drop_p) < float(th["drop_alpha"]):
        return "deterioration", "deterioration_drop"
    if tenure < th["t_explore"]:
        return "exploration", "exploration_age"
    if n_days == 1:
        return "exploration", "exploration_one_purchase"
    if tenure < th["t_stability"]:
        return "formation", "formation"
    return "stability", "stability"


def lifecycle_pattern(stage, n_days, span, th):
    """Reference pattern rule for one customer at the observation end."""
    if stage is None:
        return None
    if stage == "lost":
        if n_days == 1 or (n_days == 2 and span <= th["t_early"]):
            return "early_abortion"
        if span < th["reach"]:
            return "mid_term_abortion"
        if span - th["t_stability"] < th["loyal_duration"]:
            return "early_exit"
        return "long_term_retention"
    if span - th["t_stability"] >= th["loyal_duration"]:
        return "long_term_retention"
    return "too_early_to_tell"


def pandas_lifecycle(frame, snapshots, window, th):
    """A vectorised pandas implementation of the same features and rules (the lifecycle benchmark's baseline):
    per snapshot, a groupby over the distinct purchase days up to it, then the rules with ``numpy.select``."""
    from scipy.stats import poisson

    f = frame[["customer_id", "timestamp", "amount"]].copy()
    f["day"] = f["timestamp"].dt.normalize()
    daily = f.groupby(["customer_id", "day"], sort=True)["amount"].sum().reset_index()
    daily["first"] = daily.groupby("customer_id")["day"].transform("min")
    out = []
    for s in pd.DatetimeIndex(snapshots).normalize():
        cut = s - pd.Timedelta(days=window)
        d = daily[daily["day"] <= s]
        recent = d["day"] > cut
        earlier = (d["day"] > d["first"]) & ~recent
        g = d.assign(recent=recent, earlier=earlier, rec_amt=d["amount"].where(recent, 0.0),
                     early_amt=d["amount"].where(earlier, 0.0)).groupby("customer_id")
        a = g.agg(n_days=("day", "size"), first=("first", "first"), last=("day", "max"), recent_n=("recent", "sum"),
                  early_n=("earlier", "sum"), revenue=("amount", "sum"), rec_amt=("rec_amt", "sum"),
                  early_amt=("early_amt", "sum"))
        a["tenure"] = (s - a["first"]).dt.days
        a["since_last"] = (s - a["last"]).dt.days
        a["span"] = (a["last"] - a["first"]).dt.days
        exposure = (cut - a["first"]).dt.days
        ok = exposure >= window
        base = (a["early_n"] / exposure).where(ok)
        a["drop_p"] = pd.Series(poisson.cdf(a["recent_n"], base.fillna(0) * window), index=a.index).where(ok)
        gap = a["span"] / (a["n_days"] - 1).where(a["n_days"] >= 2)
        lost_at = np.maximum(th["lost_gap"], (th["k_lost"] * gap).where(a["n_days"] >= 3, 0.0))
        lost = a["since_last"] > lost_at
        det = ((a["n_days"] >= 3) & (a["tenure"] >= th["t_explore"]) & (a["since_last"] > th["k_det"] * gap)) | (
            a["drop_p"] < th["drop_alpha"])
        stage = np.select([lost, det, (a["tenure"] < th["t_explore"]) | (a["n_days"] == 1), a["tenure"] < th["t_stability"]],
                          ["lost", "deterioration", "exploration", "formation"], "stability")
        a["stage"] = stage
        a["snapshot"] = s
        out.append(a[["snapshot", "n_days", "tenure", "since_last", "span", "recent_n", "revenue", "drop_p", "stage"]])
    res = pd.concat(out)
    last = res[res["snapshot"] == res["snapshot"].max()]
    lost = last["stage"] == "lost"
    stable = last["span"] - th["t_stability"]
    pattern = np.select(
        [lost & ((last["n_days"] == 1) | ((last["n_days"] == 2) & (last["span"] <= th["t_early"]))),
         lost & (last["span"] < th["reach"]), lost & (stable < th["loyal_duration"]), lost,
         stable >= th["loyal_duration"]],
        ["early_abortion", "mid_term_abortion", "early_exit", "long_term_retention", "long_term_retention"],
        "too_early_to_tell")
    return res, pd.Series(pattern, index=last.index, name="pattern")


# ------------------------------------------------------------------------------------------------------
# refund netting (toolkit._kernels.build.net_returns)
# ------------------------------------------------------------------------------------------------------
NS_PER_DAY = 86_400 * 10**9


def net_returns(customer, ns, amount, order):
    """Reference of the netting rule, one customer and one refund at a time, rows in any order.

    Netting order per customer: (time, refund after purchase, amount, order). Each refund in that order takes
    from purchases in three tiers: same order (order >= 0, any time), same calendar day, earlier days; within
    a tier an exact match of what is left of the refund first (the last one in netting order), otherwise the
    purchases from the last in netting order backwards. Returns (new_amount, status, unmatched) per input row,
    with the kernel's status codes.
    """
    amount = [float(a) for a in amount]
    new = list(amount)
    status = [0] * len(amount)
    unmatched = 0.0
    by_customer = {}
    for j, c in enumerate(customer):
        by_customer.setdefault(c, []).append(j)
    for rows in by_customer.values():
        order_rows = sorted(rows, key=lambda j: (ns[j], amount[j] < 0, amount[j], order[j]))
        for r in order_rows:
            if amount[r] >= 0:
                continue
            need = -amount[r]
            day = ns[r] // NS_PER_DAY
            purchases = [j for j in order_rows if amount[j] > 0]
            tiers = [[j for j in purchases if ns[j] // NS_PER_DAY == day],
                     [j for j in purchases if ns[j] // NS_PER_DAY < day]]
            if order[r] >= 0:
                tiers.insert(0, [j for j in purchases if order[j] == order[r]])
            for tier in tiers:
                if need <= 0:
                    break
                candidates = [j for j in reversed(tier) if new[j] > 0]
                exact = [j for j in candidates if abs(new[j] - need) <= 1e-9 * max(1.0, need)]
                if exact:
                    new[exact[0]] = 0.0
                    need = 0.0
                    break
                for j in candidates:
                    take = min(need, new[j])
                    new[j] -= take
                    need -= take
                    if need <= 0:
                        break
            if need > 1e-9 * max(1.0, -amount[r]):
                status[r] = 3
                unmatched += need
            else:
                status[r] = 1
        for j in rows:
            if amount[j] > 0 and new[j] < amount[j]:
                if new[j] <= 1e-9 * max(1.0, amount[j]):
                    new[j] = 0.0
                    status[j] = 2
                else:
                    status[j] = 4
    return np.asarray(new), np.asarray(status, dtype=np.int8), unmatched


# --- CLV diagnostics: P(X(t) = x) of the purchase models (toolkit.clv.diagnostics) ---

def btyd_repeat_pmf(model_name, params, t, x):
    """P(X(t) = x) by one-dimensional numerical integration over the model's definition.

    NB/Poisson-gamma terms come from ``scipy.stats.nbinom`` (purchases while alive in (0, t]). BG/NBD and
    MBG/NBD: given p, K purchases before drop-out has P(K=k) = p (1-p)^(k-1), k >= 1 (MBG/NBD: p (1-p)^k,
    k >= 0) and X = min(N, K), so P(X=x | p) = P(K=x) P(N>=x) + P(K>x) P(N=x); integrated over Beta(a, b)
    with ``scipy.integrate.quad``. Pareto/NBD: alive through t with probability (beta/(beta+t))^s, else dead
    at tau with the Lomax density s beta^s / (beta+tau)^(s+1) after NB_x(tau) purchases; the integral over
    tau by quad.
    """
    from scipy import integrate, special, stats

    def nb(k, tt):
        return stats.nbinom.pmf(k, params[0], params[1] / (params[1] + tt)) if tt > 0 else float(k == 0)

    def nb_ge(k, tt):  # P(N(tt) >= k)
        return stats.nbinom.sf(k - 1, params[0], params[1] / (params[1] + tt)) if k > 0 else 1.0

    if model_name in ("BG/NBD", "MBG/NBD"):
        _, _, a, b = params
        modified = model_name == "MBG/NBD"
        px, ge = nb(x, t), nb_ge(x, t)

        def given_p(p):
            if modified:
                k_eq, k_gt = p * (1 - p) ** x, (1 - p) ** (x + 1)
            else:
                k_eq = p * (1 - p) ** (x - 1) if x >= 1 else 0.0
                k_gt = (1 - p) ** x if x >= 1 else 1.0
            return k_eq * ge + k_gt * px

        # the Beta(a, b) density's end-point singularities p^(a-1) (1-p)^(b-1) as quad's algebraic weight
        integral = integrate.quad(given_p, 0.0, 1.0, weight="alg", wvar=(a - 1.0, b - 1.0), epsabs=1e-14,
                                  epsrel=1e-12, limit=400)[0]
        return integral / special.beta(a, b)
    if model_name == "Pareto/NBD":
        _, _, s, beta = params
        alive = nb(x, t) * (beta / (beta + t)) ** s
        dead = integrate.quad(lambda tau: s * beta ** s / (beta + tau) ** (s + 1) * nb(x, tau), 0.0, t,
                              epsabs=1e-13, epsrel=1e-11, limit=400)[0]
        return alive + dead
    raise ValueError(model_name)


def period_transactions_counts(x, T, pmf_fn, max_repeat):
    """Actual and expected customers per bin 0..max_repeat-1, max_repeat+ by a loop over customers."""
    actual = [0] * (max_repeat + 1)
    expected = [0.0] * (max_repeat + 1)
    for xi, Ti in zip(x, T):
        actual[min(int(xi), max_repeat)] += 1
        probs = [pmf_fn(k, Ti) for k in range(max_repeat)]
        for k, pk in enumerate(probs):
            expected[k] += pk
        expected[max_repeat] += 1.0 - sum(probs)
    return actual, expected


# ---------------------------------------------------------------------------------------------- covariates
# Time-invariant covariates (Fader & Hardie 2007, note 019; CLVTools' parametrisation): each customer's scale
# parameters from her covariates z, then the one-customer likelihood above. A Python loop over customers.

def pnbd_loglik_covariates(r, alpha, s, beta, g_purchase, g_dropout, Z_purchase, Z_dropout, x, tx, T):
    """Pareto/NBD: alpha_i = alpha exp(-g_p' z_i), beta_i = beta exp(-g_d' z_i); sum of per-customer logs."""
    total = 0.0
    for i in range(len(x)):
        alpha_i = alpha * np.exp(-float(np.dot(Z_purchase[i], g_purchase)))
        beta_i = beta * np.exp(-float(np.dot(Z_dropout[i], g_dropout)))
        total += pnbd_loglik(r, alpha_i, s, beta_i, x[i], tx[i], T[i])
    return total


def bgnbd_loglik_covariates(r, alpha, a, b, g_purchase, g_dropout, Z_purchase, Z_dropout, x, tx, T):
    """BG/NBD: alpha_i = alpha exp(-g_p' z_i), a_i = a exp(g_d' z_i), b_i = b exp(g_d' z_i)."""
    total = 0.0
    for i in range(len(x)):
        alpha_i = alpha * np.exp(-float(np.dot(Z_purchase[i], g_purchase)))
        f = np.exp(float(np.dot(Z_dropout[i], g_dropout)))
        total += bgnbd_loglik(r, alpha_i, a * f, b * f, x[i], tx[i], T[i])
    return total


def gg_loglik_covariates(p, q, g, g_spend, Z, x, m):
    """Gamma-Gamma: gamma_i = gamma exp(g_s' z_i)."""
    return sum(gg_loglik(p, q, g * np.exp(float(np.dot(Z[i], g_spend))), x[i], m[i]) for i in range(len(x)))
