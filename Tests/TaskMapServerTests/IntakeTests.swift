import Foundation
import GeoIndex
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import XCTest
@testable import TaskMapServer

final class IntakeTests: XCTestCase {
    func testHealthzAndUnknownRoute() async throws {
        let f = try ServerFixture()
        defer { f.remove() }
        try await f.app().test(.router) { client in
            let r = try await client.get("/healthz")
            XCTAssertEqual(r.status, .ok)
            let o = try r.object()
            XCTAssertEqual(o["status"] as? String, "ok")
            XCTAssertEqual(o["complaints"] as? Int, 12)
            assertError(try await client.get("/no/such/path"), .notFound)
            assertError(try await client.execute(uri: "/healthz", method: .delete), .notFound)
        }
    }

    func testCreateAnswers201WithAddressAndLocation() async throws {
        let f = try ServerFixture()
        defer { f.remove() }
        try await f.app().test(.router) { client in
            let p = ServerFixture.gulSokak1
            let r = try await client.postJSON("/api/complaints", #"{"lon":\#(p.lon),"lat":\#(p.lat),"category":"yol","channel":"153","type":"talep"}"#, key: f.key)
            XCTAssertEqual(r.status, .created, r.text)
            let o = try r.object()
            let id = try XCTUnwrap(o["id"] as? Int)
            XCTAssertEqual(r.headers[.location], "/api/complaints/\(id)")
            XCTAssertEqual((o["mahalle"] as? [String: Any])?["name"] as? String, "Şehitler")
            XCTAssertEqual(o["street"] as? String, "Gül Sokak")
            XCTAssertEqual(o["door"] as? String, "1")
            XCTAssertEqual(o["district"] as? String, "Kuzeykent")
            XCTAssertEqual(o["status"] as? String, "open")
            XCTAssertEqual(o["channel"] as? String, "phone")
            XCTAssertEqual(o["type"] as? String, "talep")
            XCTAssertEqual(o["created"] as? Bool, true)
            XCTAssertEqual((o["possible_duplicates"] as? [Any])?.count, 0)
            // Stored, with a history entry.
            let state = try XCTUnwrap(try f.store.workflowState(id: Int64(id)))
            XCTAssertEqual(state.history.count, 1)
            XCTAssertEqual(state.history[0].to, .open)
            XCTAssertEqual(state.history[0].actor, "test")
        }
    }

    func testAPIKeyRequired() async throws {
        let f = try ServerFixture()
        defer { f.remove() }
        try await f.app().test(.router) { client in
            let body = #"{"lon":36.92,"lat":37.57,"category":"yol"}"#
            let missing = try await client.postJSON("/api/complaints", body, key: nil)
            assertError(missing, .unauthorized, field: "api_key")
            XCTAssertEqual(missing.headers[.wwwAuthenticate], "X-API-Key")
            assertError(try await client.postJSON("/api/complaints", body, key: "tmk_not-a-key"), .forbidden, field: "api_key")
            assertError(try await client.postJSON("/api/complaints", body, key: f.revokedKey), .forbidden, field: "api_key")
            XCTAssertEqual(try f.store.complaintCount(), 12)
        }
    }

    func testBadInputIs4xxNamingTheField() async throws {
        let f = try ServerFixture()
        defer { f.remove() }
        try await f.app().test(.router) { client in
            let cases: [(String, HTTPResponse.Status, String?)] = [
                ("", .badRequest, nil),
                ("not json", .badRequest, nil),
                ("[1,2]", .badRequest, nil),
                (#"{"lat":37.57,"category":"yol"}"#, .badRequest, "lon"),
                (#"{"lon":36.92,"category":"yol"}"#, .badRequest, "lat"),
                (#"{"lon":"36.92","lat":37.57,"category":"yol"}"#, .badRequest, "lon"),
                (#"{"lon":true,"lat":37.57,"category":"yol"}"#, .badRequest, "lon"),
                (#"{"lon":200,"lat":37.57,"category":"yol"}"#, .badRequest, "lon"),
                (#"{"lon":36.92,"lat":-95,"category":"yol"}"#, .badRequest, "lat"),
                (#"{"lon":0,"lat":0,"category":"yol"}"#, .badRequest, "lon"),
                (#"{"lon":36.92,"lat":37.57}"#, .badRequest, "category"),
                (#"{"lon":36.92,"lat":37.57,"category":"nope"}"#, .badRequest, "category"),
                (#"{"lon":36.92,"lat":37.57,"category":"yol","channel":"pigeon"}"#, .badRequest, "channel"),
                (#"{"lon":36.92,"lat":37.57,"category":"yol","type":"x"}"#, .badRequest, "type"),
                (#"{"lon":36.92,"lat":37.57,"category":"yol","status":"closed"}"#, .badRequest, "status"),
                (#"{"lon":36.92,"lat":37.57,"category":"yol","created_at":"yesterday"}"#, .badRequest, "created_at"),
                (#"{"lon":36.92,"lat":37.57,"category":"yol","created_at":"2999-01-01T00:00:00Z"}"#, .badRequest, "created_at"),
                (#"{"lon":36.92,"lat":37.57,"category":"yol","media_urls":["file:///etc/passwd"]}"#, .badRequest, "media_urls"),
                (#"{"lon":36.92,"lat":37.57,"category":"yol","media_urls":"x"}"#, .badRequest, "media_urls"),
                (#"{"lon":36.92,"lat":37.57,"category":"yol","contact_email":"nobody"}"#, .badRequest, "contact_email"),
                (#"{"lon":36.92,"lat":37.57,"category":"yol","categroy":"yol"}"#, .badRequest, "categroy"),
                (#"{"lon":36.92,"lat":37.57,"category":"yol","description":"\#(String(repeating: "x", count: 4001))"}"#, .badRequest, "description"),
            ]
            for (body, status, field) in cases {
                let r = try await client.postJSON("/api/complaints", body, key: f.key)
                assertError(r, status, field: field)
            }
            let wrongType = try await client.execute(uri: "/api/complaints", method: .post,
                                                     headers: [.contentType: "text/plain", .xAPIKey: f.key], body: ByteBuffer(string: "{}"))
            assertError(wrongType, .unsupportedMediaType)
            let big = #"{"lon":36.92,"lat":37.57,"category":"yol","description":"\#(String(repeating: "x", count: 70_000))"}"#
            assertError(try await client.postJSON("/api/complaints", big, key: f.key), .contentTooLarge)
            XCTAssertEqual(try f.store.complaintCount(), 12, "no bad request stored anything")
        }
    }

    func testExternalRefAndIdempotencyKeyReturnTheEarlierComplaint() async throws {
        let f = try ServerFixture()
        defer { f.remove() }
        try await f.app().test(.router) { client in
            let body = #"{"lon":36.93,"lat":37.58,"category":"yol","external_ref":"CRM-1"}"#
            let first = try await client.postJSON("/api/complaints", body, key: f.key)
            XCTAssertEqual(first.status, .created)
            let again = try await client.postJSON("/api/complaints", body, key: f.key)
            XCTAssertEqual(again.status, .ok)
            XCTAssertEqual(try again.object()["id"] as? Int, try first.object()["id"] as? Int)
            XCTAssertEqual(try again.object()["created"] as? Bool, false)

            let plain = #"{"lon":36.96,"lat":37.58,"category":"park"}"#
            let a = try await client.postJSON("/api/complaints", plain, key: f.key, extra: [.xIdempotencyKey: "retry-7"])
            let b = try await client.postJSON("/api/complaints", plain, key: f.key, extra: [.xIdempotencyKey: "retry-7"])
            XCTAssertEqual(a.status, .created)
            XCTAssertEqual(b.status, .ok)
            XCTAssertEqual(try a.object()["id"] as? Int, try b.object()["id"] as? Int)
            let c = try await client.postJSON("/api/complaints", plain, key: f.key, extra: [.xIdempotencyKey: "retry-8"])
            XCTAssertEqual(c.status, .created)
            assertError(try await client.postJSON("/api/complaints", plain, key: f.key,
                                                  extra: [.xIdempotencyKey: String(repeating: "k", count: 201)]), .badRequest, field: "Idempotency-Key")
            XCTAssertEqual(try f.store.complaintCount(), 15)
        }
    }

    func testPossibleDuplicates() async throws {
        let f = try ServerFixture(complaints: 0)
        defer { f.remove() }
        try await f.app().test(.router) { client in
            let first = try await client.postJSON("/api/complaints", #"{"lon":36.9300,"lat":37.5800,"category":"yol"}"#, key: f.key)
            let firstID = try XCTUnwrap(try first.object()["id"] as? Int)
            // ~22 m north: same category → a possible duplicate; another category → not.
            let near = try await client.postJSON("/api/complaints", #"{"lon":36.9300,"lat":37.5802,"category":"yol"}"#, key: f.key)
            let dups = try XCTUnwrap(try near.object()["possible_duplicates"] as? [[String: Any]])
            XCTAssertEqual(dups.map { $0["id"] as? Int }, [firstID])
            let d = try XCTUnwrap(dups.first?["distance_m"] as? Double)
            XCTAssertEqual(d, 22.2, accuracy: 0.5)
            let other = try await client.postJSON("/api/complaints", #"{"lon":36.9300,"lat":37.5802,"category":"park"}"#, key: f.key)
            XCTAssertEqual((try other.object()["possible_duplicates"] as? [Any])?.count, 0)
            // ~89 m away: outside the 50 m radius.
            let far = try await client.postJSON("/api/complaints", #"{"lon":36.9300,"lat":37.5808,"category":"yol"}"#, key: f.key)
            XCTAssertEqual((try far.object()["possible_duplicates"] as? [[String: Any]])?.count, 0)
            // Older than 30 days: not listed; a closed one: not listed.
            let old = try await client.postJSON("/api/complaints", #"{"lon":36.94,"lat":37.59,"category":"su","created_at":"2020-01-01T10:00:00Z"}"#, key: f.key)
            XCTAssertEqual(old.status, .created)
            let fresh = try await client.postJSON("/api/complaints", #"{"lon":36.94,"lat":37.59,"category":"su"}"#, key: f.key)
            XCTAssertEqual((try fresh.object()["possible_duplicates"] as? [Any])?.count, 0)
        }
    }
}
