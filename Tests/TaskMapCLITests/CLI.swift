import Foundation
import XCTest

/// Runs the built `taskmap` binary.
enum CLI {
    static var binary: URL {
        // The test bundle sits in the products folder next to the binary.
        var dir = Bundle(for: Marker.self).bundleURL
        while dir.pathComponents.count > 1 && !FileManager.default.fileExists(atPath: dir.appendingPathComponent("taskmap").path) {
            dir.deleteLastPathComponent()
        }
        return dir.appendingPathComponent("taskmap")
    }
    final class Marker {}

    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Result { var status: Int32; var out: String; var err: String }

    @discardableResult
    static func run(_ args: [String], cwd: URL? = nil) throws -> Result { try run(binary, args, cwd: cwd) }

    /// Runs any program to its end, collecting its output.
    static func run(_ executable: URL, _ args: [String], cwd: URL? = nil) throws -> Result {
        let p = Process()
        p.executableURL = executable
        p.arguments = args
        p.currentDirectoryURL = cwd ?? repo
        let o = Pipe(), e = Pipe()
        p.standardOutput = o
        p.standardError = e
        try p.run()
        let outData = o.fileHandleForReading.readDataToEndOfFile()
        let errData = e.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, out: String(decoding: outData, as: UTF8.self), err: String(decoding: errData, as: UTF8.self))
    }

    static func tempDir() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("taskmap-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

extension CLI {
    /// Runs a program that starts a daemon (pg_ctl start) to its end with posix_spawn and waitpid: Foundation's
    /// Process did not notice such a child exit (it stayed a zombie and waitUntilExit never returned).
    /// Output goes to /dev/null; returns the exit status.
    static func spawnAndWait(_ executable: String, _ args: [String]) -> Int32 {
        var pid: pid_t = 0
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ([executable] + args).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        guard posix_spawn(&pid, executable, &actions, nil, argv, environ) == 0 else { return -1 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status >> 8) & 0xFF
    }
}
