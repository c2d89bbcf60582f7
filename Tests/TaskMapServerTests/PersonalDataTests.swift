import Foundation
import GeoIndex
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import XCTest
@testable import TaskMapServer

/// Contact name, phone, e-mail and the description are kept for staff but never appear in any public answer:
/// JSON, GeoJSON, XML, SSE — including the answers to the POSTs that carried them.
final class PersonalDataTests: XCTestCase {
    func testPersonalFieldsNeverLeave() async throws {
        let f = try ServerFixture()
        defer { f.remove() }
        let secrets = ["Zeynep Kılınçarslan", "905321234567", "zeynep.k@posta.example", "Kapının önünde UNIQUE-DESC-7731 var",
                       "Mehmet Özdemirci", "905559876543", "mehmet.o@posta.example", "OPEN311-DESC-4410 açıklaması"]
        try await f.app().test(.router) { client in
            var bodies: [String] = []
            let p = ServerFixture.gulSokak1
            let created = try await client.postJSON("/api/complaints", """
                {"lon":\(p.lon),"lat":\(p.lat),"category":"yol","contact_name":"\(secrets[0])","contact_phone":"\(secrets[1])",
                 "contact_email":"\(secrets[2])","description":"\(secrets[3])","external_ref":"PD-1"}
                """, key: f.key)
            XCTAssertEqual(created.status, .created)
            bodies.append(created.text)
            let id = try XCTUnwrap(try created.object()["id"] as? Int)
            // The store has them (for staff).
            let stored = try XCTUnwrap(try f.store.complaint(id: Int64(id)))
            XCTAssertEqual(stored.fields.contactName, secrets[0])
            XCTAssertEqual(stored.fields.description, secrets[3])

            let form = "api_key=\(f.key)&service_code=park&lat=37.58&long=36.96&first_name=Mehmet&last_name=%C3%96zdemirci"
                + "&phone=\(secrets[5])&email=mehmet.o%40posta.example&description=OPEN311-DESC-4410%20a%C3%A7%C4%B1klamas%C4%B1"
            let o311 = try await client.execute(uri: "/open311/v2/requests.json", method: .post,
                                                headers: [.contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: form))
            XCTAssertEqual(o311.status, .created, o311.text)
            bodies.append(o311.text)
            let id2 = try XCTUnwrap((try o311.json() as? [[String: Any]])?.first?["service_request_id"] as? String)
            XCTAssertEqual(try f.store.complaint(id: Int64(id2)!)?.fields.contactName, secrets[4])

            // Repeat (idempotent replay) and work flow.
            bodies.append(try await client.postJSON("/api/complaints", """
                {"lon":\(p.lon),"lat":\(p.lat),"category":"yol","contact_name":"\(secrets[0])","external_ref":"PD-1"}
                """, key: f.key).text)
            bodies.append(try await client.patchJSON("/api/complaints/\(id)", #"{"status":"assigned","note":"aradı: \#(secrets[1])"}"#, key: f.key).text)

            for uri in ["/api/complaints/\(id)", "/api/complaints/\(id2)", "/api/complaints", "/api/complaints?bbox=36.9,37.5,37.0,37.7&limit=5000",
                        "/api/mahalle", "/api/meta", "/open311/v2/requests.json", "/open311/v2/requests.xml",
                        "/open311/v2/requests/\(id).json", "/open311/v2/requests/\(id).xml", "/open311/v2/requests/\(id2).json",
                        "/open311/v2/requests.json?service_request_id=\(id),\(id2)", "/api/events?last_event_id=0&limit=3",
                        "/tiles/pins.json", "/metrics"] {
                let r = try await client.get(uri)
                XCTAssertEqual(r.status, .ok, uri)
                bodies.append(r.text)
            }
            XCTAssertEqual(bodies.count, 19)
            for body in bodies {
                for s in secrets { XCTAssertFalse(body.contains(s), "personal value '\(s)' in a public answer: \(body.prefix(300))") }
                for key in ["contact_name", "contact_phone", "contact_email", "\"description\":\"Kap", "first_name", "\"note\""] {
                    XCTAssertFalse(body.contains(key), "field \(key) in a public answer")
                }
            }
        }
    }
}
