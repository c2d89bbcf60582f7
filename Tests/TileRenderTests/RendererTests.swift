import Foundation
import GeoIndex
import XCTest
@testable import TileRender

final class RendererTests: XCTestCase {
    func testFiltersApplyToEveryPointLayer() throws {
        let t = Fixture.centerTile(14)
        let renderer = TileRenderer(snapshot: Fixture.snapshot(Fixture.clustered(3000)), mahalle: Fixture.mahalle)
        for layer in [Layer.heat, .pins] {
            XCTAssertFalse(try renderer.render(layer: layer, tile: t).isEmpty)
            // No complaint of an unknown category, of 2023, or from a channel nobody used: nothing drawn.
            for f in [ComplaintFilter(categories: ["yok"]), try ComplaintFilter.parse(month: "2023-05"), ComplaintFilter(channels: [.cimer])] {
                XCTAssertTrue(try renderer.render(layer: layer, tile: t, filter: f).isEmpty, "\(layer) \(f.canonicalKey)")
            }
            // A filter that keeps some changes the picture.
            let some = try renderer.render(layer: layer, tile: t, filter: ComplaintFilter(categories: ["yol"]))
            XCTAssertFalse(some.isEmpty)
            XCTAssertNotEqual(some.png, try renderer.render(layer: layer, tile: t).png)
        }
        // Mahalle and district filters keep only that area's complaints.
        let inM1 = try renderer.render(layer: .heat, tile: t, filter: ComplaintFilter(mahalle: ["Mahalle 1"]))
        let inB = try renderer.render(layer: .heat, tile: t, filter: ComplaintFilter(districts: ["b"]))
        XCTAssertNotEqual(inM1.png, inB.png)
        XCTAssertNotEqual(inM1.png, try renderer.render(layer: .heat, tile: t).png)
    }

    /// A filter by status changes the heat scale: one scale per zoom *and filter*.
    func testScaleIsPerZoomAndFilter() {
        let renderer = TileRenderer(snapshot: Fixture.snapshot(Fixture.clustered(3000)), mahalle: Fixture.mahalle)
        let all = renderer.heatScale(zoom: 14), open = renderer.heatScale(zoom: 14, filter: ComplaintFilter(statuses: [.open]))
        XCTAssertGreaterThan(all.maximum, open.maximum)
        XCTAssertNotEqual(renderer.heatScale(zoom: 12).maximum, renderer.heatScale(zoom: 16).maximum)
    }

    func testUpdateInvalidatesScales() throws {
        let recs = Fixture.clustered(2000)
        let renderer = TileRenderer(snapshot: Fixture.snapshot(recs), mahalle: Fixture.mahalle)
        let before = renderer.heatScale(zoom: 15)
        let v = renderer.dataVersion
        let spot = Fixture.centerTile(15).lonLat(ofPixelX: 10, y: 10)
        var snap = renderer.currentSnapshot()
        for i in 0..<5000 { snap = snap.inserting(Fixture.record(spot, id: 100_000 + i)) }
        renderer.update(snapshot: snap)
        XCTAssertEqual(renderer.dataVersion, v + 1)
        XCTAssertGreaterThan(renderer.heatScale(zoom: 15).maximum, before.maximum)
        // The server's version: same version is a no-op.
        renderer.update(snapshot: Fixture.snapshot(recs), version: 7)
        renderer.update(snapshot: snap, version: 7)
        XCTAssertEqual(renderer.heatScale(zoom: 15), before)
        // Only forward: an older version (a render that queued before a write) does not take it back.
        renderer.update(snapshot: snap, version: 9)
        let newer = renderer.heatScale(zoom: 15)
        XCTAssertGreaterThan(newer.maximum, before.maximum)
        renderer.update(snapshot: Fixture.snapshot(recs), version: 8)
        XCTAssertEqual(renderer.dataVersion, 9)
        XCTAssertEqual(renderer.heatScale(zoom: 15), newer)
    }

