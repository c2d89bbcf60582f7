import Foundation
import GeoIndex
import XCTest

/// Routing rules: a category in a district (or everywhere) goes to another department and team; the district's
/// own rule wins over the category's rule for every district; without a rule, the category's department.
final class RouteTests: XCTestCase {
    func testRulesDecideDepartmentAndTeamOfNewComplaints() throws {
        let f = try ServerFixture(complaints: 0)
        defer { f.remove() }
        let north = LonLat(lon: 36.92, lat: 37.58), south = LonLat(lon: 36.97, lat: 37.58)
        try f.store.setRoute(category: "su", district: nil, department: "İZSU Genel Müdürlüğü", team: nil)
        try f.store.setRoute(category: "su", district: "Kuzeykent", department: "Kuzeykent Su Birimi", team: "ekip-9")
        // Replacing the same category and district keeps one rule.
        try f.store.setRoute(category: "yol", district: "Güneyyaka", department: "Karayolları", team: "asfalt-1")
        try f.store.setRoute(category: "yol", district: "Güneyyaka", department: "Karayolları", team: "asfalt-2")
        XCTAssertEqual(try f.store.routes().count, 3)
        let hook = try f.store.addHook(url: "http://127.0.0.1:9/x", departments: ["Kuzeykent Su Birimi"], events: [.created])

        func intake(_ category: String, _ p: LonLat) throws -> WorkflowState {
            let c = try f.store.intake(NewComplaint(location: p, category: category, channel: .phone, createdAt: Date()),
                                       idempotencyKey: nil, apiKeyID: nil, actor: nil).complaint
            return try XCTUnwrap(f.store.workflowState(id: c.id))
        }
        let a = try intake("su", north), b = try intake("su", south), c = try intake("yol", south), d = try intake("yol", north)
        XCTAssertEqual(a.complaint.department, "Kuzeykent Su Birimi")
        XCTAssertEqual(a.team, "ekip-9")
        XCTAssertEqual(b.complaint.department, "İZSU Genel Müdürlüğü")
        XCTAssertNil(b.team)
        XCTAssertEqual(c.complaint.department, "Karayolları")
        XCTAssertEqual(c.team, "asfalt-2")
        XCTAssertEqual(d.complaint.department, "Fen İşleri Müdürlüğü", "no rule: the category's department")
        // The single-insert path routes too.
        let e = try f.store.insert(NewComplaint(location: north, category: "su", channel: .web, createdAt: Date()))
        XCTAssertEqual(e.department, "Kuzeykent Su Birimi")
        // Hooks and keys follow the routed department: only the Kuzeykent water complaints reached its hook.
        XCTAssertEqual(try f.store.dueDeliveries(now: Date(), limit: 10).filter { $0.hookID == hook.id }.map(\.complaintID), [a.complaint.id, e.id])
        // Removing the district's rule falls back to the category's rule for every district.
        let rule = try XCTUnwrap(f.store.routes().first { $0.district == "Kuzeykent" })
        XCTAssertTrue(try f.store.removeRoute(id: rule.id))
        XCTAssertEqual(try intake("su", north).complaint.department, "İZSU Genel Müdürlüğü")
    }
}
