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
/// Plain POSIX calls, and each folder made once: Foundation's `createDirectory` and `Data.write` per tile cost as
/// much as rendering the tile (a folder ran at half the MBTiles speed).
final class DirectorySink: TileSink {
    let root: String
    var location: String { root }
    private var made = Set<String>()
    init(root: String) throws {
        self.root = root
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }
    func path(_ z: Int, _ x: Int, _ y: Int) -> String { "\(root)/\(z)/\(x)/\(y).png" }
    func contains(z: Int, x: Int, y: Int) throws -> Bool { access(path(z, x, y), F_OK) == 0 }
    func put(z: Int, x: Int, y: Int, png: [UInt8]) throws {
        let zdir = "\(root)/\(z)", dir = "\(zdir)/\(x)"
        if !made.contains(dir) {
            for d in [zdir, dir] where mkdir(d, 0o755) != 0 && errno != EEXIST {
                throw ValidationErrorText("cannot create \(d): \(String(cString: strerror(errno)))")
            }
            made.insert(dir)
        }
        let tmp = "\(dir)/.\(y).png.tmp", final = "\(dir)/\(y).png"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw ValidationErrorText("cannot write \(tmp): \(String(cString: strerror(errno)))") }
        var written = 0
        let ok: Bool = png.withUnsafeBytes { buf in
            while written < buf.count {
                let n = write(fd, buf.baseAddress! + written, buf.count - written)
                if n < 0 { if errno == EINTR { continue }; return false }
                written += n
            }
            return true
        }
        let err = errno
        close(fd)
        guard ok else { unlink(tmp); throw ValidationErrorText("cannot write \(tmp): \(String(cString: strerror(err)))") }
        if rename(tmp, final) != 0 { throw ValidationErrorText("cannot write \(final): \(String(cString: strerror(errno)))") }
    }
    func finish() throws {}
}

struct ValidationErrorText: Error, CustomStringConvertible { var description: String; init(_ s: String) { description = s } }
