import ExTriageCore

/// The fleet view of a case: hosts side by side, the clusters that tie them, first compromise over
/// time. The JSON keys are a contract (issue #15).
public struct FleetReport: Codable, Sendable {
    public struct BundleRef: Codable, Sendable {
        public var sha256: String
        public var path: String
        /// `intact-signed`, `intact-unsigned`, `not-intact`, ...
        public var verification: String
        public var analyzed: Bool
        public var verdict: String?
    }

    public struct CVERow: Codable, Sendable {
        public var state: String
        public var reason: String?
        public var patchedAt: Timestamp?
    }

    public struct Shell: Codable, Sendable {
        public var path: String
        public var sha256: String?
        public var requests: Int
        public var firstRequest: Timestamp?
    }

    public struct Shells: Codable, Sendable {
        /// Shells the request logs show being called.
        public var used: [Shell]
        /// Shells the collected request logs never ask for.
        public var neverUsed: [Shell]
        /// Shells whose use cannot be told (no request logs collected).
        public var unknown: [Shell]
    }

    public struct Host: Codable, Sendable {
        public var host: String
        public var bundles: [BundleRef]
        /// The most serious verdict of its analyzed bundles, or `not-analyzed`.
        public var verdict: String
        public var cveStates: [String: CVERow]
        /// The earliest evidence time of a finding at `likely` or above.
        public var firstCompromise: Timestamp?
        /// When the logs show the last CVE fix being taken (latest of the CVEs' `patchedAt`).
        public var patchedAt: Timestamp?
        /// True when the host was compromised before it was patched.
        public var patchedAfterCompromise: Bool
        public var shells: Shells
        /// Why parts of this host could not be assessed (unverified bundles, CVEs without evidence to judge).
        public var notAssessable: [String]
        /// The clusters it sits in.
        public var clusters: [String]

        enum CodingKeys: String, CodingKey {
            case host, bundles, verdict, cveStates, firstCompromise, patchedAt, patchedAfterCompromise, shells, notAssessable, clusters
        }

        /// Every contract key is written, `null` when unknown, so readers never guess at a missing one.
        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(host, forKey: .host)
            try container.encode(bundles, forKey: .bundles)
            try container.encode(verdict, forKey: .verdict)
            try container.encode(cveStates, forKey: .cveStates)
            try container.encode(firstCompromise, forKey: .firstCompromise)
            try container.encode(patchedAt, forKey: .patchedAt)
            try container.encode(patchedAfterCompromise, forKey: .patchedAfterCompromise)
            try container.encode(shells, forKey: .shells)
            try container.encode(notAssessable, forKey: .notAssessable)
            try container.encode(clusters, forKey: .clusters)
        }
    }

    public struct ClusterIndicator: Codable, Sendable {
        public var kind: String
        public var value: String
        public var hosts: [String]
        /// Rarity weight across the case (kind weight × ln(1 + hosts in case / hosts with it)).
        public var weight: Double
    }

    public struct Wave: Codable, Sendable {
        public var start: Timestamp
        public var end: Timestamp
        public var hosts: [String]
    }

    public struct Cluster: Codable, Sendable {
        public var id: String
        public var hosts: [String]
        public var indicators: [ClusterIndicator]
        public var waves: [Wave]
        public var why: String
        public var score: Double
    }

    public struct TimelineRow: Codable, Sendable {
        public var host: String
        public var firstCompromise: Timestamp
        public var clusters: [String]
    }

    public var generatedAt: Timestamp
    public var hosts: [Host]
    public var clusters: [Cluster]
    /// Indicators on too many hosts to tie any of them (a scanner's agent, a public exploit's string).
    public var commonIndicators: [ClusterIndicator]
    /// First compromise per host, earliest first.
    public var timeline: [TimelineRow]
}
