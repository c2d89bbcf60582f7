import Foundation
import XCTest
@testable import GeoIndex

final class ReverseGeocoderTests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws { dir = try Fixtures.tempDir() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func testPointsLandOnTheirMahalle() throws {
        let g = try Fixtures.store(in: dir).geocoder()
        XCTAssertEqual(g.geocode(LonLat(lon: 36.92, lat: 37.56)).mahalleName, "Şehitler")
        XCTAssertEqual(g.geocode(LonLat(lon: 36.92, lat: 37.63)).mahalleName, "İsmetpaşa")
        XCTAssertEqual(g.geocode(LonLat(lon: 36.97, lat: 37.56)).mahalleName, "Ulubahçe")
        XCTAssertEqual(g.geocode(LonLat(lon: 36.97, lat: 37.63)).mahalleName, "Çınarlı")
        let out = g.geocode(LonLat(lon: 37.20, lat: 37.63))
        XCTAssertNil(out.mahalleID)
        XCTAssertFalse(out.isAssigned)
    }

    /// A point on a shared border (edge or the corner of four mahalle) belongs to exactly one of them.
    func testBorderPointsGoToExactlyOneMahalle() throws {
        let mahalle = try Fixtures.store(in: dir).mahalleList()
        let border: [LonLat] = [
            LonLat(lon: 36.95, lat: 37.57), LonLat(lon: 36.95, lat: 37.62),   // vertical shared edge
            LonLat(lon: 36.92, lat: 37.60), LonLat(lon: 36.97, lat: 37.60),   // horizontal shared edge
            LonLat(lon: 36.95, lat: 37.60),                                   // the corner of all four
        ]
        for p in border {
            let owners = mahalle.filter { $0.geometry.contains(p) }
            XCTAssertEqual(owners.count, 1, "\(p) is in \(owners.map(\.name))")
        }
        // And sweeping a fine grid over the whole town, every inside point has exactly one owner.
        for i in 0...100 {
            for j in 0...100 {
                let p = LonLat(lon: 36.90 + Double(i) * 0.001, lat: 37.55 + Double(j) * 0.001)
                let owners = mahalle.filter { $0.geometry.contains(p) }.count
                let onOuterEdge = i == 100 || j == 100
                XCTAssertEqual(owners, onOuterEdge ? owners : 1, "\(p)")
                XCTAssertLessThanOrEqual(owners, 1)
            }
        }
    }

    /// An independent route: SpatiaLite's ST_Contains (GEOS) through the mahalle R-tree must agree with the
    /// Swift geocoder for points not on a border.
    func testAgreesWithSpatiaLiteSTContains() throws {
        let s = try Fixtures.store(in: dir)
        let g = try s.geocoder()
        let st = try s.db.prepare("""
            SELECT m.id FROM mahalle m WHERE m.rowid IN (SELECT pkid FROM idx_mahalle_geom
              WHERE xmin <= ?1 AND xmax >= ?1 AND ymin <= ?2 AND ymax >= ?2)
            AND ST_Contains(m.geom, MakePoint(?1, ?2, 4326))
            """)
        for p in Fixtures.points(500, seed: 99) {
            try st.reset()
            try st.bind([.double(p.lon), .double(p.lat)])
            let sql: Int64? = try st.step() ? st.int64(0) : nil
            XCTAssertEqual(g.geocode(p).mahalleID, sql, "\(p)")
        }
    }

    func testParcelContainingAndNearestWithin50m() throws {
        let g = try Fixtures.store(in: dir).geocoder()
        let inside = g.geocode(LonLat(lon: 36.9215, lat: 37.5705))
        XCTAssertEqual(inside.street, "Gül Sokak")
        XCTAssertEqual(inside.doorNumber, "3")
        XCTAssertEqual(inside.parcelDistanceMetres, 0)
        // 0.0003° of latitude south of parcel 1 ≈ 33 m: nearest parcel, door 1.
        let near = g.geocode(LonLat(lon: 36.9205, lat: 37.5697))
        XCTAssertEqual(near.doorNumber, "1")
        XCTAssertEqual(near.parcelDistanceMetres ?? 0, 33.2, accuracy: 1.0)
        // 0.0006° ≈ 66 m: too far, no street and door number (but still in the mahalle).
        let far = g.geocode(LonLat(lon: 36.9205, lat: 37.5694))
        XCTAssertNil(far.street)
        XCTAssertEqual(far.mahalleName, "Şehitler")
        let bulvar = g.geocode(LonLat(lon: 36.9205, lat: 37.5805))
        XCTAssertEqual(bulvar.street, "Atatürk Bulvarı")
        XCTAssertEqual(bulvar.doorNumber, "12/A")
    }

    func testHolesAreNotInside() {
        let outer = [LonLat(lon: 0, lat: 0), LonLat(lon: 10, lat: 0), LonLat(lon: 10, lat: 10), LonLat(lon: 0, lat: 10), LonLat(lon: 0, lat: 0)]
        let hole = [LonLat(lon: 4, lat: 4), LonLat(lon: 6, lat: 4), LonLat(lon: 6, lat: 6), LonLat(lon: 4, lat: 6), LonLat(lon: 4, lat: 4)]
        let poly = Polygon(rings: [outer, hole])
        XCTAssertTrue(poly.contains(LonLat(lon: 2, lat: 2)))
        XCTAssertFalse(poly.contains(LonLat(lon: 5, lat: 5)))
        XCTAssertFalse(poly.contains(LonLat(lon: 11, lat: 5)))
    }
}

final class OwnerRasterTests: XCTestCase {
    /// The raster shortcut must give exactly the exact test's answer, on the sample district's jagged borders.
    func testRasterAgreesWithExactTestOnSampleDistrict() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("data/sample-parcels/mahalle.geojson").path
        let rows = try GeoJSONReader.mahalle(path: path)
        let mahalle = rows.enumerated().map { i, r in
            Mahalle(id: Int64(i + 1), name: r.name, code: r.code, population: r.population, districtID: 1,
                    districtName: r.district, geometry: r.geometry)
        }
        let g = ReverseGeocoder(mahalle: mahalle, parcels: [])
        var fast = 0
        for p in Fixtures.points(50_000, seed: 5, box: BoundingBox(minLon: 36.80, minLat: 37.48, maxLon: 37.09, maxLat: 37.69)) {
            XCTAssertEqual(g.mahalleContaining(p)?.id, g.exactMahalleContaining(p)?.id, "\(p)")
            if g.mahalleContaining(p) != nil { fast += 1 }
        }
        XCTAssertGreaterThan(fast, 30_000)
        // Exactly on shared vertices of the borders, too.
        for m in mahalle.prefix(10) {
            for v in m.geometry.polygons[0].outer { XCTAssertEqual(g.mahalleContaining(v)?.id, g.exactMahalleContaining(v)?.id) }
        }
    }
}
