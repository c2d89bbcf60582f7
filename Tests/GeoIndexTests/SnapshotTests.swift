import Foundation
import XCTest
@testable import GeoIndex

final class SnapshotTests: XCTestCase {
    func testCompactRecordIs32Bytes() {
        XCTAssertEqual(MemoryLayout<CompactComplaint>.stride, 32)
    }

    func testMortonTileRangesContainExactlyTheTilesPoints() {
        var state: UInt64 = 1
        for _ in 0..<2_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let x = UInt32(truncatingIfNeeded: state >> 32), y = UInt32(truncatingIfNeeded: state)
            for z in [0, 1, 5, 12, 16, 22] {
                let tx = z == 0 ? 0 : x >> UInt32(32 - z), ty = z == 0 ? 0 : y >> UInt32(32 - z)
                XCTAssertTrue(Morton.tileRange(z: z, x: tx, y: ty).contains(Morton.interleave(x, y)))
                let other = Morton.tileRange(z: z, x: tx ^ 1, y: ty)
                if z > 0 { XCTAssertFalse(other.contains(Morton.interleave(x, y))) }
            }
        }
    }

    func testBoxQueryEqualsBruteForceIncludingTailAndFilter() {
        let pts = Fixtures.points(5_000, seed: 3)
        let tables = ComplaintSnapshot.Tables(categories: ["a", "b"], mahalle: [], districts: [])
        func rec(_ i: Int, _ p: LonLat) -> CompactComplaint {
            SpatiaLiteStore.compact(id: Int64(i + 1), location: p, category: UInt8(1 + i % 2), status: UInt8(i % 6), channel: 0,
                                    type: 0, created: 1_700_000_000 + Int64(i) * 600, resolved: nil, mahalle: 0, district: 0, satisfaction: nil)
        }
        var snap = ComplaintSnapshot(tables: tables, records: pts.prefix(4_000).enumerated().map { rec($0.offset, $0.element) })
        for (i, p) in pts.enumerated().dropFirst(4_000) { snap = snap.inserting(rec(i, p)) }
        XCTAssertEqual(snap.count, 5_000)
        let all = pts.enumerated().map { rec($0.offset, $0.element) }
        let filter = snap.compile(ComplaintFilter(categories: ["b"], statuses: [.open, .resolved]))
        for box in [(36.90, 37.56, 36.93, 37.60), (36.88, 37.54, 37.02, 37.66), (36.95, 37.60, 36.9501, 37.6001)] {
            let a = WebMercator.fixed(LonLat(lon: box.0, lat: box.3)), b = WebMercator.fixed(LonLat(lon: box.2, lat: box.1))
            var got = Set<UInt32>()
            snap.forEach(inBoxX: a.x, b.x, y: a.y, b.y, filter: filter) { got.insert($0.id) }
            let want = Set(all.filter { $0.x >= a.x && $0.x <= b.x && $0.y >= a.y && $0.y <= b.y && filter.matches($0) }.map(\.id))
            XCTAssertEqual(got, want)
        }
        // Replacing a record by id keeps one copy.
        var moved = all[10]
        moved.status = 4
        snap = snap.inserting(moved)
        var copies = 0
        snap.forEach(filter: CompiledFilter()) { if $0.id == moved.id { copies += 1; XCTAssertEqual($0.status, 4) } }
        XCTAssertEqual(copies, 1)
    }

    func testWebMercatorKnownValues() {
        let (x, y) = WebMercator.normalized(LonLat(lon: 0, lat: 0))
        XCTAssertEqual(x, 0.5, accuracy: 1e-12)
        XCTAssertEqual(y, 0.5, accuracy: 1e-12)
        let top = WebMercator.normalized(LonLat(lon: -180, lat: 89))
        XCTAssertEqual(top.x, 0)
        XCTAssertEqual(top.y, 0, accuracy: 1e-12)  // clamped at 85.0511°
        let p = LonLat(lon: 36.95, lat: 37.59)
        let n = WebMercator.normalized(p)
        let back = WebMercator.lonLat(x: n.x, y: n.y)
        XCTAssertEqual(back.lon, p.lon, accuracy: 1e-9)
        XCTAssertEqual(back.lat, p.lat, accuracy: 1e-9)
    }
}

final class SnapshotCacheTests: XCTestCase {
    func testCacheIsUsedWhileCurrentAndRebuiltWhenStale() throws {
        let dir = try Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let s = try Fixtures.store(in: dir)
        _ = try ComplaintImporter(store: s).importFile(try Fixtures.write(Fixtures.complaintsCSV(300), "c.csv", in: dir))
        let cacheFile = SnapshotCache.path(for: s.path)
        XCTAssertFalse(FileManager.default.fileExists(atPath: cacheFile))
        let a = try s.loadSnapshotCached()
        XCTAssertTrue(FileManager.default.fileExists(atPath: cacheFile))
        let key = try s.snapshotKey()
        let fromFile = try XCTUnwrap(SnapshotCache.read(cacheFile, key: key))
        XCTAssertEqual(fromFile.mergedRecords(), a.mergedRecords())
        XCTAssertEqual(fromFile.tables.categories, a.tables.categories)
        XCTAssertEqual(fromFile.tables.mahalle, a.tables.mahalle)
        XCTAssertEqual(try s.loadSnapshot().mergedRecords(), a.mergedRecords())
        // A write through taskmap, and one through plain SQL (as QGIS would), each make the cache stale.
        _ = try s.insert(NewComplaint(location: LonLat(lon: 36.92, lat: 37.57), category: "yol", createdAt: Date()))
        XCTAssertNotEqual(try s.snapshotKey(), key)
        XCTAssertNil(SnapshotCache.read(cacheFile, key: try s.snapshotKey()))
        XCTAssertEqual(try s.loadSnapshotCached().count, 301)
        let key2 = try s.snapshotKey()
        try s.db.execute("UPDATE complaints SET status = 'closed' WHERE id = 1")
        XCTAssertNotEqual(try s.snapshotKey(), key2)
        var closed = 0
        try s.loadSnapshotCached().forEach(filter: CompiledFilter()) { if $0.id == 1 && $0.status == CompiledFilter.statusCode(.closed) { closed += 1 } }
        XCTAssertEqual(closed, 1)
        // A damaged file is ignored and rebuilt.
        try Data("TMSNAP01garbage".utf8).write(to: URL(fileURLWithPath: cacheFile))
        XCTAssertEqual(try s.loadSnapshotCached().count, 301)
    }
}
