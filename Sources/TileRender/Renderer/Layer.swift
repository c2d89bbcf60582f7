import Foundation

/// What a tile shows.
public enum Layer: Hashable, Sendable {
    /// Kernel density of complaints, one colour scale per zoom and filter.
    case heat
    /// Kernel density of one mahalle's complaints, clipped to its polygon and scaled within it.
    case mahalleHeat(Int64)
    /// One marker per complaint (category colour, open vs resolved); clusters with counts at low zoom.
    case pins
    /// Mahalle filled by a `ChoroplethMetric` in classes.
    case choropleth
    /// Mahalle outlines (district borders heavier).
    case boundaries
    /// Mahalle names, placed once per zoom over the whole district (transparent, to lay over the others).
    case labels

    /// The ids of the layers that take no argument, in the order the viewer lists them.
    public static let ids = ["heat", "pins", "choropleth", "boundaries", "labels"]

    /// "heat", "pins", "choropleth", "boundaries", "labels" or "mahalle-heat:<id>".
    public init?(id: String) {
        switch id {
        case "heat": self = .heat
        case "pins": self = .pins
        case "choropleth": self = .choropleth
        case "boundaries": self = .boundaries
        case "labels": self = .labels
        default:
            guard id.hasPrefix("mahalle-heat:"), let m = Int64(id.dropFirst("mahalle-heat:".count)) else { return nil }
            self = .mahalleHeat(m)
        }
    }

    /// Heat layers (district-wide and per mahalle): they leave out flagged stacks.
    public var isHeat: Bool {
        switch self {
        case .heat, .mahalleHeat: return true
        default: return false
        }
    }

    public var id: String {
        switch self {
        case .heat: return "heat"
        case .mahalleHeat(let m): return "mahalle-heat:\(m)"
        case .pins: return "pins"
        case .choropleth: return "choropleth"
        case .boundaries: return "boundaries"
        case .labels: return "labels"
        }
    }

    /// Whether the layer's pixels depend on complaints (boundaries and names do not).
    public var dependsOnComplaints: Bool { self != .boundaries && self != .labels }
}

/// What a choropleth counts per mahalle (among complaints passing the filter).
public enum ChoroplethMetric: String, CaseIterable, Hashable, Sendable, Codable {
    /// Complaints.
    case count
    /// Complaints per 1,000 residents (mahalle without a population have no value).
    case per1000
    /// Complaints still open (open, assigned, in progress): the backlog.
    case open

    /// Accepts the raw value and a few spellings ("per_1000", "rate", "backlog").
    public init?(parsing s: String) {
        switch s.lowercased() {
        case "count", "n": self = .count
        case "per1000", "per_1000", "per-1000", "rate": self = .per1000
        case "open", "backlog", "open_backlog", "open-backlog": self = .open
        default: return nil
        }
    }

    public var title: String {
        switch self {
        case .count: return "Şikâyet sayısı"
        case .per1000: return "1.000 kişi başına şikâyet"
        case .open: return "Açık şikâyetler (bekleyen iş)"
        }
    }
}
