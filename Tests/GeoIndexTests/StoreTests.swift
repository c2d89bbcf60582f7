import Foundation
import XCTest
@testable import GeoIndex

final class StoreTests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws { dir = try Fixtures.tempDir() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func testSchemaHasSpatialMetadataAndIndexes() throws {
        let s = try Fixtures.store(in: dir)
        let n = try s.db.scalarInt("SELECT count(*) FROM geometry_columns WHERE spatial_index_enabled = 1") ?? 0
        XCTAssertEqual(n, 3)
        XCTAssertEqual(try s.db.scalarText("PRAGMA journal_mode"), "wal")
        XCTAssertEqual(try s.db.scalarInt("PRAGMA user_version"), Int64(Schema.currentVersion))
        XCTAssertEqual(try s.mahalleList().count, 4)
        XCTAssertEqual(try s.districts().map(\.name), ["Güneyyaka", "Kuzeykent"])
        XCTAssertEqual(try s.integrityProblems(), [])
    }

    /// A store of schema 4 (before roles) with a key: opening it migrates to the current schema, and the key keeps
    /// working as staff for every department and district; its history gets the key column.
    func testKeysFromASchema4StoreBecomeStaffForEverything() throws {
        let path = dir.appendingPathComponent("v4.sqlite").path
        do {
            let db = try Database(path: path, create: true)
            for sql in Schema.migrations.prefix(4) { try db.execute(sql) }
            try db.execute("PRAGMA user_version = 4")
            try db.prepare("INSERT INTO api_keys(name, key_hash, created_at) VALUES (?, ?, ?)")
                .run([.text("eski-santral"), .text(KeyHash.hex("tmk_old")), .text("2024-01-01T00:00:00Z")])
            db.close()
        }
        let s = try SpatiaLiteStore(path: path)
        XCTAssertEqual(try s.db.scalarInt("PRAGMA user_version"), Int64(Schema.currentVersion))
        guard case .valid(let k) = try s.checkAPIKey("tmk_old") else { return XCTFail("the old key no longer works") }
        XCTAssertEqual(k.name, "eski-santral")
        XCTAssertEqual(k.role, .staff)
        XCTAssertTrue(k.scope.isEverything)
        XCTAssertEqual(try s.db.scalarInt("SELECT count(*) FROM pragma_table_info('complaint_history') WHERE name = 'api_key_id'"), 1)
    }

    func testOgrinfoListsLayersAndSpatialIndexes() throws {
        let ogrinfo = ["/usr/bin/ogrinfo", "/usr/local/bin/ogrinfo"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let ogrinfo else { throw XCTSkip("ogrinfo (gdal-bin) not installed") }
        let s = try Fixtures.store(in: dir)
        _ = try s.insert(NewComplaint(location: LonLat(lon: 36.92, lat: 37.57), category: "yol", createdAt: Date()))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: ogrinfo)
        p.arguments = ["-so", s.path, "complaints"]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, out)
        XCTAssertTrue(out.contains("Geometry: Point"), out)
        XCTAssertTrue(out.contains("Feature Count: 1"), out)
        XCTAssertTrue(out.contains("EPSG") || out.contains("WGS 84"), out)
        let q = Process()
        q.executableURL = URL(fileURLWithPath: ogrinfo)
        q.arguments = ["-sql", "SELECT CheckSpatialIndex('mahalle', 'geom') AS ok", s.path]
        let pipe2 = Pipe()
        q.standardOutput = pipe2
        q.standardError = pipe2
        try q.run()
        let out2 = String(decoding: pipe2.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        q.waitUntilExit()
        XCTAssertTrue(out2.contains("ok (Integer) = 1"), out2)
    }

    func testTurkishTextSurvivesExactly() throws {
        let s = try Fixtures.store(in: dir)
        let text = "İĞŞÇÖÜ ığşçöü — Çınarlı'da ışık yok"
        let c = try s.insert(NewComplaint(location: LonLat(lon: 36.97, lat: 37.62), category: "aydinlatma", createdAt: Date(),
                                          description: text, contactName: "Ayşe Yılmaz"))
        let back = try XCTUnwrap(try s.complaint(id: c.id))
        XCTAssertEqual(back.fields.description, text)
        XCTAssertEqual(back.fields.contactName, "Ayşe Yılmaz")
        XCTAssertEqual(back.address.mahalleName, "Çınarlı")
        XCTAssertEqual(back.address.districtName, "Güneyyaka")
    }

    func testSingleInsertGeocodesAndIsIndexed() throws {
        let s = try Fixtures.store(in: dir)
        let c = try s.insert(NewComplaint(externalRef: "153-0001", location: LonLat(lon: 36.9205, lat: 37.5705), category: "yol",
                                          channel: .phone, createdAt: Date(timeIntervalSince1970: 1_710_000_000)))
        XCTAssertEqual(c.address.mahalleName, "Şehitler")
        XCTAssertEqual(c.address.street, "Gül Sokak")
        XCTAssertEqual(c.address.doorNumber, "1")
        XCTAssertEqual(c.department, "Fen İşleri Müdürlüğü")
        // The R-tree finds it (SpatiaLite's own index, through SQL).
        let hits = try s.db.scalarInt("""
            SELECT count(*) FROM complaints WHERE rowid IN (SELECT pkid FROM idx_complaints_geom
            WHERE xmin <= 36.921 AND xmax >= 36.920 AND ymin <= 37.571 AND ymax >= 37.570)
            """)
        XCTAssertEqual(hits, 1)
        // The same external id twice is refused.
        XCTAssertThrowsError(try s.insert(NewComplaint(externalRef: "153-0001", location: LonLat(lon: 36.93, lat: 37.58),
                                                       category: "yol", createdAt: Date())))
        XCTAssertEqual(try s.complaintCount(), 1)
    }

    func testNewCategoryIsCreated() throws {
        let s = try Fixtures.store(in: dir)
        _ = try s.insert(NewComplaint(location: LonLat(lon: 36.92, lat: 37.57), category: "hayvan", createdAt: Date()))
        XCTAssertTrue(try s.categories().contains { $0.code == "hayvan" })
    }

    func testSnapshotMatchesStore() throws {
        let s = try Fixtures.store(in: dir)
        let pts: [(Double, Double, ComplaintStatus)] = [(36.92, 37.57, .open), (36.97, 37.62, .resolved), (37.5, 38.0, .open)]
        for (lon, lat, st) in pts {
            _ = try s.insert(NewComplaint(location: LonLat(lon: lon, lat: lat), category: "su", status: st,
                                          createdAt: Date(timeIntervalSince1970: 1_720_000_000),
                                          resolvedAt: st == .resolved ? Date(timeIntervalSince1970: 1_720_086_400) : nil))
        }
        let snap = try s.loadSnapshot()
        XCTAssertEqual(snap.count, 3)
        var unassigned = 0, resolved = 0
        snap.forEach(filter: CompiledFilter()) { r in
            if r.mahalle == 0 { unassigned += 1 }
            if r.resolvedUnix == 1_720_086_400 { resolved += 1 }
            XCTAssertEqual(r.createdUnix, 1_720_000_000)
            XCTAssertEqual(snap.tables.categories[Int(r.category)], "su")
        }
        XCTAssertEqual(unassigned, 1)
        XCTAssertEqual(resolved, 1)
    }
}
