import Foundation
import GeoIndex
import XCTest
@testable import TileRender

/// Writes docs/tiles/contact-sheet.png (layers × zooms 10–17 of the sample district) for people to look at.
/// Runs only with TASKMAP_CONTACT_SHEET=1, so ordinary test runs never rewrite docs.
final class ContactSheetTests: XCTestCase {
    func testWriteContactSheet() throws {
        guard ProcessInfo.processInfo.environment["TASKMAP_CONTACT_SHEET"] == "1" else {
            throw XCTSkip("set TASKMAP_CONTACT_SHEET=1 to write docs/tiles/contact-sheet.png")
        }
        let data = try SampleDistrict.load(complaints: 100_000)
        let renderer = TileRenderer(snapshot: data.snapshot, mahalle: data.mahalle, categories: data.categories)
        let centre = LonLat(lon: 36.945, lat: 37.588)
        let zooms = Array(10...17)
        let rows: [[Layer]] = [[.heat], [.pins], [.choropleth], [.boundaries], [.heat, .boundaries], [.mahalleHeat(1), .boundaries]]
        let metrics: [ChoroplethMetric] = [.count, .count, .per1000, .count, .count, .count]
        let gap = 8, label = 24, size = 256
        var sheet = RGBAImage(width: gap + zooms.count * (size + gap), height: label + rows.count * (size + gap) + gap)
        for i in stride(from: 0, to: sheet.pixels.count, by: 4) {
            sheet.pixels[i] = 255; sheet.pixels[i + 1] = 255; sheet.pixels[i + 2] = 255; sheet.pixels[i + 3] = 255
        }
        for (ci, z) in zooms.enumerated() {
            DigitFont.large.draw("\(z)", centerX: Double(gap + ci * (size + gap) + size / 2), centerY: 12, color: RGBA(0x333333), into: &sheet)
            let tile = TileCoord.containing(centre, zoom: z)!
            for (ri, layers) in rows.enumerated() {
                // A plain "base map": light paper colour with a faint grid every 64 px.
                var cell = RGBAImage(width: size, height: size)
                for y in 0..<size {
                    for x in 0..<size {
                        let grid = x % 64 == 0 || y % 64 == 0
                        let v: UInt8 = grid ? 226 : 242
                        let i = 4 * (y * size + x)
                        cell.pixels[i] = v; cell.pixels[i + 1] = v - 3; cell.pixels[i + 2] = v - 10; cell.pixels[i + 3] = 255
                    }
                }
                for layer in layers {
                    let t = try renderer.render(layer: layer, tile: tile, filter: .all, metric: metrics[ri])
                    cell.composite(try PNGCodec.decode(t.png), x: 0, y: 0)
                }
                sheet.paste(cell, x: gap + ci * (size + gap), y: label + ri * (size + gap))
            }
        }
        let out = SampleDistrict.root.appendingPathComponent("docs/tiles/contact-sheet.png")
        try Data(try PNGCodec.encodeSmallest(sheet, level: 9)).write(to: out)

        // A 3×3 block of heat tiles at zoom 14 put side by side: seams would show as lines.
        let z = 14, c = TileCoord.containing(centre, zoom: z)!
        var block = RGBAImage(width: 3 * size, height: 3 * size)
        for dy in -1...1 {
            for dx in -1...1 {
                let t = TileCoord(z: z, x: c.x + dx, y: c.y + dy)!
                var cell = RGBAImage(width: size, height: size)
                for i in stride(from: 0, to: cell.pixels.count, by: 4) { cell.pixels[i] = 242; cell.pixels[i + 1] = 239; cell.pixels[i + 2] = 232; cell.pixels[i + 3] = 255 }
                cell.composite(try PNGCodec.decode(try renderer.render(layer: .heat, tile: t).png), x: 0, y: 0)
                cell.composite(try PNGCodec.decode(try renderer.render(layer: .pins, tile: t).png), x: 0, y: 0)
                block.paste(cell, x: (dx + 1) * size, y: (dy + 1) * size)
            }
        }
        try Data(try PNGCodec.encodeSmallest(block, level: 9)).write(to: SampleDistrict.root.appendingPathComponent("docs/tiles/heat-pins-z14-3x3.png"))
    }
}
