// swift-tools-version:6.0
import PackageDescription

// libFuzzer targets for taskmap's parsers (RELIABILITY.md §1). A separate package so that the main package's
// `swift build` / `swift test` never builds it. Build and run with `scripts/fuzz TARGET|all SECONDS`, which passes
// `-sanitize=fuzzer,address` (debug: Swift's bounds, overflow and unwrap checks stay on, and `@testable import`
// reaches the parsers' internal functions).
/// The harnesses have no top-level code: with `-sanitize=fuzzer` a module's top-level code would itself become
/// `LLVMFuzzerTestOneInput`.
let noMain: [SwiftSetting] = [.unsafeFlags(["-parse-as-library"])]

let package = Package(
    name: "taskmap-fuzz",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "taskmap", path: ".."),
        // Already a dependency of taskmap (same version): the tile target resolves paths with its router trie.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
    ],
    targets: [
        // Invariant checks that abort (a libFuzzer crash) with a message naming the broken rule.
        .target(name: "FuzzSupport", dependencies: [.product(name: "GeoIndex", package: "taskmap")]),
        .executableTarget(name: "FuzzCSV", dependencies: [
            "FuzzSupport", .product(name: "GeoIndex", package: "taskmap"),
        ], swiftSettings: noMain),
        .executableTarget(name: "FuzzGeoJSON", dependencies: [
            "FuzzSupport", .product(name: "GeoIndex", package: "taskmap"),
        ], swiftSettings: noMain),
        .executableTarget(name: "FuzzTilePath", dependencies: [
            "FuzzSupport", .product(name: "GeoIndex", package: "taskmap"), .product(name: "TaskMapServer", package: "taskmap"),
            .product(name: "Hummingbird", package: "hummingbird"),
        ], swiftSettings: noMain),
        .executableTarget(name: "FuzzOpen311Form", dependencies: [
            "FuzzSupport", .product(name: "GeoIndex", package: "taskmap"), .product(name: "TaskMapServer", package: "taskmap"),
            .product(name: "Hummingbird", package: "hummingbird"),
        ], swiftSettings: noMain),
    ],
    swiftLanguageModes: [.v5]
)
