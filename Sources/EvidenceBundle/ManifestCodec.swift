import ExTriageCore
import Foundation

/// Encodes and decodes `manifest.json` deterministically (sorted keys, no escaped slashes).
public enum ManifestCodec {
    /// The largest `manifest.json` read into memory (ADVERSARIAL-CASES B7); a larger one is
    /// refused from its tar header, unread. Generous: a manifest of 200,000 entries is about 250 MiB.
    public static let maximumSize = 512 << 20

    public static func encode(_ manifest: Manifest) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        var bytes = Array(try encoder.encode(manifest))
        bytes.append(0x0A)
        return bytes
    }

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

    public static func decode(_ bytes: [UInt8]) throws -> Manifest {
        guard bytes.count <= maximumSize else {
            throw ExTriageError(.notABundle, "manifest.json is larger than \(ByteCount.format(UInt64(maximumSize)))")
        }
        do {
            let manifest = try JSONDecoder().decode(Manifest.self, from: Data(bytes))
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
