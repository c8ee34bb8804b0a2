import ExTriageCore
import Foundation

/// Encodes and decodes `manifest.json` deterministically (sorted keys, no escaped slashes).
///
/// One size limit binds both sides: a reader refuses a manifest larger than `maximumSize`
/// (ADVERSARIAL-CASES B7), so a writer refuses to produce one (issue #14).
public enum ManifestCodec {
    /// The largest `manifest.json` read into memory (ADVERSARIAL-CASES B7), and so the largest
    /// written: a larger one is refused from its tar header, unread. 200,000 entries with
    /// 490-byte paths make about 300 MiB.
    public static let maximumSize = 512 << 20

    /// Bytes every entry takes at least besides its paths, volume, artifact and times: the three
    /// hex digests, the shortest status, size and mode, and the keys, quotes and indentation of
    /// the required fields.
    public static let minimumEntryOverhead = 345
    /// Bytes a time field takes at least (`"created" : "YYYY-MM-DDTHH:MM:SSZ",` indented).
    static let minimumTimeField = 42

    /// What the fraction of a second adds to four times, usually; a guess for reserving the
    /// encoding buffer, never for a limit.
    static let typicalOptionalFields = 48

    /// The fewest bytes an entry with these strings and `times` (how many of modified, accessed,
    /// changed and created it has) takes in the manifest, JSON escaping only adding: collect
    /// refuses, before reading any file, a selection certain to be too large.
    public static func minimumEntrySize(path: String, sourcePath: String, volume: String, artifact: String, times: Int) -> Int {
        path.utf8.count + sourcePath.utf8.count + volume.utf8.count + artifact.utf8.count + minimumEntryOverhead
            + times * minimumTimeField
    }

    /// How many of an entry's four times are set.
    public static func timeCount(_ entry: Manifest.Entry) -> Int {
        [entry.modified, entry.accessed, entry.changed, entry.created].filter { $0 != nil }.count
    }

    static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return encoder
    }

    /// The encoded manifest; throws when it is larger than `limit`, so no bundle is written that
    /// a reader with that limit would refuse.
    ///
    /// The same bytes as encoding the whole document at once, made entry by entry: the document
    /// without its entries, then each entry encoded alone and indented into place, so memory
    /// holds the output and one entry's encoding rather than a tree of the whole manifest.
    public static func encode(_ manifest: Manifest, limit: Int = maximumSize) throws -> [UInt8] {
        let encoder = makeEncoder()
        var head = manifest
        head.entries = []
        let headBytes = Array(try encoder.encode(head))
        var bytes: [UInt8] = []
        if !manifest.entries.isEmpty, let (open, close) = emptyEntriesArray(in: headBytes) {
            // Room for what entries usually take (paths, required fields, times, mode), so the
            // buffer is not doubled past the size it ends at.
            bytes.reserveCapacity(headBytes.count + manifest.entries.reduce(0) {
                $0 + minimumEntrySize(path: $1.path, sourcePath: $1.sourcePath, volume: $1.volume, artifact: $1.artifact,
                                      times: timeCount($1)) + typicalOptionalFields
            })
            bytes += headBytes[...open]
            for (index, entry) in manifest.entries.enumerated() {
                try appendEntry(entry, first: index == 0, encoder: encoder, to: &bytes)
                guard bytes.count <= limit else {
                    throw tooLarge(bytes: bytes.count, atLeast: true, entries: manifest.entries.count, limit: limit)
                }
            }
            bytes += entriesClose
            bytes += headBytes[close...]
        } else {
            bytes = manifest.entries.isEmpty ? headBytes : Array(try encoder.encode(manifest))
        }
        bytes.append(0x0A)
        guard bytes.count <= limit else {
            throw tooLarge(bytes: bytes.count, entries: manifest.entries.count, limit: limit)
        }
        return bytes
    }

    /// Appends `entry` as it stands in the manifest's `entries` array: after a line break (and a
    /// comma unless `first`), indented by four spaces.
    static func appendEntry(_ entry: Manifest.Entry, first: Bool, encoder: JSONEncoder, to bytes: inout [UInt8]) throws {
        bytes += first ? [0x0A] : [0x2C, 0x0A]
        bytes += entryIndent
        for byte in try encoder.encode(entry) {
            bytes.append(byte)
            if byte == 0x0A { bytes += entryIndent }
        }
    }

    private static let entryIndent = Array("    ".utf8)

    /// What follows the last entry before the array's `]`.
    static let entriesClose = Array("\n  ".utf8)

    /// The limits `collect` puts on the case fields hold on reading too (ADVERSARIAL-CASES B8):
    /// a manifest with an over-long or control-character field is invalid, and never printed.
    static func checkCaseFields(_ record: Manifest.CaseRecord) throws {
        do {
            try CaseFieldLimits.check(name: "case id", record.caseId, required: true)
            try CaseFieldLimits.check(name: "examiner", record.examiner, required: true)
            try CaseFieldLimits.check(name: "evidence id", record.evidenceId)
            try CaseFieldLimits.check(name: "notes", record.notes, allowLineBreaks: true)
        } catch let error as ExTriageError {
            throw ExTriageError(.notABundle, "manifest.json is not a valid manifest: its \(error.message)")
        }
    }

    /// Offsets of `[` and `]` of the top-level `"entries"` value, an empty array, in `bytes`.
    static func emptyEntriesArray(in bytes: [UInt8]) -> (open: Int, close: Int)? {
        let key = Array("\n  \"entries\"".utf8)
        guard let start = bytes.firstRange(of: key)?.upperBound,
              let open = bytes[start...].firstIndex(of: 0x5B),
              bytes[start..<open].allSatisfy({ $0 == 0x20 || $0 == 0x3A }),
              let close = bytes[open...].firstIndex(of: 0x5D),
              bytes[(open + 1)..<close].allSatisfy({ $0 == 0x20 || $0 == 0x0A }) else { return nil }
        return (open, close)
    }

    /// The error for a manifest of `bytes` (`atLeast`: an estimate from below) over `limit`.
    public static func tooLarge(bytes: Int, atLeast: Bool = false, entries: Int, limit: Int) -> ExTriageError {
        ExTriageError(.outputUnwritable,
                      "the manifest of \(entries) files would be \(atLeast ? "at least " : "")\(bytes) bytes "
                          + "(\(ByteCount.format(UInt64(bytes)))), more than the \(limit) bytes (\(ByteCount.format(UInt64(limit)))) "
                          + "a verifier reads; collect fewer files (a narrower profile or source) in several bundles")
    }

    public static func decode(_ bytes: [UInt8], limit: Int = maximumSize) throws -> Manifest {
        guard bytes.count <= limit else {
            throw ExTriageError(.notABundle, "manifest.json is larger than \(ByteCount.format(UInt64(limit)))")
        }
        do {
            let manifest = try bytes.withUnsafeBytes { raw -> Manifest in
                // No copy of the bytes: the decoder reads them in place.
                guard let base = raw.baseAddress else { return try JSONDecoder().decode(Manifest.self, from: Data()) }
                let data = Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: raw.count, deallocator: .none)
                return try JSONDecoder().decode(Manifest.self, from: data)
            }
            guard manifest.schemaVersion == Manifest.currentSchemaVersion else {
                throw ExTriageError(.notABundle, "unsupported manifest schema version \(manifest.schemaVersion)")
            }
            try checkCaseFields(manifest.case)
            return manifest
        } catch let error as ExTriageError {
            throw error
        } catch {
            throw ExTriageError(.notABundle, "manifest.json is not a valid manifest", cause: "\(error)")
        }
    }
}
