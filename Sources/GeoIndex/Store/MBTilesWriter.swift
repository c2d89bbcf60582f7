import CSpatiaLite
import Foundation

/// Writes an MBTiles 1.3 file (https://github.com/mapbox/mbtiles-spec/blob/master/1.3/spec.md): a `metadata`
/// name/value table and a `tiles` table in TMS row order (row 0 at the south). Tiles are committed in batches,
/// so an interrupted run (Ctrl-C, kill -9) leaves a valid file holding every batch committed so far, and
/// `contains` lets a rerun skip what is there (`--resume`).
public final class MBTilesWriter {
    public let path: String
    private let db: Database
    private var insert: Statement
    private var pending = 0
    /// Tiles per transaction.
    public var batchSize = 256

    public struct Metadata: Sendable {
        public var name: String
        public var description: String
        public var attribution: String
        public var bounds: BoundingBox
        public var minZoom: Int
        public var maxZoom: Int
        /// The MBTiles `json` entry (layers, legend…): any JSON text.
        public var json: String?
        public var format = "png"
        public var type = "overlay"
        public var version = "1.0"
        public init(name: String, description: String, attribution: String, bounds: BoundingBox, minZoom: Int, maxZoom: Int,
                    json: String? = nil) {
            self.name = name; self.description = description; self.attribution = attribution; self.bounds = bounds
            self.minZoom = minZoom; self.maxZoom = maxZoom; self.json = json
        }
    }

    /// Opens (creating if needed) an MBTiles file. With `resume: false` an existing file's tiles are removed.
    public init(path: String, metadata: Metadata, resume: Bool) throws {
        self.path = path
        db = try Database(path: path, create: true)
        try db.execute("""
            PRAGMA journal_mode=DELETE; PRAGMA synchronous=NORMAL;
            CREATE TABLE IF NOT EXISTS metadata (name TEXT NOT NULL, value TEXT);
            CREATE UNIQUE INDEX IF NOT EXISTS metadata_name ON metadata (name);
            CREATE TABLE IF NOT EXISTS tiles (zoom_level INTEGER NOT NULL, tile_column INTEGER NOT NULL,
                tile_row INTEGER NOT NULL, tile_data BLOB NOT NULL);
            CREATE UNIQUE INDEX IF NOT EXISTS tile_index ON tiles (zoom_level, tile_column, tile_row);
            """)
        if !resume { try db.execute("DELETE FROM tiles") }
        insert = try db.prepare("INSERT OR REPLACE INTO tiles (zoom_level, tile_column, tile_row, tile_data) VALUES (?, ?, ?, ?)")
        try writeMetadata(metadata)
        try db.execute("BEGIN")
    }

    deinit { try? finish() }

    private func writeMetadata(_ m: Metadata) throws {
        let b = m.bounds
        let center = b.center
        let rows: [(String, String)] = [
            ("name", m.name), ("format", m.format), ("type", m.type), ("version", m.version),
            ("description", m.description), ("attribution", m.attribution),
            ("bounds", String(format: "%.6f,%.6f,%.6f,%.6f", b.minLon, b.minLat, b.maxLon, b.maxLat)),
            ("center", String(format: "%.6f,%.6f,%d", center.lon, center.lat, (m.minZoom + m.maxZoom) / 2)),
            ("minzoom", String(m.minZoom)), ("maxzoom", String(m.maxZoom)),
        ] + (m.json.map { [("json", $0)] } ?? [])
        let st = try db.prepare("INSERT OR REPLACE INTO metadata (name, value) VALUES (?, ?)")
        for (k, v) in rows { try st.run([.text(k), .text(v)]) }
    }

    /// TMS row of an XYZ tile.
    @inline(__always) public static func tmsRow(z: Int, y: Int) -> Int { (1 << z) - 1 - y }

    /// Whether tile (z, x, y) (XYZ numbering) is already in the file.
    public func contains(z: Int, x: Int, y: Int) throws -> Bool {
        try (db.scalarInt("SELECT 1 FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
                          [.int(Int64(z)), .int(Int64(x)), .int(Int64(Self.tmsRow(z: z, y: y)))]) ?? 0) == 1
    }

    /// All tiles present, as XYZ (for --resume).
    public func existingTiles() throws -> Set<[Int]> {
        let st = try db.prepare("SELECT zoom_level, tile_column, tile_row FROM tiles")
        var out = Set<[Int]>()
        while try st.step() {
            let z = st.int(0)
            out.insert([z, st.int(1), Self.tmsRow(z: z, y: st.int(2))])
        }
        return out
    }

    /// Adds one tile (XYZ numbering); committed with its batch.
    public func put(z: Int, x: Int, y: Int, png: [UInt8]) throws {
        try insert.reset()
        insert.bindInt(Int64(z), at: 1); insert.bindInt(Int64(x), at: 2); insert.bindInt(Int64(Self.tmsRow(z: z, y: y)), at: 3)
        png.withUnsafeBytes { insert.bindBlob($0, at: 4) }
        try insert.step()
        pending += 1
        if pending >= batchSize { try commit() }
    }

    /// Commits the tiles written so far (also called every `batchSize` tiles).
    public func commit() throws {
        try db.execute("COMMIT; BEGIN")
        pending = 0
    }

    /// Commits and closes the transaction; the file is complete.
    public func finish() throws {
        guard db.handle != nil else { return }
        try db.execute("COMMIT")
        db.close()
    }

    /// Reads one tile back (XYZ numbering), for tests and tools.
    public static func readTile(path: String, z: Int, x: Int, y: Int) throws -> [UInt8]? {
        let db = try Database(path: path, readOnly: true)
        let st = try db.prepare("SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?")
        try st.bind([.int(Int64(z)), .int(Int64(x)), .int(Int64(tmsRow(z: z, y: y)))])
        guard try st.step() else { return nil }
        return st.withBytes(0) { Array($0) }
    }

    /// Metadata of an existing file.
    public static func readMetadata(path: String) throws -> [String: String] {
        let db = try Database(path: path, readOnly: true)
        let st = try db.prepare("SELECT name, value FROM metadata")
        var out: [String: String] = [:]
        while try st.step() { out[st.text(0) ?? ""] = st.text(1) ?? "" }
        return out
    }

    /// `PRAGMA integrity_check` of an MBTiles file ("ok" when sound).
    public static func integrityCheck(path: String) throws -> String {
        let db = try Database(path: path, readOnly: true)
        return try db.scalarText("PRAGMA integrity_check") ?? "?"
    }
}
