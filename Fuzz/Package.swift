// swift-tools-version: 6.0
import PackageDescription

/// libFuzzer targets for extriage's parsers of untrusted input (ADVERSARIAL-CASES C12): one
/// executable per `FuzzTarget`, built with `-sanitize=fuzzer,address` by `make fuzz`. A separate
/// package so that the main build and `make test` take no fuzz flags.
let targets = ["tar", "manifest", "w3c", "exchange-csv", "evtx", "minidump", "profile", "rules", "hive", "prefetch", "pe-version"]

let package = Package(
    name: "extriage-fuzz",
    platforms: [.macOS(.v15)],
    products: targets.map { .executable(name: "fuzz-\($0)", targets: ["fuzz-\($0)"]) },
    dependencies: [.package(name: "extriage", path: "..")],
    targets: [
        .target(name: "FuzzDriver", dependencies: [.product(name: "FuzzEntryPoints", package: "extriage")]),
    ] + targets.map { .executableTarget(name: "fuzz-\($0)", dependencies: ["FuzzDriver", .product(name: "FuzzEntryPoints", package: "extriage")], path: "Sources/fuzz-\($0)") },
    swiftLanguageModes: [.v6]
)