    /// `/metrics` reports the per-filter caches: a filtered heat tile leaves its key list (8 bytes a complaint it
    /// keeps); a new data version empties them.
    func testCacheBytesCountKeyListsAndEmptyOnUpdate() throws {
        let renderer = TileRenderer(snapshot: Fixture.snapshot(Fixture.clustered(3000)), mahalle: Fixture.mahalle)
        XCTAssertEqual(renderer.cacheBytes, 0)
        _ = try renderer.render(layer: .heat, tile: Fixture.centerTile(14), filter: ComplaintFilter(statuses: [.open]))
        var open = 0
        renderer.currentSnapshot().forEach(filter: renderer.currentSnapshot().compile(ComplaintFilter(statuses: [.open]))) { _ in open += 1 }
        XCTAssertGreaterThan(open, 0)
        XCTAssertEqual(renderer.cacheBytes, open * 8)
        renderer.update(snapshot: renderer.currentSnapshot(), version: renderer.dataVersion + 1)
        XCTAssertEqual(renderer.cacheBytes, 0)
    }

    func testManyThreadsRenderTheSameBytes() throws {
        let renderer = TileRenderer(snapshot: Fixture.snapshot(Fixture.clustered(5000)), mahalle: Fixture.mahalle)
        let c = Fixture.centerTile(14)
        var jobs: [(Layer, TileCoord)] = []
        for layer in [Layer.heat, .pins, .choropleth, .boundaries, .mahalleHeat(5)] {
            for dy in -1...1 { for dx in -1...1 { jobs.append((layer, TileCoord(z: 14, x: c.x + dx, y: c.y + dy)!)) } }
        }
        let serial = try jobs.map { try renderer.render(layer: $0.0, tile: $0.1).png }
        // A fresh renderer (cold caches) hit from 8 threads at once.
        let fresh = TileRenderer(snapshot: renderer.currentSnapshot(), mahalle: Fixture.mahalle)
        let results = UnsafeMutableBufferPointer<[UInt8]>.allocate(capacity: jobs.count * 4)
        results.initialize(repeating: [])
        defer { results.deinitialize(); results.deallocate() }  // deinitialize: the PNG arrays in it are freed too
        DispatchQueue.concurrentPerform(iterations: jobs.count * 4) { i in
            let j = jobs[i % jobs.count]
            results[i] = (try? fresh.render(layer: j.0, tile: j.1).png) ?? []
        }
        for i in 0..<(jobs.count * 4) { XCTAssertEqual(results[i], serial[i % jobs.count], "job \(i % jobs.count)") }
    }

    func testTextEntryPointsValidate() throws {
        let renderer = TileRenderer(snapshot: Fixture.snapshot(Fixture.clustered(100)), mahalle: Fixture.mahalle)
        XCTAssertThrowsError(try renderer.render(layerID: "roads", tile: "14/1/1")) { XCTAssertEqual($0 as? TileRenderError, .unknownLayer("roads")) }
        XCTAssertThrowsError(try renderer.render(layerID: "heat", tile: "14/99999/1")) {
            XCTAssertEqual($0 as? TileRenderError, .invalidTile(z: 14, x: 99999, y: 1))
        }
        XCTAssertThrowsError(try renderer.render(layerID: "heat", tile: "23/0/0"))
        XCTAssertThrowsError(try renderer.render(layerID: "choropleth", tile: "14/1/1", metric: "median")) {
            XCTAssertEqual($0 as? TileRenderError, .unknownMetric("median"))
        }
        XCTAssertThrowsError(try renderer.render(layer: .mahalleHeat(999), tile: Fixture.centerTile(14))) {
            XCTAssertEqual($0 as? TileRenderError, .unknownMahalle(999))
        }
        XCTAssertEqual(Layer(id: "mahalle-heat:5"), .mahalleHeat(5))
        XCTAssertEqual(Layer(id: "pins")?.id, "pins")
        XCTAssertEqual(ChoroplethMetric(parsing: "backlog"), .open)
        let ok = try renderer.render(layerID: "heat", tile: Fixture.centerTile(13).description, metric: nil)
        XCTAssertEqual(ok.tile, Fixture.centerTile(13))
    }

