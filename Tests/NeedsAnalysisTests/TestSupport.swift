import Foundation
import XCTest
import GeoIndex
@testable import NeedsAnalysis

/// Fixture files beside the tests (written by scripts/pysal-fixtures.py and scripts/scipy-fixtures.py).
enum FixtureFile {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func json(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }
}

/// Reads a JSON number array where null stands for "undefined".
func doubles(_ any: Any?) -> [Double?] {
    (any as? [Any] ?? []).map { ($0 as? NSNumber)?.doubleValue }
}

/// A small town to hand-compute: builds snapshots and mahalle from a few lines.
struct Town {
    var mahalle: [Mahalle] = []
    var categories: [Category] = [
        Category(code: "yol", nameTR: "Yol", nameEN: "Roads", department: "Fen İşleri"),
        Category(code: "cop", nameTR: "Çöp", nameEN: "Waste", department: "Temizlik"),
        Category(code: "park", nameTR: "Park", nameEN: "Parks", department: "Park ve Bahçeler"),
    ]
    var districts = ["Merkez", "Öteki"]
    var records: [CompactComplaint] = []
    private var nextID: UInt32 = 1

    /// A square mahalle of 0.01° at column `col` of a row of squares along 37.60 N.
    mutating func addSquare(_ name: String, id: Int64, population: Int, column: Int, row: Int = 0, district: String = "Merkez") {
        let x0 = 36.90 + Double(column) * 0.01, y0 = 37.60 + Double(row) * 0.01
        let ring = [LonLat(lon: x0, lat: y0), LonLat(lon: x0 + 0.01, lat: y0), LonLat(lon: x0 + 0.01, lat: y0 + 0.01),
                    LonLat(lon: x0, lat: y0 + 0.01), LonLat(lon: x0, lat: y0)]
        mahalle.append(Mahalle(id: id, name: name, code: "M\(id)", population: population, districtID: 1, districtName: district,
                               geometry: MultiPolygon(polygons: [Polygon(rings: [ring])])))
    }

    /// `n` complaints in mahalle `id` (0 = unassigned) created at `created` (Unix seconds).
    mutating func add(_ n: Int, mahalle id: Int64, category: String, created: Int64, resolvedAfterHours: Double? = nil,
                      status: ComplaintStatus? = nil, channel: Channel = .phone, satisfaction: UInt8 = 0,
                      district: String? = "Merkez", at point: LonLat? = nil) {
        let m = mahalle.first { $0.id == id }
        let p = point ?? m.map { g -> LonLat in let b = g.geometry.bbox; return b.center } ?? LonLat(lon: 36.5, lat: 37.0)
        let (x, y) = WebMercator.fixed(p)
        let ym = IstanbulTime.yearMonth(unix: created)
        for _ in 0..<n {
            let resolved = resolvedAfterHours.map { CompactComplaint.seconds2000(unix: created + Int64($0 * 3600)) } ?? 0
            let st = status ?? (resolvedAfterHours == nil ? .open : .resolved)
            records.append(CompactComplaint(
                x: x, y: y, id: nextID, created: CompactComplaint.seconds2000(unix: created), resolved: resolved,
                mahalle: 0, category: 0, status: CompiledFilter.statusCode(st), channel: CompiledFilter.channelCode(channel),
                type: 0, district: 0, satisfaction: satisfaction, month: CompactComplaint.month2000(year: ym.year, month: ym.month)))
            pending.append((nextID, id, category, district))
            nextID += 1
        }
    }
    private var pending: [(UInt32, Int64, String, String?)] = []

    func snapshot() -> ComplaintSnapshot {
        let tables = ComplaintSnapshot.Tables(categories: categories.map(\.code), mahalle: mahalle.map(\.id), districts: districts)
        var recs = records
        for (i, p) in pending.enumerated() {
            recs[i].mahalle = p.1 == 0 ? 0 : tables.mahalleIndex[p.1]!
            recs[i].category = tables.categoryIndex[p.2]!
            recs[i].district = p.3.flatMap { tables.districtIndex[$0] } ?? 0
        }
        return ComplaintSnapshot(tables: tables, records: recs)
    }
}

/// Unix seconds of an Istanbul local time.
func istanbul(_ y: Int, _ m: Int, _ d: Int, _ h: Int = 12) -> Int64 {
    IstanbulTime.startOfDay(year: y, month: m, day: d) + Int64(h) * 3600
}
