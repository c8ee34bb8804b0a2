/// Process exit codes shared by every command, documented in the README.
public enum ExitStatus: Int32, Sendable {
    /// The command did all it was asked to do.
    case success = 0
    /// Nothing useful was produced: bad arguments, unreadable source, unwritable output.
    case fatal = 1
    /// `collect` wrote a bundle that is not the whole evidence: an outcome `failed`, or image bytes were lost.
    case incomplete = 2
    /// `verify`: the bundle is not intact (or the custody chain is broken, for `custody show`).
    case notIntact = 3
    /// `verify`: intact, but not signed by one of the trusted keys given.
    case untrustedSigner = 4
    /// `verify`: the file is not an extriage bundle at all.
    case notABundle = 5
    /// `analyze`: a finding reached the `--fail-on` severity or verdict.
    case findingsAtThreshold = 6
}
