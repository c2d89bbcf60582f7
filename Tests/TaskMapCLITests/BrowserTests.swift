import CPNG
import Foundation
import XCTest

/// The viewer in a real browser: headless Chromium opens `taskmap serve` on a demo store, waits for the
/// tiles, takes a screenshot, and the test checks the map is drawn (not blank) and that tiles were rendered.
final class BrowserTests: XCTestCase {
    /// Chromium's path; missing fails under CI=true and skips elsewhere.
    func chromium() throws -> String {
        guard let c = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail("chromium is missing: scripts/install-deps installs it") }
            throw XCTSkip("chromium not installed")
        }
        return c
    }

    /// `taskmap serve` on a new demo store of `count` complaints; returns the server (to stop) and its base URL.
    func startServer(in dir: URL, count: Int) throws -> (Process, String) {
        let db = dir.appendingPathComponent("demo.sqlite").path
        let demo = try CLI.run(["demo", "--no-serve", "--count", String(count), "--db", db])
        XCTAssertEqual(demo.status, 0, demo.err)
        return try CLI.serve(db: db)
    }

    func testViewerShowsTheTaskMap() throws {
        let chromium = try chromium()
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (server, base) = try startServer(in: dir, count: 20_000)
        defer { server.terminate(); server.waitUntilExit() }

        let shot = dir.appendingPathComponent("viewer.png").path
        let browser = Process()
        browser.executableURL = URL(fileURLWithPath: chromium)
        browser.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
                             "--window-size=1280,800", "--virtual-time-budget=15000", "--screenshot=\(shot)", base + "/?live=0"]
        browser.standardOutput = FileHandle.nullDevice
        browser.standardError = FileHandle.nullDevice
        try browser.run()
        browser.waitUntilExit()
        let png = try XCTUnwrap(FileManager.default.contents(atPath: shot), "no screenshot")
        if let out = ProcessInfo.processInfo.environment["TASKMAP_SCREENSHOT_OUT"] {
            try png.write(to: URL(fileURLWithPath: out))
        }
        let (pixels, w, h) = try decode(png)
        XCTAssertEqual(w, 1280)
        XCTAssertEqual(h, 800)
        // The map panel (right of the 300-px side bar): many distinct colours and a good share of saturated
        // pixels, where a blank map would be one flat background.
        var colours = Set<UInt32>()
        var saturated = 0, total = 0
        for y in stride(from: 0, to: h, by: 2) {
            for x in stride(from: 320, to: w, by: 2) {
                let i = 4 * (y * w + x)
                let r = Int(pixels[i]), g = Int(pixels[i + 1]), b = Int(pixels[i + 2])
                colours.insert(UInt32(r) << 16 | UInt32(g) << 8 | UInt32(b))
                if max(r, g, b) - min(r, g, b) > 40 { saturated += 1 }
                total += 1
            }
        }
        XCTAssertGreaterThan(colours.count, 50, "the map looks blank")
        XCTAssertGreaterThan(Double(saturated) / Double(total), 0.10, "the map looks blank")
        // And the browser fetched rendered tiles from the server.
        let metrics = try CLI.curl(base + "/metrics")
        let rendered = metrics.split(separator: "\n").filter { $0.hasPrefix("taskmap_tiles_rendered_total") }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0, +)
        XCTAssertGreaterThan(rendered, 0, "no tiles were rendered for the viewer")
    }

    /// A phone (390 × 844) and a desk (1400 × 900): the map covers most of the window (the panel is a closed sheet
    /// on the phone, beside the map on the desk), and a link with a layer, filters, a month and a view opens that
    /// map (the page re-serialises its controls into the URL: what it shows is what it applied).
    func testViewerOnAPhoneAndADeskKeepsItsStateInTheURL() throws {
        let chromium = try chromium()
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (server, base) = try startServer(in: dir, count: 5_000)
        defer { server.terminate(); server.waitUntilExit() }
        func dom(_ size: String, _ path: String) throws -> String {
            let r = try CLI.run(URL(fileURLWithPath: chromium), ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                                                                 "--window-size=\(size)", "--virtual-time-budget=10000", "--dump-dom", base + path])
            return r.out
        }
        func attribute(_ name: String, in html: String) -> String? {
            guard let r = html.range(of: "\(name)=\"") else { return nil }
            return String(html[r.upperBound...].prefix { $0 != "\"" })
        }
        let phone = try dom("390,844", "/?live=0")
        let phoneCover = try XCTUnwrap(attribute("data-map-cover", in: phone).flatMap(Double.init), "no measurement: \(phone.prefix(300))")
        XCTAssertGreaterThanOrEqual(phoneCover, 0.8, "phone: the map covers \(phoneCover) of the screen")
        let desk = try dom("1400,900", "/?live=0")
        let deskCover = try XCTUnwrap(attribute("data-map-cover", in: desk).flatMap(Double.init))
        XCTAssertGreaterThanOrEqual(deskCover, 0.7, "desk: the map covers \(deskCover) of the window")
        XCTAssertLessThan(deskCover, 0.95, "desk: the panel is beside the map")
        // Mahalle names are on by default: the page loads tiles of the labels layer.
        XCTAssertTrue(desk.contains("src=\"/tiles/labels/"), "no labels tiles in the page")

        let link = "/?layer=choropleth&metric=per1000&category=cop&month=2024-03&labels=0&z=14&lat=37.59&lon=36.95&live=0"
        let linked = try dom("1400,900", link)
        XCTAssertFalse(linked.contains("src=\"/tiles/labels/"), "labels=0 in the link, yet names are shown")
        let state = try XCTUnwrap(attribute("data-state", in: linked)).replacingOccurrences(of: "&amp;", with: "&")
        for part in ["layer=choropleth", "metric=per1000", "category=cop", "month=2024-03", "labels=0", "z=14", "lat=37.59000", "lon=36.95000"] {
            XCTAssertTrue(state.contains(part), "\(part) not applied: \(state)")
        }
    }

    func decode(_ png: Data) throws -> ([UInt8], Int, Int) {
        var out: UnsafeMutablePointer<UInt8>?
        var w: Int32 = 0, h: Int32 = 0
        var err = [CChar](repeating: 0, count: 256)
        let bytes = [UInt8](png)
        let rc = bytes.withUnsafeBufferPointer { tm_png_decode_rgba($0.baseAddress, $0.count, &out, &w, &h, &err, err.count) }
        guard rc == 0, let out else { throw NSError(domain: "png", code: Int(rc)) }
        defer { tm_png_free(out) }
        return (Array(UnsafeBufferPointer(start: out, count: Int(w) * Int(h) * 4)), Int(w), Int(h))
    }
}

extension CLI {
    /// `taskmap serve` on a store, on loopback (a random port unless given), started and answering `/healthz`.
    static func serve(db: String, port: Int = Int.random(in: 20_000...40_000), file: StaticString = #filePath, line: UInt = #line) throws -> (Process, String) {
        let server = Process()
        server.executableURL = CLI.binary
        server.arguments = ["serve", "--db", db, "--port", String(port), "--log-level", "error"]
        server.currentDirectoryURL = CLI.repo
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        let base = "http://127.0.0.1:\(port)"
        var up = false
        for _ in 0..<100 where !up {
            up = (try? CLI.curl(base + "/healthz"))?.contains("\"status\":\"ok\"") ?? false
            if !up { usleep(200_000) }
        }
        XCTAssertTrue(up, "server did not come up", file: file, line: line)
        return (server, base)
    }

    /// GET through curl (no HTTP client dependency in the tests).
    static func curl(_ url: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        p.arguments = ["-s", "--max-time", "10", url]
        let o = Pipe()
        p.standardOutput = o
        try p.run()
        let d = o.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: d, as: UTF8.self)
    }
}
