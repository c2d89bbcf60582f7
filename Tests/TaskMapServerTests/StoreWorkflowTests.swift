import Foundation
import GeoIndex
import XCTest

final class KeyHashTests: XCTestCase {
    /// Keys are kept as the hex SHA-256 of their text, as stores made before swift-crypto kept them (FIPS 180-4
    /// example vectors, and a key hashed by the earlier hand-written code): old keys still match.
    func testKeyHashesKeepTheirFormat() {
        XCTAssertEqual(KeyHash.hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(KeyHash.hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(KeyHash.hex(String(repeating: "a", count: 56)), "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a")
        XCTAssertEqual(KeyHash.hex("İzmir ğüşöç"), KeyHash.hex("İzmir ğüşöç"))
        XCTAssertNotEqual(KeyHash.hex("tmk_a"), KeyHash.hex("tmk_b"))
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
        XCTAssertNotNil((bytes + wal).range(of: Data(KeyHash.hex(key).utf8)))
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
