import Foundation
import GeoIndex
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTesting
import XCTest
@testable import TaskMapServer

/// Cached tiles answered on the event loop (`CachedTileHandler`) must be indistinguishable from the router's
/// answers, keep pipelined responses in order, and never serve a tile a change has made stale. Live sockets: the
/// handler sits in the channel pipeline, which the router-level test client does not have.
final class EventLoopTileHitTests: XCTestCase {
    static func app(_ f: ServerFixture, eventLoop: Bool, tiles: any TileSource = FakeTileSource()) throws -> some ApplicationProtocol {
        var config = f.config
        config.eventLoopTileHits = eventLoop
        return try buildApplication(config, store: try SpatiaLiteStore(path: config.databasePath), tiles: tiles)
    }

    /// A tile at z14 in the fixture town, and its boundaries tile (cached by `withCachedTile` before the test).
    static let t14 = TileTests.tile(LonLat(lon: 36.905, lat: 37.555), z: 14)
    static let cachedTile = "/tiles/boundaries/14/\(t14.x)/\(t14.y).png"

    /// A live server (event-loop hits on) over the fixture town with `cachedTile` cached; `body` gets the test client
    /// and its port for raw connections.
    static func withCachedTile(tiles: any TileSource = FakeTileSource(), idleTimeoutSeconds: Double? = nil,
                               _ body: @escaping @Sendable (any TestClientProtocol, Int) async throws -> Void) async throws {
        let f = try ServerFixture()
        defer { f.remove() }
        var config = f.config
        if let idleTimeoutSeconds { config.idleTimeoutSeconds = idleTimeoutSeconds }
        let app = try buildApplication(config, store: try SpatiaLiteStore(path: config.databasePath), tiles: tiles)
        try await app.test(.live) { client in
            _ = try await client.get(cachedTile)
            try await body(client, try XCTUnwrap(client.port))
        }
    }

    /// Every header but Date (which may tick between the two answers), as sorted `name: value` lines.
    static func headerLines(_ r: TestResponse) -> [String] {
        r.headers.filter { $0.name != .date }.map { "\($0.name.canonicalName): \($0.value)" }.sorted()
    }

