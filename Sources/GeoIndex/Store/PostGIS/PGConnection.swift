import CPQ
import Foundation

/// A PostgreSQL error: the server's SQLSTATE and message, or a connection problem (`connectionLost`: the
/// database could not be reached or went away — the caller may retry after a reconnect; a server answers 503).
public struct PGError: Error, CustomStringConvertible, Sendable {
    public var sqlState: String?
    public var message: String
    public var connectionLost: Bool
    public var description: String { message }
    /// 23505: unique_violation.
    public var isUniqueViolation: Bool { sqlState == "23505" }
}

/// One libpq connection (not thread-safe: its owner serialises calls). libpq rather than postgres-nio because the
/// store protocol is synchronous (so is SpatiaLite's), and libpq brings what PostgreSQL users expect for free:
/// connection URLs and `key=value` strings, the `PG*` environment variables, `~/.pgpass` and service files.
final class PGConnection {
    private(set) var conn: OpaquePointer?
    /// The connection string as given (a URL, `key=value` pairs, or "" for the `PG*` variables alone).
    let conninfo: String

    /// Statements run after connecting and after every reset (session settings).
    private let sessionSetup: [String]

    init(_ conninfo: String, applicationName: String = "taskmap", sessionSetup: [String] = []) throws {
        self.conninfo = conninfo
        self.sessionSetup = ["SET TIME ZONE 'UTC'"] + sessionSetup
        // TCP keepalives and a user timeout: a database host that vanishes without a reset is noticed in about 20 s
        // instead of the kernel's minutes (a query blocked on a dead socket holds the store's lock). Ignored on
        // Unix sockets. Values in the URL win (expand_dbname applies them after these).
        let keys = ["keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count", "tcp_user_timeout",
                    "dbname", "application_name", "client_encoding", "connect_timeout"]
        let values = ["1", "10", "5", "2", "20000", conninfo, applicationName, "UTF8", "5"]
        conn = withCStrings(keys) { k in withCStrings(values) { v in PQconnectdbParams(k, v, 1) } }
        guard let conn, PQstatus(conn) == CONNECTION_OK else {
            let message = conn.map { String(cString: PQerrorMessage($0)) } ?? "out of memory"
            if let c = conn { PQfinish(c) }
            self.conn = nil
            throw PGError(sqlState: nil, message: "cannot connect to \(Self.redacted(conninfo)): "
                          + message.trimmingCharacters(in: .whitespacesAndNewlines), connectionLost: true)
        }
        // Timestamps cross as epoch numbers; server-side formatting must not depend on the role's settings.
        for sql in sessionSetup { _ = try exec(sql) }
    }

    deinit { if let conn { PQfinish(conn) } }

    var isOK: Bool { conn.map { PQstatus($0) == CONNECTION_OK } ?? false }

    /// Tries to re-establish a broken connection (same parameters). Returns whether it is usable now.
    @discardableResult
    func reset() -> Bool {
        guard let conn else { return false }
        PQreset(conn)
        guard PQstatus(conn) == CONNECTION_OK else { return false }
        for sql in sessionSetup { _ = try? exec(sql) }
        return true
    }

    /// The URL without its password, for messages and logs.
    static func redacted(_ given: String) -> String {
        if given.isEmpty { return "the PG* environment" }
        var s = given
        // key=value form (also after `pg:`): the value of password= hidden.
        if !s.contains("://") {
            if let r = s.range(of: #"password\s*=\s*('([^'\\]|\\.)*'|\S*)"#, options: .regularExpression) {
                s.replaceSubrange(r, with: "password=***")
            }
            return s
        }
        // URL: a password query parameter, and user:password@.
        if let r = s.range(of: #"([?&])password=[^&]*"#, options: .regularExpression) {
            s.replaceSubrange(r, with: (s[r].hasPrefix("?") ? "?" : "&") + "password=***")
        }
        // user:password@ sits in the authority: before the path or query.
        guard let scheme = s.range(of: "://") else { return s }
        let authorityEnd = s[scheme.upperBound...].firstIndex(where: { $0 == "/" || $0 == "?" }) ?? s.endIndex
        guard let at = s.range(of: "@", range: scheme.upperBound..<authorityEnd) else { return s }
        let userinfo = s[scheme.upperBound..<at.lowerBound]
        guard let colon = userinfo.firstIndex(of: ":") else { return s }
        return String(s[..<colon]) + ":***" + String(s[at.lowerBound...])
    }

