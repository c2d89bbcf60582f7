import GeoIndex
import XCTest
@testable import TileRender

final class HeatTests: XCTestCase {
    func testKernelPeaksAtOneAndFallsToZeroAtTheRadius() {
        let k = HeatKernel(radius: 6)
        XCTAssertEqual(k.weights.count, 13)
        XCTAssertEqual(k.weights[6], 1, accuracy: 1e-6)
        XCTAssertEqual(k.weights[0], 0, accuracy: 1e-6)
        XCTAssertEqual(k.weights[12], 0, accuracy: 1e-6)
        for i in 0..<6 { XCTAssertEqual(k.weights[i], k.weights[12 - i]); XCTAssertLessThan(k.weights[i], k.weights[i + 1]) }
        XCTAssertEqual(k.stamp[6 * 13 + 6], 1, accuracy: 1e-6)
    }

    /// Counting: every complaint lands in the cell its position says, outside ones are dropped.
    func testCountsLandInTheirCells() {
        let t = Fixture.centerTile(15)
        let nw = t.northWest
        // A point 10.5 px east and 20.5 px south of the tile's corner, and one far away.
        let p = t.lonLat(ofPixelX: 10.5, y: 20.5)
        let snap = Fixture.snapshot([Fixture.record(p, id: 1), Fixture.record(p, id: 2), Fixture.record(LonLat(lon: nw.lon - 1, lat: nw.lat), id: 3)])
        let k = HeatKernel(radius: 6)
        let canvas = HeatAggregate.canvas(tile: t, size: 256, kernel: k, cellPixels: 2)
        let g = HeatAggregate.counts(snap, canvas: canvas, cellPixels: 2, filter: CompiledFilter())
        XCTAssertEqual(g.total, 2)
        XCTAssertEqual(g.margin, 7)
        XCTAssertEqual(g.width, 128 + 14)
        XCTAssertEqual(g.counts[(7 + 10) * g.width + 7 + 5], 2)
        XCTAssertEqual(g.occupied.count, 1)
    }

    /// The sparse (stamp) and dense (separable) blurs compute the same numbers.
    func testStampAndSeparableAgree() {
        let snap = Fixture.snapshot(Fixture.clustered(3000))
        let k = HeatKernel(radius: 6)
        for z in [13, 15, 17] {
            let t = Fixture.centerTile(z)
            let g = HeatAggregate.counts(snap, canvas: HeatAggregate.canvas(tile: t, size: 256, kernel: k, cellPixels: 2), cellPixels: 2,
                                         filter: CompiledFilter())
            let n = g.width - 2 * k.radius
            let a = HeatAggregate.stamped(g, kernel: k, n: n), b = HeatAggregate.separable(g, kernel: k, n: n)
            for i in 0..<a.count { XCTAssertEqual(a[i], b[i], accuracy: 1e-3 * max(1, a[i])) }
        }
    }

    func testDensestCellAndScale() {
        // 50 complaints on one spot, 10 on another far away: the densest cell holds 50 at any zoom.
        let a = LonLat(lon: 36.94, lat: 37.59), b = LonLat(lon: 36.96, lat: 37.58)
        var recs = (0..<50).map { Fixture.record(a, id: $0 + 1) }
        recs += (0..<10).map { Fixture.record(b, id: 100 + $0, category: 2) }
        let snap = Fixture.snapshot(recs)
        for z in [10, 14, 18] {
            XCTAssertEqual(HeatScaleEstimator.densestCell(snap, filter: CompiledFilter(), zoom: z, cellPixels: 16), 50)
        }
        var f = CompiledFilter()
        f.categoryAllowed = [Bool](repeating: false, count: 256); f.categoryAllowed![2] = true
        XCTAssertEqual(HeatScaleEstimator.densestCell(snap, filter: f, zoom: 14, cellPixels: 16), 10)
        // Recent inserts (the unsorted tail) count too.
        var s2 = snap
        for i in 0..<5 { s2 = s2.inserting(Fixture.record(a, id: 500 + i)) }
        XCTAssertEqual(HeatScaleEstimator.densestCell(s2, filter: CompiledFilter(), zoom: 14, cellPixels: 16), 55)
        XCTAssertEqual(HeatScaleEstimator.quantize(50, stepsPerOctave: 4), Float(pow(2, 23.0 / 4)), accuracy: 1e-3)
        XCTAssertEqual(HeatScaleEstimator.quantize(64, stepsPerOctave: 4), 64, accuracy: 1e-3)
    }

