import EvidenceBundle
import EvidenceSource
import ExTriageCore

/// The digests of a whole disk image's media, and the ranges that could not be read.
struct ImageDigest {
    var digests: Digests
    var unreadable: [MediaReadError]

    /// Whether every acquisition digest stored in an E01 equals ours; nil when none is stored.
    func agreesWithAcquisition(md5: String?, sha1: String?) -> Bool? {
        guard md5 != nil || sha1 != nil else { return nil }
        return unreadable.isEmpty && (md5.map { $0 == digests.md5 } ?? true) && (sha1.map { $0 == digests.sha1 } ?? true)
    }
}

extension Collector {
    /// `--hash-image`: one sequential pass over the image media (every E01 segment, through
    /// libewf) before the files are read. Unreadable ranges are hashed as zeros and listed.
    func hashImage() throws -> ImageDigest? {
        guard let image = request.source as? ImageSource else {
            throw ExTriageError(.invalidArgument, "--hash-image applies to disk images, not to a \(request.source.kind) source")
        }
        let hasher = ContentHasher()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: request.chunkSize, alignment: 64)
        defer { buffer.deallocate() }
        var offset: UInt64 = 0
        var unreadable: [MediaReadError] = []
        let size = image.imageSize
        observer?.planned(files: 1, bytes: size)
        observer?.started(file: image.location, artifact: "image hash (--hash-image)")
        while offset < size {
            let length = Int(min(UInt64(buffer.count), size - offset))
            let chunk = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<length])
            var count: Int
            do {
                count = try image.readImage(at: offset, into: chunk)
            } catch let error as MediaReadError {
                count = length
                chunk.initializeMemory(as: UInt8.self, repeating: 0)
                if let last = unreadable.last, last.offset + last.length == offset, last.cause == error.cause {
                    unreadable[unreadable.count - 1].length += UInt64(length)
                } else {
                    unreadable.append(MediaReadError(offset: offset, length: UInt64(length), cause: error.cause))
                }
            }
            if count == 0 {
                unreadable.append(MediaReadError(offset: offset, length: size - offset, cause: "the image ended early"))
                break
            }
            hasher.update(UnsafeRawBufferPointer(rebasing: chunk[0..<count]))
            offset += UInt64(count)
            observer?.advanced(bytes: UInt64(count))
        }
        return ImageDigest(digests: hasher.finalize(), unreadable: unreadable)
    }
}
