import Foundation
import Hummingbird

/// JSON responses. One encoder configuration for the whole API: ISO 8601 dates, no escaped slashes,
/// optionals left out when nil.
enum JSONOutput {
    static func data<T: Encodable>(_ value: T) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return (try? encoder.encode(value)) ?? Data("null".utf8)
    }

    static func string<T: Encodable>(_ value: T) -> String { String(decoding: data(value), as: UTF8.self) }

    static func response<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok, contentType: String = "application/json; charset=utf-8",
                                       headers: HTTPFields = [:]) -> Response {
        var h = headers
        h[.contentType] = contentType
        return Response(status: status, headers: h, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data(value))))
    }

    static func text(_ text: String, contentType: String, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var h = headers
        h[.contentType] = contentType
        return Response(status: status, headers: h, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
