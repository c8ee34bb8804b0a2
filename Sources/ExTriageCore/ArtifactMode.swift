/// How an artifact's files are stored in a bundle.
///
/// Shared by the artifact definitions (what to do) and the manifest entries (what was done);
/// the raw values are the words written in profiles and in `manifest.json`.
public enum ArtifactMode: String, Codable, Sendable, CaseIterable {
    /// Store the file (up to the size cap), hash all of it.
    case content
    /// Hash the whole file but store only its head: memory dumps hold credentials.
    case trace
}
