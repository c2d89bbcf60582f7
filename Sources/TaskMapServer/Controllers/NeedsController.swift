import Foundation
import GeoIndex
import HTTPTypes
import Hummingbird
import NeedsAnalysis

/// `GET /api/needs` and `GET /api/hotspots`: "which mahalle needs what" and Gi* hot spots for a month, from the
/// live snapshot (the same JSON as `taskmap needs --format json` / `taskmap hotspots --format json`).
/// Query: `month=YYYY-MM` (default: the month of the newest complaint), `district`, and for needs `mahalle`
/// (id, code or name: that mahalle's needs and rows only); for hot spots `grid` (cell metres), `category`,
/// `format=geojson`.
struct NeedsController<Context: RequestContext> {
    let service: TaskMapService

    var endpoints: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get("needs", use: needs)
        routes.get("hotspots", use: hotspots)
        return routes
    }

    private func period(_ request: Request, _ snap: ComplaintSnapshot) throws -> Period {
        if let m = request.uri.queryParameters.get("month") {
            guard let p = Period.month(m) else { throw APIError.badRequest("month must be YYYY-MM", field: "month") }
            return p
        }
        var newest: UInt32 = 0
        snap.forEach(filter: CompiledFilter()) { newest = max(newest, $0.created) }
        let ym = IstanbulTime.yearMonth(unix: Int64(newest) + CompactComplaint.epoch2000)
        return Period.month(year: ym.year, month: ym.month)
    }

    private func district(_ request: Request) throws -> String? {
        guard let d = request.uri.queryParameters.get("district") else { return nil }
        let names = NeedsScope.districtNames(in: service.live.mahalle)
        guard let match = names.first(where: { TurkishText.foldKey($0) == TurkishText.foldKey(d) }) else {
            throw APIError.badRequest("unknown district '\(d)' (districts: \(names.joined(separator: ", ")))", field: "district")
        }
        return match
    }

    private func json(_ data: Data, contentType: String = "application/json; charset=utf-8") -> Response {
        Response(status: .ok, headers: [.contentType: contentType, .cacheControl: "no-cache"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// CPU-heavy (passes over the snapshot): computed on the work pool, see `WorkPool`.
    @Sendable func needs(request: Request, context: Context) async throws -> Response {
        try await service.work.run("needs") { try needsResponse(request) }
    }

    private func needsResponse(_ request: Request) throws -> Response {
        let (snap, _) = service.live.current()
        let p = try period(request, snap)
        let d = try district(request)
        let report = NeedsReport.compute(snapshot: snap, mahalle: service.live.mahalle, categories: service.categories, period: p, district: d)
        guard let key = request.uri.queryParameters.get("mahalle") else { return json(try report.jsonData(pretty: false)) }
        let ids = service.live.mahalleIDs(matching: String(key))
        guard let id = ids.first, ids.count == 1 else {
            throw APIError.badRequest(ids.isEmpty ? "unknown mahalle '\(key)'" : "mahalle '\(key)' is ambiguous: give its id or code", field: "mahalle")
        }
        let one = MahalleNeedsAnswer(period: report.period, mahalle: report.ranking.first { $0.mahalleID == id },
                      rows: report.rows.filter { $0.mahalleID == id })
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        return json(try enc.encode(one))
    }

    /// CPU-heavy (passes over the snapshot): computed on the work pool, see `WorkPool`.
    @Sendable func hotspots(request: Request, context: Context) async throws -> Response {
        try await service.work.run("hotspots") { try hotspotsResponse(request) }
    }

    private func hotspotsResponse(_ request: Request) throws -> Response {
        let (snap, _) = service.live.current()
        let p = try period(request, snap)
        let d = try district(request)
        var o = HotspotOptions()
        if let c = request.uri.queryParameters.get("category") {
            guard service.category(String(c)) != nil else { throw APIError.badRequest("unknown category '\(c)'", field: "category") }
            o.category = String(c)
        }
        var grid = false
        if let g = request.uri.queryParameters.get("grid") {
            guard let m = Double(g), (25...20_000).contains(m) else { throw APIError.badRequest("grid must be 25–20000 metres", field: "grid") }
            o.cellMetres = m
            grid = true
        }
        let a = grid
            ? HotspotAnalysis.grid(snapshot: snap, mahalle: service.live.mahalle, categories: service.categories, period: p, district: d, options: o)
            : HotspotAnalysis.mahalle(snapshot: snap, mahalle: service.live.mahalle, categories: service.categories, period: p, district: d, options: o)
        switch request.uri.queryParameters.get("format") {
        case nil, "json": return json(try a.jsonData(pretty: false))
        case "geojson": return json(Data(a.geoJSON().utf8), contentType: "application/geo+json; charset=utf-8")
        default: throw APIError.badRequest("format must be json or geojson", field: "format")
        }
    }
}

/// `/api/needs?mahalle=…`: one mahalle's place in the ranking and its rows.
struct MahalleNeedsAnswer: Encodable {
    var period: NeedsReport.PeriodInfo
    var mahalle: NeedsReport.MahalleNeeds?
    var rows: [NeedsReport.Row]
}
