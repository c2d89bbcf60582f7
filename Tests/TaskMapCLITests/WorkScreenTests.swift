import Foundation
import GeoIndex
import XCTest

/// The work screen in headless Chromium (scripts/work-screen-check.py drives it over the DevTools protocol), on
/// `taskmap demo`'s store with the staff and supervisor keys the demo prints: a field team logs in on a phone,
/// sees only its department's open work, resolves one with a note and a photo link; the director, on a desk,
/// finds it awaiting approval and approves it. The store is checked after each step.
final class WorkScreenTests: XCTestCase {
    func testAFieldTeamResolvesAndTheDirectorApprovesOnTheirPhones() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium") else {
            if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail("chromium is missing: scripts/install-deps installs it") }
            throw XCTSkip("chromium not installed")
        }
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("demo.sqlite").path
        let demo = try CLI.run(["demo", "--no-serve", "--count", "5000", "--db", db])
        XCTAssertEqual(demo.status, 0, demo.err)
        func key(_ label: String) throws -> String {
            try XCTUnwrap(demo.out.split(separator: "\n").first { $0.contains(label) }?.split(separator: " ").last.map(String.init), demo.out)
        }
        let staff = try key("field team (staff):"), supervisor = try key("director (supervisor):")
        XCTAssertTrue(staff.hasPrefix("tmk_") && supervisor.hasPrefix("tmk_"))

        let (server, base) = try CLI.serve(db: db)
        defer { server.terminate(); server.waitUntilExit() }

        let shots = ProcessInfo.processInfo.environment["TASKMAP_SCREENSHOT_OUT"].map { URL(fileURLWithPath: $0) } ?? dir
        let r = try CLI.run(URL(fileURLWithPath: "/usr/bin/python3"),
                            [CLI.repo.appendingPathComponent("scripts/work-screen-check.py").path, base, staff, supervisor, shots.path])
        XCTAssertEqual(r.status, 0, r.err)
        let seen = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any], r.out + r.err)
        XCTAssertEqual(seen["login_form_shown"] as? Bool, true)
        XCTAssertEqual(seen["staff_logged_in"] as? Bool, true)
        XCTAssertEqual(seen["key_in_url"] as? Bool, false)
        XCTAssertEqual(seen["approval_tab_visible_to_staff"] as? Bool, false)
        XCTAssertGreaterThanOrEqual(seen["touch_targets_min_px"] as? Double ?? 0, 44, "touch targets")

        // The list was exactly the department's open work: what is open now, plus the one resolved since.
        let store = try SpatiaLiteStore(path: db)
        let department = "Fen İşleri Müdürlüğü"
        let resolved = Int64(try XCTUnwrap(seen["resolved_id"] as? Int))
        let expected = Set(try store.openWork(departments: [department]).filter { $0.complaint.fields.status != .resolved }.map(\.complaint.id))
            .union([resolved])
        let listed = try XCTUnwrap(seen["staff_items"] as? [Int]).map(Int64.init)
        XCTAssertLessThan(expected.count, 300, "the page shows up to 300")
        XCTAssertEqual(Set(listed), expected)
        XCTAssertEqual(listed.count, expected.count)
        for id in listed.prefix(20) { XCTAssertEqual(try store.complaint(id: id)?.department, department) }

        // Resolved by the field team, with the note and the photo link, then approved by the director.
        XCTAssertFalse((seen["staff_items_after_resolve"] as? [Int] ?? []).contains(Int(resolved)))
        XCTAssertTrue((seen["approval_items"] as? [Int] ?? []).contains(Int(resolved)))
        XCTAssertFalse((seen["approval_items_after_approve"] as? [Int] ?? [Int(resolved)]).contains(Int(resolved)))
        let state = try XCTUnwrap(store.workflowState(id: resolved))
        XCTAssertEqual(state.complaint.fields.status, .closed)
        let last2 = state.history.suffix(2)
        XCTAssertEqual(last2.map(\.to), [.resolved, .closed])
        XCTAssertEqual(last2.map(\.actor), ["demo-saha-ekibi", "demo-mudur"])
        XCTAssertEqual(last2.first?.note, "Çukur dolduruldu · foto: https://foto.belediye.local/1.jpg")
        XCTAssertEqual(seen["list_beside_map"] as? Bool, true, "desk: list and map side by side")
        XCTAssertEqual(seen["live_removed"] as? Bool, true, "a change made elsewhere reached the open screen without a reload")
        for name in ["work-phone.png", "work-desk.png"] {
            XCTAssertGreaterThan((try? Data(contentsOf: shots.appendingPathComponent(name)))?.count ?? 0, 10_000, name)
        }
    }
}
