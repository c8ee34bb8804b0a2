import ArtifactCollection
import Detection
import EvidenceBundle
import Evtx
import Foundation
import Prefetch
import Sigma
import WindowsRegistry

/// The parsers of untrusted input, each as one function of bytes: what the libFuzzer targets in
/// `Fuzz/` call, and what `FuzzRegressionTests` replays every kept crasher through
/// (ADVERSARIAL-CASES C11, C12). Each must return, never crash, whatever the bytes.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// The bundle reader and verifier (libarchive tar, manifest, seal, signature), from a file.
    case tar
    /// `manifest.json` decoding with its limits.
    case manifest
    /// IIS W3C log lines (after an IIS `#Fields` header the input may replace).
    case w3c
    /// Exchange CSV log lines (after an HttpProxy `#Fields` header the input may replace).
    case exchangeCSV = "exchange-csv"
    /// The native EVTX reader, fed in uneven pieces.
    case evtx
    /// The minidump header, stream directory and module list parser.
    case minidump
    /// Collection profile and artifact definition YAML.
    case profile
    /// Log rule YAML and Sigma rule YAML.
    case rules
    /// A registry hive through libregf: every key and value to a depth and count limit.
    case hive
    /// A prefetch file through libscca.
    case prefetch
    /// A PE file's version resource (extriage's own reader).
    case peVersion = "pe-version"

    /// Runs the parser over `bytes`. `scratch` is a file path the tar target may write (it reads
    /// bundles from files only); nothing else is written.
    public func run(_ bytes: [UInt8], scratch: String) {
        switch self {
        case .tar:
            guard FileManager.default.createFile(atPath: scratch, contents: Data(bytes)) else { return }
            _ = BundleVerifier().verify(path: scratch)
            unlink(scratch)
        case .manifest:
            _ = try? ManifestCodec.decode(bytes)
        case .w3c:
            Self.parseLog(Self.iisHeader + bytes)
        case .exchangeCSV:
            Self.parseLog(Self.exchangeHeader + bytes)
        case .evtx:
            _ = EvtxStream.read(bytes, piece: 4093)
        case .minidump:
            _ = MinidumpHeader.parse(bytes)
        case .profile:
            let text = String(decoding: bytes, as: UTF8.self)
            _ = ProfileParser.definition(text: text, file: "fuzz.yaml", expectedName: "fuzz.artifact")
            _ = ProfileParser.profile(text: text, file: "fuzz.yaml", expectedName: "fuzz")
        case .rules:
            let text = String(decoding: bytes, as: UTF8.self)
            _ = try? LogRuleLoader.parse(text, file: "fuzz.yaml")
            _ = try? SigmaRuleSet.load(texts: [(file: "fuzz.yml", text: text)])
        case .hive:
            guard let hive = try? RegistryHive(bytes: bytes, name: "fuzz.hive"), let root = hive.root else { return }
            var budget = 5000
            Self.walk(root, depth: 0, budget: &budget)
            _ = hive.controlSets()
        case .prefetch:
            _ = try? PrefetchFile(bytes: bytes, name: "fuzz.pf")
        case .peVersion:
            _ = PEVersionInfo(bytes)
        }
    }

    /// Every subkey and value below `key`, at most 32 deep and `budget` keys in all.
    static func walk(_ key: RegistryKey, depth: Int, budget: inout Int) {
        guard depth < 32, budget > 0 else { return }
        budget -= 1
        for value in key.values() { _ = (value.display, value.strings) }
        for sub in key.subkeys() { walk(sub, depth: depth + 1, budget: &budget) }
    }

    static let iisHeader = Array("""
        #Software: Microsoft Internet Information Services 10.0\r
        #Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\r

        """.utf8)

    static let exchangeHeader = Array("""
        #Software: Microsoft Exchange Server\r
        #Fields: DateTime,RequestId,MajorVersion,MinorVersion,BuildVersion,RevisionVersion,ClientRequestId,Protocol,UrlHost,UrlStem,ProtocolAction,AuthenticationType,IsAuthenticated,AuthenticatedUser,Organization,AnchorMailbox,UserAgent,ClientIpAddress,ServerHostName,HttpStatus,BackEndStatus,TargetServer,TargetServerVersion,RoutingType,RoutingHint,BackEndCookie\r

        """.utf8)

    /// Lines through the line reader (encoding sniffing, caps) into the W3C/CSV parser, in pieces.
    static func parseLog(_ bytes: [UInt8]) {
        var reader = LineReader(maximumLineLength: 4096)
        var parser = W3CLogParser()
        bytes.withUnsafeBytes { all in
            var offset = 0
            while offset < all.count {
                let end = min(all.count, offset + 1021)
                reader.feed(UnsafeRawBufferPointer(rebasing: all[offset..<end])) { _ = parser.parse($0) }
                offset = end
            }
        }
        reader.finish { _ = parser.parse($0) }
    }
}
