import Foundation
import GeoIndex
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import XCTest
@testable import TaskMapServer

final class WorkflowAndQueryTests: XCTestCase {
    func testPatchWorkflowKeepsHistoryAndRefusesInvalidTransitions() async throws {
        let f = try ServerFixture()
        defer { f.remove() }
        try await f.app().test(.router) { client in
            let created = try await client.postJSON("/api/complaints", #"{"lon":36.93,"lat":37.58,"category":"yol"}"#, key: f.key)
            let id = try XCTUnwrap(try created.object()["id"] as? Int)
            let uri = "/api/complaints/\(id)"

            let assigned = try await client.patchJSON(uri, #"{"status":"assigned","department":"Fen İşleri","team":"Ekip 3","note":"Muhtar aradı"}"#, key: f.key)
            XCTAssertEqual(assigned.status, .ok, assigned.text)
            let a = try assigned.object()
            XCTAssertEqual(a["status"] as? String, "assigned")
            XCTAssertEqual(a["department"] as? String, "Fen İşleri")
            XCTAssertEqual(a["team"] as? String, "Ekip 3")
            XCTAssertNotNil(a["updated_at"] as? String)
            XCTAssertFalse(assigned.text.contains("Muhtar aradı"), "staff notes are not public")

            // assigned → closed skips resolved: 409, nothing changes.
            assertError(try await client.patchJSON(uri, #"{"status":"closed"}"#, key: f.key), .conflict, field: "status")
            let progress = try await client.patchJSON(uri, #"{"status":"işlemde"}"#, key: f.key)
            XCTAssertEqual(try progress.object()["status"] as? String, "in_progress")
            let resolved = try await client.patchJSON(uri, #"{"status":"resolved"}"#, key: f.key)
            XCTAssertNotNil(try resolved.object()["resolved_at"] as? String)
            // Same status again: no change, not an error.
            let r6 = try await client.patchJSON(uri, #"{"status":"resolved","note":"again"}"#, key: f.key)
            XCTAssertEqual(r6.status, .ok)
            let closed = try await client.patchJSON(uri, #"{"status":"closed"}"#, key: f.key)
            XCTAssertEqual(try closed.object()["status"] as? String, "closed")
            assertError(try await client.patchJSON(uri, #"{"status":"open"}"#, key: f.key), .conflict, field: "status")

            let state = try XCTUnwrap(try f.store.workflowState(id: Int64(id)))
            XCTAssertEqual(state.history.map(\.to), [.open, .assigned, .inProgress, .resolved, .resolved, .closed])
            XCTAssertEqual(state.history[1].note, "Muhtar aradı")
            XCTAssertEqual(state.history[1].team, "Ekip 3")
            XCTAssertEqual(state.history[1].actor, "test")

            let shown = try await client.get(uri)
            XCTAssertEqual(shown.status, .ok)
            let history = try XCTUnwrap(try shown.object()["history"] as? [[String: Any]])
            XCTAssertEqual(history.compactMap { $0["to"] as? String }, ["open", "assigned", "in_progress", "resolved", "resolved", "closed"])
            XCTAssertFalse(shown.text.contains("Muhtar"))
            XCTAssertFalse(shown.text.contains("\"actor\""))
        }
    }

    func testPatchErrors() async throws {
        let f = try ServerFixture()
        defer { f.remove() }
        try await f.app().test(.router) { client in
            assertError(try await client.patchJSON("/api/complaints/1", #"{"status":"assigned"}"#, key: nil), .unauthorized)
            assertError(try await client.patchJSON("/api/complaints/1", #"{"status":"assigned"}"#, key: "bad"), .forbidden)
            assertError(try await client.patchJSON("/api/complaints/999999", #"{"status":"assigned"}"#, key: f.key), .notFound)
            assertError(try await client.patchJSON("/api/complaints/abc", #"{"status":"assigned"}"#, key: f.key), .badRequest, field: "id")
            assertError(try await client.patchJSON("/api/complaints/-3", #"{"status":"assigned"}"#, key: f.key), .badRequest, field: "id")
            assertError(try await client.patchJSON("/api/complaints/1", #"{"status":"done-ish"}"#, key: f.key), .badRequest, field: "status")
            assertError(try await client.patchJSON("/api/complaints/1", #"{}"#, key: f.key), .badRequest)
            assertError(try await client.patchJSON("/api/complaints/1", #"{"owner":"x"}"#, key: f.key), .badRequest, field: "owner")
            assertError(try await client.patchJSON("/api/complaints/1", #"{"status":5}"#, key: f.key), .badRequest, field: "status")
        }
    }

    func testGetOneComplaint() async throws {
        let f = try ServerFixture()
        defer { f.remove() }
        try await f.app().test(.router) { client in
            let r = try await client.get("/api/complaints/1")
            XCTAssertEqual(r.status, .ok)
            let o = try r.object()
            XCTAssertEqual(o["id"] as? Int, 1)
            XCTAssertEqual(o["category"] as? String, "temizlik")
            XCTAssertNotNil(o["location"] as? [String: Any])
            assertError(try await client.get("/api/complaints/424242"), .notFound)
            assertError(try await client.get("/api/complaints/x1"), .badRequest, field: "id")
        }
    }

    func testBBoxQueryAsGeoJSON() async throws {
        let f = try ServerFixture()
        defer { f.remove() }
        try await f.app().test(.router) { client in
            // The seeded complaints sit on a 4×4 grid at 36.905 + 0.025 i, 37.555 + 0.025 j (12 of 16 cells).
            let all = try await client.get("/api/complaints")
            XCTAssertEqual(all.status, .ok)
            XCTAssertEqual(all.headers[.contentType], "application/geo+json")
            let fc = try all.object()
            XCTAssertEqual(fc["type"] as? String, "FeatureCollection")
            XCTAssertEqual((fc["features"] as? [Any])?.count, 12)
            XCTAssertEqual(fc["numberMatched"] as? Int, 12)

            let box = try await client.get("/api/complaints?bbox=36.90,37.55,36.94,37.59")
            let features = try XCTUnwrap(try box.object()["features"] as? [[String: Any]])
            XCTAssertEqual(features.count, 4)  // (0,0), (1,0), (0,1), (1,1)
            for feat in features {
                let c = try XCTUnwrap((feat["geometry"] as? [String: Any])?["coordinates"] as? [Double])
                XCTAssertTrue(c[0] >= 36.90 && c[0] <= 36.94 && c[1] >= 37.55 && c[1] <= 37.59, "\(c)")
            }
            // Newest first, limited.
            let limited = try await client.get("/api/complaints?limit=3")
            let lf = try XCTUnwrap(try limited.object()["features"] as? [[String: Any]])
            XCTAssertEqual(lf.compactMap { $0["id"] as? Int }, [1, 2, 3])
            XCTAssertEqual(try limited.object()["numberMatched"] as? Int, 12)
            // Filters.
            let park = try await client.get("/api/complaints?category=park&channel=whatsapp")
            let pf = try XCTUnwrap(try park.object()["features"] as? [[String: Any]])
            XCTAssertEqual(pf.count, 3)
            XCTAssertTrue(pf.allSatisfy { ($0["properties"] as? [String: Any])?["category"] as? String == "park" })
            let byMahalle = try await client.get("/api/complaints?mahalle=%C5%9Eehitler")
            let mf = try XCTUnwrap(try byMahalle.object()["features"] as? [[String: Any]])
            XCTAssertTrue(mf.allSatisfy { ($0["properties"] as? [String: Any])?["mahalle"] as? String == "Şehitler" })
            XCTAssertEqual(mf.count, 4)

            // ETag → 304.
            let etag = try XCTUnwrap(all.headers[.eTag])
            let r7 = try await client.get("/api/complaints", headers: [.ifNoneMatch: etag])
            XCTAssertEqual(r7.status, .notModified)

            for bad in ["1,2,3", "a,b,c,d", "37,37.5,36,37.6", "36,37,37,95", "200,37,201,38", "36,37,nan,38", "36,,37,38"] {
                assertError(try await client.get("/api/complaints?bbox=\(bad)"), .badRequest, field: "bbox")
            }
            assertError(try await client.get("/api/complaints?limit=0"), .badRequest, field: "limit")
            assertError(try await client.get("/api/complaints?limit=99999"), .badRequest, field: "limit")
            assertError(try await client.get("/api/complaints?limit=ten"), .badRequest, field: "limit")
            assertError(try await client.get("/api/complaints?status=maybe"), .badRequest, field: "status")
            assertError(try await client.get("/api/complaints?channel=fax"), .badRequest, field: "channel")
            assertError(try await client.get("/api/complaints?month=2024-13"), .badRequest, field: "month")
            assertError(try await client.get("/api/complaints?from=2024-02-30"), .badRequest, field: "from")
            assertError(try await client.get("/api/complaints?from=2024-03-02&to=2024-03-01"), .badRequest, field: "to")
        }
    }

    func testNewComplaintAppearsInQueriesAtOnce() async throws {
        let f = try ServerFixture()
        defer { f.remove() }
        try await f.app().test(.router) { client in
            let before = try await client.get("/api/complaints?bbox=36.96,37.61,36.97,37.62")
            XCTAssertEqual((try before.object()["features"] as? [Any])?.count, 0)
            try await client.postJSON("/api/complaints", #"{"lon":36.965,"lat":37.615,"category":"kar"}"#, key: f.key)
            let after = try await client.get("/api/complaints?bbox=36.96,37.61,36.97,37.62", headers: [.ifNoneMatch: before.headers[.eTag] ?? ""])
            XCTAssertEqual(after.status, .ok, "a new complaint changes the ETag")
            XCTAssertEqual((try after.object()["features"] as? [Any])?.count, 1)
        }
    }

    func testMahalleStats() async throws {
        let f = try ServerFixture()
        defer { f.remove() }
        try await f.app().test(.router) { client in
            let r = try await client.get("/api/mahalle")
            XCTAssertEqual(r.status, .ok)
            let fc = try r.object()
            let features = try XCTUnwrap(fc["features"] as? [[String: Any]])
            XCTAssertEqual(features.count, 4)
            let props = features.compactMap { $0["properties"] as? [String: Any] }
            let total = props.compactMap { $0["complaints"] as? Int }.reduce(0, +) + (fc["unassigned"] as? Int ?? 0)
            XCTAssertEqual(total, 12)
            let sehitler = try XCTUnwrap(props.first { $0["name"] as? String == "Şehitler" })
            XCTAssertEqual(sehitler["complaints"] as? Int, 4)
            XCTAssertEqual(sehitler["open"] as? Int, 4)
            XCTAssertEqual(sehitler["per_1000"] as? Double ?? 0, 4.0 / 12, accuracy: 0.01)
            XCTAssertEqual((sehitler["top_categories"] as? [Any])?.isEmpty, false)
            let cinarli = try XCTUnwrap(props.first { $0["name"] as? String == "Çınarlı" })
            XCTAssertTrue(cinarli["per_1000"] == nil || cinarli["per_1000"] is NSNull, "no population, no rate")
            XCTAssertEqual((features[0]["geometry"] as? [String: Any])?["type"] as? String, "MultiPolygon")

            let filtered = try await client.get("/api/mahalle?category=park")
            let fp = try XCTUnwrap(try filtered.object()["features"] as? [[String: Any]]).compactMap { $0["properties"] as? [String: Any] }
            XCTAssertEqual(fp.compactMap { $0["complaints"] as? Int }.reduce(0, +), 3)
            assertError(try await client.get("/api/mahalle?type=rant"), .badRequest, field: "type")
            let r8 = try await client.get("/api/mahalle", headers: [.ifNoneMatch: r.headers[.eTag] ?? ""])
            XCTAssertEqual(r8.status, .notModified)
        }
    }

    func testMetaAndViewer() async throws {
        let f = try ServerFixture()
        defer { f.remove() }
        try await f.app().test(.router) { client in
            let meta = try await client.get("/api/meta")
            let o = try meta.object()
            XCTAssertEqual((o["categories"] as? [Any])?.count, Category.defaults.count)
            XCTAssertEqual(o["layers"] as? [String], ["heat", "pins", "choropleth", "boundaries"])
            XCTAssertNotNil(o["first_month"] as? String)
            XCTAssertEqual((o["bounds"] as? [Double])?.count, 4)

            let page = try await client.get("/")
            XCTAssertEqual(page.status, .ok)
            XCTAssertEqual(page.headers[.contentType], "text/html; charset=utf-8")
            XCTAssertTrue(page.text.contains("/static/leaflet/leaflet.js"))
            XCTAssertTrue(page.text.contains("/api/events"))
            XCTAssertFalse(page.text.contains("unpkg") || page.text.contains("cdn"), "no CDN: the machines are offline")
        }
    }
}
