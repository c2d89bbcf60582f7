import ArgumentParser
import Foundation
import GeoIndex

/// `taskmap routes set|list|remove`: where new complaints go. By default a complaint goes to its category's
/// department; a rule sends a category (in one district, or everywhere) to another department and team.
struct RoutesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "routes", abstract: "Routing rules: category (× district) → department and team for new complaints.",
        subcommands: [Set.self, List.self, Remove.self])

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a rule, or replace the one for the same category and district.")
        @OptionGroup var store: StoreOptions
        @Option(help: "Category code (e.g. yol).") var category: String
        @Option(help: "Only in this district (ilçe); default: every district.") var district: String?
        @Option(help: "The department new complaints go to.") var department: String
        @Option(help: "The team they go to (optional).") var team: String?

        func run() throws {
            let s = try store.open()
            guard try s.categories().contains(where: { $0.code == category }) else {
                throw ValidationError("--category: no category '\(category)'; known: \(try s.categories().map(\.code).sorted().joined(separator: ", "))")
            }
            let districtName = try StoreNames.resolve(district.map { [$0] } ?? [], among: try s.districts().map(\.name), flag: "--district")?.first
            let name = department.trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty else { throw ValidationError("--department: empty") }
            // The store's spelling when it knows the department; a new one is allowed (a metropolitan department).
            let known = try StoreNames.departments(s)
            let dept = StoreNames.spelling(name, among: known) ?? name
            let r = try s.setRoute(category: category, district: districtName, department: dept, team: team, at: Date())
            print("route \(r.id): \(category)\(districtName.map { " in \($0)" } ?? "") → \(dept)\(team.map { ", team \($0)" } ?? "")"
                  + (known.contains(dept) ? "" : " (a department no category names: keys and hooks for it need --department \"\(dept)\")"))
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List rules.")
        @OptionGroup var store: StoreOptions
        func run() throws {
            let routes = try store.open().routes()
            if routes.isEmpty { print("no routes: every category goes to its department (taskmap routes set … to add one)"); return }
            print("id\tcategory\tdistrict\tdepartment\tteam")
            for r in routes { print("\(r.id)\t\(r.category)\t\(r.district ?? "*")\t\(r.department)\t\(r.team ?? "-")") }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a rule by id.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The rule's id.") var id: Int64
        func run() throws {
            guard try store.open().removeRoute(id: id) else { throw ValidationError("no route \(id)") }
            print("removed route \(id)")
        }
    }
}
