import Foundation
import XCTest
@testable import GeoIndex
import NeedsAnalysis
import TileRender

/// The pool's own promises: the same answers as a file, clear errors, moving a district in, the change feed.
final class PoolTests: XCTestCase {
    /// The same import gives the same snapshot, needs table, hot spots and tile bytes on both backends.
    func testSameImportSameAnswersOnBothBackends() throws {
        let file = try Harness.make(.spatialite), pool = try Harness.make(.postgis)
        let csv = try file.complaintsCSV(6_000, seed: 5)
        let a = try ComplaintImporter(store: file.store).importFile(csv)
        let b = try ComplaintImporter(store: pool.store).importFile(csv)
        XCTAssertEqual(a.imported, b.imported)
        XCTAssertEqual(a.assigned, b.assigned)
        XCTAssertEqual(a.withAddress, b.withAddress)
        // Pool ids and mahalle ids are the pool's own; compare what they mean.
        func normalised(_ s: any ComplaintStore) throws -> [String] {
            try s.loadSnapshot().mergedRecords().map { r in
                var r = r
                r.id = 0
                return "\(r)"
            }.sorted()
        }
        XCTAssertEqual(try normalised(file.store), try normalised(pool.store))
        let period = try XCTUnwrap(Period.month("2024-03"))
        func json<T: Encodable>(_ v: T) throws -> String {
            let e = JSONEncoder()
            e.outputFormatting = [.sortedKeys]
            return String(decoding: try e.encode(v), as: UTF8.self)
        }
        func answers(_ s: any ComplaintStore) throws -> [String] {
            let snap = try s.loadSnapshotCached(), mahalle = try s.mahalleList(), cats = try s.categories()
            let needs = NeedsReport.compute(snapshot: snap, mahalle: mahalle, categories: cats, period: period)
            let grid = HotspotAnalysis.grid(snapshot: snap, mahalle: mahalle, categories: cats, period: period)
            let hot = HotspotAnalysis.mahalle(snapshot: snap, mahalle: mahalle, categories: cats, period: period)
            return [try json(needs), try json(grid), try json(hot)]
        }
        let fa = try answers(file.store), pa = try answers(pool.store)
        XCTAssertEqual(fa[0], pa[0], "needs table")
        XCTAssertEqual(fa[1], pa[1], "grid hot spots")
        XCTAssertEqual(fa[2], pa[2], "mahalle hot spots")
        XCTAssertTrue(fa[0].contains("\"rows\""))
        // Tile bytes: every layer, at the district's zoom and closer, 1× and @2x.
        func renderer(_ s: any ComplaintStore) throws -> TileRenderer {
            TileRenderer(snapshot: try s.loadSnapshotCached(), mahalle: try s.mahalleList(), categories: try s.categories())
        }
        let rf = try renderer(file.store), rp = try renderer(pool.store)
        let centre = try file.store.mahalleList().reduce(BoundingBox.empty) { var b = $0; b.extend($1.geometry.bbox); return b }.center
        let march = try ComplaintFilter.parse(month: "2024-03")
        var compared = 0
        for z in [11, 13, 15] {
            let t = try XCTUnwrap(TileCoord.containing(centre, zoom: z))
            for layer in [Layer.heat, .pins, .choropleth, .boundaries] {
                for retina in [false, true] {
                    let x = try rf.render(layer: layer, tile: t, retina: retina, filter: march).png
                    let y = try rp.render(layer: layer, tile: t, retina: retina, filter: march).png
                    XCTAssertEqual(x, y, "\(layer) \(t) retina \(retina)")
                    compared += 1
                }
            }
        }
        XCTAssertEqual(compared, 24)
    }

    /// Passwords never reach a message, whichever way the connection was written.
    func testPasswordsAreRedacted() {
        XCTAssertEqual(PGConnection.redacted("postgresql://ali:s3cret@db:5432/pool"), "postgresql://ali:***@db:5432/pool")
        XCTAssertEqual(PGConnection.redacted("postgresql://ali@db/pool?password=s3cret&sslmode=require"),
                       "postgresql://ali@db/pool?password=***&sslmode=require")
        XCTAssertEqual(PGConnection.redacted("host=db password='a b\\'c' dbname=pool"), "host=db password=*** dbname=pool")
        XCTAssertEqual(PGConnection.redacted("host=db password=s3cret dbname=pool"), "host=db password=*** dbname=pool")
        XCTAssertEqual(PGConnection.redacted("postgresql://db:5432/pool?host=/tmp/x@y"), "postgresql://db:5432/pool?host=/tmp/x@y")
        XCTAssertEqual(PGConnection.redacted(""), "the PG* environment")
    }

