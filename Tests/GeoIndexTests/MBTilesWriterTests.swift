import Foundation
import XCTest
@testable import GeoIndex

final class MBTilesWriterTests: XCTestCase {
    func testWritesSpecTablesTMSRowsAndResumes() throws {
        let dir = try Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("m.mbtiles").path
        let meta = MBTilesWriter.Metadata(name: "Kuzeykent 2024-03", description: "heat", attribution: "taskmap",
                                          bounds: BoundingBox(minLon: 36.85, minLat: 37.52, maxLon: 37.05, maxLat: 37.66),
                                          minZoom: 10, maxZoom: 12, json: "{\"layers\":[\"heat\"]}")
        var w: MBTilesWriter? = try MBTilesWriter(path: path, metadata: meta, resume: false)
        w!.batchSize = 2
        try w!.put(z: 10, x: 617, y: 399, png: [1, 2, 3])
        try w!.put(z: 12, x: 2469, y: 1598, png: [4, 5])
        try w!.put(z: 12, x: 2470, y: 1598, png: [6])
        try w!.finish()
        w = nil
        XCTAssertEqual(try MBTilesWriter.readTile(path: path, z: 10, x: 617, y: 399), [1, 2, 3])
        XCTAssertEqual(try MBTilesWriter.readTile(path: path, z: 12, x: 2470, y: 1598), [6])
        // TMS: row 0 is the south; XYZ y 399 at z10 is row 1023 - 399 = 624.
        let db = try Database(path: path, readOnly: true)
        XCTAssertEqual(try db.scalarInt("SELECT tile_row FROM tiles WHERE zoom_level = 10"), 624)
        let m = try MBTilesWriter.readMetadata(path: path)
        XCTAssertEqual(m["format"], "png")
        XCTAssertEqual(m["minzoom"], "10")
        XCTAssertEqual(m["maxzoom"], "12")
        XCTAssertEqual(m["bounds"], "36.850000,37.520000,37.050000,37.660000")
        XCTAssertEqual(m["name"], "Kuzeykent 2024-03")
        XCTAssertEqual(m["json"], "{\"layers\":[\"heat\"]}")
        XCTAssertEqual(try MBTilesWriter.integrityCheck(path: path), "ok")
        // Resume keeps what is there.
        let again = try MBTilesWriter(path: path, metadata: meta, resume: true)
        XCTAssertTrue(try again.contains(z: 12, x: 2469, y: 1598))
        XCTAssertFalse(try again.contains(z: 12, x: 2471, y: 1598))
        XCTAssertEqual(try again.existingTiles().count, 3)
        try again.finish()
    }

    /// A writer that is never finished (the process dies) leaves the committed batches in a sound file.
    func testUnfinishedWriterLeavesCommittedBatches() throws {
        let dir = try Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("m.mbtiles").path
        let meta = MBTilesWriter.Metadata(name: "x", description: "", attribution: "", bounds: BoundingBox(minLon: 0, minLat: 0, maxLon: 1, maxLat: 1), minZoom: 0, maxZoom: 1)
        // Write 3 tiles with batches of 2, then copy the file while the third is still uncommitted.
        let w = try MBTilesWriter(path: path, metadata: meta, resume: false)
        w.batchSize = 2
        try w.put(z: 1, x: 0, y: 0, png: [1])
        try w.put(z: 1, x: 1, y: 0, png: [2])
        try w.put(z: 1, x: 0, y: 1, png: [3])
        let copy = dir.appendingPathComponent("copy.mbtiles").path
        try FileManager.default.copyItem(atPath: path, toPath: copy)  // the on-disk state mid-run
        XCTAssertEqual(try MBTilesWriter.integrityCheck(path: copy), "ok")
        let db = try Database(path: copy, readOnly: true)
        XCTAssertEqual(try db.scalarInt("SELECT count(*) FROM tiles"), 2)
        try w.finish()
    }
}
