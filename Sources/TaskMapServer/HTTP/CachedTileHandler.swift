import Foundation
import GeoIndex
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Answers cache hits for tiles on the connection's event loop, before the request reaches Swift concurrency.
///
/// Why: a cached tile is a dictionary lookup and a write of bytes already in memory, yet through the router every
/// request hops from the event loop to a task and back (request stream, response writer, middleware chain); that
/// hop was most of the cached path's cost (a profile: 31% Swift runtime, 26% Hummingbird/NIO, our handler 0.5%).
/// Here a hit is answered where it was read, as nginx would. Everything else — misses, errors, HEAD, `Connection:
/// close`, any URL this handler does not read exactly as the router does — passes through untouched, and the
/// router answers it as before.
///
/// Order: a request is answered here only when no earlier request on the connection is still with the router, so
/// pipelined responses keep their order. When the socket is not writable (a client that does not read), requests
/// go to the router, whose writer waits for the socket. The answer carries the same headers the router's answer
/// would (a test compares both); metrics and the access log record it like any other request (at `info` the
/// access log line is written here, on the event loop, as it was written on the request's thread before).
final class CachedTileHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let responder: CachedTileResponder
    /// Requests passed to the router whose response has not ended yet.
    private var withRouter = 0
    /// The request being answered here: its response waits for the request's end (any body parts are dropped).
    private var answer: CachedTileResponder.Answer?

    init(responder: CachedTileResponder) { self.responder = responder }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request):
            if withRouter == 0, context.channel.isWritable, let answer = responder.answer(request) {
                self.answer = answer
                return
            }
            withRouter += 1
            context.fireChannelRead(data)
        case .body:
            if answer == nil { context.fireChannelRead(data) }
        case .end:
            guard let answer else { return context.fireChannelRead(data) }
            self.answer = nil
            context.write(wrapOutboundOut(.head(answer.head)), promise: nil)
            if let body = answer.body { context.write(wrapOutboundOut(.body(body)), promise: nil) }
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            responder.record(answer)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), withRouter > 0 { withRouter -= 1 }
        context.write(data, promise: promise)
    }
}

/// Decides whether a request is a current cache hit, and builds its response. Shared by every connection.
final class CachedTileResponder: Sendable {
    struct Answer {
        var head: HTTPResponse
        var body: ByteBuffer?
        var started: ContinuousClock.Instant
        /// Path and query as requested (the access log splits and redacts them).
        var target: String
    }

    let hits: TileHits
    let serverName: String?
    let logger: Logger
    private let dates = HTTPDates()
    /// CORS on these responses, as `CORSMiddleware` puts it on the router's.
    let allowOrigin = "*"
    let exposeHeaders: String
    /// The route the router names for tiles (metrics label).
    static let route = "/tiles/{layer}/{z}/{x}/{y}.png"

    init(hits: TileHits, serverName: String?, exposeHeaders: String, logger: Logger) {
        self.hits = hits
        self.serverName = serverName
        self.exposeHeaders = exposeHeaders
        self.logger = logger
    }

