// swift-tools-version:5.3
// Coverage-guided fuzzing with libFuzzer, one executable per target. A side package because
// -sanitize=fuzzer needs -parse-as-library and its own main; build and run with `make fuzz`:
//   swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
import PackageDescription

let package = Package(
  name: "VMTuneFuzz",
  dependencies: [.package(name: "vmtune", path: "..")],
  targets: [
    .target(name: "FuzzProfile", dependencies: [.product(name: "VMTuneProfile", package: "vmtune")]),
    .target(name: "FuzzZoneInfo", dependencies: [.product(name: "VMTuneHost", package: "vmtune")]),
    .target(name: "FuzzBuddyInfo", dependencies: [.product(name: "VMTuneHost", package: "vmtune")]),
    .target(name: "FuzzMemInfo", dependencies: [.product(name: "VMTuneHost", package: "vmtune")]),
    .target(name: "FuzzVMStat", dependencies: [.product(name: "VMTuneHost", package: "vmtune")]),
    .target(name: "FuzzKernelLog", dependencies: [.product(name: "VMTuneHost", package: "vmtune")]),
  ]
)
