// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Intake",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "intake-receiver", targets: ["intake-receiver"]),
        .executable(name: "intake-sqs-worker", targets: ["intake-sqs-worker"]),
        .executable(name: "intake-notify-worker", targets: ["intake-notify-worker"]),
        .executable(name: "intake-inbox-worker", targets: ["intake-inbox-worker"]),
        .executable(name: "intakectl", targets: ["intakectl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        // C libraries the user chose: libpq, libcurl, OpenSSL.
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"]), .brew(["libpq"])]
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"]), .brew(["curl"])]
        ),
        // Typed wrappers for libcurl's variadic functions, which Swift cannot call.
        .target(name: "CCurlShim", dependencies: ["CCurl"]),
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"]), .brew(["openssl@3"])]
        ),

        // The commit the binaries were built from (-Xcc -DINTAKE_COMMIT=…), "unknown" by default.
        .target(name: "CIntakeBuildInfo"),

        // Libraries. IntakeSupport is the leaf below all of them: the one JSON reader and
        // string writer, the calendar, the Duration units and the retry policy (docs/ARCHITECTURE.md).
        .target(name: "IntakeSupport", swiftSettings: swiftSettings),
        .target(name: "IntakeCrypto", dependencies: ["COpenSSL"], swiftSettings: swiftSettings),
        .target(
            name: "IntakePostgres",
            dependencies: ["CLibPQ", "IntakeSupport", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "IntakeHTTP",
            dependencies: [
                "IntakeSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "IntakeAWS",
            dependencies: [
                "CCurl", "CCurlShim", "IntakeCrypto", "IntakeSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "IntakeCore",
            dependencies: [
                "CIntakeBuildInfo", "IntakePostgres", "IntakeCrypto", "IntakeHTTP", "IntakeSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The SQS consumer (the driver side of the consumer runtime that needs AWS) and what
        // handlers of every origin are given: HandlerServices, S3ObjectTask (docs/ARCHITECTURE.md).
        .target(
            name: "IntakeRuntime",
            dependencies: [
                "IntakeCore", "IntakeAWS", "IntakePostgres", "IntakeSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The ordered list of every migration and the built-in handler names: what the receiver
        // needs of the domains without linking them, libcurl included (docs/ARCHITECTURE.md).
        .target(
            name: "IntakeSchema",
            dependencies: ["IntakeCore", "IntakePostgres"],
            swiftSettings: swiftSettings
        ),
        // A domain in a target of its own (the others are still in IntakeHandlers); its DDL is in
        // IntakeSchema, so that the receiver needs neither (docs/ARCHITECTURE.md).
        .target(
            name: "IntakeDrupal",
            dependencies: ["IntakeCore", "IntakePostgres", "IntakeCrypto", "IntakeSupport"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "IntakeHandlers",
            dependencies: ["IntakeCore", "IntakeRuntime", "IntakeDrupal", "IntakePostgres", "IntakeAWS", "IntakeCrypto", "IntakeSupport"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "IntakeReceiver",
            dependencies: [
                "IntakeCore", "IntakePostgres", "IntakeCrypto", "IntakeHTTP", "IntakeSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // Thin executables.
        .executableTarget(
            name: "intake-receiver",
            dependencies: ["IntakeReceiver", "IntakeCore", "IntakeSchema"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "intake-sqs-worker",
            dependencies: ["IntakeCore", "IntakeRuntime", "IntakeHandlers", "IntakeSchema", "IntakeAWS"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "intake-notify-worker",
            dependencies: ["IntakeCore", "IntakeRuntime", "IntakeHandlers", "IntakeSchema"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "intake-inbox-worker",
            dependencies: ["IntakeCore", "IntakeRuntime", "IntakeHandlers", "IntakeSchema"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "intakectl",
            dependencies: [
                "IntakeSupport", "IntakeCore", "IntakeRuntime", "IntakePostgres", "IntakeHandlers", "IntakeDrupal",
                "IntakeSchema", "IntakeAWS", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),

        // Shared by the test targets: the database and emulator that scripts/test starts.
        .target(
            name: "IntakeTestSupport",
            dependencies: ["IntakePostgres", "IntakeCore"],
            path: "Tests/IntakeTestSupport",
            swiftSettings: swiftSettings
        ),

        // Unit tests (no services needed).
        .testTarget(name: "IntakeSupportTests", dependencies: ["IntakeSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "IntakeCryptoTests", dependencies: ["IntakeCrypto"], swiftSettings: swiftSettings),
        .testTarget(
            name: "IntakeCoreTests",
            dependencies: [
                "IntakeSupport", "IntakeCore", "IntakeHTTP", "IntakePostgres",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "IntakeAWSTests", dependencies: ["IntakeAWS", "IntakeSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "IntakeHandlersTests", dependencies: ["IntakeHandlers", "IntakeDrupal", "IntakeSchema", "IntakeSupport", "IntakeTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "IntakeReceiverTests",
            dependencies: ["IntakeReceiver", "IntakeCore", "IntakeCrypto", .product(name: "NIOHTTP1", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        // Integration tests: need the PostgreSQL and emulator that scripts/test starts.
        .testTarget(
            name: "IntakePostgresTests",
            dependencies: ["IntakePostgres", "IntakeCore", "IntakeSchema", "IntakeTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "IntakeCore", "IntakeRuntime", "IntakePostgres", "IntakeHandlers", "IntakeDrupal", "IntakeReceiver",
                "IntakeSchema", "IntakeAWS", "IntakeSupport", "IntakeTestSupport",
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
