import Foundation
import GeoIndex
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import XCTest
@testable import TaskMapServer
#if canImport(Glibc)
import Glibc
#endif

/// What a hostile client can try over HTTP (RELIABILITY.md §5): slow clients, SQL injection in every filter,
/// unknown methods, absurd sizes. Each case asserts the exact status. Bad input the other suites already cover
/// (bodies, keys, bad filter values, traversal) is not repeated here.
final class HostileHTTPTests: XCTestCase {
    // MARK: - Slow clients

    /// Half a request line, then nothing: the server closes the connection after the idle timeout. Trickling the
    /// head a byte at a time does not extend the deadline (no complete head → no activity), and an idle
    /// keep-alive connection is closed too — but only after a complete request was answered.
    func testSlowClientsAreDisconnectedAfterTheIdleTimeout() async throws {
        let f = try ServerFixture()
        defer { f.remove() }
        var config = f.config
        config.idleTimeoutSeconds = 0.5
        let app = try buildApplication(config, store: try SpatiaLiteStore(path: config.databasePath), tiles: FakeTileSource())
        try await app.test(.live) { client in
            let port = try XCTUnwrap(client.port)

            // Half a request line.
            let half = try await RawConnection.run(port: port) { c in
                try c.send("GET /api/complaints?bbox=36.9,37.5")
                return c.readUntilClosed(timeout: 10)
            }
            XCTAssertTrue(half.closed, "server kept a half request open for 10 s")
            XCTAssertTrue(half.bytes.isEmpty, "no response to half a request: \(String(decoding: half.bytes, as: UTF8.self))")
            XCTAssertGreaterThanOrEqual(half.seconds, 0.4)
            XCTAssertLessThan(half.seconds, 5)

            // Connected, nothing sent.
            let silent = try await RawConnection.run(port: port) { c in c.readUntilClosed(timeout: 10) }
            XCTAssertTrue(silent.closed)
            XCTAssertLessThan(silent.seconds, 5)

            // Slowloris: a header byte every 100 ms for 3 s; the connection is closed long before the head is done.
            let trickle = try await RawConnection.run(port: port) { c -> RawConnection.Outcome in
                let start = RawConnection.now()
                let head = "GET /healthz HTTP/1.1\r\nHost: x\r\n" + String(repeating: "X-Slow: 1\r\n", count: 10) + "\r\n"
                for byte in head.utf8 {
                    guard (try? c.send(String(decoding: [byte], as: UTF8.self))) != nil else { break }
                    if c.peerClosed(waiting: 0.1) { break }
                    if RawConnection.now() - start > 10 { break }
                }
                var o = c.readUntilClosed(timeout: 5)
                o.seconds = RawConnection.now() - start
                return o
            }
            XCTAssertTrue(trickle.closed, "a trickled head kept the connection open")
            XCTAssertFalse(String(decoding: trickle.bytes, as: UTF8.self).contains("200 OK"), "the trickled request was answered")
            XCTAssertLessThan(trickle.seconds, 3, "the deadline was extended by trickling")

            // A complete request is answered; the idle keep-alive connection is then closed.
            let keepAlive = try await RawConnection.run(port: port) { c in
                try c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                return c.readUntilClosed(timeout: 10)
            }
            XCTAssertTrue(String(decoding: keepAlive.bytes, as: UTF8.self).hasPrefix("HTTP/1.1 200 OK"))
            XCTAssertTrue(keepAlive.closed)
            XCTAssertLessThan(keepAlive.seconds, 5)

            // The server still serves. (The test client's own idle connection was closed by the timeout too, so a
            // fresh connection asks.)
            let again = try await RawConnection.run(port: port) { c in
                try c.send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                return c.readUntilClosed(timeout: 10)
            }
            XCTAssertTrue(String(decoding: again.bytes, as: UTF8.self).hasPrefix("HTTP/1.1 200 OK"))
        }
    }