    /// The answer to `request` if it is a GET for a tile that is cached and current; nil sends it to the router.
    func answer(_ request: HTTPRequest) -> Answer? {
        guard request.method == .get, let target = request.path, target.utf8.starts(with: Self.prefix) else { return nil }
        let started = ContinuousClock.now
        let fields = request.headerFields
        if let connection = fields[.connection], connection.lowercased().contains("close") { return nil }
        // A GET with a body (or one announced by Expect) goes to the router, which answers without waiting for it.
        if fields[.expect] != nil || fields[.transferEncoding] != nil { return nil }
        if let length = fields[.contentLength], length != "0" { return nil }
        guard let (parts, query) = Self.tilePath(target) else { return nil }
        guard let lookup = try? hits.lookup(layer: parts.layer, z: parts.z, x: parts.x, y: parts.y, selection: { source in
            try selections.reading(layer: parts.layer, query: query) {
                let params = query.isEmpty ? nil : URI(target).queryParameters
                return try hits.selection(layer: parts.layer, source: source) { Request.nonEmpty(params, $0) }
            }
        }) else { return nil }
        let live = hits.service.live
        guard let entry = hits.current(lookup, version: live.dataVersion, snapshot: { live.current().snapshot }) else { return nil }

        // In the order the router's answer has them (its middleware and server add the last ones).
        var headers = hits.headers(entry, cacheState: "hit")
        let notModified = TileHits.notModified(entry, ifNoneMatch: fields[values: .ifNoneMatch])
        if !notModified { headers.append(HTTPField(name: .contentLength, value: String(entry.png.readableBytes))) }
        if fields[.origin] != nil {
            headers.append(HTTPField(name: .accessControlAllowOrigin, value: allowOrigin))
            headers.append(HTTPField(name: .accessControlExposeHeaders, value: exposeHeaders))
        }
        headers.append(HTTPField(name: .date, value: dates.now()))
        if let serverName { headers.append(HTTPField(name: .server, value: serverName)) }
        return Answer(head: HTTPResponse(status: notModified ? .notModified : .ok, headerFields: headers),
                      body: notModified ? nil : entry.png, started: started, target: target)
    }

    private static let prefix = Array("/tiles/".utf8)
    /// Readings of tile queries made so far (parsing a filter cost more than the rest of a hit).
    let selections = SelectionMemo(limit: 4_096)

    /// `/tiles/{layer}/{z}/{x}/{y}.png[?query]` → its four parts, when the path is plain: only letters, digits and
    /// `-._@` between five slashes. Anything else (escapes, dot segments, empty segments, a fragment) is left to the
    /// router, so that this reading never differs from the router's.
    static func tilePath(_ target: String) -> (parts: (layer: String, z: String, x: String, y: String), query: Substring)? {
        var target = target
        let read = target.withUTF8 { bytes -> (parts: (layer: String, z: String, x: String, y: String), queryStart: Int)? in
            var slashes = (0, 0, 0, 0, 0)
            var count = 0
            var end = bytes.count
            var i = 0
            scan: while i < bytes.count {
                switch bytes[i] {
                case UInt8(ascii: "/"):
                    switch count {
                    case 0: slashes.0 = i
                    case 1: slashes.1 = i
                    case 2: slashes.2 = i
                    case 3: slashes.3 = i
                    case 4: slashes.4 = i
                    default: return nil
                    }
                    count += 1
                case UInt8(ascii: "?"):
                    end = i
                    break scan
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                     UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "@"):
                    break
                default:
                    return nil
                }
                i += 1
            }
            // Slashes before: "tiles", layer, z, x, y.
            guard count == 5, end - slashes.4 > 5, slashes.0 == 0, slashes.1 == 6,
                  bytes[1] == UInt8(ascii: "t"), bytes[2] == UInt8(ascii: "i"), bytes[3] == UInt8(ascii: "l"),
                  bytes[4] == UInt8(ascii: "e"), bytes[5] == UInt8(ascii: "s") else { return nil }
            let png = end - 4
            guard bytes[png] == UInt8(ascii: "."), bytes[png + 1] == UInt8(ascii: "p"), bytes[png + 2] == UInt8(ascii: "n"),
                  bytes[png + 3] == UInt8(ascii: "g") else { return nil }
            func segment(_ from: Int, _ to: Int) -> String? {
                guard to > from + 1, bytes[from + 1] != UInt8(ascii: ".") else { return nil }
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[(from + 1)..<to]), as: UTF8.self)
            }
            guard let layer = segment(slashes.1, slashes.2), let z = segment(slashes.2, slashes.3),
                  let x = segment(slashes.3, slashes.4), let y = segment(slashes.4, png) else { return nil }
            return ((layer, z, x, y), min(end + 1, bytes.count))
        }
        guard let read else { return nil }
        let start = target.utf8.index(target.utf8.startIndex, offsetBy: read.queryStart)
        return (read.parts, target[start...])
    }

    /// Metrics and the access log line for an answered request.
    func record(_ a: Answer) {
        let seconds = AccessLog.seconds(since: a.started)
        let status = Int(a.head.status.code)
        hits.service.metrics.tileHitAnswered(route: Self.route, status: status, seconds: seconds)
        guard logger.logLevel <= .info else { return }
        let q = a.target.firstIndex(of: "?")
        logger.info("request", metadata: AccessLog.metadata(
            method: "GET", path: String(a.target[..<(q ?? a.target.endIndex)]),
            query: q.map { String(a.target[a.target.index(after: $0)...]) }, route: Self.route, status: status,
            bytes: a.body?.readableBytes ?? 0, seconds: seconds))
    }
}

