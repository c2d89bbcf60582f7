import ArgumentParser

@main
struct TaskMap: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "taskmap",
        abstract: "Task maps for municipal complaints: store, geocode, render and serve.",
        subcommands: []
    )
}