    func testShaderIsTransparentAtZeroAndMonotonic() {
        let shader = HeatShader(scale: HeatScale(maximum: 1000, scaling: .log), options: HeatOptions())
        XCTAssertEqual(shader.index(0), 0)
        XCTAssertEqual(shader.index(0.001), 0)
        XCTAssertEqual(shader.palette[0].a, 0)
        var last: UInt8 = 0
        var v: Float = 0.05
        while v < 5000 {
            let i = shader.index(v)
            XCTAssertGreaterThanOrEqual(i, last, "not monotonic at \(v)")
            last = i
            v *= 1.05
        }
        XCTAssertEqual(shader.index(1e6), 255)
        XCTAssertGreaterThan(shader.index(1), 0, "a lone complaint is visible")
        for s in HeatScaling.allCases {
            let sc = HeatScale(maximum: 500, scaling: s)
            for t: Float in [0, 0.3, 0.7, 1] { XCTAssertEqual(sc.position(sc.density(at: t)), t, accuracy: 1e-4) }
        }
    }

    /// Seam test: 2×2 neighbouring tiles put together equal the same area rendered as one 512-px image of the
    /// parent zoom's pixel grid… which is the @2x tile of the parent. Both see the same cells, so pixels along
    /// the shared edges must match (up to interpolation rounding).
    func testNeighbouringTilesHaveNoSeams() throws {
        let renderer = TileRenderer(snapshot: Fixture.snapshot(Fixture.clustered(20_000)), mahalle: Fixture.mahalle)
        for z in [13, 14, 15] {
            let c = Fixture.centerTile(z)
            let x0 = c.x & ~1, y0 = c.y & ~1
            var mosaic = RGBAImage(width: 512, height: 512)
            for dy in 0...1 {
                for dx in 0...1 {
                    let t = TileCoord(z: z, x: x0 + dx, y: y0 + dy)!
                    mosaic.paste(try PNGCodec.decode(try renderer.render(layer: .heat, tile: t).png), x: dx * 256, y: dy * 256)
                }
            }
            // The whole area drawn at once, with the same cells: one big canvas.
            let big = try bigHeat(renderer, x0: x0, y0: y0, z: z)
            var worst = 0, bad = 0
            for y in 0..<512 {
                for x in [0, 255, 256, 511] + (y == 255 || y == 256 ? Array(0..<512) : []) {
                    let a = mosaic[x, y], b = big[x, y]
                    let d = max(abs(Int(a.r) - Int(b.r)), abs(Int(a.g) - Int(b.g)), abs(Int(a.b) - Int(b.b)), abs(Int(a.a) - Int(b.a)))
                    worst = max(worst, d)
                    if d > 6 { bad += 1 }
                }
            }
            XCTAssertEqual(bad, 0, "z\(z): \(bad) edge pixels differ by more than 6 (worst \(worst))")
            // The tiles are not empty (the test would pass trivially otherwise).
            XCTAssertFalse(mosaic.isBlank)
        }
    }

    /// Renders a 512×512 area (2×2 tiles of zoom z from (x0, y0)) as one canvas through the same stages.
    private func bigHeat(_ r: TileRenderer, x0: Int, y0: Int, z: Int) throws -> RGBAImage {
        let parent = TileCoord(z: z - 1, x: x0 / 2, y: y0 / 2)!
        // A 512-px canvas of the parent = the 4 tiles at 256 px each (its pixels are zoom z's pixels), cells of 2 px.
        let f = 2
        let kernel = r.kernel
        let canvas = HeatAggregate.canvas(tile: parent, size: 512, kernel: kernel, cellPixels: f)
        let counts = HeatAggregate.counts(r.currentSnapshot(), canvas: canvas, cellPixels: f, filter: CompiledFilter())
        let shader = HeatShader(scale: r.heatScale(zoom: z), options: r.options.heat)
        return shader.shade(HeatAggregate.density(counts, kernel: kernel), size: 512).rgba()
    }

    /// Scale test: the same cluster placed in two different tiles of a zoom gets the same colours.
    func testSameDensitySameColourInDifferentTiles() throws {
        let z = 15
        let a = Fixture.centerTile(z), b = TileCoord(z: z, x: a.x + 3, y: a.y + 2)!
        var recs: [CompactComplaint] = []
        var id = 0
        for t in [a, b] {
            for i in 0..<40 {
                id += 1
                let p = t.lonLat(ofPixelX: 100 + Double(i % 7) * 3, y: 120 + Double(i / 7) * 3)
                recs.append(Fixture.record(p, id: id))
            }
        }
        // A much denser spot elsewhere, so the zoom's scale is not set by these clusters.
        let hot = TileCoord(z: z, x: a.x - 4, y: a.y)!.lonLat(ofPixelX: 128, y: 128)
        for _ in 0..<400 { id += 1; recs.append(Fixture.record(hot, id: id)) }
        let renderer = TileRenderer(snapshot: Fixture.snapshot(recs), mahalle: Fixture.mahalle)
        let ia = try PNGCodec.decode(try renderer.render(layer: .heat, tile: a).png)
        let ib = try PNGCodec.decode(try renderer.render(layer: .heat, tile: b).png)
        XCTAssertEqual(ia, ib)
        XCTAssertFalse(ia.isBlank)
        XCTAssertLessThan(ia[109, 127].a, 255, "not saturated: the scale comes from the hotter spot")
    }