    // MARK: - Queries

    /// Runs `sql` with text parameters ($1, $2 …; nil = NULL). Results come back in text format.
    @discardableResult
    func exec(_ sql: String, _ params: [String?] = []) throws -> PGResult {
        guard let conn else { throw PGError(sqlState: nil, message: "not connected", connectionLost: true) }
        let result: OpaquePointer?
        if params.isEmpty {
            result = PQexec(conn, sql)
        } else {
            var cParams: [UnsafeMutablePointer<CChar>?] = params.map { $0.flatMap { strdup($0) } }
            defer { cParams.forEach { free($0) } }
            result = cParams.withUnsafeMutableBufferPointer { buf in
                buf.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: buf.count) { p in
                    PQexecParams(conn, sql, Int32(params.count), nil, p, nil, nil, 0)
                }
            }
        }
        return try check(result)
    }

    private func check(_ result: OpaquePointer?) throws -> PGResult {
        guard let result else { throw error(nil) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_COPY_IN, PGRES_COPY_OUT:
            return PGResult(result)
        default:
            let e = error(result)
            PQclear(result)
            throw e
        }
    }

    private func error(_ result: OpaquePointer?) -> PGError {
        var state: String?
        var message = conn.map { String(cString: PQerrorMessage($0)) } ?? "not connected"
        if let result {
            if let s = PQresultErrorField(result, Int32(UInt8(ascii: "C"))) { state = String(cString: s) }
            if let m = PQresultErrorField(result, Int32(UInt8(ascii: "M"))) {
                message = String(cString: m)
                if let d = PQresultErrorField(result, Int32(UInt8(ascii: "D"))) { message += " (" + String(cString: d) + ")" }
            }
        }
        // Class 08 (connection exception), 57P01-03 (admin shutdown, crash shutdown, cannot connect now) or a broken
        // socket: the database is unreachable rather than the statement wrong.
        let lost = !isOK || (state.map { $0.hasPrefix("08") || $0.hasPrefix("57P") } ?? false)
        return PGError(sqlState: state, message: message.trimmingCharacters(in: .whitespacesAndNewlines), connectionLost: lost)
    }

    func scalar(_ sql: String, _ params: [String?] = []) throws -> String? {
        let r = try exec(sql, params)
        return r.rows > 0 ? r.text(0, 0) : nil
    }

    func scalarInt(_ sql: String, _ params: [String?] = []) throws -> Int64? {
        try scalar(sql, params).flatMap { Int64($0) }
    }

    /// Runs `body` in a transaction: COMMIT if it returns, ROLLBACK if it throws.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try exec("BEGIN")
        do {
            let value = try body()
            try exec("COMMIT")
            return value
        } catch {
            if isOK { _ = try? exec("ROLLBACK") }
            throw error
        }
    }

    // MARK: - COPY

    /// `COPY … TO STDOUT`: hands each data row's bytes to `row` (binary format: the caller parses the tuples).
    func copyOut(_ sql: String, row: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let conn else { throw PGError(sqlState: nil, message: "not connected", connectionLost: true) }
        _ = try exec(sql)
        var failure: Error?
        while true {
            var buf: UnsafeMutablePointer<CChar>?
            let n = PQgetCopyData(conn, &buf, 0)
            if n > 0, let buf {
                if failure == nil {
                    do { try row(UnsafeRawBufferPointer(start: buf, count: Int(n))) } catch { failure = error }
                }
                PQfreemem(buf)
            } else if n == -1 {
                break
            } else {
                throw error(nil)
            }
        }
        var last: PGError?
        while let r = PQgetResult(conn) {
            if PQresultStatus(r) != PGRES_COMMAND_OK && last == nil { last = error(r) }
            PQclear(r)
        }
        if let failure { throw failure }
        if let last { throw last }
    }

    /// `COPY … FROM STDIN` with the bytes `produce` hands over chunk by chunk (returning false when done).
    func copyIn(_ sql: String, produce: (inout [UInt8]) throws -> Bool) throws {
        guard let conn else { throw PGError(sqlState: nil, message: "not connected", connectionLost: true) }
        let start = try exec(sql)
        _ = start
        var chunk: [UInt8] = []
        chunk.reserveCapacity(1 << 20)
        var failure: Error?
        while true {
            chunk.removeAll(keepingCapacity: true)
            let more: Bool
            do { more = try produce(&chunk) } catch { failure = error; break }
            if !chunk.isEmpty {
                let ok = chunk.withUnsafeBufferPointer { b in
                    b.baseAddress!.withMemoryRebound(to: CChar.self, capacity: b.count) { PQputCopyData(conn, $0, Int32(b.count)) }
                }
                guard ok == 1 else { throw error(nil) }
            }
            if !more { break }
        }
        let end = PQputCopyEnd(conn, failure == nil ? nil : "taskmap: input failed")
        guard end == 1 else { throw error(nil) }
        var last: PGError?
        while let r = PQgetResult(conn) {
            if PQresultStatus(r) != PGRES_COMMAND_OK && last == nil { last = error(r) }
            PQclear(r)
        }
        if let failure { throw failure }
        if let last { throw last }
    }

    // MARK: - LISTEN / NOTIFY

    /// The connection's socket (to wait on with poll).
    var socket: Int32 { conn.map { PQsocket($0) } ?? -1 }

    /// Reads what arrived on the socket and returns the notifications received (channel, payload).
    func notifications() throws -> [(channel: String, payload: String)] {
        guard let conn else { throw PGError(sqlState: nil, message: "not connected", connectionLost: true) }
        guard PQconsumeInput(conn) == 1 else { throw error(nil) }
        var out: [(String, String)] = []
        while let n = PQnotifies(conn) {
            out.append((String(cString: n.pointee.relname), String(cString: n.pointee.extra)))
            PQfreemem(n)
        }
        return out
    }

    /// Waits until the socket is readable or `seconds` pass. Returns whether it is readable.
    func waitReadable(seconds: Double) -> Bool {
        var p = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        return poll(&p, 1, Int32(seconds * 1000)) > 0
    }
}

