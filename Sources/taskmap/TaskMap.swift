import ArgumentParser
import Foundation
import GeoIndex

@main
struct TaskMap: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "taskmap",
        abstract: "Task maps for municipal complaints: store, geocode, render and serve.",
        subcommands: [InitCommand.self, ImportCommand.self, InfoCommand.self, GenerateCommand.self, DemoCommand.self, NeedsCommand.self, HotspotsCommand.self, TileCommand.self, RenderCommand.self, PosterCommand.self, ReportCommand.self, BenchCommand.self, ServeCommand.self, KeysCommand.self, HooksCommand.self, RoutesCommand.self, MigrateCommand.self, PoolCommand.self]
    )

    /// Errors from our modules already name the file and line: print them as they are.
    static func mainReportingErrors() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let e as ImportError {
            FileHandle.standardError.write(Data("error: \(e)\n".utf8)); Foundation.exit(1)
        } catch let e as ComplaintImporter.RowErrors {
            FileHandle.standardError.write(Data("error: \(e)\n".utf8)); Foundation.exit(1)
        } catch let e as StoreError {
            FileHandle.standardError.write(Data("error: \(e)\n".utf8)); Foundation.exit(1)
        } catch let e as CRSError {
            FileHandle.standardError.write(Data("error: \(e)\n".utf8)); Foundation.exit(1)
        } catch let e as PGError {
            FileHandle.standardError.write(Data("error: \(e)\n".utf8)); Foundation.exit(1)
        } catch let e as SQLiteError {
            FileHandle.standardError.write(Data("error: \(e)\n".utf8)); Foundation.exit(1)
        } catch {
            exit(withError: error)
        }
    }

    static func main() { mainReportingErrors() }
}
