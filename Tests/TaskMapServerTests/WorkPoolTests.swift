import Foundation
import HTTPTypes
import XCTest
@testable import TaskMapServer

/// The work pool (renders and analytics, one thread per core, in arrival order) refuses work past its limit with
/// 503 and `Retry-After` instead of queueing without end, and takes work again once the queue drains.
final class WorkPoolTests: XCTestCase {
    final class Gate: @unchecked Sendable {
        private let lock = NSLock()
        private var entered = false
        let release = DispatchSemaphore(value: 0)
        func enter() { lock.withLock { entered = true } }
        var hasEntered: Bool { lock.withLock { entered } }
    }

    func testRefusesWorkBeyondItsLimitWith503AndRecovers() async throws {
        let metrics = ServerMetrics()
        let pool = WorkPool(metrics: metrics, limit: 1)
        let gate = Gate()
        let first = Task { try await pool.run("test") { gate.enter(); gate.release.wait(); return 1 } }
        while !gate.hasEntered { try await Task.sleep(for: .milliseconds(1)) }
        do {
            _ = try await pool.run("test") { 2 }
            XCTFail("the second piece of work must be refused while the first holds the only slot")
        } catch let e as APIError {
            XCTAssertEqual(e.status, .serviceUnavailable)
            XCTAssertEqual(e.headers[.retryAfter], "1")
        }
        gate.release.signal()
        let v = try await first.value
        XCTAssertEqual(v, 1)
        let again = try await pool.run("test") { 3 }
        XCTAssertEqual(again, 3, "the slot is free again")
        let text = metrics.render(ServerMetrics.Gauges(complaints: 0, dataVersion: 1, eventClients: 0, tileCacheBytes: 0, tileCacheEntries: 0))
        XCTAssertTrue(text.contains("taskmap_work_rejected_total 1\n"), text)
        XCTAssertTrue(text.contains("taskmap_work_seconds_count{kind=\"test\"} 2\n"), text)
    }

    /// Cancelled work (server shutdown) answers 503, not a logged 500.
    func testCancellationIsNotAnInternalError() {
        XCTAssertEqual(APIError.from(CancellationError()).status, .serviceUnavailable)
    }
}
