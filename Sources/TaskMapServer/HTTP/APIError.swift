import Foundation
import GeoIndex
import Hummingbird

/// An error an endpoint answers with: a status, a message and (for bad input) the field at fault.
/// `ErrorMiddleware` turns it, and every other error, into the JSON (or Open311) error body.
public struct APIError: Error, Sendable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var message: String
    public var field: String?
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, _ message: String, field: String? = nil, headers: HTTPFields = [:]) {
        self.status = status; self.message = message; self.field = field; self.headers = headers
    }

    public var description: String { "\(status.code) \(message)" + (field.map { " (field \($0))" } ?? "") }

    static func badRequest(_ message: String, field: String? = nil) -> APIError { APIError(.badRequest, message, field: field) }
    static func notFound(_ message: String) -> APIError { APIError(.notFound, message) }

    /// Maps any error to the API's view of it. Unknown errors are 500s with a generic message (the details go
    /// to the log, not to the client).
    static func from(_ error: any Error) -> APIError {
        switch error {
        case let e as APIError:
            return e
        case let e as FilterError:
            return .badRequest(e.description, field: e.field)
        case let e as WorkflowError:
            switch e {
            case .notFound: return APIError(.notFound, e.description)
            case .invalidTransition: return APIError(.conflict, e.description, field: "status")
            case .keyNameTaken: return APIError(.conflict, e.description, field: "name")
            case .keyNotFound: return APIError(.notFound, e.description)
            }
        case let e as HTTPError:
            let message = e.body ?? e.status.reasonPhrase.lowercased()
            return APIError(e.status, e.status == .contentTooLarge ? "request body too large" : message, headers: e.headers)
        case let e as any HTTPResponseError:
            return APIError(e.status, e.status.reasonPhrase.lowercased())
        case let e as PGError where e.connectionLost:
            // The pool's database is unreachable: reads from memory (tiles, the viewer) go on; this needs the database.
            return APIError(.serviceUnavailable, "the database is unreachable; try again shortly", headers: [.retryAfter: "5"])
        case is CancellationError:
            // Queued work dropped because its task was cancelled (the server is shutting down): not a fault.
            return APIError(.serviceUnavailable, "request cancelled: the server is shutting down")
        default:
            return APIError(.internalServerError, "internal error")
        }
    }
}
