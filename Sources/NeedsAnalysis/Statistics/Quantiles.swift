import Foundation

/// Sample quantiles with linear interpolation between order statistics: Hyndman & Fan type 7, the default of
/// numpy `percentile`, pandas `quantile` and R `quantile`. For sorted x₀…xₙ₋₁ the q-quantile is
/// x[h] + (h − ⌊h⌋)(x[⌊h⌋+1] − x[⌊h⌋]) with h = (n − 1)q. The median of an even-sized sample is the mean of the middle two.
public enum Quantiles {
    /// The q-quantile (q in [0, 1]) of an ascending array; nil when empty.
    public static func sorted<T: BinaryInteger>(_ x: [T], _ q: Double) -> Double? {
        guard !x.isEmpty else { return nil }
        let h = Double(x.count - 1) * q
        let i = Int(h.rounded(.down))
        if i >= x.count - 1 { return Double(x[x.count - 1]) }
        let f = h - Double(i)
        return Double(x[i]) + f * (Double(x[i + 1]) - Double(x[i]))
    }

    public static func sorted(_ x: [Double], _ q: Double) -> Double? {
        guard !x.isEmpty else { return nil }
        let h = Double(x.count - 1) * q
        let i = Int(h.rounded(.down))
        if i >= x.count - 1 { return x[x.count - 1] }
        let f = h - Double(i)
        return x[i] + f * (x[i + 1] - x[i])
    }
}
