import ArgumentParser
import Foundation
import GeoIndex

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a store (or add districts to one) from mahalle boundaries, parcels and categories.",
        discussion: """
            Real boundary files: --make-valid repairs self-intersecting polygons with GEOS and reports each change; \
            --population joins TÜİK's ADNKS export (as downloaded from MEDAS) by code or by district and mahalle name; \
            --district-names turns a district code (townId) into its name. Example: taskmap init --db km.sqlite \
            --boundaries kahramanmaras/mahalle.geojson --district-field townId --district-names kahramanmaras/ilce.geojson \
            --make-valid --population tuik_adnks_mahalle_nufus_raw.csv
            """)

    @OptionGroup var store: StoreOptions
    @Option(help: "GeoJSON FeatureCollection of mahalle (Multi)Polygons.") var boundaries: String
    @Option(help: "GeoJSON FeatureCollection of address parcels (properties street, door, ada, parsel, mahalle).") var parcels: String?
    @Option(help: "CSV of categories: code,name_tr,name_en,department (default: the built-in list).") var categories: String?
    @Option(help: "Property holding the mahalle name.") var nameField = "name"
    @Option(help: "Property holding the mahalle code (a TÜİK code joins --population by code).") var codeField = "code"
    @Option(help: "Property holding the population.") var populationField = "population"
    @Option(help: "Property holding the district (ilçe) name, or its code with --district-names.") var districtField = "district"
    @Option(help: "District for features without one.") var district = "Merkez"
    @Option(help: "District codes → names: a CSV 'code,name' or a GeoJSON of the districts (properties id/townId and name, e.g. ilce.geojson).")
    var districtNames: String?
    @Flag(help: "Repair invalid polygons with GEOS (ST_MakeValid, polygonal parts kept) and report each change, instead of stopping.")
    var makeValid = false
    @Option(help: "Population file: TÜİK's MEDAS export as downloaded, or a CSV 'district,mahalle,population' or 'code,population'.")
    var population: String?
    @Flag(help: "With --population: a polygon that no population row matches is an error.") var strictPopulation = false
    @Option(help: "With --population: the province (il) whose rows to use, when a district name occurs in several.") var province: String?

    func validate() throws {
        if strictPopulation && population == nil { throw ValidationError("--strict-population needs --population") }
        if province != nil && population == nil { throw ValidationError("--province needs --population") }
    }

    func run() throws {
        var fields = GeoJSONReader.BoundaryFields()
        fields.name = nameField; fields.code = codeField; fields.population = populationField
        fields.district = districtField; fields.defaultDistrict = district
        // Read and check every input before the store is touched.
        fields.districtNames = try districtNames.map(DistrictNames.read(path:))
        var mahalle = try GeoJSONReader.mahalle(path: boundaries, fields: fields)
        if let population {
            try joinPopulation(&mahalle, path: population)
        }
        let parcelRows = try parcels.map { try GeoJSONReader.parcels(path: $0) } ?? []
        let cats = try categories.map { try Category.read(csvPath: $0) } ?? Category.defaults
        // A pool is filled the same way: the boundaries go through a SpatiaLite file first (GEOS checks and repairs,
        // overlaps), which then moves into the pool in one transaction (`PoolMigration`, as `taskmap migrate`).
        let pool = PostGISStore.isURL(store.db)
        let target = try pool ? PostGISStore(url: store.db, create: true) : nil
        let path = pool ? NSTemporaryDirectory() + "taskmap-init-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sqlite" : store.db
        let existed = !pool && FileManager.default.fileExists(atPath: store.db)
        defer { if pool { for suffix in ["", "-wal", "-shm", ".snapshot"] { try? FileManager.default.removeItem(atPath: path + suffix) } } }
        let s: SpatiaLiteStore
        do { s = try SpatiaLiteStore(path: path, create: true) } catch {
            throw ValidationError("cannot create store \(store.shown): \(error)")
        }
        do {
            let n = try s.addBoundaries(BoundaryInput(source: boundaries, mahalle: mahalle, parcels: parcelRows, categories: cats),
                                        makeValid: makeValid)
            if let target { _ = try PoolMigration.run(from: s, to: target) }
            let districts = Set(mahalle.map(\.district)).sorted(by: TurkishText.compare)
            print("\(pool ? "added to the pool" : existed ? "updated" : "created") \(store.shown): \(n.mahalle) mahalle in \(districts.count) district(s) (\(districts.joined(separator: ", "))), \(n.parcels) parcels, \(n.categories) categories")
            if !n.repairs.isEmpty {
                print("repaired \(n.repairs.count) invalid polygon(s) with GEOS (area as drawn → after repair):")
                for r in n.repairs {
                    print("  \(r.location) \(r.name): \(r.reason); \(Self.hectares(r.areaBefore)) → \(Self.hectares(r.areaAfter)), \(r.parts) part(s)"
                          + (r.repairedType.uppercased().contains("COLLECTION") ? " (non-polygonal pieces of the repair dropped)" : ""))
                }
            }
            let listed = n.overlaps.filter { $0.squareMetres >= BoundaryLoad.sliverSquareMetres }
            if !listed.isEmpty {
                print("overlaps between mahalle of one district (a point in both goes to exactly one of them):")
                for o in listed.prefix(20) { print("  \(o.a) × \(o.b) (\(o.district)): \(Self.area(o.squareMetres))") }
                if listed.count > 20 { print("  … and \(listed.count - 20) more") }
            }
            if n.overlaps.count > listed.count {
                print("overlaps under \(Int(BoundaryLoad.sliverSquareMetres)) m² (slivers of digitising, not listed): \(n.overlaps.count - listed.count)")
            }
        } catch {
            if !existed && !pool { try? FileManager.default.removeItem(atPath: store.db) }
            throw error
        }
    }

    /// Joins the population file to the polygons and prints what matched and what did not, on both sides.
    private func joinPopulation(_ mahalle: inout [BoundaryInput.MahalleRow], path: String) throws {
        let table = try PopulationTable.read(path: path)
        let polygons = mahalle.map { PopulationJoin.Polygon(name: $0.name, district: $0.district, code: $0.code, location: $0.location) }
        let join = try PopulationJoin(polygons: polygons, table: table, province: province)
        let byCode = join.matches.filter { $0 == .code }.count
        print("population: \(table.format.rawValue) \(path): matched \(join.matchedCount) of \(mahalle.count) mahalle"
              + " (\(byCode) by code, \(join.matchedCount - byCode) by district and name)")
        if !join.unmatchedPolygons.isEmpty {
            print("  mahalle without a population row (\(join.unmatchedPolygons.count)):")
            for u in join.unmatchedPolygons { print("    \(u.polygon.location) \(u.polygon.name) (\(u.polygon.district)): \(u.reason)") }
        }
        if !join.unmatchedRows.isEmpty {
            print("  population rows of these districts without a polygon (\(join.unmatchedRows.count)):")
            for r in join.unmatchedRows.prefix(50) {
                print("    line \(r.line): \(r.mahalle ?? r.code ?? "?") (\(r.district ?? "?")): \(r.population)")
            }
            if join.unmatchedRows.count > 50 { print("    … and \(join.unmatchedRows.count - 50) more") }
        }
        if strictPopulation && !join.unmatchedPolygons.isEmpty {
            let first = join.unmatchedPolygons[0]
            throw ImportError(file: boundaries, location: first.polygon.location,
                              message: "--strict-population: \(join.unmatchedPolygons.count) mahalle have no population row (first: \(first.polygon.name): \(first.reason)); nothing was written")
        }
        for i in mahalle.indices { if let p = join.populations[i] { mahalle[i].population = p } }
    }

    static func hectares(_ m2: Double) -> String { String(format: "%.2f ha", m2 / 10_000) }
    static func area(_ m2: Double) -> String { m2 < 10_000 ? String(format: "%.0f m²", m2) : hectares(m2) }
}
