import Foundation
import GeoIndex
import XCTest

final class SHA256Tests: XCTestCase {
    /// FIPS 180-4 / NIST CSRC example vectors.
    func testKnownVectors() {
        XCTAssertEqual(SHA256.hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(SHA256.hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"),
                       "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
        XCTAssertEqual(SHA256.hex([UInt8](repeating: 0x61, count: 1_000_000)),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Message lengths around the padding boundary (55, 56, 63, 64 bytes) against values from sha256sum.
    func testPaddingBoundaries() {
        XCTAssertEqual(SHA256.hex(String(repeating: "a", count: 55)), "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318")
        XCTAssertEqual(SHA256.hex(String(repeating: "a", count: 56)), "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a")
        XCTAssertEqual(SHA256.hex(String(repeating: "a", count: 64)), "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb")
        XCTAssertEqual(SHA256.hash(Array("abc".utf8)).count, 32)
    }
}

final class StoreWorkflowTests: XCTestCase {
    func testKeysAreStoredOnlyAsHashes() throws {
        let f = try ServerFixture(complaints: 0)
        defer { f.remove() }
        let (key, record) = try f.store.createAPIKey(name: "çağrı merkezi")
        XCTAssertTrue(key.hasPrefix("tmk_"))
        XCTAssertEqual(key.count, 4 + 43, "32 random bytes in base64url")
        XCTAssertEqual(try f.store.checkAPIKey(key), .valid(record))
        XCTAssertEqual(try f.store.checkAPIKey(key + "x"), .unknown)
        // The file does not contain the key, but does contain its hash.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: f.config.databasePath))
        let wal = (try? Data(contentsOf: URL(fileURLWithPath: f.config.databasePath + "-wal"))) ?? Data()
        XCTAssertNil((bytes + wal).range(of: Data(key.utf8)))
        XCTAssertNotNil((bytes + wal).range(of: Data(SHA256.hex(key).utf8)))
        XCTAssertThrowsError(try f.store.createAPIKey(name: "çağrı merkezi")) { XCTAssertEqual($0 as? WorkflowError, .keyNameTaken("çağrı merkezi")) }
        let revoked = try f.store.revokeAPIKey("çağrı merkezi")
        XCTAssertNotNil(revoked.revokedAt)
        guard case .revoked = try f.store.checkAPIKey(key) else { return XCTFail("revoked key still valid") }
        // The name is free again after revoking; revoking twice fails.
        XCTAssertNoThrow(try f.store.createAPIKey(name: "çağrı merkezi"))
        XCTAssertThrowsError(try f.store.revokeAPIKey("nobody"))
        XCTAssertEqual(try f.store.apiKeys().map(\.name), ["test", "old", "çağrı merkezi", "çağrı merkezi"])
    }

    func testReopenClearsResolvedAt() throws {
        let f = try ServerFixture(complaints: 1)
        defer { f.remove() }
        _ = try f.store.applyWorkflow(id: 1, WorkflowChange(status: .inProgress))
        let resolved = try f.store.applyWorkflow(id: 1, WorkflowChange(status: .resolved))
        XCTAssertNotNil(resolved.complaint.fields.resolvedAt)
        let reopened = try f.store.applyWorkflow(id: 1, WorkflowChange(status: .open, note: "vatandaş: düzelmedi"))
        XCTAssertNil(reopened.complaint.fields.resolvedAt)
        XCTAssertEqual(reopened.history.last?.from, .resolved)
        XCTAssertEqual(reopened.history.last?.to, .open)
        XCTAssertThrowsError(try f.store.applyWorkflow(id: 99, WorkflowChange(status: .assigned))) {
            XCTAssertEqual($0 as? WorkflowError, .notFound(99))
        }
        // The snapshot reads the new status.
        let snap = try f.store.loadSnapshot()
        var statuses: [ComplaintStatus] = []
        snap.forEach(filter: CompiledFilter()) { statuses.append(CompiledFilter.status(code: $0.status)) }
        XCTAssertEqual(statuses, [.open])
    }

    func testSchemaIsAtTheLatestVersionAndMigratesFromOne() throws {
        let f = try ServerFixture(complaints: 0)
        defer { f.remove() }
        // Reopening an existing store runs nothing new and keeps the keys.
        let again = try SpatiaLiteStore(path: f.config.databasePath)
        XCTAssertEqual(try again.apiKeys().count, 2)
        XCTAssertTrue(try again.integrityProblems().isEmpty)
    }
}
