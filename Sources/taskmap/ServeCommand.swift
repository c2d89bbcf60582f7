import ArgumentParser
import Foundation
import GeoIndex
import Logging
import TaskMapServer

/// `taskmap serve`: the tile server, intake API (with Open311 GeoReport v2), analytics API and viewer.
/// Stops gracefully on SIGTERM or SIGINT (open event streams are ended, in-flight requests finish).
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serve tiles, the intake and query API, Open311 and the browser viewer.")

    @OptionGroup var store: StoreOptions
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on.") var port = 8080
    @Option(help: "XYZ URL template of a base map for the viewer, e.g. https://tiles.example/{z}/{x}/{y}.png.") var basemap: String?
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.") var logLevel = "info"
    @Option(help: "Seconds a connection may go without a complete request head, body data or a new request before it is closed (slow clients); 0 = no timeout.")
    var idleTimeout = 30.0
    @Option(help: "Writes (POST/PATCH /api/complaints, Open311 POST) per minute per API key; over it → 429 with Retry-After. 0 = no limit.")
    var rateLimit = 600
    @Option(help: "Tile cache size in MiB (rendered PNGs kept in memory, least recently used dropped first).")
    var tileCacheMb = 256
    @Option(help: "Writes one API key may make at once before --rate-limit applies.")
    var rateLimitBurst = 60

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be 1...65535") }
        guard idleTimeout >= 0, idleTimeout.isFinite, idleTimeout <= 86_400 else { throw ValidationError("--idle-timeout must be 0...86400 seconds") }
        guard rateLimit >= 0 else { throw ValidationError("--rate-limit must be 0 (off) or a positive number of writes per minute") }
        guard rateLimitBurst >= 1 else { throw ValidationError("--rate-limit-burst must be at least 1") }
        guard (1...65_536).contains(tileCacheMb) else { throw ValidationError("--tile-cache-mb must be 1...65536") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level '\(logLevel)'") }
        if let basemap, !(basemap.contains("{z}") && basemap.contains("{x}") && basemap.contains("{y}")) {
            throw ValidationError("--basemap must be a URL template with {z}, {x} and {y}")
        }
        guard PostGISStore.isURL(store.db) || FileManager.default.fileExists(atPath: store.db) else { throw ValidationError("\(store.db) does not exist (run `taskmap init` first)") }
    }

    func run() throws {
        var config = ServerConfiguration(databasePath: store.db)
        config.host = host
        config.port = port
        config.basemapURL = basemap
        config.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        config.idleTimeoutSeconds = idleTimeout
        config.writeRateLimitPerMinute = rateLimit
        config.writeRateLimitBurst = rateLimitBurst
        config.tileCacheBytes = tileCacheMb << 20
        // `TASKMAP_TILE_HITS_ON_EVENT_LOOP=0`: every tile request through the router (A/B runs only).
        config.eventLoopTileHits = ProcessInfo.processInfo.environment["TASKMAP_TILE_HITS_ON_EVENT_LOOP"] != "0"
        try Self.serve(config)
    }

    /// Runs the server until SIGTERM/SIGINT (also for `taskmap demo`). The root command is synchronous, so this
    /// blocks the calling thread while the server runs on Swift concurrency and NIO threads.
    static func serve(_ config: ServerConfiguration) throws {
        Self.returnLargeBlocksToTheSystem()
        Self.trimFreedMemory(everySeconds: Double(ProcessInfo.processInfo.environment["TASKMAP_TRIM_SECONDS"] ?? "") ?? 10)
        let finished = DispatchSemaphore(value: 0)
        let failure = ErrorBox()
        Task.detached {
            do {
                let store = try openServerStore(config)
                let app = try buildApplication(config, store: store, tiles: try TileRendererSource(store: store))
                try await app.runService()
            } catch {
                failure.error = error
            }
            finished.signal()
        }
        finished.wait()
        if let e = failure.error { throw e }
    }

    /// The tile renderer over a store (TileRender's `TileRenderer`, adapted to the server's `TileSource`).
    static func tileSource(databasePath: String) throws -> (any TileSource)? {
        try TileRendererSource(store: try openStore(databasePath))
    }

    static func tileSource(store: any ComplaintStore) throws -> (any TileSource)? { try TileRendererSource(store: store) }
}

private final class ErrorBox: @unchecked Sendable {
    var error: (any Error)?
}

extension ServeCommand {
    /// Merging the snapshot's tail (every 8,192 new complaints) makes a new array of the sorted records (32 MB for a
    /// million) and the category × month index beside it. glibc raises its mmap threshold after the first such block
    /// is freed, and later ones then come from the heap and stay in RSS (the soak saw +61 MiB after 30 snapshot
    /// copies, when work-flow changes still copied the records). A fixed 1 MiB threshold keeps every large block
    /// mmapped, so freeing it gives the memory back. `mallopt` is not in Swift's Glibc module: looked up.
    static func returnLargeBlocksToTheSystem() {
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        _ = mallopt(-3 /* M_MMAP_THRESHOLD */, 1 << 20)
    }

    /// glibc keeps memory freed inside its arenas (one per thread that allocates: request, render and NIO threads)
    /// for reuse, so RSS stays at the high-water mark of what was ever live at once: the per-filter key lists and
    /// tiles that writes throw away, the snapshot tails each write copies. `malloc_trim(0)` gives the free pages of
    /// every arena back (madvise); run every `everySeconds` on a utility thread (0 = never; `TASKMAP_TRIM_SECONDS` in
    /// the environment sets it, for A/B runs). Looked up like mallopt.
    static func trimFreedMemory(everySeconds: Double) {
        guard everySeconds > 0, let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return }
        typealias MallocTrim = @convention(c) (Int) -> Int32
        let trim = unsafeBitCast(symbol, to: MallocTrim.self)
        let thread = Thread {
            while true {
                Thread.sleep(forTimeInterval: everySeconds)
                _ = trim(0)
            }
        }
        thread.name = "malloc-trim"
        thread.qualityOfService = .utility
        thread.start()
    }
}
