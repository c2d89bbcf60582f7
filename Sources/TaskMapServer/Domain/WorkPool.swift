import Foundation
import HTTPTypes
import NIOPosix

/// Where request handlers run CPU-heavy work (tile renders, analytics): NIO's thread pool, one thread per
/// core, first in first out, timed into `/metrics` (`taskmap_work_queue_seconds`, `taskmap_work_seconds`).
///
/// Why not inline in the handler: Swift's cooperative pool, saturated by handlers that each compute for a
/// millisecond, does not serve connections in arrival order. Measured with a minimal Hummingbird app (a 1 ms
/// CPU handler, wrk on loopback, 2 cores): 64 connections p50 41 ms / p99 288 ms inline, p50 33 ms / p99 38 ms
/// with the same work here; 8 connections p99 69 ms against 7.5 ms. The cooperative threads keep the cheap
/// part of every request (parse, cache lookup, 304s, write), so cached tiles never queue behind renders.
/// `TASKMAP_RENDER_INLINE=1` in the environment runs the work inline instead (for that comparison only).
///
/// Hummingbird does not cancel a handler whose client went away, so queued work still runs; what bounds the
/// queue is `limit`: past it, new work is refused at once with 503 and `Retry-After` (counted as
/// `taskmap_work_rejected_total`) instead of queueing without end behind clients that keep reconnecting.
/// Work whose task is cancelled (server shutdown) is dropped before it runs.
struct WorkPool: Sendable {
    let metrics: ServerMetrics
    /// Pieces of work queued or running at most.
    let limit: Int
    private let pending = PendingCount()
    static let inline = ProcessInfo.processInfo.environment["TASKMAP_RENDER_INLINE"] == "1"

    init(metrics: ServerMetrics, limit: Int) {
        self.metrics = metrics
        self.limit = limit
    }

    func run<T: Sendable>(_ kind: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        guard pending.enter(limit: limit) else {
            metrics.workRejected()
            throw APIError(.serviceUnavailable, "the server is busy (\(limit) renders queued): retry shortly",
                           headers: [.retryAfter: "1"])
        }
        defer { pending.leave() }
        let submitted = DispatchTime.now().uptimeNanoseconds
        let metrics = metrics
        let timed: @Sendable () throws -> T = {
            let started = DispatchTime.now().uptimeNanoseconds
            defer {
                let ended = DispatchTime.now().uptimeNanoseconds
                metrics.recordWork(kind: kind, queued: Double(started - submitted) / 1e9, ran: Double(ended - started) / 1e9)
            }
            return try body()
        }
        if Self.inline { return try timed() }
        return try await NIOThreadPool.singleton.runIfActive(timed)
    }
}

/// Work queued or running.
private final class PendingCount: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func enter(limit: Int) -> Bool { lock.withLock { if n >= limit { return false }; n += 1; return true } }
    func leave() { lock.withLock { n -= 1 } }
}
