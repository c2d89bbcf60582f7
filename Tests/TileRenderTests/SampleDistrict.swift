import Foundation
import GeoIndex
@testable import TileRender

/// The sample district (data/sample-parcels) with complaints from the project's generator: for the contact
/// sheet only (goldens use `Fixture`, which nobody else changes).
enum SampleDistrict {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func load(complaints n: Int) throws -> (snapshot: ComplaintSnapshot, mahalle: [Mahalle], categories: [Category]) {
        let dir = root.appendingPathComponent("data/sample-parcels")
        let rows = try GeoJSONReader.mahalle(path: dir.appendingPathComponent("mahalle.geojson").path)
        let districts = Array(Set(rows.map(\.district))).sorted()
        let mahalle = rows.enumerated().map { i, r in
            Mahalle(id: Int64(i + 1), name: r.name, code: r.code, population: r.population,
                    districtID: Int64(districts.firstIndex(of: r.district)! + 1), districtName: r.district, geometry: r.geometry)
        }
        let categories = try Category.read(csvPath: dir.appendingPathComponent("categories.csv").path)
        var options = ComplaintGenerator.Options()
        options.count = n
        options.seed = 83
        let gen = ComplaintGenerator(mahalle: mahalle, categories: categories, options: options)
        let tables = ComplaintSnapshot.Tables(categories: categories.map(\.code), mahalle: mahalle.map(\.id), districts: districts)
        let boxes = mahalle.map { $0.geometry.bbox }
        var records: [CompactComplaint] = []
        var id = 0
        try gen.forEach { c in
            id += 1
            var mi: UInt16 = 0
            for (i, m) in mahalle.enumerated() where boxes[i].contains(c.location) && m.geometry.contains(c.location) {
                mi = UInt16(i + 1); break
            }
            let district: UInt8 = mi == 0 ? 0 : UInt8(districts.firstIndex(of: mahalle[Int(mi) - 1].districtName)! + 1)
            records.append(SpatiaLiteStore.compact(
                id: Int64(id), location: c.location, category: tables.categoryIndex[c.category] ?? 0,
                status: CompiledFilter.statusCode(c.status), channel: CompiledFilter.channelCode(c.channel),
                type: CompiledFilter.typeCode(c.type), created: Int64(c.createdAt.timeIntervalSince1970),
                resolved: c.resolvedAt.map { Int64($0.timeIntervalSince1970) }, mahalle: mi, district: district, satisfaction: nil))
        }
        return (ComplaintSnapshot(tables: tables, records: records), mahalle, categories)
    }
}
