import Foundation

/// A legend as data, for the viewer and TileJSON: what the colours of a layer mean.
public struct Legend: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable {
        /// A continuous ramp: stops at densities.
        case ramp
        /// Classes: each stop is a class with its lower and upper value.
        case classes
        /// One colour per category (pins).
        case categories
        /// Line styles (boundaries).
        case lines
    }

    public struct Stop: Sendable, Codable, Equatable {
        /// The stop's value: ramp density, or a class's upper bound (nil for "no data" and categories).
        public var value: Double?
        /// A class's lower bound (exclusive; nil for the first class).
        public var lower: Double?
        public var label: String
        /// "#rrggbb" or "#rrggbbaa".
        public var color: String
        public init(value: Double?, lower: Double? = nil, label: String, color: String) {
            self.value = value; self.lower = lower; self.label = label; self.color = color
        }
    }

    public var layer: String
    public var title: String
    public var kind: Kind
    public var stops: [Stop]
    /// How values were scaled or classified ("log", "quantile", …).
    public var method: String?
    /// Zoom the legend is for (heat scales differ per zoom).
    public var zoom: Int?
    public var notes: String?

    public init(layer: String, title: String, kind: Kind, stops: [Stop], method: String? = nil, zoom: Int? = nil, notes: String? = nil) {
        self.layer = layer; self.title = title; self.kind = kind; self.stops = stops; self.method = method; self.zoom = zoom; self.notes = notes
    }
}

/// Number formatting for legend labels: "12", "3.4", "1,250".
enum LegendFormat {
    static func number(_ v: Double) -> String {
        if v.rounded() == v && abs(v) < 1e15 {
            let f = NumberFormatter()
            f.numberStyle = .decimal
            f.groupingSeparator = ","
            f.usesGroupingSeparator = true
            f.locale = Locale(identifier: "en_US_POSIX")
            return f.string(from: NSNumber(value: Int64(v))) ?? "\(Int64(v))"
        }
        return abs(v) >= 100 ? String(format: "%.0f", v) : abs(v) >= 10 ? String(format: "%.1f", v) : String(format: "%.2f", v)
    }
}
