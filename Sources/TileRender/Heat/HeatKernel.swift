import Foundation

/// A windowed Gaussian kernel: weight 1 at the centre, σ = radius / 3, falling continuously to 0 at `radius`
/// pixels (the Gaussian minus its value at the radius, rescaled), so even a pile of thousands of complaints on one
/// pixel has no hard edge. Separable: the 2-D weight is the product of two 1-D weights, and a product of Gaussians
/// is round. A dense tile is blurred in two 1-D passes; a sparse one is stamped cell by cell with the precomputed
/// 2-D stamp (the same products), so both paths give the same numbers.
public struct HeatKernel: Sendable, Equatable {
    public let radius: Int
    /// 2·radius + 1 weights, centre at index `radius`.
    public let weights: [Float]
    /// (2·radius + 1)² weights, row-major: weights[dy] · weights[dx].
    public let stamp: [Float]

    public init(radius: Int) {
        let r = max(1, radius)
        self.radius = r
        let sigma = Double(r) / 3
        let edge = exp(-Double(r * r) / (2 * sigma * sigma))
        let w = (-r...r).map { d in Float((exp(-Double(d * d) / (2 * sigma * sigma)) - edge) / (1 - edge)) }
        weights = w
        var s = [Float](repeating: 0, count: (2 * r + 1) * (2 * r + 1))
        for dy in -r...r {
            for dx in -r...r { s[(dy + r) * (2 * r + 1) + dx + r] = w[dy + r] * w[dx + r] }
        }
        stamp = s
    }
}
