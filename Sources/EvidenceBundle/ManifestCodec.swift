import ExTriageCore
import Foundation

/// Encodes and decodes `manifest.json` deterministically (sorted keys, no escaped slashes).
public enum ManifestCodec {
    /// A manifest larger than this is refused when read (ADVERSARIAL-CASES B7).
    public static let maximumSize = 256 << 20

    public static func encode(_ manifest: Manifest) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        var bytes = Array(try encoder.encode(manifest))
        bytes.append(0x0A)
        return bytes
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
            return manifest
        } catch let error as ExTriageError {
            throw error
        } catch {
            throw ExTriageError(.notABundle, "manifest.json is not a valid manifest", cause: "\(error)")
        }
    }
}
