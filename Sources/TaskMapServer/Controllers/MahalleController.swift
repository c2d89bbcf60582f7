import Foundation
import GeoIndex
import HTTPTypes
import Hummingbird

/// `GET /api/mahalle`: every mahalle as GeoJSON with its complaint figures under the request's filters
/// (counts, open backlog, rates per 1,000 residents, top categories), from the in-memory snapshot.
struct MahalleController<Context: RequestContext> {
    let service: TaskMapService

    var endpoints: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get(use: list)
        return routes
    }

    /// CPU-heavy (passes over the snapshot): computed on the work pool, see `WorkPool`.
    @Sendable func list(request: Request, context: Context) async throws -> Response {
        let filter = try request.complaintFilter()
        let (snap, version) = service.live.current()
        let etag = "\"m\(version)-\(FNV1a.hex(request.uri.query ?? ""))\""
        if request.headers[values: .ifNoneMatch].contains(etag) {
            return Response(status: .notModified, headers: [.eTag: etag, .cacheControl: "no-cache"])
        }
        return try await service.work.run("mahalle") { listResponse(filter: filter, snap: snap, version: version, etag: etag) }
    }

    private func listResponse(filter: ComplaintFilter, snap: ComplaintSnapshot, version: UInt64, etag: String) -> Response {
        let stats = MahalleStats(snapshot: snap, filter: service.live.compile(filter, for: snap))
        let features = service.live.mahalle.map { m -> MahalleFeature in
            let i = Int(snap.tables.mahalleIndex[m.id] ?? 0)
            let count = i == 0 ? 0 : stats.total[i]
            let open = i == 0 ? 0 : stats.open[i]
            let rate = { (n: Int) -> Double? in m.population > 0 ? (Double(n) * 1000 / Double(m.population) * 100).rounded() / 100 : nil }
            let top = i == 0 ? [] : stats.topCategories(mahalle: i, limit: 3).map {
                MahalleFeature.CategoryCount(code: snap.tables.categories[$0.category], name: service.category(snap.tables.categories[$0.category])?.nameTR,
                                             count: $0.count)
            }
            return MahalleFeature(
                id: m.id,
                geometry: .init(coordinates: m.geometry.polygons.map { poly in
                    poly.rings.map { ring in ring.map { [($0.lon * 1e6).rounded() / 1e6, ($0.lat * 1e6).rounded() / 1e6] } }
                }),
                properties: .init(id: m.id, name: m.name, code: m.code, district: m.districtName, population: m.population,
                                  complaints: count, open: open, per1000: rate(count), openPer1000: rate(open), topCategories: top))
        }
        let body = MahalleCollection(features: features, unassigned: stats.total[0], dataVersion: version)
        return JSONOutput.response(body, contentType: "application/geo+json", headers: [.eTag: etag, .cacheControl: "no-cache"])
    }
}

/// Counts per mahalle (snapshot table index) in one pass.
struct MahalleStats {
    var total: [Int]
    var open: [Int]
    /// `byCategory[mahalle * categories + category]`
    var byCategory: [Int]
    let categoryCount: Int

    init(snapshot: ComplaintSnapshot, filter: CompiledFilter) {
        let n = snapshot.tables.mahalle.count
        categoryCount = 256
        total = [Int](repeating: 0, count: n)
        open = [Int](repeating: 0, count: n)
        var byCat = [Int](repeating: 0, count: n * 256)
        let openCodes = ComplaintStatus.allCases.filter(\.isOpen).map(CompiledFilter.statusCode)
        var isOpen = [Bool](repeating: false, count: 256)
        for c in openCodes { isOpen[Int(c)] = true }
        var t = total, o = open
        snapshot.forEach(filter: filter) { r in
            let m = Int(r.mahalle)
            guard m < n else { return }
            t[m] += 1
            if isOpen[Int(r.status)] { o[m] += 1 }
            byCat[m * 256 + Int(r.category)] += 1
        }
        total = t; open = o; byCategory = byCat
    }

    func topCategories(mahalle m: Int, limit: Int) -> [(category: Int, count: Int)] {
        var out: [(category: Int, count: Int)] = []
        for c in 1..<categoryCount where byCategory[m * categoryCount + c] > 0 { out.append((c, byCategory[m * categoryCount + c])) }
        return Array(out.sorted { $0.count != $1.count ? $0.count > $1.count : $0.category < $1.category }.prefix(limit))
    }
}

struct MahalleFeature: Encodable {
    struct Geometry: Encodable { var type = "MultiPolygon"; var coordinates: [[[[Double]]]] }
    struct CategoryCount: Encodable { var code: String; var name: String?; var count: Int }
    struct Properties: Encodable {
        var id: Int64
        var name: String
        var code: String?
        var district: String
        var population: Int
        var complaints: Int
        var open: Int
        var per1000: Double?
        var openPer1000: Double?
        var topCategories: [CategoryCount]
        enum CodingKeys: String, CodingKey {
            case id, name, code, district, population, complaints, open, per1000 = "per_1000", openPer1000 = "open_per_1000",
                 topCategories = "top_categories"
        }
    }
    var type = "Feature"
    var id: Int64
    var geometry: Geometry
    var properties: Properties
}

struct MahalleCollection: Encodable {
    var type = "FeatureCollection"
    var features: [MahalleFeature]
    /// Complaints outside every mahalle under the same filter.
    var unassigned: Int
    var dataVersion: UInt64
    enum CodingKeys: String, CodingKey { case type, features, unassigned, dataVersion = "data_version" }
}
