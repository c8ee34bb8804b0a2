// swift-tools-version: 6.0
import PackageDescription

/// extriage: a forensic artifact collector and offline analyzer for Microsoft Exchange servers.
///
/// Modules depend one way (see DESIGN.md): ExTriageCore ← EvidenceSource ← ArtifactCollection,
/// ExTriageCore ← EvidenceBundle ← ArtifactCollection, ExTriageCore ← DataDocuments ← ArtifactCollection
/// and Detection (the one YAML data-file loader); ExTriageCore ← Evtx (the native EVTX reader) ← Detection;
/// ExTriageCore ← WindowsRegistry, Prefetch and ExtensibleStorage (libregf, libscca, libesedb through CForensics) ← Detection;
/// ExTriageCore ← Sigma (the Sigma rule engine, on Yams) ← Detection ← CaseStore (fleet cases, on GRDB and postgres-nio), which
/// also renders through Reporting (ExTriageCore ← Reporting).
/// The executable stays thin.
let package = Package(
    name: "extriage",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "extriage", targets: ["extriage"]),
        // For the libFuzzer package in Fuzz/ (a separate package, so the main build takes no fuzz flags).
        .library(name: "FuzzEntryPoints", targets: ["FuzzEntryPoints"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"4.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CArchive",
            pkgConfig: "libarchive",
            providers: [.apt(["libarchive-dev"])]
        ),
        .systemLibrary(
            name: "CForensics",
            pkgConfig: "libevtx",
            providers: [.apt(["libevtx-dev", "libregf-dev", "libscca-dev", "libesedb-dev", "libewf-dev", "libtsk-dev", "libvshadow-dev", "libbfio-dev"])]
        ),
        .systemLibrary(name: "CYara", pkgConfig: "yara", providers: [.apt(["libyara-dev"])]),
        // libfuzzy ships no pkg-config file: the module map links it by name.
        .systemLibrary(name: "CFuzzy", providers: [.apt(["libfuzzy-dev"])]),
        .target(name: "CPosix"),
        // The SIMD byte scans of the log pre-filter (NeedleSet, ByteSearch).
        .target(name: "CScan"),
        .target(name: "ExTriageCore", dependencies: ["CPosix"]),
        .target(name: "Evtx", dependencies: ["ExTriageCore"]),
        .target(name: "WindowsRegistry", dependencies: ["ExTriageCore", "CForensics"]),
        .target(name: "Prefetch", dependencies: ["ExTriageCore", "CForensics"]),
        .target(name: "ExtensibleStorage", dependencies: ["ExTriageCore", "CForensics"]),
        .target(name: "EvidenceSource", dependencies: ["ExTriageCore", "CPosix", "CForensics"]),
        .target(
            name: "EvidenceBundle",
            dependencies: [
                "ExTriageCore", "CArchive",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "DataDocuments",
            dependencies: ["ExTriageCore", .product(name: "Yams", package: "Yams")]
        ),
        .target(
            name: "ArtifactCollection",
            dependencies: [
                "ExTriageCore", "EvidenceSource", "EvidenceBundle", "DataDocuments", "CArchive",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "Detection",
            dependencies: [
                "ExTriageCore", "EvidenceBundle", "DataDocuments", "Evtx", "Sigma", "CYara", "CForensics", "CFuzzy", "CScan", "WindowsRegistry", "Prefetch", "ExtensibleStorage",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            exclude: ["README.md"]
        ),
        .target(name: "Reporting", dependencies: ["ExTriageCore"]),
        .target(
            name: "CaseStore",
            dependencies: [
                "ExTriageCore", "EvidenceBundle", "Detection", "Reporting",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            exclude: ["README.md"]
        ),
        .target(name: "Sigma", dependencies: ["ExTriageCore", .product(name: "Yams", package: "Yams")], exclude: ["README.md"]),
        .executableTarget(
            name: "extriage",
            dependencies: [
                "ExTriageCore", "EvidenceSource", "EvidenceBundle", "ArtifactCollection", "Detection", "Reporting", "CaseStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "FuzzEntryPoints",
            dependencies: ["ArtifactCollection", "Detection", "EvidenceBundle", "Evtx", "Sigma", "WindowsRegistry", "Prefetch"]
        ),
        .target(
            name: "TestSupport",
            dependencies: ["ExTriageCore", "EvidenceBundle", "CArchive"],
            path: "Tests/TestSupport"
        ),
        .testTarget(name: "ExTriageCoreTests", dependencies: ["ExTriageCore"]),
        .testTarget(name: "WindowsRegistryTests", dependencies: ["WindowsRegistry", "ExTriageCore", "TestSupport"]),
        .testTarget(name: "PrefetchTests", dependencies: ["Prefetch", "ExTriageCore", "TestSupport"]),
        .testTarget(name: "ExtensibleStorageTests", dependencies: ["ExtensibleStorage", "ExTriageCore", "TestSupport"]),
        .testTarget(name: "EvtxTests", dependencies: ["Evtx", "ExTriageCore", "TestSupport"]),
        .testTarget(name: "DataDocumentsTests", dependencies: ["DataDocuments", "ExTriageCore", "TestSupport"]),
        .testTarget(name: "EvidenceSourceTests", dependencies: ["EvidenceSource", "ExTriageCore", "TestSupport"]),
        .testTarget(
            name: "EvidenceBundleTests",
            dependencies: ["EvidenceBundle", "ExTriageCore", "TestSupport", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .testTarget(
            name: "ArtifactCollectionTests",
            dependencies: ["ArtifactCollection", "EvidenceBundle", "EvidenceSource", "ExTriageCore", "TestSupport"]
        ),
        .testTarget(name: "DetectionTests", dependencies: ["Detection", "Evtx", "EvidenceBundle", "ExTriageCore", "CForensics", "TestSupport"]),
        .testTarget(name: "ReportingTests", dependencies: ["Reporting", "ExTriageCore", "TestSupport"]),
        .testTarget(name: "SigmaTests", dependencies: ["Sigma", "ExTriageCore"]),
        .testTarget(name: "CaseStoreTests", dependencies: ["CaseStore", "Detection", "ExTriageCore", "TestSupport"], exclude: ["Data"]),
        .testTarget(name: "EndToEndTests", dependencies: ["extriage", "EvidenceBundle", "ExTriageCore", "TestSupport"]),
        .testTarget(name: "FuzzRegressionTests", dependencies: ["FuzzEntryPoints", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
