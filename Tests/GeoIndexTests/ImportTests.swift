import Foundation
import XCTest
@testable import GeoIndex

final class ImportTests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws { dir = try Fixtures.tempDir() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func testImportCSVAssignsAndCounts() throws {
        let s = try Fixtures.store(in: dir)
        let csv = try Fixtures.write(Fixtures.complaintsCSV(400), "c.csv", in: dir)
        let sum = try ComplaintImporter(store: s).importFile(csv)
        XCTAssertEqual(sum.imported, 400)
        XCTAssertEqual(sum.assigned + sum.unassigned, 400)
        // Independent count: points inside the town's square (36.90–37.00, 37.55–37.65) are the assigned ones.
        let inside = Fixtures.points(400).filter { $0.lon >= 36.90 && $0.lon < 37.00 && $0.lat >= 37.55 && $0.lat < 37.65 }.count
        XCTAssertEqual(sum.assigned, inside)
        XCTAssertGreaterThan(sum.unassigned, 0)
        let sqlUnassigned = try s.db.scalarInt("SELECT count(*) FROM unassigned_complaints")
        XCTAssertEqual(sqlUnassigned, Int64(sum.unassigned))
        XCTAssertEqual(try s.integrityProblems(), [])
    }

    func testDateWithoutOffsetIsIstanbulTime() throws {
        let s = try Fixtures.store(in: dir)
        let csv = try Fixtures.write("lon,lat,category,created_at\n36.92,37.57,yol,2024-03-05 14:30\n36.92,37.57,yol,2024-03-05T14:30:00Z\n", "d.csv", in: dir)
        _ = try ComplaintImporter(store: s).importFile(csv)
        XCTAssertEqual(try s.complaint(id: 1)?.fields.createdAt.timeIntervalSince1970, 1_709_638_200) // 11:30Z
        XCTAssertEqual(try s.complaint(id: 2)?.fields.createdAt.timeIntervalSince1970, 1_709_649_000)
        XCTAssertEqual(try s.db.scalarText("SELECT created_at FROM complaints WHERE id = 1"), "2024-03-05T11:30:00Z")
    }

    func testHeaderIsCaseInsensitiveWithAliasesAndUnknownColumnsIgnored() throws {
        let s = try Fixtures.store(in: dir)
        let csv = try Fixtures.write("Longitude,LATITUDE,Category,Created_At,whatever\n36.92,37.57,Kar,2024-01-05,x\n", "h.csv", in: dir)
        let sum = try ComplaintImporter(store: s).importFile(csv)
        XCTAssertEqual(sum.imported, 1)
        XCTAssertEqual(try s.complaint(id: 1)?.fields.category, "kar")
    }

    func testUnknownCategoryIsCreatedAndReportedOrRefusedWhenStrict() throws {
        let s = try Fixtures.store(in: dir)
        let csv = try Fixtures.write("lon,lat,category,created_at\n36.92,37.57,Sokak Hayvanları,2024-01-05\n", "u.csv", in: dir)
        var opts = ComplaintImporter.Options()
        opts.strictCategories = true
        XCTAssertThrowsError(try ComplaintImporter(store: s, options: opts).importFile(csv)) { e in
            XCTAssertTrue("\(e)".contains("line 2"), "\(e)")
            XCTAssertTrue("\(e)".contains("unknown category 'sokak-hayvanlari'"), "\(e)")
        }
        XCTAssertEqual(try s.complaintCount(), 0)
        let sum = try ComplaintImporter(store: s).importFile(csv)
        XCTAssertEqual(sum.newCategories, ["sokak-hayvanlari"])
    }

    func testProjectedInputWithSrs() throws {
        let s = try Fixtures.store(in: dir)
        // ITRF96 / TM36 (EPSG:5256): central meridian 36°E, false easting 500 000 m, scale 1.
        // A point on the central meridian has x = 500000; 36.92°E is ~81 km east of it.
        let t = try CoordinateTransform(from: "EPSG:5256")
        let csvText = "x,y,category,created_at\n581400.0,4161000.0,yol,2024-01-05\n"
        let csv = try Fixtures.write(csvText, "p.csv", in: dir)
        var opts = ComplaintImporter.Options()
        opts.srs = "EPSG:5256"
        let sum = try ComplaintImporter(store: s, options: opts).importFile(csv)
        XCTAssertEqual(sum.imported, 1)
        let c = try XCTUnwrap(try s.complaint(id: 1))
        let expect = t.transform(581_400, 4_161_000)
        XCTAssertEqual(c.fields.location.lon, expect.lon, accuracy: 1e-9)
        XCTAssertEqual(c.fields.location.lon, 36.92, accuracy: 0.02)
        XCTAssertEqual(c.fields.location.lat, 37.59, accuracy: 0.02)
        // x,y without --srs is refused with a hint.
        XCTAssertThrowsError(try ComplaintImporter(store: s).importFile(csv)) { e in
            XCTAssertTrue("\(e)".contains("--srs"), "\(e)")
        }
    }

