import Foundation
import GeoIndex
import Logging
import ServiceLifecycle

/// Keeps a server over a PostGIS pool fresh with what other servers (and tools) write: waits on the pool's
/// change feed (LISTEN/NOTIFY as the wake-up, the commit-ordered change log as the truth) on its own thread and
/// connection, and publishes each changed complaint to the live snapshot and the event stream — the same path a
/// local write takes, so tiles, caches and work screens follow. Its own writes (marked with its store's writer id)
/// come back too and are applied again without an event: the row read now is the truth, whichever order a local and
/// a remote change to one complaint were published in, and a write whose answer was lost still reaches the snapshot.
/// When the database goes away it reconnects (every second) and first catches up with everything it missed.
final class PoolListener: Service, @unchecked Sendable {
    let service: TaskMapService
    let store: PostGISStore
    let feed: PoolChangeFeed
    let logger: Logger
    private let lock = NSLock()
    private var stopping = false
    private(set) var generation: Int64

    /// `generation`: the pool's generation read before the server's snapshot was loaded.
    init(service: TaskMapService, store: PostGISStore, feed: PoolChangeFeed, generation: Int64, logger: Logger) {
        self.service = service
        self.store = store
        self.feed = feed
        self.generation = generation
        self.logger = logger
    }

    func run() async throws {
        let done = DispatchSemaphore(value: 0)
        let thread = Thread { [self] in
            loop()
            done.signal()
        }
        thread.name = "taskmap pool listener"
        thread.start()
        try? await gracefulShutdown()
        lock.withLock { stopping = true }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async { done.wait(); c.resume() }
        }
    }

    private var isStopping: Bool { lock.withLock { stopping } }

    private func loop() {
        var connected = true
        var lastPrune = Date.distantPast
        while !isStopping {
            if Date().timeIntervalSince(lastPrune) > 3600 {
                lastPrune = Date()
                do { try store.pruneChangeLog(keepDays: 7) } catch { logger.warning("pool: pruning the change log failed: \(error)") }
            }
            do {
                let changes = try feed.next(after: generation, timeout: 0.5)
                if !connected {
                    connected = true
                    logger.notice("pool: database reachable again; caught up to generation \(changes.generation)")
                }
                service.metrics.poolConnected(true)
                apply(changes)
            } catch {
                if connected { logger.error("pool: change feed lost: \(error)") }
                connected = false
                service.metrics.poolConnected(false)
                Thread.sleep(forTimeInterval: 1)
            }
        }
    }

    func apply(_ changes: PoolChanges) {
        guard !changes.isEmpty else { return }
        if changes.reload {
            do {
                // Under the write lock: a local write cannot be published between the read and the swap (and lost).
                let count = try service.replaceSnapshot { try store.loadSnapshot() }
                logger.notice("pool: snapshot reloaded after a bulk change (\(count) complaints)")
            } catch {
                logger.error("pool: reloading the snapshot failed: \(error)")
                return  // generation not advanced: tried again on the next wake-up
            }
        }
        for c in changes.changed {
            // The row as it is now, published in the write lock's order: a remote change that raced a local one
            // cannot leave an older state behind, because the local one comes back here too (as `own`).
            service.publishRemote(c, announce: !changes.own.contains(c.id))
        }
        for id in changes.deleted { service.live.remove(id: id) }
        service.metrics.poolChangesApplied(changes.changed.count + changes.deleted.count)
        generation = changes.generation
    }
}
