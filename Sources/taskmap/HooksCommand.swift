import ArgumentParser
import Foundation
import GeoIndex

/// `taskmap hooks add|list|remove|status`: webhook receivers (a city's SMS gateway, a messaging bot for team
/// leaders). `taskmap serve` delivers each matching event as a signed JSON POST from a durable outbox.
struct HooksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hooks", abstract: "Webhooks: POST signed JSON to a URL on created, assigned, resolved, overdue… events.",
        subcommands: [Add.self, List.self, Remove.self, Status.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a receiver; its signing secret is printed once, on the last line.")
        @OptionGroup var store: StoreOptions
        @Option(help: "The receiver, http:// or https://.") var url: String
        @Option(help: "The signing secret (default: a random one, printed once).") var secret: String?
        @Option(help: "Only events of this department (repeat for several; default: all).") var department: [String] = []
        @Option(help: "Events, comma-separated: \(HookEvent.allCases.map(\.rawValue).joined(separator: ",")) (default: all).")
        var event: String?

        func validate() throws {
            guard let u = URL(string: url), let scheme = u.scheme?.lowercased(), ["http", "https"].contains(scheme), u.host != nil else {
                throw ValidationError("--url: '\(url)' is not an http:// or https:// URL")
            }
            if let secret, secret.count < 16 { throw ValidationError("--secret: at least 16 characters") }
        }

        func run() throws {
            let s = try store.openHooks()
            var events = HookEvent.allCases
            if let event {
                events = try event.split(separator: ",").map { name in
                    let t = name.trimmingCharacters(in: .whitespaces)
                    guard let e = HookEvent(rawValue: t) else {
                        throw ValidationError("--event: unknown event '\(t)': expected \(HookEvent.allCases.map(\.rawValue).joined(separator: "|"))")
                    }
                    return e
                }
            }
            let departments = try StoreNames.resolve(department, among: try StoreNames.departments(s), flag: "--department")
            let hook = try s.addHook(url: url, secret: secret, departments: departments, events: events, at: Date())
            print("added hook \(hook.id) → \(hook.url) (\(events.map(\.rawValue).joined(separator: ",")); "
                  + "\(departments?.joined(separator: ", ") ?? "every department")); signing secret, shown once:")
            print(hook.secret)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List receivers (secrets are not shown).")
        @OptionGroup var store: StoreOptions
        func run() throws {
            let hooks = try store.openHooks().hooks(includeRemoved: true)
            if hooks.isEmpty { print("no hooks (add one with `taskmap hooks add --db FILE --url URL`)"); return }
            print("id\turl\tevents\tdepartments\tcreated\tstatus")
            for h in hooks {
                print("\(h.id)\t\(h.url)\t\(h.events.map(\.rawValue).joined(separator: ","))\t\(h.departments?.joined(separator: ", ") ?? "all")\t"
                      + "\(Timestamp.format(h.createdAt))\t\(h.removedAt.map { "removed \(Timestamp.format($0))" } ?? "active")")
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a receiver (its undelivered events expire).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The hook's id.") var id: Int64
        func run() throws {
            guard try store.openHooks().removeHook(id: id, at: Date()) else { throw ValidationError("no active hook \(id)") }
            print("removed hook \(id)")
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Deliveries per receiver: delivered, pending, retrying, expired, oldest pending, last error.")
        @OptionGroup var store: StoreOptions
        func run() throws {
            let status = try store.openHooks().hookStatus()
            if status.isEmpty { print("no hooks"); return }
            print("id\turl\tdelivered\tpending\tretrying\texpired\toldest pending\tlast error")
            for s in status {
                print("\(s.hook.id)\t\(s.hook.url)\t\(s.delivered)\t\(s.pending)\t\(s.retrying)\t\(s.expired)\t"
                      + "\(s.oldestPendingAt.map { Timestamp.format($0) } ?? "-")\t\(s.lastError ?? "-")")
            }
        }
    }
}