/// A query result in text format.
final class PGResult {
    let res: OpaquePointer
    let rows: Int
    let columns: Int
    init(_ res: OpaquePointer) {
        self.res = res
        rows = Int(PQntuples(res))
        columns = Int(PQnfields(res))
    }
    deinit { PQclear(res) }

    func isNull(_ row: Int, _ col: Int) -> Bool { PQgetisnull(res, Int32(row), Int32(col)) == 1 }

    func text(_ row: Int, _ col: Int) -> String? {
        isNull(row, col) ? nil : String(cString: PQgetvalue(res, Int32(row), Int32(col)))
    }

    func int64(_ row: Int, _ col: Int) -> Int64 { optInt64(row, col) ?? 0 }

    func optInt64(_ row: Int, _ col: Int) -> Int64? {
        guard !isNull(row, col), let p = PQgetvalue(res, Int32(row), Int32(col)) else { return nil }
        return strtoll(p, nil, 10)
    }

    func int(_ row: Int, _ col: Int) -> Int { Int(int64(row, col)) }
    func optInt(_ row: Int, _ col: Int) -> Int? { optInt64(row, col).map(Int.init) }

    func double(_ row: Int, _ col: Int) -> Double {
        guard !isNull(row, col), let p = PQgetvalue(res, Int32(row), Int32(col)) else { return .nan }
        return strtod(p, nil)
    }

    /// Raw bytes of a bytea column sent as hex (`\x…`), decoded.
    func bytes(_ row: Int, _ col: Int) -> [UInt8]? {
        guard !isNull(row, col), let p = PQgetvalue(res, Int32(row), Int32(col)) else { return nil }
        var n = 0
        guard let raw = PQunescapeBytea(UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self), &n) else { return nil }
        defer { PQfreemem(raw) }
        return Array(UnsafeBufferPointer(start: raw, count: n))
    }

}

private func withCStrings<T>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> T) -> T {
    var cs: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    cs.append(nil)
    defer { cs.forEach { free($0) } }
    return cs.withUnsafeMutableBufferPointer { buf in
        buf.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: buf.count) { body($0) }
    }
}
