import GeoIndex
import XCTest
@testable import TileRender

final class PinTests: XCTestCase {
    func testClustersCountEveryComplaintOnce() {
        let recs = Fixture.clustered(4000)
        let snap = Fixture.snapshot(recs)
        // One tile covering the whole fixture at zoom 11, no buffer needed to count all.
        let t = Fixture.centerTile(11)
        let canvas = TileCanvas(tile: t, size: 256, buffer: 64)
        let marks = PinAggregate.clusters(snap, canvas: canvas, filter: CompiledFilter(), cellPixels: 64)
        let total = marks.reduce(0) { n, m in
            if case .cluster(let c, _, _) = m.kind { return n + c }
            return n + 1
        }
        let box = canvas.fixedBox
        XCTAssertEqual(total, recs.filter { $0.x >= box.x0 && $0.x <= box.x1 && $0.y >= box.y0 && $0.y <= box.y1 }.count)
        XCTAssertGreaterThan(marks.count, 1)
    }

    /// A cluster is a property of the global grid: neighbouring tiles see the same cluster at the same place.
    func testClustersAgreeAcrossTiles() {
        let snap = Fixture.snapshot(Fixture.clustered(4000))
        let z = 14
        let a = Fixture.centerTile(z), b = TileCoord(z: z, x: a.x + 1, y: a.y)!
        let ca = TileCanvas(tile: a, size: 256, buffer: 64), cb = TileCanvas(tile: b, size: 256, buffer: 64)
        let ma = PinAggregate.clusters(snap, canvas: ca, filter: CompiledFilter(), cellPixels: 64)
        let mb = PinAggregate.clusters(snap, canvas: cb, filter: CompiledFilter(), cellPixels: 64)
        // Marks in b's canvas, shifted into a's coordinates (b is 256 px east).
        var shared = 0
        for m in mb {
            let x = m.x + 256
            guard x >= 0, x < Double(ca.width) else { continue }
            XCTAssert(ma.contains { abs($0.x - x) < 1e-6 && abs($0.y - m.y) < 1e-6 && $0.kind == m.kind }, "mark \(m) missing in the neighbour")
            shared += 1
        }
        XCTAssertGreaterThan(shared, 0)
    }

    func testCountLabels() {
        XCTAssertEqual(DigitFont.countLabel(7), "7")
        XCTAssertEqual(DigitFont.countLabel(999), "999")
        XCTAssertEqual(DigitFont.countLabel(1000), "1.0k")
        XCTAssertEqual(DigitFont.countLabel(1249), "1.2k")
        XCTAssertEqual(DigitFont.countLabel(12_400), "12k")
        XCTAssertEqual(DigitFont.countLabel(123_456), "123k")
        XCTAssertEqual(DigitFont.countLabel(999_499), "999k")
        XCTAssertEqual(DigitFont.countLabel(1_260_000), "1.3M")
        for s in ["0123456789", ".kM+"] { for c in s { XCTAssertNotNil(DigitFont.small.glyph(c)); XCTAssertNotNil(DigitFont.large.glyph(c)) } }
    }

    /// Open pins are filled with the category colour; resolved ones are hollow (white centre, coloured ring).
    func testOpenAndResolvedPinsLookDifferent() throws {
        let t = Fixture.centerTile(18)
        let pOpen = t.lonLat(ofPixelX: 60.5, y: 60.5), pDone = t.lonLat(ofPixelX: 180.5, y: 180.5)
        let snap = Fixture.snapshot([Fixture.record(pOpen, id: 1, category: 1, status: .open),
                                     Fixture.record(pDone, id: 2, category: 1, status: .resolved)])
        let renderer = TileRenderer(snapshot: snap, mahalle: Fixture.mahalle)
        let img = try PNGCodec.decode(try renderer.render(layer: .pins, tile: t).png)
        let yol = CategoryPalette.color(for: "yol")
        let centreOpen = img[60, 60], centreDone = img[180, 180]
        XCTAssertEqual(centreOpen, yol, "open pin is filled with the category colour")
        XCTAssertGreaterThan(Int(centreDone.r) + Int(centreDone.g) + Int(centreDone.b), 700, "resolved pin is white inside")
        let ring = img[180 + 3, 180]
        XCTAssertLessThan(abs(Int(ring.r) - Int(yol.r)) + abs(Int(ring.g) - Int(yol.g)) + abs(Int(ring.b) - Int(yol.b)), 60, "ring in category colour")
        XCTAssertEqual(img[128, 20].a, 0)
        // Anti-aliased: the rim has partial coverage somewhere.
        var partial = 0
        for x in 50..<72 { let a = img[x, 60].a; if a > 0 && a < 230 { partial += 1 } }
        XCTAssertGreaterThan(partial, 0)
    }

    func testCategoryPaletteIsFixedByCode() {
        XCTAssertEqual(CategoryPalette.color(for: "su"), RGBA(0x1F77B4))
        XCTAssertEqual(CategoryPalette.color(for: "new-code"), CategoryPalette.color(for: "new-code"))
        // Distinct colours for the documented codes.
        XCTAssertEqual(Set(CategoryPalette.fixed.values).count, CategoryPalette.fixed.count)
    }
}
