/// A stage of the ProxyLogon chain, in the order public incident write-ups give (C04); the
/// raw values are what findings carry in their `stage` pivot.
public enum AttackStage: String, CaseIterable, Sendable {
    case autodiscover
    case mapiEmsmdb = "mapi/emsmdb"
    case ews
    case proxyLogonECP = "proxyLogon.ecp"
    case ddiGetObject = "DDIService GetObject"
    case ddiSetObject = "DDIService SetObject"
    case resetOABVirtualDirectory = "ResetOABVirtualDirectory"
    case oabFileWrite = "OAB file write"
    case webShellRequest = "web shell request"
    /// A file judged a web shell on disk, and a web file that is only odd: labels, not chain steps.
    case webShell = "web shell"
    case webFile = "web file"

    /// Position in the chain; nil for the labels that are not a step of it.
    public var chainPosition: Int? {
        switch self {
        case .webShell, .webFile: return nil
        default: return AttackStage.allCases.firstIndex(of: self)
        }
    }

    /// The furthest chain stage among `stages` (raw values); names that are not chain stages rank lowest.
    public static func highest(_ stages: [String]) -> String? {
        stages.max { rank($0) < rank($1) }
    }

    static func rank(_ name: String) -> Int { AttackStage(rawValue: name)?.chainPosition ?? -1 }
}
