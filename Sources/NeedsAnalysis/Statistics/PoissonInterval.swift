import Foundation

/// The exact (Garwood) confidence interval for the mean μ of a Poisson count k:
///
///     lower = ½·χ²(α/2; 2k)         (0 when k = 0)
///     upper = ½·χ²(1 − α/2; 2k + 2)
///
/// i.e. the gamma quantiles `gammaincinv(k, α/2)` and `gammaincinv(k + 1, 1 − α/2)`. The interval is the set of μ
/// that a two-sided test with α/2 in each tail does not reject, so its coverage is at least 1 − α for every μ
/// (conservative, never anti-conservative). Dividing by a fixed expected count E gives the interval of
/// observed/expected (the standardised ratio), as in SIR/SMR tables.
public struct PoissonInterval: Hashable, Sendable, Codable {
    public var lower: Double
    public var upper: Double

    public init(lower: Double, upper: Double) { self.lower = lower; self.upper = upper }

    /// The exact interval for the mean of `count` at `confidence` (e.g. 0.95).
    public init(count: Int, confidence: Double = 0.95) {
        precondition(count >= 0 && confidence > 0 && confidence < 1)
        let alpha = 1 - confidence
        lower = count == 0 ? 0 : SpecialFunctions.gammaQuantile(alpha / 2, shape: Double(count))
        upper = SpecialFunctions.gammaQuantile(1 - alpha / 2, shape: Double(count + 1))
    }

    /// The interval scaled by 1/expected (observed/expected); nil when expected is not positive.
    public func ratio(toExpected expected: Double) -> PoissonInterval? {
        guard expected > 0, expected.isFinite else { return nil }
        return PoissonInterval(lower: lower / expected, upper: upper / expected)
    }
}
