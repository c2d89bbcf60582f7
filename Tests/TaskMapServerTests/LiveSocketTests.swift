import Foundation
import GeoIndex
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import XCTest
@testable import TaskMapServer

/// What only a real socket shows: Content-Length, empty 304 bodies, Date/Server, CORS, HEAD.
final class LiveSocketTests: XCTestCase {
    func testHeadersOverARealSocket() async throws {
        let f = try ServerFixture()
        defer { f.remove() }
        try await f.app().test(.live) { client in
            let health = try await client.get("/healthz")
            XCTAssertEqual(health.status, .ok)
            XCTAssertEqual(health.headers[.contentLength], String(health.body.readableBytes))
            XCTAssertNotNil(health.headers[.date])
            XCTAssertEqual(health.headers[.server], "taskmap")

            let t = TileTests.tile(LonLat(lon: 36.905, lat: 37.555), z: 14)
            let uri = "/tiles/pins/14/\(t.x)/\(t.y).png"
            let tile = try await client.get(uri, headers: [.origin: "http://viewer.example"])
            XCTAssertEqual(tile.status, .ok)
            XCTAssertEqual(tile.headers[.contentType], "image/png")
            XCTAssertEqual(tile.headers[.contentLength], String(tile.body.readableBytes))
            XCTAssertEqual(tile.headers[.accessControlAllowOrigin], "*")
            let etag = try XCTUnwrap(tile.headers[.eTag])

            let notModified = try await client.get(uri, headers: [.ifNoneMatch: etag, .origin: "http://viewer.example"])
            XCTAssertEqual(notModified.status, .notModified)
            XCTAssertEqual(notModified.body.readableBytes, 0)
            XCTAssertEqual(notModified.headers[.eTag], etag)
            XCTAssertEqual(notModified.headers[.cacheControl], "public, max-age=30")
            XCTAssertNotEqual(notModified.headers[.contentLength].flatMap(Int.init) ?? 0, tile.body.readableBytes,
                              "a 304 carries no body")

            let head = try await client.execute(uri: uri, method: .head)
            XCTAssertEqual(head.status, .ok)
            XCTAssertEqual(head.body.readableBytes, 0)
            XCTAssertEqual(head.headers[.eTag], etag)

            let preflight = try await client.execute(uri: "/api/complaints", method: .options, headers: [
                .origin: "http://viewer.example", .accessControlRequestMethod: "POST"])
            XCTAssertEqual(preflight.status, .noContent)
            XCTAssertTrue(preflight.headers[.accessControlAllowHeaders]?.lowercased().contains("x-api-key") ?? false)
            XCTAssertTrue(preflight.headers[.accessControlAllowMethods]?.contains("PATCH") ?? false)

            let error = try await client.get("/api/complaints?bbox=1,2")
            XCTAssertEqual(error.status, .badRequest)
            XCTAssertEqual(error.headers[.contentLength], String(error.body.readableBytes))
            XCTAssertEqual(try error.object()["field"] as? String, "bbox")

            // A body over the limit is refused with 413 (declared length checked before reading).
            let big = ByteBuffer(string: String(repeating: "x", count: 100_000))
            let tooBig = try await client.execute(uri: "/api/complaints", method: .post,
                                                  headers: [.contentType: "application/json", .xAPIKey: f.key], body: big)
            XCTAssertEqual(tooBig.status, .contentTooLarge)
        }
    }
}