    /// An open event stream is a response being written: the idle timeout does not cut it.
    func testIdleTimeoutDoesNotCutEventStreams() async throws {
        let f = try ServerFixture()
        defer { f.remove() }
        var config = f.config
        config.idleTimeoutSeconds = 0.3
        let app = try buildApplication(config, store: try SpatiaLiteStore(path: config.databasePath), tiles: FakeTileSource())
        try await app.test(.live) { client in
            let port = try XCTUnwrap(client.port)
            let stream = try await RawConnection.run(port: port) { c -> RawConnection.Outcome in
                try c.send("GET /api/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n")
                return c.readUntilClosed(timeout: 1.5)
            }
            XCTAssertTrue(String(decoding: stream.bytes, as: UTF8.self).hasPrefix("HTTP/1.1 200 OK"))
            XCTAssertFalse(stream.closed, "the event stream was closed by the idle timeout")
        }
    }

    // MARK: - Many clients at once

    /// Six clients on their own sockets at once — intake POSTs, PATCHes, bbox queries, real rendered tiles (the
    /// `TileRendererSource` the server uses), Open311, /api/mahalle and /metrics — while an event stream is open.
    /// Every answer has its expected status and every POST is stored once. Under ThreadSanitizer this is what
    /// makes the server's shared state (snapshot, tile cache, event hub, metrics, store, rate limiter) race if
    /// it can (RELIABILITY.md §2).
    func testManyConcurrentClients() async throws {
        let f = try ServerFixture()
        defer { f.remove() }
        var config = f.config
        config.writeRateLimitPerMinute = 0
        let store = try SpatiaLiteStore(path: config.databasePath)
        let app = try buildApplication(config, store: store, tiles: try TileRendererSource(store: store))
        let workers = 6, rounds = 20
        try await app.test(.live) { client in
            let port = try XCTUnwrap(client.port)
            async let events = RawConnection.run(port: port) { c -> RawConnection.Outcome in
                try c.send("GET /api/events?last_event_id=0 HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n")
                return c.readUntilClosed(timeout: 120, until: 2 * workers * rounds / 5)
            }
            let layers = ["heat", "pins", "choropleth", "boundaries"]
            let results = try await withThrowingTaskGroup(of: [String].self) { group in
                for w in 0..<workers {
                    group.addTask {
                        try await RawConnection.offPool {
                            var failures: [String] = []
                            for r in 0..<rounds {
                                let lon = 36.905 + Double((w * rounds + r) % 40) * 0.002, lat = 37.555 + Double(w) * 0.01
                                let t = TileTests.tile(LonLat(lon: lon, lat: lat), z: 13 + r % 3)
                                let (method, path, body, expected): (String, String, String?, Int) = switch r % 5 {
                                case 0: ("POST", "/api/complaints", #"{"lon":\#(lon),"lat":\#(lat),"category":"yol","external_ref":"load-\#(w)-\#(r)"}"#, 201)
                                case 1: ("PATCH", "/api/complaints/\((w + r) % 12 + 1)", #"{"note":"w\#(w) r\#(r)"}"#, 200)
                                case 2: ("GET", "/api/complaints?bbox=36.9,37.5,37.0,37.7&limit=50&category=yol,park", nil, 200)
                                case 3: ("GET", "/tiles/\(layers[(w + r) % 4])/\(13 + r % 3)/\(t.x)/\(t.y).png", nil, 200)
                                default: ("GET", ["/metrics", "/api/mahalle?status=open", "/open311/v2/requests.json", "/api/needs"][(w + r) % 4], nil, 200)
                                }
                                let status = try RawConnection.request(port: port, method: method, path: path, key: f.key, json: body)
                                if status != expected { failures.append("\(method) \(path): \(status), expected \(expected)") }
                            }
                            return failures
                        }
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            XCTAssertEqual(results, [])
            let stream = try await events
            let text = String(decoding: stream.bytes, as: UTF8.self)
            XCTAssertTrue(text.hasPrefix("HTTP/1.1 200 OK"), text)
            // Every POST and PATCH reached the open stream (replayed from id 0 if it connected late).
            XCTAssertEqual(text.components(separatedBy: "event: created").count - 1, workers * rounds / 5, text)
            XCTAssertEqual(text.components(separatedBy: "event: updated").count - 1, workers * rounds / 5, text)
        }
        XCTAssertEqual(try f.store.complaintCount(), 12 + workers * rounds / 5)
    }

    // MARK: - SQL injection

    static let injections = [
        "' OR '1'='1",
        "1; DROP TABLE complaints; --",
        "x') UNION SELECT key_hash FROM api_keys --",
        "\"; DELETE FROM complaints WHERE \"\"=\"",
        "1' AND 1=(SELECT COUNT(*) FROM sqlite_master)--",
        "open' --",
        "2024-01'); UPDATE complaints SET status='closed'; --",
    ]

    static func q(_ s: String) -> String { s.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! }

    /// Everything a request could change, read back from the store.
    static func fingerprint(_ f: ServerFixture) throws -> String {
        let n = try f.store.complaintCount()
        var parts = ["complaints=\(n)", "categories=\(try f.store.categories().count)", "mahalle=\(try f.store.mahalleList().count)",
                     "keys=\(try f.store.apiKeys().map { "\($0.name):\($0.isActive)" }.sorted())"]
        for id in 1...Int64(max(n, 1)) {
            if let s = try f.store.workflowState(id: id) {
                parts.append("\(id):\(s.complaint.fields.status.rawValue):\(s.history.count):\(s.complaint.fields.category):\(s.complaint.fields.description ?? "")")
            }
        }
        return parts.joined(separator: "|")
    }

    /// Each filter with each injection string: 400 naming the field where the value must come from a fixed set
    /// (status, channel, type, dates, month, metric, bbox, limit, Open311 service_code/status/dates/ids; needs and
    /// hot spots' district, mahalle and category), an empty 200 where any text is a legal but unknown value
    /// (`category`, `district` and `mahalle` on the query, map and tile endpoints). Nothing in the store changes.
    func testSQLInjectionInEveryFilter() async throws {
        let f = try ServerFixture()
        defer { f.remove() }
        let before = try Self.fingerprint(f)
        let t = TileTests.tile(LonLat(lon: 36.905, lat: 37.555), z: 14)
        let tile = "/tiles/pins/14/\(t.x)/\(t.y).png"
        try await f.app().test(.router) { client in
            for s in Self.injections {
                let v = Self.q(s)
                // 400 with the field named.
                for name in ["status", "channel", "type", "from", "to", "month"] {
                    assertError(try await client.get("/api/complaints?\(name)=\(v)"), .badRequest, field: name)
                    assertError(try await client.get("/api/mahalle?\(name)=\(v)"), .badRequest, field: name)
                    assertError(try await client.get("\(tile)?\(name)=\(v)"), .badRequest, field: name)
                }
                assertError(try await client.get("/api/complaints?bbox=\(v)"), .badRequest, field: "bbox")
                assertError(try await client.get("/api/complaints?bbox=36.9,37.5,37.0,\(v)"), .badRequest, field: "bbox")
                assertError(try await client.get("/api/complaints?limit=\(v)"), .badRequest, field: "limit")
                assertError(try await client.get("/api/complaints/\(v)"), .badRequest, field: "id")
                assertError(try await client.get("/tiles/choropleth/14/\(t.x)/\(t.y).png?metric=\(v)"), .badRequest, field: "metric")
                assertError(try await client.get("/api/needs?month=\(v)"), .badRequest, field: "month")
                assertError(try await client.get("/api/needs?district=\(v)"), .badRequest, field: "district")
                assertError(try await client.get("/api/needs?mahalle=\(v)"), .badRequest, field: "mahalle")
                assertError(try await client.get("/api/hotspots?category=\(v)"), .badRequest, field: "category")
                assertError(try await client.get("/api/events?last_event_id=\(v)"), .badRequest, field: "last_event_id")
                for name in ["service_code", "status", "start_date", "end_date", "service_request_id"] {
                    let r = try await client.get("/open311/v2/requests.json?\(name)=\(v)")
                    XCTAssertEqual(r.status, .badRequest, "\(name)=\(s): \(r.text)")
                    XCTAssertEqual(((try? r.json()) as? [[String: Any]])?.first?["code"] as? Int, 400, r.text)
                }
                let one = try await client.get("/open311/v2/requests/\(v).json")
                XCTAssertEqual(one.status, .badRequest, one.text)

                // Legal but unknown values: an empty answer, not an error and not "everything".
                for name in ["category", "district", "mahalle"] {
                    let r = try await client.get("/api/complaints?\(name)=\(v)")
                    XCTAssertEqual(r.status, .ok, "\(name)=\(s): \(r.text)")
                    XCTAssertEqual(try r.object()["numberMatched"] as? Int, 0, "\(name)=\(s)")
                    let m = try await client.get("/api/mahalle?\(name)=\(v)")
                    XCTAssertEqual(m.status, .ok, "\(name)=\(s): \(m.text)")
                    let counts = (try m.object()["features"] as? [[String: Any]])?.compactMap { ($0["properties"] as? [String: Any])?["complaints"] as? Int }
                    XCTAssertEqual(counts?.reduce(0, +), 0, "\(name)=\(s)")
                    let png = try await client.get("\(tile)?\(name)=\(v)")
                    XCTAssertEqual(png.status, .ok, "\(name)=\(s)")
                    XCTAssertTrue(png.text.hasSuffix(" n=0"), "\(name)=\(s): \(png.text)")
                }
                // Keys: unknown → 403, nothing written.
                assertError(try await client.postJSON("/api/complaints", #"{"lon":36.92,"lat":37.57,"category":"yol"}"#, key: s), .forbidden, field: "api_key")
                assertError(try await client.patchJSON("/api/complaints/1", #"{"status":"assigned"}"#, key: s), .forbidden, field: "api_key")
            }
        }
        XCTAssertEqual(try Self.fingerprint(f), before, "the store changed")
    }

    /// Injection strings in written fields are stored as text, byte for byte, and change nothing else.
    func testInjectionInWrittenFieldsIsStoredAsText() async throws {
        let f = try ServerFixture()
        defer { f.remove() }
        try await f.app().test(.router) { client in
            for (i, s) in Self.injections.enumerated() {
                let body = try String(decoding: JSONSerialization.data(withJSONObject: [
                    "lon": 36.93, "lat": 37.58, "category": "yol", "description": s, "external_ref": "ref-\(i)-\(s)"]), as: UTF8.self)
                let r = try await client.postJSON("/api/complaints", body, key: f.key)
                XCTAssertEqual(r.status, .created, r.text)
                let id = try XCTUnwrap(try r.object()["id"] as? Int)
                let stored = try XCTUnwrap(try f.store.complaint(id: Int64(id)))
                XCTAssertEqual(stored.fields.description, s)
                XCTAssertEqual(stored.fields.externalRef, "ref-\(i)-\(s)")
                let bad = try String(decoding: JSONSerialization.data(withJSONObject: ["lon": 36.93, "lat": 37.58, "category": s]), as: UTF8.self)
                assertError(try await client.postJSON("/api/complaints", bad, key: f.key), .badRequest, field: "category")
                let note = try String(decoding: JSONSerialization.data(withJSONObject: ["note": s, "team": s]), as: UTF8.self)
                let r2 = try await client.patchJSON("/api/complaints/\(id)", note, key: f.key)
                XCTAssertEqual(r2.status, .ok)
                let state = try XCTUnwrap(try f.store.workflowState(id: Int64(id)))
                XCTAssertEqual(state.history.last?.note, s)
                XCTAssertEqual(state.team, s)
            }
            XCTAssertEqual(try f.store.complaintCount(), 12 + Self.injections.count)
            XCTAssertEqual(try f.store.apiKeys().count, 2)
            XCTAssertEqual(try f.store.workflowState(id: 1)?.complaint.fields.status, .open, "the seeded complaints are untouched")
        }
    }

    // MARK: - Methods

    /// Methods no route has: the router answers 404 (it does not tell 405 from 404), in the JSON error format —
    /// and the Open311 format under /open311/. `DELETE /healthz` → 404 is in IntakeTests.
    func testUnknownMethods() async throws {
        let f = try ServerFixture()
        defer { f.remove() }
        let before = try Self.fingerprint(f)
        let t = TileTests.tile(LonLat(lon: 36.905, lat: 37.555), z: 14)
        try await f.app().test(.router) { client in
            let json = #"{"lon":36.92,"lat":37.57,"category":"yol"}"#
            let cases: [(HTTPRequest.Method, String)] = [
                (.put, "/api/complaints"), (.delete, "/api/complaints"), (.delete, "/api/complaints/1"), (.put, "/api/complaints/1"),
                (.patch, "/api/complaints"), (.post, "/api/complaints/1"),
                (.delete, "/tiles/pins/14/\(t.x)/\(t.y).png"), (.post, "/tiles/pins/14/\(t.x)/\(t.y).png"), (.put, "/tiles/pins.json"),
                (.trace, "/"), (.post, "/"), (.delete, "/metrics"), (.post, "/api/mahalle"), (.put, "/api/needs"),
                (.post, "/api/events"), (.delete, "/static/leaflet/leaflet.js"),
                (HTTPRequest.Method("PROPFIND")!, "/api/complaints"), (HTTPRequest.Method("BREW")!, "/"),
            ]
            for (method, uri) in cases {
                let r = try await client.execute(uri: uri, method: method,
                                                 headers: [.contentType: "application/json", .xAPIKey: f.key], body: ByteBuffer(string: json))
                XCTAssertEqual(r.status, .notFound, "\(method) \(uri): \(r.text)")
                assertError(r, .notFound)
            }
            for (method, uri) in [(HTTPRequest.Method.put, "/open311/v2/requests.json"), (.delete, "/open311/v2/requests/1.json"),
                                  (.post, "/open311/v2/services.json")] {
                let r = try await client.execute(uri: uri, method: method, headers: [.contentType: "application/x-www-form-urlencoded"],
                                                 body: ByteBuffer(string: "api_key=\(f.key)&service_code=yol&lat=37.57&long=36.92"))
                XCTAssertEqual(r.status, .notFound, "\(method) \(uri)")
                XCTAssertEqual(((try? r.json()) as? [[String: Any]])?.first?["code"] as? Int, 404, r.text)
            }
            // HEAD exists wherever GET does (and has no body).
            let head = try await client.execute(uri: "/api/complaints", method: .head)
            XCTAssertEqual(head.status, .ok)
            XCTAssertEqual(head.body.readableBytes, 0)
        }
        XCTAssertEqual(try Self.fingerprint(f), before)
    }

    // MARK: - Absurd sizes

    /// Out-of-range numbers are refused with 400 naming the field (or 404 for zooms the renderer does not
    /// draw); the largest legal values are answered.
    func testAbsurdBBoxLimitAndZoom() async throws {
        let f = try ServerFixture()
        defer { f.remove() }
        try await f.app().test(.router) { client in
            // The whole world is a legal box: all 12.
            let world = try await client.get("/api/complaints?bbox=-180,-90,180,90")
            XCTAssertEqual(world.status, .ok)
            XCTAssertEqual(try world.object()["numberMatched"] as? Int, 12)
            let point = try await client.get("/api/complaints?bbox=36.905,37.555,36.905,37.555")
            XCTAssertEqual(point.status, .ok, "a zero-area box is legal")
            for bad in ["-180.0001,-90,180,90", "-180,-90.5,180,90", "1e308,1e308,1e308,1e308", "-1e400,0,0,0", "inf,0,1,1",
                        "0,0,1,1,2", String(repeating: "1,", count: 10_000) + "1", ",,,"] {
                assertError(try await client.get("/api/complaints?bbox=\(Self.q(bad))"), .badRequest, field: "bbox")
            }
            // limit: 1…5000.
            let r3 = try await client.get("/api/complaints?limit=5000")
            XCTAssertEqual(r3.status, .ok)
            for bad in ["5001", "-1", "99999999999999999999", "1e3", "0x10", "1.5", " 5", "NaN"] {
                assertError(try await client.get("/api/complaints?limit=\(Self.q(bad))"), .badRequest, field: "limit")
            }
            // zoom: 0…30 is a tile address, the renderer draws 0…20.
            let r4 = try await client.get("/tiles/pins/20/0/0.png")
            XCTAssertEqual(r4.status, .ok)
            assertError(try await client.get("/tiles/pins/21/0/0.png"), .notFound, field: "z")
            for bad in ["99999999999999999999/0/0", "-1/0/0", "30/1073741824/0", "14/0/99999999999999999999", "1e1/0/0", "3/8/0"] {
                assertError(try await client.get("/tiles/pins/\(bad).png"), .badRequest, field: "z")
            }
            // Events and grids: bounded.
            assertError(try await client.get("/api/hotspots?grid=1e9"), .badRequest, field: "grid")
            assertError(try await client.get("/api/events?limit=99999999999999999999"), .badRequest, field: "limit")
            // 5,000 Open311 ids: the first 1,000 are looked up (the spec's cap), the 12 that exist are answered.
            let ids = (1...5_000).map(String.init).joined(separator: ",")
            let o311 = try await client.get("/open311/v2/requests.json?service_request_id=\(ids)")
            XCTAssertEqual(o311.status, .ok)
            XCTAssertEqual((try o311.json() as? [Any])?.count, 12)
            // A huge filter list is just a list of unknown categories.
            let many = (0..<2_000).map { "c\($0)" }.joined(separator: ",")
            let r = try await client.get("/api/complaints?category=\(many)")
            XCTAssertEqual(r.status, .ok)
            XCTAssertEqual(try r.object()["numberMatched"] as? Int, 0)
        }
    }
}

/// A raw TCP client on 127.0.0.1 for what URLSession and the test client cannot do: send half a request,
/// trickle bytes, and watch when the server closes.
final class RawConnection {
    struct Outcome: Sendable {
        var bytes: [UInt8] = []
        /// The server closed (EOF or reset) before the timeout.
        var closed = false
        var seconds = 0.0
    }

    let fd: Int32

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { close(fd); throw POSIXError(.ECONNREFUSED) }
    }

    deinit { close(fd) }

    /// Runs blocking socket work on a new connection, off the cooperative pool.
    static func run<T: Sendable>(port: Int, _ body: @escaping @Sendable (RawConnection) throws -> T) async throws -> T {
        try await offPool { try body(try RawConnection(port: port)) }
    }

    /// Runs blocking work on its own thread.
    static func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { cont in
            Thread.detachNewThread { cont.resume(with: Result { try body() }) }
        }
    }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard n == bytes.count else { throw POSIXError(.EPIPE) }
    }

    /// Whether the peer closed within `seconds` (data that arrives is kept for `readUntilClosed`).
    func peerClosed(waiting seconds: Double) -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, Int32(seconds * 1000)) > 0 else { return false }
        var byte: UInt8 = 0
        let n = recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        return n == 0 || (n < 0 && errno != EAGAIN)
    }

    /// One request on its own connection (`Connection: close`); returns the status code.
    static func request(port: Int, method: String, path: String, key: String, json: String?) throws -> Int {
        let c = try RawConnection(port: port)
        let body = json ?? ""
        var head = "\(method) \(path) HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-API-Key: \(key)\r\n"
        if json != nil { head += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n" }
        try c.send(head + "\r\n" + body)
        let o = c.readUntilClosed(timeout: 120)
        let line = String(decoding: o.bytes.prefix(12), as: UTF8.self)
        guard line.hasPrefix("HTTP/1.1 "), let code = Int(line.dropFirst(9).prefix(3)) else { return -1 }
        return code
    }

    /// Reads until the server closes, `timeout` seconds pass, or (with `until`) that many `event: ` lines arrived.
    func readUntilClosed(timeout: Double, until events: Int? = nil) -> Outcome {
        let start = Self.now()
        var out = Outcome()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let left = timeout - (Self.now() - start)
            if left <= 0 { break }
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&p, 1, Int32(max(1, left * 1000)))
            if ready < 0 && errno == EINTR { continue }
            if ready <= 0 { break }
            let n = recv(fd, &buffer, buffer.count, 0)
            if n > 0 {
                out.bytes += buffer[0..<n]
                if let events, String(decoding: out.bytes, as: UTF8.self).components(separatedBy: "event: ").count - 1 >= events { break }
                continue
            }
            out.closed = true
            break
        }
        out.seconds = Self.now() - start
        return out
    }
}
