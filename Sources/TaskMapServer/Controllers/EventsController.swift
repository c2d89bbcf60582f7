import Foundation
import GeoIndex
import HTTPTypes
import Hummingbird
import ServiceLifecycle

/// `GET /api/events`: Server-Sent Events of new (`created`) and changed (`updated`) complaints, public fields
/// only. `?department=` keeps one department's; `Last-Event-ID` (or `?last_event_id=`) replays what a
/// reconnecting client missed; `?limit=N` ends the stream after N events (for scripts and tests). A comment
/// line every few seconds keeps idle connections open through proxies.
struct EventsController<Context: RequestContext> {
    let service: TaskMapService

    var endpoints: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get(use: stream)
        return routes
    }

    enum Item: Sendable {
        case event(EventHub.Event)
        case heartbeat
    }

    @Sendable func stream(request: Request, context: Context) async throws -> Response {
        let department = request.query("department").map(TurkishText.foldKey)
        var lastEventID: UInt64?
        if let text = request.headers[.lastEventID] ?? request.query("last_event_id") {
            guard let id = UInt64(text) else { throw APIError.badRequest("Last-Event-ID must be a non-negative integer", field: "last_event_id") }
            lastEventID = id
        }
        let maxEvents = try request.query("limit").map { text -> Int in
            guard let n = Int(text), n >= 1 else { throw APIError.badRequest("limit must be a positive integer", field: "limit") }
            return n
        }
        let events = service.events.subscribe(departmentKey: department, lastEventID: lastEventID)
        return Self.sse(events, heartbeat: service.config.eventHeartbeatSeconds, maxEvents: maxEvents, keep: { _ in true })
    }

    /// An SSE response of `events` (those `keep` accepts), with heartbeats, ending on graceful shutdown.
    static func sse(_ events: AsyncStream<EventHub.Event>, heartbeat: Double, maxEvents: Int?,
                    keep: @escaping @Sendable (EventHub.Event) -> Bool) -> Response {
        let headers: HTTPFields = [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-cache",
                                   HTTPField.Name("X-Accel-Buffering")!: "no"]
        let body = ResponseBody { writer in
            let (items, continuation) = AsyncStream.makeStream(of: Item.self)
            let pump = Task {
                for await e in events where keep(e) { continuation.yield(.event(e)) }
                continuation.finish()
            }
            let beat = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(Int(heartbeat * 1000)))
                    if Task.isCancelled { break }
                    continuation.yield(.heartbeat)
                }
            }
            defer { pump.cancel(); beat.cancel() }
            try await writer.write(ByteBuffer(string: "retry: 3000\n: connected\n\n"))
            var sent = 0
            // The server waits for open requests on SIGTERM: end the stream when graceful shutdown starts.
            try await withGracefulShutdownHandler {
                for await item in items {
                    switch item {
                    case .heartbeat:
                        try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                    case .event(let e):
                        try await writer.write(ByteBuffer(string: "id: \(e.id)\nevent: \(e.kind)\ndata: \(e.json)\n\n"))
                        sent += 1
                    }
                    if let maxEvents, sent >= maxEvents { break }
                }
            } onGracefulShutdown: {
                continuation.finish()
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }
}
