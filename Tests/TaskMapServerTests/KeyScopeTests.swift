import Foundation
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
