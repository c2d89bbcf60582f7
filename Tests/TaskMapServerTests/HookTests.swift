import Crypto
import Foundation
import GeoIndex
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import XCTest
@testable import TaskMapServer

/// Webhooks end to end: outbox rows written with the change, deliveries signed (checked here with swift-crypto's
/// HMAC, as a receiver would), retried while the receiver answers 503, then every event arrives exactly once and
/// in order per complaint; department and event filters; redirects not followed.
final class HookTests: XCTestCase {
    /// A receiver on loopback: records what it accepts; answers 503 while `down`.
    actor Receiver {
        struct Item { var path: String; var delivery: String; var event: String; var signature: String; var body: String }
        var accepted: [Item] = []
        var refused = 0
        var down = true
        func set(down: Bool) { self.down = down }
        func take(_ item: Item) -> Bool {
            if down { refused += 1; return false }
            accepted.append(item)
            return true
        }
    }

    static func receiverApp(_ r: Receiver) -> some ApplicationProtocol {
        let router = Router()
        for path in ["hook", "park"] {
            router.post(RouterPath(stringLiteral: path)) { request, _ -> Response in
                let body = try await request.body.collect(upTo: 1 << 20)
                func h(_ n: String) -> String { request.headers[HTTPField.Name(n)!] ?? "" }
                let ok = await r.take(.init(path: path, delivery: h("X-Taskmap-Delivery"), event: h("X-Taskmap-Event"),
                                            signature: h("X-Taskmap-Signature"), body: String(buffer: body)))
                return Response(status: ok ? .ok : .serviceUnavailable)
            }
        }
        router.post("redirect") { _, _ -> Response in Response(status: .found, headers: [.location: "/hook"]) }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    func testSignedRetriedExactlyOnceInOrderPerComplaint() async throws {
        let f = try ServerFixture(complaints: 0)
        defer { f.remove() }
        let receiver = Receiver()
        try await Self.receiverApp(receiver).test(.live) { client in
            let port = try XCTUnwrap(client.port)
            let secret = "whsec_test_0123456789abcdef"
            let all = try f.store.addHook(url: "http://127.0.0.1:\(port)/hook", secret: secret)
            let park = try f.store.addHook(url: "http://127.0.0.1:\(port)/park", secret: secret, departments: ["park ve bahçeler müdürlüğü"],
                                           events: [.created])
            let redirected = try f.store.addHook(url: "http://127.0.0.1:\(port)/redirect", events: [.created])

            // Five complaints, each created, assigned, started and resolved (4 events); one park complaint created.
            var ids: [Int64] = []
            for i in 0..<5 {
                let c = try f.store.intake(NewComplaint(location: LonLat(lon: 36.91 + Double(i) * 0.01, lat: 37.57), category: "temizlik",
                                                        channel: .phone, createdAt: Date(), description: "gizli açıklama",
                                                        contactName: "Ayşe Yılmaz", contactPhone: "05551234567"),
                                           idempotencyKey: nil, apiKeyID: nil, actor: "test").complaint
                ids.append(c.id)
            }
            for status in [ComplaintStatus.assigned, .inProgress, .resolved] {
                for id in ids { _ = try f.store.applyWorkflow(id: id, WorkflowChange(status: status, team: status == .assigned ? "ekip-3" : nil)) }
            }
            // A change the work flow refuses writes no event (it is rolled back with the change).
            let before = try f.store.hookStatus().reduce(0) { $0 + $1.pending }
            XCTAssertThrowsError(try f.store.applyWorkflow(id: ids[0], WorkflowChange(status: .assigned)))
            XCTAssertEqual(try f.store.hookStatus().reduce(0) { $0 + $1.pending }, before)
            let parkID = try f.store.intake(NewComplaint(location: LonLat(lon: 36.97, lat: 37.57), category: "park", channel: .web, createdAt: Date()),
                                            idempotencyKey: nil, apiKeyID: nil, actor: "test").complaint.id
            let expected = 5 * 4 + 1

            var options = HookDeliverer.Options()
            options.firstBackoff = 0.2
            options.maxBackoff = 0.8
            options.pollInterval = 0.05
            var quiet = Logger(label: "hooks-test")
            quiet.logLevel = .error
            let deliverer = HookDeliverer(store: f.store, options: options, metrics: nil, logger: quiet)
            let loop = Task { try await deliverer.run() }
            defer { loop.cancel() }

            // The receiver is down: attempts fail and are retried, nothing is lost.
            try await Task.sleep(nanoseconds: 2_000_000_000)
            let down = try XCTUnwrap(f.store.hookStatus().first { $0.hook.id == all.id })
            XCTAssertEqual(down.delivered, 0)
            XCTAssertEqual(down.pending, expected)
            XCTAssertGreaterThan(down.retrying, 0)
            XCTAssertEqual(down.lastError, "HTTP 503")
            let refusedWhileDown = await receiver.refused
            XCTAssertGreaterThan(refusedWhileDown, 5, "retried while down")

            await receiver.set(down: false)
            var accepted: [Receiver.Item] = []
            for _ in 0..<200 {
                accepted = await receiver.accepted
                if accepted.filter({ $0.path == "hook" }).count >= expected && accepted.contains(where: { $0.path == "park" }) { break }
                try await Task.sleep(nanoseconds: 100_000_000)
            }
            try await Task.sleep(nanoseconds: 500_000_000)  // nothing more may arrive
            accepted = await receiver.accepted
            let main = accepted.filter { $0.path == "hook" }
            XCTAssertEqual(main.count, expected, "every event once")
            XCTAssertEqual(Set(main.map(\.delivery)).count, expected, "no delivery id twice")

            // In order per complaint; signed; public fields only.
            var events: [Int64: [String]] = [:]
            for item in main {
                let parts = Dictionary(uniqueKeysWithValues: item.signature.split(separator: ",").map { p -> (String, String) in
                    let kv = p.split(separator: "=", maxSplits: 1); return (String(kv[0]), String(kv[1]))
                })
                let t = try XCTUnwrap(parts["t"]), v1 = try XCTUnwrap(parts["v1"])
                let mac = HMAC<SHA256>.authenticationCode(for: Data("\(t).\(item.body)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
                XCTAssertEqual(v1, mac.map { String(format: "%02x", $0) }.joined(), "signature of delivery \(item.delivery)")
                XCTAssertLessThan(abs(Double(t)! - Date().timeIntervalSince1970), 60)
                XCTAssertFalse(item.body.contains("gizli") || item.body.contains("Ayşe") || item.body.contains("0555"), "personal data in \(item.body)")
                let o = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(item.body.utf8)) as? [String: Any])
                XCTAssertEqual(o["event"] as? String, item.event)
                let c = try XCTUnwrap(o["complaint"] as? [String: Any])
                let id = Int64(try XCTUnwrap(c["id"] as? Int))
                events[id, default: []].append(item.event)
                XCTAssertEqual(c["department"] as? String, id == parkID ? "Park ve Bahçeler Müdürlüğü" : "Temizlik İşleri Müdürlüğü")
            }
            for id in ids { XCTAssertEqual(events[id], ["created", "assigned", "started", "resolved"], "complaint \(id)") }
            XCTAssertEqual(events[parkID], ["created"])
            // The park hook: only its department, only `created`.
            let parkItems = accepted.filter { $0.path == "park" }
            XCTAssertEqual(parkItems.count, 1)
            XCTAssertTrue(parkItems.first?.body.contains("\"id\":\(parkID)") ?? false)
            // A redirect is a failed delivery, not followed to /hook.
            let r = try XCTUnwrap(f.store.hookStatus().first { $0.hook.id == redirected.id })
            XCTAssertEqual(r.delivered, 0)
            XCTAssertEqual(r.lastError, "HTTP 302")
            let done = try XCTUnwrap(f.store.hookStatus().first { $0.hook.id == all.id })
            XCTAssertEqual(done.delivered, expected)
            XCTAssertEqual(done.pending, 0)
            XCTAssertEqual(try f.store.hookStatus().first { $0.hook.id == park.id }?.delivered, 1)
        }
    }

    /// The SLA timer: open work past its category's target is announced once; last year's backlog is not paged.
    func testOverdueIsAnnouncedOnceAndOnlyWhenItJustHappened() throws {
        let f = try ServerFixture(complaints: 0)
        defer { f.remove() }
        let hook = try f.store.addHook(url: "http://127.0.0.1:9/x", events: [.overdue])
        let now = Date()
        func make(_ hoursAgo: Double, _ status: ComplaintStatus = .open, _ category: String = "temizlik") throws -> Int64 {
            try f.store.insert(NewComplaint(location: LonLat(lon: 36.92, lat: 37.57), category: category, channel: .phone, status: status,
                                            createdAt: now.addingTimeInterval(-hoursAgo * 3600))).id
        }
        let late = try make(80), fresh = try make(10), old = try make(24 * 30), done = try make(80, .resolved), fast = try make(5, .open, "su")
        XCTAssertEqual(try f.store.checkOverdue(slaHours: ["su": 4], defaultHours: 72, now: now), 2)
        let announced = Set(try f.store.dueDeliveries(now: now, limit: 50).filter { $0.hookID == hook.id }.compactMap(\.complaintID))
        XCTAssertEqual(announced, [late, fast], "past target in the last day; not \(fresh) (in time), \(old) (a month late), \(done) (resolved)")
        XCTAssertEqual(try f.store.dueDeliveries(now: now, limit: 50).first?.event, "overdue")
        XCTAssertEqual(try f.store.checkOverdue(slaHours: ["su": 4], defaultHours: 72, now: now), 0, "once")
        XCTAssertEqual(try f.store.checkOverdue(slaHours: ["su": 4], defaultHours: 72, now: now.addingTimeInterval(70 * 3600)), 1, "the fresh one, later")
    }

    func testDeliveriesExpireAndRemovedHooksStop() throws {
        let f = try ServerFixture(complaints: 0)
        defer { f.remove() }
        let h = try f.store.addHook(url: "http://127.0.0.1:9/none", events: [.created])
        let c = try f.store.intake(NewComplaint(location: LonLat(lon: 36.92, lat: 37.57), category: "su", channel: .phone, createdAt: Date()),
                                   idempotencyKey: nil, apiKeyID: nil, actor: nil).complaint
        let due = try f.store.dueDeliveries(now: Date(), limit: 10)
        XCTAssertEqual(due.map(\.complaintID), [c.id])
        XCTAssertFalse(try f.store.markFailed(due[0].id, error: "refused", retryAt: Date().addingTimeInterval(1), expireAfter: 3600, now: Date()))
        XCTAssertTrue(try f.store.dueDeliveries(now: Date(), limit: 10).isEmpty, "not due before its retry time")
        XCTAssertEqual(try f.store.dueDeliveries(now: Date().addingTimeInterval(2), limit: 10).count, 1)
        XCTAssertTrue(try f.store.markFailed(due[0].id, error: "refused", retryAt: Date().addingTimeInterval(7200), expireAfter: 3600, now: Date()))
        XCTAssertEqual(try f.store.hookStatus().first?.expired, 1)
        // A removed hook gets nothing more.
        XCTAssertTrue(try f.store.removeHook(id: h.id))
        _ = try f.store.intake(NewComplaint(location: LonLat(lon: 36.92, lat: 37.57), category: "su", channel: .phone, createdAt: Date()),
                               idempotencyKey: nil, apiKeyID: nil, actor: nil)
        XCTAssertTrue(try f.store.dueDeliveries(now: Date().addingTimeInterval(10_000), limit: 10).isEmpty)
    }
}
