import Foundation
import GeoIndex

/// Getis–Ord Gi* hot spots over the mahalle of a district (queen contiguity from the polygons) or over a
/// regular grid of cells (queen neighbours on the grid). Plain data; output with `csv()`, `table()`,
/// `geoJSON()` and `jsonData()`.
///
/// Statistics: see `GetisOrd` (analytical moments, z referred to the normal distribution, two-sided p). Multiple
/// testing: Benjamini–Hochberg over all units of one analysis; `classification` is "hot"/"cold" only when
/// q ≤ `HotspotOptions.fdr`. Units without a value (mahalle without population, when analysing rates) are
/// left out of the weights and the statistic and reported as "excluded".
public struct HotspotAnalysis: Codable, Sendable {
    public enum Unit: String, Codable, Sendable { case mahalle, grid }

    public var unit: Unit
    public var period: String
    @Nullable public var district: String?
    /// The category analysed; null for all.
    @Nullable public var category: String?
    /// "per1000" or "count" (grid cells are always counts).
    public var value: String
    /// "B" (binary, classical Gi*) or "R" (row-standardised).
    public var transform: String
    public var fdr: Double
    public var method: String
    @Nullable public var cellMetres: Double?
    @Nullable public var projection: String?
    public var units: [Hotspot]
    public var notes: [String]
    /// One geometry per unit (for GeoJSON); not part of the JSON.
    public var geometries: [MultiPolygon] = []

    enum CodingKeys: String, CodingKey {
        case unit, period, district, category, value, transform, fdr, method, cellMetres, projection, units, notes
    }

    public struct Hotspot: Codable, Sendable {
        /// Mahalle id, or "r<row>c<column>" for a grid cell.
        public var id: String
        public var district: String
        /// The mahalle (for a cell: the one containing its centre, else the one of one of its complaints).
        public var mahalle: String
        @Nullable public var mahalleID: Int64?
        public var count: Int
        @Nullable public var population: Int?
        @Nullable public var value: Double?
        public var neighbours: Int
        @Nullable public var giZ: Double?
        @Nullable public var giP: Double?
        @Nullable public var giQ: Double?
        /// "hot", "cold", "none" or "excluded".
        public var classification: String
        @Nullable public var row: Int?
        @Nullable public var column: Int?
        /// A point inside or at the centre of the unit (label position).
        public var lon: Double
        public var lat: Double
    }

    static let method = "Getis–Ord Gi* (self included), analytical moments, two-sided normal p, Benjamini–Hochberg FDR"

    public func jsonData(pretty: Bool = true) throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return try e.encode(self)
    }

    /// Runs Gi* on `values` (nil = excluded) and fills z, p, q and the class of `units`.
    static func classify(_ units: inout [Hotspot], values: [Double?], weights: SpatialWeights, options: HotspotOptions,
                         notes: inout [String]) {
        let kept = values.indices.filter { values[$0] != nil }
        let w = weights.subset(kept)
        for (k, i) in kept.enumerated() { units[i].neighbours = w.neighbours[k].count }
        for i in values.indices where values[i] == nil { units[i].classification = "excluded"; units[i].neighbours = 0 }
        guard let gi = GetisOrd.giStar(kept.map { values[$0]! }, weights: w, transform: options.transform) else {
            if !kept.isEmpty { notes.append("Gi* is undefined here: fewer than two units, or every value is equal (or zero).") }
            return
        }
        let tested = kept.indices.filter { gi.p[$0] != nil }
        let q = BenjaminiHochberg.adjust(tested.map { gi.p[$0]! })
        for (k, i) in kept.enumerated() {
            units[i].giZ = gi.z[k].flatMap(finite)
            units[i].giP = gi.p[k].flatMap(finite)
        }
        for (j, k) in tested.enumerated() {
            let i = kept[k]
            units[i].giQ = q[j]
            if q[j] <= options.fdr, let z = gi.z[k] { units[i].classification = z > 0 ? "hot" : "cold" }
        }
        let islands = w.islands.count
        if islands > 0 { notes.append("\(islands) unit(s) without neighbours: their Gi* compares only their own value with the mean.") }
    }
}
