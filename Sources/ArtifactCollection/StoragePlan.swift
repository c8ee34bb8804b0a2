import ExTriageCore

/// Capture step 1: how one file will be stored, decided from its first bytes and its name
/// before the member header is written (tar needs the member's size up front).
///
/// A memory dump (the `MDMP` magic, or a dump's file extension) is traced whatever artifact
/// matched it, unless the responder asked for dumps whole.
struct StoragePlan: Equatable {
    static let minidumpMagic: [UInt8] = [0x4D, 0x44, 0x4D, 0x50]
    /// Memory dumps by name: trace mode whatever artifact matched them.
    static let dumpExtensions = [".dmp", ".mdmp", ".hdmp"]

    /// The file starts with the minidump magic `MDMP`.
    var isMinidump: Bool
    /// The file name ends like a memory dump's.
    var namedLikeDump: Bool
    /// What the matching artifact definition asked for.
    var definitionMode: ArtifactMode
    /// Hash all, store the head only.
    var trace: Bool
    /// The member's declared size: the file's, cut at the size cap or the trace head.
    var storedSize: UInt64

    /// `head` is the file's first bytes (as many as were read, at least 4 to see the magic);
    /// `foldedName` the case-folded file name.
    init(head: some Collection<UInt8>, foldedName: String?, definition: ArtifactDefinition, declaredSize: UInt64,
         collectDumps: Bool, traceHeadBytes: UInt64) {
        isMinidump = head.starts(with: StoragePlan.minidumpMagic)
        namedLikeDump = StoragePlan.dumpExtensions.contains { foldedName?.hasSuffix($0) ?? false }
        definitionMode = definition.mode
        trace = !collectDumps && (definition.mode == .trace || isMinidump || namedLikeDump)
        storedSize = min(declaredSize, trace ? traceHeadBytes : definition.sizeCap)
    }

    /// The mode the manifest entry records.
    var mode: ArtifactMode { trace ? .trace : .content }

    /// Why the file was treated as a dump, for the entry's reason.
    var reasons: [String] {
        var reasons: [String] = []
        if isMinidump { reasons.append("starts with the minidump magic MDMP") }
        if namedLikeDump && !isMinidump && definitionMode != .trace { reasons.append("named like a memory dump") }
        return reasons
    }
}
