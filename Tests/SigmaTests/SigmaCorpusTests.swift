import Foundation
import Sigma
import Testing

/// Loads the SigmaHQ rule corpus when it is present (it is not part of the repository; set
/// `SIGMA_RULES` or place it at /work/shared/corpora/sigma/rules) and checks that nearly all
/// Windows rules load.
struct SigmaCorpusTests {
    static let corpus = ProcessInfo.processInfo.environment["SIGMA_RULES"] ?? "/work/shared/corpora/sigma/rules"

    static var corpusPresent: Bool { FileManager.default.fileExists(atPath: corpus) }

    @Test func windowsRulesOfTheCorpusLoad() throws {
        guard Self.corpusPresent else {
            print("SigmaCorpusTests: no Sigma corpus at \(Self.corpus); skipped (set SIGMA_RULES to run it)")
            return
        }
        let started = Date()
        let set = try SigmaRuleSet.load(paths: [Self.corpus])
        let seconds = Date().timeIntervalSince(started)
        // Windows rules: those whose logsource names product windows (loaded, or skipped with their file read back).
        let windowsLoaded = set.rules.filter { $0.logsource.product == "windows" }.count
        let windowsSkipped = set.skipped.filter { skip in
            guard let text = try? String(contentsOfFile: skip.file, encoding: .utf8) else { return false }
            return text.range(of: #"(?m)^\s+product:\s*windows\s*$"#, options: .regularExpression) != nil
        }
        let windowsTotal = windowsLoaded + windowsSkipped.count
        print("SigmaCorpusTests: loaded \(set.rules.count) rules, skipped \(set.skipped.count), in \(String(format: "%.1f", seconds)) s")
        print("SigmaCorpusTests: windows rules loaded \(windowsLoaded) of \(windowsTotal)")
        for (reason, count) in set.skipReasonSummary().prefix(12) { print("SigmaCorpusTests: skip \(count)× \(reason)") }
        for skip in windowsSkipped.prefix(40) { print("SigmaCorpusTests: windows skip \(skip.file): \(skip.reason)") }
        #expect(windowsTotal > 0)
        #expect(Double(windowsLoaded) >= 0.95 * Double(windowsTotal))
        let rows = set.describe()
        #expect(rows.count == set.rules.count + set.correlations.count + set.filters.count + set.skipped.count)
    }
}
