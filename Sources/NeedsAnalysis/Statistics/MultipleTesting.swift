import Foundation

/// Benjamini–Hochberg adjustment: q-values that control the false discovery rate of the family at level α when
/// the rule "flag if q ≤ α" is used (valid for independent or positively dependent tests). Same values as
/// scipy's `false_discovery_control(p, method='bh')` and R's `p.adjust(p, "BH")`.
public enum BenjaminiHochberg {
    /// q-values in the order of `pValues`.
    public static func adjust(_ pValues: [Double]) -> [Double] {
        let m = pValues.count
        guard m > 0 else { return [] }
        let order = pValues.indices.sorted { pValues[$0] < pValues[$1] || (pValues[$0] == pValues[$1] && $0 < $1) }
        var q = [Double](repeating: 1, count: m)
        var running = 1.0
        for rank in stride(from: m, through: 1, by: -1) {
            let i = order[rank - 1]
            running = min(running, pValues[i] * Double(m) / Double(rank))
            q[i] = min(1, running)
        }
        return q
    }
}
