import Foundation
import XCTest
import GeoIndex
@testable import NeedsAnalysis

/// The sample district end to end: synthetic complaints written as CSV, imported into a SpatiaLite store by the
/// real importer (reverse geocoding included), loaded as a snapshot, analysed — and the counts compared with
/// a point-in-polygon join done another way (this file's own crossing-number test on the CSV's coordinates).
final class EndToEndTests: XCTestCase {
    static let root = FixtureFile.repository

    struct Sample {
        var dir: URL
        var store: SpatiaLiteStore
        var generator: ComplaintGenerator
        var csv: String
    }

    /// One store for the class (building it is most of the time).
    nonisolated(unsafe) static var shared: Sample?

    override class func tearDown() {
        if let s = shared { try? FileManager.default.removeItem(at: s.dir) }
        shared = nil
    }

    func sample() throws -> Sample {
        if let s = Self.shared { return s }
        let s = try makeSample(count: 30_000)
        Self.shared = s
        return s
    }

    func makeSample(count: Int) throws -> Sample {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("needs-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let data = Self.root.appendingPathComponent("data/sample-parcels")
        let rows = try GeoJSONReader.mahalle(path: data.appendingPathComponent("mahalle.geojson").path)
        let categories = try Category.read(csvPath: data.appendingPathComponent("categories.csv").path)
        let store = try SpatiaLiteStore(path: dir.appendingPathComponent("store.sqlite").path, create: true)
        _ = try store.addBoundaries(BoundaryInput(source: "sample", mahalle: rows, parcels: [], categories: categories))
        var o = ComplaintGenerator.Options()
        o.count = count
        o.seed = 42
        let g = ComplaintGenerator(mahalle: try store.mahalleList(), categories: try store.categories(), options: o)
        let csv = dir.appendingPathComponent("complaints.csv").path
        try g.writeCSV(to: csv)
        let summary = try ComplaintImporter(store: store).importFile(csv)
        XCTAssertEqual(summary.imported, count)
        return Sample(dir: dir, store: store, generator: g, csv: csv)
    }

    /// Crossing-number point-in-polygon (even–odd over all rings), written apart from GeoIndex's.
    static func inside(_ lon: Double, _ lat: Double, _ g: MultiPolygon) -> Bool {
        var odd = false
        for poly in g.polygons {
            for ring in poly.rings {
                var j = ring.count - 1
                for i in 0..<ring.count {
                    let a = ring[i], b = ring[j]
                    if (a.lat > lat) != (b.lat > lat),
                       lon < (b.lon - a.lon) * (lat - a.lat) / (b.lat - a.lat) + a.lon { odd.toggle() }
                    j = i
                }
            }
        }
        return odd
    }

    func testCountsMatchAnIndependentPointInPolygonJoin() throws {
        let s = try sample()
        let mahalle = try s.store.mahalleList()
        let categories = try s.store.categories()
        let period = Period.month("2024-03")!
        let report = NeedsReport.compute(snapshot: try s.store.loadSnapshot(), mahalle: mahalle, categories: categories,
                                         period: period)

        // The other route: read the CSV's lon, lat, category, created_at and test every mahalle polygon.
        var expected: [String: Int] = [:]
        var outside = 0, inMonth = 0
        let text = try String(contentsOfFile: s.csv, encoding: .utf8)
        for line in text.split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",", maxSplits: 8, omittingEmptySubsequences: false)
            guard let lon = Double(f[1]), let lat = Double(f[2]), let t = Timestamp.parse(String(f[7])) else {
                XCTFail("unreadable line \(line)"); continue
            }
            guard period.contains(unix: t) else { continue }
            inMonth += 1
            let hits = mahalle.filter { $0.geometry.bbox.contains(LonLat(lon: lon, lat: lat)) && Self.inside(lon, lat, $0.geometry) }
            guard let m = hits.first else { outside += 1; continue }
            XCTAssertEqual(hits.count, 1, "a point in two mahalle")
            expected["\(m.id)/\(f[3])", default: 0] += 1
        }
        XCTAssertGreaterThan(inMonth, 1_000)
        var mismatches: [String] = []
        for r in report.rows where r.category != "*" {
            let e = expected["\(r.mahalleID)/\(r.category)"] ?? 0
            if e != r.count { mismatches.append("\(r.mahalle)/\(r.category): \(r.count) vs \(e)") }
        }
        XCTAssertEqual(mismatches, [])
        XCTAssertEqual(report.totals.complaints + report.totals.unassigned, inMonth)
        XCTAssertEqual(report.totals.unassigned, outside)
        let json = String(decoding: try report.jsonData(), as: UTF8.self)
        XCTAssertFalse(json.contains("NaN"))
    }

    /// The generator plants a few mahalle × category pairs at 4× the usual share; over the year the needs ranking
    /// must find them.
    func testPlantedNeedsAreFound() throws {
        let s = try sample()
        let report = NeedsReport.compute(snapshot: try s.store.loadSnapshot(), mahalle: try s.store.mahalleList(),
                                         categories: try s.store.categories(),
                                         period: Period.days(from: "2024-01-01", to: "2024-12-31")!,
                                         options: { var o = NeedsOptions(); o.topNeedsPerMahalle = nil; return o }())
        XCTAssertFalse(s.generator.planted.isEmpty)
        for p in s.generator.planted {
            let m = try XCTUnwrap(report.ranking.first { $0.mahalleID == p.mahalleID })
            XCTAssertTrue(m.needs.contains { $0.category == p.category }, "planted \(p.mahalleName)/\(p.category) not found")
        }
    }

}
