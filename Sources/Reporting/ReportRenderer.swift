import ExTriageCore

/// One output format of `analyze`: a name for `--format` and the bytes for a set of reports.
/// A new format is one file conforming to this, plus its entry in `ReportRenderers.all`.
public protocol ReportRenderer: Sendable {
    /// The `--format` name.
    var name: String { get }
    func render(_ reports: [AnalysisReport], options: RenderOptions) throws -> [UInt8]
}

/// What a renderer may adapt to where the report goes.
public struct RenderOptions: Sendable {
    /// ANSI colours (a terminal, not a file).
    public var color = false

    public init(color: Bool = false) { self.color = color }
}

/// Every output format, in the order `--help` lists them.
public enum ReportRenderers {
    public static let all: [any ReportRenderer] = [TextReport(), SummaryReport(), JSONReport(), HTMLReport(), TimelineJSONL()]

    public static func named(_ name: String) -> (any ReportRenderer)? { all.first { $0.name == name } }

    public static var names: [String] { all.map(\.name) }
}

extension TextReport: ReportRenderer {
    public var name: String { "text" }
    public func render(_ reports: [AnalysisReport], options: RenderOptions) -> [UInt8] {
        Array(TextReport.render(reports, color: options.color).utf8)
    }
}

extension JSONReport: ReportRenderer {
    public var name: String { "json" }
    public func render(_ reports: [AnalysisReport], options: RenderOptions) throws -> [UInt8] { try JSONReport.render(reports) }
}

extension HTMLReport: ReportRenderer {
    public var name: String { "html" }
    public func render(_ reports: [AnalysisReport], options: RenderOptions) -> [UInt8] { Array(HTMLReport.render(reports).utf8) }
}

extension TimelineJSONL: ReportRenderer {
    public var name: String { "jsonl" }
    public func render(_ reports: [AnalysisReport], options: RenderOptions) throws -> [UInt8] { try TimelineJSONL.render(reports) }
}
