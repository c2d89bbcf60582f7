import Foundation

/// Getis–Ord local Gi* (the focal unit included in its own neighbourhood), with the analytical moments of
/// Getis & Ord (1992) / Ord & Getis (1995) as PySAL's `esda.G_Local(y, w, transform=…, star=True)` computes them.
///
/// With weights wᵢⱼ (including wᵢᵢ), n units, ȳ = Σy/n and s² = Σy²/n − ȳ² (population variance):
///
///     Gᵢ* = Σⱼ wᵢⱼ yⱼ / Σⱼ yⱼ        E[Gᵢ*] = Wᵢ/n  with Wᵢ = Σⱼ wᵢⱼ
///     Var[Gᵢ*] = Wᵢ (n − Wᵢ) / (n − 1) / n² · s²/ȳ²
///     zᵢ = (Gᵢ* − E) / √Var           p = 2·(1 − Φ(|zᵢ|))   (two-sided, normal approximation)
///
/// `Transform.binary` (self-weight 1, each neighbour 1) is the classical Gi*; its z equals Getis–Ord's
/// (Σwy − ȳΣw) / (s·√((nΣw² − (Σw)²)/(n − 1))) exactly, and is what we use by default.
/// `Transform.rowStandardised` (each of the kᵢ+1 weights 1/(kᵢ+1)) is esda's default `transform='R'`; it is
/// offered to reproduce PySAL output, but note that esda's variance formula uses Wᵢ = 1 there and ignores
/// Σwᵢⱼ², so its z-scores are smaller than the permutation distribution implies (by about √(kᵢ+1)). As in
/// esda, an island (no neighbours) gets no self-weight under `.rowStandardised`, so its z is undefined (nil);
/// under `.binary` it keeps its self-weight and compares its own value with the mean.
///
/// The z-score is referred to the normal distribution: approximate, and poor when n is small or a unit has
/// very few neighbours; esda's permutation p-values (`p_sim`) are not reproduced. The p-value we report is
/// two-sided; esda's `p_norm` is the one-sided 1 − Φ(|z|), i.e. half of ours.
public enum GetisOrd {
    public enum Transform: String, Sendable, Codable, CaseIterable {
        /// Self-weight 1 and 1 for each neighbour (esda `transform='B'`).
        case binary = "B"
        /// Row-standardised, self included: each weight 1/(neighbours + 1) (esda `transform='R'`, its default).
        case rowStandardised = "R"
    }

    public struct Result: Hashable, Sendable, Codable {
        /// Gᵢ*, the share of the total held by the neighbourhood (weighted).
        public var g: [Double]
        /// E[Gᵢ*].
        public var expected: [Double]
        /// Var[Gᵢ*].
        public var variance: [Double]
        /// z-scores; nil where the variance is zero (all values equal, or a unit adjacent to every other).
        public var z: [Double?]
        /// Two-sided normal p-values, nil where z is nil.
        public var p: [Double?]
    }

    /// Gi* of `values` on `weights` (same order). nil when n < 2 or the values sum to zero or are all equal.
    public static func giStar(_ values: [Double], weights: SpatialWeights, transform: Transform = .binary) -> Result? {
        let n = values.count
        precondition(weights.count == n, "weights and values must have the same units")
        guard n >= 2 else { return nil }
        let N = Double(n)
        var sum = 0.0, sumSquares = 0.0
        for y in values { sum += y; sumSquares += y * y }
        let mean = sum / N
        let variance = sumSquares / N - mean * mean
        guard sum != 0, variance > 0 else { return nil }
        var result = Result(g: [], expected: [], variance: [], z: [], p: [])
        result.g.reserveCapacity(n)
        for i in 0..<n {
            let nb = weights.neighbours[i]
            var lag = values[i]
            for j in nb { lag += values[j] }
            let w: Double, cardinality: Double
            switch transform {
            case .binary: w = 1; cardinality = Double(nb.count + 1)
            case .rowStandardised:
                // esda fills the diagonal with the row's largest weight: 0 for an island, whose row stays empty.
                if nb.isEmpty { w = 0; cardinality = 0; lag = 0 } else { w = 1 / Double(nb.count + 1); cardinality = 1 }
            }
            let g = w * lag / sum
            let e = cardinality / N
            let v = cardinality * (N - cardinality) / (N - 1) / (N * N) * variance / (mean * mean)
            result.g.append(g)
            result.expected.append(e)
            result.variance.append(v)
            if v > 0 {
                let z = (g - e) / v.squareRoot()
                result.z.append(z)
                result.p.append(min(1, 2 * SpecialFunctions.normalSF(abs(z))))
            } else {
                result.z.append(nil)
                result.p.append(nil)
            }
        }
        return result
    }
}
