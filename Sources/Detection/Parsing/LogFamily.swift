/// Which log a member is, from its path on the source volume.
///
/// Matching ignores case (NTFS does; EXCHANGE-ARTIFACTS.md §1.1), accepts `/` or `\` separators and looks at
/// the end of the path only, so the Exchange root (`Program Files/Microsoft/Exchange Server/V15`,
/// `Exchange/V15`, another volume, a bundle prefix such as `evidence/C/`) does not matter. Every file must end
/// in `.log`.
public enum LogFamily: Hashable, Sendable, CustomStringConvertible {
    /// `Logging/HttpProxy/<Protocol>/HttpProxy_*.LOG`; `protocolName` as spelled in the path (e.g. "Ecp").
    case httpProxy(protocolName: String)
    /// `Logging/ECP/Server/ECPServer*.LOG`.
    case ecpServer
    /// `Logging/ECP/Activity/ECPActivity*.LOG`.
    case ecpActivity
    /// Any `.LOG` under `Logging/OABGeneratorLog/` or `Logging/OABGeneratorSimpleLog/`.
    case oabGenerator
    /// `Logging/CmdletInfra/Powershell-Proxy/Cmdlet/Rps_Cmdlet_*.LOG`.
    case rpsCmdlet
    /// `Logging/CmdletInfra/Powershell-Proxy/Http/Rps_Http_*.LOG`.
    case rpsHttp
    /// `Logging/CmdletInfra/LocalPowerShell/Cmdlet/*_Cmdlet_*.LOG`.
    case localCmdlet
    /// `W3SVC<n>/*.log`, as under `inetpub/logs/LogFiles/` or `Windows/System32/LogFiles/` (or a custom IIS log
    /// directory, which IIS also suffixes with `W3SVC<n>`); `site` is `W3SVC<n>` with the prefix upper-cased.
    case iis(site: String)
    /// `HTTPERR/httperr*.log`, as under `Windows/System32/LogFiles/`.
    case httpErr

    /// The family of the member at `sourcePath`, or nil for anything else.
    public static func classify(sourcePath: String) -> LogFamily? {
        let original = sourcePath.split(whereSeparator: { $0 == "/" || $0 == "\\" }).map(String.init)
        let folded = original.map { $0.lowercased() }
        let count = folded.count
        guard count >= 2, let file = folded.last, file.hasSuffix(".log") else { return nil }
        func segment(_ fromEnd: Int) -> String? {
            count - 1 - fromEnd >= 0 ? folded[count - 1 - fromEnd] : nil
        }
        let parent = folded[count - 2]

        if segment(3) == "logging", segment(2) == "httpproxy", file.hasPrefix("httpproxy_") {
            return .httpProxy(protocolName: original[count - 2])
        }
        if segment(3) == "logging", segment(2) == "ecp" {
            if parent == "server", file.hasPrefix("ecpserver") { return .ecpServer }
            if parent == "activity", file.hasPrefix("ecpactivity") { return .ecpActivity }
        }
        if segment(4) == "logging", segment(3) == "cmdletinfra" {
            if segment(2) == "powershell-proxy", parent == "cmdlet", file.hasPrefix("rps_cmdlet_") { return .rpsCmdlet }
            if segment(2) == "powershell-proxy", parent == "http", file.hasPrefix("rps_http_") { return .rpsHttp }
            if segment(2) == "localpowershell", parent == "cmdlet", file.contains("_cmdlet_") { return .localCmdlet }
        }
        if count >= 3 {
            for index in 0..<(count - 2) where folded[index] == "logging"
                && (folded[index + 1] == "oabgeneratorlog" || folded[index + 1] == "oabgeneratorsimplelog") {
                return .oabGenerator
            }
        }
        if parent.hasPrefix("w3svc"), parent.count > 5, parent.utf8.dropFirst(5).allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            return .iis(site: "W3SVC" + parent.dropFirst(5))
        }
        if parent == "httperr", file.hasPrefix("httperr") {
            return .httpErr
        }
        return nil
    }

    /// "HttpProxy/Ecp", "ECP Server", "ECP Activity", "OAB Generator", "Rps Cmdlet", "Rps Http", "Local Cmdlet",
    /// "IIS W3SVC1", "HTTPERR".
    public var description: String {
        switch self {
        case .httpProxy(let protocolName): return "HttpProxy/" + protocolName
        case .ecpServer: return "ECP Server"
        case .ecpActivity: return "ECP Activity"
        case .oabGenerator: return "OAB Generator"
        case .rpsCmdlet: return "Rps Cmdlet"
        case .rpsHttp: return "Rps Http"
        case .localCmdlet: return "Local Cmdlet"
        case .iis(let site): return "IIS " + site
        case .httpErr: return "HTTPERR"
        }
    }
}
