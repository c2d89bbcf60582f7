import Foundation
import XCTest

/// `taskmap hooks` with the real binary and a receiver process (scripts/hook-receiver.py, which checks the
/// signature as a city's gateway would): a complaint acknowledged while the receiver is down, the server killed
/// with SIGKILL before it could deliver, is delivered once after the restart.
final class HookCLITests: XCTestCase {
    func testDeliveredAfterKill9AndRestart() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("city.sqlite").path
        XCTAssertEqual(try CLI.run(["demo", "--no-serve", "--count", "200", "--db", db]).status, 0)
        let key = try XCTUnwrap(try CLI.run(["keys", "add", "--db", db, "santral"]).out.split(separator: "\n").last.map(String.init))
        let receiverPort = Int.random(in: 40_001...50_000), serverPort = Int.random(in: 20_000...30_000)
        let bad = try CLI.run(["hooks", "add", "--db", db, "--url", "ftp://127.0.0.1/x"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.err.contains("not an http:// or https:// URL"), bad.err)
        let added = try CLI.run(["hooks", "add", "--db", db, "--url", "http://127.0.0.1:\(receiverPort)/hook", "--event", "created,resolved"])
        XCTAssertEqual(added.status, 0, added.err)
        let secret = try XCTUnwrap(added.out.split(separator: "\n").last.map(String.init))
        XCTAssertTrue(secret.hasPrefix("whsec_"))
        XCTAssertFalse(try CLI.run(["hooks", "list", "--db", db]).out.contains(secret), "secrets are never listed")

        func serve() throws -> Process { try CLI.serve(db: db, port: serverPort).0 }
        var server = try serve()
        let post = try CLI.run(URL(fileURLWithPath: "/usr/bin/curl"), [
            "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "http://127.0.0.1:\(serverPort)/api/complaints",
            "-H", "X-API-Key: \(key)", "-H", "Content-Type: application/json",
            "-d", #"{"lon": 36.95, "lat": 37.59, "category": "yol", "channel": "phone", "description": "gizli"}"#])
        XCTAssertEqual(post.out, "201")
        usleep(1_500_000)  // attempts against the closed port fail and are scheduled again
        kill(server.processIdentifier, SIGKILL)
        server.waitUntilExit()
        let status = try CLI.run(["hooks", "status", "--db", db]).out
        XCTAssertTrue(status.contains("\t0\t1\t1\t0\t"), "undelivered, pending, retrying: \(status)")

        let out = dir.appendingPathComponent("received.jsonl")
        let receiver = Process()
        receiver.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        receiver.arguments = [CLI.repo.appendingPathComponent("scripts/hook-receiver.py").path, String(receiverPort), secret, out.path]
        try receiver.run()
        defer { receiver.terminate(); receiver.waitUntilExit() }
        usleep(500_000)
        server = try serve()
        defer { server.terminate(); server.waitUntilExit() }
        var lines: [String] = []
        for _ in 0..<100 {
            lines = ((try? String(contentsOf: out, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
            if !lines.isEmpty { break }
            usleep(100_000)
        }
        usleep(500_000)
        lines = ((try? String(contentsOf: out, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 1, "delivered once (signature checked by the receiver): \(lines)")
        XCTAssertTrue(lines.first?.contains(#""event": "created""#) ?? false, lines.first ?? "")
        XCTAssertFalse(lines.first?.contains("gizli") ?? true, "no personal field in a hook body")
        let after = try CLI.run(["hooks", "status", "--db", db]).out
        XCTAssertTrue(after.contains("\t1\t0\t0\t0\t"), "delivered 1, nothing pending: \(after)")
    }
}
