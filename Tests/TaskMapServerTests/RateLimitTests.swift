import Foundation
import GeoIndex
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import XCTest
@testable import TaskMapServer

/// The per-key write limit (RELIABILITY.md §6): a token bucket per API key, 429 with `Retry-After` beyond it.
/// Time is a hand-moved clock, so nothing sleeps.
final class RateLimitTests: XCTestCase {
    final class ManualClock: @unchecked Sendable {
        private let lock = NSLock()
        private var t = 1_000.0
        var now: Double { lock.withLock { t } }
        func advance(_ seconds: Double) { lock.withLock { t += seconds } }
        var clock: RateLimiter.Clock { { [self] in now } }
    }

    func testTokenBucket() {
        let time = ManualClock()
        let limiter = RateLimiter(perMinute: 60, burst: 3, clock: time.clock)  // one token a second, three at once
        XCTAssertEqual((0..<3).map { _ in limiter.take(1) }, [.allowed, .allowed, .allowed])
        XCTAssertEqual(limiter.take(1), .limited(retryAfterSeconds: 1))
        XCTAssertEqual(limiter.take(2), .allowed, "another key has its own bucket")
        time.advance(0.5)
        XCTAssertEqual(limiter.take(1), .limited(retryAfterSeconds: 1), "half a token is not a token")
        time.advance(0.5)
        XCTAssertEqual(limiter.take(1), .allowed)
        XCTAssertEqual(limiter.take(1), .limited(retryAfterSeconds: 1))
        // A long pause refills to the burst, not beyond.
        time.advance(3_600)
        XCTAssertEqual((0..<4).map { _ in limiter.take(1) }, [.allowed, .allowed, .allowed, .limited(retryAfterSeconds: 1)])

        // Slow rates: Retry-After is the wait for the next whole token, rounded up.
        let slow = RateLimiter(perMinute: 6, burst: 1, clock: time.clock)  // a token every 10 s
        XCTAssertEqual(slow.take(7), .allowed)
        XCTAssertEqual(slow.take(7), .limited(retryAfterSeconds: 10))
        time.advance(2.5)
        XCTAssertEqual(slow.take(7), .limited(retryAfterSeconds: 8))
        time.advance(7.6)
        XCTAssertEqual(slow.take(7), .allowed)
    }

    /// A bucket is kept while it is below full (forgetting it would hand out tokens); once more than
    /// `pruneThreshold` are held, the full ones are dropped. Only authenticated keys get buckets, so this is
    /// bounded by the keys in the store — and here, by keys that wrote within the last burst/rate seconds.
    func testBucketsStayBounded() {
        let time = ManualClock()
        let limiter = RateLimiter(perMinute: 60, burst: 2, clock: time.clock)
        for key in 0..<Int64(5_000) { XCTAssertEqual(limiter.take(key), .allowed) }
        XCTAssertEqual(limiter.bucketCount, 5_000, "all 5,000 are part-used and remembered")
        XCTAssertEqual(limiter.take(7), .allowed)
        XCTAssertEqual(limiter.take(7), .limited(retryAfterSeconds: 1), "key 7's bucket was remembered")
        // Two seconds on, all have refilled: the next take prunes them.
        time.advance(2)
        XCTAssertEqual(limiter.take(1), .allowed)
        XCTAssertEqual(limiter.bucketCount, 1)
        XCTAssertEqual(limiter.take(3), .allowed)
        XCTAssertEqual(limiter.take(3), .allowed)
        XCTAssertEqual(limiter.take(3), .limited(retryAfterSeconds: 1), "a forgotten bucket starts full, as it would have been")
    }

