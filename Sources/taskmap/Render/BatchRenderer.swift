import Foundation
import GeoIndex
import TaskMapServer

/// Renders a planned list of tiles on `jobs` threads into a sink, skipping tiles the sink already has when
/// resuming, reporting progress, and stopping cleanly (committing what was written) when cancelled.
final class BatchRenderer: @unchecked Sendable {
    struct Result { var written = 0; var skipped = 0; var seconds = 0.0; var cancelled = false }

    let source: any TileSource
    let jobs: Int
    let progress: Progress
    private let cancelFlag: CancelFlag

    init(source: any TileSource, jobs: Int, progress: Progress, cancel: CancelFlag) {
        self.source = source; self.jobs = max(1, jobs); self.progress = progress; self.cancelFlag = cancel
    }

    func run(layer: String, metric: String?, retina: Bool, filter: ComplaintFilter, compiled: CompiledFilter,
             snapshot: ComplaintSnapshot, tiles: [TileAddress], sink: any TileSink, resume: Bool) throws -> Result {
        let start = DispatchTime.now().uptimeNanoseconds
        var todo = tiles
        var result = Result()
        if resume {
            todo = try tiles.filter { !(try sink.contains(z: $0.z, x: $0.x, y: $0.y)) }
            result.skipped = tiles.count - todo.count
        }
        let lock = NSLock()
        var next = 0
        var firstError: Error?
        progress.begin(total: todo.count, label: "\(layer) → \(sink.location)")
        DispatchQueue.concurrentPerform(iterations: jobs) { _ in
            while true {
                let i: Int? = lock.withLock {
                    guard firstError == nil, !cancelFlag.isSet, next < todo.count else { return nil }
                    defer { next += 1 }
                    return next
                }
                guard let i else { return }
                let t = todo[i]
                do {
                    let png = try source.render(TileRequest(layer: layer, tile: t, retina: retina, filter: filter, metric: metric),
                                                snapshot: snapshot, filter: compiled)
                    try lock.withLock {
                        try sink.put(z: t.z, x: t.x, y: t.y, png: png)
                        result.written += 1
                    }
                    progress.tick()
                } catch {
                    lock.withLock { if firstError == nil { firstError = error } }
                }
            }
        }
        progress.end()
        if let firstError { throw firstError }
        result.cancelled = cancelFlag.isSet
        result.seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return result
    }
}

/// Set by SIGINT/SIGTERM; workers stop taking tiles and the sink commits what it has.
final class CancelFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    private var sources: [DispatchSourceSignal] = []
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }

    /// Routes Ctrl-C and SIGTERM to this flag instead of killing the process.
    func installSignalHandlers() {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            s.setEventHandler { [weak self] in
                self?.set()
                FileHandle.standardError.write(Data("\ninterrupted: finishing the tiles in flight and committing\n".utf8))
            }
            s.resume()
            sources.append(s)
        }
    }
}

/// Progress on stderr: a bar with tiles/s and ETA on a terminal, a plain line every few seconds otherwise.
final class Progress: @unchecked Sendable {
    private let lock = NSLock()
    private var total = 0, done = 0
    private var label = ""
    private var start: UInt64 = 0, lastPrint: UInt64 = 0
    let isTTY = isatty(STDERR_FILENO) == 1
    let quiet: Bool
    init(quiet: Bool) { self.quiet = quiet }

    func begin(total: Int, label: String) {
        lock.withLock { self.total = total; done = 0; self.label = label; start = DispatchTime.now().uptimeNanoseconds; lastPrint = 0 }
    }

    func tick() {
        lock.withLock {
            done += 1
            let now = DispatchTime.now().uptimeNanoseconds
            let interval: UInt64 = isTTY ? 100_000_000 : 5_000_000_000
            if now - lastPrint >= interval || done == total { lastPrint = now; printLine(now) }
        }
    }

    func end() { lock.withLock { if isTTY && !quiet { FileHandle.standardError.write(Data("\n".utf8)) } } }

    private func printLine(_ now: UInt64) {
        guard !quiet else { return }
        let secs = max(Double(now - start) / 1e9, 1e-9)
        let rate = Double(done) / secs
        let eta = rate > 0 ? Double(total - done) / rate : 0
        if isTTY {
            let width = 30, filled = total == 0 ? width : width * done / total
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            FileHandle.standardError.write(Data(String(format: "\r%@ %@ %d/%d tiles  %.0f tiles/s  ETA %.0f s ", label, bar, done, total, rate, eta).utf8))
        } else {
            FileHandle.standardError.write(Data(String(format: "%@: %d/%d tiles, %.0f tiles/s, ETA %.0f s\n", label, done, total, rate, eta).utf8))
        }
    }
}
