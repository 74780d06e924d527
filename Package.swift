// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "vmtune",
  products: [.executable(name: "vmtune", targets: ["vmtune"])],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
  ],
  targets: [
    // System libyaml (apt: libyaml-dev, pkg-config: yaml-0.1). Only VMTuneProfile/YAML imports it.
    .systemLibrary(
      name: "CYaml", pkgConfig: "yaml-0.1",
      providers: [.apt(["libyaml-dev"]), .yum(["libyaml-devel"])]),
    // YAML nodes with line:column, the knob catalog, the profile model and loader. No file I/O.
    .target(name: "VMTuneProfile", dependencies: ["CYaml"]),
    // The only code that touches files: rooted sysctl store, /proc readers, journal/lock/persist I/O.
    .target(
      name: "VMTuneKernel",
      dependencies: [.product(name: "SystemPackage", package: "swift-system")]),
    // Pure kernel arithmetic: watermarks, fragmentation indexes.
    .target(name: "VMTuneModel"),
    // Pure planner: (Profile, HostSnapshot) -> Plan.
    .target(name: "VMTunePlan", dependencies: ["VMTuneProfile", "VMTuneKernel", "VMTuneModel"]),
    // Lock, journal, ordered writes, read-back, rollback, persistence.
    .target(name: "VMTuneApply", dependencies: ["VMTunePlan", "VMTuneKernel", "VMTuneProfile"]),
    // Actions (compaction, cache drops), schedules and triggers; the agent loop with an injected clock.
    .target(name: "VMTuneAgent", dependencies: ["VMTuneApply", "VMTunePlan", "VMTuneKernel", "VMTuneModel", "VMTuneProfile"]),
    .executableTarget(
      name: "vmtune",
      dependencies: [
        "VMTuneProfile", "VMTuneKernel", "VMTuneModel", "VMTunePlan", "VMTuneApply", "VMTuneAgent",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),
    // Mutation fuzzer for the profile loader and every /proc and log parser (`make fuzz`).
    .executableTarget(name: "vmtune-fuzz", dependencies: ["VMTuneProfile", "VMTuneKernel"]),
    // Test helpers: fixture host trees. Not a product.
    .target(name: "VMTuneTestSupport", dependencies: ["VMTuneKernel"], path: "Tests/Support"),
    .testTarget(name: "VMTuneProfileTests", dependencies: ["VMTuneProfile", "VMTuneTestSupport"]),
    .testTarget(name: "VMTuneKernelTests", dependencies: ["VMTuneKernel", "VMTuneTestSupport"]),
    .testTarget(name: "VMTuneModelTests", dependencies: ["VMTuneModel"]),
    .testTarget(
      name: "VMTunePlanTests",
      dependencies: ["VMTunePlan", "VMTuneProfile", "VMTuneKernel", "VMTuneTestSupport"]),
    .testTarget(
      name: "VMTuneApplyTests",
      dependencies: ["VMTuneApply", "VMTunePlan", "VMTuneProfile", "VMTuneKernel", "VMTuneTestSupport"]),
    .testTarget(
      name: "VMTuneAgentTests",
      dependencies: ["VMTuneAgent", "VMTuneProfile", "VMTuneKernel", "VMTuneTestSupport"]),
    .testTarget(name: "VMTuneCLITests", dependencies: ["vmtune", "VMTuneTestSupport"]),
  ],
  swiftLanguageModes: [.v6]
)