    func testSkipInvalidWritesRejectsAndImportsTheRest() throws {
        let s = try Fixtures.store(in: dir)
        let csv = try Fixtures.write("""
            id,lon,lat,category,created_at
            1,36.92,37.57,yol,2024-01-05
            2,abc,37.57,yol,2024-01-05
            3,36.93,37.58,su,not-a-date
            4,36.94,37.59,park,2024-02-01T09:00:00+03:00
            """, "s.csv", in: dir)
        let rejects = dir.appendingPathComponent("rejects.csv").path
        var opts = ComplaintImporter.Options()
        opts.skipInvalid = true
        opts.rejectsPath = rejects
        let sum = try ComplaintImporter(store: s, options: opts).importFile(csv)
        XCTAssertEqual(sum.imported, 2)
        XCTAssertEqual(sum.rejected, 2)
        let r = try String(contentsOfFile: rejects, encoding: .utf8)
        XCTAssertTrue(r.hasPrefix("id,lon,lat,category,created_at,error\n"), r)
        XCTAssertTrue(r.contains("2,abc,37.57,yol,2024-01-05,\"line 3 lon: not a number: 'abc'\""), r)
        XCTAssertTrue(r.contains("line 4 created_at: unparseable date 'not-a-date'"), r)
    }

    func testGeoJSONPointImport() throws {
        let s = try Fixtures.store(in: dir)
        let gj = try Fixtures.write("""
            {"type":"FeatureCollection","features":[
             {"type":"Feature","properties":{"id":"W-1","category":"park","created_at":"2024-06-01T10:00:00Z","channel":"whatsapp"},
              "geometry":{"type":"Point","coordinates":[36.97,37.56]}}]}
            """, "p.geojson", in: dir)
        let sum = try ComplaintImporter(store: s).importFile(gj)
        XCTAssertEqual(sum.imported, 1)
        let c = try XCTUnwrap(try s.complaint(id: 1))
        XCTAssertEqual(c.fields.channel, .whatsapp)
        XCTAssertEqual(c.fields.externalRef, "W-1")
        XCTAssertEqual(c.address.mahalleName, "Ulubahçe")
    }

    /// Above the bulk threshold the R-tree is written as a packed STR tree: SQLite's rtreecheck() must pass,
    /// R-tree queries must return exactly what a scan returns, and later single inserts must still be indexed.
    func testPackedRTreeBulkLoad() throws {
        let s = try Fixtures.store(in: dir)
        let n = SpatiaLiteStore.packedRTreeThreshold + 1_500
        let csv = try Fixtures.write(Fixtures.complaintsCSV(n), "big.csv", in: dir)
        let sum = try ComplaintImporter(store: s).importFile(csv)
        XCTAssertEqual(sum.imported, n)
        XCTAssertEqual(try s.integrityProblems(), [])
        func counts(_ b: BoundingBox) throws -> (Int64, Int64) {
            // The R-tree is a candidate filter (float32 boxes rounded outwards): overlap query, then the exact test.
            let viaIndex = try s.db.scalarInt("""
                SELECT count(*) FROM complaints WHERE rowid IN (SELECT pkid FROM idx_complaints_geom
                WHERE xmin <= \(b.maxLon) AND xmax >= \(b.minLon) AND ymin <= \(b.maxLat) AND ymax >= \(b.minLat))
                AND ST_X(geom) >= \(b.minLon) AND ST_X(geom) <= \(b.maxLon)
                AND ST_Y(geom) >= \(b.minLat) AND ST_Y(geom) <= \(b.maxLat)
                """) ?? -1
            let viaScan = try s.db.scalarInt("""
                SELECT count(*) FROM complaints WHERE ST_X(geom) >= \(b.minLon) AND ST_X(geom) <= \(b.maxLon)
                AND ST_Y(geom) >= \(b.minLat) AND ST_Y(geom) <= \(b.maxLat)
                """) ?? -2
            return (viaIndex, viaScan)
        }
        for b in [BoundingBox(minLon: 36.91, minLat: 37.56, maxLon: 36.94, maxLat: 37.61),
                  BoundingBox(minLon: 36.80, minLat: 37.50, maxLon: 37.10, maxLat: 37.70),
                  BoundingBox(minLon: 36.955, minLat: 37.601, maxLon: 36.956, maxLat: 37.602)] {
            let (a, b2) = try counts(b)
            XCTAssertEqual(a, b2, "\(b)")
        }
        // A second bulk import appends (the tree is rebuilt over old and new rows).
        let second = Fixtures.complaintsCSV(n, seed: 8).split(separator: "\n").enumerated()
            .map { $0.offset == 0 ? String($0.element) : "b" + $0.element }.joined(separator: "\n")  // ids b1, b2, …
        _ = try ComplaintImporter(store: s).importFile(try Fixtures.write(second, "big2.csv", in: dir))
        XCTAssertEqual(try s.complaintCount(), 2 * n)
        XCTAssertEqual(try s.integrityProblems(), [])
        // Single inserts after a bulk load go through SpatiaLite's triggers again.
        let c = try s.insert(NewComplaint(location: LonLat(lon: 36.9555, lat: 37.6015), category: "yol", createdAt: Date()))
        let found = try s.db.scalarInt("SELECT count(*) FROM idx_complaints_geom WHERE pkid = \(c.id)")
        XCTAssertEqual(found, 1)
        XCTAssertEqual(try s.integrityProblems(), [])
    }
}
