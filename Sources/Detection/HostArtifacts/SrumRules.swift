import DataDocuments
import ExTriageCore

/// Which programs' network usage HOST-SRUM-EXFIL reports, from how many bytes sent in one SRUM
/// hour, and how sure it is: data from `Profiles/rules/host-srum.yaml`. Names are lower-cased.
public struct SrumRules: Sendable {
    public struct Group: Sendable {
        public var kind: String
        public var names: Set<String>
        /// Bytes sent in one hour at or above which the program is reported.
        public var sentAtLeast: UInt64
        /// When set, the hour must also exceed this many times the program's median hour.
        public var spikeFactor: Int?
        /// The tier outside the attack window; nil: quiet there.
        public var verdict: Verdict?
        /// The tier inside the attack window (nil: as `verdict`).
        public var inWindow: Verdict?
        public var attack: String
        public var category: String
    }

    public var groups: [Group]
    public var windowSlackHours: Int

    static let allowedKeys: Set<String> = ["version", "groups", "windowSlackHours"]
    static let groupKeys: Set<String> = ["kind", "names", "sentAtLeastMiB", "spikeFactor", "verdict", "inWindow", "attack", "category"]

    /// Loads and checks the file; throws one error listing every problem (file, line, key).
    public static func load(file: String) throws -> SrumRules {
        try DataDocument.load(file: file, allowedKeys: allowedKeys, versions: [1], build: build).value(or: "invalid SRUM rules")
    }

    static func build(_ document: DataDocument) -> SrumRules? {
        let groups = document.mappings("groups", allowed: groupKeys, nonEmpty: true).compactMap { group -> Group? in
            guard let kind = group.string("kind"), let attack = group.string("attack"), let category = group.string("category"),
                  let mebibytes = group.int("sentAtLeastMiB", in: 0...1_048_576) else { return nil }
            if !FindingCategory.all.contains(category) {
                group.problem("category", "must be one of \(FindingCategory.all.sorted().joined(separator: ", "))")
            }
            let names = group.strings("names", nonEmpty: true).map { $0.lowercased() }
            guard let verdict = group.hostRuleTier("verdict", required: true) else { return nil }
            let inWindow = group.hostRuleTier("inWindow", required: false) ?? nil
            let spike = group.int("spikeFactor", required: false, in: 2...1000)
            return Group(kind: kind, names: Set(names), sentAtLeast: UInt64(mebibytes) << 20, spikeFactor: spike, verdict: verdict,
                         inWindow: inWindow, attack: attack, category: category)
        }
        guard let slack = document.int("windowSlackHours", in: 0...8760) else { return nil }
        return SrumRules(groups: groups, windowSlackHours: slack)
    }


    /// The group a program (a SRUM application path or name) belongs to.
    func group(of application: String) -> Group? {
        let name = SrumNetworkUsage.programName(application)
        return groups.first { $0.names.contains(name) }
    }
}
