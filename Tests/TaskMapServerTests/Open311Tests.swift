import Foundation
import GeoIndex
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import XCTest
@testable import TaskMapServer

final class Open311Tests: XCTestCase {
    /// Asserts the GeoReport v2 error format: `[{"code": 400, "description": "..."}]`.
    func assertOpen311Error(_ r: TestResponse, _ status: HTTPResponse.Status, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.status, status, r.text, file: file, line: line)
        let list = (try? r.json()) as? [[String: Any]]
        XCTAssertEqual(list?.count, 1, r.text, file: file, line: line)
        XCTAssertEqual(list?.first?["code"] as? Int, Int(status.code), file: file, line: line)
        XCTAssertNotNil(list?.first?["description"] as? String, file: file, line: line)
    }

    func form(_ fields: [String: String]) -> ByteBuffer {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return ByteBuffer(string: fields.sorted { $0.key < $1.key }.map {
            "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed)!)"
        }.joined(separator: "&"))
    }

    func testServices() async throws {
        let f = try ServerFixture()
        defer { f.remove() }
        try await f.app().test(.router) { client in
            let json = try await client.get("/open311/v2/services.json")
            XCTAssertEqual(json.status, .ok)
            let list = try XCTUnwrap(try json.json() as? [[String: Any]])
            XCTAssertEqual(list.count, Category.defaults.count)
            let yol = try XCTUnwrap(list.first { $0["service_code"] as? String == "yol" })
            XCTAssertEqual(yol["metadata"] as? Bool, false)
            XCTAssertEqual(yol["type"] as? String, "realtime")
            XCTAssertNotNil(yol["service_name"] as? String)
            XCTAssertNotNil(yol["group"] as? String)

            let xml = try await client.get("/open311/v2/services.xml")
            XCTAssertEqual(xml.headers[.contentType], "text/xml; charset=utf-8")
            XCTAssertTrue(xml.text.hasPrefix("<?xml"))
            XCTAssertTrue(xml.text.contains("<service><service_code>yol</service_code>"))
            XCTAssertEqual(xml.text.components(separatedBy: "<service>").count - 1, Category.defaults.count)

            let def = try await client.get("/open311/v2/services/yol.json")
            XCTAssertEqual(try def.object()["service_code"] as? String, "yol")
            XCTAssertEqual((try def.object()["attributes"] as? [Any])?.count, 0)
            let r1 = try await client.get("/open311/v2/services/yol.xml")
            XCTAssertTrue(r1.text.contains("<service_definition><service_code>yol</service_code>"))
            assertOpen311Error(try await client.get("/open311/v2/services/nope.json"), .notFound)
            let xmlError = try await client.get("/open311/v2/services/nope.xml")
            XCTAssertEqual(xmlError.status, .notFound)
            XCTAssertTrue(xmlError.text.contains("<errors><error><code>404</code><description>"), xmlError.text)
            assertOpen311Error(try await client.get("/open311/v2/nothing.json"), .notFound)
            // Discovery in both formats, with the endpoint's absolute URL (clients join paths to it).
            let r2 = try await client.get("/open311/v2/discovery.json")
            XCTAssertEqual(r2.status, .ok)
            let endpoints = try XCTUnwrap(try r2.object()["endpoints"] as? [[String: Any]])
            let url = try XCTUnwrap(endpoints.first?["url"] as? String)
            XCTAssertTrue(url.hasPrefix("http://") && url.hasSuffix("/open311/v2/") && URL(string: url)?.host != nil, url)
            let proxied = try await client.get("/open311/v2/discovery.xml", headers: [HTTPField.Name("Host")!: "127.0.0.1:8080",
                                                                                      HTTPField.Name("X-Forwarded-Proto")!: "https",
                                                                                      HTTPField.Name("X-Forwarded-Host")!: "sikayet.izmir.bel.tr"])
            XCTAssertEqual(proxied.status, .ok)
            XCTAssertTrue(proxied.text.contains("<url>https://sikayet.izmir.bel.tr/open311/v2/</url>"), proxied.text)
            XCTAssertTrue(proxied.text.hasPrefix("<?xml") && proxied.text.contains("<format>text/xml</format>"), proxied.text)
        }
    }

    /// An imported closed request with a closing time and no update time shows the closing time as its update
    /// (the `georeport` client showed such requests as never updated).
    func testUpdatedDatetimeIncludesTheClosingTime() async throws {
        let f = try ServerFixture(complaints: 0)
        defer { f.remove() }
        let created = Date(timeIntervalSince1970: 1_709_625_600), closed = created.addingTimeInterval(3 * 86_400)
        let id = try f.store.insert(NewComplaint(location: ServerFixture.gulSokak1, category: "yol", channel: .phone, status: .closed,
                                                 createdAt: created, resolvedAt: closed)).id
        try await f.app().test(.router) { client in
            let answer = try await client.get("/open311/v2/requests/\(id).json")
            let r = try XCTUnwrap((try answer.json() as? [[String: Any]])?.first)
            XCTAssertEqual(r["requested_datetime"] as? String, Timestamp.format(created))
            XCTAssertEqual(r["updated_datetime"] as? String, Timestamp.format(closed))
            XCTAssertEqual(r["status"] as? String, "closed")
            // The `georeport` client's dates: str(datetime), "2024-03-01 00:00:00" (its space form-encoded as "+").
            let listed = try await client.get("/open311/v2/requests.json?start_date=2024-03-01+00%3A00%3A00&end_date=2024-03-31+00%3A00%3A00")
            XCTAssertEqual(listed.status, .ok, listed.text)
            XCTAssertEqual((try listed.json() as? [[String: Any]])?.compactMap { $0["service_request_id"] as? String }, [String(id)])
        }
    }

    func testPostAndGetRequests() async throws {
        let f = try ServerFixture()
        defer { f.remove() }
        try await f.app().test(.router) { client in
            let formHeaders: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
            let fields = ["api_key": f.key, "service_code": "yol", "lat": "37.5705", "long": "36.9205",
                          "first_name": "Ayşe", "last_name": "Yılmaz", "phone": "+90 555 000 11 22", "email": "ayse@example.org",
                          "description": "Kaldırımda derin çukur", "media_url": "https://example.org/p.jpg"]
            let posted = try await client.execute(uri: "/open311/v2/requests.json", method: .post, headers: formHeaders, body: form(fields))
            XCTAssertEqual(posted.status, .created, posted.text)
            let answer = try XCTUnwrap(try posted.json() as? [[String: Any]])
            let id = try XCTUnwrap(answer.first?["service_request_id"] as? String)
            XCTAssertTrue(answer.first?["account_id"] is NSNull)

            let one = try await client.get("/open311/v2/requests/\(id).json")
            let r = try XCTUnwrap((try one.json() as? [[String: Any]])?.first)
            XCTAssertEqual(r["service_request_id"] as? String, id)
            XCTAssertEqual(r["status"] as? String, "open")
            XCTAssertEqual(r["service_code"] as? String, "yol")
            XCTAssertEqual(r["address"] as? String, "Gül Sokak No:1, Şehitler, Kuzeykent")
            XCTAssertEqual(r["lat"] as? Double ?? 0, 37.5705, accuracy: 1e-9)
            XCTAssertEqual(r["long"] as? Double ?? 0, 36.9205, accuracy: 1e-9)
            XCTAssertTrue(r["media_url"] is NSNull, "photos are for staff (the work screen), not the public")
            XCTAssertEqual(try f.store.complaint(id: Int64(id)!)?.fields.mediaURLs, ["https://example.org/p.jpg"], "kept for staff")
            XCTAssertTrue(r["expected_datetime"] is NSNull)
            XCTAssertTrue(r["description"] is NSNull, "the description is personal: always written as null")
            XCTAssertEqual(r["updated_datetime"] as? String, r["requested_datetime"] as? String, "not changed since created")
            let oneXML = try await client.get("/open311/v2/requests/\(id).xml")
            XCTAssertTrue(oneXML.text.contains("<service_requests><request><service_request_id>\(id)</service_request_id>"), oneXML.text)
            XCTAssertTrue(oneXML.text.contains("<expected_datetime/>"))
            XCTAssertTrue(oneXML.text.contains("<description/>"))
            XCTAssertFalse(oneXML.text.contains("Ayşe"))

            // The stored complaint has the personal fields (for staff) and the web channel.
            let stored = try XCTUnwrap(try f.store.complaint(id: Int64(id)!))
            XCTAssertEqual(stored.fields.contactName, "Ayşe Yılmaz")
            XCTAssertEqual(stored.fields.contactEmail, "ayse@example.org")
            XCTAssertEqual(stored.fields.channel, .web)

            // GET requests: default last 90 days → the new one and the 12 seeded ones, newest first.
            let listResponse = try await client.get("/open311/v2/requests.json")

            let list = try XCTUnwrap(try listResponse.json() as? [[String: Any]])
            XCTAssertEqual(list.count, 13)
            XCTAssertEqual(list.first?["service_request_id"] as? String, id)
            let byIDResponse = try await client.get("/open311/v2/requests.json?service_request_id=1,2,\(id)&status=closed")
            let byID = try XCTUnwrap(try byIDResponse.json() as? [[String: Any]])
            XCTAssertEqual(byID.count, 3, "service_request_id ignores the other filters")
            let byCodeResponse = try await client.get("/open311/v2/requests.json?service_code=park,su")
            let byCode = try XCTUnwrap(try byCodeResponse.json() as? [[String: Any]])
            XCTAssertEqual(byCode.count, 6)
            let closed = try await client.get("/open311/v2/requests.json?status=closed").json() as? [[String: Any]]
            XCTAssertEqual(closed?.count, 0)
            let start = Timestamp.format(Date().addingTimeInterval(-3.5 * 86_400))
            let recentResponse = try await client.get("/open311/v2/requests.json?start_date=\(start)")
            let recent = try XCTUnwrap(try recentResponse.json() as? [[String: Any]])
            XCTAssertEqual(recent.count, 4)  // seeded 1, 2 and 3 days ago + the new one
            let xmlList = try await client.get("/open311/v2/requests.xml?service_code=yol")
            XCTAssertEqual(xmlList.text.components(separatedBy: "<request>").count - 1, 1)

            // Errors in the spec's format.
            assertOpen311Error(try await client.get("/open311/v2/requests.json?start_date=yesterday"), .badRequest)
            assertOpen311Error(try await client.get("/open311/v2/requests.json?start_date=2024-01-01&end_date=2024-06-01"), .badRequest)
            assertOpen311Error(try await client.get("/open311/v2/requests.json?status=pending"), .badRequest)
            assertOpen311Error(try await client.get("/open311/v2/requests.json?service_code=nope"), .badRequest)
            assertOpen311Error(try await client.get("/open311/v2/requests.json?service_request_id=x"), .badRequest)
            assertOpen311Error(try await client.get("/open311/v2/requests/999999.json"), .notFound)
            assertOpen311Error(try await client.get("/open311/v2/requests/abc.json"), .badRequest)
            var noKey = fields
            noKey["api_key"] = nil
            assertOpen311Error(try await client.execute(uri: "/open311/v2/requests.json", method: .post, headers: formHeaders, body: form(noKey)), .unauthorized)
            var badKey = fields
            badKey["api_key"] = "wrong"
            assertOpen311Error(try await client.execute(uri: "/open311/v2/requests.json", method: .post, headers: formHeaders, body: form(badKey)), .forbidden)
            var noPlace = fields
            noPlace["lat"] = nil
            noPlace["long"] = nil
            noPlace["address_string"] = "Menekşe Sokak 1"  // not a street of this store (address_string alone is geocoded)
            assertOpen311Error(try await client.execute(uri: "/open311/v2/requests.json", method: .post, headers: formHeaders, body: form(noPlace)), .unprocessableContent)
            noPlace["address_string"] = nil
            assertOpen311Error(try await client.execute(uri: "/open311/v2/requests.json", method: .post, headers: formHeaders, body: form(noPlace)), .badRequest)
            var badCode = fields
            badCode["service_code"] = "nope"
            assertOpen311Error(try await client.execute(uri: "/open311/v2/requests.json", method: .post, headers: formHeaders, body: form(badCode)), .badRequest)
            var badLat = fields
            badLat["lat"] = "north"
            assertOpen311Error(try await client.execute(uri: "/open311/v2/requests.json", method: .post, headers: formHeaders, body: form(badLat)), .badRequest)
            let asJSON = try await client.execute(uri: "/open311/v2/requests.json", method: .post, headers: [.contentType: "application/json"],
                                                  body: ByteBuffer(string: "{}"))
            assertOpen311Error(asJSON, .unsupportedMediaType)
            let xmlPost = try await client.execute(uri: "/open311/v2/requests.xml", method: .post, headers: formHeaders, body: form(fields))
            XCTAssertEqual(xmlPost.status, .created)
            XCTAssertTrue(xmlPost.text.contains("<service_request_id>"))
        }
    }
}
