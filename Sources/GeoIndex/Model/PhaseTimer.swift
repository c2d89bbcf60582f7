import Foundation

/// Prints how long each phase of a long job took, to stderr, when TASKMAP_TRACE=1. Off by default.
public struct PhaseTimer {
    public static let enabled = ProcessInfo.processInfo.environment["TASKMAP_TRACE"] == "1"
    private var last = DispatchTime.now().uptimeNanoseconds
    private let label: String
    public init(_ label: String) { self.label = label }
    public mutating func mark(_ phase: String) {
        guard Self.enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        FileHandle.standardError.write(Data(String(format: "[%@] %@: %.3f s\n", label, phase, Double(now - last) / 1e9).utf8))
        last = now
    }
}
