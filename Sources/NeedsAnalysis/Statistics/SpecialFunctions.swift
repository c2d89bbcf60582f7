import Foundation

/// The special functions the interval estimates and tests need, in Double precision.
///
/// - `regularizedGammaP(a, x)` = P(a, x) = γ(a, x) / Γ(a): power series for x < a + 1, Lentz continued fraction for
///   the complement otherwise (Numerical Recipes §6.2); relative error ≈ 1e-15.
/// - `gammaQuantile(p, shape:)` inverts P(a, ·) (scipy's `gammaincinv`, and `chi2.ppf(p, k) = 2·gammaincinv(k/2, p)`)
///   by Halley steps from a Wilson–Hilferty start, kept inside a bracket and finished by bisection if a step
///   leaves it; converged to a relative 1e-14.
/// - `normalSF(z)` = 1 − Φ(z) through `erfc`, exact in the tail (no 1 − Φ cancellation).
/// - `normalQuantile(p)`: Acklam's rational approximation refined by one Halley step (|error| < 1e-15 in p).
///
/// Checked against scipy 1.17 values in `Tests/NeedsAnalysisTests/Fixtures/scipy-fixtures.json`.
public enum SpecialFunctions {
    @inline(__always)
    public static func logGamma(_ x: Double) -> Double { lgamma(x) }

    /// P(a, x), the regularized lower incomplete gamma function; a > 0, x ≥ 0.
    public static func regularizedGammaP(_ a: Double, _ x: Double) -> Double {
        precondition(a > 0, "shape must be positive")
        if x <= 0 { return 0 }
        if x.isInfinite { return 1 }
        if x < a + 1 { return gammaSeries(a, x) }
        return 1 - gammaContinuedFraction(a, x)
    }

    /// Q(a, x) = 1 − P(a, x), computed directly in the upper tail.
    public static func regularizedGammaQ(_ a: Double, _ x: Double) -> Double {
        precondition(a > 0, "shape must be positive")
        if x <= 0 { return 1 }
        if x.isInfinite { return 0 }
        if x < a + 1 { return 1 - gammaSeries(a, x) }
        return gammaContinuedFraction(a, x)
    }

    /// Series for P(a, x), x < a + 1.
    static func gammaSeries(_ a: Double, _ x: Double) -> Double {
        var ap = a, sum = 1 / a, del = sum
        for _ in 0..<10_000 {
            ap += 1
            del *= x / ap
            sum += del
            if abs(del) < abs(sum) * 1e-17 { break }
        }
        return sum * prefactor(a, x)
    }

    /// x^a e^(−x) / Γ(a), computed without the cancellation of −x + a·log x − log Γ(a) for large a
    /// (Temme's form: a·(log1p(t) − t) with t = (x − a)/a, plus Stirling's series for log Γ).
    static func prefactor(_ a: Double, _ x: Double) -> Double {
        if a < 10 { return exp(-x + a * log(x) - logGamma(a)) }
        let t = (x - a) / a
        let log2pi = log(2 * Double.pi)
        return exp(a * log1pMinusX(t) + 0.5 * log(a) - 0.5 * log2pi - stirlingError(a))
    }

    /// log(1 + t) − t, accurate for small |t|.
    static func log1pMinusX(_ t: Double) -> Double {
        guard abs(t) < 0.1 else { return log1p(t) - t }
        // −t²/2 + t³/3 − t⁴/4 + …
        var term = -t * t, sum = 0.0, k = 2.0
        while true {
            let add = term / k
            sum += add
            if abs(add) <= abs(sum) * 1e-17 { break }
            term *= -t
            k += 1
        }
        return sum
    }

    /// log Γ(a) − ((a − ½)·log a − a + ½·log 2π), for a ≥ 10 by the asymptotic series.
    static func stirlingError(_ a: Double) -> Double {
        let r = 1 / a, r2 = r * r
        return r * (1.0 / 12 - r2 * (1.0 / 360 - r2 * (1.0 / 1260 - r2 * (1.0 / 1680 - r2 / 1188))))
    }

