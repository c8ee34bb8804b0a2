#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Crypto
import ExTriageCore
import Foundation

/// `<bundle>.custody.jsonl`: who did what to a bundle, one JSON object per line, hash-chained.
///
/// Each event carries the SHA-256 of the previous line's exact bytes (64 zeros for the first), so
/// an edited, removed or reordered line breaks the chain at the line after it. An event may be
/// signed with the actor's Ed25519 key; the signature covers the event without its `signature`
/// field, encoded with sorted keys. Only a signature protects the last line from an edit.
public struct CustodyEvent: Codable, Sendable, Equatable {
    public enum Action: String, Codable, Sendable, CaseIterable {
        case collected, transferred, received, verified, analyzed, note
    }

    public struct Signature: Codable, Sendable, Equatable {
        public var algorithm: String
        public var publicKey: String
        public var fingerprint: String
        public var signature: String
    }

    public var sequence: Int
    public var time: Timestamp
    public var actor: String
    public var action: Action
    public var note: String?
    /// The bundle file's SHA-256 when the event was recorded.
    public var bundleSha256: String
    /// SHA-256 of the previous line's bytes (without its line feed).
    public var previousLineSha256: String
    /// For `collected`: the fingerprint the manifest was signed with, so a removed `manifest.sig` shows.
    public var manifestSigner: String?
    public var signature: Signature?

    public static let firstPrevious = String(repeating: "0", count: 64)

    /// The bytes a signature covers: the event without `signature`, sorted keys, compact.
    func signedBytes() throws -> [UInt8] {
        var unsigned = self
        unsigned.signature = nil
        return try CustodyLog.encode(unsigned)
    }
}

public enum CustodyLog {
    public static func path(forBundle bundle: String) -> String { bundle + ".custody.jsonl" }

