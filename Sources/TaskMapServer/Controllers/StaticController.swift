import Foundation
import HTTPTypes
import Hummingbird

/// `/static/leaflet/**`: Debian's libjs-leaflet files, read once and kept in memory. Only plain names inside
/// the directory are served: no `..`, no hidden files, no symlinks out of it (the resolved path must stay
/// under the resolved directory).
struct StaticController<Context: RequestContext> {
    let directory: String
    private let cache = StaticFileCache()

    init(directory: String) { self.directory = directory }

    var endpoints: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get("**", use: file)
        return routes
    }

    @Sendable func file(request: Request, context: Context) async throws -> Response {
        let relative = context.parameters.getCatchAll().joined(separator: "/")
        guard let (bytes, etag) = try cache.file(relative, in: directory) else { throw APIError.notFound("no such file") }
        let headers: HTTPFields = [.contentType: Self.contentType(relative), .eTag: etag, .cacheControl: "public, max-age=86400"]
        if request.headers[values: .ifNoneMatch].contains(etag) { return Response(status: .notModified, headers: headers) }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: bytes))
    }

    static func contentType(_ name: String) -> String {
        switch (name as NSString).pathExtension.lowercased() {
        case "js": return "text/javascript; charset=utf-8"
        case "css": return "text/css; charset=utf-8"
        case "png": return "image/png"
        case "svg": return "image/svg+xml"
        case "map", "json": return "application/json"
        default: return "application/octet-stream"
        }
    }
}

/// Files read once, by relative path.
final class StaticFileCache: @unchecked Sendable {
    private let lock = NSLock()
    private var files: [String: (ByteBuffer, String)] = [:]

    /// nil when the name is not allowed or the file does not exist.
    func file(_ relative: String, in directory: String) throws -> (ByteBuffer, String)? {
        let parts = relative.split(separator: "/", omittingEmptySubsequences: false)
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        guard !parts.isEmpty, parts.count <= 4,
              parts.allSatisfy({ !$0.isEmpty && !$0.hasPrefix(".") && $0.allSatisfy(allowed.contains) }) else { return nil }
        if let hit = lock.withLock({ files[relative] }) { return hit }
        let root = URL(fileURLWithPath: directory).resolvingSymlinksInPath().path
        let path = URL(fileURLWithPath: directory).appendingPathComponent(relative).resolvingSymlinksInPath().path
        guard path.hasPrefix(root + "/") else { return nil }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue,
              let data = FileManager.default.contents(atPath: path) else { return nil }
        let entry = (ByteBuffer(bytes: data), "\"s\(String(FNV1a.hash(data), radix: 16))\"")
        lock.withLock { files[relative] = entry }
        return entry
    }
}
