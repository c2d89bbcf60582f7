import ArgumentParser
import Foundation
import GeoIndex
import MapPrint
import TaskMapServer

/// `taskmap poster`: a printable map of the district for one month.
struct PosterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "poster",
        abstract: "Render a printable poster (PNG) of the district for a month: choropleth, heat, boundaries, names, legend, scale bar, north arrow.")

    @OptionGroup var store: StoreOptions
    @Option(help: "Month, YYYY-MM.") var month: String
    @Option(help: "Output PNG.") var out: String
    @Option(help: "Paper: A4, A3 or A2 (landscape).") var paper = "A4"
    @Option(help: "Dots per inch (default 300; with --size, the size read as A4 width, so text keeps its proportions).") var dpi: Int?
    @Option(help: "Exact size in pixels instead of paper, WxH.") var size: String?
    @Option(help: "Layers, bottom first.") var layers = "choropleth,heat,boundaries"
    @Option(help: "Choropleth metric: count, per1000 or open.") var metric = "per1000"
    @Option(help: "Only this district (ilçe).") var district: String?
    @Option(help: "Write the placed names as JSON: [{\"name\", \"x0\", \"y0\", \"x1\", \"y1\"}] in poster pixels.") var labelsOut: String?

    func options() throws -> Poster.Options {
        if let size {
            let p = size.lowercased().split(separator: "x").compactMap { Int($0) }
            guard p.count == 2, (600...20_000).contains(p[0]), (400...20_000).contains(p[1]) else {
                throw ValidationError("--size must be WxH in pixels (600–20000 × 400–20000)")
            }
            var o = Poster.Options()
            // Without --dpi, lay the poster out as an A4 sheet (297 mm wide) printed at this width.
            o.width = p[0]; o.height = p[1]; o.dpi = dpi ?? max(36, Int((Double(p[0]) / (297 / 25.4)).rounded()))
            return o
        }
        let dpi = dpi ?? 300
        guard (72...1200).contains(dpi) else { throw ValidationError("--dpi must be 72–1200") }
        guard let o = Poster.Options.paper(paper, dpi: dpi) else { throw ValidationError("--paper must be A4, A3 or A2") }
        return o
    }

    func validate() throws {
        guard Period.month(month) != nil else { throw ValidationError("--month must be YYYY-MM") }
        _ = try options()
    }

    func run() throws {
        let s = try store.open()
        let layerList = layers.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
        let (canvas, layout, _) = try Self.make(store: s, location: store.shown, month: month, district: district, layers: layerList, metric: metric,
                                                options: try options())
        let png = try canvas.png()
        try Data(png).write(to: URL(fileURLWithPath: out))
        if let labelsOut {
            struct Label: Encodable { var name: String; var x0, y0, x1, y1: Double }
            let e = JSONEncoder()
            e.outputFormatting = [.prettyPrinted, .withoutEscapingSlashes]
            try e.encode(layout.placedLabels.map { Label(name: $0.name, x0: $0.box.x0, y0: $0.box.y0, x1: $0.box.x1, y1: $0.box.y1) })
                .write(to: URL(fileURLWithPath: labelsOut))
        }
        print("wrote \(out): \(canvas.width)×\(canvas.height) px, zoom \(layout.zoom), \(layout.tiles) tiles, \(layout.labels) of \(layout.labelCandidates) names placed, scale bar \(layout.scaleBarMetres) m, \(png.count / 1024) KiB")
    }

    /// Builds the poster for a month (also used by `taskmap report`). Returns the image, its layout and the
    /// number of complaints it shows.
    static func make(store s: any ComplaintStore, location: String, month: String, district: String?, layers layerList: [String], metric: String,
                     options: Poster.Options) throws -> (Canvas, Poster.Layout, Int) {
        guard let source = try ServeCommand.tileSource(store: s) else { throw ValidationError("this build has no tile renderer") }
        for l in layerList where !source.layerIDs.contains(l) {
            throw ValidationError("unknown layer '\(l)' (expected \(source.layerIDs.joined(separator: ", ")))")
        }
        let all = try s.mahalleList()
        var mahalle = all
        if let district {
            mahalle = all.filter { TurkishText.foldKey($0.districtName) == TurkishText.foldKey(district) }
            guard !mahalle.isEmpty else { throw ValidationError("no district named '\(district)' in \(location)") }
        }
        let snapshot = try s.loadSnapshotCached()
        let filter = try ComplaintFilter.parse(month: month, district: district)
        let compiled = snapshot.compile(filter, directory: MahalleDirectory(all))
        var count = 0
        snapshot.forEach(filter: compiled) { _ in count += 1 }
        // The legends of the very tiles drawn: this month's (and district's) classes, and the heat scale of the zoom
        // the poster's tiles come from.
        let legends: (Int) -> [Poster.Legend] = { zoom in
            layerList.filter { $0 != "boundaries" }.map { layer in
                let l = source.legend(layer: layer, metric: source.metrics(layer: layer).contains(metric) ? metric : nil,
                                      filter: filter, zoom: zoom)
                return Poster.Legend(title: l.title, entries: l.stops.map { ($0.label, RGBA(hex: $0.color) ?? RGBA(0, 0, 0)) })
            }
        }
        let districts = district ?? Array(Set(mahalle.map(\.districtName))).sorted(by: TurkishText.compare).joined(separator: " ve ")
        let input = Poster.Input(
            title: "\(districts) — \(monthName(month)) şikâyet haritası",
            subtitle: "Belediyeye gelen şikâyet, talep ve öneriler: mahalle başına oran ve yoğunluk",
            source: "Kaynak: taskmap, \(PostGISStore.isURL(location) ? "PostGIS havuzu" : URL(fileURLWithPath: location).lastPathComponent) · \(count) kayıt · üretildi \(Timestamp.format(Date()).prefix(10))",
            mahalle: mahalle, layers: layerList, legends: legends,
            tile: { layer, z, x, y in
                guard let address = TileAddress(z: z, x: x, y: y) else { throw ValidationError("bad tile \(z)/\(x)/\(y)") }
                let m = source.metrics(layer: layer).contains(metric) ? metric : source.metrics(layer: layer).first
                return try source.render(TileRequest(layer: layer, tile: address, retina: true, filter: filter, metric: m),
                                         snapshot: snapshot, filter: compiled)
            })
        let (canvas, layout) = try Poster.render(input, options: options)
        return (canvas, layout, count)
    }

    static func monthName(_ ym: String) -> String {
        let names = ["Ocak", "Şubat", "Mart", "Nisan", "Mayıs", "Haziran", "Temmuz", "Ağustos", "Eylül", "Ekim", "Kasım", "Aralık"]
        let p = ym.split(separator: "-")
        guard p.count == 2, let m = Int(p[1]), (1...12).contains(m) else { return ym }
        return "\(names[m - 1]) \(p[0])"
    }
}
