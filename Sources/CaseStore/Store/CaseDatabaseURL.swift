import ExTriageCore

/// Where a case lives: `sqlite:PATH` (embedded, the default) or a `postgresql://` URL.
public enum CaseDatabaseURL: Sendable, Equatable {
    case sqlite(path: String)
    case postgresql(url: String)

    /// The default when `--db` is omitted: `case.sqlite` in the current folder.
    public static let defaultURL = CaseDatabaseURL.sqlite(path: "case.sqlite")

    /// Parses `sqlite:PATH`, `sqlite://PATH` or `postgresql://…` (also `postgres://…`).
    public init(parsing text: String) throws {
        if text.hasPrefix("postgresql://") || text.hasPrefix("postgres://") {
            self = .postgresql(url: text)
            return
        }
        guard text.hasPrefix("sqlite:") else {
            throw ExTriageError(.invalidArgument, "a case database URL is sqlite:PATH or postgresql://user@host:port/db", path: text)
        }
        var path = String(text.dropFirst("sqlite:".count))
        if path.hasPrefix("//") { path.removeFirst(2) }
        guard !path.isEmpty else {
            throw ExTriageError(.invalidArgument, "sqlite: needs a file path, e.g. sqlite:case.sqlite", path: text)
        }
        self = .sqlite(path: path)
    }
}