    func testConcurrentTakesNeverExceedTheBurst() async {
        let limiter = RateLimiter(perMinute: 1, burst: 50, clock: { 0 })
        let allowed = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask { (0..<100).reduce(0) { n, _ in n + (limiter.take(42) == .allowed ? 1 : 0) } }
            }
            return await group.reduce(0, +)
        }
        XCTAssertEqual(allowed, 50)
    }

    static let body = #"{"lon":36.93,"lat":37.58,"category":"yol"}"#
    static let formHeaders: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
    static func form(_ key: String) -> ByteBuffer { ByteBuffer(string: "api_key=\(key)&service_code=yol&lat=37.57&long=36.92") }

    /// Over the limit: 429 with Retry-After and a JSON error body (Open311's error list on Open311); POST, PATCH
    /// and Open311 POST share one bucket per key; another key is not affected; after the refill writes pass again;
    /// refused writes store nothing and are counted in /metrics.
    func testWritesOverTheLimitGet429() async throws {
        let f = try ServerFixture()
        defer { f.remove() }
        let other = try f.store.createAPIKey(name: "second").key
        let time = ManualClock()
        var config = f.config
        config.writeRateLimitPerMinute = 6
        config.writeRateLimitBurst = 3
        let limiter = try XCTUnwrap(RateLimiter(config, clock: time.clock))
        let app = try buildApplication(config, store: try SpatiaLiteStore(path: config.databasePath), tiles: FakeTileSource(),
                                       writeLimiter: limiter)
        try await app.test(.router) { client in
            let first = try await client.postJSON("/api/complaints", Self.body, key: f.key)
            XCTAssertEqual(first.status, .created)
            let id = try XCTUnwrap(try first.object()["id"] as? Int)
            let r1 = try await client.patchJSON("/api/complaints/\(id)", #"{"status":"assigned"}"#, key: f.key)
            XCTAssertEqual(r1.status, .ok)
            let o311 = try await client.execute(uri: "/open311/v2/requests.json", method: .post, headers: Self.formHeaders, body: Self.form(f.key))
            XCTAssertEqual(o311.status, .created, o311.text)
            XCTAssertEqual(try f.store.complaintCount(), 14)

            // The bucket (3) is empty: each kind of write is refused, with the wait for the next token (10 s).
            let refused = try await client.postJSON("/api/complaints", Self.body, key: f.key)
            assertError(refused, .tooManyRequests)
            XCTAssertEqual(refused.headers[.retryAfter], "10")
            XCTAssertTrue(refused.text.contains("rate limit"), refused.text)
            let patch = try await client.patchJSON("/api/complaints/\(id)", #"{"status":"in_progress"}"#, key: f.key)
            assertError(patch, .tooManyRequests)
            XCTAssertEqual(patch.headers[.retryAfter], "10")
            let open311 = try await client.execute(uri: "/open311/v2/requests.json", method: .post, headers: Self.formHeaders, body: Self.form(f.key))
            XCTAssertEqual(open311.status, .tooManyRequests)
            XCTAssertEqual(open311.headers[.retryAfter], "10")
            XCTAssertEqual(open311.headers[.contentType], "application/json; charset=utf-8")
            let list = try XCTUnwrap(try open311.json() as? [[String: Any]])
            XCTAssertEqual(list.first?["code"] as? Int, 429)
            XCTAssertNotNil(list.first?["description"] as? String)
            let xml = try await client.execute(uri: "/open311/v2/requests.xml", method: .post, headers: Self.formHeaders, body: Self.form(f.key))
            XCTAssertEqual(xml.status, .tooManyRequests)
            XCTAssertTrue(xml.text.contains("<code>429</code>"), xml.text)
            XCTAssertEqual(try f.store.complaintCount(), 14, "refused writes store nothing")
            XCTAssertEqual(try f.store.workflowState(id: Int64(id))?.complaint.fields.status, .assigned)

            // Reads are not limited; authentication comes first (no key → 401, a bad key → 403, not 429).
            let r2 = try await client.get("/api/complaints/\(id)")
            XCTAssertEqual(r2.status, .ok)
            assertError(try await client.postJSON("/api/complaints", Self.body, key: nil), .unauthorized)
            assertError(try await client.postJSON("/api/complaints", Self.body, key: "tmk_nope"), .forbidden)

            // Another key has its own bucket.
            let r3 = try await client.postJSON("/api/complaints", Self.body, key: other)
            XCTAssertEqual(r3.status, .created)

            // 9.9 s later: still refused (1 s to wait); at 10 s one token is back, and only one.
            time.advance(9.9)
            let r4 = try await client.postJSON("/api/complaints", Self.body, key: f.key)
            XCTAssertEqual(r4.headers[.retryAfter], "1")
            time.advance(0.15)
            let r5 = try await client.postJSON("/api/complaints", Self.body, key: f.key)
            XCTAssertEqual(r5.status, .created)
            let r6 = try await client.postJSON("/api/complaints", Self.body, key: f.key)
            XCTAssertEqual(r6.status, .tooManyRequests)
            // 31 s more: three tokens (the bucket's size).
            time.advance(31)
            for _ in 0..<3 {
                let r = try await client.postJSON("/api/complaints", Self.body, key: f.key)
                XCTAssertEqual(r.status, .created)
            }
            let r7 = try await client.postJSON("/api/complaints", Self.body, key: f.key)
            XCTAssertEqual(r7.status, .tooManyRequests)

            let metrics = try await client.get("/metrics").text
            XCTAssertTrue(metrics.contains("\ntaskmap_rate_limited_total 7\n"), metrics)
            XCTAssertTrue(metrics.contains("# TYPE taskmap_rate_limited_total counter"))
            XCTAssertEqual(try f.store.complaintCount(), 19)
        }
    }

    /// `writeRateLimitPerMinute = 0`: no limiter, no 429 however many writes.
    func testRateLimitOff() async throws {
        let f = try ServerFixture()
        defer { f.remove() }
        var config = f.config
        config.writeRateLimitPerMinute = 0
        config.writeRateLimitBurst = 1
        XCTAssertNil(RateLimiter(config))
        let app = try buildApplication(config, store: try SpatiaLiteStore(path: config.databasePath), tiles: FakeTileSource())
        try await app.test(.router) { client in
            for i in 0..<30 {
                let r = try await client.postJSON("/api/complaints", Self.body, key: f.key, extra: [.xIdempotencyKey: "off-\(i)"])
                XCTAssertEqual(r.status, .created, r.text)
            }
            let r8 = try await client.execute(uri: "/open311/v2/requests.json", method: .post, headers: Self.formHeaders,
                                                    body: Self.form(f.key))
            XCTAssertEqual(r8.status, .created)
            let r9 = try await client.get("/metrics")
            XCTAssertTrue(r9.text.contains("\ntaskmap_rate_limited_total 0\n"))
        }
        XCTAssertEqual(try f.store.complaintCount(), 12 + 31)
    }

    /// The defaults: 600 a minute in bursts of 60.
    func testDefaults() {
        let c = ServerConfiguration(databasePath: "x")
        XCTAssertEqual(c.writeRateLimitPerMinute, 600)
        XCTAssertEqual(c.writeRateLimitBurst, 60)
        XCTAssertEqual(c.idleTimeoutSeconds, 30)
        let limiter = RateLimiter(c)
        XCTAssertEqual(limiter?.perMinute, 600)
        XCTAssertEqual(limiter?.burst, 60)
    }
}

/// Keys at rest: the store file (and its WAL) holds only the SHA-256 of each key, never the key text.
final class KeyStorageTests: XCTestCase {
    func testStoreHoldsOnlyKeyHashes() throws {
        let f = try ServerFixture(complaints: 0)
        defer { f.remove() }
        let files = try FileManager.default.contentsOfDirectory(atPath: f.directory.path).filter { $0.hasPrefix("store.sqlite") }
        XCTAssertFalse(files.isEmpty)
        var all = Data()
        for name in files { all += try Data(contentsOf: f.directory.appendingPathComponent(name)) }
        for key in [f.key, f.revokedKey] {
            XCTAssertNil(all.range(of: Data(key.utf8)), "key text in the store")
            XCTAssertNil(all.range(of: Data(key.dropFirst(4).utf8)), "key body in the store")
            XCTAssertNotNil(all.range(of: Data(KeyHash.hex(key).utf8)), "the hash is what is kept")
        }
    }
}

extension KeyStorageTests {
    /// The access log writes the query with `api_key` values replaced (the header is never logged).
    func testAccessLogRedactsKeysInTheQuery() {
        XCTAssertEqual(AccessLog.redactedQuery("service_code=yol&api_key=tmk_secret&API_KEY=tmk_other"),
                       "service_code=yol&api_key=REDACTED&api_key=REDACTED")
        XCTAssertNil(AccessLog.redactedQuery(""))
        // Percent-encoded names are the same parameter to the form parser, so they are redacted too.
        XCTAssertEqual(AccessLog.redactedQuery("api%5Fkey=tmk_a&%61pi_key=tmk_b&api_keys=x"),
                       "api_key=REDACTED&api_key=REDACTED&api_keys=x")
    }
}
