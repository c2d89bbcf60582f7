import Foundation

/// Finds mahalle by what people type in a filter: an id, a code or a name (Turkish-folded, so "sehitler",
/// "Şehitler" and "ŞEHİTLER" match). A name shared by mahalle of two districts matches both.
public struct MahalleDirectory: Sendable {
    private let keys: [String: [Int64]]
    public let byID: [Int64: Mahalle]

    public init(_ mahalle: [Mahalle]) {
        var k: [String: [Int64]] = [:]
        var ids: [Int64: Mahalle] = [:]
        for m in mahalle {
            ids[m.id] = m
            k[String(m.id), default: []].append(m.id)
            if let code = m.code, !code.isEmpty { k[TurkishText.foldKey(code), default: []].append(m.id) }
            k[TurkishText.foldKey(m.name), default: []].append(m.id)
        }
        keys = k.mapValues { Array(Set($0)).sorted() }
        byID = ids
    }

    public func ids(matching key: String) -> [Int64] { keys[TurkishText.foldKey(key)] ?? [] }
}

extension ComplaintSnapshot {
    /// Compiles a filter, resolving its mahalle values through `directory`.
    public func compile(_ f: ComplaintFilter, directory: MahalleDirectory) -> CompiledFilter {
        compile(f, mahalleLookup: { directory.ids(matching: $0) })
    }
}
