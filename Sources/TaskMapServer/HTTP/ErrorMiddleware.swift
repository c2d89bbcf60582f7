import Foundation
import Hummingbird
import Logging

/// Turns every error into a response in one place: `{"error": "...", "field": "..."}` for the API, the
/// GeoReport v2 format (`[{"code":400,"description":"..."}]`, or its XML) under `/open311/`. Errors the client
/// could not cause (500) are logged with their details, which never reach the client.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let apiError = APIError.from(error)
            if apiError.status == .internalServerError {
                context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))", "path": "\(request.uri.path)"])
            }
            return Self.response(for: apiError, path: request.uri.path)
        }
    }

    static func response(for e: APIError, path: String) -> Response {
        var headers = e.headers
        let body: String
        if path.hasPrefix("/open311/") {
            if path.hasSuffix(".xml") {
                headers[.contentType] = "text/xml; charset=utf-8"
                var x = XMLWriter(root: "errors")
                x.open("error")
                x.element("code", String(e.status.code))
                x.element("description", e.message)
                x.close()
                body = x.finish()
            } else {
                headers[.contentType] = "application/json; charset=utf-8"
                body = JSONOutput.string([Open311Error(code: e.status.code, description: e.message)])
            }
        } else {
            headers[.contentType] = "application/json; charset=utf-8"
            body = JSONOutput.string(ErrorBody(error: e.message, field: e.field))
        }
        return Response(status: e.status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    struct ErrorBody: Encodable {
        var error: String
        var field: String?
    }

    struct Open311Error: Encodable {
        var code: Int
        var description: String
    }
}
