import Foundation
import XCTest
@testable import GeoIndex

/// What every `ComplaintStore` must do, written once and run on both backends (SpatiaLiteContractTests,
/// PostGISContractTests).
enum StoreContract {
    static func referenceData(_ h: Harness) throws {
        let s = h.store
        XCTAssertEqual(try s.districts().map(\.name), ["Güneyyaka", "Kuzeykent"])
        let rows = try GeoJSONReader.mahalle(path: Harness.sample.appendingPathComponent("mahalle.geojson").path)
        let mahalle = try s.mahalleList()
        XCTAssertEqual(mahalle.count, rows.count)
        XCTAssertEqual(mahalle.reduce(0) { $0 + $1.population }, rows.reduce(0) { $0 + $1.population })
        // Geometries come back exactly as drawn (vertex for vertex).
        let byName = Dictionary(uniqueKeysWithValues: rows.map { ($0.district + "/" + $0.name, $0.geometry) })
        for m in mahalle { XCTAssertEqual(m.geometry, byName[m.districtName + "/" + m.name], "\(m.name)") }
        XCTAssertEqual(try s.categories().count, try Category.read(csvPath: Harness.sample.appendingPathComponent("categories.csv").path).count)
        XCTAssertEqual(try s.complaintCount(), 0)
    }

    static func importAndRead(_ h: Harness) throws {
        let csv = try h.complaintsCSV(3_000)
        let sum = try ComplaintImporter(store: h.store).importFile(csv)
        XCTAssertEqual(sum.imported, 3_000)
        XCTAssertEqual(try h.store.complaintCount(), 3_000)
        let snap = try h.store.loadSnapshot()
        XCTAssertEqual(snap.count, 3_000)
        // The cached snapshot equals the fresh one, and follows a write.
        XCTAssertEqual(try h.store.loadSnapshotCached().mergedRecords(), snap.mergedRecords())
        let c = try h.store.intake(NewComplaint(location: try interiorPoint(h), category: "yol", createdAt: Date()),
                                   idempotencyKey: nil, apiKeyID: nil, actor: "test")
        XCTAssertEqual(try h.store.loadSnapshotCached().count, 3_001)
        let back = try XCTUnwrap(try h.store.complaint(id: c.complaint.id))
        XCTAssertEqual(back.fields.category, "yol")
        XCTAssertNotNil(back.address.mahalleName)
        XCTAssertEqual(back.address, try h.store.geocode(back.fields.location))
    }

    /// A failed import (an id already in the store) names the line and leaves the store exactly as it was.
    static func failedImportChangesNothing(_ h: Harness) throws {
        let csv = try h.complaintsCSV(500)
        _ = try ComplaintImporter(store: h.store).importFile(csv)
        let before = try h.store.loadSnapshot().mergedRecords()
        let again = try h.complaintsCSV(800, seed: 17, name: "again.csv")  // same seed: the first 500 ids repeat
        XCTAssertThrowsError(try ComplaintImporter(store: h.store).importFile(again)) { e in
            XCTAssertTrue("\(e)".contains("already in the store"), "\(e)")
            XCTAssertTrue("\(e)".contains("line "), "\(e)")
        }
        XCTAssertEqual(try h.store.complaintCount(), 500)
        XCTAssertEqual(try h.store.loadSnapshot().mergedRecords(), before)
    }

    static func intakeIsIdempotent(_ h: Harness) throws {
        let p = try interiorPoint(h)
        var n = NewComplaint(externalRef: "CIMER-2024-77", location: p, category: "yol", channel: .cimer, createdAt: Date())
        let a = try h.store.intake(n, idempotencyKey: nil, apiKeyID: nil, actor: "cimer")
        XCTAssertTrue(a.created)
        n.channel = .phone
        let b = try h.store.intake(n, idempotencyKey: nil, apiKeyID: nil, actor: "alo153")
        XCTAssertFalse(b.created)
        XCTAssertEqual(a.complaint.id, b.complaint.id)
        let key = try h.store.createAPIKey(name: "cagri", role: .intake, scope: .everything, at: Date())
        let m = NewComplaint(location: p, category: "park", createdAt: Date())
        let c1 = try h.store.intake(m, idempotencyKey: "req-1", apiKeyID: key.record.id, actor: "cagri")
        let c2 = try h.store.intake(m, idempotencyKey: "req-1", apiKeyID: key.record.id, actor: "cagri")
        XCTAssertTrue(c1.created)
        XCTAssertFalse(c2.created)
        XCTAssertEqual(c1.complaint.id, c2.complaint.id)
        XCTAssertEqual(try h.store.complaintCount(), 2)
    }