    /// Wrong URL, refused password, no PostGIS, a newer schema: a clear error, and nothing written.
    func testBadConnectionsSayWhat() throws {
        let base = try TestPool.requireURL()
        XCTAssertThrowsError(try PostGISStore(url: "postgresql://postgres@/nosuchdb_taskmap?host=/nonexistent-dir&port=1")) { e in
            XCTAssertTrue("\(e)".contains("cannot connect to postgresql://postgres@/nosuchdb_taskmap"), "\(e)")
        }
        if let tcp = ProcessInfo.processInfo.environment["TASKMAP_TEST_PG_TCP"] {
            let wrong = tcp.replacingOccurrences(of: "taskmap_pw@", with: "taskmap_pw:wrong-password@")
            XCTAssertThrowsError(try PostGISStore(url: wrong)) { e in
                XCTAssertTrue("\(e)".contains("password authentication failed"), "\(e)")
                XCTAssertFalse("\(e)".contains("wrong-password"), "the password must not be printed: \(e)")
                XCTAssertTrue("\(e)".contains("taskmap_pw:***@"), "\(e)")
            }
        }
        // A database without PostGIS.
        let admin = try TestPool.admin()
        let db = "nopostgis_" + UUID().uuidString.prefix(8).lowercased()
        try admin.exec("CREATE DATABASE \(db) TEMPLATE template0")
        defer { _ = try? admin.exec("DROP DATABASE \(db)") }
        let noPostGIS = base.replacingOccurrences(of: "/taskmap_test", with: "/\(db)")
        XCTAssertThrowsError(try PostGISStore(url: noPostGIS)) { e in
            XCTAssertTrue("\(e)".contains("has no PostGIS"), "\(e)")
        }
        let check = try PGConnection(PostGISStore.conninfo(noPostGIS))
        XCTAssertNil(try check.scalar("SELECT to_regclass('taskmap_meta')::text"), "nothing written")
        // A pool made by a newer taskmap.
        let h = try Harness.make(.postgis)
        let c = try PGConnection(PostGISStore.conninfo(try XCTUnwrap(h.url)))
        try c.exec("UPDATE taskmap_meta SET value = '99' WHERE key = 'schema_version'")
        XCTAssertThrowsError(try PostGISStore(url: h.url!)) { e in
            XCTAssertTrue("\(e)".contains("version 99 is newer"), "\(e)")
        }
    }

