import Foundation
import GeoIndex
import Hummingbird

/// `GET /api/geocode?q=Gül Sok. No:3, Şehitler Mah.`: the work screen's and the call centre's address box. Answers
/// from the store's own parcels and mahalle (public data): candidates with their precision (`door`, `street`,
/// `mahalle`), several when the text is ambiguous, none when nothing matched.
struct GeocodeController<Context: RequestContext> {
    let service: TaskMapService

    var endpoints: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get(use: geocode)
        return routes
    }

    struct Candidate: Encodable {
        var precision: String
        var lon: Double, lat: Double
        var mahalle: String?, district: String?, street: String?, door: String?
    }
    struct Output: Encodable { var query: String; var candidates: [Candidate] }

    @Sendable func geocode(request: Request, context: Context) async throws -> Response {
        // A form-encoded space ("+") is a space (browsers' URLSearchParams send them so).
        guard let q = request.query("q")?.replacingOccurrences(of: "+", with: " ").trimmingCharacters(in: .whitespacesAndNewlines), !q.isEmpty else {
            throw APIError.badRequest("q (the address) is required", field: "q")
        }
        guard q.count <= 300 else { throw APIError.badRequest("q is longer than 300 characters", field: "q") }
        let found = try service.store.geocode(address: q)
        return JSONOutput.response(Output(query: q, candidates: found.prefix(20).map {
            Candidate(precision: $0.precision.rawValue, lon: $0.location.lon, lat: $0.location.lat, mahalle: $0.mahalle,
                      district: $0.district, street: $0.street, door: $0.door)
        }))
    }
}
