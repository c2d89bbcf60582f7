import CSpatiaLite
import Foundation

/// An SQLite/SpatiaLite failure with the code, SQLite's message and the SQL that caused it.
public struct SQLiteError: Error, CustomStringConvertible, Sendable {
    public var code: Int32
    public var message: String
    public var sql: String?
    public var description: String {
        "SQLite error \(code): \(message)" + (sql.map { " [SQL: \($0.prefix(300))]" } ?? "")
    }
}

/// Owns one `sqlite3*` connection with SpatiaLite loaded; closes it in `deinit`.
/// Not thread-safe: one connection per thread (the store serialises access).
final class Database {
    private(set) var handle: OpaquePointer?
    private var spatialiteCache: UnsafeMutableRawPointer?
    let path: String

    init(path: String, readOnly: Bool = false, create: Bool = false) throws {
        self.path = path
        var flags = readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE
        if create { flags |= SQLITE_OPEN_CREATE }
        flags |= SQLITE_OPEN_NOMUTEX
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let msg = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close_v2(db)
            throw SQLiteError(code: rc, message: "\(msg) (\(path))", sql: nil)
        }
        handle = db
        spatialiteCache = spatialite_alloc_connection()
        spatialite_init_ex(db, spatialiteCache, 0)
        // GEOS and RTTOPO would print every warning (an invalid ring checked with ST_IsValid) to stderr; taskmap
        // reports them itself, naming the feature.
        spatialite_set_silent_mode(spatialiteCache)
        sqlite3_busy_timeout(db, 5_000)
    }

    deinit { close() }

    func close() {
        if let h = handle {
            sqlite3_close_v2(h)
            handle = nil
        }
        if let c = spatialiteCache {
            spatialite_cleanup_ex(c)
            spatialiteCache = nil
        }
    }

    /// Every C result code passes through here.
    @discardableResult
    func check(_ rc: Int32, _ sql: String? = nil) throws -> Int32 {
        switch rc {
        case SQLITE_OK, SQLITE_ROW, SQLITE_DONE: return rc
        default:
            let msg = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "no connection"
            throw SQLiteError(code: rc, message: msg, sql: sql)
        }
    }

    func execute(_ sql: String) throws {
        var err: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &err)
        if rc != SQLITE_OK {
            let msg = err.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(err)
            throw SQLiteError(code: rc, message: msg, sql: sql)
        }
    }

    func prepare(_ sql: String) throws -> Statement { try Statement(db: self, sql: sql) }

    /// First column of the first row, or nil.
    func scalarInt(_ sql: String, _ args: [SQLValue] = []) throws -> Int64? {
        let st = try prepare(sql)
        try st.bind(args)
        return try st.step() ? (st.isNull(0) ? nil : st.int64(0)) : nil
    }

    func scalarText(_ sql: String, _ args: [SQLValue] = []) throws -> String? {
        let st = try prepare(sql)
        try st.bind(args)
        return try st.step() ? st.text(0) : nil
    }

    func scalarDouble(_ sql: String, _ args: [SQLValue] = []) throws -> Double? {
        let st = try prepare(sql)
        try st.bind(args)
        return try st.step() ? (st.isNull(0) ? nil : st.double(0)) : nil
    }

    var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }
    var changes: Int { Int(sqlite3_changes(handle)) }

    /// Runs `body` in one transaction: committed if it returns, rolled back if it throws.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let v = try body()
            try execute("COMMIT")
            return v
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }
}

enum SQLValue {
    case int(Int64), double(Double), text(String), blob([UInt8]), null
    static func opt(_ s: String?) -> SQLValue { s.map { .text($0) } ?? .null }
    static func opt(_ i: Int?) -> SQLValue { i.map { .int(Int64($0)) } ?? .null }
    static func opt(_ i: Int64?) -> SQLValue { i.map { .int($0) } ?? .null }
}

/// Owns one prepared statement; finalised in `deinit`.
final class Statement {
    private(set) var stmt: OpaquePointer?
    unowned let db: Database
    let sql: String

