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
        .library(name: "TaskMapServer", targets: ["TaskMapServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.0"),
        // HTTP on SwiftNIO: the tile server, intake, Open311 and analytics API.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        // Already under Hummingbird; named for NIOPosix's NIOThreadPool (FIFO worker threads for renders).
        .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
        // Already under Hummingbird; named for the HTTP part types of the event-loop tile-hit handler.
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.34.1"),
        // .xlsx exports from call centres: an .xlsx is a ZIP of XML parts; Foundation's XMLParser reads the XML.
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        // Hashes and HMAC: API keys kept as SHA-256, webhook bodies signed with HMAC-SHA-256 (instead of the
        // hand-written SHA-256 GeoIndex had).
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        // Already under Hummingbird; named for `Service`: the hook delivery loop runs beside the HTTP server and
        // stops with it.
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
    ],
    targets: [
        // System libraries (Debian: libspatialite-dev, libsqlite3-dev, libproj-dev, libpng-dev).
        .systemLibrary(name: "CSpatiaLite", pkgConfig: "spatialite"),
        .systemLibrary(name: "CProj", pkgConfig: "proj"),
        // libpq (Debian libpq-dev), PostgreSQL's own client, for the PostGIS pool: synchronous like the store
        // protocol, and it reads connection URLs, the PG* variables, ~/.pgpass and service files as psql does.
        .systemLibrary(name: "CPQ", pkgConfig: "libpq"),
        // FreeType (Debian libfreetype-dev) with DejaVu fonts: Turkish text on posters.
        .systemLibrary(name: "CFreeType", pkgConfig: "freetype2"),
        // libpng plus the small C encoder that owns its setjmp (no longjmp crosses Swift frames).
        // libdeflate (Debian libdeflate-dev) deflates palette tiles: libpng's writer can only use zlib, which was
        // 36% of a heat tile's render time.
        .target(name: "CPNG", linkerSettings: [.linkedLibrary("png16"), .linkedLibrary("z"), .linkedLibrary("deflate")]),

        .target(name: "GeoIndex", dependencies: ["CSpatiaLite", "CProj", "CPQ", .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                                          .product(name: "Crypto", package: "swift-crypto")]),
        // Text and label placement shared by the labels tile layer and the poster (FreeType, polylabel, collisions).
        .target(name: "MapText", dependencies: ["CFreeType"]),
        .target(name: "TileRender", dependencies: ["GeoIndex", "CPNG", "MapText"]),
        // "Which mahalle needs what": rates, observed/expected, trends, service figures, hot spots.
        .target(name: "NeedsAnalysis", dependencies: ["GeoIndex"]),
        // Print outputs: the monthly poster (tiles composed, labels, legend, scale bar, north arrow) and report.
        .target(name: "MapPrint", dependencies: ["GeoIndex", "CPNG", "MapText"]),
        .target(
            name: "TaskMapServer",
            dependencies: [
                "GeoIndex", "TileRender", "NeedsAnalysis",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
            ]
        ),
        .executableTarget(
            name: "taskmap",
            dependencies: [
                "GeoIndex", "TileRender", "NeedsAnalysis", "TaskMapServer", "MapPrint",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // One set of store tests, two backends (SpatiaLite file, PostGIS pool from TASKMAP_TEST_PG).
        .testTarget(name: "StoreContractTests", dependencies: ["GeoIndex", "TileRender", "NeedsAnalysis"]),
        .testTarget(name: "GeoIndexTests", dependencies: ["GeoIndex", .product(name: "ZIPFoundation", package: "ZIPFoundation")]),
        // Golden PNGs are read by path (#filePath), not as resources.
        .testTarget(name: "TileRenderTests", dependencies: ["TileRender", "MapText", "GeoIndex", "NeedsAnalysis"], exclude: ["Golden"]),
        .testTarget(name: "NeedsAnalysisTests", dependencies: ["NeedsAnalysis", "GeoIndex"], exclude: ["Fixtures"]),
        .testTarget(name: "MapPrintTests", dependencies: ["MapPrint", "MapText", "GeoIndex", "CPNG"]),
        // Runs the real `taskmap` binary (and headless Chromium against `taskmap serve`).
        .testTarget(name: "TaskMapCLITests", dependencies: ["taskmap", "CPNG", "GeoIndex"]),
        .testTarget(
            name: "TaskMapServerTests",
            dependencies: [
                "TaskMapServer", "GeoIndex", "TileRender",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
    ],
    swiftLanguageModes: [.v5]
)
