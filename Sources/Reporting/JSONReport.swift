import ExTriageCore
import Foundation

/// The machine-readable report: the `AnalysisReport` Codable shape, sorted keys, pretty-printed.
///
/// One report renders as that object (`bundle`, `verification`, `verdict`, `cveStates`, `findings`,
/// `coverage`, `logSpans`, `campaigns`, `tool`). Several render as
/// `{"bundles": [...], "summary": {"worstVerdict": ..., "bundles": [...]}}`. Text stays lossless:
/// JSON string escaping already neutralises control characters.
public struct JSONReport: Sendable {
    public init() {}

    /// Encodes the reports as UTF-8 JSON ending in a newline.
    public static func render(_ reports: [AnalysisReport]) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        var bytes: [UInt8]
        if reports.count == 1, let only = reports.first {
            bytes = Array(try encoder.encode(only))
        } else {
            bytes = Array(try encoder.encode(MultiBundleDocument(bundles: reports, summary: CombinedSummary(reports))))
        }
        bytes.append(0x0A)
        return bytes
    }
}

/// The document for several bundles: every report, then the combined summary.
public struct MultiBundleDocument: Codable, Sendable {
    /// Every report, in the order given.
    public var bundles: [AnalysisReport]
    /// One row per bundle and the worst verdict.
    public var summary: CombinedSummary

    /// Pairs the reports with their summary.
    public init(bundles: [AnalysisReport], summary: CombinedSummary) {
        self.bundles = bundles
        self.summary = summary
    }
}
