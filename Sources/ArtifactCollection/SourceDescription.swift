#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import EvidenceBundle
import EvidenceSource
import ExTriageCore

/// The manifest's `source`: kind, path and volumes, and for a disk image its partition table,
/// each volume's offset, size and file system, the image files, digests and warnings.
enum SourceDescription {
    static func record(of source: any EvidenceSource, digest: ImageDigest?) -> Manifest.SourceRecord {
        var record = Manifest.SourceRecord(kind: source.kind, path: source.location, volumes: source.volumes.map { volume in
            var row = Manifest.VolumeRecord(name: volume.name, fileSystem: volume.fileSystem, label: volume.label)
            row.number = volume.number
            row.offset = volume.offset
            row.size = volume.size
            row.partition = volume.partitionDescription
            row.shadowCopy = volume.shadowCopy.map { .init(of: $0.of, store: $0.store, identifier: $0.identifier, created: $0.created) }
            return row
        })
        guard let image = source as? ImageSource else {
            record.shadowCopies = .init(status: ShadowCopyReport.Status.notApplicable.rawValue)
            return record
        }
        let shadows = image.shadowCopies
        record.shadowCopies = .init(status: shadows.status.rawValue, stores: shadows.status == .read ? shadows.stores : nil,
                                    failures: shadows.failures.isEmpty ? nil : shadows.failures)
        record.partitionTable = image.partitionTable
        var files: [Manifest.ImageFileRecord] = []
        for path in image.imageFiles {
            var info = stat()
            files.append(.init(path: path, size: stat(path, &info) == 0 ? UInt64(max(0, info.st_size)) : 0))
        }
        var imageRecord = Manifest.ImageRecord(size: image.imageSize, files: files)
        imageRecord.acquisitionMD5 = image.storedMD5
        imageRecord.acquisitionSHA1 = image.storedSHA1
        if let digest {
            imageRecord.sha256 = digest.digests.sha256
            imageRecord.sha1 = digest.digests.sha1
            imageRecord.md5 = digest.digests.md5
            if !digest.unreadable.isEmpty { imageRecord.unreadable = digest.unreadable.map(\.description) }
            imageRecord.acquisitionHashesAgree = digest.agreesWithAcquisition(md5: image.storedMD5, sha1: image.storedSHA1)
        }
        record.image = imageRecord
        var warnings = image.warnings + shadows.failures.map { "shadow copy not readable: " + $0 }
        if let digest, imageRecord.acquisitionHashesAgree == false {
            warnings.append("the image's computed digests differ from the acquisition digests stored in it (MD5 \(image.storedMD5 ?? "-") stored, \(digest.digests.md5) computed)")
        }
        record.warnings = warnings.isEmpty ? nil : warnings
        return record
    }

    /// The image verification result for the custody log's `collected` event (empty for a directory).
    static func custodyNote(_ source: Manifest.SourceRecord) -> String {
        guard let image = source.image else { return "" }
        var parts: [String] = []
        if let sha256 = image.sha256 { parts.append("image sha256 \(sha256)") }
        switch image.acquisitionHashesAgree {
        case .some(true): parts.append("acquisition hash VERIFIED")
        case .some(false): parts.append("acquisition hash FAILED (differs or image unreadable in places)")
        case .none where source.kind == "e01": parts.append(image.sha256 == nil ? "acquisition hash not checked (no --hash-image)"
                                                             : "acquisition hash INCOMPLETE (none stored)")
        default: break
        }
        if let warnings = source.warnings, !warnings.isEmpty { parts.append("\(warnings.count) source warning(s)") }
        return parts.isEmpty ? "" : "; " + parts.joined(separator: "; ")
    }
}
