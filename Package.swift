// swift-tools-version:6.1
import PackageDescription

/// Settings every target of ours compiles with: Swift 6 language mode (set by the tools version)
/// plus the upcoming features that keep imports and existentials explicit.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

/// How the release executable is linked, for a smaller idle footprint (scripts/bench-daemon):
/// `--static-swift-stdlib` (as `make` ships it) adds `-export-dynamic`, which puts every Swift
/// symbol of the binary in its dynamic symbol table for nothing; and packed relative relocations
/// (DT_RELR, glibc 2.36, lld) shrink the 2.8 MB of relocation records read at every start to 23 kB.
let releaseLinking = LinkerSetting.unsafeFlags([
    "-use-ld=lld",
    "-Xlinker", "--no-export-dynamic",
    "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
], .when(configuration: .release))

let logging = Target.Dependency.product(name: "Logging", package: "swift-log")
let crypto = Target.Dependency.product(name: "Crypto", package: "swift-crypto")
let yams = Target.Dependency.product(name: "Yams", package: "Yams")
let argumentParser = Target.Dependency.product(name: "ArgumentParser", package: "swift-argument-parser")
let httpClient = Target.Dependency.product(name: "AsyncHTTPClient", package: "async-http-client")
/// The transport names NIO's types (buffers, HTTP heads, TLS errors) itself, so it depends on them
/// directly rather than through AsyncHTTPClient.
let nio: [Target.Dependency] = [
    .product(name: "NIOCore", package: "swift-nio"),
    .product(name: "NIOHTTP1", package: "swift-nio"),
    .product(name: "NIOPosix", package: "swift-nio"),
    .product(name: "NIOSSL", package: "swift-nio-ssl"),
]
let propertyBased = Target.Dependency.product(name: "PropertyBased", package: "swift-property-based")
let prometheus = Target.Dependency.product(name: "Prometheus", package: "swift-prometheus")
let subprocess = Target.Dependency.product(name: "Subprocess", package: "swift-subprocess")
let systemPackage = Target.Dependency.product(name: "SystemPackage", package: "swift-system")
let serviceLifecycle = Target.Dependency.product(name: "ServiceLifecycle", package: "swift-service-lifecycle")

