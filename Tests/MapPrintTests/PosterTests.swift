import Foundation
import GeoIndex
import XCTest
@testable import MapPrint
import MapText

final class PosterTests: XCTestCase {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func sampleMahalle() throws -> [Mahalle] {
        let rows = try GeoJSONReader.mahalle(path: Self.repo.appendingPathComponent("data/sample-parcels/mahalle.geojson").path)
        return rows.enumerated().map { i, r in
            Mahalle(id: Int64(i + 1), name: r.name, code: r.code, population: r.population, districtID: 1, districtName: r.district,
                    geometry: r.geometry)
        }
    }

    /// Tiles of one flat colour per layer, so what lands where can be checked pixel by pixel.
    func solidTile(_ color: RGBA) throws -> [UInt8] { try Canvas(width: 512, height: 512, fill: color).png(level: 1) }

    func testA4PosterLayout() throws {
        let mahalle = try sampleMahalle()
        let blue = try solidTile(RGBA(30, 90, 200, 255))
        var asked = 0
        let input = Poster.Input(title: "Kuzeykent ve Güneyyaka — Mart 2024 şikâyet haritası", subtitle: "Deneme: İĞÜŞÖÇ ığüşöç",
                                 source: "Kaynak: test", mahalle: mahalle, layers: ["choropleth"],
                                 legends: [Poster.Legend(title: "Şikâyet / 1.000 kişi", entries: [("0–10", RGBA(255, 255, 204)), ("10–20", RGBA(253, 141, 60))])],
                                 tile: { _, _, _, _ in asked += 1; return blue })
        let (canvas, layout) = try Poster.render(input, options: Poster.Options.paper("A4", dpi: 150)!)
        XCTAssertEqual(canvas.width, 1754)
        XCTAssertEqual(canvas.height, 1240)
        // At 150 dpi on A4 nearly all of the 34 names fit without touching another (33 with this layout).
        XCTAssertGreaterThanOrEqual(layout.labels, mahalle.count - 2)
        XCTAssertEqual(layout.labelCandidates, mahalle.count)
        Self.assertLabelsApart(layout)
        XCTAssertEqual(layout.tiles, asked)
        // The district (≈ 23.4 km east–west, 21.6 km north–south) at 150 dpi on A4: zoom 11 fits, so zoom-12
        // tiles are scaled down until the extent fills 96% of the frame's tighter side.
        XCTAssertEqual(layout.zoom, 12)
        let expected = max(23_400 / (0.96 * Double(layout.mapWidth)), 21_600 / (0.96 * Double(layout.mapHeight)))
        XCTAssertEqual(layout.metresPerPixel, expected, accuracy: expected * 0.03)
        XCTAssertTrue([2_000, 2_500, 5_000].contains(layout.scaleBarMetres), "\(layout.scaleBarMetres)")
        // The map frame shows the tiles' blue in its middle; the legend panel and margins stay white.
        func px(_ x: Int, _ y: Int) -> [UInt8] { Array(canvas.pixels[(4 * (y * canvas.width + x))..<(4 * (y * canvas.width + x) + 4)]) }
        let mid = px(layout.mapX + layout.mapWidth / 3, layout.mapY + layout.mapHeight / 3)
        XCTAssertEqual(Array(mid.prefix(3)), [30, 90, 200], "\(mid)")
        XCTAssertEqual(px(canvas.width - 3, canvas.height / 2), [255, 255, 255, 255])
        // Some dark text pixels in the title band.
        var dark = 0
        for y in 0..<layout.mapY { for x in 0..<canvas.width where px(x, y)[0] < 80 { dark += 1 } }
        XCTAssertGreaterThan(dark, 2_000)
        if let dir = ProcessInfo.processInfo.environment["TASKMAP_POSTER_OUT"] {
            try Data(try canvas.png()).write(to: URL(fileURLWithPath: dir).appendingPathComponent("poster-test.png"))
        }
    }

    /// No two placed names overlap, each lies inside the map frame and is a mahalle's name, once.
    static func assertLabelsApart(_ layout: Poster.Layout, file: StaticString = #filePath, line: UInt = #line) {
        let frame = LabelPlacer.Box(x0: Double(layout.mapX), y0: Double(layout.mapY),
                                    x1: Double(layout.mapX + layout.mapWidth), y1: Double(layout.mapY + layout.mapHeight))
        let boxes = layout.placedLabels.map(\.box)
        for (i, a) in boxes.enumerated() {
            XCTAssertTrue(a.x0 >= frame.x0 && a.y0 >= frame.y0 && a.x1 <= frame.x1 && a.y1 <= frame.y1, "\(layout.placedLabels[i].name) leaves the frame", file: file, line: line)
            for b in boxes[(i + 1)...] where a.intersects(b) {
                XCTFail("\(layout.placedLabels[i].name) overlaps another name", file: file, line: line)
            }
        }
        XCTAssertEqual(Set(layout.placedLabels.map(\.name)).count, layout.placedLabels.count, file: file, line: line)
    }