    static func metric(_ text: String, _ name: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.split(separator: " ").last!) }
    }

    /// Tile-route lines of `taskmap_http_requests_total` (method, route, status → count).
    static func tileRequestLines(_ text: String) -> [String] {
        text.split(separator: "\n").filter {
            $0.hasPrefix("taskmap_http_requests_total") && $0.contains("route=\"/tiles/{layer}/{z}/{x}/{y}.png\"")
        }.map(String.init).sorted()
    }

    func testEventLoopAnswersMatchTheRoutersByteForByte() async throws {
        let f = try ServerFixture()
        defer { f.remove() }
        let t14 = TileTests.tile(LonLat(lon: 36.905, lat: 37.555), z: 14)
        let t12 = TileTests.tile(LonLat(lon: 36.93, lat: 37.58), z: 12)
        let month = String(ISO8601DateFormatter().string(from: Date()).prefix(7))
        let urls = [
            "/tiles/heat/14/\(t14.x)/\(t14.y).png",
            "/tiles/pins/14/\(t14.x)/\(t14.y)@2x.png?category=su,park",
            "/tiles/choropleth/12/\(t12.x)/\(t12.y).png?metric=per1000&month=\(month)",
            "/tiles/boundaries/12/\(t12.x)/\(t12.y).png?v=7",
            "/tiles/heat/14/\(t14.x)/\(t14.y).png?status=open&district=Kuzeykent&mahalle=%C5%9Eehitler",
        ]
        try await Self.app(f, eventLoop: true).test(.live) { fast in
            try await Self.app(f, eventLoop: false).test(.live) { router in
                for url in urls {
                    let first = try await fast.get(url)
                    let firstRouter = try await router.get(url)
                    XCTAssertEqual(first.status, .ok, url)
                    XCTAssertEqual(first.headers[.xTileCache], "miss", url)
                    XCTAssertEqual(firstRouter.headers[.xTileCache], "miss", url)
                    let etag = try XCTUnwrap(first.headers[.eTag])
                    let variants: [HTTPFields] = [
                        [:], [.origin: "http://viewer.example"], [.ifNoneMatch: etag],
                        [.ifNoneMatch: "\"other\""], [.ifNoneMatch: "*", .origin: "http://viewer.example"],
                    ]
                    for headers in variants {
                        let a = try await fast.get(url, headers: headers)
                        let b = try await router.get(url, headers: headers)
                        let what = "\(url) \(headers)"
                        XCTAssertEqual(a.status, b.status, what)
                        XCTAssertEqual(a.headers[.xTileCache], "hit", what)
                        XCTAssertEqual(Self.headerLines(a), Self.headerLines(b), what)
                        XCTAssertEqual(Array(a.body.readableBytesView), Array(b.body.readableBytesView), what)
                        XCTAssertNotNil(a.headers[.date], what)
                        XCTAssertEqual(a.headers[.server], "taskmap", what)
                        if headers[.origin] != nil {
                            XCTAssertEqual(a.headers[.accessControlAllowOrigin], "*", what)
                            XCTAssertTrue(a.headers[.accessControlExposeHeaders]?.contains("ETag") ?? false, what)
                        }
                    }
                }
                let fastMetrics = try await fast.get("/metrics").text
                let routerMetrics = try await router.get("/metrics").text
                let hits = Double(urls.count * 5)
                XCTAssertEqual(Self.metric(fastMetrics, "taskmap_tile_cache_hits_event_loop_total"), hits)
                XCTAssertEqual(Self.metric(routerMetrics, "taskmap_tile_cache_hits_event_loop_total"), 0)
                XCTAssertEqual(Self.metric(fastMetrics, "taskmap_tile_cache_hits_total"), hits)
                XCTAssertEqual(Self.metric(routerMetrics, "taskmap_tile_cache_hits_total"), hits)
                XCTAssertEqual(Self.metric(fastMetrics, "taskmap_http_not_modified_total"),
                               Self.metric(routerMetrics, "taskmap_http_not_modified_total"))
                XCTAssertEqual(Self.tileRequestLines(fastMetrics), Self.tileRequestLines(routerMetrics))
                XCTAssertFalse(Self.tileRequestLines(fastMetrics).isEmpty)
            }
        }
    }

    /// What the event loop leaves to the router: HEAD, `Connection: close`, escaped paths, bad filters, misses.
    func testRequestsItDoesNotReadAreLeftToTheRouter() async throws {
        let f = try ServerFixture()
        defer { f.remove() }
        let t = TileTests.tile(LonLat(lon: 36.905, lat: 37.555), z: 14)
        let url = "/tiles/heat/14/\(t.x)/\(t.y).png"
        try await Self.app(f, eventLoop: true).test(.live) { client in
            _ = try await client.get(url)
            let head = try await client.execute(uri: url, method: .head)
            XCTAssertEqual(head.status, .ok)
            XCTAssertEqual(head.headers[.xTileCache], "hit")
            XCTAssertEqual(head.body.readableBytes, 0)
            let escaped = try await client.get("/tiles/h%65at/14/\(t.x)/\(t.y).png")
            XCTAssertEqual(escaped.status, .notFound, "the router does not decode escapes in path segments")
            let badFilter = try await client.get(url + "?status=lost")
            XCTAssertEqual(badFilter.status, .badRequest)
            XCTAssertEqual(try badFilter.object()["field"] as? String, "status")
            let badZoom = try await client.get("/tiles/heat/40/0/0.png")
            XCTAssertEqual(badZoom.status, .badRequest)
            let unknownLayer = try await client.get("/tiles/roads/14/\(t.x)/\(t.y).png")
            XCTAssertEqual(unknownLayer.status, .notFound)
            let port = try XCTUnwrap(client.port)
            let closing = try await RawConnection.run(port: port) { c -> RawConnection.Outcome in
                try c.send("GET \(url) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                return c.readUntilClosed(timeout: 10)
            }
            XCTAssertTrue(closing.closed, "Connection: close was not honoured")
            XCTAssertTrue(String(decoding: closing.bytes, as: UTF8.self).hasPrefix("HTTP/1.1 200 OK"))
            let metrics = try await client.get("/metrics").text
            XCTAssertEqual(Self.metric(metrics, "taskmap_tile_cache_hits_event_loop_total"), 0,
                           "none of these is answered on the event loop")
        }
    }

    /// A complaint posted under a cached tile: the next request renders (on either path) with the complaint in it;
    /// a tile elsewhere is still answered from the cache on the event loop.
    func testNoStaleTileAfterAChange() async throws {
        let f = try ServerFixture()
        defer { f.remove() }
        try await Self.app(f, eventLoop: true).test(.live) { client in
            let here = LonLat(lon: 36.9371, lat: 37.5712)
            let t = TileTests.tile(here, z: 15)
            let touched = "/tiles/heat/15/\(t.x)/\(t.y).png"
            let elsewhere = "/tiles/heat/15/\(t.x + 5)/\(t.y + 5).png"
            let before = try await client.get(touched)
            _ = try await client.get(elsewhere)
            let again = try await client.get(touched)
            XCTAssertEqual(again.headers[.xTileCache], "hit")
            XCTAssertTrue(before.text.hasSuffix("n=0"), before.text)

            let posted = try await client.postJSON("/api/complaints", #"{"lon":\#(here.lon),"lat":\#(here.lat),"category":"yol"}"#, key: f.key)
            XCTAssertEqual(posted.status, .created)

            let after = try await client.get(touched, headers: [.ifNoneMatch: before.headers[.eTag]!])
            XCTAssertEqual(after.status, .ok, "the new complaint is in the very next tile request")
            XCTAssertEqual(after.headers[.xTileCache], "miss")
            XCTAssertTrue(after.text.hasSuffix("n=1"), after.text)
            XCTAssertNotEqual(after.headers[.eTag], before.headers[.eTag])
            let untouched = try await client.get(elsewhere)
            XCTAssertEqual(untouched.headers[.xTileCache], "hit")
            let metrics = try await client.get("/metrics").text
            XCTAssertEqual(Self.metric(metrics, "taskmap_tile_cache_hits_event_loop_total"), 2)
        }
    }

    /// Pipelined on one connection: a cached tile, a tile that takes a while to render, two cached tiles. The
    /// cached ones after the render must not overtake it: responses come in request order. Once the router has
    /// answered, the next hit on that connection is the event loop's again.
    func testPipelinedResponsesKeepTheirOrder() async throws {
        let cached = Self.cachedTile
        let slow = "/tiles/heat/14/\(Self.t14.x)/\(Self.t14.y).png"
        try await Self.withCachedTile(tiles: SlowTileSource(delaySeconds: 0.3)) { client, port in
            let (first, second) = try await RawConnection.run(port: port) { c -> ([RawResponse], [RawResponse]) in
                let get = { (path: String) in "GET \(path) HTTP/1.1\r\nHost: x\r\n\r\n" }
                try c.send(get(cached) + get(slow) + get(cached) + get(cached))
                let first = try c.readResponses(4, timeout: 30)
                try c.send(get(cached) + "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                return (first, try c.readResponses(2, timeout: 30))
            }
            XCTAssertEqual(first.map { $0.header("X-Tile-Cache") }, ["hit", "miss", "hit", "hit"])
            XCTAssertEqual(first.map { String(decoding: $0.body.dropFirst(8), as: UTF8.self).split(separator: " ").first ?? "" },
                           ["boundaries", "heat", "boundaries", "boundaries"], "responses out of request order")
            XCTAssertEqual(second.map(\.status), [200, 200])
            XCTAssertEqual(second.first?.header("X-Tile-Cache"), "hit")
            let metrics = try await client.get("/metrics").text
            // The first request and the one after the router had answered; the two queued behind the render went
            // to the router.
            XCTAssertEqual(Self.metric(metrics, "taskmap_tile_cache_hits_event_loop_total"), 2)
            XCTAssertEqual(Self.metric(metrics, "taskmap_tile_cache_hits_total"), 4)
        }
    }

    /// A GET for a cached tile that carries a body is left to the router (it answers without waiting for the
    /// body); the body never leaks into the next request on the connection.
    func testAGetWithABodyDoesNotDisturbTheConnection() async throws {
        let cached = Self.cachedTile
        try await Self.withCachedTile { _, port in
            let responses = try await RawConnection.run(port: port) { c -> [RawResponse] in
                try c.send("GET \(cached) HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
                           + "GET \(cached) HTTP/1.1\r\nHost: x\r\n\r\n")
                let first = try c.readResponses(2, timeout: 30)
                try c.send("GET \(cached) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                return first + (try c.readResponses(1, timeout: 30))
            }
            XCTAssertEqual(responses.map(\.status), [200, 200, 200])
            XCTAssertEqual(responses.map { $0.header("X-Tile-Cache") }, ["hit", "hit", "hit"])
            XCTAssertEqual(Set(responses.map(\.body)).count, 1)
        }
    }

    /// A keep-alive connection served only from the event loop is still closed by the idle timeout.
    func testIdleTimeoutClosesAConnectionServedOnTheEventLoop() async throws {
        let cached = Self.cachedTile
        try await Self.withCachedTile(idleTimeoutSeconds: 0.5) { _, port in
            let (responses, closed, seconds) = try await RawConnection.run(port: port) { c -> ([RawResponse], Bool, Double) in
                var all: [RawResponse] = []
                for _ in 0..<3 {
                    try c.send("GET \(cached) HTTP/1.1\r\nHost: x\r\n\r\n")
                    all += try c.readResponses(1, timeout: 10)
                    Thread.sleep(forTimeInterval: 0.2)  // activity within the timeout keeps it open
                }
                let start = RawConnection.now()
                let closed = c.peerClosed(waiting: 10)
                return (all, closed, RawConnection.now() - start)
            }
            XCTAssertEqual(responses.map(\.status), [200, 200, 200])
            XCTAssertTrue(closed, "an idle connection was kept open")
            XCTAssertLessThan(seconds, 5)
            // (The test client's own connection has idled out too: a new one.)
            let metrics = try await RawConnection.run(port: port) { c -> String in
                try c.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
                return String(decoding: try c.readResponses(1, timeout: 10)[0].body, as: UTF8.self)
            }
            XCTAssertEqual(Self.metric(metrics, "taskmap_tile_cache_hits_event_loop_total"), 3)
        }
    }
}

/// One HTTP/1.1 response read off a raw connection.
struct RawResponse: Sendable {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]
    func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
}

extension RawConnection {
    /// Reads exactly `count` responses (Content-Length framed; a 304 has no body).
    func readResponses(_ count: Int, timeout: Double) throws -> [RawResponse] {
        let start = Self.now()
        var buffer: [UInt8] = []
        var out: [RawResponse] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while out.count < count {
            // Parse whatever is complete.
            if let headEnd = buffer.firstRange(of: Array("\r\n\r\n".utf8)) {
                let head = String(decoding: buffer[..<headEnd.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
                let status = Int(head[0].split(separator: " ")[1]) ?? -1
                let headers = head.dropFirst().compactMap { line -> (String, String)? in
                    guard let colon = line.firstIndex(of: ":") else { return nil }
                    return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
                }
                let length = status == 304 ? 0 : Int(headers.first { $0.0.lowercased() == "content-length" }?.1 ?? "0") ?? 0
                if buffer.count - headEnd.upperBound >= length {
                    out.append(RawResponse(status: status, headers: headers,
                                           body: Array(buffer[headEnd.upperBound..<(headEnd.upperBound + length)])))
                    buffer.removeFirst(headEnd.upperBound + length)
                    continue
                }
            }
            let left = timeout - (Self.now() - start)
            guard left > 0 else { throw POSIXError(.ETIMEDOUT) }
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, Int32(max(1, left * 1000))) > 0 else { throw POSIXError(.ETIMEDOUT) }
            let n = recv(fd, &chunk, chunk.count, 0)
            guard n > 0 else { throw POSIXError(.ECONNRESET) }
            buffer += chunk[0..<n]
        }
        return out
    }
}

extension EventLoopTileHitTests {
    /// Query readings are kept per layer and query text, and the memo stays within its bound.
    func testSelectionMemoIsBounded() throws {
        let memo = SelectionMemo(limit: 8)
        var reads = 0
        let read = { () -> TileHits.Selection in reads += 1; return TileHits.Selection(filter: ComplaintFilter(), filterKey: "", metric: nil) }
        for i in 0..<20 { _ = try memo.reading(layer: "heat", query: Substring("v=\(i)"), read) }
        XCTAssertLessThanOrEqual(memo.count, 8)
        XCTAssertEqual(reads, 20)
        _ = try memo.reading(layer: "heat", query: "v=19", read)
        XCTAssertEqual(reads, 20, "a known reading is not parsed again")
        _ = try memo.reading(layer: "pins", query: "v=19", read)
        XCTAssertEqual(reads, 21, "readings are per layer (metrics differ by layer)")
        struct Bad: Error {}
        XCTAssertThrowsError(try memo.reading(layer: "heat", query: "bad", { throw Bad() }))
        XCTAssertThrowsError(try memo.reading(layer: "heat", query: "bad", { throw Bad() }), "errors are not kept")
    }

    /// The event loop reads a tile path only when it is plain, and then exactly as the router's URI does.
    func testTilePathReading() {
        let p = CachedTileResponder.tilePath
        XCTAssertEqual(p("/tiles/heat/13/4937/3172.png").map { [$0.parts.layer, $0.parts.z, $0.parts.x, $0.parts.y] },
                       ["heat", "13", "4937", "3172"])
        XCTAssertEqual(p("/tiles/pins/14/1/2@2x.png?category=su").map { [$0.parts.y, String($0.query)] }, ["2@2x", "category=su"])
        XCTAssertEqual(p("/tiles/pins/14/1/2.png?").map { String($0.query) }, "")
        XCTAssertEqual(p("/tiles/pins/14/1/2.png").map { String($0.query) }, "")
        for declined in ["/tiles/heat/13/4937/3172.jpg", "/tules/heat/-1/0/0.png?limit=0", "/Tiles/heat/1/0/0.png", "x/tiles/heat/1/0/0.png", "/tiles/h%65at/13/1/2.png", "/tiles/heat//1/2.png",
                         "/tiles/heat/13/1/2/3.png", "/tiles/heat/13/1/.png", "/tiles/heat/../1/2.png", "/tiles/heat/13/1/2.png#x",
                         "/tiles/heat/13/1.png", "/tiles/ısı/13/1/2.png", "/tiles/heat/13/1/2.pngx", "/tiles/heat/1 3/1/2.png"] {
            XCTAssertNil(p(declined), declined)
        }
        // Whatever it reads, the router's URI reads the same segments (deterministic pseudo-random targets).
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
        let alphabet = Array("aZ09-_.@/%?#=&ı ").map(String.init)
        func segment() -> String {
            (0..<next(4)).map { _ in next(3) == 0 ? alphabet[next(alphabet.count)] : String(next(10)) }.joined()
        }
        var compared = 0
        for _ in 0..<20_000 {
            let target = "/tiles/" + segment() + "/" + segment() + "/" + segment() + "/" + segment() + ".png" + (next(2) == 0 ? "" : "?" + segment())
            guard let read = p(target) else { continue }
            compared += 1
            let segments = URI(target).path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            XCTAssertEqual(segments, ["", "tiles", read.parts.layer, read.parts.z, read.parts.x, read.parts.y + ".png"], target)
        }
        XCTAssertGreaterThan(compared, 1_000, "the random targets hardly ever made a plain tile path")
    }
}

/// `FakeTileSource` that takes `delaySeconds` to render each tile.
struct SlowTileSource: TileSource {
    var delaySeconds: Double
    let base = FakeTileSource()
    var layerIDs: [String] { base.layerIDs }
    var minZoom: Int { base.minZoom }
    var maxZoom: Int { base.maxZoom }
    var attribution: String { base.attribution }
    func metrics(layer: String) -> [String] { base.metrics(layer: layer) }
    func dependence(layer: String) -> TileDependence { base.dependence(layer: layer) }
    func render(_ tile: TileRequest, snapshot: ComplaintSnapshot, filter: CompiledFilter) throws -> [UInt8] {
        Thread.sleep(forTimeInterval: delaySeconds)
        return try base.render(tile, snapshot: snapshot, filter: filter)
    }
    func legend(layer: String, metric: String?, filter: ComplaintFilter, zoom: Int?) -> TileLegend {
        base.legend(layer: layer, metric: metric, filter: filter, zoom: zoom)
    }
}
