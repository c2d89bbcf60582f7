import Foundation

/// An optional that encodes as an explicit JSON `null` instead of leaving the key out, so every report row has
/// the same keys. Non-finite doubles also encode as `null` (JSON has no NaN or Infinity). A missing key decodes
/// as nil.
@propertyWrapper
public struct Nullable<T: Codable>: Codable {
    public var wrappedValue: T?
    public init(wrappedValue: T?) { self.wrappedValue = wrappedValue }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        if let v = wrappedValue {
            if let d = v as? Double, !d.isFinite { try c.encodeNil() } else { try c.encode(v) }
        } else {
            try c.encodeNil()
        }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        wrappedValue = c.decodeNil() ? nil : try c.decode(T.self)
    }
}

extension Nullable: Sendable where T: Sendable {}
extension Nullable: Equatable where T: Equatable {}
extension Nullable: Hashable where T: Hashable {}

extension KeyedDecodingContainer {
    public func decode<T>(_ type: Nullable<T>.Type, forKey key: Key) throws -> Nullable<T> {
        try decodeIfPresent(type, forKey: key) ?? Nullable(wrappedValue: nil)
    }
}

/// `x` when finite, else nil: every ratio in a report passes through here, so none can be NaN or ±∞.
@inline(__always)
func finite(_ x: Double) -> Double? { x.isFinite ? x : nil }
