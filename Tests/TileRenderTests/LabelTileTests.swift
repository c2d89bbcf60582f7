import Foundation
import GeoIndex
import MapText
import XCTest
@testable import TileRender

/// The `labels` layer on a real city (İzmir centre, 257 mahalle from ../shared/data): names placed once per zoom
/// never overlap, sit inside their own mahalle (checked with GeoIndex's point-in-polygon, not the placer's), are
/// never cut or doubled at a tile edge, and appear only from the zoom where they fit.
final class LabelTileTests: XCTestCase {
    static let izmir: [Mahalle]? = {
        let root = SampleDistrict.root.deletingLastPathComponent().appendingPathComponent("shared/data/tr-mahalle/izmir-center")
        var fields = GeoJSONReader.BoundaryFields()
        fields.district = "townId"
        guard let rows = try? GeoJSONReader.mahalle(path: root.appendingPathComponent("mahalle.geojson").path, fields: fields) else { return nil }
        let districts = Array(Set(rows.map(\.district))).sorted()
        return rows.enumerated().map { i, r in
            Mahalle(id: Int64(i + 1), name: r.name, code: r.code, population: r.population,
                    districtID: Int64(districts.firstIndex(of: r.district)! + 1), districtName: r.district, geometry: r.geometry)
        }
    }()

