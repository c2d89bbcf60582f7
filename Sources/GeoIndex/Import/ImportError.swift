import Foundation

/// A bad input, naming the file and where in it (line, feature, field) — the message people see.
public struct ImportError: Error, CustomStringConvertible, Sendable {
    public var file: String
    /// "line 12", "line 12, field 'lat'", "feature 3" …
    public var location: String?
    public var message: String
    public init(file: String, location: String? = nil, message: String) {
        self.file = file; self.location = location; self.message = message
    }
    public var description: String {
        if let location { return "\(file): \(location): \(message)" }
        return "\(file): \(message)"
    }
}
