#!/usr/bin/env python3
"""Reference values from scipy for the NeedsAnalysis statistics tests.

Writes Tests/NeedsAnalysisTests/Fixtures/scipy-fixtures.json (the Swift tests only read it).
Re-run:  python3 scripts/scipy-fixtures.py
"""
import json
import os
import sys

import numpy as np
import scipy
from scipy import special, stats

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "NeedsAnalysisTests", "Fixtures", "scipy-fixtures.json")


def main():
    shapes = [0.1, 0.5, 1, 1.5, 2, 3, 5, 10, 37, 100, 1000, 12345, 250000]
    probs = [1e-9, 1e-4, 0.025, 0.1, 0.5, 0.9, 0.975, 0.9999]
    gammaincinv = [{"a": a, "p": p, "x": float(special.gammaincinv(a, p))} for a in shapes for p in probs]
    gammainc = [{"a": a, "x": x, "P": float(special.gammainc(a, x)), "Q": float(special.gammaincc(a, x))}
                for a in shapes for x in [1e-3, 0.5, 1, 2.5, 9, 40, 110, 1050, 12000, 251000]]

    # Exact Poisson 95% interval, the chi-square route: lower = chi2.ppf(0.025, 2k)/2, upper = chi2.ppf(0.975, 2k+2)/2.
    counts = list(range(0, 31)) + [37, 50, 100, 250, 500, 1000, 5000, 10000, 100000]
    poisson = []
    for k in counts:
        lo = 0.0 if k == 0 else float(stats.chi2.ppf(0.025, 2 * k) / 2)
        hi = float(stats.chi2.ppf(0.975, 2 * k + 2) / 2)
        poisson.append({"k": k, "confidence": 0.95, "lower": lo, "upper": hi})
    for k in [0, 3, 40]:
        poisson.append({"k": k, "confidence": 0.90, "lower": 0.0 if k == 0 else float(stats.chi2.ppf(0.05, 2 * k) / 2),
                        "upper": float(stats.chi2.ppf(0.95, 2 * k + 2) / 2)})

    chi2 = [{"p": p, "df": df, "x": float(stats.chi2.ppf(p, df))}
            for p in [0.005, 0.025, 0.5, 0.975, 0.995] for df in [1, 2, 3, 10, 61, 2001]]

    # Exact binomial tests (two-sided, scipy's definition), including the conditional test of two Poisson
    # counts with unequal exposures: 31-day month vs 30-day month, 29-day February vs 31-day January.
    binom = []
    cases = [(0, 0, 0.5), (0, 1, 0.5), (3, 10, 0.5), (7, 10, 0.5), (5, 10, 0.5), (12, 20, 31 / 61), (40, 52, 31 / 61),
             (2, 30, 31 / 61), (29, 30, 31 / 61), (150, 250, 0.5), (300, 1000, 0.25), (1000, 2000, 29 / 60),
             (5400, 10000, 31 / 61), (1, 200, 0.01), (0, 50, 0.02), (7, 7, 0.3), (0, 7, 0.3), (13, 20, 0.65)]
    for k, n, p in cases:
        binom.append({"k": k, "n": n, "p": p, "pvalue": float(stats.binomtest(k, n, p).pvalue) if n > 0 else 1.0})

    pv = [0.01, 0.04, 0.03, 0.2, 0.5, 0.001, 0.04, 0.9, 0.049, 0.0001]
    bh = {"p": pv, "q": stats.false_discovery_control(pv, method="bh").tolist()}

    normal = [{"p": p, "quantile": float(stats.norm.ppf(p)), "z": z, "sf": float(stats.norm.sf(z))}
              for p, z in [(1e-10, 0.0), (0.001, 0.5), (0.025, 1.0), (0.3, 1.959963984540054), (0.5, 3.0),
                           (0.975, 6.0), (0.999999, 8.5)]]

    sample = [5, 1, 9, 3, 14, 2, 8, 8, 30, 4, 6]
    quant = {"x": sample, "q": [0.5, 0.9, 0.1, 0.0, 1.0],
             "value": [float(np.percentile(sample, 100 * q)) for q in [0.5, 0.9, 0.1, 0.0, 1.0]]}

    doc = {"generator": "scripts/scipy-fixtures.py",
           "versions": {"scipy": scipy.__version__, "numpy": np.__version__, "python": sys.version.split()[0]},
           "gammaincinv": gammaincinv, "gammainc": gammainc, "poissonInterval": poisson, "chi2ppf": chi2,
           "binomtest": binom, "benjaminiHochberg": bh, "normal": normal, "percentile": quant}
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
