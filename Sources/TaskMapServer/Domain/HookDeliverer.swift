import Crypto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GeoIndex
import Logging
import ServiceLifecycle

/// Delivers the hook outbox: POSTs each due row to its receiver, signed as Stripe signs its webhooks
/// (`X-Taskmap-Signature: t=<unix seconds>,v1=<hex HMAC-SHA-256 of "<t>.<body>">`), with the row id as
/// `X-Taskmap-Delivery` (the same on every retry, so a receiver can drop a repeat). A 2xx marks it delivered;
/// anything else (refused, timed out, 3xx — redirects are not followed —, 4xx, 5xx) schedules a retry after 1 s,
/// doubling to `maxBackoff`, until `expireAfter` from the event. Deliveries run concurrently (at most
/// `maxConcurrent`), but a complaint's events reach a hook in order: the outbox hands out a row only when the
/// hook's earlier rows for that complaint are done.
public final class HookDeliverer: Service, @unchecked Sendable {
    public struct Options: Sendable {
        public var maxConcurrent = 16
        public var timeout: TimeInterval = 10
        public var firstBackoff: TimeInterval = 1
        public var maxBackoff: TimeInterval = 300
        public var expireAfter: TimeInterval = 24 * 3600
        /// How often the outbox is looked at when nothing woke the loop.
        public var pollInterval: TimeInterval = 0.25
        /// A receiver's answer is read up to this many bytes, then the connection is dropped.
        public var maxResponseBytes = 64 * 1024
        /// The SLA timer: how often open work is checked against its category's target (hours; others default).
        public var overdueCheckInterval: TimeInterval = 60
        public var slaHours: [String: Double] = [:]
        public var defaultSLAHours = 72.0
        public init() {}
    }

    let store: any HookOutbox
    let options: Options
    let metrics: ServerMetrics?
    let logger: Logger
    private let client: HookHTTPClient
    private let lock = NSLock()
    private var inFlight = Set<Int64>()

    init(store: any HookOutbox, options: Options = Options(), metrics: ServerMetrics? = nil, logger: Logger = Logger(label: "taskmap.hooks")) {
        self.store = store
        self.options = options
        self.metrics = metrics
        self.logger = logger
        client = HookHTTPClient(timeout: options.timeout, maxResponseBytes: options.maxResponseBytes)
    }

    /// Runs until the service group shuts down.
    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            var lastOverdueCheck = Date.distantPast
            while !Task.isCancelled {
                if Date().timeIntervalSince(lastOverdueCheck) >= self.options.overdueCheckInterval {
                    lastOverdueCheck = Date()
                    do {
                        try self.store.checkOverdue(slaHours: self.options.slaHours, defaultHours: self.options.defaultSLAHours,
                                                    window: 86_400, now: Date())
                    } catch { self.logger.error("hooks: the SLA check failed: \(error)") }
                }
                _ = await self.deliverDue()
                try? await Task.sleep(nanoseconds: UInt64(self.options.pollInterval * 1e9))
            }
        }
    }

    /// One pass: starts every due delivery not already in flight (up to `maxConcurrent` in flight) and returns how
    /// many it started. With `wait`, returns after they finish (tests).
    @discardableResult
    public func deliverDue(now: Date = Date(), wait: Bool = false) async -> Int {
        let due: [HookDelivery]
        // A store that leases what it returns is asked only for what will start now (a claimed row waits out its
        // lease unseen by other servers); otherwise more, since rows already in flight come back too.
        let free = max(0, options.maxConcurrent - lock.withLock { inFlight.count })
        if store.leasesDeliveries && free == 0 { return 0 }
        do { due = try store.dueDeliveries(now: now, limit: store.leasesDeliveries ? free : options.maxConcurrent * 4) } catch {
            logger.error("hooks: reading the outbox failed: \(error)")
            return 0
        }
        var started: [HookDelivery] = []
        lock.withLock {
            for d in due where !inFlight.contains(d.id) && inFlight.count < options.maxConcurrent {
                inFlight.insert(d.id)
                started.append(d)
            }
        }
        guard !started.isEmpty else { return 0 }
        let tasks = started.map { d in Task { await self.deliver(d) } }
        if wait { for t in tasks { await t.value } }
        return started.count
    }

    private func deliver(_ d: HookDelivery) async {
        defer { _ = lock.withLock { inFlight.remove(d.id) } }
        let t = Int(Date().timeIntervalSince1970)
        let signature = Self.signature(secret: d.secret, timestamp: t, body: d.body)
        let result = await client.post(url: d.url, body: Data(d.body.utf8), headers: [
            "Content-Type": "application/json",
            "User-Agent": "taskmap-hooks/1",
            "X-Taskmap-Event": d.event,
            "X-Taskmap-Delivery": String(d.id),
            "X-Taskmap-Signature": "t=\(t),v1=\(signature)",
        ])
        do {
            switch result {
            case .success(let status) where (200..<300).contains(status):
                try store.markDelivered(d.id, at: Date())
                metrics?.hookDelivered()
            default:
                let error: String
                switch result {
                case .success(let status): error = "HTTP \(status)"
                case .failure(let e): error = e
                }
                // Attempt n (1 = the first) failed: wait firstBackoff · 2^(n-1), at most maxBackoff, ±10%.
                let n = d.attempts + 1
                let base = min(options.maxBackoff, options.firstBackoff * pow(2, Double(n - 1)))
                let retry = Date().addingTimeInterval(base * Double.random(in: 0.9...1.1))
                let expired = try store.markFailed(d.id, error: error, retryAt: retry, expireAfter: options.expireAfter, now: Date())
                if expired { metrics?.hookExpired() } else { metrics?.hookFailed() }
                logger.notice("hook delivery \(d.id) to \(d.url) failed (\(error)); \(expired ? "expired" : "retry in \(Int(base.rounded())) s")")
            }
        } catch {
            logger.error("hooks: recording delivery \(d.id) failed: \(error)")
        }
    }

    /// Hex HMAC-SHA-256 of "<t>.<body>" with the secret.
    public static func signature(secret: String, timestamp: Int, body: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(timestamp).\(body)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return mac.map { String(format: "%02x", $0) }.joined()
    }
}

