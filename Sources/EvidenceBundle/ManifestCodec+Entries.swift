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
        var delivered = 0
        if bytes.count <= limit, let layout = ManifestEntryScanner.layout(of: bytes),
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
            }
            if !failed { return head }
        }
        var whole = try decode(bytes, limit: limit)
        for entry in whole.entries.dropFirst(delivered) { try each(entry) }
        whole.entries = []
        return whole
    }
}