    /// A district file with complaints, history and keys moves in with counts and checksums equal; a second move
    /// of the same district is refused and changes nothing; the keys people hold work in the pool.
    func testMigrateADistrictIn() throws {
        let file = try Harness.make(.spatialite)
        _ = try ComplaintImporter(store: file.store).importFile(try file.complaintsCSV(2_000, seed: 9))
        let (key, keyRecord) = try file.store.createAPIKey(name: "kuzeykent-saha", role: .staff, scope: KeyScope(districts: ["Kuzeykent"]), at: Date())
        let fileStore = file.store as! SpatiaLiteStore
        _ = try fileStore.addHook(url: "http://127.0.0.1:9/sms", secret: nil, departments: nil, events: HookEvent.allCases, at: Date())
        let intake = NewComplaint(location: try StoreContract.interiorPoint(file), category: "yol", createdAt: Date())
        let changed = try file.store.intake(intake, idempotencyKey: "req-7", apiKeyID: keyRecord.id, actor: "t").complaint
        _ = try file.store.applyWorkflow(id: changed.id, WorkflowChange(status: .assigned, team: "Ekip 1", note: "gidiyoruz", actor: "t"))
        _ = try file.store.applyWorkflow(id: changed.id, WorkflowChange(status: .inProgress, note: "başladı", actor: "t"))
        _ = try file.store.applyWorkflow(id: changed.id, WorkflowChange(status: .resolved, note: "bitti", actor: "t"))
        let fresh = try TestPool.fresh()
        defer { fresh.drop() }
        let pool = try PostGISStore(url: fresh.url, create: true)
        let r = try PoolMigration.run(from: file.store as! SpatiaLiteStore, to: pool)
        XCTAssertEqual(r.complaints, 2_001)
        XCTAssertEqual(r.mahalle, 34)
        XCTAssertEqual(r.keys, 1)
        XCTAssertEqual(r.history, 4)  // an import writes no history: the intake's "created" entry and its three changes
        XCTAssertEqual(r.hooks, 1)
        XCTAssertEqual(r.sourceChecksum, r.poolChecksum)
        XCTAssertEqual(try pool.complaintCount(), 2_001)
        guard case .valid(let k) = try pool.checkAPIKey(key) else { return XCTFail("the district's key does not work in the pool") }
        XCTAssertEqual(k.scope.districts, ["Kuzeykent"])
        let moved = try XCTUnwrap(try pool.openWork(departments: nil).first { $0.complaint.fields.externalRef == nil && $0.team == "Ekip 1" })
        // History in its order; the idempotency key still answers with the same complaint; queued events moved.
        XCTAssertEqual(try pool.workflowState(id: moved.complaint.id)?.history.map(\.note), [nil, "gidiyoruz", "başladı", "bitti"])
        let again = try pool.intake(intake, idempotencyKey: "req-7", apiKeyID: k.id, actor: "t")
        XCTAssertFalse(again.created)
        XCTAssertEqual(again.complaint.id, moved.complaint.id)
        XCTAssertEqual(try pool.hookStatus().first?.pending, try fileStore.hookStatus().first?.pending)
        XCTAssertEqual(try pool.hookStatus().first?.pending, 4)
        let generation = try pool.snapshotKey()
        XCTAssertThrowsError(try PoolMigration.run(from: file.store as! SpatiaLiteStore, to: pool)) { e in
            XCTAssertTrue("\(e)".contains("already in the pool"), "\(e)")
        }
        XCTAssertEqual(try pool.complaintCount(), 2_001)
        XCTAssertEqual(try pool.snapshotKey(), generation)
    }

    /// What one process writes reaches another's change feed, in commit order; a bulk load is one 'reload'.
    func testChangeFeedCarriesWritesOfOtherProcesses() throws {
        let h = try Harness.make(.postgis)
        let writer = h.store as! PostGISStore
        let other = try PostGISStore(url: h.url!)
        let feed = PoolChangeFeed(store: other, applicationName: "taskmap test feed")
        let g0 = try feed.generation()
        let p = try StoreContract.interiorPoint(h)
        let a = try writer.intake(NewComplaint(location: p, category: "yol", createdAt: Date()), idempotencyKey: nil, apiKeyID: nil, actor: nil)
        _ = try writer.applyWorkflow(id: a.complaint.id, WorkflowChange(status: .assigned))
        var changes = try feed.next(after: g0, timeout: 2)
        XCTAssertEqual(changes.changed.map(\.id), [a.complaint.id])
        XCTAssertEqual(changes.changed.first?.fields.status, .assigned)
        XCTAssertTrue(changes.own.isEmpty)
        XCTAssertEqual(changes.generation, g0 + 2)
        XCTAssertTrue(try feed.next(after: changes.generation, timeout: 0.2).isEmpty)
        _ = try ComplaintImporter(store: writer).importFile(try h.complaintsCSV(100))
        changes = try feed.next(after: changes.generation, timeout: 2)
        XCTAssertTrue(changes.reload)
        // A server's own writes (its store's writer id) come back marked `own` (applied again without an event).
        let own = PoolChangeFeed(store: writer, applicationName: "taskmap test own feed")
        let g1 = try own.generation()
        _ = try writer.applyWorkflow(id: a.complaint.id, WorkflowChange(team: "Ekip 9"))
        let mine = try own.next(after: g1, timeout: 2)
        XCTAssertEqual(mine.generation, g1 + 1)
        XCTAssertEqual(mine.changed.map(\.id), [a.complaint.id])
        XCTAssertEqual(mine.own, [a.complaint.id])
        XCTAssertEqual(mine.changed.first?.fields.status, .assigned)
        let theirs = try feed.next(after: changes.generation, timeout: 2)
        XCTAssertEqual(theirs.changed.map(\.id), [a.complaint.id], "a team change (not in the compact record) still reaches other servers")
        changes = theirs
        // A rolled-back change is never announced.
        XCTAssertThrowsError(try writer.applyWorkflow(id: a.complaint.id, WorkflowChange(status: .closed)))
        XCTAssertTrue(try feed.next(after: changes.generation, timeout: 0.3).isEmpty)
    }

