import GeoIndex
import XCTest
@testable import TileRender

final class AreaTests: XCTestCase {
    func testRasterizerCoverageIsExactArea() {
        var r = Rasterizer(width: 16, height: 16)
        // A 4.5 × 3.25 rectangle from (2.25, 3.5): area 14.625.
        r.addRing([(2.25, 3.5), (6.75, 3.5), (6.75, 6.75), (2.25, 6.75)])
        let c = r.coverage().mask
        XCTAssertEqual(c.reduce(0, +), 14.625, accuracy: 1e-3)
        XCTAssertEqual(c[4 * 16 + 4], 1, accuracy: 1e-5)
        XCTAssertEqual(c[4 * 16 + 2], 0.75, accuracy: 1e-5)
        XCTAssertEqual(c[3 * 16 + 4], 0.5, accuracy: 1e-5)
        // Orientation does not matter; a hole cuts out.
        var h = Rasterizer(width: 16, height: 16)
        h.addRing([(0, 0), (0, 10), (10, 10), (10, 0)])
        h.addRing([(2, 2), (4, 2), (4, 4), (2, 4)], hole: true)
        XCTAssertEqual(h.coverage().mask.reduce(0, +), 96, accuracy: 1e-3)
        // Polygons far larger than the canvas are clipped, not lost.
        var big = Rasterizer(width: 8, height: 8)
        big.addRing([(-1000, -500), (1000, -500), (1000, 700), (-1000, 700)])
        XCTAssertEqual(big.coverage().mask.reduce(0, +), 64, accuracy: 1e-2)
        // A triangle with its apex outside on the left: what lies inside the canvas is exactly covered.
        var tri = Rasterizer(width: 10, height: 10)
        tri.addRing([(-10, 5), (10, 0), (10, 10)])
        XCTAssertEqual(tri.coverage().mask.reduce(0, +), 75, accuracy: 1e-2) // a trapezoid 5…10 high, 10 wide
    }

