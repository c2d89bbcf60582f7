import Foundation
import GeoIndex

extension HotspotAnalysis {
    /// The CSV contract of `taskmap hotspots --format csv` (columns are only ever appended): one row per mahalle
    /// (Turkish alphabetical order) or grid cell (row-major from the south-west). `value` is the analysed value
    /// (per 1,000 residents or count); `gi_p` is two-sided; `gi_q` the Benjamini–Hochberg q-value; `class` is
    /// hot, cold, none or excluded. Undefined values are empty fields.
    public static let csvHeader = [
        "district", "mahalle", "value", "gi_z", "gi_p", "gi_q", "class", "id", "count", "population", "neighbours",
        "lon", "lat", "row", "column",
    ]

    public func csv() -> String {
        var w = CSVWriter(header: Self.csvHeader)
        for u in units {
            w.row([u.district, u.mahalle, u.value.map { PlainNumber.fixed($0, decimals: 4) } ?? "",
                   u.giZ.map { PlainNumber.fixed($0, decimals: 6) } ?? "", u.giP.map { PlainNumber.significant($0) } ?? "",
                   u.giQ.map { PlainNumber.significant($0) } ?? "", u.classification, u.id, String(u.count),
                   u.population.map(String.init) ?? "", String(u.neighbours), PlainNumber.fixed(u.lon, decimals: 7),
                   PlainNumber.fixed(u.lat, decimals: 7), u.row.map(String.init) ?? "", u.column.map(String.init) ?? ""])
        }
        return w.text
    }

    /// GeoJSON FeatureCollection (RFC 7946, WGS 84 lon/lat): one feature per unit with its polygon and the CSV's
    /// properties (snake_case); undefined values are null.
    public func geoJSON() -> String {
        func n(_ x: Double?, _ d: Int = 6) -> String { x.flatMap(finite).map { PlainNumber.fixed($0, decimals: d) } ?? "null" }
        func s(_ x: String) -> String {
            let data = try? JSONEncoder().encode(x)
            return data.map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
        }
        var out = "{\"type\":\"FeatureCollection\",\"features\":["
        for (i, u) in units.enumerated() {
            if i > 0 { out += "," }
            out += "\n{\"type\":\"Feature\",\"id\":\(s(u.id)),\"properties\":{"
            out += "\"district\":\(s(u.district)),\"mahalle\":\(s(u.mahalle)),\"mahalle_id\":\(u.mahalleID.map(String.init) ?? "null"),"
            out += "\"count\":\(u.count),\"population\":\(u.population.map(String.init) ?? "null"),\"value\":\(n(u.value, 4)),"
            out += "\"gi_z\":\(n(u.giZ)),\"gi_p\":\(u.giP.map { PlainNumber.significant($0) } ?? "null"),"
            out += "\"gi_q\":\(u.giQ.map { PlainNumber.significant($0) } ?? "null"),\"class\":\(s(u.classification)),"
            out += "\"neighbours\":\(u.neighbours)"
            if let r = u.row, let c = u.column { out += ",\"row\":\(r),\"column\":\(c)" }
            out += "},\"geometry\":"
            out += i < geometries.count ? Self.geometryJSON(geometries[i]) : "null"
            out += "}"
        }
        out += "\n]}\n"
        return out
    }

    static func geometryJSON(_ g: MultiPolygon) -> String {
        func ring(_ r: [LonLat]) -> String {
            "[" + r.map { "[\(PlainNumber.fixed($0.lon, decimals: 7)),\(PlainNumber.fixed($0.lat, decimals: 7))]" }.joined(separator: ",") + "]"
        }
        func polygon(_ p: Polygon) -> String { "[" + p.rings.map(ring).joined(separator: ",") + "]" }
        if g.polygons.count == 1 { return "{\"type\":\"Polygon\",\"coordinates\":\(polygon(g.polygons[0]))}" }
        return "{\"type\":\"MultiPolygon\",\"coordinates\":[" + g.polygons.map(polygon).joined(separator: ",") + "]}"
    }

    /// Hot spots (z descending), cold spots (z ascending), then — for mahalle — the rest in Turkish
    /// alphabetical order.
    public func table() -> String {
        var out = "Hot spots — \(district ?? "all districts"), \(period), "
        out += category.map { "category \($0)" } ?? "all categories"
        out += unit == .grid ? ", \(Int(cellMetres ?? 0)) m cells (\(value))" : " (\(value == "per1000" ? "per 1,000 residents" : "counts"))"
        out += "\n  Gi* \(transform == "B" ? "binary" : "row-standardised") weights, two-sided normal p, Benjamini–Hochberg q ≤ \(PlainNumber.fixed(fdr, decimals: 3))\n"
        for note in notes { out += "  note: \(note)\n" }
        let hot = units.filter { $0.classification == "hot" }.sorted { ($0.giZ ?? 0) > ($1.giZ ?? 0) }
        let cold = units.filter { $0.classification == "cold" }.sorted { ($0.giZ ?? 0) < ($1.giZ ?? 0) }
        let rest = unit == .mahalle
            ? units.filter { $0.classification != "hot" && $0.classification != "cold" }.sorted { TurkishText.compare($0.mahalle, $1.mahalle) }
            : []
        var t = TextTable([("Class", .left), (unit == .grid ? "Cell" : "Mahalle", .left), ("Count", .right),
                           ("Value", .right), ("Gi* z", .right), ("p", .right), ("q", .right), ("Neighbours", .right)])
        for u in hot + cold + rest {
            t.add([u.classification, unit == .grid ? "\(u.id) (\(u.mahalle))" : u.mahalle, PlainNumber.grouped(u.count),
                   u.value.map { String(format: "%.2f", $0) } ?? "–", u.giZ.map { String(format: "%+.2f", $0) } ?? "–",
                   u.giP.map { String(format: "%.4f", $0) } ?? "–", u.giQ.map { String(format: "%.4f", $0) } ?? "–",
                   String(u.neighbours)])
        }
        if unit == .grid {
            out += "  \(units.count) cells in the study area, \(hot.count) hot, \(cold.count) cold\n"
        }
        out += (hot.isEmpty && cold.isEmpty && rest.isEmpty) ? "  (no hot or cold spots)\n" : t.render()
        return out
    }
}