    /// Continued fraction for Q(a, x), x ≥ a + 1 (modified Lentz).
    static func gammaContinuedFraction(_ a: Double, _ x: Double) -> Double {
        let tiny = 1e-300
        var b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d
        for i in 1..<10_000 {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let del = d * c
            h *= del
            if abs(del - 1) < 1e-16 { break }
        }
        return prefactor(a, x) * h
    }

    /// The x with P(a, x) = p (scipy `gammaincinv(a, p)`); 0 for p = 0, +∞ for p = 1.
    public static func gammaQuantile(_ p: Double, shape a: Double) -> Double {
        precondition(a > 0 && p >= 0 && p <= 1, "gammaQuantile needs a > 0 and p in [0, 1]")
        if p == 0 { return 0 }
        if p == 1 { return .infinity }
        // Wilson–Hilferty start (chi-square with 2a degrees of freedom, halved), guarded for small a.
        let z = normalQuantile(p)
        let nine = 1 / (9 * a)
        var x = a * pow(max(1 - nine + z * sqrt(nine), 1e-3), 3)
        if a < 1 {
            // For small shapes P(a, x) ≈ x^a / Γ(a + 1) near zero.
            let small = exp((log(p) + logGamma(a + 1)) / a)
            if small < x || !x.isFinite { x = small }
        }
        // Bracket [lo, hi] with P(lo) ≤ p ≤ P(hi).
        var lo = 0.0, hi = Double.infinity
        let logGammaA = logGamma(a)
        for _ in 0..<200 {
            let f = regularizedGammaP(a, x) - p
            if f == 0 { return x }
            if f < 0 { lo = max(lo, x) } else { hi = min(hi, x) }
            // Density of Gamma(a, 1) at x and Halley's correction.
            let density = exp((a - 1) * log(x) - x - logGammaA)
            var next: Double
            if density > 0 && density.isFinite {
                let t = f / density
                let curvature = (a - 1) / x - 1
                next = x - t / (1 - 0.5 * min(1, max(-1, t * curvature)))
            } else {
                next = .nan
            }
            if !(next > lo && next < hi) || !next.isFinite {
                next = hi.isFinite ? 0.5 * (lo + hi) : max(2 * x, lo + 1)
            }
            if abs(next - x) <= 1e-15 * max(x, 1e-300) { return next }
            x = next
        }
        return x
    }

    /// The chi-square quantile with k degrees of freedom (scipy `chi2.ppf(p, k)`).
    public static func chiSquareQuantile(_ p: Double, degreesOfFreedom k: Double) -> Double {
        2 * gammaQuantile(p, shape: k / 2)
    }

    /// 1 − Φ(z), the upper tail of the standard normal.
    @inline(__always)
    public static func normalSF(_ z: Double) -> Double { 0.5 * erfc(z / 2.0.squareRoot()) }

    /// Φ(z).
    @inline(__always)
    public static func normalCDF(_ z: Double) -> Double { 0.5 * erfc(-z / 2.0.squareRoot()) }

    /// Φ⁻¹(p) for p in (0, 1).
    public static func normalQuantile(_ p: Double) -> Double {
        if p <= 0 { return -.infinity }
        if p >= 1 { return .infinity }
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
                 -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
                 -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
                 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        let pLow = 0.02425
        var x: Double
        if p < pLow {
            let q = (-2 * log(p)).squareRoot()
            x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
                ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        } else if p <= 1 - pLow {
            let q = p - 0.5, r = q * q
            x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
                (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
        } else {
            let q = (-2 * log(1 - p)).squareRoot()
            x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
                ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        // One Halley step on Φ(x) − p; in the upper half as (1 − p) − (1 − Φ(x)), where 1 − p is exact.
        let e = p > 0.5 ? (1 - p) - normalSF(x) : normalCDF(x) - p
        let u = e * (2 * Double.pi).squareRoot() * exp(x * x / 2)
        x -= u / (1 + x * u / 2)
        return x
    }
}
