import Hummingbird

/// `Access-Control-Expose-Headers` on cross-origin answers (not preflights, which `CORSMiddleware` answers itself),
/// so that a browser script on another origin can read an ETag, a created complaint's Location or a Retry-After.
struct CORSExposeHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    let headers: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        if request.headers[.origin] != nil { response.headers[.accessControlExposeHeaders] = headers }
        return response
    }
}
