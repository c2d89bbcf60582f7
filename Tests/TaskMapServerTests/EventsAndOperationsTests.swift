import Foundation
import GeoIndex
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import XCTest
@testable import TaskMapServer

final class EventsAndOperationsTests: XCTestCase {
    /// Parses an SSE body into (id, event, data) triples.
    static func events(_ text: String) -> [(id: String, event: String, data: String)] {
        text.components(separatedBy: "\n\n").compactMap { block in
            var id = "", event = "", data = ""
            for line in block.split(separator: "\n") {
                if line.hasPrefix("id: ") { id = String(line.dropFirst(4)) }
                if line.hasPrefix("event: ") { event = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") { data = String(line.dropFirst(6)) }
            }
            return event.isEmpty ? nil : (id, event, data)
        }
    }

    func testEventsReplayAndDepartmentFilter() async throws {
        let f = try ServerFixture()
        defer { f.remove() }
        try await f.app().test(.router) { client in
            let yol = try await client.postJSON("/api/complaints", #"{"lon":36.93,"lat":37.58,"category":"yol"}"#, key: f.key)
            let yolID = try XCTUnwrap(try yol.object()["id"] as? Int)
            try await client.postJSON("/api/complaints", #"{"lon":36.96,"lat":37.58,"category":"park"}"#, key: f.key)
            _ = try await client.patchJSON("/api/complaints/\(yolID)", #"{"status":"assigned"}"#, key: f.key)

            let all = try await client.get("/api/events?last_event_id=0&limit=3")
            XCTAssertEqual(all.status, .ok)
            XCTAssertEqual(all.headers[.contentType], "text/event-stream; charset=utf-8")
            XCTAssertEqual(all.headers[.cacheControl], "no-cache")
            let events = Self.events(all.text)
            XCTAssertEqual(events.map(\.event), ["created", "created", "updated"])
            XCTAssertEqual(events.map(\.id), ["1", "2", "3"])
            let data = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(events[2].data.utf8)) as? [String: Any])
            XCTAssertEqual(data["id"] as? Int, yolID)
            XCTAssertEqual(data["status"] as? String, "assigned")

            let resumed = try await client.get("/api/events?limit=1", headers: [.lastEventIDHeader: "2"])
            XCTAssertEqual(Self.events(resumed.text).map(\.id), ["3"])

            let yolDepartment = try XCTUnwrap(Category.defaults.first { $0.code == "yol" }?.department)
            let q = yolDepartment.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let dept = try await client.get("/api/events?last_event_id=0&limit=2&department=\(q)")
            let de = Self.events(dept.text)
            XCTAssertEqual(de.map(\.id), ["1", "3"])
            assertError(try await client.get("/api/events?last_event_id=-1"), .badRequest, field: "last_event_id")
            assertError(try await client.get("/api/events?limit=0"), .badRequest, field: "limit")
        }
    }

    func testLiveEventReachesAnOpenStream() async throws {
        let f = try ServerFixture()
        defer { f.remove() }
        try await f.app().test(.router) { client in
            async let stream = client.get("/api/events?limit=1")
            // Wait until the stream has subscribed, then create a complaint.
            try await Task.sleep(for: .milliseconds(200))
            try await client.postJSON("/api/complaints", #"{"lon":36.93,"lat":37.58,"category":"su"}"#, key: f.key)
            let r = try await stream
            let events = Self.events(r.text)
            XCTAssertEqual(events.map(\.event), ["created"])
            XCTAssertTrue(events[0].data.contains("\"category\":\"su\""))
        }
    }

    func testMetrics() async throws {
        let f = try ServerFixture()
        defer { f.remove() }
        try await f.app().test(.router) { client in
            _ = try await client.get("/healthz")
            _ = try await client.get("/tiles/heat/14/9871/6351.png")
            _ = try await client.get("/tiles/heat/14/9871/6351.png")
            _ = try await client.get("/nowhere")
            _ = try await client.get("/api/needs?month=2024-03")
            let before = try await client.get("/metrics").text
            XCTAssertTrue(before.contains("taskmap_render_cache_bytes "), before)
            _ = try await client.get("/tiles/heat/14/9871/6345.png?category=temizlik")
            let r = try await client.get("/metrics")
            XCTAssertEqual(r.status, .ok)
            XCTAssertEqual(r.headers[.contentType], "text/plain; version=0.0.4; charset=utf-8")
            let t = r.text
            XCTAssertTrue(t.contains("taskmap_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1"), t)
            XCTAssertTrue(t.contains("route=\"NotFound\",status=\"404\"} 1"), t)
            XCTAssertTrue(t.contains("# TYPE taskmap_http_request_duration_seconds histogram"))
            XCTAssertTrue(t.contains("taskmap_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"+Inf\"} 1"))
            XCTAssertTrue(t.contains("taskmap_tile_cache_hits_total 1"), t)
            XCTAssertTrue(t.contains("taskmap_tile_cache_misses_total 2"), t)
            XCTAssertTrue(t.contains("taskmap_tiles_rendered_total{layer=\"heat\"} 2"), t)
            XCTAssertTrue(t.contains("taskmap_complaints 12"))
            // Renders and analytics ran on the work pool, once each (the cache hit did not).
            XCTAssertTrue(t.contains("# TYPE taskmap_work_queue_seconds histogram"), t)
            XCTAssertTrue(t.contains("taskmap_work_seconds_count{kind=\"tile\"} 2\n"), t)
            // The fixture's tile source keeps no caches (the renderer's figure is tested in RendererTests).
            XCTAssertTrue(t.contains("taskmap_render_cache_bytes 0\n"), t)
            XCTAssertTrue(t.contains("taskmap_work_queue_seconds_count{kind=\"needs\"} 1\n"), t)
            XCTAssertTrue(t.contains("taskmap_work_seconds_bucket{kind=\"tile\",le=\"+Inf\"} 2\n"), t)
            // Every sample line is "name{labels} value" or "name value".
            for line in t.split(separator: "\n") where !line.hasPrefix("#") {
                XCTAssertNotNil(Double(line.split(separator: " ").last ?? ""), String(line))
            }
        }
    }

    func testStaticLeafletAndPathTraversal() async throws {
        let f = try ServerFixture()
        defer { f.remove() }
        try await f.app().test(.router) { client in
            let js = try await client.get("/static/leaflet/leaflet.js")
            XCTAssertEqual(js.status, .ok)
            XCTAssertEqual(js.headers[.contentType], "text/javascript; charset=utf-8")
            XCTAssertGreaterThan(js.body.readableBytes, 100_000)
            let etag = try XCTUnwrap(js.headers[.eTag])
            let r3 = try await client.get("/static/leaflet/leaflet.js", headers: [.ifNoneMatch: etag])
            XCTAssertEqual(r3.status, .notModified)
            let r4 = try await client.get("/static/leaflet/images/marker-icon.png")
            XCTAssertEqual(r4.headers[.contentType], "image/png")
            let r5 = try await client.get("/static/leaflet/leaflet.css")
            XCTAssertEqual(r5.status, .ok)
            for bad in ["/static/leaflet/../../../etc/passwd", "/static/leaflet/%2e%2e/%2e%2e/etc/passwd", "/static/leaflet/images/../../../../etc/hostname",
                        "/static/leaflet/.hidden", "/static/leaflet/nope.js", "/static/leaflet/images", "/static/leaflet/a%2Fb"] {
                let r = try await client.get(bad)
                XCTAssertEqual(r.status, .notFound, bad)
                XCTAssertFalse(r.text.contains("root:"), bad)
            }
        }
    }
}
