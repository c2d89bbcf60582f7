import ArgumentParser
import Foundation
import GeoIndex
import MapPrint
import NeedsAnalysis

/// `taskmap report`: the month's report for the council — one self-contained HTML page (poster, needs ranking,
/// charts, month-over-month changes, service figures; no external links) plus the same tables as CSV.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the monthly report: index.html (self-contained) and CSV tables in a folder.")

    @OptionGroup var store: StoreOptions
    @Option(help: "Month, YYYY-MM.") var month: String
    @Option(help: "Output folder.") var out: String
    @Option(help: "Only this district (ilçe).") var district: String?
    @Option(help: "Poster resolution in the page, dpi (A4).") var posterDpi = 110

    func validate() throws {
        guard Period.month(month) != nil else { throw ValidationError("--month must be YYYY-MM") }
        guard (50...300).contains(posterDpi) else { throw ValidationError("--poster-dpi must be 50–300") }
    }

    func run() throws {
        let s = try store.open()
        let period = Period.month(month)!
        let snapshot = try s.loadSnapshotCached()
        let mahalle = try s.mahalleList()
        if let district, !mahalle.contains(where: { TurkishText.foldKey($0.districtName) == TurkishText.foldKey(district) }) {
            throw ValidationError("no district named '\(district)' in \(store.shown)")
        }
        let report = NeedsReport.compute(snapshot: snapshot, mahalle: mahalle, categories: try s.categories(), period: period,
                                         district: district)
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let (poster, _, _) = try PosterCommand.make(store: s, location: store.shown, month: month, district: district,
                                                    layers: ["choropleth", "heat", "boundaries"], metric: "per1000",
                                                    options: Poster.Options.paper("A4", dpi: posterDpi)!)
        let posterPNG = try poster.png()
        try Data(posterPNG).write(to: URL(fileURLWithPath: out + "/poster.png"))
        try report.csv().write(toFile: out + "/needs.csv", atomically: true, encoding: .utf8)
        try ReportPage.categoriesCSV(report).write(toFile: out + "/categories.csv", atomically: true, encoding: .utf8)
        try ReportPage.channelsCSV(report).write(toFile: out + "/channels.csv", atomically: true, encoding: .utf8)
        try ReportPage.rankingCSV(report).write(toFile: out + "/ranking.csv", atomically: true, encoding: .utf8)
        let title = "\(district ?? Array(Set(mahalle.map(\.districtName))).sorted(by: TurkishText.compare).joined(separator: " ve ")) — \(PosterCommand.monthName(month))"
        let html = ReportPage.html(report: report, title: title, posterPNG: posterPNG)
        try html.write(toFile: out + "/index.html", atomically: true, encoding: .utf8)
        print("wrote \(out)/index.html (\(html.utf8.count / 1024) KiB, self-contained), poster.png, needs.csv, ranking.csv, categories.csv, channels.csv")
    }
}

