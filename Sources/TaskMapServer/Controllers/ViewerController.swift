import Foundation
import GeoIndex
import HTTPTypes
import Hummingbird

/// `GET /` (the Leaflet viewer) and `GET /api/meta` (what the viewer needs to build its controls).
struct ViewerController<Context: RequestContext> {
    let service: TaskMapService
    let layers: [String]

    var endpoints: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get("/", use: page)
        routes.get("/api/meta", use: meta)
        routes.get("/work", use: work)
        return routes
    }

    @Sendable func page(request: Request, context: Context) async throws -> Response {
        JSONOutput.text(ViewerPage.html, contentType: "text/html; charset=utf-8", headers: [.cacheControl: "no-cache"])
    }

    /// The work screen. Its answers never reach another origin: no referrer, scripts and connections to this
    /// origin only, no framing.
    @Sendable func work(request: Request, context: Context) async throws -> Response {
        JSONOutput.text(WorkPage.html, contentType: "text/html; charset=utf-8", headers: [
            .cacheControl: "no-cache",
            HTTPField.Name("Content-Security-Policy")!: "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
                + "img-src 'self' data: https: http:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'",
            HTTPField.Name("Referrer-Policy")!: "no-referrer",
        ])
    }

    struct Meta: Encodable {
        struct CategoryOut: Encodable { var code: String; var name: String; var department: String }
        var bounds: [Double]?
        var layers: [String]
        var categories: [CategoryOut]
        var statuses: [String]
        var channels: [String]
        var firstMonth: String?
        var lastMonth: String?
        var basemap: String?
        var complaints: Int
        var dataVersion: UInt64
        enum CodingKeys: String, CodingKey {
            case bounds, layers, categories, statuses, channels, firstMonth = "first_month", lastMonth = "last_month", basemap,
                 complaints, dataVersion = "data_version"
        }
    }

    @Sendable func meta(request: Request, context: Context) async throws -> Response {
        let (snap, version) = service.live.current()
        var lo = UInt16.max, hi = UInt16.min
        snap.forEach(filter: CompiledFilter()) { r in lo = min(lo, r.month); hi = max(hi, r.month) }
        func month(_ m: UInt16) -> String { String(format: "%04d-%02d", 2000 + Int(m) / 12, Int(m) % 12 + 1) }
        let b = service.mahalleBounds
        let body = Meta(
            bounds: b.map { [$0.minLon, $0.minLat, $0.maxLon, $0.maxLat] }, layers: layers,
            categories: service.categories.map { .init(code: $0.code, name: $0.nameTR, department: $0.department) },
            statuses: ComplaintStatus.allCases.map(\.rawValue), channels: Channel.allCases.map(\.rawValue),
            firstMonth: snap.count > 0 ? month(lo) : nil, lastMonth: snap.count > 0 ? month(hi) : nil,
            basemap: service.config.basemapURL, complaints: snap.count, dataVersion: version)
        return JSONOutput.response(body, headers: [.cacheControl: "no-cache"])
    }
}
