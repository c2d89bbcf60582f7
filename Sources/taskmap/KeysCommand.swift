import ArgumentParser
import Foundation
import GeoIndex

/// `taskmap keys add|list|revoke`: API keys (`X-API-Key`, Open311 `api_key`) with a role and a scope. The store
/// keeps only each key's SHA-256; `add` prints the key once, on its last line.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Manage API keys: roles (intake, staff, supervisor, admin) and scopes (departments, districts); the store keeps only their hashes.",
        subcommands: [Add.self, List.self, Revoke.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a key; it is printed once, on the last line, and cannot be shown again.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "A name for the key (who uses it, e.g. cagri-merkezi).") var name: String
        @Option(help: "intake (create only), staff (see personal fields, change work in scope), supervisor (also reassign and approve), admin (everything).")
        var role = "intake"
        @Option(help: "A department the key acts for, as the categories name it (repeat for several; default: all).")
        var department: [String] = []
        @Option(help: "A district (ilçe) the key acts in (repeat for several; default: all).")
        var district: [String] = []

        func validate() throws {
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, trimmed.count <= 100 else { throw ValidationError("the key name must be 1 to 100 characters") }
            guard KeyRole(parsing: role) != nil else {
                throw ValidationError("--role: unknown role '\(role)': expected \(KeyRole.allCases.map(\.rawValue).joined(separator: "|"))")
            }
        }

        func run() throws {
            let s = try store.open()
            let scope = KeyScope(departments: try StoreNames.resolve(department, among: try StoreNames.departments(s), flag: "--department"),
                                 districts: try StoreNames.resolve(district, among: try s.districts().map(\.name), flag: "--district"))
            let role = KeyRole(parsing: role)!
            do {
                let (key, record) = try s.createAPIKey(name: name.trimmingCharacters(in: .whitespaces), role: role, scope: scope, at: Date())
                print("created API key \(record.id) '\(record.name)' (\(role.rawValue), \(scope.description)); store it now, it is not shown again:")
                print(key)
            } catch let e as WorkflowError {
                throw ValidationError(e.description)
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys (names and dates; keys themselves are not stored).")
        @OptionGroup var store: StoreOptions

        func run() throws {
            let keys = try store.open().apiKeys()
            if keys.isEmpty { print("no API keys (create one with `taskmap keys add --db FILE NAME`)"); return }
            print("id\tname\trole\tscope\tcreated\tstatus")
            for k in keys {
                let status = k.revokedAt.map { "revoked \(Timestamp.format($0))" } ?? "active"
                print("\(k.id)\t\(k.name)\t\(k.role.rawValue)\t\(k.scope.description)\t\(Timestamp.format(k.createdAt))\t\(status)")
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an active key by name or id.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The key's name or id.") var key: String

        func run() throws {
            do {
                let k = try store.open().revokeAPIKey(key, at: Date())
                print("revoked API key \(k.id) '\(k.name)'")
            } catch let e as WorkflowError {
                throw ValidationError(e.description)
            }
        }
    }
}