    init(db: Database, sql: String) throws {
        self.db = db
        self.sql = sql
        var s: OpaquePointer?
        try db.check(sqlite3_prepare_v2(db.handle, sql, -1, &s, nil), sql)
        stmt = s
    }

    deinit { sqlite3_finalize(stmt) }

    func reset() throws {
        sqlite3_reset(stmt)
        sqlite3_clear_bindings(stmt)
    }

    func bind(_ args: [SQLValue]) throws {
        for (i, a) in args.enumerated() { try bind(a, at: Int32(i + 1)) }
    }

    func bind(_ v: SQLValue, at i: Int32) throws {
        let rc: Int32
        switch v {
        case .int(let x): rc = sqlite3_bind_int64(stmt, i, x)
        case .double(let x): rc = sqlite3_bind_double(stmt, i, x)
        case .text(let s): rc = tm_bind_text(stmt, i, s, -1)
        case .blob(let b): rc = b.withUnsafeBytes { tm_bind_blob(stmt, i, $0.baseAddress, Int32($0.count)) }
        case .null: rc = sqlite3_bind_null(stmt, i)
        }
        try db.check(rc, sql)
    }

    @inline(__always) func bindInt(_ x: Int64, at i: Int32) { sqlite3_bind_int64(stmt, i, x) }
    @inline(__always) func bindDouble(_ x: Double, at i: Int32) { sqlite3_bind_double(stmt, i, x) }
    @inline(__always) func bindNull(at i: Int32) { sqlite3_bind_null(stmt, i) }
    @inline(__always) func bindText(_ s: String?, at i: Int32) {
        guard let s else { sqlite3_bind_null(stmt, i); return }
        var s2 = s
        s2.withUTF8 { buf in
            _ = buf.withMemoryRebound(to: CChar.self) { tm_bind_text(stmt, i, $0.baseAddress, Int32($0.count)) }
        }
    }
    /// Binds an ISO 8601 UTC timestamp formatted on the stack (no String allocated).
    @inline(__always) func bindTimestamp(_ unix: Int64?, at i: Int32) {
        guard let unix else { sqlite3_bind_null(stmt, i); return }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buf in
            Timestamp.format(unix: unix, into: buf.baseAddress!)
            _ = buf.withMemoryRebound(to: CChar.self) { tm_bind_text(stmt, i, $0.baseAddress, 20) }
        }
    }
    @inline(__always) func bindBlob(_ p: UnsafeRawBufferPointer, at i: Int32) {
        tm_bind_blob(stmt, i, p.baseAddress, Int32(p.count))
    }

    /// Steps once: true when a row is available, false when done.
    @discardableResult
    func step() throws -> Bool {
        let rc = sqlite3_step(stmt)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        try db.check(rc, sql)
        return false
    }

    /// Runs to completion with the given arguments, then resets.
    func run(_ args: [SQLValue] = []) throws {
        try reset()
        try bind(args)
        while try step() {}
        try reset()
    }

    func isNull(_ c: Int32) -> Bool { sqlite3_column_type(stmt, c) == SQLITE_NULL }
    func int64(_ c: Int32) -> Int64 { sqlite3_column_int64(stmt, c) }
    func int(_ c: Int32) -> Int { Int(sqlite3_column_int64(stmt, c)) }
    func double(_ c: Int32) -> Double { sqlite3_column_double(stmt, c) }
    func text(_ c: Int32) -> String? {
        guard let p = sqlite3_column_text(stmt, c) else { return nil }
        return String(cString: p)
    }
    func blob(_ c: Int32) -> [UInt8]? { isNull(c) ? nil : withBytes(c) { Array($0) } }
    func optInt(_ c: Int32) -> Int? { isNull(c) ? nil : int(c) }
    func optInt64(_ c: Int32) -> Int64? { isNull(c) ? nil : int64(c) }
    /// Borrowed bytes of a BLOB/TEXT column, valid until the next step.
    func withBytes<T>(_ c: Int32, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        let p = sqlite3_column_blob(stmt, c)
        let n = Int(sqlite3_column_bytes(stmt, c))
        return try body(UnsafeRawBufferPointer(start: p, count: n))
    }
}
