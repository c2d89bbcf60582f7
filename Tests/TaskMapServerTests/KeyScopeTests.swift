import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GeoIndex
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import XCTest
@testable import TaskMapServer

/// Roles × endpoints × own/other department and district: every cell of the matrix asked of the real server.
/// The fixture town: Kuzeykent (west) and Güneyyaka (east); temizlik → Temizlik İşleri Müdürlüğü, park → Park ve
/// Bahçeler Müdürlüğü.
final class KeyScopeTests: XCTestCase {
    static let kuzeykent = LonLat(lon: 36.92, lat: 37.58), guneyyaka = LonLat(lon: 36.97, lat: 37.58)

    func testEveryRoleAndScopeCell() async throws {
        let f = try ServerFixture(complaints: 0)
        defer { f.remove() }
        func complaint(_ category: String, _ p: LonLat) throws -> Int64 {
            try f.store.insert(NewComplaint(location: p, category: category, channel: .phone, createdAt: Date())).id
        }
        let a = try complaint("temizlik", Self.kuzeykent)   // own department, own district
        let b = try complaint("park", Self.kuzeykent)       // other department
        let c = try complaint("temizlik", Self.guneyyaka)   // other district
        let t = KeyScope(departments: ["temizlik işleri müdürlüğü"], districts: ["KUZEYKENT"])  // Turkish case folding
        let keys: [String: String] = [
            "intake": try f.store.createAPIKey(name: "intake", role: .intake).key,
            "intakeK": try f.store.createAPIKey(name: "intake-kuzey", role: .intake, scope: KeyScope(districts: ["Kuzeykent"])).key,
            "staff": try f.store.createAPIKey(name: "staff", role: .staff, scope: t).key,
            "supervisor": try f.store.createAPIKey(name: "supervisor", role: .supervisor, scope: t).key,
            "admin": try f.store.createAPIKey(name: "admin", role: .admin, scope: t).key,
        ]
        let app = try await f.app()
        try await app.test(.router) { client in
            // PATCH a status change: rows are keys, columns the complaints (and an unknown id).
            let expected: [String: [HTTPResponse.Status]] = [
                "intake": [.forbidden, .forbidden, .forbidden, .forbidden],
                "intakeK": [.forbidden, .forbidden, .forbidden, .forbidden],
                "staff": [.ok, .forbidden, .forbidden, .notFound],
                "supervisor": [.ok, .forbidden, .forbidden, .notFound],
                "admin": [.ok, .ok, .ok, .notFound],
            ]
            for (name, row) in expected.sorted(by: { $0.key < $1.key }) {
                for (id, want) in zip([a, b, c, 9_999], row) {
                    let r = try await client.patchJSON("/api/complaints/\(id)", #"{"status":"assigned","team":"ekip-\#(name)"}"#, key: keys[name])
                    XCTAssertEqual(r.status, want, "\(name) PATCH \(id): \(r.text)")
                    if want == .forbidden { assertError(r, .forbidden) }
                }
            }
            // A refusal says why.
            let why = try await client.patchJSON("/api/complaints/\(b)", #"{"status":"in_progress"}"#, key: keys["staff"])
            XCTAssertTrue(why.text.contains("belongs to Park ve Bahçeler Müdürlüğü in Kuzeykent") && why.text.contains("covers temizlik işleri müdürlüğü in KUZEYKENT"), why.text)

            // Approval: resolved → closed is a supervisor's (staff 403, supervisor 200).
            let resolved = try await client.patchJSON("/api/complaints/\(a)", #"{"status":"resolved","note":"süpürüldü"}"#, key: keys["staff"])
            XCTAssertEqual(resolved.status, .ok, resolved.text)
            assertError(try await client.patchJSON("/api/complaints/\(a)", #"{"status":"closed"}"#, key: keys["staff"]), .forbidden, field: "status")
            let approved = try await client.patchJSON("/api/complaints/\(a)", #"{"status":"closed"}"#, key: keys["supervisor"])
            XCTAssertEqual(approved.status, .ok, approved.text)

            // Reassigning to a department outside the scope: staff 403, supervisor 200.
            let d = try complaint("temizlik", Self.kuzeykent)
            assertError(try await client.patchJSON("/api/complaints/\(d)", #"{"department":"Park ve Bahçeler Müdürlüğü"}"#, key: keys["staff"]),
                        .forbidden, field: "department")
            let moved = try await client.patchJSON("/api/complaints/\(d)", #"{"department":"Park ve Bahçeler Müdürlüğü"}"#, key: keys["supervisor"])
            XCTAssertEqual(moved.status, .ok, moved.text)
            // Now it is the park department's: out of the temizlik keys' scope.
            assertError(try await client.patchJSON("/api/complaints/\(d)", #"{"status":"in_progress"}"#, key: keys["supervisor"]), .forbidden)

            // POST: every role creates; a district-scoped key only in its district.
            func post(_ p: LonLat, _ key: String?) async throws -> HTTPResponse.Status {
                try await client.postJSON("/api/complaints", #"{"lon":\#(p.lon),"lat":\#(p.lat),"category":"temizlik","channel":"phone"}"#, key: key).status
            }
            let creates: [String: [HTTPResponse.Status]] = [
                "intake": [.created, .created], "intakeK": [.created, .forbidden], "staff": [.created, .forbidden],
                "supervisor": [.created, .forbidden], "admin": [.created, .created],
            ]
            for (name, row) in creates.sorted(by: { $0.key < $1.key }) {
                let north = try await post(Self.kuzeykent, keys[name]), south = try await post(Self.guneyyaka, keys[name])
                XCTAssertEqual(north, row[0], "\(name) POST Kuzeykent")
                XCTAssertEqual(south, row[1], "\(name) POST Güneyyaka")
            }
            let anonymous = try await post(Self.kuzeykent, nil), revoked = try await post(Self.kuzeykent, f.revokedKey)
            XCTAssertEqual(anonymous, .unauthorized)
            XCTAssertEqual(revoked, .forbidden)
        }
        // Every change records the key that made it (name and id).
        let history = try XCTUnwrap(f.store.workflowState(id: a)).history
        // (keys in name order: admin, staff and supervisor assigned it; staff resolved it; the supervisor closed it)
        XCTAssertEqual(history.map(\.actor), ["admin", "staff", "supervisor", "staff", "supervisor"])
        let ids = try f.store.historyKeyIDs(complaint: a)
        let staffID = try f.store.apiKeys().first { $0.name == "staff" }!.id
        let supervisorID = try f.store.apiKeys().first { $0.name == "supervisor" }!.id
        let adminID = try f.store.apiKeys().first { $0.name == "admin" }!.id
        XCTAssertEqual(ids, [adminID, staffID, supervisorID, staffID, supervisorID])
    }

    /// `/api/work`: staff keys only, header only; the key's departments and districts; personal fields for staff;
    /// a complaint outside the scope is 403, an unknown one 404.
    func testWorkListIsStaffOnlyScopedAndCarriesPersonalFields() async throws {
        let f = try ServerFixture(complaints: 0)
        defer { f.remove() }
        func complaint(_ category: String, _ p: LonLat, _ status: ComplaintStatus = .open) throws -> Int64 {
            try f.store.insert(NewComplaint(location: p, category: category, channel: .phone, status: status, createdAt: Date().addingTimeInterval(-100 * 3600),
                                            description: "Kapının önünde çukur", contactName: "Ayşe Yılmaz", contactPhone: "05551234567")).id
        }
        let mine = try complaint("temizlik", Self.kuzeykent), done = try complaint("temizlik", Self.kuzeykent, .resolved)
        let otherDepartment = try complaint("park", Self.kuzeykent), otherDistrict = try complaint("temizlik", Self.guneyyaka)
        let t = KeyScope(departments: ["Temizlik İşleri Müdürlüğü"], districts: ["Kuzeykent"])
        let staff = try f.store.createAPIKey(name: "staff", role: .staff, scope: t).key
        let intake = try f.store.createAPIKey(name: "intake", role: .intake).key
        let app = try await f.app()
        try await app.test(.router) { client in
            let r = try await client.get("/api/work", headers: [.xAPIKey: staff])
            XCTAssertEqual(r.status, .ok, r.text)
            XCTAssertEqual(r.headers[.cacheControl], "no-store")
            let o = try r.object()
            let items = try XCTUnwrap(o["items"] as? [[String: Any]])
            XCTAssertEqual(items.compactMap { ($0["id"] as? Int).map(Int64.init) }, [mine])
            XCTAssertEqual(items.first?["description"] as? String, "Kapının önünde çukur")
            XCTAssertEqual((items.first?["contact"] as? [String: Any])?["phone"] as? String, "05551234567")
            XCTAssertEqual(items.first?["overdue"] as? Bool, true, "100 h > the 72 h target")
            let counts = try XCTUnwrap(o["counts"] as? [String: Int])
            XCTAssertEqual(counts, ["open": 1, "approval": 1, "overdue": 1])
            let approval = try await client.get("/api/work?view=approval", headers: [.xAPIKey: staff]).object()
            XCTAssertEqual((approval["items"] as? [[String: Any]])?.compactMap { ($0["id"] as? Int).map(Int64.init) }, [done])

            assertError(try await client.get("/api/work", headers: [.xAPIKey: intake]), .forbidden, field: "api_key")
            assertError(try await client.get("/api/work?api_key=\(staff)"), .badRequest, field: "api_key")
            assertError(try await client.get("/api/work"), .unauthorized)
            assertError(try await client.get("/api/work?sort=nearest", headers: [.xAPIKey: staff]), .badRequest, field: "lat")
            let detail = try await client.get("/api/work/\(mine)", headers: [.xAPIKey: staff])
            XCTAssertEqual(detail.status, .ok)
            XCTAssertTrue(detail.text.contains("Ayşe Yılmaz"))
            for other in [otherDepartment, otherDistrict] {
                assertError(try await client.get("/api/work/\(other)", headers: [.xAPIKey: staff]), .forbidden)
            }
            assertError(try await client.get("/api/work/99999", headers: [.xAPIKey: staff]), .notFound)
            // The public answer for the same complaint still has no personal field.
            let pub = try await client.get("/api/complaints/\(mine)")
            XCTAssertFalse(pub.text.contains("Ayşe") || pub.text.contains("0555") || pub.text.contains("çukur"), pub.text)
            // The page itself: no key in it, a policy that keeps its requests on this origin.
            let page = try await client.get("/work")
            XCTAssertEqual(page.status, .ok)
            XCTAssertTrue(page.headers[HTTPField.Name("Content-Security-Policy")!]?.contains("connect-src 'self'") ?? false)
            XCTAssertEqual(page.headers[HTTPField.Name("Referrer-Policy")!], "no-referrer")
        }
    }

    /// `/api/work/events`: a staff key's departments only, key in the header only.
    func testWorkEventsAreTheKeysDepartmentsOnly() async throws {
        let f = try ServerFixture(complaints: 0)
        defer { f.remove() }
        let staff = try f.store.createAPIKey(name: "t", role: .staff, scope: KeyScope(departments: ["Temizlik İşleri Müdürlüğü"])).key
        let intake = try f.store.createAPIKey(name: "i", role: .intake).key
        let app = try await f.app()
        try await app.test(.live) { client in
            assertError(try await client.get("/api/work/events", headers: [.xAPIKey: intake]), .forbidden, field: "api_key")
            assertError(try await client.get("/api/work/events?api_key=\(staff)"), .badRequest, field: "api_key")
            // The stream on its own connection (the test client sends its requests one after another).
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(client.port!)/api/work/events?limit=1")!)
            request.setValue(staff, forHTTPHeaderField: "X-API-Key")
            request.timeoutInterval = 20
            let streamTask = Task { try await URLSession.shared.data(for: request) }
            try await Task.sleep(nanoseconds: 500_000_000)
            let park = try await client.postJSON("/api/complaints", #"{"lon":36.92,"lat":37.58,"category":"park"}"#, key: f.key)
            XCTAssertEqual(park.status, .created)
            let clean = try await client.postJSON("/api/complaints", #"{"lon":36.92,"lat":37.58,"category":"temizlik"}"#, key: f.key)
            XCTAssertEqual(clean.status, .created)
            let (data, response) = try await streamTask.value
            XCTAssertEqual((response as? HTTPURLResponse)?.statusCode, 200)
            let text = String(decoding: data, as: UTF8.self)
            XCTAssertTrue(text.contains("event: created") && text.contains("Temizlik İşleri Müdürlüğü"), text)
            XCTAssertFalse(text.contains("Park ve Bahçeler"), text)
        }
    }

    /// Keys made before roles existed keep working as staff for everything (the schema 5 migration).
    func testKeysFromBeforeRolesAreStaffForEverything() throws {
        let f = try ServerFixture(complaints: 0)
        defer { f.remove() }
        let old = try f.store.createAPIKey(name: "eski").record
        XCTAssertEqual(old.role, .staff)
        XCTAssertTrue(old.scope.isEverything)
        guard case .valid(let k) = try f.store.checkAPIKey(try f.store.createAPIKey(name: "x", role: .intake, scope: KeyScope(departments: ["Zabıta Müdürlüğü"])).key) else {
            return XCTFail("key not valid")
        }
        XCTAssertEqual(k.role, .intake)
        XCTAssertEqual(k.scope.departments, ["Zabıta Müdürlüğü"])
        XCTAssertNil(k.scope.districts)
    }
}