    /// Per-mahalle heat stays inside the mahalle and is scaled within it.
    func testMahalleHeatIsClippedToItsPolygon() throws {
        let renderer = TileRenderer(snapshot: Fixture.snapshot(Fixture.clustered(5000)), mahalle: Fixture.mahalle)
        let m = Fixture.mahalle[4]
        let t = TileCoord.containing(m.geometry.bbox.center, zoom: 13)!
        let img = try PNGCodec.decode(try renderer.render(layer: .mahalleHeat(m.id), tile: t).png)
        var inside = 0
        for y in stride(from: 0, to: 256, by: 2) {
            for x in stride(from: 0, to: 256, by: 2) where img[x, y].a > 0 {
                let p = t.lonLat(ofPixelX: Double(x) + 0.5, y: Double(y) + 0.5)
                // Allow the anti-aliased edge pixel.
                let near = m.geometry.contains(p) || [(-1.0, 0.0), (1, 0), (0, -1), (0, 1)].contains { d in
                    m.geometry.contains(t.lonLat(ofPixelX: Double(x) + 0.5 + d.0, y: Double(y) + 0.5 + d.1))
                }
                XCTAssert(near, "heat outside the mahalle at \(x),\(y)")
                inside += 1
            }
        }
        XCTAssertGreaterThan(inside, 100)
        XCTAssertLessThan(renderer.heatScale(zoom: 13, mahalle: m.id).maximum, renderer.heatScale(zoom: 13).maximum + 1)
    }

    func testLegendsAreData() throws {
        let renderer = TileRenderer(snapshot: Fixture.snapshot(Fixture.clustered(1000)), mahalle: Fixture.mahalle)
        let heat = renderer.legend(layer: .heat, zoom: 14)
        XCTAssertEqual(heat.kind, .ramp)
        XCTAssertEqual(heat.stops.count, 5)
        XCTAssertEqual(heat.method, "log")
        XCTAssert(zip(heat.stops, heat.stops.dropFirst()).allSatisfy { ($0.value ?? 0) < ($1.value ?? 0) })
        let pins = renderer.legend(layer: .pins)
        XCTAssertEqual(pins.stops.first?.color, CategoryPalette.color(for: Category.defaults[0].code).hex)
        let data = try JSONEncoder().encode(renderer.legend(layer: .choropleth))
        let back = try JSONDecoder().decode(Legend.self, from: data)
        XCTAssertEqual(back, renderer.legend(layer: .choropleth))
    }

    /// Every layer that can be a palette PNG is one (colour type 3), which is what keeps them small and fast.
    func testTilesArePalettePNGs() throws {
        let renderer = TileRenderer(snapshot: Fixture.snapshot(Fixture.clustered(5000)), mahalle: Fixture.mahalle)
        for layer in [Layer.heat, .pins, .choropleth, .boundaries] {
            for z in [12, 14, 17] {
                let png = try renderer.render(layer: layer, tile: Fixture.centerTile(z)).png
                XCTAssertEqual(png[25], 3, "\(layer.id) z\(z) is not a palette PNG")
            }
        }
    }
}

/// The libdeflate palette encoder writes a PNG libpng reads back pixel for pixel, the same image as libpng's own
/// encoder, with a valid tRNS and every chunk's CRC right (libpng checks them on read).
final class PaletteEncoderTests: XCTestCase {
    func testLibdeflatePaletteMatchesLibpng() throws {
        let renderer = TileRenderer(snapshot: Fixture.snapshot(Fixture.clustered(5000)), mahalle: Fixture.mahalle)
        var checked = 0
        for layer in [Layer.heat, .pins, .choropleth, .boundaries] {
            for z in [12, 14, 17] {
                let decoded = try PNGCodec.decode(try renderer.render(layer: layer, tile: Fixture.centerTile(z)).png)
                guard let indexed = PaletteQuantizer.exact(decoded) else { continue }
                let fast = try PNGCodec.encode(indexed, level: 1)
                let slow = try withZlib { try PNGCodec.encode(indexed, level: 1) }
                XCTAssertEqual(Array(fast.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
                XCTAssertEqual(fast[25], 3, "palette colour type")
                XCTAssertEqual(try PNGCodec.decode(fast), try PNGCodec.decode(slow), "\(layer.id) z\(z)")
                XCTAssertEqual(try PNGCodec.decode(fast), decoded, "\(layer.id) z\(z)")
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 8)
        // A transparent-only palette and a one-pixel image.
        let one = IndexedImage(width: 1, height: 1, indices: [0], palette: [RGBA(r: 0, g: 0, b: 0, a: 0)])
        XCTAssertEqual(try PNGCodec.decode(try PNGCodec.encode(one)).pixels, [0, 0, 0, 0])
    }

    /// Runs `body` with libpng's zlib writer (the A/B switch the benchmarks use).
    func withZlib<T>(_ body: () throws -> T) rethrows -> T {
        PNGCodec.forceZlib = true
        defer { PNGCodec.forceZlib = false }
        return try body()
    }
}
