import Foundation
import GeoIndex
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import XCTest
@testable import TaskMapServer

/// `/api/needs` and `/api/hotspots`: the analytics over HTTP, and their errors.
final class NeedsEndpointTests: XCTestCase {
    func testNeedsAndHotspotsAnswerAndRefuseBadInput() async throws {
        let f = try ServerFixture(complaints: 24)
        defer { f.remove() }
        let month = String(Timestamp.format(Date()).prefix(7))
        try await f.app().test(.router) { client in
            let all = try await client.get("/api/needs?month=\(month)")
            XCTAssertEqual(all.status, .ok)
            let obj = try all.object()
            let totals = try XCTUnwrap(obj["totals"] as? [String: Any])
            XCTAssertNotNil(totals["complaints"] as? Int)
            XCTAssertNotNil(obj["ranking"] as? [Any])
            XCTAssertFalse(all.text.contains("NaN"))
            // One mahalle, by code: only its rows.
            let one = try await client.get("/api/needs?month=\(month)&mahalle=K-01")
            XCTAssertEqual(one.status, .ok)
            let rows = try XCTUnwrap(try one.object()["rows"] as? [[String: Any]])
            XCTAssertFalse(rows.isEmpty)
            XCTAssertTrue(rows.allSatisfy { ($0["mahalle"] as? String) == "Şehitler" })
            // Zero population (Çınarlı): rates are null, never NaN.
            let zero = try await client.get("/api/needs?month=\(month)&mahalle=G-02")
            XCTAssertEqual(zero.status, .ok)
            XCTAssertFalse(zero.text.contains("NaN"))

            assertError(try await client.get("/api/needs?month=2024-13"), .badRequest, field: "month")
            assertError(try await client.get("/api/needs?district=Atlantis"), .badRequest, field: "district")
            assertError(try await client.get("/api/needs?mahalle=nowhere"), .badRequest, field: "mahalle")

            let hs = try await client.get("/api/hotspots?month=\(month)")
            XCTAssertEqual(hs.status, .ok)
            let geo = try await client.get("/api/hotspots?month=\(month)&format=geojson")
            XCTAssertEqual(geo.status, .ok)
            XCTAssertEqual(geo.headers[.contentType], "application/geo+json; charset=utf-8")
            XCTAssertEqual(try geo.object()["type"] as? String, "FeatureCollection")
            let grid = try await client.get("/api/hotspots?month=\(month)&grid=500")
            XCTAssertEqual(grid.status, .ok)
            assertError(try await client.get("/api/hotspots?grid=1"), .badRequest, field: "grid")
            assertError(try await client.get("/api/hotspots?category=uzay"), .badRequest, field: "category")
            assertError(try await client.get("/api/hotspots?format=xml"), .badRequest, field: "format")
        }
    }
}
