import Foundation
import XCTest
@testable import GeoIndex

/// The two backends the store contract runs on, each built the way `taskmap init` builds it from the sample
/// district (data/sample-parcels): a SpatiaLite file, or a fresh schema in the test pool's database.
enum Backend: String, CaseIterable {
    case spatialite, postgis
}

/// A store under test and how to throw it away.
final class Harness {
    let backend: Backend
    let store: any ManagedStore
    let dir: URL
    /// The PostGIS URL (with its own search_path), nil for SpatiaLite.
    let url: String?
    private let cleanup: () -> Void

    init(backend: Backend, store: any ManagedStore, dir: URL, url: String?, cleanup: @escaping () -> Void) {
        self.backend = backend; self.store = store; self.dir = dir; self.url = url; self.cleanup = cleanup
    }
    deinit { cleanup() }

    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let sample = repo.appendingPathComponent("data/sample-parcels")

    static func tempDir() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("taskmap-contract-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The sample district's boundaries, parcels and categories in a new SpatiaLite file.
    static func sampleFile(at path: String) throws -> SpatiaLiteStore {
        let m = sample.appendingPathComponent("mahalle.geojson").path
        let s = try SpatiaLiteStore(path: path, create: true)
        _ = try s.addBoundaries(BoundaryInput(source: m, mahalle: try GeoJSONReader.mahalle(path: m),
                                              parcels: try GeoJSONReader.parcels(path: sample.appendingPathComponent("parcels.geojson").path),
                                              categories: try Category.read(csvPath: sample.appendingPathComponent("categories.csv").path)))
        return s
    }

    /// The sample district on `backend` (PostGIS: built as a file and moved in, as `taskmap init --db postgresql://`).
    static func make(_ backend: Backend) throws -> Harness {
        let dir = try tempDir()
        setenv("TASKMAP_CACHE_DIR", dir.path, 1)
        switch backend {
        case .spatialite:
            let s = try sampleFile(at: dir.appendingPathComponent("store.sqlite").path)
            return Harness(backend: backend, store: s, dir: dir, url: nil) { try? FileManager.default.removeItem(at: dir) }
        case .postgis:
            let pool = try TestPool.fresh()
            let target = try PostGISStore(url: pool.url, create: true)
            let file = try sampleFile(at: dir.appendingPathComponent("init.sqlite").path)
            _ = try PoolMigration.run(from: file, to: target)
            return Harness(backend: backend, store: target, dir: dir, url: pool.url) {
                pool.drop()
                try? FileManager.default.removeItem(at: dir)
            }
        }
    }

    /// A generated complaints CSV of the sample district (the project's generator, fixed seed).
    func complaintsCSV(_ n: Int, seed: UInt64 = 17, name: String = "complaints.csv") throws -> String {
        var o = ComplaintGenerator.Options()
        o.count = n
        o.seed = seed
        let g = ComplaintGenerator(mahalle: try store.mahalleList(), categories: try store.categories(), options: o)
        let path = dir.appendingPathComponent(name).path
        _ = try g.writeCSV(to: path)
        return path
    }
}

/// The test database of `make test` (scripts/with-pg exports TASKMAP_TEST_PG). Each test gets its own schema
/// (search_path in the URL), dropped afterwards. Without a cluster the PostGIS tests are skipped — except on CI,
/// where a missing cluster is a failure (the pool must be tested there).
enum TestPool {
    static var baseURL: String? { ProcessInfo.processInfo.environment["TASKMAP_TEST_PG"].flatMap { $0.isEmpty ? nil : $0 } }

    static func requireURL() throws -> String {
        if let u = baseURL { return u }
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            XCTFail("TASKMAP_TEST_PG is not set on CI: `make test` runs the suite under scripts/with-pg")
        }
        throw XCTSkip("no TASKMAP_TEST_PG: run through `make test` (scripts/with-pg starts a throw-away PostGIS cluster)")
    }

    struct Fresh { var url: String; var schema: String; var drop: () -> Void }

    static func fresh() throws -> Fresh {
        let base = try requireURL()
        let schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        let admin = try PGConnection(PostGISStore.conninfo(base), applicationName: "taskmap tests")
        try admin.exec("CREATE SCHEMA \(schema)")
        let url = base + (base.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(schema)%2Cpublic"
        return Fresh(url: url, schema: String(schema)) { _ = try? admin.exec("DROP SCHEMA \(schema) CASCADE") }
    }

    /// Runs SQL on the test database (outside any test schema unless qualified).
    static func admin() throws -> PGConnection {
        try PGConnection(PostGISStore.conninfo(try requireURL()), applicationName: "taskmap tests")
    }
}