    static func routesAndWorkflow(_ h: Harness) throws {
        let p = try interiorPoint(h)
        let district = try XCTUnwrap(try h.store.geocode(p).districtName)
        _ = try h.store.setRoute(category: "yol", district: district, department: "Yol Bakım Şube", team: "Ekip 3", at: Date())
        let c = try h.store.intake(NewComplaint(location: p, category: "yol", createdAt: Date()), idempotencyKey: nil,
                                   apiKeyID: nil, actor: "test").complaint
        XCTAssertEqual(c.department, "Yol Bakım Şube")
        XCTAssertEqual(try h.store.workflowState(id: c.id)?.team, "Ekip 3")
        XCTAssertEqual(try h.store.openWork(departments: ["Yol Bakım Şube"]).map(\.complaint.id), [c.id])
        XCTAssertEqual(try h.store.openWork(departments: ["Park ve Bahçeler"]).count, 0)
        for status in [ComplaintStatus.assigned, .inProgress, .resolved] {
            _ = try h.store.applyWorkflow(id: c.id, WorkflowChange(status: status, note: "not \(status)", actor: "ekip"))
        }
        XCTAssertThrowsError(try h.store.applyWorkflow(id: c.id, WorkflowChange(status: .assigned))) { e in
            XCTAssertEqual(e as? WorkflowError, .invalidTransition(from: .resolved, to: .assigned))
        }
        let closed = try h.store.applyWorkflow(id: c.id, WorkflowChange(status: .closed, team: "Ekip 4", actor: "müdür"))
        XCTAssertEqual(closed.complaint.fields.status, .closed)
        XCTAssertNotNil(closed.complaint.fields.resolvedAt)
        XCTAssertEqual(closed.team, "Ekip 4")
        XCTAssertEqual(closed.history.map(\.to), [.open, .assigned, .inProgress, .resolved, .closed])
        XCTAssertEqual(closed.history.last?.actor, "müdür")
        XCTAssertEqual(closed.history[1].note, "not assigned")
        XCTAssertEqual(try h.store.openWork(departments: nil).count, 0)
        XCTAssertThrowsError(try h.store.applyWorkflow(id: 999_999, WorkflowChange(status: .assigned))) { e in
            XCTAssertEqual(e as? WorkflowError, .notFound(999_999))
        }
        XCTAssertEqual(try h.store.routes().count, 1)
        XCTAssertTrue(try h.store.removeRoute(id: try h.store.routes()[0].id))
    }

    /// The duplicate hint looks across district borders: a complaint 9 m away, in the neighbouring district.
    static func duplicatesAcrossDistricts(_ h: Harness) throws {
        let (a, b) = try borderPair(h)
        XCTAssertNotEqual(try h.store.geocode(a).districtName, try h.store.geocode(b).districtName)
        let first = try h.store.intake(NewComplaint(location: a, category: "su", createdAt: Date()), idempotencyKey: nil, apiKeyID: nil, actor: nil)
        let second = try h.store.intake(NewComplaint(location: b, category: "su", createdAt: Date()), idempotencyKey: nil, apiKeyID: nil, actor: nil)
        let d = try h.store.possibleDuplicates(of: b, category: "su", createdAt: Date(), radiusMetres: 50, days: 30,
                                               excluding: second.complaint.id, limit: 20)
        XCTAssertEqual(d.map(\.id), [first.complaint.id])
        XCTAssertEqual(d[0].distanceMetres, SpatiaLiteStore.haversineMetres(a, b), accuracy: 0.01)
        XCTAssertTrue(try h.store.possibleDuplicates(of: b, category: "yol", createdAt: Date(), radiusMetres: 50, days: 30,
                                                     excluding: second.complaint.id, limit: 20).isEmpty)
    }

    static func keys(_ h: Harness) throws {
        let (key, record) = try h.store.createAPIKey(name: "saha", role: .staff, scope: KeyScope(departments: ["Fen İşleri Müdürlüğü"], districts: ["Kuzeykent"]), at: Date())
        guard case .valid(let found) = try h.store.checkAPIKey(key) else { return XCTFail("key not valid") }
        XCTAssertEqual(found, record)
        XCTAssertEqual(try h.store.checkAPIKey(key + "x"), .unknown)
        XCTAssertThrowsError(try h.store.createAPIKey(name: "saha", role: .intake, scope: .everything, at: Date())) { e in
            XCTAssertEqual(e as? WorkflowError, .keyNameTaken("saha"))
        }
        _ = try h.store.revokeAPIKey("saha", at: Date())
        guard case .revoked = try h.store.checkAPIKey(key) else { return XCTFail("key not revoked") }
        XCTAssertEqual(try h.store.apiKeys().count, 1)
    }