/// What the deliverer needs from the store.
public protocol HookOutbox: AnyObject, Sendable {
    /// Whether `dueDeliveries` claims what it returns (a lease, several servers over one outbox): then only as many
    /// as will start now are asked for.
    var leasesDeliveries: Bool { get }
    func dueDeliveries(now: Date, limit: Int) throws -> [HookDelivery]
    func markDelivered(_ id: Int64, at now: Date) throws
    @discardableResult
    func markFailed(_ id: Int64, error: String, retryAt: Date, expireAfter: TimeInterval, now: Date) throws -> Bool
    func hookStatus() throws -> [HookStatus]
    @discardableResult
    func checkOverdue(slaHours: [String: Double], defaultHours: Double, window: TimeInterval, now: Date) throws -> Int
}

extension SpatiaLiteStore: HookOutbox { public var leasesDeliveries: Bool { false } }
extension PostGISStore: HookOutbox { public var leasesDeliveries: Bool { true } }

/// POSTs with URLSession: http(s) only, no redirects followed, a timeout, and the answer read only up to a cap.
final class HookHTTPClient: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    enum Outcome { case success(Int), failure(String) }
    private let timeout: TimeInterval
    private let maxResponseBytes: Int
    private var session: URLSession!
    private let lock = NSLock()
    private var waiting: [Int: (continuation: CheckedContinuation<Outcome, Never>, status: Int?, bytes: Int)] = [:]

    init(timeout: TimeInterval, maxResponseBytes: Int) {
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
        super.init()
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = timeout
        config.timeoutIntervalForResource = timeout
        config.httpMaximumConnectionsPerHost = 16
        config.httpCookieStorage = nil
        config.urlCache = nil
        session = URLSession(configuration: config, delegate: self, delegateQueue: nil)
    }

    func post(url: String, body: Data, headers: [String: String]) async -> Outcome {
        guard let u = URL(string: url), let scheme = u.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            return .failure("not an http(s) URL: \(url)")
        }
        var request = URLRequest(url: u)
        request.httpMethod = "POST"
        request.httpBody = body
        request.timeoutInterval = timeout
        for (k, v) in headers { request.setValue(v, forHTTPHeaderField: k) }
        return await withCheckedContinuation { c in
            let task = session.dataTask(with: request)
            lock.withLock { waiting[task.taskIdentifier] = (c, nil, 0) }
            task.resume()
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        completionHandler(nil)  // the 3xx itself is the answer: a failed delivery
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        lock.withLock { waiting[dataTask.taskIdentifier]?.status = status }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let over: Bool = lock.withLock {
            guard var w = waiting[dataTask.taskIdentifier] else { return false }
            w.bytes += data.count
            waiting[dataTask.taskIdentifier] = w
            return w.bytes > maxResponseBytes
        }
        if over { dataTask.cancel() }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        guard let w = lock.withLock({ waiting.removeValue(forKey: task.taskIdentifier) }) else { return }
        if let status = w.status, w.bytes > maxResponseBytes {
            w.continuation.resume(returning: (200..<300).contains(status) ? .success(status) : .failure("HTTP \(status), answer over \(maxResponseBytes) bytes"))
        } else if let error {
            w.continuation.resume(returning: .failure(error.localizedDescription))
        } else {
            w.continuation.resume(returning: .success(w.status ?? 0))
        }
    }
}
