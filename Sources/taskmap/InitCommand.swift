import ArgumentParser
import Foundation
import GeoIndex

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a store (or add districts to one) from mahalle boundaries, parcels and categories.")

    @OptionGroup var store: StoreOptions
    @Option(help: "GeoJSON FeatureCollection of mahalle (Multi)Polygons.") var boundaries: String
    @Option(help: "GeoJSON FeatureCollection of address parcels (properties street, door, ada, parsel, mahalle).") var parcels: String?
    @Option(help: "CSV of categories: code,name_tr,name_en,department (default: the built-in list).") var categories: String?
    @Option(help: "Property holding the mahalle name.") var nameField = "name"
    @Option(help: "Property holding the mahalle code.") var codeField = "code"
    @Option(help: "Property holding the population.") var populationField = "population"
    @Option(help: "Property holding the district (ilçe) name.") var districtField = "district"
    @Option(help: "District for features without one.") var district = "Merkez"

    func run() throws {
        var fields = GeoJSONReader.BoundaryFields()
        fields.name = nameField; fields.code = codeField; fields.population = populationField
        fields.district = districtField; fields.defaultDistrict = district
        // Read and check every input before the store is touched.
        let mahalle = try GeoJSONReader.mahalle(path: boundaries, fields: fields)
        let parcelRows = try parcels.map { try GeoJSONReader.parcels(path: $0) } ?? []
        let cats = try categories.map { try Category.read(csvPath: $0) } ?? Category.defaults
        let existed = FileManager.default.fileExists(atPath: store.db)
        let s: SpatiaLiteStore
        do { s = try SpatiaLiteStore(path: store.db, create: true) } catch {
            throw ValidationError("cannot create store \(store.db): \(error)")
        }
        do {
            let n = try s.addBoundaries(BoundaryInput(source: boundaries, mahalle: mahalle, parcels: parcelRows, categories: cats))
            let districts = Set(mahalle.map(\.district)).sorted(by: TurkishText.compare)
            print("\(existed ? "updated" : "created") \(store.db): \(n.mahalle) mahalle in \(districts.count) district(s) (\(districts.joined(separator: ", "))), \(n.parcels) parcels, \(n.categories) categories")
        } catch {
            if !existed { try? FileManager.default.removeItem(atPath: store.db) }
            throw error
        }
    }
}