let package = Package(
    name: "keyrotd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "keyrotd", targets: ["keyrotd"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.30.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.30.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.0.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // Without its default trait, which only adds Foundation conveniences keyrotd does not use.
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2", traits: []),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        // The executable: a thin @main over the command tree.
        .executableTarget(name: "keyrotd", dependencies: ["KeyrotCLI"], swiftSettings: strict,
                          linkerSettings: [releaseLinking]),

        // Commands, and the adapters that wire the real IAM client, files and systemd into the engine.
        .target(name: "KeyrotCLI", dependencies: [
            "KeyrotCore", "KeyrotConfig", "IAMClient", "FleetAWS", "FleetCoordination", "CredentialFiles", "DurableFS",
            "RotationEngine", "SystemdIntegration", "CProcessControl", argumentParser, logging, prometheus, serviceLifecycle, subprocess, systemPackage,
        ], swiftSettings: strict, plugins: ["KeyrotVersion"]),
        // prctl(2), which is variadic in C, behind fixed-argument wrappers Swift can call.
        .systemLibrary(name: "CProcessControl"),
        // `keyrotd --version`: the version at the top of debian/changelog, generated at build time.
        .plugin(name: "KeyrotVersion", capability: .buildTool()),

        // keyrotd.yml: parsing with line numbers, defaults, validation.
        .target(name: "KeyrotConfig", dependencies: ["KeyrotCore", "DurableFS", yams], swiftSettings: strict),

        // The crash-safe rotation: one async function per phase over five ports and a clock, the
        // record as the durable truth, and the driver (stop requests, critical section, retries).
        .target(name: "RotationEngine", dependencies: ["KeyrotCore", logging], swiftSettings: strict),

        // Fleet mode's coordination (docs/fleet/protocol.md): the leader and member flows over
        // ports for the secret's stages, the fleet table, IAM and the local switch. No AWS wire code.
        .target(name: "FleetCoordination", dependencies: ["KeyrotCore"], swiftSettings: strict),

        // AWS Signature Version 4, pure: canonical request, string to sign, signing key.
        .target(name: "AWSSigV4", dependencies: ["KeyrotCore", crypto], swiftSettings: strict),

        // IAM and STS over the Query API: transport, XML, errors, retries.
        .target(name: "IAMClient", dependencies: ["KeyrotCore", "AWSSigV4", httpClient, logging] + nio, swiftSettings: strict),

        // Fleet mode's AWS side: Secrets Manager and DynamoDB over the JSON protocols, and the lease.
        .target(name: "FleetAWS", dependencies: ["KeyrotCore", "AWSSigV4", "IAMClient", logging], swiftSettings: strict),

        // Format-preserving reading and rewriting of the files that hold the key.
        .target(name: "CredentialFiles", dependencies: ["KeyrotCore", "DurableFS", yams], swiftSettings: strict),

        // Atomic replace, fsync, backups, the state directory lock.
        .target(name: "DurableFS", dependencies: [crypto], swiftSettings: strict),

        // sd_notify, watchdog, the journal log handler.
        .target(name: "SystemdIntegration", dependencies: ["KeyrotCore", "CSystemd", logging], swiftSettings: strict),
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),

        // Vocabulary shared by every target: key ids, secrets that redact themselves, durations.
        .target(name: "KeyrotCore", swiftSettings: strict),

        // Test-only helpers: a moto_server fixture, fake clock, in-memory IAM.
        .target(name: "KeyrotTestSupport", dependencies: ["KeyrotCore", "AWSSigV4", "IAMClient", "FleetAWS", "RotationEngine", "FleetCoordination", "SystemdIntegration", logging] + nio,
                path: "Tests/KeyrotTestSupport", swiftSettings: strict),

        .testTarget(name: "AWSSigV4Tests", dependencies: ["AWSSigV4"], resources: [.copy("Resources")], swiftSettings: strict),
        .testTarget(name: "IAMClientTests", dependencies: ["IAMClient", "KeyrotTestSupport"], resources: [.copy("Resources")], swiftSettings: strict),
        .testTarget(name: "FleetAWSTests", dependencies: ["FleetAWS", "AWSSigV4", "IAMClient", "KeyrotConfig", "KeyrotTestSupport"], swiftSettings: strict),
        .testTarget(name: "CredentialFilesTests", dependencies: ["CredentialFiles", "KeyrotTestSupport", propertyBased], resources: [.copy("Resources")], swiftSettings: strict),
        .testTarget(name: "KeyrotCoreTests", dependencies: ["KeyrotCore"], swiftSettings: strict),
        .testTarget(name: "DurableFSTests", dependencies: ["DurableFS"], swiftSettings: strict),
        .testTarget(name: "RotationEngineTests", dependencies: ["RotationEngine", "KeyrotTestSupport"], exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(name: "FleetCoordinationTests", dependencies: ["FleetCoordination", "KeyrotCore", "KeyrotTestSupport"], swiftSettings: strict),
        .testTarget(name: "KeyrotConfigTests", dependencies: ["KeyrotConfig", "KeyrotCore", "CredentialFiles"], swiftSettings: strict),
        .testTarget(name: "SystemdIntegrationTests", dependencies: ["SystemdIntegration", "KeyrotTestSupport", logging], swiftSettings: strict),
        .testTarget(name: "KeyrotCLITests", dependencies: ["KeyrotCLI", "FleetAWS", "FleetCoordination", "CredentialFiles", "RotationEngine", "IAMClient", "KeyrotCore", "KeyrotTestSupport", serviceLifecycle], resources: [.copy("Resources")], swiftSettings: strict),
    ]
)
