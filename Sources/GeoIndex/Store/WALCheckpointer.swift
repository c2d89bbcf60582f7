import Foundation

/// Keeps the WAL short without putting checkpoints on the write path. The store's own connection has
/// `wal_autocheckpoint=0` (an automatic checkpoint runs inside the COMMIT of whichever insert crosses the
/// threshold: a latency spike for that complaint); this runs PASSIVE checkpoints from its own connection on a
/// background queue instead, which never blocks writers or readers. Closing the store also checkpoints.
final class WALCheckpointer: @unchecked Sendable {
    private let timer: DispatchSourceTimer
    private let connection: Database
    private let walPath: String
    /// Checkpoint once the WAL is larger than this many bytes.
    let thresholdBytes: Int

    init(path: String, interval: TimeInterval = 1.0, thresholdBytes: Int = 8 << 20) throws {
        connection = try Database(path: path)
        walPath = path + "-wal"
        self.thresholdBytes = thresholdBytes
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "taskmap.checkpoint", qos: .utility))
        timer.schedule(deadline: .now() + interval, repeating: interval)
        timer.setEventHandler { [weak self] in self?.tick() }
        timer.resume()
    }

    private func tick() {
        let size = (try? FileManager.default.attributesOfItem(atPath: walPath)[.size] as? Int) ?? 0
        guard size > thresholdBytes else { return }
        _ = try? connection.scalarInt("PRAGMA wal_checkpoint(PASSIVE)")
    }

    deinit { timer.cancel() }
}
