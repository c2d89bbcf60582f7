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
        let seconds = AccessLog.seconds(since: start)
        let route = context.endpointPath ?? "NotFound"
        metrics.recordRequest(method: request.method.rawValue, route: route, status: status, seconds: seconds)
        // The line is built only when it will be written (`--log-level warning` skips it: benchmarks, busy servers).
        guard context.logger.logLevel <= .info else { return }
        context.logger.info("request", metadata: AccessLog.metadata(
            method: request.method.rawValue, path: request.uri.path, query: request.uri.query, route: route, status: status,
            bytes: bytes, seconds: seconds))
    }
}

/// The access log line's fields, shared by the middleware and the event-loop tile answers (`CachedTileHandler`).
enum AccessLog {
    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    static func metadata(method: String, path: String, query: String?, route: String, status: Int, bytes: Int?,
                         seconds: Double) -> Logger.Metadata {
        var metadata: Logger.Metadata = [
            "method": "\(method)",
            "path": "\(path)",
            "route": "\(route)",
            "status": "\(status)",
            "duration_ms": "\(String(format: "%.3f", seconds * 1000))",
        ]
        if let q = redactedQuery(query) { metadata["query"] = "\(q)" }
        if let bytes { metadata["bytes"] = "\(bytes)" }
        return metadata
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
