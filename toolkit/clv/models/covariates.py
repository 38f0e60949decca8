"""Time-invariant covariates for Pareto/NBD, BG/NBD and Gamma-Gamma: encoding, validation, per-customer scales.

A covariate model keeps each model's shape parameters shared and gives every customer her own scale
parameters, log-linear in her covariates z_i (Fader and Hardie 2007, "Incorporating time-invariant covariates
into the Pareto/NBD and BG/NBD models", http://brucehardie.com/notes/019/; the parametrisation of the R
package CLVTools, so that its published fits can be compared):

==============  =================================================================  ======================
model           per-customer parameters                                            coefficient names
==============  =================================================================  ======================
Pareto/NBD      alpha_i = alpha exp(-g_p' z_i), beta_i = beta exp(-g_d' z_i)       ``purchase:<col>``,
                (Schmittlein, Morrison and Colombo 1987)                            ``dropout:<col>``
BG/NBD          alpha_i = alpha exp(-g_p' z_i), a_i = a exp(g_d' z_i),              ``purchase:<col>``,
                b_i = b exp(g_d' z_i) (Fader, Hardie and Lee 2005)                  ``dropout:<col>``
Gamma-Gamma     gamma_i = gamma exp(g_s' z_i) (Fader and Hardie 2013)               ``spend:<col>``
==============  =================================================================  ======================

Signs read the same way in every model: a positive ``purchase:`` coefficient raises the purchase rate
(E[lambda_i] = r / alpha_i), a positive ``dropout:`` coefficient raises the drop-out rate (Pareto/NBD
E[mu_i] = s / beta_i; BG/NBD: a_i / (a_i + b_i) is unchanged, and larger a_i, b_i concentrate p_i around it,
which is CLVTools' choice), a positive ``spend:`` coefficient raises the mean spend (gamma_i p / (q - 1)).

Covariates are numbers used as they are (no centring, as CLVTools does): a coefficient's reference customer
has z = 0. Categorical columns (pandas ``category`` dtype, or named in ``categorical=``) are one-hot encoded
without their reference level, which is the most frequent level among the fitted customers (ties: the first
in sorted order) unless ``reference={column: level}`` says otherwise. ``covariate_encoding_`` records the
encoding and the reference levels, and the fitted model's ``summary`` carries it in ``attrs``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..._kernels._arrays import readonly
from ...errors import DataQualityError, ParameterError, SchemaError

__all__ = ["CovariateMixin", "encode_covariates"]


def _level_label(level):
    return str(level.item() if hasattr(level, "item") else level)


def _as_list(name, value):
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    try:
        return list(value)
    except TypeError:
        raise ParameterError(f"{name} must be a list of column names, got {value!r}.", parameter=name,
                             value=value) from None


def _encoding_of(frame, columns, categorical, reference, ids, model_name):
    """The encoding of ``columns`` of ``frame``: numeric as they are, categorical one-hot without a reference.

    ``ids`` are the customers the reference level is chosen on (the fitted ones). Returns a DataFrame, one row
    per covariate: ``kind``, ``levels`` (categorical), ``reference``, ``encoded`` (the encoded column names).
    """
    rows = {}
    for col in columns:
        series = frame[col]
        is_cat = col in categorical or isinstance(series.dtype, pd.CategoricalDtype)
        if not is_cat:
            if pd.api.types.is_bool_dtype(series.dtype) or pd.api.types.is_numeric_dtype(series.dtype):
                rows[col] = {"kind": "numeric", "levels": None, "reference": None, "encoded": [col]}
                continue
            bad = pd.to_numeric(series, errors="coerce").isna() & series.notna()
            raise DataQualityError(
                f"{model_name}: covariate column {col!r} is not numeric ({int(bad.sum())} non-numeric values, e.g. "
                f"{series[bad].astype(str).unique()[:3].tolist()}). Pass categorical=[{col!r}] to one-hot encode it "
                "(or convert it to numbers yourself).", column=col, count=int(bad.sum()),
                examples=frame.loc[bad].head())
        used = series.reindex(ids)
        counts = used.value_counts(dropna=True)
        levels = sorted(counts.index.tolist(), key=lambda v: (str(type(v)), v))
        if len(levels) < 2:
            raise DataQualityError(
                f"{model_name}: categorical covariate {col!r} has {len(levels)} level(s) among the {len(ids):,} "
                "fitted customers: it cannot explain differences between them. Leave it out of "
                "purchase_covariates / dropout_covariates.", column=col, count=len(ids))
        if col in reference:
            ref = reference[col]
            if ref not in levels:
                raise ParameterError(f"reference[{col!r}] = {ref!r} is not a level of {col!r} (levels: "
                                     f"{[_level_label(v) for v in levels]}).", parameter="reference", value=ref)
        else:
            top = counts.max()
            ref = next(v for v in levels if counts[v] == top)  # most frequent; ties: first sorted
        encoded = [f"{col}={_level_label(v)}" for v in levels if v != ref]
        rows[col] = {"kind": "categorical", "levels": levels, "reference": ref, "encoded": encoded}
    out = pd.DataFrame.from_dict(rows, orient="index", columns=["kind", "levels", "reference", "encoded"])
    out.index.name = "covariate"
    return out


def encode_covariates(frame, encoding, model_name="model"):
    """Apply an encoding (see :func:`_encoding_of`) to ``frame``: a float DataFrame of the encoded columns.

    Numeric columns are converted to float64; a categorical column becomes one 0/1 column per non-reference
    level. A level not seen at fit is refused (its customers could not be given a coefficient).
    """
    out = {}
    for col, row in encoding.iterrows():
        if col not in frame.columns:
            raise SchemaError(f"{model_name}: the covariates frame has no column {col!r} (the model was fitted "
                              f"with {list(encoding.index)}; it has {list(frame.columns)}).")
        series = frame[col]
        if row["kind"] == "numeric":
            if not (pd.api.types.is_bool_dtype(series.dtype) or pd.api.types.is_numeric_dtype(series.dtype)):
                _encoding_of(frame, [col], set(), {}, frame.index, model_name)  # raises with the examples
            out[col] = series.to_numpy(dtype=np.float64, na_value=np.nan)
            continue
        levels = row["levels"]
        values = series.astype(object)
        unknown = values.notna() & ~values.isin(levels)
        if unknown.any():
            raise DataQualityError(
                f"{model_name}: covariate {col!r} has {int(unknown.sum())} value(s) that were not levels at fit "
                f"(e.g. {values[unknown].astype(str).unique()[:3].tolist()}; fitted levels "
                f"{[_level_label(v) for v in levels]}). Map them to a fitted level or refit with them.",
                column=col, count=int(unknown.sum()), examples=frame.loc[unknown].head())
        missing = values.isna().to_numpy()
        for level, name in zip([v for v in levels if v != row["reference"]], row["encoded"]):
            dummy = (values == level).to_numpy(dtype=np.float64)
            dummy[missing] = np.nan
            out[name] = dummy
    return pd.DataFrame(out, index=frame.index)


class CovariateMixin:
    """Covariate support shared by :class:`ParetoNBD`, :class:`BetaGeo` and :class:`GammaGamma`.

    The model's own parameters stay first in ``params_``; the coefficients follow, named
    ``<process>:<encoded column>``. The design columns are appended to the model's data columns (so that
    identical customers still compress into one weighted pattern), and the likelihood kernels of
    :mod:`toolkit._kernels.covariates` take the per-customer scale parameters.
    """

    #: processes with covariates, in the order of their coefficients, and the argument that picks each one's columns
    _processes: tuple = ()
    #: data columns of the model before the covariates
    _n_data = 3

    # ------------------------------------------------------------------------------------------------------
    # fitting
    # ------------------------------------------------------------------------------------------------------
    @property
    def _uses_covariates(self):
        return bool(getattr(self, "_layout", None))

    def _reset_covariates(self):
        self._param_names = type(self)._param_names
        self._layout = {}
        self._covariate_frame = None
        self.covariate_encoding_ = None

    def _setup_covariates(self, summary, covariates, chosen, categorical, reference):
        """Validate and encode ``covariates`` for ``summary``; set the parameter names and the layout."""
        name = type(self).__name__
        if not isinstance(covariates, pd.DataFrame):
            raise SchemaError(f"{name}.fit: covariates must be a pandas DataFrame indexed by customer_id, got "
                              f"{type(covariates).__name__}.")
        if not isinstance(summary, pd.DataFrame):
            raise SchemaError(f"{name}.fit needs a pandas DataFrame summary, got {type(summary).__name__}.")
        if covariates.index.has_duplicates:
            dup = covariates.index[covariates.index.duplicated()]
            raise DataQualityError(f"{name}: the covariates frame has {len(dup)} duplicated customer id(s) (e.g. "
                                   f"{dup[:3].tolist()}); it needs one row per customer.", column="customer_id",
                                   count=len(dup))
        categorical = set(_as_list("categorical", categorical) or [])
        reference = dict(reference or {})
        for arg, cols in chosen.items():
            if cols is None:
                chosen[arg] = list(covariates.columns)
        every = list(dict.fromkeys(c for cols in chosen.values() for c in cols))
        missing = [c for c in every if c not in covariates.columns]
        if missing:
            raise SchemaError(f"{name}: column(s) {missing} are not in the covariates frame (columns: "
                              f"{list(covariates.columns)}).")
        unknown = [c for c in list(categorical) + list(reference) if c not in every]
        if unknown:
            raise ParameterError(f"{name}: categorical / reference name column(s) {unknown} that are not used "
                                 f"as covariates ({every}).", parameter="categorical", value=unknown)
        ids = summary.index
        absent = ~ids.isin(covariates.index)
        if absent.any():
            raise DataQualityError(
                f"{name}: {int(absent.sum())} customer(s) of the summary have no row in covariates (e.g. "
                f"{ids[absent][:3].tolist()}). Pass a covariates frame indexed by customer_id with a row for "
                "every customer of the summary.", column="customer_id", count=int(absent.sum()))
        encoding = _encoding_of(covariates, every, categorical, reference, ids, name)
        encoded = encode_covariates(covariates, encoding, name)
        used = encoded.reindex(ids)
        for col in encoded.columns:
            values = used[col].to_numpy()
            bad = ~np.isfinite(values)
            if bad.any():
                raise DataQualityError(f"{name}: covariate {col!r} is missing or not finite for {int(bad.sum())} "
                                       "customer(s) of the summary. Fill those values, or leave those customers "
                                       "out of the summary.", column=col, count=int(bad.sum()),
                                       examples=summary.loc[bad].head())
            if len(values) and np.all(values == values[0]):
                raise DataQualityError(
                    f"{name}: covariate {col!r} is constant ({values[0]:g} for all {len(values):,} customers of "
                    "the summary): its coefficient cannot be told apart from the model's scale parameter. Leave "
                    "it out of purchase_covariates / dropout_covariates (or spend_covariates).", column=col,
                    count=len(values))
        names = list(type(self)._param_names)
        layout = {}
        columns = list(encoded.columns)
        for process, (arg, cols) in zip(self._processes, chosen.items()):
            enc = [e for c in cols for e in encoding.loc[c, "encoded"]]
            start = len(names)
            names += [f"{process}:{e}" for e in enc]
            layout[process] = (np.arange(start, len(names)), np.array([columns.index(e) for e in enc], dtype=np.int64))
        self._param_names = tuple(names)
        self._layout = layout
        self._covariate_frame = encoded
        for col in encoding.index:
            encoding.loc[col, "processes"] = ", ".join(p for p, (arg, cols) in zip(self._processes, chosen.items())
                                                       if col in cols)
        self.covariate_encoding_ = encoding

    def _covariate_fit(self, fit, summary, covariates, chosen, categorical, reference, **kwargs):
        """Run ``fit`` (the model's fit without covariates) with the covariates set up, or reset when none."""
        name = type(self).__name__
        if covariates is None:
            given = [arg for arg, v in chosen.items() if v is not None]
            given += [arg for arg, v in (("categorical", categorical), ("reference", reference)) if v]
            if given:
                raise ParameterError(f"{name}.fit: {given} choose covariate columns, but covariates= is not given; "
                                     "pass covariates=frame (indexed by customer_id).", parameter=given[0],
                                     value=None)
            self._reset_covariates()
            return fit(summary, **kwargs)
        chosen = {arg: _as_list(arg, v) for arg, v in chosen.items()}
        self._setup_covariates(summary, covariates, chosen, categorical, reference)
        if not any(len(cols) for _, cols in self._layout.values()):
            raise ParameterError(f"{name}.fit: no covariate column is used by any process; name some in "
                                 f"{list(chosen)}.", parameter=list(chosen)[0], value=None)
        try:
            fit(summary, **kwargs)
        except Exception:
            self._reset_covariates()
            raise
        notes = []
        for col, row in self.covariate_encoding_.iterrows():
            if row["kind"] == "categorical":
                notes.append(f"Covariate {col!r} one-hot encoded with reference level "
                             f"{_level_label(row['reference'])!r} (coefficients compare each other level with it).")
        self.fit_notes_ = list(self.fit_notes_) + notes
        return self

    def _start(self, patterns, pattern_w):
        """Start a covariate fit at the fit without covariates (coefficients 0): same model, fewer patterns."""
        x0 = super()._start(patterns, pattern_w)
        if not self._uses_covariates:
            return x0
        own = len(type(self)._param_names)
        import warnings

        base = type(self)(penalizer=self.penalizer, tol=self.tol, max_iter=self.max_iter)
        base._reset_covariates()
        try:
            from .base import compress_rows

            small, small_w, _ = compress_rows(patterns[: self._n_data], pattern_w)
            base._memo = {}
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = base._minimize(base._start(small, small_w), small, small_w, float(small_w.sum()))
            if np.all(np.isfinite(res.x)) and np.isfinite(res.fun):
                given = set(self.initial_params or {})
                for i, n in enumerate(type(self)._param_names[:own]):
                    if n not in given:
                        x0[i] = res.x[i]
        except Exception:  # the start is only a start: fall back to the defaults
            pass
        return x0

    # ------------------------------------------------------------------------------------------------------
    # large fits: quasi-Newton iterations from the curvature of a subsample
    # ------------------------------------------------------------------------------------------------------
    #: fits with at least this many patterns start with a fit on ``_SUBSAMPLE`` of them (see ``_minimize``)
    _SUBSAMPLE_MIN = 150_000
    _SUBSAMPLE = 50_000

    def _minimize(self, x0, patterns, pattern_w, n_total):
        """L-BFGS-B (the base class), or for a large covariate fit a subsample's fit and quasi-Newton steps.

        L-BFGS-B learns the curvature of the 10-odd dimensional likelihood as it goes: about 25 passes over
        the customers, the bulk of a large fit's time. Here a fit on 50,000 customers drawn at random (a
        twentieth of the cost at 1e6 customers) gives a point close to the optimum and, through
        :meth:`_hessian`, the curvature per customer, which the full data share up to sampling error; from
        there Newton steps x <- x - H^-1 g(x) (with step halving should the objective not decrease), H starting
        at the subsample's and corrected by BFGS updates from the full data's steps, converge in a handful of
        passes. The iterations stop
        when the largest step is below 10 ``tol`` (1e-9 by default), then ``fit`` polishes with the full
        Hessian as after L-BFGS-B. Same optimum, more precisely: on the benchmark's 1e6 BG/NBD customers a
        full Newton step from the result is 1e-14 here and 1e-8 from L-BFGS-B + polish (the log-likelihoods
        agree to 1e-15). Anything unexpected (a failed subsample fit, a Hessian that is not positive definite,
        no progress) falls back to L-BFGS-B.
        """
        n = len(pattern_w)
        if not self._uses_covariates or not self._row_spec or n < self._SUBSAMPLE_MIN:
            return super()._minimize(x0, patterns, pattern_w, n_total)
        res = self._newton_from_subsample(x0, patterns, pattern_w, n_total)
        if res is None or not res.success:
            return super()._minimize(x0 if res is None else res.x, patterns, pattern_w, n_total)
        return res

    def _newton_from_subsample(self, x0, patterns, pattern_w, n_total):
        from scipy.optimize import OptimizeResult

        # customers drawn at random (patterns in proportion to their weights), so that the subsample's
        # curvature per customer estimates the full data's; a fixed seed keeps fits reproducible
        draws = np.random.default_rng(0).choice(len(pattern_w), self._SUBSAMPLE, p=pattern_w / pattern_w.sum())
        pick, counts = np.unique(draws, return_counts=True)
        sub = [np.ascontiguousarray(p[pick]) for p in patterns]
        sub_w = counts.astype(np.float64)
        n_sub = float(sub_w.sum())
        memo = getattr(self, "_memo", None)
        self._memo = {}  # the subsample's values are not the full data's
        try:
            start = super()._minimize(x0, sub, sub_w, n_sub)
            if not (np.all(np.isfinite(start.x)) and np.isfinite(start.fun)):
                return None
            H = self._hessian(start.x, sub, sub_w, n_sub) / n_sub
            np.linalg.cholesky(H)  # positive definite, or no Newton steps
        except np.linalg.LinAlgError:
            return None
        finally:
            self._memo = memo
        lo, hi = self._bounds()
        x = np.clip(start.x, lo, hi)
        f, g = self._fun_grad(x, patterns, pattern_w, n_total)
        nfev = 1
        if not np.isfinite(f):
            return None
        for it in range(1, self.max_iter + 1):
            step = np.linalg.solve(H, g)
            if not np.all(np.isfinite(step)):
                return None
            t = 1.0
            while True:
                cand = np.clip(x - t * step, lo, hi)
                f_new, g_new = self._fun_grad(cand, patterns, pattern_w, n_total)
                nfev += 1
                if np.isfinite(f_new) and f_new <= f + 1e-14 * abs(f):
                    break
                t *= 0.5
                if t < 1.0 / 64:
                    return OptimizeResult(x=x, fun=f, jac=g, success=False, nit=it, nfev=nfev,
                                          message="quasi-Newton steps from a subsample fit made no progress")
            moved = float(np.max(np.abs(cand - x)))
            # BFGS update of the curvature with the full data's step and change of gradient (kept positive
            # definite: only when s'y > 0), so that the subsample's sampling error is corrected as we go
            s_k, y_k = cand - x, g_new - g
            sy = float(s_k @ y_k)
            if sy > 1e-12 * float(np.sqrt((s_k @ s_k) * (y_k @ y_k))):
                Hs = H @ s_k
                H = H + np.outer(y_k, y_k) / sy - np.outer(Hs, Hs) / float(s_k @ Hs)
            x, f, g = cand, f_new, g_new
            if moved < 10.0 * self.tol:
                return OptimizeResult(x=x, fun=f, jac=g, success=True, nit=it, nfev=nfev,
                                      message="quasi-Newton steps from a subsample fit converged")
        return OptimizeResult(x=x, fun=f, jac=g, success=False, nit=self.max_iter, nfev=nfev,
                              message="quasi-Newton steps from a subsample fit reached max_iter")

    # ------------------------------------------------------------------------------------------------------
    # Hessian from the per-customer second derivatives
    # ------------------------------------------------------------------------------------------------------
    #: The per-customer quantities of the likelihood on the log scale, u_i = (log r, log alpha_i, ...), each as
    #: (index of the model's own parameter, process whose coefficients move it or None, sign of g' z_i in it)
    _row_spec: tuple = ()
    #: rows per block when the Hessian is assembled (bounds the memory of the per-customer derivatives)
    _HESSIAN_BLOCK = 1 << 18

    def _row_log_grads(self, params, data):
        """K arrays (n,): d log L_i / d u_ik for each row of ``data`` (unweighted), u as in ``_row_spec``."""
        raise NotImplementedError

    def _hessian(self, logp, patterns, pattern_w, n_total):
        """Hessian of the objective (as :meth:`BaseModel._hessian`) from each customer's own K x K Hessian.

        Each customer's log-likelihood depends on the parameters only through her K per-customer quantities
        u_i (K = 4 for Pareto/NBD and BG/NBD, 3 for Gamma-Gamma), and u_i is linear in the optimiser's vector
        phi (log alpha_i = log alpha - g_p' z_i, ...): u_i = J_i phi with a constant J_i. So
        d^2 LL / d phi^2 = sum_i w_i J_i' H_i J_i, where H_i = d^2 log L_i / d u_i^2. H_i is taken by central
        differences (step 1e-5, as the base class) of the analytic per-customer gradient, moving each u_k of
        every row at once through its own parameter: 2K likelihood passes instead of the base class's 2 x
        (number of parameters), i.e. 8 instead of 20 for a model with three covariates in both processes.
        """
        if not self._uses_covariates or not self._row_spec:
            return super()._hessian(logp, patterns, pattern_w, n_total)
        h = 1e-5
        spec = self._row_spec
        n_par = len(logp)
        steps = []
        for own, _, _ in spec:
            e = np.zeros(n_par)
            e[own] = h
            steps.append((self._natural(logp + e), self._natural(logp - e)))
        total = np.zeros((n_par, n_par))
        n = len(pattern_w)
        with np.errstate(all="ignore"):
            for lo in range(0, n, self._HESSIAN_BLOCK):
                part = [np.ascontiguousarray(d[lo:lo + self._HESSIAN_BLOCK]) for d in patterns]
                w = pattern_w[lo:lo + self._HESSIAN_BLOCK]
                # columns k of the per-customer Hessians: d/du_k of the per-customer gradient (lists of K arrays)
                cols = [[(gp - gm) / (2.0 * h) for gp, gm in zip(self._row_log_grads(plus, part),
                                                                   self._row_log_grads(minus, part))]
                        for plus, minus in steps]
                # J_i restricted to the parameters that move u_k: (parameter index, its column or None for 1)
                design = []
                for own, process, sign in spec:
                    entries = [(own, None)]
                    if process is not None:
                        idx, c = self._layout[process]
                        entries += [(int(j), sign * part[self._n_data + cj]) for j, cj in zip(idx, c)]
                    design.append(entries)
                for k in range(len(spec)):
                    for m in range(k, len(spec)):
                        h_km = w * (0.5 * (cols[m][k] + cols[k][m]))
                        for a, va in design[k]:
                            hv = h_km if va is None else h_km * va
                            for b, vb in design[m]:
                                value = float(hv.sum()) if vb is None else dot(hv, vb)
                                total[a, b] += value
                                if m != k:
                                    total[b, a] += value
        H = -total + 2.0 * self.penalizer * n_total * np.eye(n_par)
        return 0.5 * (H + H.T)

    # ------------------------------------------------------------------------------------------------------
    # per-customer design and scales
    # ------------------------------------------------------------------------------------------------------
    def _design_columns(self, summary, covariates=None):
        """The encoded covariate columns of the customers of ``summary`` ([] for a model without covariates)."""
        if not self._uses_covariates:
            if covariates is not None:
                raise ParameterError(f"This {type(self).__name__} was fitted without covariates; do not pass "
                                     "covariates=.", parameter="covariates", value=type(covariates).__name__)
            return []
        name = type(self).__name__
        if covariates is None:
            frame = self._covariate_frame
            source = "the covariates given at fit"
        else:
            if not isinstance(covariates, pd.DataFrame):
                raise SchemaError(f"{name}: covariates must be a pandas DataFrame indexed by customer_id, got "
                                  f"{type(covariates).__name__}.")
            frame = encode_covariates(covariates, self.covariate_encoding_, name)
            source = "covariates"
        ids = summary.index
        if frame.index.equals(ids):
            used = frame
        else:
            absent = ~ids.isin(frame.index)
            if absent.any():
                raise DataQualityError(
                    f"{name}: {int(absent.sum())} customer(s) of the summary have no row in {source} (e.g. "
                    f"{ids[absent][:3].tolist()}). For new customers pass covariates=frame indexed by customer_id "
                    f"with the columns {list(self.covariate_encoding_.index)}.", column="customer_id",
                    count=int(absent.sum()))
            used = frame.reindex(ids)
        out = []
        for col in used.columns:
            values = np.ascontiguousarray(used[col].to_numpy(dtype=np.float64))
            bad = ~np.isfinite(values)
            if bad.any():
                raise DataQualityError(f"{name}: covariate {col!r} is missing or not finite for {int(bad.sum())} "
                                       "customer(s); fill those values.", column=col, count=int(bad.sum()))
            out.append(values)
        return out

    def _linear(self, params, data, process):
        """g' z_i of ``process`` for every row of ``data`` (zeros when the process has no covariate)."""
        idx, cols = self._layout[process]
        n = len(data[0])
        if len(idx) == 0:
            return np.zeros(n)
        out = np.zeros(n)
        for k, c in zip(idx, cols):  # column by column: no (n, m) copy, no BLAS call (see ``dot``)
            out += float(params[k]) * data[self._n_data + c]
        return out

    def _coef_grad(self, grad, data, process, g_eta):
        """grad[coefficients of process] = sum_i g_eta_i z_i (g_eta: weighted d LL / d (g' z_i))."""
        idx, cols = self._layout[process]
        for k, c in zip(idx, cols):
            grad[k] = dot(data[self._n_data + c], g_eta)

    def _prepare_predict(self, summary, covariates=None):
        return self._prepare(summary, covariates=covariates)

    def _no_covariates(self, where):
        """Refuse a method that has no per-customer meaning for a model fitted with covariates."""
        if self._uses_covariates:
            raise ParameterError(f"{type(self).__name__}.{where} describes one population, but this model was fitted "
                                 "with covariates (every customer has her own parameters). Use the per-customer "
                                 "predictions with covariates=, or a model fitted without covariates.",
                                 parameter="covariates", value=list(self.covariate_encoding_.index))


def dot(a, b):
    """sum_i a_i b_i of two long vectors (strided views allowed) without BLAS.

    ``a @ b`` hands long vectors to the BLAS library, which splits them over its own threads; on a busy
    2-core machine every call then waits for a thread to be scheduled (measured: 40 ms for a dot product of
    300,000 numbers, 0.2 ms here). ``np.einsum`` sums in one thread, in a fixed order.
    """
    return float(np.einsum("i,i->", a, b))


def kernel_arrays(*arrays):
    """float64, contiguous, read-only views: one argument type for the kernels whatever the arrays' origin."""
    return [readonly(np.ascontiguousarray(a, dtype=np.float64)) for a in arrays]
