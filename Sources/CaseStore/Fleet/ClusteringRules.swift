/// The numbers behind clustering, in one place.
public struct ClusteringRules: Sendable {
    /// From this many hosts on, an indicator on more than `commonShare` of them is too common to tie hosts.
    public var commonRuleMinimumHosts = 4
    public var commonShare = 0.5
    /// Two indicators belong to one cluster when their host sets overlap this much (Jaccard index).
    public var linkOverlap = 0.5
    /// A cluster's indicators must weigh at least this much together.
    public var minimumClusterScore = 0.6
    /// Two shells' ssdeep hashes tie their hosts from this match score on (0–100). ssdeep scores
    /// unrelated text 0 and copies with a few lines changed well above 50; the score needs long
    /// common runs, so two different small shells of one family rarely reach it by chance.
    public var fuzzyMatchScore = 50
    /// First activity this far apart starts a new wave (seconds).
    public var waveGapSeconds: Int64 = 24 * 3600
    /// How much a kind of indicator says on its own: a user agent is easily shared by chance,
    /// a file name less so, similar content or an export path more, a hash, password or address is specific.
    public var kindWeights: [Indicator.Kind: Double] = [
        .shellSha256: 1, .shellParameter: 1, .toolSha256: 1, .clientIp: 1,
        .shellFuzzy: 0.75, .mailboxExportPath: 0.75,
        .shellName: 0.5, .dumpName: 0.5, .archiveName: 0.5, .userAgent: 0.25,
    ]

    public init() {}

    public static let standard = ClusteringRules()

    public func kindWeight(_ kind: Indicator.Kind) -> Double { kindWeights[kind] ?? 1 }
}