    func testEmptyTilesShareOnePNG() throws {
        let renderer = TileRenderer(snapshot: Fixture.snapshot(Fixture.clustered(1000)), mahalle: Fixture.mahalle)
        let far = TileCoord.containing(LonLat(lon: 10, lat: 50), zoom: 14)!
        let e1 = try renderer.render(layer: .heat, tile: far)
        let e2 = try renderer.render(layer: .pins, tile: far)
        let e3 = try renderer.render(layer: .choropleth, tile: far)
        let e4 = try renderer.render(layer: .boundaries, tile: far)
        for e in [e1, e2, e3, e4] {
            XCTAssertTrue(e.isEmpty)
            XCTAssertEqual(e.png, try TileRenderer.emptyPNG(size: 256))
        }
        XCTAssertLessThan(e1.png.count, 200)
        let r2 = try renderer.render(layer: .heat, tile: far, retina: true)
        XCTAssertEqual(r2.png, try TileRenderer.emptyPNG(size: 512))
        let decoded = try PNGCodec.decode(r2.png)
        XCTAssertEqual(decoded.width, 512)
        XCTAssertTrue(decoded.isBlank)
        XCTAssertFalse(try renderer.render(layer: .heat, tile: Fixture.centerTile(14)).isEmpty)
    }

    /// @2x is the same density field at twice the resolution: averaging 2×2 retina pixels ≈ the 1× pixel.
    func testRetinaIsTheSamePictureAtTwiceTheResolution() throws {
        let renderer = TileRenderer(snapshot: Fixture.snapshot(Fixture.clustered(5000)), mahalle: Fixture.mahalle)
        let t = Fixture.centerTile(14)
        let one = try PNGCodec.decode(try renderer.render(layer: .heat, tile: t).png)
        let two = try PNGCodec.decode(try renderer.render(layer: .heat, tile: t, retina: true).png)
        XCTAssertEqual(two.width, 512)
        var diff = 0.0
        for y in stride(from: 0, to: 256, by: 8) {
            for x in stride(from: 0, to: 256, by: 8) {
                diff += abs(Double(one[x, y].a) - Double(two[2 * x + 1, 2 * y + 1].a))
            }
        }
        XCTAssertLessThan(diff / 1024, 6, "mean alpha difference between 1× and @2x")
    }
}

/// Stacks of default geocodes flagged with `--exclude-stacks`: heat tiles and their scale leave them out; a pin
/// tile still draws them (they stay in counts).
final class StackExclusionTests: XCTestCase {
    func testFlaggedStackIsLeftOutOfHeatButNotOutOfPins() throws {
        let stack = Fixture.center
        let other = LonLat(lon: stack.lon + 0.01, lat: stack.lat - 0.006)
        var recs = (0..<400).map { Fixture.record(stack, id: $0 + 1) }
        recs += (0..<40).map { Fixture.record(LonLat(lon: other.lon + Double($0 % 7) * 1e-4, lat: other.lat + Double($0 / 7) * 1e-4), id: 1000 + $0) }
        var flagged = recs
        for i in 0..<400 { flagged[i].flags = CompactComplaint.stackExcluded }
        let plain = TileRenderer(snapshot: Fixture.snapshot(recs), mahalle: Fixture.mahalle)
        let excluded = TileRenderer(snapshot: Fixture.snapshot(flagged), mahalle: Fixture.mahalle)
        // The scale: with the stack the densest cell holds 400; without it, the 40 spread elsewhere.
        XCTAssertGreaterThan(plain.heatScale(zoom: 15).maximum, excluded.heatScale(zoom: 15).maximum * 5)
        // The stack's own heat tile: drawn without the flag, empty with it.
        let t = TileCoord.containing(stack, zoom: 16)!
        XCTAssertFalse(try plain.render(layer: .heat, tile: t).isEmpty)
        XCTAssertTrue(try excluded.render(layer: .heat, tile: t).isEmpty)
        // Pins keep them.
        XCTAssertFalse(try excluded.render(layer: .pins, tile: t).isEmpty)
        XCTAssertEqual(try excluded.render(layer: .pins, tile: t).png, try plain.render(layer: .pins, tile: t).png)
    }
}
