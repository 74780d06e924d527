// swift-tools-version:6.0
import PackageDescription

// Layers, lowest first; a module may depend only on modules of its own or a lower layer, and the
// folders under Sources/ are numbered in that order. Layer 1 is pure: no module there depends on
// VMTuneKernel, so no planner, parser or diagnosis can touch a file. VMTuneProfile uses swift-system
// for the FilePath value type only; Tests/VMTuneLayeringTests rejects Glibc/Foundation imports and
// any file-descriptor API under Sources/1-pure.
let package = Package(
  name: "vmtune",
  products: [
    .executable(name: "vmtune", targets: ["vmtune"]),
    // For the fuzzing side package (Fuzz/): the pure parsers and the profile loader.
    .library(name: "VMTuneProfile", targets: ["VMTuneProfile"]),
    .library(name: "VMTuneHost", targets: ["VMTuneHost"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
  ],
  targets: [
    // 0 — system C libraries. libyaml (apt: libyaml-dev, pkg-config: yaml-0.1).
    .systemLibrary(
      name: "CYaml", path: "Sources/0-system/CYaml", pkgConfig: "yaml-0.1",
      providers: [.apt(["libyaml-dev"]), .yum(["libyaml-devel"])]),
    // zlib, for gzipped (rotated) kernel logs (apt: zlib1g-dev, pkg-config: zlib).
    .systemLibrary(
      name: "CZlib", path: "Sources/0-system/CZlib", pkgConfig: "zlib",
      providers: [.apt(["zlib1g-dev"]), .yum(["zlib-devel"])]),

    // 1 — pure: values, parsers and decisions.
    // YAML nodes with line:column, the knob catalog, the profile model and loader.
    .target(
      name: "VMTuneProfile",
      dependencies: ["CYaml", "VMTuneHost", .product(name: "SystemPackage", package: "swift-system")],
      path: "Sources/1-pure/VMTuneProfile"),
    // Host snapshots and the /proc and kernel-log parsers (text in, values out).
    .target(name: "VMTuneHost", path: "Sources/1-pure/VMTuneHost"),
    // Kernel arithmetic: watermarks, fragmentation indexes, compaction decisions.
    .target(name: "VMTuneModel", path: "Sources/1-pure/VMTuneModel"),
    // (Profile, HostSnapshot) -> Plan with typed entries, guards and the watermark forecast.
    .target(
      name: "VMTunePlan", dependencies: ["VMTuneProfile", "VMTuneHost", "VMTuneModel"],
      path: "Sources/1-pure/VMTunePlan"),
    // Diagnosis of fragmentation, watermarks and logged failures; advice rules.
    .target(
      name: "VMTuneDiagnose", dependencies: ["VMTuneProfile", "VMTuneHost", "VMTuneModel", "VMTunePlan"],
      path: "Sources/1-pure/VMTuneDiagnose"),

    // 2 — I/O: the only modules that open files.
    // Rooted file access, sysctl store, host reader, lock, kernel actions, fault injection, log files.
    .target(
      name: "VMTuneKernel",
      dependencies: ["CZlib", "VMTuneHost", .product(name: "SystemPackage", package: "swift-system")],
      path: "Sources/2-io/VMTuneKernel"),
    // Journal, ordered writes, read-back, restore, rollback, persistence.
    .target(
      name: "VMTuneApply", dependencies: ["VMTunePlan", "VMTuneKernel", "VMTuneProfile"],
      path: "Sources/2-io/VMTuneApply"),

    // 3 — frontends: one way to load, read and plan, and the programs built on it.
    .target(
      name: "VMTuneFrontend",
      dependencies: ["VMTuneProfile", "VMTuneHost", "VMTuneKernel", "VMTunePlan", "VMTuneApply"],
      path: "Sources/3-frontends/VMTuneFrontend"),
    // Drift checks of one host or a directory of snapshots; text, JSON, JUnit, Prometheus.
    .target(
      name: "VMTuneCheck", dependencies: ["VMTuneFrontend", "VMTunePlan", "VMTuneProfile", "VMTuneHost"],
      path: "Sources/3-frontends/VMTuneCheck"),
    // vmtune as an Ansible binary module.
    .target(
      name: "VMTuneAnsible",
      dependencies: ["VMTuneFrontend", "VMTuneApply", "VMTuneKernel", "VMTunePlan", "VMTuneProfile"],
      path: "Sources/3-frontends/VMTuneAnsible"),
    // Actions (compaction, cache drops), schedules and conditions; the agent loop.
    .target(
      name: "VMTuneAgent",
      dependencies: [
        "VMTuneFrontend", "VMTuneApply", "VMTunePlan", "VMTuneKernel", "VMTuneHost", "VMTuneModel",
        "VMTuneProfile",
      ],
      path: "Sources/3-frontends/VMTuneAgent"),

    // 4 — programs.
    .executableTarget(
      name: "vmtune",
      dependencies: [
        "VMTuneProfile", "VMTuneHost", "VMTuneKernel", "VMTuneModel", "VMTunePlan", "VMTuneDiagnose",
        "VMTuneApply", "VMTuneFrontend", "VMTuneCheck", "VMTuneAnsible", "VMTuneAgent",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      path: "Sources/4-cli/vmtune"),

    // Test helpers: fixture host trees. Not a product.
    .target(
      name: "VMTuneTestSupport", dependencies: ["VMTuneKernel", "VMTuneHost", "VMTuneProfile"], path: "Tests/Support"),
    .testTarget(name: "VMTuneProfileTests", dependencies: ["VMTuneProfile", "VMTuneTestSupport"]),
    .testTarget(name: "VMTuneHostTests", dependencies: ["VMTuneHost", "VMTuneKernel", "VMTuneTestSupport"]),
    .testTarget(
      name: "VMTuneKernelTests", dependencies: ["VMTuneKernel", "VMTuneHost", "VMTuneProfile", "VMTuneTestSupport"]),
    .testTarget(name: "VMTuneModelTests", dependencies: ["VMTuneModel"]),
    .testTarget(
      name: "VMTunePlanTests",
      dependencies: ["VMTunePlan", "VMTuneProfile", "VMTuneHost", "VMTuneKernel", "VMTuneTestSupport"]),
    .testTarget(
      name: "VMTuneDiagnoseTests",
      dependencies: [
        "VMTuneDiagnose", "VMTunePlan", "VMTuneProfile", "VMTuneHost", "VMTuneKernel", "VMTuneModel",
        "VMTuneTestSupport",
      ]),
    .testTarget(
      name: "VMTuneApplyTests",
      dependencies: [
        "VMTuneApply", "VMTunePlan", "VMTuneProfile", "VMTuneKernel", "VMTuneHost", "VMTuneFrontend",
        "VMTuneTestSupport",
      ]),
    .testTarget(
      name: "VMTuneAgentTests",
      dependencies: [
        "VMTuneAgent", "VMTuneApply", "VMTuneFrontend", "VMTunePlan", "VMTuneProfile", "VMTuneKernel", "VMTuneHost",
        "VMTuneTestSupport",
      ]),
    .testTarget(name: "VMTuneCLITests", dependencies: ["vmtune", "VMTuneTestSupport"]),
    .testTarget(name: "VMTuneLayeringTests"),
  ],
  swiftLanguageModes: [.v6]
)
