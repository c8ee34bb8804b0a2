/// Whether a web shell on disk was ever requested, as far as the collected request logs (IIS,
/// HttpProxy) tell: a shell nobody called is a different story from one in daily use.
public struct ShellUsage: Codable, Sendable, Hashable {
    public enum Status: String, Codable, Sendable {
        /// Requests to the file's URL paths are logged.
        case requested
        /// Request logs were collected and none of their lines asks for the file.
        case notRequested = "not-requested"
        /// No IIS or HttpProxy log is in the bundle: nothing can be said.
        case noRequestLogs = "no-request-logs"
    }

    public var status: Status
    /// Requests logged to the file's URL paths.
    public var requests: Int
    public var first: Timestamp?
    public var last: Timestamp?
    public var clients: [String]
    /// The time the request logs cover, said when nothing was requested.
    public var logsFirst: Timestamp?
    public var logsLast: Timestamp?

    public init(status: Status, requests: Int = 0, first: Timestamp? = nil, last: Timestamp? = nil, clients: [String] = [],
                logsFirst: Timestamp? = nil, logsLast: Timestamp? = nil) {
        self.status = status
        self.requests = requests
        self.first = first
        self.last = last
        self.clients = clients
        self.logsFirst = logsFirst
        self.logsLast = logsLast
    }

    /// One line for a person: who called it and when, or why nothing is known.
    public var text: String {
        switch status {
        case .requested:
            let span = first.map { " " + $0.iso8601 + (last.map { " to " + $0.iso8601 } ?? "") } ?? ""
            return "\(requests) request(s) logged\(span)" + (clients.isEmpty ? "" : " from " + clients.joined(separator: ", "))
        case .notRequested:
            return "no request in the logs that cover \(logsFirst?.iso8601 ?? "?")–\(logsLast?.iso8601 ?? "?")"
        case .noRequestLogs:
            return "no request logs collected"
        }
    }
}
