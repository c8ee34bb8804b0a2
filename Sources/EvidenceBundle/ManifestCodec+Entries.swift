import Foundation

extension ManifestCodec {
    /// The same manifest as `decode`, with the same errors, but decoded entry by entry: the
    /// document without its entries, then each entry alone from its own bytes, so no parse tree of
    /// the whole document is ever held.
    public static func decodeEntryByEntry(_ bytes: [UInt8], limit: Int = maximumSize) throws -> Manifest {
        var entries: [Manifest.Entry] = []
        var manifest = try decodeEntries(bytes, limit: limit) { entries.append($0) }
        manifest.entries = entries
        return manifest
    }

    /// The manifest without its entries, handing `each` the entries in order as they are decoded.
    ///
    /// Where the entries cannot be located plainly, or any piece fails to decode, the whole
    /// document is decoded as `decode` does: its error is the one thrown, or, should it succeed,
    /// `each` gets the entries it has not had yet. When this throws, discard what `each` got.
    static func decodeEntries(_ bytes: [UInt8], limit: Int, each: (Manifest.Entry) throws -> Void) throws -> Manifest {
        try decodeEntries(in: bytes, whole: { bytes }, release: { _ in }, limit: limit, each: each)
    }

    /// `decodeEntries` over a manifest read from a bundle, releasing what lies behind as it goes.
    static func decodeEntries(_ manifest: ManifestBytes, limit: Int, each: (Manifest.Entry) throws -> Void) throws -> Manifest {
        try decodeEntries(in: manifest.buffer, whole: { manifest.array }, release: { manifest.release(before: $0) },
                          limit: limit, each: each)
    }

    /// `whole` gives the bytes as an array for the ordinary decoding; `release` is told how far
    /// the reading has gone (each pass starts again from the beginning).
    private static func decodeEntries<Bytes: RandomAccessCollection>(
        in bytes: Bytes, whole: () -> [UInt8], release: @escaping (Int) -> Void, limit: Int,
        each: (Manifest.Entry) throws -> Void) throws -> Manifest where Bytes.Element == UInt8, Bytes.Index == Int {
        var delivered = 0
        if bytes.count <= limit, let layout = ManifestEntryScanner.layout(of: bytes, passed: release),
           let head = try? decode(layout.head, limit: limit) {
            let decoder = JSONDecoder()
            var failed = false
            for range in layout.elements {
                guard let entry = try? decoder.decode(Manifest.Entry.self, from: Data(bytes[range])) else {
                    failed = true
                    break
                }
                try each(entry)
                delivered += 1
                release(range.upperBound)
            }
            if !failed { return head }
        }
        var document = try decode(whole(), limit: limit)
        for entry in document.entries.dropFirst(delivered) { try each(entry) }
        document.entries = []
        return document
    }
}
