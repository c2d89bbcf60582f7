import Foundation
import NIOPosix

/// Where request handlers run CPU-heavy work (tile renders, analytics): NIO's thread pool, one thread per
/// core, first in first out, timed into `/metrics` (`taskmap_work_queue_seconds`, `taskmap_work_seconds`).
///
/// Why not inline in the handler: Swift's cooperative pool, saturated by handlers that each compute for a
/// millisecond, does not serve connections in arrival order. Measured with a minimal Hummingbird app (a 1 ms
/// CPU handler, wrk on loopback, 2 cores): 64 connections p50 41 ms / p99 288 ms inline, p50 33 ms / p99 38 ms
/// with the same work here; 8 connections p99 69 ms against 7.5 ms. The cooperative threads keep the cheap
/// part of every request (parse, cache lookup, write), so cached tiles never queue behind renders.
/// `TASKMAP_RENDER_INLINE=1` in the environment runs the work inline instead (for that comparison only).
///
/// A request whose client has gone away (task cancelled) is dropped from the queue before it runs.
struct WorkPool: Sendable {
    let metrics: ServerMetrics
    static let inline = ProcessInfo.processInfo.environment["TASKMAP_RENDER_INLINE"] == "1"

    func run<T: Sendable>(_ kind: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
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
