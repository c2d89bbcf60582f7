import Foundation
import GeoIndex

/// Where a batch render puts tiles: an MBTiles file or an XYZ folder (`z/x/y.png`).
protocol TileSink: AnyObject {
    func contains(z: Int, x: Int, y: Int) throws -> Bool
    func put(z: Int, x: Int, y: Int, png: [UInt8]) throws
    func finish() throws
    var location: String { get }
}

final class MBTilesSink: TileSink {
    let writer: MBTilesWriter
    private let existing: Set<[Int]>
    var location: String { writer.path }
    init(path: String, metadata: MBTilesWriter.Metadata, resume: Bool) throws {
        writer = try MBTilesWriter(path: path, metadata: metadata, resume: resume)
        existing = resume ? try writer.existingTiles() : []
    }
    func contains(z: Int, x: Int, y: Int) throws -> Bool { existing.contains([z, x, y]) }
    func put(z: Int, x: Int, y: Int, png: [UInt8]) throws { try writer.put(z: z, x: x, y: y, png: png) }
    func finish() throws { try writer.finish() }
}

/// `DIR/z/x/y.png`, each written to a temporary name and renamed, so an interrupted run leaves no torn file.
final class DirectorySink: TileSink {
    let root: String
    var location: String { root }
    init(root: String) throws {
        self.root = root
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }
    func path(_ z: Int, _ x: Int, _ y: Int) -> String { "\(root)/\(z)/\(x)/\(y).png" }
    func contains(z: Int, x: Int, y: Int) throws -> Bool { FileManager.default.fileExists(atPath: path(z, x, y)) }
    func put(z: Int, x: Int, y: Int, png: [UInt8]) throws {
        let dir = "\(root)/\(z)/\(x)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let tmp = dir + "/.\(y).png.tmp"
        try Data(png).write(to: URL(fileURLWithPath: tmp))
        if rename(tmp, path(z, x, y)) != 0 { throw ValidationErrorText("cannot write \(path(z, x, y))") }
    }
    func finish() throws {}
}

struct ValidationErrorText: Error, CustomStringConvertible { var description: String; init(_ s: String) { description = s } }
