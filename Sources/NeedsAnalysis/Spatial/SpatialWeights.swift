import Foundation
import GeoIndex

/// Neighbour lists of n spatial units (no self-neighbours; Gi* adds the self-weight itself). Binary by
/// construction: unit i and j are neighbours or not; any standardisation is `GetisOrd.Transform`'s job.
public struct SpatialWeights: Hashable, Sendable, Codable {
    /// `neighbours[i]` ascending, without i; symmetric (j ∈ neighbours[i] ⇔ i ∈ neighbours[j]).
    public var neighbours: [[Int]]

    public init(neighbours: [[Int]]) { self.neighbours = neighbours }

    public var count: Int { neighbours.count }

    /// Units with no neighbour at all.
    public var islands: [Int] { neighbours.indices.filter { neighbours[$0].isEmpty } }

    /// The weights restricted to `kept` units (in that order); links to dropped units disappear.
    public func subset(_ kept: [Int]) -> SpatialWeights {
        var newIndex = [Int](repeating: -1, count: count)
        for (k, i) in kept.enumerated() { newIndex[i] = k }
        return SpatialWeights(neighbours: kept.map { i in neighbours[i].compactMap { newIndex[$0] >= 0 ? newIndex[$0] : nil }.sorted() })
    }
}
