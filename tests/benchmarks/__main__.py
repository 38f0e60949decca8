"""`python -m tests.benchmarks [--quick] [--only NAME ...]`: run every benchmark module and print tables."""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
import time

import tests.benchmarks as pkg


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes only (a smoke run)")
    parser.add_argument("--only", nargs="*", default=None, help="module names without the bench_ prefix")
    args = parser.parse_args(argv)
    names = sorted(m.name for m in pkgutil.iter_modules(pkg.__path__) if m.name.startswith("bench_"))
    if args.only:
        names = [n for n in names if n.removeprefix("bench_") in args.only]
    for name in names:
        module = importlib.import_module(f"tests.benchmarks.{name}")
        # modules marked OPT_IN (too large for a default run) run only when named or enabled by env
        opt_in = getattr(module, "OPT_IN", False)
        env = f"CVT_BENCH_{name.removeprefix('bench_').upper()}"
        if opt_in and not args.only and os.environ.get(env, "") not in {"1", "true", "yes"}:
            print(f"\n=== {name} === skipped (opt-in: --only {name.removeprefix('bench_')} or {env}=1)")
            continue
        print(f"\n=== {name} ===", flush=True)
        start = time.perf_counter()
        module.run(quick=args.quick)
        print(f"({name}: {time.perf_counter() - start:.0f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
