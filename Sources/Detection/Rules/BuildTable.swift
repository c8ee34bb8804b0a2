import DataDocuments
import ExTriageCore

/// The fixed builds per security update, from `Profiles/rules/exchange-builds.yaml`.
public struct BuildTable: Sendable {
    public struct Fix: Sendable {
        public var name: String
        public var cves: [String]
        /// First fixed build per cumulative update: same major.minor.build and revision at least this.
        public var fixed: [ExchangeBuild]
        /// First build per version line that includes the fix: same major.minor and build at least this.
        public var includedFrom: [ExchangeBuild]
        /// When exploitation in the wild began: a server is exposed from then until it runs a fixed build.
        public var exploitedFrom: Timestamp?
        /// Where the row's builds and dates come from (`source:`).
        public var source: String? = nil
    }

    public var fixes: [Fix]
    /// CVEs no technique-based indicator exists for (`notAssessable:`), with the reason: their
    /// state is `not-assessable` with it unless a finding carries them.
    public var notAssessable: [String: String] = [:]

    public struct Status {
        public var name: String
        public var cves: [String]
        public var patched: Bool
        public var fixedIn: String?
    }

    /// The fix that covers `cve`, if the table knows it.
    public func fix(for cve: String) -> Fix? { fixes.first { $0.cves.contains(cve) } }

    /// Whether `build` has `fix`.
    public func isPatched(_ build: ExchangeBuild, against fix: Fix) -> Bool {
        BuildTable(fixes: [fix]).status(of: build).first?.patched ?? false
    }

    public func status(of build: ExchangeBuild) -> [Status] {
        fixes.map { fix in
            if let sameCU = fix.fixed.first(where: { ($0.major, $0.minor, $0.build) == (build.major, build.minor, build.build) }) {
                return Status(name: fix.name, cves: fix.cves, patched: build.revision >= sameCU.revision, fixedIn: sameCU.description)
            }
            if let line = fix.includedFrom.first(where: { ($0.major, $0.minor) == (build.major, build.minor) }), build.build >= line.build {
                return Status(name: fix.name, cves: fix.cves, patched: true, fixedIn: nil)
            }
            return Status(name: fix.name, cves: fix.cves, patched: false, fixedIn: "a supported CU with the update")
        }
    }
}

extension BuildTable {
    static let allowedKeys: Set<String> = ["version", "fixes", "notAssessable"]
    static let fixKeys: Set<String> = ["name", "cves", "fixed", "includedFrom", "exploitedFrom", "source"]

    /// Loads `exchange-builds.yaml`; throws one error listing every problem (file, line, key).
    public static func load(file: String) throws -> BuildTable {
        try DataDocument.load(file: file, allowedKeys: allowedKeys, versions: [1], build: build)
            .value(or: "invalid Exchange build table")
    }

    /// The same for a table's text.
    public static func parse(_ text: String, file: String) throws -> BuildTable {
        try DataDocument.parse(text: text, file: file, allowedKeys: allowedKeys, versions: [1], build: build)
            .value(or: "invalid Exchange build table")
    }

    static func build(_ document: DataDocument) -> BuildTable? {
        var fixes: [Fix] = []
        var complete = true
        for item in document.mappings("fixes", allowed: fixKeys, nonEmpty: true) {
            let name = item.string("name")
            let cves = item.strings("cves", required: false)
            func builds(_ key: String) -> [ExchangeBuild] {
                item.items(key, required: false).compactMap { value in
                    guard let text = value.text(trim: true) else { return nil }
                    guard let build = ExchangeBuild(text) else {
                        value.problem("'\(text)' is not a build number (major.minor.build.revision, e.g. 15.1.2176.9)")
                        return nil
                    }
                    return build
                }
            }
            let fixed = builds("fixed"), includedFrom = builds("includedFrom")
            if item["fixed"] == nil && item["includedFrom"] == nil {
                item.problem(nil, "needs fixed or includedFrom (the builds that have the fix)")
            }
            var exploitedFrom: Timestamp?
            if let text = item.optionalString("exploitedFrom") {
                exploitedFrom = Timestamp(iso8601: text + "T00:00:00Z")
                if exploitedFrom == nil { item.problem("exploitedFrom", "'\(text)' is not a date (YYYY-MM-DD)") }
            }
            guard let name else {
                complete = false
                continue
            }
            fixes.append(Fix(name: name, cves: cves, fixed: fixed, includedFrom: includedFrom, exploitedFrom: exploitedFrom,
                             source: item.optionalString("source")))
        }
        var notAssessable: [String: String] = [:]
        for item in document.mappings("notAssessable", allowed: ["cve", "reason"], required: false) {
            guard let cve = item.string("cve"), let reason = item.string("reason") else { continue }
            if !RuleFiles.isCVE(cve) { item.problem("cve", "'\(cve)' is not a CVE id (CVE-2021-26855)") }
            notAssessable[cve] = reason
        }
        return complete ? BuildTable(fixes: fixes, notAssessable: notAssessable) : nil
    }
}
