import ExTriageCore

/// A Sysmon 3 network connection read as "this host" and "the other host", whichever way Sysmon
/// wrote it. For accepted connections Sysmon versions differ: some put the remote end in
/// `Source*`, others keep the local listening port in `SourcePort`; the side that holds the
/// service port is this host's.
struct SysmonConnection {
    /// The host opened the connection (`Initiated` true).
    var outbound: Bool
    var image: String
    var processID: String
    var localPort: Int?
    var remoteIP: String
    var remotePort: Int?
    /// Sysmon's own `UtcTime` (when the connection was seen), else the record's time.
    var time: Timestamp?

    /// The connection in a Sysmon 3 record; nil for other records. `servicePorts` decides, for an
    /// accepted connection, which side is this host's.
    init?(_ record: EventRecord, servicePorts: Set<Int>) {
        guard record.eventID == 3, record.provider.lowercased() == "microsoft-windows-sysmon" else { return nil }
        let initiated = (record.value("Initiated") ?? "").lowercased() == "true"
        let sourceIP = record.value("SourceIp") ?? "", destinationIP = record.value("DestinationIp") ?? ""
        let sourcePort = record.value("SourcePort").flatMap { Int($0.trimmedSpaces) }
        let destinationPort = record.value("DestinationPort").flatMap { Int($0.trimmedSpaces) }
        outbound = initiated
        image = record.value("Image") ?? ""
        processID = record.value("ProcessId") ?? ""
        if initiated || destinationPort.map(servicePorts.contains) == true || sourcePort.map(servicePorts.contains) != true {
            // Outbound: local is the source. Inbound written remote → local: the service port is the destination's.
            localPort = initiated ? sourcePort : destinationPort
            remoteIP = initiated ? destinationIP : sourceIP
            remotePort = initiated ? destinationPort : sourcePort
        } else {
            // Inbound written local → remote (the local listening port is SourcePort).
            localPort = sourcePort
            remoteIP = destinationIP
            remotePort = destinationPort
        }
        time = Self.utcTime(record) ?? record.time
    }

    /// The process is the kernel (`System`, PID 4): SMB client and server traffic.
    var isSystemProcess: Bool {
        image.trimmedSpaces.lowercased() == "system" || processID.trimmedSpaces == "4"
    }

    /// Sysmon's `UtcTime` (`2019-08-30 23:16:28.364`).
    static func utcTime(_ record: EventRecord) -> Timestamp? {
        record.value("UtcTime").flatMap { Timestamp(iso8601: $0.trimmedSpaces) }
    }

    /// Loopback, unspecified or empty: not another host.
    static func isLocalOnly(_ address: String) -> Bool {
        let text = address.trimmedSpaces.lowercased()
        return text.isEmpty || text == "-" || text == "::1" || text == "0.0.0.0" || text == "::" || text.hasPrefix("127.")
            || text.hasPrefix("::ffff:127.")
    }

    /// `::ffff:10.0.0.5` and `10.0.0.5` are one peer.
    static func normalised(_ address: String) -> String {
        let text = address.trimmedSpaces.lowercased()
        return text.hasPrefix("::ffff:") && text.contains(".") ? String(text.dropFirst(7)) : text
    }
}
