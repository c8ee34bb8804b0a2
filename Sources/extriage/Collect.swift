import ArgumentParser
import ArtifactCollection
import EvidenceBundle
import EvidenceSource
import ExTriageCore
import Foundation

/// `extriage collect`: pack the artifacts of one evidence source into a bundle.
struct Collect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Collect Exchange artifacts from a Windows volume into a signed-ready tar bundle.",
        discussion: """
            SOURCE is the root of a mounted or copied Windows volume, or a disk image read directly \
            (no mount, no root): raw/dd, E01 (give the first segment; .E02... are found beside it), \
            VMDK or VHD where The Sleuth Kit supports them; MBR and GPT partitions are walked, an \
            unpartitioned image is one file system (NTFS; FAT and ext also work). The volume holding \
            Windows/System32 is C, the others vol<N> by partition number unless --volume-map renames \
            them. NTFS alternate data streams of collected files are stored as file:stream members. \
            The source is opened read-only and never modified; links are recorded, never followed. \
            Deleted files are not collected (an --include-deleted option may come later), but with \
            --shadow-copies each Volume Shadow Copy of an NTFS volume is read (libvshadow) and its \
            files collected as volume C@vss<N>, so a log cleared or a file deleted since is still there. \
            Exit codes: 0 complete; 2 written, but an artifact failed or image bytes were lost (the \
            manifest says which); 1 fatal error (bad arguments, unreadable source, output exists, output \
            unwritable or disk full): no bundle is written; a B.tar.partial may be left, and the error \
            says so; this run never leaves a B.tar without its .sha256 and custody log.
            """
    )

    @Option(name: .long, help: ArgumentHelp("Root of a mounted or copied Windows volume, or a disk image (raw, E01, VMDK, VHD).",
                                            valueName: "dir|image"))
    var source: String

    @Option(name: .long, help: ArgumentHelp("The bundle to write (e.g. server1.tar).", valueName: "bundle.tar"))
    var output: String

    @Option(name: .customLong("case"), help: ArgumentHelp("Case identifier.", valueName: "id"))
    var caseId: String

    @Option(name: .long, help: ArgumentHelp("Who collects (name of the examiner).", valueName: "name"))
    var examiner: String

    @Option(name: .long, help: ArgumentHelp("Evidence item identifier (e.g. the image's exhibit number).", valueName: "id"))
    var evidenceId: String?

    @Option(name: .long, help: ArgumentHelp("Free-text notes stored in the manifest.", valueName: "text"))
    var notes: String?

    @OptionGroup var profileOptions: ProfileOptions

    @Option(name: .long, help: "Collection profile to use.")
    var profile: String = "exchange-triage"

    @Option(name: .long, help: ArgumentHelp("Volume name used in bundle paths for a directory source.", valueName: "name"))
    var volumeName: String = "C"

    @Option(name: .long, parsing: .singleValue, help: ArgumentHelp(
        "Disk images: name a volume, by partition number or default name, e.g. 2=D or vol3=E (repeatable or comma-separated).",
        valueName: "N=name"))
    var volumeMap: [String] = []

    @Flag(name: .long, help: "Disk images: hash the whole image (every E01 segment) and compare with the E01's stored acquisition hashes.")
    var hashImage = false

    @Flag(name: .long, help: "Disk images: also collect the profile's files from each Volume Shadow Copy of the NTFS volumes, as evidence/C@vss<N>/... (read through libvshadow).")
    var shadowCopies = false

    @Option(name: .long, help: ArgumentHelp("Sign the manifest and the custody record with this Ed25519 key (from `extriage keygen`).", valueName: "name.key"))
    var signKey: String?

    @Flag(name: .long, help: "Store memory dumps whole instead of only their first 1 MiB.")
    var collectDumps = false

    @Flag(name: .long, help: "Replace an existing bundle.")
    var force = false

    @Flag(name: .long, help: "No progress output.")
    var quiet = false

    func validate() throws {
        try CaseFieldLimits.check(name: "--case", caseId, required: true)
        try CaseFieldLimits.check(name: "--examiner", examiner, required: true)
        try CaseFieldLimits.check(name: "--evidence-id", evidenceId)
        try CaseFieldLimits.check(name: "--notes", notes, allowLineBreaks: true)
        guard volumeName.range(of: "^[A-Za-z0-9_-]{1,16}$", options: .regularExpression) != nil else {
            throw ValidationError("--volume-name must be 1-16 letters, digits, '-' or '_'")
        }
        _ = try parsedVolumeMap()
    }

    /// `--volume-map` as key (partition number or `vol<N>`) to volume name.
    func parsedVolumeMap() throws -> [String: String] {
        var map: [String: String] = [:]
        for item in volumeMap.flatMap({ $0.split(separator: ",") }) {
            let parts = item.split(separator: "=", maxSplits: 1).map { String($0).trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, parts[0].range(of: "^(vol)?[0-9]{1,3}$", options: [.regularExpression, .caseInsensitive]) != nil,
                  parts[1].range(of: "^[A-Za-z0-9_-]{1,16}$", options: .regularExpression) != nil else {
                throw ValidationError("--volume-map takes N=NAME or volN=NAME (NAME: 1-16 letters, digits, '-' or '_'), not '\(item)'")
            }
            map[parts[0]] = parts[1]
        }
        return map
    }

    func run() throws {
        let library = try profileOptions.library()
        var request = CollectionRequest(
            source: try SourceOpener.open(path: source, volumeName: volumeName, volumeMap: try parsedVolumeMap(),
                                      shadowCopies: shadowCopies),
            output: output,
            caseRecord: .init(caseId: caseId, evidenceId: evidenceId, examiner: examiner, notes: notes),
            profile: try library.resolve(profile: profile),
            collectDumps: collectDumps,
            force: force
        )
        request.hashImage = hashImage
        request.signingKey = try signKey.map { SigningKey(try SigningKeys.loadPrivateKey(path: $0)) }
        let progress = TerminalProgress(enabled: !quiet && isatty(STDERR_FILENO) == 1)
        let summary = try Collector(request: request, observer: progress).run()
        progress.finish()
        if !quiet { printError(SummaryText.render(summary)) }
        if summary.manifest.exchangeInstallPath == nil { printError("warning: " + SummaryText.installPathMissing) }
        print(summary.bundlePath)
        if summary.exitStatus != .success { throw ExitCode(summary.exitStatus.rawValue) }
    }
}

/// Options shared by commands that read profiles.
struct ProfileOptions: ParsableArguments {
    @Option(name: .customLong("profiles"), help: ArgumentHelp(
        "A directory with artifacts/ and profiles/ that add to or override the built-in definitions (repeatable).",
        valueName: "dir"))
    var overrides: [String] = []

    func library() throws -> ProfileLibrary {
        try ProfileLibrary.load(builtIn: nil, overrides: overrides)
    }
}
