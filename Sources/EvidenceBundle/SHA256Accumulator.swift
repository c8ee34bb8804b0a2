import Crypto
import ExTriageCore

/// A small SHA-256 helper over byte arrays, returning hex.
struct SHA256Accumulator {
    private var state = SHA256()
    mutating func update(_ bytes: [UInt8]) { state.update(data: bytes) }
    mutating func finalize() -> String { Hex.encode(state.finalize()) }
}

/// SHA-256 of bytes as lower-case hex.
public func sha256Hex(_ bytes: [UInt8]) -> String {
    Hex.encode(SHA256.hash(data: bytes))
}
