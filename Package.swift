// swift-tools-version:6.0
import PackageDescription

// taskmap: a geospatial task-map engine for municipal complaint systems.
// Data flows one way: GeoIndex (store) -> TileRender (render + encode) -> TaskMapServer (serve), with the
// `taskmap` CLI on top. C lives only in the C* targets.
let package = Package(
    name: "taskmap",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "taskmap", targets: ["taskmap"]),
        .library(name: "GeoIndex", targets: ["GeoIndex"]),
        .library(name: "TileRender", targets: ["TileRender"]),
        .library(name: "NeedsAnalysis", targets: ["NeedsAnalysis"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.0"),
    ],
    targets: [
        // System libraries (Debian: libspatialite-dev, libsqlite3-dev, libproj-dev, libpng-dev).
        .systemLibrary(name: "CSpatiaLite", pkgConfig: "spatialite"),
        .systemLibrary(name: "CProj", pkgConfig: "proj"),
        // libpng plus the small C encoder that owns its setjmp (no longjmp crosses Swift frames).
        .target(name: "CPNG", linkerSettings: [.linkedLibrary("png16"), .linkedLibrary("z")]),

        .target(name: "GeoIndex", dependencies: ["CSpatiaLite", "CProj"]),
        .target(name: "TileRender", dependencies: ["GeoIndex", "CPNG"]),
        // "Which mahalle needs what": rates, observed/expected, trends, service figures, hot spots.
        .target(name: "NeedsAnalysis", dependencies: ["GeoIndex"]),
        .executableTarget(
            name: "taskmap",
            dependencies: [
                "GeoIndex", "TileRender", "NeedsAnalysis",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .testTarget(name: "GeoIndexTests", dependencies: ["GeoIndex"]),
        .testTarget(name: "TileRenderTests", dependencies: ["TileRender", "GeoIndex"]),
        .testTarget(name: "NeedsAnalysisTests", dependencies: ["NeedsAnalysis", "GeoIndex"]),
    ],
    swiftLanguageModes: [.v5]
)
