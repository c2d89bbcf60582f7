import Foundation
import GeoIndex
import XCTest

/// Runs the real `taskmap` binary (built next to the test bundle) for `keys add|list|revoke`.
final class KeysCommandTests: XCTestCase {
    func run(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let binary = dir.appendingPathComponent("taskmap")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else { throw XCTSkip("taskmap binary not built at \(binary.path)") }
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    func testAddListRevoke() throws {
        let f = try ServerFixture(complaints: 0)
        defer { f.remove() }
        let db = f.config.databasePath
        let added = try run(["keys", "add", "--db", db, "mobil-uygulama"])
        XCTAssertEqual(added.status, 0, added.err)
        let lines = added.out.split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        XCTAssertTrue(lines[0].contains("'mobil-uygulama'"))
        let key = String(lines.last!)
        XCTAssertTrue(key.hasPrefix("tmk_"), "the key is the last line")
        guard case .valid(let record) = try f.store.checkAPIKey(key) else { return XCTFail("printed key does not work") }
        XCTAssertEqual(record.name, "mobil-uygulama")

        let listed = try run(["keys", "list", "--db", db])
        XCTAssertEqual(listed.status, 0)
        XCTAssertFalse(listed.out.contains(key), "keys are never listed")
        let rows = listed.out.split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
        XCTAssertEqual(rows.first, ["id", "name", "role", "scope", "created", "status"])
        XCTAssertEqual(rows.map { $0[1] }.dropFirst(), ["test", "old", "mobil-uygulama"])
        XCTAssertTrue(rows[2][5].hasPrefix("revoked "))
        XCTAssertEqual(rows[3][5], "active")
        XCTAssertEqual(rows[3][2], "intake", "a new key without --role may only create")
        XCTAssertEqual(record.role, .intake)

        // A scoped key: names matched with Turkish case folding and stored as the store spells them; a name the
        // store does not know is refused, listing the known ones.
        let scoped = try run(["keys", "add", "--db", db, "fen-ekip", "--role", "staff", "--department", "FEN İŞLERİ MÜDÜRLÜĞÜ",
                              "--district", "kuzeykent"])
        XCTAssertEqual(scoped.status, 0, scoped.err)
        XCTAssertTrue(scoped.out.contains("(staff, Fen İşleri Müdürlüğü in Kuzeykent)"), scoped.out)
        guard case .valid(let fen) = try f.store.checkAPIKey(String(scoped.out.split(separator: "\n").last!)) else { return XCTFail() }
        XCTAssertEqual(fen.scope, KeyScope(departments: ["Fen İşleri Müdürlüğü"], districts: ["Kuzeykent"]))
        let typo = try run(["keys", "add", "--db", db, "yanlis", "--role", "staff", "--department", "Fen Isleri"])
        XCTAssertNotEqual(typo.status, 0)
        XCTAssertTrue(typo.err.contains("no department 'Fen Isleri'") && typo.err.contains("Temizlik İşleri Müdürlüğü"), typo.err)
        XCTAssertNotEqual(try run(["keys", "add", "--db", db, "x", "--role", "mudur"]).status, 0)

        XCTAssertNotEqual(try run(["keys", "add", "--db", db, "mobil-uygulama"]).status, 0, "active names are unique")
        let revoked = try run(["keys", "revoke", "--db", db, "mobil-uygulama"])
        XCTAssertEqual(revoked.status, 0, revoked.err)
        XCTAssertEqual(revoked.out, "revoked API key \(record.id) 'mobil-uygulama'\n")
        guard case .revoked = try f.store.checkAPIKey(key) else { return XCTFail("key still valid after revoke") }
        let again = try run(["keys", "revoke", "--db", db, "mobil-uygulama"])
        XCTAssertNotEqual(again.status, 0)
        XCTAssertTrue(again.err.contains("no active API key 'mobil-uygulama'"), again.err)
    }
}
