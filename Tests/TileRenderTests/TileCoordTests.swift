import GeoIndex
import XCTest
@testable import TileRender

final class TileCoordTests: XCTestCase {
    func testInvalidCoordinatesAreNil() {
        XCTAssertNil(TileCoord(z: -1, x: 0, y: 0))
        XCTAssertNil(TileCoord(z: 23, x: 0, y: 0))
        XCTAssertNil(TileCoord(z: 3, x: 8, y: 0))
        XCTAssertNil(TileCoord(z: 3, x: 0, y: -1))
        XCTAssertNil(TileCoord(path: "3/1"))
        XCTAssertNil(TileCoord(path: "a/b/c"))
        XCTAssertEqual(TileCoord(path: "13/4936/3171"), TileCoord(z: 13, x: 4936, y: 3171))
        XCTAssertThrowsError(try TileCoord.validated(z: 1, x: 2, y: 0)) { e in
            XCTAssertEqual(e as? TileRenderError, .invalidTile(z: 1, x: 2, y: 0))
        }
    }
}

final class TileMathTests: XCTestCase {
    /// Values printed by mercantile 1.2 (`tile`, `bounds`, `ul`).
    func testMercantileKnownValues() {
        let cases: [(Double, Double, Int, Int, Int)] = [
            (-105.0, 40.0, 1, 0, 0), (20.6852, 40.1222, 9, 285, 193), (36.95, 37.59, 13, 4936, 3171),
            (0, 0, 0, 0, 0), (-180, 85.0511, 5, 0, 0), (179.9999, -85.0511, 3, 7, 7),
        ]
        for (lon, lat, z, x, y) in cases {
            XCTAssertEqual(TileCoord.containing(LonLat(lon: lon, lat: lat), zoom: z), TileCoord(z: z, x: x, y: y), "\(lon),\(lat) z\(z)")
        }
        let b = TileCoord(z: 10, x: 486, y: 332)!.bounds
        XCTAssertEqual(b.minLon, -9.140625, accuracy: 1e-9)
        XCTAssertEqual(b.maxLon, -8.7890625, accuracy: 1e-9)
        XCTAssertEqual(b.minLat, 53.120405283106564, accuracy: 1e-9)
        XCTAssertEqual(b.maxLat, 53.33087298301705, accuracy: 1e-9)
        let w = TileCoord(z: 0, x: 0, y: 0)!.bounds
        XCTAssertEqual(w.maxLat, 85.0511287798066, accuracy: 1e-9)
        XCTAssertEqual(w.minLat, -85.0511287798066, accuracy: 1e-9)
        let t16 = TileCoord(z: 16, x: 38964, y: 25094)!.bounds
        XCTAssertEqual(t16.minLon, 34.03564453125, accuracy: 1e-9)
        XCTAssertEqual(t16.minLat, 38.792626957868904, accuracy: 1e-9)
        XCTAssertEqual(t16.maxLat, 38.79690830348428, accuracy: 1e-9)
        let ul = TileCoord(z: 1, x: 1, y: 1)!.northWest
        XCTAssertEqual(ul.lon, 0, accuracy: 1e-12)
        XCTAssertEqual(ul.lat, 0, accuracy: 1e-12)
    }

    /// Properties over many random positions and zooms: the tile containing a point has it inside its bounds;
    /// lon/lat → pixel → lon/lat round-trips; parent/children agree.
    func testRoundTripProperties() {
        var rng = Fixture.RNG(state: 42)
        for _ in 0..<5000 {
            let p = LonLat(lon: rng.unit() * 360 - 180, lat: rng.unit() * 170 - 85)
            let z = Int(rng.next() % 23)
            guard let t = TileCoord.containing(p, zoom: z) else { return XCTFail("no tile for \(p)") }
            let b = t.bounds
            XCTAssert(p.lon >= b.minLon - 1e-9 && p.lon <= b.maxLon + 1e-9 && p.lat >= b.minLat - 1e-9 && p.lat <= b.maxLat + 1e-9,
                      "\(p) not in \(t) \(b)")
            for size in [256, 512] {
                let px = t.pixel(of: p, tileSize: size)
                XCTAssert(px.x >= -1e-6 && px.x <= Double(size) + 1e-6 && px.y >= -1e-6 && px.y <= Double(size) + 1e-6)
                let back = t.lonLat(ofPixelX: px.x, y: px.y, tileSize: size)
                XCTAssertEqual(back.lon, p.lon, accuracy: 1e-9)
                XCTAssertEqual(back.lat, p.lat, accuracy: 1e-9)
            }
            if let parent = t.parent {
                XCTAssert(parent.children.contains(t))
                XCTAssertEqual(TileCoord.containing(p, zoom: z - 1), parent)
            }
        }
    }

