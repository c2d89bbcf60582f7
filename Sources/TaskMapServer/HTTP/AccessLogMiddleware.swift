import Foundation
import Hummingbird
import Logging

/// One structured log line per request (method, path, route, status, bytes, duration, request id) and the
/// request metrics. Outermost middleware, so it sees the final status of errors too. The `api_key` query or
/// form value never reaches the log: only the path is logged, and the query with `api_key` removed.
struct AccessLogMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            // Only reached if the error middleware did not catch it (it catches everything); logged as a 500.
            log(request, context: context, status: 500, bytes: nil, start: start)
            throw error
        }
        log(request, context: context, status: Int(response.status.code), bytes: response.body.contentLength, start: start)
        return response
    }

    private func log(_ request: Request, context: Context, status: Int, bytes: Int?, start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let route = context.endpointPath ?? "NotFound"
        metrics.recordRequest(method: request.method.rawValue, route: route, status: status, seconds: seconds)
        // The line is built only when it will be written (`--log-level warning` skips it: benchmarks, busy servers).
        guard context.logger.logLevel <= .info else { return }
        var metadata: Logger.Metadata = [
            "method": "\(request.method.rawValue)",
            "path": "\(request.uri.path)",
            "route": "\(route)",
            "status": "\(status)",
            "duration_ms": "\(String(format: "%.3f", seconds * 1000))",
        ]
        if let q = Self.redactedQuery(request.uri.query) { metadata["query"] = "\(q)" }
        if let bytes { metadata["bytes"] = "\(bytes)" }
        context.logger.info("request", metadata: metadata)
    }

    static func redactedQuery(_ query: String?) -> String? {
        guard let query, !query.isEmpty else { return nil }
        return query.split(separator: "&").map { part in
            // The name as the form parser will read it (`api%5Fkey`, `+` and case included).
            let name = part.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
            let decoded = (name.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? name).lowercased()
            return decoded == "api_key" ? "api_key=REDACTED" : String(part)
        }.joined(separator: "&")
    }
}
