import Foundation

extension Category {
    /// Categories a store starts with when `taskmap init` is given no `--categories` file: what a Turkish
    /// municipality's Beyaz Masa hears most, each with the müdürlük responsible.
    public static let defaults: [Category] = [
        Category(code: "yol", nameTR: "Yol ve asfalt", nameEN: "Roads and paving", department: "Fen İşleri Müdürlüğü"),
        Category(code: "kaldirim", nameTR: "Kaldırım", nameEN: "Pavements", department: "Fen İşleri Müdürlüğü"),
        Category(code: "temizlik", nameTR: "Sokak temizliği", nameEN: "Street cleaning", department: "Temizlik İşleri Müdürlüğü"),
        Category(code: "cop", nameTR: "Çöp toplama", nameEN: "Waste collection", department: "Temizlik İşleri Müdürlüğü"),
        Category(code: "park", nameTR: "Park ve yeşil alan", nameEN: "Parks and green space", department: "Park ve Bahçeler Müdürlüğü"),
        Category(code: "su", nameTR: "Su ve kanalizasyon", nameEN: "Water and sewerage", department: "Su ve Kanalizasyon İdaresi"),
        Category(code: "aydinlatma", nameTR: "Sokak aydınlatması", nameEN: "Street lighting", department: "Fen İşleri Müdürlüğü"),
        Category(code: "ulasim", nameTR: "Toplu ulaşım", nameEN: "Public transport", department: "Ulaşım Hizmetleri Müdürlüğü"),
        Category(code: "zabita", nameTR: "Zabıta", nameEN: "Municipal police", department: "Zabıta Müdürlüğü"),
        Category(code: "kar", nameTR: "Kar ve buzlanma", nameEN: "Snow and ice", department: "Fen İşleri Müdürlüğü"),
        Category(code: "gurultu", nameTR: "Gürültü", nameEN: "Noise", department: "Zabıta Müdürlüğü"),
        Category(code: "diger", nameTR: "Diğer", nameEN: "Other", department: "Basın Yayın ve Halkla İlişkiler Müdürlüğü"),
    ]

    /// Reads `code,name_tr,name_en,department` (header required, case-insensitive).
    public static func read(csvPath path: String) throws -> [Category] {
        let t = try CSVTable(path: path)
        let keys = t.header.map { TurkishText.foldKey($0) }
        func col(_ n: String) throws -> Int {
            guard let i = keys.firstIndex(of: n) else { throw ImportError(file: path, location: "line 1", message: "missing column '\(n)'") }
            return i
        }
        let c = try col("code"), tr = try col("name_tr"), en = try col("name_en"), dep = try col("department")
        var out: [Category] = []
        var seen = Set<String>()
        try t.data.withUnsafeBytes { raw in
            let b = raw.bindMemory(to: UInt8.self)
            var f: [Range<Int>] = []
            for r in t.records {
                CSVTable.split(b, r.start, r.end, into: &f)
                guard f.count == t.header.count else {
                    throw ImportError(file: path, location: "line \(r.line)", message: "has \(f.count) fields, the header has \(t.header.count)")
                }
                let code = CSVTable.string(b, f[c]), ntr = CSVTable.string(b, f[tr])
                let nen = CSVTable.string(b, f[en]), d = CSVTable.string(b, f[dep])
                let key = ComplaintImporter.categoryCode(code)
                guard !key.isEmpty else { throw ImportError(file: path, location: "line \(r.line)", message: "empty code") }
                guard seen.insert(key).inserted else {
                    throw ImportError(file: path, location: "line \(r.line)", message: "category '\(key)' appears twice")
                }
                out.append(Category(code: key, nameTR: ntr, nameEN: nen, department: d))
            }
        }
        return out
    }
}