/// The report's HTML and CSV, from a `NeedsReport`.
enum ReportPage {
    static func esc(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
    static func num(_ x: Double?, _ d: Int = 1) -> String { x.map { String(format: "%.\(d)f", $0) } ?? "–" }
    static func csvField(_ s: String) -> String {
        s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
    static func csv(_ header: [String], _ rows: [[String]]) -> String {
        ([header] + rows).map { $0.map(csvField).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    static func categoriesCSV(_ r: NeedsReport) -> String {
        csv(["category", "name", "department", "count", "previous_count", "year_earlier_count", "per1000", "share"],
            r.totals.categories.map { c in [c.category, c.name, c.department, String(c.count), c.previousCount.map(String.init) ?? "",
                                            c.yearEarlierCount.map(String.init) ?? "", c.per1000.map { String(format: "%.4f", $0) } ?? "",
                                            c.share.map { String(format: "%.4f", $0) } ?? ""] })
    }

    static func channelsCSV(_ r: NeedsReport) -> String {
        csv(["channel", "count", "share"], r.service.channels.map { [$0.channel, String($0.count), $0.share.map { String(format: "%.4f", $0) } ?? ""] })
    }

    static func rankingCSV(_ r: NeedsReport) -> String {
        csv(["rank", "district", "mahalle", "population", "count", "per1000", "total_excess", "backlog", "needs"],
            r.ranking.enumerated().map { i, m in
                [String(i + 1), m.district, m.mahalle, String(m.population), String(m.count), m.per1000.map { String(format: "%.2f", $0) } ?? "",
                 String(format: "%.1f", m.totalExcess), String(m.backlog),
                 m.needs.map { "\($0.category) (O/E \(String(format: "%.2f", $0.oe)), +\(String(format: "%.0f", $0.excess)))" }.joined(separator: "; ")]
            })
    }

    /// A horizontal bar chart as inline SVG: one bar per item, a lighter bar for the comparison value.
    static func bars(_ items: [(label: String, value: Double, compare: Double?)], unit: String) -> String {
        guard !items.isEmpty else { return "<p>Veri yok.</p>" }
        let maxV = max(items.map { max($0.value, $0.compare ?? 0) }.max() ?? 1, 1)
        let rowH = 22, labelW = 230, barW = 420, h = items.count * rowH + 10
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(labelW + barW + 90)\" height=\"\(h)\" role=\"img\">"
        for (i, it) in items.enumerated() {
            let y = i * rowH + 4
            svg += "<text x=\"\(labelW - 6)\" y=\"\(y + 14)\" text-anchor=\"end\" font-size=\"12\">\(esc(it.label))</text>"
            if let c = it.compare {
                svg += "<rect x=\"\(labelW)\" y=\"\(y + 11)\" width=\"\(Int(Double(barW) * c / maxV))\" height=\"6\" fill=\"#bdbdbd\"><title>önceki: \(Int(c))</title></rect>"
            }
            svg += "<rect x=\"\(labelW)\" y=\"\(y + 1)\" width=\"\(max(1, Int(Double(barW) * it.value / maxV)))\" height=\"10\" fill=\"#3b6ea8\"><title>\(Int(it.value)) \(esc(unit))</title></rect>"
            svg += "<text x=\"\(labelW + Int(Double(barW) * it.value / maxV) + 6)\" y=\"\(y + 11)\" font-size=\"11\">\(Int(it.value))</text>"
        }
        return svg + "</svg>"
    }

    static func html(report r: NeedsReport, title: String, posterPNG: [UInt8]) -> String {
        let cats = r.totals.categories.sorted { $0.count > $1.count }
        var h = """
        <!doctype html><html lang="tr"><head><meta charset="utf-8"><title>\(esc(title))</title>
        <style>
        body{font-family:"DejaVu Sans",sans-serif;margin:24px;color:#212121;max-width:1150px}
        h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd}
        table{border-collapse:collapse;font-size:12px}td,th{border-bottom:1px solid #eee;padding:3px 8px;text-align:left}
        td.n,th.n{text-align:right}.muted{color:#757575}.flag-up{color:#b71c1c}.flag-down{color:#1b5e20}
        .kpi{display:inline-block;margin:6px 24px 6px 0}.kpi b{display:block;font-size:22px}
        img{max-width:100%;border:1px solid #ddd}
        </style></head><body>
        <h1>\(esc(title))</h1>
        <p class="muted">Dönem \(esc(r.period.label))\(r.period.incomplete ? " (henüz bitmedi)" : "") · üretildi \(esc(r.period.asOf))</p>
        <div><span class="kpi"><b>\(r.totals.complaints)</b>kayıt</span>
        <span class="kpi"><b>\(num(r.totals.per1000))</b>1.000 kişi başına</span>
        <span class="kpi"><b>\(r.service.backlog)</b>açık iş (dönem sonu)</span>
        <span class="kpi"><b>\(num(r.service.medianResolutionHours))</b>medyan çözüm süresi (saat)</span>
        <span class="kpi"><b>\(r.service.slaShare.map { String(format: "%.0f%%", $0 * 100) } ?? "–")</b>hedef sürede çözülen</span>
        <span class="kpi"><b>\(num(r.service.satisfactionMean, 2))</b>memnuniyet (1–5)</span></div>
        <h2>Harita</h2>
        <img alt="Aylık şikâyet haritası" src="data:image/png;base64,\(Data(posterPNG).base64EncodedString())">
        <h2>Hangi mahalle neye ihtiyaç duyuyor</h2>
        <p class="muted">Beklenen = mahalle nüfusu × ilçenin o kategorideki oranı. İhtiyaç: gözlenen/beklenen oranının %95 güven aralığının alt sınırı 1'in üstünde (kesin Poisson aralığı); sıralama fazla şikâyet sayısına göre.</p>
        <table><tr><th>#</th><th>Mahalle</th><th>İlçe</th><th class="n">Nüfus</th><th class="n">Kayıt</th><th class="n">‰</th><th class="n">Fazla</th><th class="n">Açık</th><th>İhtiyaçlar (G/B [%95])</th></tr>
        """
        for (i, m) in r.ranking.prefix(20).enumerated() {
            let needs = m.needs.prefix(3).map { "\(esc($0.name)) \(String(format: "%.2f [%.2f–%.2f]", $0.oe, $0.oeLow, $0.oeHigh))" }.joined(separator: "<br>")
            h += "<tr><td>\(i + 1)</td><td>\(esc(m.mahalle))</td><td>\(esc(m.district))</td><td class=\"n\">\(m.population)</td><td class=\"n\">\(m.count)</td>"
                + "<td class=\"n\">\(num(m.per1000))</td><td class=\"n\">\(num(m.totalExcess, 0))</td><td class=\"n\">\(m.backlog)</td><td>\(needs.isEmpty ? "–" : needs)</td></tr>"
        }
        h += "</table>"
        h += "<h2>Kategoriler</h2><p class=\"muted\">Mavi: bu ay; gri: önceki ay.</p>"
        h += bars(cats.prefix(15).map { ($0.name, Double($0.count), $0.previousCount.map(Double.init)) }, unit: "kayıt")
        h += "<h2>Kanallar</h2>"
        h += bars(r.service.channels.sorted { $0.count > $1.count }.map { ($0.channel, Double($0.count), nil) }, unit: "kayıt")
        h += "<h2>Aydan aya değişim</h2><table><tr><th>Kategori</th><th class=\"n\">Bu ay</th><th class=\"n\">Önceki ay</th><th class=\"n\">Fark</th><th class=\"n\">Geçen yıl aynı ay</th></tr>"
        for c in cats {
            let diff = c.previousCount.map { c.count - $0 }
            let cls = (diff ?? 0) > 0 ? "flag-up" : ((diff ?? 0) < 0 ? "flag-down" : "")
            h += "<tr><td>\(esc(c.name))</td><td class=\"n\">\(c.count)</td><td class=\"n\">\(c.previousCount.map(String.init) ?? "–")</td>"
                + "<td class=\"n \(cls)\">\(diff.map { ($0 > 0 ? "+" : "") + String($0) } ?? "–")</td><td class=\"n\">\(c.yearEarlierCount.map(String.init) ?? "–")</td></tr>"
        }
        h += "</table><p class=\"muted\">Mahalle düzeyinde anlamlı değişimler (koşullu binom testi, Benjamini–Hochberg) needs.csv dosyasındaki prev_flag/yoy_flag sütunlarındadır.</p>"
        h += "<h2>Müdürlükler</h2><table><tr><th>Müdürlük</th><th class=\"n\">Gelen</th><th class=\"n\">Çözülen</th><th class=\"n\">Medyan (saat)</th><th class=\"n\">%90 (saat)</th><th class=\"n\">Hedefte</th><th class=\"n\">Açık</th></tr>"
        for d in r.service.departments {
            h += "<tr><td>\(esc(d.department))</td><td class=\"n\">\(d.created)</td><td class=\"n\">\(d.resolved)</td><td class=\"n\">\(num(d.medianResolutionHours))</td>"
                + "<td class=\"n\">\(num(d.p90ResolutionHours))</td><td class=\"n\">\(d.slaShare.map { String(format: "%.0f%%", $0 * 100) } ?? "–")</td><td class=\"n\">\(d.backlog)</td></tr>"
        }
        h += "</table>"
        if !r.notes.isEmpty { h += "<h2>Notlar</h2><ul>" + r.notes.map { "<li>\(esc($0))</li>" }.joined() + "</ul>" }
        h += "<p class=\"muted\">Tablolar: needs.csv, ranking.csv, categories.csv, channels.csv (aynı klasörde). Kişisel veri içermez.</p></body></html>\n"
        return h
    }
}
