import Foundation
import GeoIndex
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import XCTest

/// Intake without coordinates: an address typed by the operator is geocoded from the store's parcels and mahalle
/// (JSON `address`, Open311 `address_string`, `GET /api/geocode`); ambiguous or unknown addresses are a 422 that
/// says why.
final class GeocodeAPITests: XCTestCase {
    func testAddressOnlyIntakeAndTheAddressBox() async throws {
        let f = try ServerFixture(complaints: 0)
        defer { f.remove() }
        try await f.app().test(.router) { client in
            let box = try await client.get("/api/geocode?q=G%C3%BCl+Sk.+No%3A3")
            XCTAssertEqual(box.status, .ok, box.text)
            let c = try XCTUnwrap((try box.object()["candidates"] as? [[String: Any]])?.first)
            XCTAssertEqual(c["precision"] as? String, "door")
            XCTAssertEqual(c["street"] as? String, "Gül Sokak")
            XCTAssertEqual(c["door"] as? String, "3")
            XCTAssertEqual(try box.object()["query"] as? String, "Gül Sk. No:3")
            assertError(try await client.get("/api/geocode"), .badRequest, field: "q")

            // JSON intake with an address only: stored at the parcel, with its street, door and mahalle.
            let created = try await client.postJSON("/api/complaints", #"{"address":"GÜL SOKAK NO:1 Şehitler Mah.","category":"yol","channel":"phone"}"#, key: f.key)
            XCTAssertEqual(created.status, .created, created.text)
            let id = try XCTUnwrap(try created.object()["id"] as? Int)
            let stored = try XCTUnwrap(f.store.complaint(id: Int64(id)))
            XCTAssertEqual(stored.address.street, "Gül Sokak")
            XCTAssertEqual(stored.address.doorNumber, "1")
            XCTAssertEqual(stored.address.mahalleName, "Şehitler")
            // A mahalle alone: inside it.
            let m = try await client.postJSON("/api/complaints", #"{"address":"Ulubahçe Mh.","category":"yol"}"#, key: f.key)
            XCTAssertEqual(m.status, .created, m.text)
            XCTAssertEqual(try f.store.complaint(id: Int64(try XCTUnwrap(try m.object()["id"] as? Int)))?.address.mahalleName, "Ulubahçe")
            // Unknown: 422 naming the field; neither coordinates nor address: 400 for lon.
            assertError(try await client.postJSON("/api/complaints", #"{"address":"Menekşe Sokak No:9","category":"yol"}"#, key: f.key),
                        .unprocessableContent, field: "address")
            assertError(try await client.postJSON("/api/complaints", #"{"category":"yol"}"#, key: f.key), .badRequest, field: "lon")

            // Open311 with address_string only.
            var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
            headers[.xAPIKey] = f.key
            let form = "api_key=\(f.key)&service_code=yol&address_string=G%C3%BCl+Sokak+No%3A3"
            let o = try await client.execute(uri: "/open311/v2/requests.json", method: .post, headers: headers, body: ByteBuffer(string: form))
            XCTAssertTrue([.ok, .created].contains(o.status), o.text)
            let rid = try XCTUnwrap((try o.json() as? [[String: Any]])?.first?["service_request_id"] as? String)
            XCTAssertEqual(try f.store.complaint(id: Int64(rid)!)?.address.doorNumber, "3")
        }
    }
}
