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