    /// Two servers taking the same complaint (same CİMER number) at the same moment store it once.
    func testConcurrentIntakeOfOneComplaintStoresItOnce() throws {
        let h = try Harness.make(.postgis)
        let stores = [h.store as! PostGISStore, try PostGISStore(url: h.url!), try PostGISStore(url: h.url!)]
        let p = try StoreContract.interiorPoint(h)
        for round in 0..<10 {
            let n = NewComplaint(externalRef: "CIMER-\(round)", location: p, category: "su", createdAt: Date())
            final class Box: @unchecked Sendable { var ids: [Int64] = []; var created = 0; let lock = NSLock() }
            let box = Box()
            DispatchQueue.concurrentPerform(iterations: stores.count) { i in
                if let r = try? stores[i].intake(n, idempotencyKey: nil, apiKeyID: nil, actor: "s\(i)") {
                    box.lock.withLock { box.ids.append(r.complaint.id); if r.created { box.created += 1 } }
                }
            }
            XCTAssertEqual(box.ids.count, 3)
            XCTAssertEqual(Set(box.ids).count, 1)
            XCTAssertEqual(box.created, 1)
        }
        XCTAssertEqual(try h.store.complaintCount(), 10)
    }

    /// Several servers delivering from one outbox: each due delivery is claimed by one of them; the SLA timer run by
    /// several servers at once announces each deadline once.
    func testServersShareTheHookOutboxWithoutDoubleDelivery() throws {
        let h = try Harness.make(.postgis)
        let stores = [h.store as! PostGISStore, try PostGISStore(url: h.url!), try PostGISStore(url: h.url!)]
        _ = try stores[0].addHook(url: "http://127.0.0.1:9/hook", secret: nil, departments: nil, events: HookEvent.allCases, at: Date())
        let p = try StoreContract.interiorPoint(h)
        let old = Date().addingTimeInterval(-100 * 3600)  // past the default 72 h target, within a 1-week window
        for i in 0..<60 {
            _ = try stores[i % 3].intake(NewComplaint(location: p, category: "yol", createdAt: i < 20 ? old : Date()),
                                         idempotencyKey: nil, apiKeyID: nil, actor: nil)
        }
        final class Box: @unchecked Sendable { var claimed: [Int64] = []; var announced = 0; let lock = NSLock() }
        let box = Box()
        DispatchQueue.concurrentPerform(iterations: 3) { i in
            for _ in 0..<10 {
                if let d = try? stores[i].dueDeliveries(now: Date(), limit: 7) {
                    box.lock.withLock { box.claimed += d.map(\.id) }
                }
            }
        }
        XCTAssertEqual(box.claimed.count, 60, "every created event claimed")
        XCTAssertEqual(Set(box.claimed).count, 60, "no delivery claimed by two servers")
        XCTAssertTrue(try stores[0].dueDeliveries(now: Date(), limit: 100).isEmpty, "claimed deliveries are leased")
        XCTAssertEqual(try stores[1].dueDeliveries(now: Date().addingTimeInterval(PostGISStore.deliveryLease + 1), limit: 100).count, 60,
                       "a lease runs out: another server retries")
        DispatchQueue.concurrentPerform(iterations: 3) { i in
            let n = (try? stores[i].checkOverdue(slaHours: [:], defaultHours: 72, window: 7 * 86_400, now: Date())) ?? -1
            box.lock.withLock { box.announced += n }
        }
        XCTAssertEqual(box.announced, 20, "each overdue complaint announced once")
    }