    func testQuantileBreaks() {
        XCTAssertEqual(ClassBreaks.quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], classes: 5), [2, 4, 6, 8])
        XCTAssertEqual(ClassBreaks.quantile([5, 5, 5, 5], classes: 4), [])
        XCTAssertEqual(ClassBreaks.quantile([1, 1, 1, 9], classes: 2), [1])
        XCTAssertEqual(ClassBreaks.classOf(4, breaks: [2, 4, 6, 8]), 1)
        XCTAssertEqual(ClassBreaks.classOf(4.1, breaks: [2, 4, 6, 8]), 2)
        XCTAssertEqual(ClassBreaks.classOf(100, breaks: [2, 4, 6, 8]), 4)
    }

    func testJenksFindsNaturalGroups() {
        let v: [Double] = [1, 2, 3, 20, 21, 22, 50, 51, 52, 53]
        XCTAssertEqual(ClassBreaks.jenks(v, classes: 3), [3, 22])
        XCTAssertEqual(ClassBreaks.jenks([4, 4, 4], classes: 3), [])
        XCTAssertEqual(ClassBreaks.jenks(v.reversed(), classes: 2), [22])
    }

    func testChoroplethMetrics() {
        // Mahalle 1 (pop 1000): 4 complaints, 1 open. Mahalle 2 (pop 2000): 2 complaints, both open. Mahalle 9: no population.
        let m1 = Fixture.mahalle[0].geometry.bbox.center, m2 = Fixture.mahalle[1].geometry.bbox.center, m9 = Fixture.mahalle[8].geometry.bbox.center
        var recs = [Fixture.record(m1, id: 1, status: .open)] + (2...4).map { Fixture.record(m1, id: $0, status: .closed) }
        recs += [Fixture.record(m2, id: 5, status: .open), Fixture.record(m2, id: 6, status: .assigned), Fixture.record(m9, id: 7)]
        let renderer = TileRenderer(snapshot: Fixture.snapshot(recs), mahalle: Fixture.mahalle)
        let count = renderer.choropleth(metric: .count).values
        XCTAssertEqual(count[0].value, 4); XCTAssertEqual(count[1].value, 2); XCTAssertEqual(count[2].value, 0)
        let rate = renderer.choropleth(metric: .per1000).values
        XCTAssertEqual(rate[0].value, 4); XCTAssertEqual(rate[1].value, 1); XCTAssertNil(rate[8].value)
        let open = renderer.choropleth(metric: .open).values
        XCTAssertEqual(open[0].value, 1); XCTAssertEqual(open[1].value, 2)
        // Filters apply: only closed ones.
        let closed = renderer.choropleth(filter: ComplaintFilter(statuses: [.closed]), metric: .count).values
        XCTAssertEqual(closed[0].value, 3); XCTAssertEqual(closed[1].value, 0)
        // The legend lists classes with colours, and "veri yok" (no data) for the rate.
        let legend = renderer.legend(layer: .choropleth, metric: .per1000)
        XCTAssertEqual(legend.kind, .classes)
        XCTAssertEqual(legend.stops.last?.label, "veri yok")
        XCTAssertGreaterThanOrEqual(legend.stops.count, 2)
    }

    func testBoundarySegmentsAreSharedOnce() {
        let areas = ProjectedAreas(Fixture.mahalle)
        // 3×3 squares: 24 unit edges in the grid, plus 4 hole edges.
        XCTAssertEqual(areas.segments.count, 24 + 4)
        // Outer edge (12) and the district border between rows 2 and 3 (3) are major; the hole's edges too.
        XCTAssertEqual(areas.segments.filter(\.major).count, 12 + 3 + 4)
    }

    /// Anti-aliased fills: an edge through a pixel gives partial alpha; the hole of mahalle 5 is not filled.
    func testChoroplethFillsAndHoles() throws {
        let renderer = TileRenderer(snapshot: Fixture.snapshot(Fixture.clustered(2000)), mahalle: Fixture.mahalle)
        let t = TileCoord.containing(Fixture.mahalle[4].geometry.bbox.center, zoom: 15)!
        let img = try PNGCodec.decode(try renderer.render(layer: .choropleth, tile: t).png)
        let holeCentre = t.pixel(of: Fixture.mahalle[4].geometry.bbox.center)
        XCTAssertEqual(img[Int(holeCentre.x), Int(holeCentre.y)].a, 0, "the hole stays empty")
        var partial = 0, full = 0
        for p in stride(from: 0, to: img.pixels.count, by: 4) {
            let a = img.pixels[p + 3]
            if a == renderer.options.choropleth.fillAlpha { full += 1 } else if a > 0 && a < renderer.options.choropleth.fillAlpha { partial += 1 }
        }
        XCTAssertGreaterThan(full, 1000)
        XCTAssertGreaterThan(partial, 10)
    }
}

final class HeatScaleAllZoomsTests: XCTestCase {
    /// The one-pass, every-zoom estimate equals the per-zoom estimate, with and without a filter and a tail.
    func testAllZoomsEqualsPerZoom() {
        var records: [CompactComplaint] = []
        var state: UInt64 = 42
        for i in 0..<20_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let lon = 36.90 + Double(state >> 40) / Double(1 << 24) * 0.1
            let lat = 37.55 + Double((state >> 16) & 0xFF_FFFF) / Double(1 << 24) * 0.08
            let (x, y) = WebMercator.fixed(LonLat(lon: lon, lat: lat))
            records.append(CompactComplaint(x: x, y: y, id: UInt32(i + 1), created: UInt32(i), resolved: 0, mahalle: 0,
                                            category: UInt8(1 + i % 3), status: 0, channel: 0, type: 0, district: 0, satisfaction: 0, month: 0))
        }
        var snap = ComplaintSnapshot(tables: .init(categories: ["a", "b", "c"], mahalle: [], districts: []), records: Array(records.dropLast(500)))
        for r in records.suffix(500) { snap = snap.inserting(r) }
        for filter in [CompiledFilter(), snap.compile(ComplaintFilter(categories: ["b"]))] {
            let all = HeatScaleEstimator.densestCellsAllZooms(snap, filter: filter, cellPixels: 16)
            for z in [0, 8, 10, 12, 14, 16, 18, 22] {
                XCTAssertEqual(all[z], HeatScaleEstimator.densestCell(snap, filter: filter, zoom: z, cellPixels: 16), "zoom \(z)")
            }
        }
    }
}