/// Query readings by layer and raw query text, bounded (emptied when full: the set a viewer uses is small, and a
/// client cycling through distinct queries only costs the parse it would have cost anyway). Errors are not kept.
final class SelectionMemo: @unchecked Sendable {
    private let lock = NSLock()
    private var readings: [String: TileHits.Selection] = [:]
    let limit: Int

    init(limit: Int) { self.limit = limit }

    var count: Int { lock.withLock { readings.count } }

    func reading(layer: String, query: Substring, _ read: () throws -> TileHits.Selection) throws -> TileHits.Selection {
        let key = layer + "?" + query
        if let known = lock.withLock({ readings[key] }) { return known }
        let selection = try read()
        lock.withLock {
            if readings.count >= limit { readings.removeAll(keepingCapacity: true) }
            readings[key] = selection
        }
        return selection
    }
}

/// The `Date` header's text, formatted at most once a second.
final class HTTPDates: @unchecked Sendable {
    private let lock = NSLock()
    private var second = -1
    private var text = ""

    func now() -> String {
        var t = time(nil)
        return lock.withLock {
            if Int(t) != second {
                var tm = tm()
                gmtime_r(&t, &tm)
                var buffer = [CChar](repeating: 0, count: 64)
                let n = strftime(&buffer, buffer.count, "%a, %d %b %Y %H:%M:%S GMT", &tm)
                text = String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                second = Int(t)
            }
            return text
        }
    }
}

/// HTTP/1.1 as Hummingbird's `HTTP1Channel` sets it up, with `CachedTileHandler` after the connection-state
/// handler (which then counts its requests for keep-alive, idle timeout and graceful shutdown like any other).
struct TaskMapHTTP1Channel: ServerChildChannel, HTTPChannelHandler {
    typealias Value = NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>

    let responder: HTTPChannelHandler.Responder
    let idleTimeout: Duration?
    /// nil: every request goes to the router.
    let tileHits: CachedTileResponder?

    func setup(channel: any NIOCore.Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let sync = channel.pipeline.syncOperations
            // Hummingbird's HTTP1Channel defaults: 80 KiB per header field and in all, at most 1,000 fields.
            var limits = NIOHTTPDecoderLimitConfiguration()
            limits.maxHeaderFieldSize = 80 * 1024
            limits.maxHeaderListSize = 80 * 1024
            limits.maxHeaderFieldCount = 1000
            try sync.configureHTTPServerPipeline(
                withPipeliningAssistance: false, withErrorHandling: false, withOutboundHeaderValidation: false,
                withEncoderConfiguration: .init(), withDecoderLimitConfiguration: limits)
            try sync.addHandler(HTTP1ToHTTPServerCodec(secure: false))
            try sync.addHandler(HTTPConnectionStateHandler(idleTimeout: idleTimeout, logger: logger))
            if let tileHits { try sync.addHandler(CachedTileHandler(responder: tileHits)) }
            return try NIOAsyncChannel(wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
        }
    }

    func handle(value asyncChannel: Value, logger: Logger) async {
        await handleHTTP(asyncChannel: asyncChannel, logger: logger)
    }
}