    static func encode(_ event: CustodyEvent) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(event))
    }

    /// Appends an event, chaining it to the last line and signing it when a key is given.
    @discardableResult
    public static func append(bundle: String, actor: String, action: CustodyEvent.Action, note: String?,
                              bundleSha256: String, manifestSigner: String? = nil,
                              key: Curve25519.Signing.PrivateKey? = nil, time: Timestamp = .now()) throws -> CustodyEvent {
        let logPath = path(forBundle: bundle)
        let (event, encoded) = try makeLine(after: try readLines(logPath), actor: actor, action: action, note: note,
                                            bundleSha256: bundleSha256, manifestSigner: manifestSigner, key: key, time: time)
        var line = encoded
        // A log cut short (a crash mid-write) must not swallow this event into its last line.
        if let data = readSmallRegularFile(logPath, limit: maximumLogSize), let last = data.last, last != 0x0A {
            line.insert(0x0A, at: 0)
        }
        let descriptor = open(logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard descriptor >= 0 else {
            throw ExTriageError(.outputUnwritable, "cannot open the custody log", path: logPath, cause: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        guard line.withUnsafeBytes({ write(descriptor, $0.baseAddress, $0.count) }) == line.count, fsync(descriptor) == 0 else {
            throw ExTriageError(.outputUnwritable, "cannot write the custody log", path: logPath, cause: String(cString: strerror(errno)))
        }
        return event
    }

    /// The next event after `lines` and its encoded line (with its line feed), signed when a key is given.
    public static func makeLine(after lines: [[UInt8]], actor: String, action: CustodyEvent.Action, note: String?,
                                bundleSha256: String, manifestSigner: String? = nil,
                                key: Curve25519.Signing.PrivateKey? = nil, time: Timestamp = .now()) throws -> (CustodyEvent, [UInt8]) {
        try CaseFieldLimits.check(name: "actor", actor, required: true)
        try CaseFieldLimits.check(name: "note", note, allowLineBreaks: true)
        var event = CustodyEvent(sequence: lines.count + 1, time: time, actor: actor, action: action, note: note,
                                 bundleSha256: bundleSha256,
                                 previousLineSha256: lines.last.map(sha256Hex) ?? CustodyEvent.firstPrevious,
                                 manifestSigner: manifestSigner, signature: nil)
        if let key {
            let signature = try key.signature(for: Data(try event.signedBytes()))
            event.signature = .init(algorithm: "ed25519", publicKey: key.publicKey.rawRepresentation.base64EncodedString(),
                                    fingerprint: SigningKeys.fingerprint(key.publicKey), signature: signature.base64EncodedString())
        }
        return (event, try encode(event) + [0x0A])
    }

    /// The result of reading and checking a custody log.
    public struct Check: Sendable {
        public var events: [CustodyEvent]
        /// One message per broken link, bad line or bad signature, naming the line.
        public var problems: [String]
        public var lastEventSigned: Bool
        /// SHA-256 of the last line's bytes: the hash the next event chains to. A receiver who
        /// records it (with the event count) can tell later whether lines were cut from the end.
        public var headSha256: String?
        /// The SHA-256 of each line, in order: where a recorded head sits in the log.
        public var lineSha256: [String]
    }

    /// Reads the log and checks the chain, sequence numbers and signatures.
    public static func check(bundle: String) throws -> Check {
        let logPath = path(forBundle: bundle)
        guard FileManager.default.fileExists(atPath: logPath) else {
            throw ExTriageError(.io, "there is no custody log beside the bundle", path: logPath)
        }
        let lines = try readLines(logPath)
        var events: [CustodyEvent] = []
        var problems: [String] = []
        var previous: [UInt8]?
        for (index, line) in lines.enumerated() {
            let number = index + 1
            guard let event = try? JSONDecoder().decode(CustodyEvent.self, from: Data(line)) else {
                problems.append("line \(number): not a custody event (edited or damaged)")
                previous = line
                continue
            }
            let expectedPrevious = previous.map(sha256Hex) ?? CustodyEvent.firstPrevious
            if event.previousLineSha256 != expectedPrevious {
                problems.append(index == 0
                    ? "line 1: does not start the chain (an earlier line was removed, or lines were reordered)"
                    : "line \(number): chain broken: line \(number - 1) was edited, removed or reordered (expected previous hash \(expectedPrevious.prefix(16))…, recorded \(EscapedText.display(String(event.previousLineSha256.prefix(16))))…)")
            }
            if event.sequence != number {
                problems.append("line \(number): sequence number \(event.sequence), expected \(number) (lines removed or reordered)")
            }
            if let signature = event.signature {
                let valid = (try? event.signedBytes()).flatMap { bytes -> Bool? in
                    guard let keyData = Data(base64Encoded: signature.publicKey),
                          let key = try? Curve25519.Signing.PublicKey(rawRepresentation: keyData),
                          SigningKeys.fingerprint(key) == signature.fingerprint,
                          let signatureData = Data(base64Encoded: signature.signature) else { return false }
                    return key.isValidSignature(signatureData, for: Data(bytes))
                } ?? false
                if !valid { problems.append("line \(number): signature by \(EscapedText.display(String(signature.fingerprint.prefix(16))))… does not match (the event was edited)") }
            }
            events.append(event)
            previous = line
        }
        if lines.isEmpty {
            problems.append("no events: the collected event is missing (the log is empty; writing it failed or it was emptied)")
        }
        let hashes = lines.map(sha256Hex)
        return Check(events: events, problems: problems, lastEventSigned: events.last?.signature != nil,
                     headSha256: hashes.last, lineSha256: hashes)
    }

    /// The log's lines without their line feeds; a missing log has none.
    static let maximumLogSize = 64 << 20

    static func readLines(_ path: String) throws -> [[UInt8]] {
        var info = stat()
        guard lstat(path, &info) == 0 else { return [] }
        guard let data = readSmallRegularFile(path, limit: maximumLogSize) else {
            throw ExTriageError(.io, "the custody log is not a regular file of at most 64 MiB", path: path)
        }
        return data.split(separator: 0x0A, omittingEmptySubsequences: true).map(Array.init)
    }
}
