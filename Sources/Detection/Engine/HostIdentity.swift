/// The analysed host's name as the evidence gives it, and where it says so; never the machine that
/// ran `collect` (that one is the manifest's `collector.host`).
///
/// Order: the logs' own server-name columns (HttpProxy `ServerHostName`, ECP/OAB `ServerName`, IIS
/// `s-computername`), then the event logs' `Computer` field. Nothing else is guessed.
struct HostIdentity: Equatable {
    var name: String?
    var source: String

    static let notInEvidence = "not in the evidence"

    static func from(logs: LogSpanBuilder, eventComputer: String?) -> HostIdentity {
        if let name = logs.serverName, let source = logs.serverNameSource {
            return HostIdentity(name: name, source: source)
        }
        if let name = eventComputer {
            return HostIdentity(name: name, source: "event logs Computer field")
        }
        return HostIdentity(name: nil, source: notInEvidence)
    }
}
