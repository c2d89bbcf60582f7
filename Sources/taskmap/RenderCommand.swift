import ArgumentParser
import Foundation
import GeoIndex
import TaskMapServer

/// `taskmap render`: monthly tile pyramids as MBTiles 1.3 files (one per month and layer) or XYZ folders.
struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Batch-render monthly tile pyramids (MBTiles or z/x/y.png folders), only tiles that hold data.")

    @OptionGroup var store: StoreOptions
    @Option(help: "One month, YYYY-MM.") var month: String?
    @Option(help: "A range of months, YYYY-MM..YYYY-MM (inclusive).") var months: String?
    @Option(help: "Layers, comma-separated: heat, pins, choropleth, boundaries, labels.") var layers = "heat,pins"
    @Option(help: "Zoom range, e.g. 10-16.") var zoom = "10-16"
    @Option(help: "Only this box: minLon,minLat,maxLon,maxLat.") var bbox: String?
    @Option(help: "Only this district (ilçe); also bounds the area.") var district: String?
    @Option(help: "Choropleth metric: count, per1000 or open.") var metric: String?
    @Flag(help: "512-px (@2x) tiles.") var retina = false
    @Option(help: "OUT.mbtiles (one file per month and layer: OUT-YYYY-MM-layer.mbtiles when there are several) or a folder.") var out: String
    @Option(help: "Rendering threads (default: all cores).") var jobs = ProcessInfo.processInfo.activeProcessorCount
    @Flag(help: "Keep tiles already written and render only the missing ones.") var resume = false
    @Flag(help: "No progress output.") var quiet = false
    @Option(help: "Category codes, comma-separated.") var category: String?
    @Option(help: "Statuses, comma-separated.") var status: String?
    @Option(help: "Channels, comma-separated.") var channel: String?
    @Option(help: "Types, comma-separated.") var type: String?

    func periods() throws -> [String] {
        if month != nil && months != nil { throw ValidationError("give --month or --months, not both") }
        if let month {
            guard Period.month(month) != nil else { throw ValidationError("--month must be YYYY-MM") }
            return [month]
        }
        guard let months else { throw ValidationError("give --month YYYY-MM or --months YYYY-MM..YYYY-MM") }
        let parts = months.components(separatedBy: "..")
        guard parts.count == 2, var p = Period.month(parts[0]), let last = Period.month(parts[1]), p.start <= last.start else {
            throw ValidationError("--months must be YYYY-MM..YYYY-MM with the first month not after the last")
        }
        var out = [p.label]
        while p.label != last.label, let n = p.shiftedMonths(1), out.count < 240 { out.append(n.label); p = n }
        return out
    }

    func zooms() throws -> ClosedRange<Int> {
        let parts = zoom.split(separator: "-").map { Int($0) }
        if parts.count == 1, let z = parts[0], (0...22).contains(z) { return z...z }
        guard parts.count == 2, let a = parts[0], let b = parts[1], 0 <= a, a <= b, b <= 22 else {
            throw ValidationError("--zoom must be Z or ZMIN-ZMAX within 0-22")
        }
        return a...b
    }

    func box() throws -> BoundingBox? {
        guard let bbox else { return nil }
        let v = bbox.split(separator: ",").compactMap { Double($0) }
        guard v.count == 4, v[0] < v[2], v[1] < v[3], LonLat(lon: v[0], lat: v[1]).isValid, LonLat(lon: v[2], lat: v[3]).isValid else {
            throw ValidationError("--bbox must be minLon,minLat,maxLon,maxLat")
        }
        return BoundingBox(minLon: v[0], minLat: v[1], maxLon: v[2], maxLat: v[3])
    }

    func validate() throws {
        _ = try periods(); _ = try zooms(); _ = try box()
        if jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        _ = try ComplaintFilter.parse(category: category, status: status, channel: channel, type: type, district: district)
    }

    func run() throws {
        guard let source = try ServeCommand.tileSource(databasePath: store.db) else { throw ValidationError("this build has no tile renderer") }
        let layerList = layers.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
        for l in layerList where !source.layerIDs.contains(l) {
            throw ValidationError("unknown layer '\(l)' (expected \(source.layerIDs.joined(separator: ", ")))")
        }
        if let metric, !layerList.contains(where: { source.metrics(layer: $0).contains(metric) }) {
            throw ValidationError("unknown --metric '\(metric)'")
        }
        let s = try store.open()
        let mahalle = try s.mahalleList()
        let directory = MahalleDirectory(mahalle)
        let snapshot = try s.loadSnapshotCached()
        var area = try box()
        var areaMahalle = mahalle
        if let district {
            areaMahalle = mahalle.filter { TurkishText.foldKey($0.districtName) == TurkishText.foldKey(district) }
            guard !areaMahalle.isEmpty else { throw ValidationError("no district named '\(district)' in \(store.shown)") }
            let b = areaMahalle.reduce(BoundingBox.empty) { var b = $0; b.extend($1.geometry.bbox); return b }
            area = area.map { a in BoundingBox(minLon: max(a.minLon, b.minLon), minLat: max(a.minLat, b.minLat),
                                               maxLon: min(a.maxLon, b.maxLon), maxLat: min(a.maxLat, b.maxLat)) } ?? b
        }
        let bounds = area ?? mahalle.reduce(BoundingBox.empty) { var b = $0; b.extend($1.geometry.bbox); return b }
        let cancel = CancelFlag()
        cancel.installSignalHandlers()
        let renderer = BatchRenderer(source: source, jobs: jobs, progress: Progress(quiet: quiet), cancel: cancel)
        let monthsList = try periods()
        let several = monthsList.count * layerList.count > 1
        let toDirectory = !out.lowercased().hasSuffix(".mbtiles")
        var totalWritten = 0, totalSeconds = 0.0
        for m in monthsList {
            for layer in layerList {
                let filter = try ComplaintFilter.parse(category: category, status: status, channel: channel, type: type,
                                                       month: m, district: district)
                let compiled = snapshot.compile(filter, directory: directory)
                let layerMetric = source.metrics(layer: layer).contains(metric ?? "") ? metric : source.metrics(layer: layer).first
                let tiles = TilePlan.tiles(layer: layer, source: source, snapshot: snapshot, filter: compiled,
                                           mahalle: areaMahalle, zooms: try zooms(), bbox: area)
                let sink: any TileSink
                if toDirectory {
                    sink = try DirectorySink(root: several ? "\(out)/\(m)/\(layer)" : out)
                } else {
                    let base = String(out.dropLast(".mbtiles".count))
                    let path = several ? "\(base)-\(m)-\(layer).mbtiles" : out
                    // The legend of the tiles written: the same filter's classes; for heat, one per zoom (the scale is).
                    let zoomRange = try zooms()
                    let legend = source.legend(layer: layer, metric: layerMetric, filter: filter, zoom: zoomRange.lowerBound)
                    let byZoom = layer == "heat"
                        ? Dictionary(uniqueKeysWithValues: zoomRange.map { (String($0), source.legend(layer: layer, metric: layerMetric, filter: filter, zoom: $0)) })
                        : nil
                    let json = try String(decoding: JSONEncoder().encode(RenderMetadataJSON(layer: layer, month: m, metric: layerMetric,
                                                                                             filter: filter.canonicalKey, legend: legend,
                                                                                             legendsByZoom: byZoom)), as: UTF8.self)
                    let meta = MBTilesWriter.Metadata(
                        name: "taskmap \(layer) \(m)", description: "Complaints, \(layer) layer, \(m)\(district.map { ", \($0)" } ?? "")",
                        attribution: source.attribution, bounds: bounds, minZoom: try zooms().lowerBound, maxZoom: try zooms().upperBound, json: json)
                    sink = try MBTilesSink(path: path, metadata: meta, resume: resume)
                }
                let r = try renderer.run(layer: layer, metric: layerMetric, retina: retina, filter: filter, compiled: compiled,
                                         snapshot: snapshot, tiles: tiles, sink: sink, resume: resume)
                try sink.finish()
                totalWritten += r.written; totalSeconds += r.seconds
                print(String(format: "%@ %@: %d tiles written, %d already there, %.2f s (%.0f tiles/s) → %@", m, layer, r.written, r.skipped,
                             r.seconds, r.seconds > 0 ? Double(r.written) / r.seconds : 0, sink.location))
                if r.cancelled { print("interrupted: the output holds every tile written so far; rerun with --resume"); return }
            }
        }
        if several { print(String(format: "total: %d tiles in %.2f s", totalWritten, totalSeconds)) }
    }
}

/// The MBTiles `json` metadata entry.
struct RenderMetadataJSON: Encodable {
    var layer: String
    var month: String
    var metric: String?
    var filter: String
    var legend: TileLegend
    /// Heat only: the legend of each zoom written (each zoom has its own scale).
    var legendsByZoom: [String: TileLegend]?
    enum CodingKeys: String, CodingKey { case layer, month, metric, filter, legend, legendsByZoom = "legends_by_zoom" }
}
