import Foundation

/// Class breaks for a choropleth: `k` classes need k − 1 inner breaks; class i holds values in
/// (breaks[i−1], breaks[i]] (the first class from the minimum, the last to the maximum).
public enum ClassBreaks {
    /// Quantiles: about the same number of values in each class. Breaks are values of the data (the largest value
    /// of each class), duplicates removed, so fewer classes come back when many values are equal.
    public static func quantile(_ values: [Double], classes k: Int) -> [Double] {
        let v = values.filter(\.isFinite).sorted()
        guard v.count > 1, k > 1 else { return [] }
        var out: [Double] = []
        for i in 1..<k {
            let idx = Int((Double(i) * Double(v.count) / Double(k)).rounded(.up)) - 1
            let b = v[min(max(idx, 0), v.count - 1)]
            if b < v.last!, out.last.map({ $0 < b }) ?? true { out.append(b) }
        }
        return out
    }

    /// Jenks natural breaks by Fisher's dynamic programme (exact, O(k·n²), fine for hundreds of mahalle): the
    /// classes that minimise the sum of squared deviations from the class means. Breaks are class maxima.
    public static func jenks(_ values: [Double], classes k: Int) -> [Double] {
        let v = values.filter(\.isFinite).sorted()
        let n = v.count
        guard n > 1, k > 1 else { return [] }
        let k = min(k, n)
        // Prefix sums for O(1) within-class variance.
        var s1 = [Double](repeating: 0, count: n + 1), s2 = [Double](repeating: 0, count: n + 1)
        for i in 0..<n { s1[i + 1] = s1[i] + v[i]; s2[i + 1] = s2[i] + v[i] * v[i] }
        func ssd(_ i: Int, _ j: Int) -> Double { // values i..<j
            let c = Double(j - i), s = s1[j] - s1[i]
            return (s2[j] - s2[i]) - s * s / c
        }
        // cost[c][j]: best cost of the first j values in c classes; cut[c][j]: where the last class starts.
        var cost = [[Double]](repeating: [Double](repeating: .infinity, count: n + 1), count: k + 1)
        var cut = [[Int]](repeating: [Int](repeating: 0, count: n + 1), count: k + 1)
        cost[0][0] = 0
        for c in 1...k {
            for j in c...n {
                for i in (c - 1)..<j where cost[c - 1][i].isFinite {
                    let t = cost[c - 1][i] + ssd(i, j)
                    if t < cost[c][j] { cost[c][j] = t; cut[c][j] = i }
                }
            }
        }
        var starts: [Int] = []
        var j = n
        for c in stride(from: k, to: 0, by: -1) { let i = cut[c][j]; starts.append(i); j = i }
        starts.reverse()
        var out: [Double] = []
        for s in starts.dropFirst() where s > 0 {
            let b = v[s - 1]
            if b < v.last!, out.last.map({ $0 < b }) ?? true { out.append(b) }
        }
        return out
    }

    /// The class (0…breaks.count) of a value.
    @inline(__always)
    public static func classOf(_ value: Double, breaks: [Double]) -> Int {
        var c = 0
        while c < breaks.count && value > breaks[c] { c += 1 }
        return c
    }
}

/// Sequential ColorBrewer OrRd (colour-blind safe, print friendly), light to dark, by number of classes.
public enum ChoroplethRamp {
    static let orRd: [Int: [UInt32]] = [
        2: [0xFDBB84, 0xE34A33],
        3: [0xFEE8C8, 0xFDBB84, 0xE34A33],
        4: [0xFEF0D9, 0xFDCC8A, 0xFC8D59, 0xD7301F],
        5: [0xFEF0D9, 0xFDCC8A, 0xFC8D59, 0xE34A33, 0xB30000],
        6: [0xFEF0D9, 0xFDD49E, 0xFDBB84, 0xFC8D59, 0xE34A33, 0xB30000],
        7: [0xFEF0D9, 0xFDD49E, 0xFDBB84, 0xFC8D59, 0xEF6548, 0xD7301F, 0x990000],
    ]
    /// Colour for mahalle without a value (no population for a rate).
    public static let noData = RGBA(0xD9D9D9)

    public static func colors(classes k: Int) -> [RGBA] {
        (orRd[min(max(k, 2), 7)] ?? orRd[5]!).map { RGBA($0) }
    }
}
