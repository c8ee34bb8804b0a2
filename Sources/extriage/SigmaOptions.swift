import ArgumentParser
import Detection

/// The Sigma rule packs `analyze` and `rules list` take.
struct SigmaOptions: ParsableArguments {
    @Option(name: .customLong("sigma"), help: ArgumentHelp("Also load every Sigma rule (.yml/.yaml) under this folder, searched recursively (repeatable), e.g. a SigmaHQ checkout; a rule that cannot be loaded is named and skipped.", valueName: "dir"))
    var folders: [String] = []

    @Option(name: .customLong("sigma-level"), help: ArgumentHelp("Run pack rules of this level and above: informational, low, medium, high, critical (default medium).", valueName: "level"))
    var level = "medium"

    @Option(name: .customLong("sigma-exclude"), help: ArgumentHelp("A file of Sigma rule ids not to run, one per line (# comments) (repeatable).", valueName: "file"))
    var excludeFiles: [String] = []

    func validate() throws {
        guard ["informational", "low", "medium", "high", "critical"].contains(level.lowercased()) else {
            throw ValidationError("--sigma-level takes informational, low, medium, high or critical")
        }
    }

    func request(strict: Bool) -> SigmaLibrary.PackRequest {
        var request = SigmaLibrary.PackRequest()
        request.folders = folders
        request.minimumLevel = level.lowercased()
        request.excludeFiles = excludeFiles
        request.strict = strict
        return request
    }
}
