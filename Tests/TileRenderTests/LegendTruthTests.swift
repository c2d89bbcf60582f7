import Foundation
import GeoIndex
import NeedsAnalysis
import XCTest
@testable import TileRender

/// A legend describes the map it stands beside: under every filter, the choropleth legend's classes are the
/// classes that coloured the tiles and the classes computed independently from the `needs` figures of the same
/// filter; the heat legend's top is the scale that shaded the tiles of its zoom.
final class LegendTruthTests: XCTestCase {
    static let data = try! SampleDistrict.load(complaints: 20_000)
    static let year = Period(start: IstanbulTime.startOfDay(year: 2024, month: 1, day: 1),
                             end: IstanbulTime.startOfDay(year: 2025, month: 1, day: 1), label: "2024")

    static let filters: [(String, ComplaintFilter)] = [
        ("all", .all),
        ("month", try! ComplaintFilter.parse(month: "2024-01")),
        ("category", try! ComplaintFilter.parse(category: "cop")),
        ("status", try! ComplaintFilter.parse(status: "open,assigned,in_progress")),
        ("district", try! ComplaintFilter.parse(district: "Kuzeykent")),
        ("month+category", try! ComplaintFilter.parse(category: "yol", month: "2024-07")),
    ]

    func renderer() -> TileRenderer {
        TileRenderer(snapshot: Self.data.snapshot, mahalle: Self.data.mahalle, categories: Self.data.categories)
    }

    func testChoroplethLegendIsTheTilesClassesAndTheNeedsFigures() throws {
        let r = renderer()
        var distinct = Set<[Double]>()
        for (name, f) in Self.filters {
            let legend = r.legend(layer: .choropleth, filter: f, metric: .per1000)
            let classes = r.choropleth(filter: f, metric: .per1000)
            let present = classes.values.compactMap(\.value)
            // Stops: each class's maximum, then "no data" (no value).
            XCTAssertEqual(legend.stops.compactMap(\.value), classes.breaks + [try XCTUnwrap(present.max())], name)
            distinct.insert(classes.breaks)

            // The same breaks from the needs table of the same filter (its own counting code).
            var o = NeedsOptions()
            o.filter = f
            let report = NeedsReport.compute(snapshot: Self.data.snapshot, mahalle: Self.data.mahalle, categories: Self.data.categories,
                                             period: f.period ?? Self.year, district: f.districts?.first, options: o)
            let values = report.rows.filter { $0.category == "*" }.compactMap(\.per1000)  // each mahalle's all-category row
            XCTAssertEqual(values.count, present.count, name)
            XCTAssertEqual(ClassBreaks.quantile(values, classes: 5), classes.breaks, name)

            // The tiles: a pixel inside each of a few mahalle has that mahalle's class colour, as the legend gives it.
            var checked = 0
            let scope = Self.data.mahalle.filter { m in f.districts.map { $0.contains(m.districtName) } ?? true }
            for m in scope.prefix(12) {
                let c = m.geometry.bbox.center
                guard m.geometry.contains(c), let v = classes.values.first(where: { $0.id == m.id })?.value else { continue }
                let z = 14
                let tile = try XCTUnwrap(TileCoord.containing(c, zoom: z))
                let n = WebMercator.normalized(c)
                let px = Int(n.x * Double(1 << z) * 256) - tile.x * 256, py = Int(n.y * Double(1 << z) * 256) - tile.y * 256
                let image = try PNGCodec.decode(try r.render(layer: .choropleth, tile: tile, filter: f, metric: .per1000).png)
                let i = (py * image.width + px) * 4
                let k = ClassBreaks.classOf(v, breaks: classes.breaks)
                let want = try XCTUnwrap(Self.rgba(legend.stops[k].color))
                let got = Array(image.pixels[i..<i + 4])
                XCTAssertTrue(zip(got, want).allSatisfy { abs(Int($0) - Int($1)) <= 2 }, "\(name) \(m.name): tile \(got), legend \(want)")
                checked += 1
            }
            XCTAssertGreaterThan(checked, 3, name)
        }
        XCTAssertEqual(distinct.count, Self.filters.count, "every filter has its own classes")
    }

    func testHeatLegendTopIsTheScaleOfItsZoomAndFilter() throws {
        let r = renderer()
        var tops = Set<Double>()
        for (name, f) in Self.filters {
            for z in [12, 15] {
                let legend = r.legend(layer: .heat, filter: f, zoom: z)
                let scale = r.heatScale(zoom: z, filter: f)
                XCTAssertEqual(legend.zoom, z)
                let top = try XCTUnwrap(legend.stops.last?.value)
                XCTAssertEqual(top, Double(max(scale.maximum, r.options.heat.minDensity)), accuracy: 1e-3 * top, "\(name) z\(z)")
                tops.insert(top)
            }
        }
        XCTAssertGreaterThan(tops.count, 6, "filters and zooms change the heat scale")
    }

    /// "#rrggbbaa" or "#rrggbb" → bytes.
    static func rgba(_ hex: String) -> [UInt8]? {
        let h = hex.dropFirst()
        guard h.count == 6 || h.count == 8 else { return nil }
        var out: [UInt8] = []
        var i = h.startIndex
        while i < h.endIndex {
            let j = h.index(i, offsetBy: 2)
            guard let b = UInt8(h[i..<j], radix: 16) else { return nil }
            out.append(b)
            i = j
        }
        return out.count == 3 ? out + [255] : out
    }
}