    /// A small poster of a dense district cannot hold every name: the most populous are placed, none overlap, the
    /// rest are left out and counted — where drawing them all would overprint them into a block.
    func testCrowdedNamesAreLeftOutNotOverprinted() throws {
        let mahalle = try sampleMahalle()
        let input = Poster.Input(title: "T", subtitle: "S", source: "K", mahalle: mahalle, layers: ["choropleth"],
                                 legends: [], tile: { _, _, _, _ in try self.solidTile(RGBA(200, 200, 200, 255)) })
        var o = Poster.Options()
        o.width = 700; o.height = 480; o.dpi = 150  // text at print size on a thumbnail-sized map
        let (_, layout) = try Poster.render(input, options: o)
        XCTAssertLessThan(layout.labels, mahalle.count, "a crowded map should not hold every name")
        XCTAssertGreaterThan(layout.labels, 3)
        Self.assertLabelsApart(layout)
        // Priority: the most populous mahalle is always among those placed.
        let top = try XCTUnwrap(mahalle.max { $0.population < $1.population })
        XCTAssertTrue(layout.placedLabels.contains { $0.name == top.name }, top.name)
    }

    func testPoleOfInaccessibility() throws {
        // A U: the pole is in one of the arms (its centroid is outside), at the arm's middle width.
        let u: [(x: Double, y: Double)] = [(0, 0), (30, 0), (30, 30), (20, 30), (20, 10), (10, 10), (10, 30), (0, 30), (0, 0)]
        let p = try XCTUnwrap(LabelPlacer.poleOfInaccessibility([[u]], precision: 0.1))
        XCTAssertGreaterThan(LabelPlacer.signedDistance([[u]], p.x, p.y), 4.9)
        // A square with a hole in the middle: the pole avoids the hole.
        let outer: [(x: Double, y: Double)] = [(0, 0), (40, 0), (40, 40), (0, 40), (0, 0)]
        let hole: [(x: Double, y: Double)] = [(10, 10), (30, 10), (30, 30), (10, 30), (10, 10)]
        let q = try XCTUnwrap(LabelPlacer.poleOfInaccessibility([[outer, hole]], precision: 0.1))
        XCTAssertFalse(q.x > 10 && q.x < 30 && q.y > 10 && q.y < 30, "pole inside the hole: \(q)")
        XCTAssertGreaterThan(LabelPlacer.signedDistance([[outer, hole]], q.x, q.y), 4.9)
    }

    /// The label anchor (pole of inaccessibility) lies inside every mahalle, and inside a U whose centroid is not.
    func testLabelPointIsInsideEveryMahalle() throws {
        func pole(_ g: MultiPolygon) throws -> LonLat {
            let rings = g.polygons.map { $0.rings.map { $0.map { (x: $0.lon, y: $0.lat) } } }
            let p = try XCTUnwrap(LabelPlacer.poleOfInaccessibility(rings, precision: 1e-5))
            return LonLat(lon: p.x, lat: p.y)
        }
        for m in try sampleMahalle() { XCTAssertTrue(m.geometry.contains(try pole(m.geometry)), m.name) }
        let u = [LonLat(lon: 0, lat: 0), LonLat(lon: 3, lat: 0), LonLat(lon: 3, lat: 3), LonLat(lon: 2, lat: 3), LonLat(lon: 2, lat: 1),
                 LonLat(lon: 1, lat: 1), LonLat(lon: 1, lat: 3), LonLat(lon: 0, lat: 3), LonLat(lon: 0, lat: 0)]
        let g = MultiPolygon(polygons: [Polygon(rings: [u])])
        XCTAssertTrue(g.contains(try pole(g)))
    }

    func testTurkishGlyphsRender() throws {
        let t = try TextRenderer()
        var c = Canvas(width: 400, height: 60)
        for (i, ch) in ["İ", "ı", "ğ", "ş", "ç", "ö", "ü", "Ş"].enumerated() {
            var one = Canvas(width: 40, height: 60)
            try t.draw(ch, x: 5, y: 45, pixels: 36, color: RGBA(0, 0, 0), on: &one)
            let inked = stride(from: 0, to: one.pixels.count, by: 4).filter { one.pixels[$0] < 128 }.count
            XCTAssertGreaterThan(inked, 20, "glyph \(ch) drew nothing (missing from the font?)")
            try t.draw(ch, x: 5 + 45 * i, y: 45, pixels: 36, color: RGBA(0, 0, 0), on: &c)
        }
        XCTAssertThrowsError(try TextRenderer(fontPath: "/nonexistent.ttf"))
    }
}
