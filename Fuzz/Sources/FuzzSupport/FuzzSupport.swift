import Foundation
import GeoIndex

/// Aborts (a libFuzzer crash, input saved as an artifact) when an invariant does not hold.
public func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                    file: StaticString = #fileID, line: UInt = #line) {
    if !condition() {
        FileHandle.standardError.write(Data("FUZZ INVARIANT BROKEN (\(file):\(line)): \(message())\n".utf8))
        abort()
    }
}

/// A per-process scratch file (on /dev/shm when there is one) for parsers that read a path.
public func scratchFile(_ name: String) -> String {
    let dir = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    return (dir as NSString).appendingPathComponent("taskmap-fuzz-\(getpid())-\(name)")
}

/// Writes `bytes` to `path` in place (same inode, truncated): cheap enough to do once per input.
public func overwrite(_ path: String, _ bytes: UnsafeBufferPointer<UInt8>) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    precondition(fd >= 0, "cannot open \(path)")
    var off = 0
    while off < bytes.count {
        let n = write(fd, bytes.baseAddress! + off, bytes.count - off)
        precondition(n > 0, "cannot write \(path)")
        off += n
    }
    close(fd)
}

/// Removes the scratch files when the process exits normally (libFuzzer calls exit at -max_total_time).
public func removeAtExit(_ path: String) {
    // A store also leaves SQLite's -wal and -shm files, and the server's snapshot cache.
    scratchPaths += [path, path + "-wal", path + "-shm", path + "-journal", path + ".snapshot"]
    if scratchPaths.count == 5 { atexit { for p in scratchPaths { unlink(p) } } }
}
nonisolated(unsafe) private var scratchPaths: [String] = []

/// A scratch file path that is removed at exit (see `scratchFile`, `removeAtExit`).
public func scratchPath(_ name: String) -> String {
    let p = scratchFile(name)
    removeAtExit(p)
    return p
}

/// An empty SpatiaLite store in a scratch file (removed at exit), for harnesses whose code needs a store to exist.
public func scratchStore() -> (store: SpatiaLiteStore, path: String) {
    let path = scratchPath("store.sqlite")
    unlink(path)
    do { return (try SpatiaLiteStore(path: path, create: true), path) } catch { fatalError("cannot create the scratch store: \(error)") }
}

/// An importer over an empty scratch store, one job: only its parse-and-validate layer is fuzzed; nothing is written.
public func scratchImporter() -> ComplaintImporter {
    var options = ComplaintImporter.Options()
    options.jobs = 1
    return ComplaintImporter(store: scratchStore().store, options: options)
}

/// Timestamps the importer accepts must survive the store's text form (format → parse gives the same instant).
public func checkTimestamp(_ d: Date, _ what: String) {
    let t = d.timeIntervalSince1970
    require(t == t.rounded(.down), "\(what) has a fraction: \(t)")
    let text = Timestamp.format(d)
    require(Timestamp.parse(text) == Int64(t),
            "\(what) \(Int64(t)) is stored as '\(text)', which parses back as \(String(describing: Timestamp.parse(text)))")
}

/// What every complaint row the importer accepts (CSV or GeoJSON) must satisfy.
public func checkAccepted(_ r: NewComplaint, _ what: String) {
    require(r.location.lon.isFinite && r.location.lat.isFinite, "\(what): non-finite coordinate accepted")
    require(!r.category.isEmpty, "\(what): empty category accepted")
    checkTimestamp(r.createdAt, "\(what) created_at")
    if let u = r.updatedAt { checkTimestamp(u, "\(what) updated_at"); require(u >= r.createdAt, "\(what): updated_at before created_at") }
    if let v = r.resolvedAt { checkTimestamp(v, "\(what) resolved_at"); require(v >= r.createdAt, "\(what): resolved_at before created_at") }
    if let s = r.satisfaction { require((1...5).contains(s), "\(what): satisfaction \(s) accepted") }
    require(ComplaintImporter.categoryCode(r.category) == r.category, "\(what): category code '\(r.category)' is not a fixed point")
}

/// libFuzzer's entry point for a program with its own `main` (SwiftPM's debug link points `main` at a renamed
/// `<Module>_main`, so libFuzzer's `main` cannot be used; see RELIABILITY.md §1).
@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// Runs libFuzzer with the process's arguments and `callback` as `LLVMFuzzerTestOneInput`; never returns.
public func runFuzzer(_ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> Never {
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, callback))
}

/// The fuzz input as a buffer (libFuzzer may pass a null pointer for the empty input).
public func input(_ data: UnsafePointer<UInt8>?, _ size: Int) -> UnsafeBufferPointer<UInt8> {
    UnsafeBufferPointer(start: size == 0 ? nil : data, count: size)
}
