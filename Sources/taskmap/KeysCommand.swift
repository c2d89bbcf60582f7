import ArgumentParser
import Foundation
import GeoIndex

/// `taskmap keys add|list|revoke`: API keys for intake (`X-API-Key`, Open311 `api_key`). The store keeps only
/// each key's SHA-256; `add` prints the key once, on its last line.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Manage API keys for writing complaints (the store keeps only their hashes).",
        subcommands: [Add.self, List.self, Revoke.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a key; it is printed once, on the last line, and cannot be shown again.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "A name for the key (who uses it, e.g. cagri-merkezi).") var name: String

        func validate() throws {
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, trimmed.count <= 100 else { throw ValidationError("the key name must be 1 to 100 characters") }
        }

        func run() throws {
            let s = try store.open()
            do {
                let (key, record) = try s.createAPIKey(name: name.trimmingCharacters(in: .whitespaces))
                print("created API key \(record.id) '\(record.name)'; store it now, it is not shown again:")
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
            print("id\tname\tcreated\tstatus")
            for k in keys {
                let status = k.revokedAt.map { "revoked \(Timestamp.format($0))" } ?? "active"
                print("\(k.id)\t\(k.name)\t\(Timestamp.format(k.createdAt))\t\(status)")
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an active key by name or id.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The key's name or id.") var key: String

        func run() throws {
            do {
                let k = try store.open().revokeAPIKey(key)
                print("revoked API key \(k.id) '\(k.name)'")
            } catch let e as WorkflowError {
                throw ValidationError(e.description)
            }
        }
    }
}
