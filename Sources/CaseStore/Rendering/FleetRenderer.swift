import ExTriageCore
import Foundation

/// Turns a fleet report into bytes in one format.
public protocol FleetRenderer: Sendable {
    var name: String { get }
    func render(_ report: FleetReport) throws -> [UInt8]
}

/// The fleet formats `case report --format` takes.
public enum FleetRenderers {
    public static let all: [any FleetRenderer] = [FleetTextReport(), FleetJSONReport(), FleetHTMLReport()]
    public static func named(_ name: String) -> (any FleetRenderer)? { all.first { $0.name == name } }
    public static var names: [String] { all.map(\.name) }
}

/// The fleet report as JSON (keys sorted, times ISO 8601 UTC).
public struct FleetJSONReport: FleetRenderer {
    public var name: String { "json" }
    public init() {}
    public func render(_ report: FleetReport) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(report)) + [10]
    }
}
