import Foundation

/// The exact binomial test, two-sided, with the same definition as scipy's `binomtest(k, n, p).pvalue`: the
/// probability of all outcomes no more likely than the one observed (relative tolerance 1e-7 for ties).
///
/// Terms are summed outward from the observed count and from the matching point on the other side of the
/// mode with the pmf recurrence, stopping when they no longer change the sum, so a test costs O(√n) work.
public enum BinomialTest {
    /// log P(X = i), X ~ Binomial(n, p).
    @inline(__always)
    public static func logPMF(_ i: Int, _ n: Int, _ p: Double) -> Double {
        if p <= 0 { return i == 0 ? 0 : -.infinity }
        if p >= 1 { return i == n ? 0 : -.infinity }
        let lc = SpecialFunctions.logGamma(Double(n + 1)) - SpecialFunctions.logGamma(Double(i + 1))
            - SpecialFunctions.logGamma(Double(n - i + 1))
        return lc + Double(i) * log(p) + Double(n - i) * log1p(-p)
    }

    /// P(X = i).
    @inline(__always)
    public static func pmf(_ i: Int, _ n: Int, _ p: Double) -> Double { exp(logPMF(i, n, p)) }

    /// Σ P(X = i) for i from `start` stepping by `step` (±1) while in [0, n], with pmf decreasing that way.
    static func tail(from start: Int, step: Int, _ n: Int, _ p: Double) -> Double {
        guard start >= 0 && start <= n else { return 0 }
        var term = pmf(start, n, p)
        var sum = term
        var i = start
        let ratio = p / (1 - p)
        while true {
            let next = i + step
            if next < 0 || next > n { break }
            // P(i+1)/P(i) = (n−i)/(i+1)·p/(1−p); P(i−1)/P(i) = i/(n−i+1)·(1−p)/p.
            term *= step > 0 ? Double(n - i) / Double(i + 1) * ratio : Double(i) / Double(n - i + 1) / ratio
            i = next
            if term == 0 || term < sum * 1e-17 { break }
            sum += term
        }
        return sum
    }

    /// Two-sided p-value of k successes in n trials under success probability p.
    public static func twoSided(k: Int, n: Int, p: Double) -> Double {
        precondition(n >= 0 && k >= 0 && k <= n && p >= 0 && p <= 1)
        if n == 0 { return 1 }
        if p == 0 { return k == 0 ? 1 : 0 }
        if p == 1 { return k == n ? 1 : 0 }
        let expected = p * Double(n)
        if Double(k) == expected { return 1 }
        let d = pmf(k, n, p) * (1 + 1e-7)
        var value: Double
        if Double(k) < expected {
            // Right side: first x ≥ ceil(np) with pmf(x) ≤ d (pmf decreases there).
            var lo = Int(expected.rounded(.up)), hi = n + 1
            while lo < hi {
                let mid = (lo + hi) / 2
                if pmf(mid, n, p) <= d { hi = mid } else { lo = mid + 1 }
            }
            value = tail(from: k, step: -1, n, p) + tail(from: lo, step: 1, n, p)
        } else {
            // Left side: last x ≤ floor(np) with pmf(x) ≤ d (pmf increases towards the mode).
            var lo = -1, hi = Int(expected.rounded(.down))
            while lo < hi {
                let mid = (lo + hi + 1) / 2
                if pmf(mid, n, p) <= d { lo = mid } else { hi = mid - 1 }
            }
            value = tail(from: k, step: 1, n, p) + (lo >= 0 ? tail(from: lo, step: -1, n, p) : 0)
        }
        return min(1, value)
    }
}

/// Change between two Poisson counts: the conditional (exact) binomial test.
///
/// With counts c₁ (this period, exposure t₁) and c₀ (comparison period, exposure t₀), under H₀ "same rate" the
/// count c₁ given c₁ + c₀ = n is Binomial(n, t₁/(t₁ + t₀)). The two-sided p-value is `BinomialTest.twoSided`.
/// Exposure is the length of each period in seconds (months differ by up to three days); the population is
/// taken as the same in both periods. The rate ratio is (c₁/t₁)/(c₀/t₀), nil when c₀ = 0.
public struct PoissonComparison: Hashable, Sendable {
    public var count: Int
    public var baseline: Int
    public var rateRatio: Double?
    public var p: Double

    public init(count: Int, exposure: Double, baseline: Int, baselineExposure: Double) {
        self.count = count
        self.baseline = baseline
        let share = exposure / (exposure + baselineExposure)
        p = BinomialTest.twoSided(k: count, n: count + baseline, p: share)
        rateRatio = baseline > 0 ? (Double(count) / exposure) / (Double(baseline) / baselineExposure) : nil
    }

    /// +1 when this period's rate is higher than the baseline's, −1 when lower, 0 when equal.
    public var direction: Int {
        let r = rateRatio ?? (count > 0 ? .infinity : 1)
        return r > 1 ? 1 : (r < 1 ? -1 : 0)
    }
}