    func testLatitudeIsClampedAtTheMercatorLimit() {
        for lat in [85.0511287798066, 85.06, 89.9, 90] {
            XCTAssertEqual(TileCoord.containing(LonLat(lon: 10, lat: lat), zoom: 4)?.y, 0)
            XCTAssertEqual(TileCoord.containing(LonLat(lon: 10, lat: -lat), zoom: 4)?.y, 15)
            XCTAssertEqual(TileMath.worldPixel(LonLat(lon: 0, lat: lat), zoom: 0).y, 0, accuracy: 1e-6)
            XCTAssertEqual(TileMath.worldPixel(LonLat(lon: 0, lat: -lat), zoom: 0).y, 256, accuracy: 1e-6)
        }
        XCTAssertEqual(TileMath.clampLatitude(-91), -TileMath.maxLatitude)
    }

    /// The canvas maps fixed-point mercator exactly like the lon/lat tile math.
    func testCanvasAgreesWithTileMath() {
        var rng = Fixture.RNG(state: 3)
        for _ in 0..<500 {
            let p = LonLat(lon: 36.9 + rng.unit() * 0.1, lat: 37.55 + rng.unit() * 0.08)
            let z = 8 + Int(rng.next() % 15)
            let t = TileCoord.containing(p, zoom: z)!
            for size in [256, 512] {
                let canvas = TileCanvas(tile: t, size: size, buffer: 16)
                let f = WebMercator.fixed(p)
                let a = canvas.point(fixedX: f.x, fixedY: f.y), b = canvas.point(p)
                // Fixed point rounds down to 2^-32 of the world: up to one unit, in pixels.
                let unit = Double(size) * Double(1 << z) / 4_294_967_296.0
                XCTAssertEqual(a.x, b.x, accuracy: unit + 1e-6)
                XCTAssertEqual(a.y, b.y, accuracy: unit + 1e-6)
                let px = canvas.pixel(fixedX: f.x, fixedY: f.y)
                XCTAssertEqual(px.x, Int(a.x.rounded(.down)))
                let box = canvas.fixedBox
                XCTAssert(f.x >= box.x0 && f.x <= box.x1 && f.y >= box.y0 && f.y <= box.y1)
            }
        }
    }

    /// Range queries return exactly the records in the box (compared with a brute-force scan).
    func testSortedRangesFindExactlyTheBox() {
        let snap = Fixture.snapshot(Fixture.clustered(5000))
        var rng = Fixture.RNG(state: 9)
        for _ in 0..<50 {
            let z = 11 + Int(rng.next() % 6)
            let t = TileCoord.containing(LonLat(lon: 36.92 + rng.unit() * 0.06, lat: 37.57 + rng.unit() * 0.04), zoom: z)!
            let b = TileCanvas(tile: t, size: 256, buffer: Int(rng.next() % 40)).fixedBox
            var got = Set<UInt32>()
            snap.forEachRecord(inBoxX: b.x0, b.x1, y: b.y0, b.y1, filter: CompiledFilter()) { got.insert($0.id) }
            let want = Set(snap.sorted.filter { $0.x >= b.x0 && $0.x <= b.x1 && $0.y >= b.y0 && $0.y <= b.y1 }.map(\.id))
            XCTAssertEqual(got, want)
        }
    }
}