    /// Hooks: a change queues its event in its own transaction, the payload carries no personal data, a failed
    /// delivery is retried, a delivered one is counted; a complaint's events come out in order.
    static func hooks(_ h: Harness) throws {
        let store = h.store as! any ManagedStore & HookAdmin & TestOutbox
        let hook = try store.addHook(url: "http://127.0.0.1:9/hook", secret: nil, departments: nil, events: HookEvent.allCases, at: Date())
        XCTAssertTrue(hook.secret.hasPrefix("whsec_"))
        var n = NewComplaint(location: try interiorPoint(h), category: "yol", createdAt: Date())
        n.contactName = "Ayşe Yılmaz"; n.contactPhone = "0555 111 22 33"; n.description = "kapımın önü"
        let c = try store.intake(n, idempotencyKey: nil, apiKeyID: nil, actor: nil).complaint
        _ = try store.applyWorkflow(id: c.id, WorkflowChange(status: .assigned, team: "Ekip 2", note: "iç not"))
        var due = try store.dueDeliveries(now: Date(), limit: 10)
        XCTAssertEqual(due.map(\.event), ["created"], "the second event waits for the first")
        let body = due[0].body
        for secret in ["Ayşe", "0555", "kapımın", "iç not"] { XCTAssertFalse(body.contains(secret), body) }
        XCTAssertTrue(body.contains("\"category\":\"yol\""), body)
        _ = try store.markFailed(due[0].id, error: "HTTP 503", retryAt: Date().addingTimeInterval(60), expireAfter: 86_400, now: Date())
        XCTAssertTrue(try store.dueDeliveries(now: Date().addingTimeInterval(30), limit: 10).isEmpty)
        due = try store.dueDeliveries(now: Date().addingTimeInterval(61), limit: 10)
        XCTAssertEqual(due.map(\.event), ["created"])
        XCTAssertEqual(due[0].attempts, 1)
        try store.markDelivered(due[0].id, at: Date())
        due = try store.dueDeliveries(now: Date().addingTimeInterval(120), limit: 10)
        XCTAssertEqual(due.map(\.event), ["assigned"])
        XCTAssertTrue(due[0].body.contains("\"to_status\":\"assigned\""), due[0].body)
        let status = try XCTUnwrap(try store.hookStatus().first)
        XCTAssertEqual(status.delivered, 1)
        XCTAssertEqual(status.pending, 1)
        XCTAssertNil(status.lastError, "a delivery clears its row's last error")
        XCTAssertTrue(try store.removeHook(id: hook.id, at: Date()))
        XCTAssertEqual(try store.hookStatus().first?.expired, 1)
    }

    // MARK: - Places in the sample district

    static func interiorPoint(_ h: Harness) throws -> LonLat {
        let m = try XCTUnwrap(try h.store.mahalleList().first)
        let g = try h.store.geocoder()
        let b = m.geometry.bbox
        for i in 1..<20 {
            let p = LonLat(lon: b.minLon + (b.maxLon - b.minLon) * Double(i) / 20, lat: (b.minLat + b.maxLat) / 2)
            if g.geocode(p).mahalleID == m.id { return p }
        }
        throw XCTSkip("no interior point found")
    }

    /// Two points 0.0002° apart (about 18 m) on either side of a district border.
    static func borderPair(_ h: Harness) throws -> (LonLat, LonLat) {
        let g = try h.store.geocoder()
        for m in try h.store.mahalleList() {
            for v in m.geometry.polygons[0].outer {
                for (dx, dy) in [(0.0001, 0.0), (0.0, 0.0001)] {
                    let a = LonLat(lon: v.lon - dx, lat: v.lat - dy), b = LonLat(lon: v.lon + dx, lat: v.lat + dy)
                    if let da = g.geocode(a).districtName, let db = g.geocode(b).districtName, da != db { return (a, b) }
                }
            }
        }
        throw XCTSkip("no district border found")
    }
}

class SpatiaLiteContractTests: XCTestCase {
    func make() throws -> Harness { try Harness.make(.spatialite) }
    func testReferenceData() throws { try StoreContract.referenceData(try make()) }
    func testImportAndRead() throws { try StoreContract.importAndRead(try make()) }
    func testFailedImportChangesNothing() throws { try StoreContract.failedImportChangesNothing(try make()) }
    func testIntakeIsIdempotent() throws { try StoreContract.intakeIsIdempotent(try make()) }
    func testRoutesAndWorkflow() throws { try StoreContract.routesAndWorkflow(try make()) }
    func testDuplicatesAcrossDistricts() throws { try StoreContract.duplicatesAcrossDistricts(try make()) }
    func testKeys() throws { try StoreContract.keys(try make()) }
    func testHooks() throws { try StoreContract.hooks(try make()) }
}

class PostGISContractTests: XCTestCase {
    func make() throws -> Harness { try Harness.make(.postgis) }
    func testReferenceData() throws { try StoreContract.referenceData(try make()) }
    func testImportAndRead() throws { try StoreContract.importAndRead(try make()) }
    func testFailedImportChangesNothing() throws { try StoreContract.failedImportChangesNothing(try make()) }
    func testIntakeIsIdempotent() throws { try StoreContract.intakeIsIdempotent(try make()) }
    func testRoutesAndWorkflow() throws { try StoreContract.routesAndWorkflow(try make()) }
    func testDuplicatesAcrossDistricts() throws { try StoreContract.duplicatesAcrossDistricts(try make()) }
    func testKeys() throws { try StoreContract.keys(try make()) }
    func testHooks() throws { try StoreContract.hooks(try make()) }
}

/// The outbox calls the server's deliverer makes (its protocol lives in TaskMapServer).
protocol TestOutbox {
    func dueDeliveries(now: Date, limit: Int) throws -> [HookDelivery]
    func markDelivered(_ id: Int64, at now: Date) throws
    func markFailed(_ id: Int64, error: String, retryAt: Date, expireAfter: TimeInterval, now: Date) throws -> Bool
}
extension SpatiaLiteStore: TestOutbox {}
extension PostGISStore: TestOutbox {}
