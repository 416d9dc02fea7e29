// swift-tools-version: 6.1
// Linux only: the C shims use Glibc, epoll and eventfd. scripts/install-deps.sh installs the system packages with apt (Debian, Ubuntu); CI runs on Debian 12.
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "Quarry",
    products: [
        .executable(name: "quarry", targets: ["quarry"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
    ],
    targets: [
        // C shims: nothing but module maps and typed, non-variadic wrappers.
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),

        // PostgreSQL over libpq: connections, bound queries, typed rows, LISTEN/NOTIFY, COPY.
        .target(
            name: "QuarryPostgres",
            dependencies: ["CLibPQ", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        // HTTP over the curl multi interface.
        .target(
            name: "QuarryHTTP",
            dependencies: ["CCurl", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        // The queue engine: claims, leases, fencing, retries, rescue. Knows no C and no recipes.
        .target(
            name: "QuarryQueue",
            dependencies: [
                "QuarryPostgres", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // JSON values, a fast strict parser and the canonical writer; shared by the LLM client and the simulator.
        .target(name: "QuarryJSON", swiftSettings: strict),
        // LLM endpoints: OpenAI wire format, shared rate limits, response cache, cost.
        .target(
            name: "QuarryLLM",
            dependencies: [
                "QuarryHTTP", "QuarryQueue", "QuarryPostgres", "QuarryJSON",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict
        ),
        // Recipes: build specs, task handlers, prompts, exporters.
        .target(
            name: "QuarryRecipes",
            dependencies: [
                "QuarryQueue", "QuarryLLM", "QuarryJSON",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ],
            resources: [.copy("Prompts"), .copy("Examples")],
            swiftSettings: strict
        ),
        // The simulated OpenAI-compatible endpoint with fault injection.
        .target(
            name: "QuarrySimulator",
            dependencies: [
                "QuarryJSON",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // Subcommands of the `quarry` executable.
        .target(
            name: "QuarryCLI",
            dependencies: [
                "QuarryPostgres", "QuarryQueue", "QuarryHTTP", "QuarryJSON", "QuarryLLM", "QuarryRecipes", "QuarrySimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                // The worker's health endpoint (`quarry worker --health-port`), on the server the simulator already uses.
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "quarry",
            dependencies: ["QuarryCLI"],
            swiftSettings: strict
        ),

        // Helpers shared by the test targets: the test database, private clusters, child processes.
        .target(name: "QuarryTestSupport", dependencies: ["QuarryPostgres"], path: "Tests/QuarryTestSupport", swiftSettings: strict),
        .testTarget(name: "QuarryPostgresTests", dependencies: ["QuarryPostgres", "QuarryTestSupport"], swiftSettings: strict),
        .testTarget(name: "QuarryHTTPTests", dependencies: ["QuarryHTTP", "QuarryTestSupport", "QuarrySimulator", .product(name: "Hummingbird", package: "hummingbird")], swiftSettings: strict),
        .testTarget(name: "QuarryJSONTests", dependencies: ["QuarryJSON", "QuarryTestSupport"], swiftSettings: strict),
        .testTarget(name: "QuarrySimulatorTests", dependencies: ["QuarrySimulator", "QuarryJSON"], swiftSettings: strict),
        .testTarget(name: "QuarryQueueTests", dependencies: ["QuarryTestSupport", "QuarryQueue", "QuarryPostgres"], swiftSettings: strict),
        .testTarget(
            name: "QuarryLLMTests",
            dependencies: ["QuarryTestSupport", "QuarryLLM", "QuarryJSON", "QuarrySimulator", "QuarryQueue", "QuarryPostgres", "QuarryHTTP"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "QuarryRecipesTests",
            dependencies: ["QuarryTestSupport", "QuarryRecipes", "QuarryLLM", "QuarryJSON", "QuarryQueue", "QuarryPostgres", "QuarrySimulator"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "QuarryCLITests", dependencies: ["QuarryTestSupport", "QuarryCLI", "QuarryPostgres", "QuarryQueue", "QuarrySimulator"],
            swiftSettings: strict),
        // deploy/: the manifests under their validators, the dashboard's SQL, and a build through PgBouncer.
        .testTarget(
            name: "QuarryDeployTests",
            dependencies: ["QuarryTestSupport", "QuarryCLI", "QuarryQueue", "QuarryPostgres", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),
    ]
)
