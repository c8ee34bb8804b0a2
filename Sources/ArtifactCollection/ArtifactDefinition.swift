import ExTriageCore

/// One kind of evidence to collect: a set of path globs with a size cap and a mode.
///
/// Loaded from `Profiles/artifacts/<dotted/name>.yaml`; see Profiles/README.md.
public struct ArtifactDefinition: Sendable, Equatable {
    public var name: String
    public var description: String
    /// Globs relative to the volume root, possibly starting with a placeholder segment.
    public var paths: [String]
    public var sizeCap: UInt64
    public var mode: ArtifactMode
    public var references: [String]

    public init(name: String, description: String, paths: [String], sizeCap: UInt64, mode: ArtifactMode, references: [String]) {
        self.name = name
        self.description = description
        self.paths = paths
        self.sizeCap = sizeCap
        self.mode = mode
        self.references = references
    }
}

/// A named list of artifact definitions: what one `collect` run gathers.
public struct Profile: Sendable, Equatable {
    public var name: String
    public var description: String
    public var artifacts: [String]

    public init(name: String, description: String, artifacts: [String]) {
        self.name = name
        self.description = description
        self.artifacts = artifacts
    }
}

/// A definition or profile together with where it came from and its exact text's hash.
public struct Loaded<Value: Sendable>: Sendable {
    public var value: Value
    /// The file it was read from.
    public var file: String
    /// `built-in` or `override`.
    public var origin: String
    public var text: [UInt8]
    public var sha256: String
}
