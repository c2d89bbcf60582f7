import Foundation
import XCTest
import GeoIndex
@testable import NeedsAnalysis

final class HotspotTests: XCTestCase {
    let march = Period.month("2024-03")!

    /// 6 × 6 squares of 0.01°, 1,000 people each; the 2 × 2 block in the north-east corner has 40 complaints each,
    /// the rest 3–6. Mahalle (5, 5) has no population.
    func grid() -> Town {
        var t = Town()
        var id: Int64 = 1
        for row in 0..<6 {
            for col in 0..<6 {
                let hot = row >= 4 && col >= 4
                t.addSquare("M\(row)\(col)", id: id, population: row == 0 && col == 5 ? 0 : 1_000, column: col, row: row)
                t.add(hot ? 40 : 3 + (row * 7 + col * 3) % 4, mahalle: id, category: "yol", created: istanbul(2024, 3, 5))
                id += 1
            }
        }
        return t
    }

    func testMahalleHotSpotIsFoundAndMatchesDirectGiStar() throws {
        let t = grid()
        let a = HotspotAnalysis.mahalle(snapshot: t.snapshot(), mahalle: t.mahalle, categories: t.categories, period: march,
                                        district: "Merkez")
        XCTAssertEqual(a.units.count, 36)
        let hot = Set(a.units.filter { $0.classification == "hot" }.map(\.mahalle))
        XCTAssertTrue(hot.isSuperset(of: ["M44", "M45", "M54", "M55"]), "\(hot)")
        XCTAssertFalse(hot.contains("M00"))
        let excluded = a.units.first { $0.mahalle == "M05" }!
        XCTAssertEqual(excluded.classification, "excluded")
        XCTAssertNil(excluded.giZ)
        XCTAssertNil(excluded.value)
        XCTAssertTrue(a.notes.contains { $0.contains("without population") })

        // Same numbers as GetisOrd on the queen weights of the kept mahalle.
        let kept = a.units.indices.filter { a.units[$0].value != nil }
        let w = SpatialWeights.queen(a.geometries).subset(kept)
        let gi = GetisOrd.giStar(kept.map { a.units[$0].value! }, weights: w)!
        for (k, i) in kept.enumerated() { XCTAssertEqual(a.units[i].giZ!, gi.z[k]!, accuracy: 1e-12) }
        // Interior squares have 8 queen neighbours, corners 3.
        XCTAssertEqual(a.units.first { $0.mahalle == "M22" }!.neighbours, 8)
        XCTAssertEqual(a.units.first { $0.mahalle == "M00" }!.neighbours, 3)
    }

    func testGridHotSpotFromPoints() throws {
        var t = Town()
        t.addSquare("Geniş", id: 1, population: 50_000, column: 0)
        // Square 0.01° ≈ 880 m × 1,110 m; 100 m cells. 60 complaints at one point, 1 at 30 scattered points.
        t.add(60, mahalle: 1, category: "yol", created: istanbul(2024, 3, 5), at: LonLat(lon: 36.9052, lat: 37.6052))
        for i in 0..<30 {
            let p = LonLat(lon: 36.9005 + Double(i % 6) * 0.0015, lat: 37.6005 + Double(i / 6) * 0.0019)
            t.add(1, mahalle: 1, category: "cop", created: istanbul(2024, 3, 6), at: p)
        }
        var o = HotspotOptions(); o.cellMetres = 100
        let a = HotspotAnalysis.grid(snapshot: t.snapshot(), mahalle: t.mahalle, categories: t.categories, period: march,
                                     district: "Merkez", options: o)
        XCTAssertEqual(a.unit, .grid)
        XCTAssertEqual(a.units.reduce(0) { $0 + $1.count }, 90, "every complaint lands in a cell")
        // About 9 × 11 cells cover the square.
        XCTAssertTrue((80...130).contains(a.units.count), "\(a.units.count)")
        let top = try XCTUnwrap(a.units.max { $0.count < $1.count })
        XCTAssertEqual(top.count, 60)
        XCTAssertEqual(top.classification, "hot")
        XCTAssertTrue(a.units.allSatisfy { $0.mahalle == "Geniş" })
        XCTAssertEqual(a.units.filter { $0.neighbours == 8 }.count > 50, true)
        XCTAssertTrue(a.projection!.hasPrefix("local equirectangular"))

        // Only yol: the cluster alone.
        o.category = "yol"
        let onlyYol = HotspotAnalysis.grid(snapshot: t.snapshot(), mahalle: t.mahalle, categories: t.categories,
                                           period: march, district: "Merkez", options: o)
        XCTAssertEqual(onlyYol.units.reduce(0) { $0 + $1.count }, 60)
    }

    func testLocalProjectionRoundTripAndScale() {
        let p = LocalProjection(center: LonLat(lon: 36.93, lat: 37.6))
        let q = LonLat(lon: 36.95, lat: 37.61)
        let (x, y) = p.project(q)
        let back = p.unproject(x: x, y: y)
        XCTAssertEqual(back.lon, q.lon, accuracy: 1e-12)
        XCTAssertEqual(back.lat, q.lat, accuracy: 1e-12)
        // 0.01° of latitude ≈ 1,111.95 m on the mean sphere.
        XCTAssertEqual(p.project(LonLat(lon: 36.93, lat: 37.61)).y, 1111.95, accuracy: 0.01)
    }

    func testOutputs() throws {
        let t = grid()
        let a = HotspotAnalysis.mahalle(snapshot: t.snapshot(), mahalle: t.mahalle, categories: t.categories, period: march)
        let csv = a.csv()
        let lines = csv.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines[0], "district,mahalle,value,gi_z,gi_p,gi_q,class,id,count,population,neighbours,lon,lat,row,column")
        XCTAssertEqual(lines.count, 37)
        XCTAssertFalse(csv.contains("e-") || csv.lowercased().contains("nan"))
        let geo = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(a.geoJSON().utf8)) as? [String: Any])
        let features = try XCTUnwrap(geo["features"] as? [[String: Any]])
        XCTAssertEqual(features.count, 36)
        let props = try XCTUnwrap(features.first?["properties"] as? [String: Any])
        XCTAssertNotNil(props["gi_z"])
        XCTAssertEqual((features.first?["geometry"] as? [String: Any])?["type"] as? String, "Polygon")
        let json = String(decoding: try a.jsonData(), as: UTF8.self)
        XCTAssertFalse(json.contains("NaN"))
        XCTAssertFalse(json.contains("geometries"))
        XCTAssertTrue(a.table().contains("hot"))
    }

    func testNoComplaintsGivesNoStatisticNotNaN() throws {
        let t = grid()
        var empty = Town()
        empty.mahalle = t.mahalle
        let a = HotspotAnalysis.mahalle(snapshot: empty.snapshot(), mahalle: t.mahalle,
                                        categories: t.categories, period: march)
        XCTAssertTrue(a.units.allSatisfy { $0.giZ == nil })
        XCTAssertTrue(a.notes.contains { $0.contains("No complaints") })
        XCTAssertFalse(String(decoding: try a.jsonData(), as: UTF8.self).contains("NaN"))
        XCTAssertTrue(a.csv().contains(",,,,none,"))
    }
}