    func izmir() throws -> [Mahalle] {
        if let m = Self.izmir { return m }
        let msg = "real data not found at ../shared/data/tr-mahalle/izmir-center (see ../shared/data/README.md)"
        if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail(msg) }
        throw XCTSkip(msg)
    }

    func testNamesNeverOverlapSitInTheirMahalleAndAppearOnceFromTheZoomTheyFit() throws {
        let mahalle = try izmir()
        XCTAssertEqual(mahalle.count, 257)
        let renderer = TileRenderer(snapshot: Fixture.snapshot([]), mahalle: mahalle)
        let byID = Dictionary(uniqueKeysWithValues: mahalle.map { ($0.id, $0) })
        var placedByZoom: [Int: Int] = [:]
        for z in 11...17 {
            let p = try renderer.labelPlacement(zoom: z)
            placedByZoom[z] = p.placed.count
            XCTAssertLessThanOrEqual(p.placed.count, p.candidates)
            XCTAssertEqual(Set(p.placed.map(\.mahalleID)).count, p.placed.count, "z\(z): a name placed twice")
            for (i, a) in p.placed.enumerated() {
                for b in p.placed[(i + 1)...] {
                    XCTAssertFalse(a.box.intersects(b.box), "z\(z): \(a.name) \(a.box) overlaps \(b.name) \(b.box)")
                }
                // The name's centre, back to lon/lat, lies in its own mahalle.
                let centre = TileMath.lonLat(worldPixelX: (a.box.x0 + a.box.x1) / 2, y: (a.box.y0 + a.box.y1) / 2, zoom: z)
                let m = try XCTUnwrap(byID[a.mahalleID])
                XCTAssertTrue(m.geometry.contains(centre), "z\(z): \(a.name) at \(centre) is outside its mahalle")
                // It fits: the mahalle is about as wide as the name at this zoom.
                let w0 = TileMath.worldPixel(LonLat(lon: m.geometry.bbox.minLon, lat: 0), zoom: z).x
                let w1 = TileMath.worldPixel(LonLat(lon: m.geometry.bbox.maxLon, lat: 0), zoom: z).x
                XCTAssertGreaterThanOrEqual(w1 - w0, renderer.options.labels.fitWidthFraction * (a.box.x1 - a.box.x0) - 1e-6, "z\(z): \(a.name)")
            }
        }
        // Few names fit a zoomed-out view of the city; zoomed in, nearly every mahalle is named.
        XCTAssertLessThan(placedByZoom[11]!, 40)
        XCTAssertLessThan(placedByZoom[11]!, placedByZoom[13]!)
        XCTAssertLessThan(placedByZoom[13]!, placedByZoom[15]!)
        XCTAssertGreaterThanOrEqual(placedByZoom[17]!, 250)
    }

    /// Stitching every tile of a zoom gives the names whole, once each: the mosaic equals the sprites drawn on
    /// one big canvas, and nothing is drawn outside the placed boxes. At 1× and @2x.
    func testTilesJoinIntoWholeNamesAtOneAndTwoX() throws {
        let mahalle = try izmir()
        let renderer = TileRenderer(snapshot: Fixture.snapshot([]), mahalle: mahalle)
        let z = 13
        let zoom = try renderer.labels.zoom(z)
        XCTAssertGreaterThan(zoom.placed.count, 50)
        let keys = zoom.byTile.keys
        let xs = keys.map { Int($0 >> 32) }, ys = keys.map { Int($0 & 0xFFFF_FFFF) }
        let tx0 = xs.min()!, tx1 = xs.max()!, ty0 = ys.min()!, ty1 = ys.max()!
        for retina in [false, true] {
            let s = retina ? 512 : 256, k = retina ? 2 : 1
            var mosaic = RGBAImage(width: (tx1 - tx0 + 1) * s, height: (ty1 - ty0 + 1) * s)
            for tx in tx0...tx1 {
                for ty in ty0...ty1 {
                    let t = try XCTUnwrap(TileCoord(z: z, x: tx, y: ty))
                    let r = try renderer.render(layer: .labels, tile: t, retina: retina)
                    if zoom.byTile[Int64(tx) << 32 | Int64(ty)] == nil { XCTAssertTrue(r.isEmpty, "\(t)") }
                    if r.isEmpty { continue }
                    mosaic.paste(try PNGCodec.decode(r.png), x: (tx - tx0) * s, y: (ty - ty0) * s)
                }
            }
            // The same names drawn straight onto one canvas.
            var expected = RGBAImage(width: mosaic.width, height: mosaic.height)
            for p in zoom.placed {
                let sprite = try renderer.labels.sprite(area: p.area, retina: retina).image
                let left = Int((p.x * Double(k)).rounded()) - sprite.width / 2 - tx0 * s
                let top = Int((p.y * Double(k)).rounded()) - sprite.height / 2 - ty0 * s
                XCTAssertLessThanOrEqual(Double(sprite.width), (p.box.x1 - p.box.x0) * Double(k) + 2, "sprite wider than its box")
                expected.paste(sprite, x: left, y: top)
            }
            var differing = 0
            for i in stride(from: 0, to: mosaic.pixels.count, by: 4) where mosaic.pixels[i + 3] != 0 || expected.pixels[i + 3] != 0 {
                if mosaic.pixels[i..<(i + 4)] != expected.pixels[i..<(i + 4)] { differing += 1 }
            }
            XCTAssertEqual(differing, 0, "retina \(retina): tiles differ from the names drawn whole")
            XCTAssertFalse(mosaic.isBlank)
        }
    }

    func testLabelTilesAreTransparentPNGsAndNamesReadAtRetina() throws {
        let mahalle = try izmir()
        let renderer = TileRenderer(snapshot: Fixture.snapshot([]), mahalle: mahalle)
        let zoom = try renderer.labels.zoom(15)
        let first = zoom.placed[0]
        let t = try XCTUnwrap(TileCoord(z: 15, x: Int(first.x / 256), y: Int(first.y / 256)))
        let one = try PNGCodec.decode(renderer.render(layer: .labels, tile: t).png)
        let two = try PNGCodec.decode(renderer.render(layer: .labels, tile: t, retina: true).png)
        XCTAssertEqual(two.width, 512)
        func painted(_ img: RGBAImage) -> (count: Int, dark: Int, clear: Int) {
            var n = 0, dark = 0, clear = 0
            for i in stride(from: 0, to: img.pixels.count, by: 4) {
                if img.pixels[i + 3] == 0 { clear += 1; continue }
                n += 1
                if img.pixels[i] < 80 && img.pixels[i + 3] > 200 { dark += 1 }
            }
            return (n, dark, clear)
        }
        let p1 = painted(one), p2 = painted(two)
        // Mostly transparent (a layer to lay over others), dark text on a light halo, @2x ~4× the pixels.
        XCTAssertGreaterThan(p1.clear, 256 * 256 / 2)
        XCTAssertGreaterThan(p1.dark, 20)
        XCTAssertEqual(Double(p2.count) / Double(p1.count), 4, accuracy: 1.2)
        // Far from the city: the shared empty tile.
        XCTAssertTrue(try renderer.render(layer: .labels, tile: TileCoord(z: 15, x: 0, y: 0)!).isEmpty)
        // Names do not depend on complaints.
        XCTAssertFalse(Layer.labels.dependsOnComplaints)
        XCTAssertEqual(Layer(id: "labels"), .labels)
    }

    func testAMissingFontIsAClearError() throws {
        var options = TileRenderOptions()
        options.labels.fontPath = "/nonexistent/DejaVuSans.ttf"
        let renderer = TileRenderer(snapshot: Fixture.snapshot([]), mahalle: Fixture.mahalle, options: options)
        XCTAssertThrowsError(try renderer.render(layer: .labels, tile: Fixture.centerTile(15))) { e in
            guard case TileRenderError.font(let m) = e else { return XCTFail("\(e)") }
            XCTAssertTrue(m.contains("/nonexistent/DejaVuSans.ttf"), m)
            XCTAssertTrue("\(e)".contains("fonts-dejavu-core"))
        }
    }

    /// Strokes reaching past the tile's edges (boundaries at high zoom have far ends millions of pixels off the
    /// tile): the rasteriser clips them in double precision and never steps outside its buffer (this crashed
    /// `render --layers choropleth,boundaries` on İzmir).
    func testFarSegmentsNeverLeaveTheRasterizersBuffer() {
        // Found by the sweep below on the old code: a stroke starting near the tile's corner (its end cap reaches
        // above and left of the tile) wrote one cell before the buffer (a crash in debug builds, a silent write
        // out of bounds in release).
        var corner = Rasterizer(width: 256, height: 256)
        corner.addStroke(0.9616696292844941, 0.8867613980337437, 89.42686553706753, 146.2280219551345, width: 3.3866674822166445)
        XCTAssertTrue(corner.coverage().any)
        var rng = SystemRandomNumberGenerator()
        var r = Rasterizer(width: 256, height: 256)
        for i in 0..<3_000 {
            r.reset()
            func far() -> Double { Double.random(in: -1...1, using: &rng) * pow(10, Double.random(in: 0...8, using: &rng)) }
            func near() -> Double { Double.random(in: -2...258, using: &rng) }
            let a = (far(), far()), b = (near(), near())
            r.addStroke(a.0, a.1, b.0, b.1, width: Double.random(in: 0.5...4, using: &rng))
            r.addLine(b.0, b.1, a.0, a.1)
            if i % 100 == 0 { XCTAssertTrue(r.coverage().mask.allSatisfy { $0 >= 0 && $0 <= 1 }) }
        }
    }
}