    /// A district's first large load takes the bulk path (constraints and indexes dropped, COPY into the table,
    /// rebuilt): afterwards every constraint and index is back; a large load with an id already in the pool fails
    /// naming its line and leaves the pool, constraints included, as it was.
    func testBulkPathRestoresConstraintsAndFailsCleanly() throws {
        let h = try Harness.make(.postgis)
        let pool = h.store as! PostGISStore
        let first = try ComplaintImporter(store: pool).importFile(try h.complaintsCSV(PostGISStore.rebuildIndexThreshold + 1_000, seed: 3))
        XCTAssertEqual(first.imported, PostGISStore.rebuildIndexThreshold + 1_000)
        let c = try PGConnection(PostGISStore.conninfo(h.url!))
        func shape() throws -> String {
            let r = try c.exec("""
                SELECT string_agg(conname, ',' ORDER BY conname) FROM pg_constraint WHERE conrelid = 'complaints'::regclass
                UNION ALL SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes
                WHERE tablename = 'complaints' AND schemaname = current_schema()
                """)
            return (r.text(0, 0) ?? "") + " | " + (r.text(1, 0) ?? "")
        }
        XCTAssertEqual(try shape(), "complaints_category_fkey,complaints_changed,complaints_district_id_fkey,complaints_mahalle_id_fkey,complaints_pkey,"
                       + "complaints_satisfaction_check | complaints_geom,complaints_pkey,complaints_ref,complaints_work")
        // The GiST index answers (the planner uses it for a box query).
        let plan = try c.exec("EXPLAIN SELECT id FROM complaints WHERE geom && ST_MakeEnvelope(36.9, 37.5, 36.91, 37.51, 4326)")
        XCTAssertTrue((0..<plan.rows).contains { (plan.text($0, 0) ?? "").contains("complaints_geom") })
        let before = try pool.snapshotKey()
        let again = try h.complaintsCSV(2 * PostGISStore.rebuildIndexThreshold + 4_000, seed: 3, name: "again.csv")
        XCTAssertThrowsError(try ComplaintImporter(store: pool).importFile(again)) { e in
            XCTAssertTrue("\(e)".contains("line 2: complaint id"), "\(e)")
        }
        XCTAssertEqual(try pool.snapshotKey(), before)
        XCTAssertEqual(try pool.complaintCount(), PostGISStore.rebuildIndexThreshold + 1_000)
        XCTAssertTrue(try shape().contains("complaints_ref,complaints_work"))
    }

    /// A permission check runs on the complaint as locked for the change: a reassignment made by another server
    /// after the first read is what the check sees, and a refused change writes nothing.
    func testWorkflowCheckSeesTheLockedRow() throws {
        let h = try Harness.make(.postgis)
        let a = h.store as! PostGISStore, b = try PostGISStore(url: h.url!)
        let c = try a.intake(NewComplaint(location: try StoreContract.interiorPoint(h), category: "yol", createdAt: Date()),
                             idempotencyKey: nil, apiKeyID: nil, actor: nil).complaint
        let readEarlier = try XCTUnwrap(try a.complaint(id: c.id))
        _ = try b.applyWorkflow(id: c.id, WorkflowChange(department: "Park ve Bahçeler Müdürlüğü"))
        struct OutOfScope: Error {}
        XCTAssertThrowsError(try a.applyWorkflow(id: c.id, WorkflowChange(status: .assigned)) { locked in
            if locked.department != readEarlier.department { throw OutOfScope() }
        }) { XCTAssertTrue($0 is OutOfScope) }
        XCTAssertEqual(try a.complaint(id: c.id)?.fields.status, .open, "a refused change writes nothing")
        XCTAssertEqual(try a.workflowState(id: c.id)?.history.count, 2)
    }

    /// The change log is pruned after a week; a server further behind than what is left reloads its snapshot.
    func testPrunedChangeLogMakesALaggingServerReload() throws {
        let h = try Harness.make(.postgis)
        let pool = h.store as! PostGISStore
        let feed = PoolChangeFeed(store: try PostGISStore(url: h.url!), applicationName: "taskmap test feed")
        let g0 = try feed.generation()
        let p = try StoreContract.interiorPoint(h)
        for _ in 0..<3 { _ = try pool.intake(NewComplaint(location: p, category: "su", createdAt: Date()), idempotencyKey: nil, apiKeyID: nil, actor: nil) }
        let c = try PGConnection(PostGISStore.conninfo(h.url!))
        try c.exec("UPDATE complaint_changes SET at = now() - interval '8 days' WHERE generation <= $1", [String(g0 + 2)])
        XCTAssertEqual(try pool.pruneChangeLog(keepDays: 7), 3)  // the district's move-in entry (g0) and two intakes
        let changes = try feed.next(after: g0, timeout: 2)
        XCTAssertTrue(changes.reload, "entries after g0 were pruned: reload")
        XCTAssertEqual(changes.generation, g0 + 3)
        XCTAssertFalse(try feed.next(after: changes.generation, timeout: 0.2).reload)
    }
}
