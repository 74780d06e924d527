import Foundation

/// What a run of the built `vmtune` binary printed and returned.
public struct RunResult: Sendable {
  public var status: Int32
  public var stdout: String
  public var stderr: String
}

/// The built binary: beside the test bundle (.build/<config>/vmtune).
public func vmtuneBinary() -> String {
  var candidates: [String] = []
  if let exe = Bundle.main.executableURL?.deletingLastPathComponent() {
    candidates.append(exe.appendingPathComponent("vmtune").path)
  }
  for bundle in Bundle.allBundles {
    candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("vmtune").path)
  }
  candidates.append(repositoryRoot() + "/.build/debug/vmtune")
  return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates.last ?? "vmtune"
}

/// Runs `vmtune args…` with a clean environment (NO_COLOR unset unless given) and optional stdin.
public func runVMTune(
  _ args: [String], environment: [String: String] = [:], cwd: String? = nil, executable: String? = nil
) throws -> RunResult {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: executable ?? vmtuneBinary())
  process.arguments = args
  var env = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]
  env.merge(environment) { _, new in new }
  process.environment = env
  if let cwd { process.currentDirectoryURL = URL(fileURLWithPath: cwd) }
  let out = Pipe()
  let err = Pipe()
  process.standardOutput = out
  process.standardError = err
  process.standardInput = FileHandle.nullDevice
  try process.run()
  let o = out.fileHandleForReading.readDataToEndOfFile()
  let e = err.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return RunResult(
    status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
    stderr: String(decoding: e, as: UTF8.self))
}
