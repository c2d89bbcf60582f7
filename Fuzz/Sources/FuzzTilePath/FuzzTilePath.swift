import Foundation
import FuzzSupport
@_spi(Internal) import Hummingbird
@testable import GeoIndex
@testable import TaskMapServer

// Tile path and filter parsers: one input is a request target (path and query), e.g.
// `/tiles/heat/14/9876/6543@2x.png?category=su,park&month=2024-03&limit=20&bbox=36.9,37.5,37.0,37.6`.
// It goes through what the server does before any rendering: Hummingbird's `URI` and its router trie with the
// tile routes (`/tiles/{layer}.json`, `/tiles/{layer}/{z}/{x}/{y}.png`), `TilePath.parse` (z/x/y, `@2x`),
// `Request.complaintFilter()` (`ComplaintFilter.parse`: category, status, channel, type, from, to, month,
// district, mahalle), `Request.limit` and `BBoxParser`. Invariants: a parsed tile address is in range and
// its boxes are ordered; a filter written back as a query parses to the same filter (and canonical key); a
// bbox written back parses to the same box; limit is in 1...max; the event loop's reading of a tile target
// (`CachedTileResponder.tilePath`) agrees with the router's.

private let routes: RouterTrie<String> = {
    let builder = RouterPathTrieBuilder<String>()
    builder.addEntry(RouterPath("/tiles/{layer}.json"), value: "tilejson")
    builder.addEntry(RouterPath("/tiles/{layer}/{z}/{x}/{y}.png"), value: "tile")
    return builder.build()
}()

private func request(_ target: String) -> Request {
    Request(head: HTTPRequest(method: .get, scheme: "http", authority: "localhost", path: target),
            body: RequestBody(buffer: ByteBuffer()))
}

/// Unreserved characters only: everything else is percent-encoded when a parsed value is written back.
private let unreserved: CharacterSet = {
    var allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    allowed.insert(charactersIn: "-._~")
    return allowed
}()

private func encode(_ s: String) -> String { s.addingPercentEncoding(withAllowedCharacters: unreserved)! }

private func checkTile(_ params: Parameters) {
    let layer = params.get("layer") ?? ""
    do {
        let (a, retina) = try TilePath.parse(layer: layer, z: params.get("z"), x: params.get("x"), y: params.get("y"))
        require((0...30).contains(a.z) && a.x >= 0 && a.y >= 0 && a.x < 1 << a.z && a.y < 1 << a.z, "tile \(a) out of range")
        let box = a.fixedBox(bufferPixels: 64)
        require(box.x0 <= box.x1 && box.y0 <= box.y1, "fixedBox \(box) not ordered for \(a)")
        let b = a.bounds
        require(b.minLon <= b.maxLon && b.minLat <= b.maxLat && b.minLon.isFinite && b.maxLat.isFinite, "bounds \(b) for \(a)")
        // The canonical path of the address routes and parses back to it.
        let canonical = "/tiles/heat/\(a.z)/\(a.x)/\(a.y)\(retina ? "@2x" : "").png"
        guard let (value, p2) = routes.resolve(request(canonical).uri.path), value == "tile" else {
            require(false, "canonical path \(canonical) does not route"); return
        }
        let (a2, r2) = try TilePath.parse(layer: "heat", z: p2.get("z"), x: p2.get("x"), y: p2.get("y"))
        require(a2 == a && r2 == retina, "\(canonical) parses to \(a2) retina \(r2), not \(a) retina \(retina)")
    } catch let e as APIError {
        require(e.status == .badRequest && e.field == "z", "tile path error \(e)")
    } catch {
        require(false, "TilePath.parse threw \(error)")
    }
}

private func checkFilter(_ req: Request) {
    let f: ComplaintFilter
    do { f = try req.complaintFilter() } catch let e as FilterError {
        require(["category", "status", "channel", "type", "from", "to", "month"].contains(e.field), "filter error field \(e.field)")
        return
    } catch {
        require(false, "complaintFilter threw \(error)"); return
    }
    if let p = f.period { require(p.start < p.end, "period \(p.start)..<\(p.end) is empty") }
    // Written back as a query (strictly percent-encoded), the filter parses to itself.
    var q: [String] = []
    func add(_ name: String, _ values: [String]?) { if let values { q.append(name + "=" + encode(values.sorted().joined(separator: ","))) } }
    add("category", f.categories.map(Array.init))
    add("status", f.statuses?.map(\.rawValue))
    add("channel", f.channels?.map(\.rawValue))
    add("type", f.types?.map(\.rawValue))
    add("district", f.districts.map(Array.init))
    add("mahalle", f.mahalle.map(Array.init))
    for name in ["from", "to", "month"] { if let v = req.query(name) { q.append(name + "=" + encode(v)) } }
    let again = request("/tiles/heat/0/0/0.png?" + q.joined(separator: "&"))
    do {
        let f2 = try again.complaintFilter()
        require(f2 == f && f2.canonicalKey == f.canonicalKey,
                "filter \(f.canonicalKey) written back as \(again.uri.query ?? "") parses to \(f2.canonicalKey)")
    } catch {
        require(false, "filter \(f.canonicalKey) written back as \(again.uri.query ?? "") fails: \(error)")
    }
}

/// The event loop's own reading of a tile target (`CachedTileResponder.tilePath`, cache hits only) must agree with
/// the router's: whatever it accepts routes to the tile route with the same layer, z, x and y.
private func checkEventLoopReading(_ target: String, _ req: Request) {
    guard let read = CachedTileResponder.tilePath(target) else { return }
    guard let (value, p) = routes.resolve(req.uri.path), value == "tile" else {
        require(false, "the event loop reads \(target) as a tile, the router does not route it"); return
    }
    require(p.get("layer") == read.parts.layer && p.get("z") == read.parts.z && p.get("x") == read.parts.x
            && p.get("y") == read.parts.y,
            "\(target): event loop \(read.parts), router \(p.get("layer") ?? "-")/\(p.get("z") ?? "-")/\(p.get("x") ?? "-")/\(p.get("y") ?? "-")")
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTilePath(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let target = String(decoding: input(data, size), as: UTF8.self)
    let req = request(target)
    if let (value, params) = routes.resolve(req.uri.path), value == "tile" { checkTile(params) }
    checkEventLoopReading(target, req)
    checkFilter(req)
    do {
        let n = try req.limit(default: 500, max: 5_000)
        require((1...5_000).contains(n), "limit \(n)")
    } catch let e as APIError {
        require(e.status == .badRequest && e.field == "limit", "limit error \(e)")
    } catch { require(false, "limit threw \(error)") }
    if let text = req.query("bbox") {
        do {
            let b = try BBoxParser.parse(text)
            require(b.minLon <= b.maxLon && b.minLat <= b.maxLat && abs(b.minLon) <= 180 && abs(b.maxLon) <= 180
                    && abs(b.minLat) <= 90 && abs(b.maxLat) <= 90, "bbox \(b)")
            let b2 = try BBoxParser.parse("\(b.minLon),\(b.minLat),\(b.maxLon),\(b.maxLat)")
            require(b2 == b, "bbox \(b) written back parses to \(b2)")
        } catch let e as APIError {
            require(e.status == .badRequest && e.field == "bbox", "bbox error \(e)")
        } catch { require(false, "BBoxParser threw \(error)") }
    }
    return 0
}

/// The program's entry point: SwiftPM links `main` to `FuzzTilePath_main` (see FuzzSupport.runFuzzer).
@_cdecl("FuzzTilePath_main")
public func fuzzTilePathMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(fuzzTilePath)
}
