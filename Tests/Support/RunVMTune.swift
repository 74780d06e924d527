import Foundation
import Synchronization

/// What a run of the built `vmtune` binary printed and returned.
public struct RunResult: Sendable {
  /// The exit status, or the signal number when `signalled`.
  public var status: Int32
  /// Whether the process was killed by a signal (`status` is then the signal number).
  public var signalled: Bool
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
  var env = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]
  env.merge(environment) { _, new in new }
  return try runProgram(executable ?? vmtuneBinary(), args, environment: env, cwd: cwd)
}

/// Runs `executable args…` to completion with stdin from /dev/null; `environment` nil inherits
/// the test process's environment (PATH included, for tools such as python3).
public func runProgram(
  _ executable: String, _ args: [String], environment: [String: String]? = nil, cwd: String? = nil
) throws -> RunResult {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: executable)
  process.arguments = args
  if let environment { process.environment = environment }
  if let cwd { process.currentDirectoryURL = URL(fileURLWithPath: cwd) }
  let out = Pipe()
  let err = Pipe()
  process.standardOutput = out
  process.standardError = err
  process.standardInput = FileHandle.nullDevice
  try process.run()
  // Drain stderr concurrently so a chatty child cannot block on a full pipe.
  let errData = Mutex(Data())
  let drained = DispatchSemaphore(value: 0)
  Thread.detachNewThread {
    let e = err.fileHandleForReading.readDataToEndOfFile()
    errData.withLock { $0 = e }
    drained.signal()
  }
  let o = out.fileHandleForReading.readDataToEndOfFile()
  drained.wait()
  process.waitUntilExit()
  return RunResult(
    status: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal,
    stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: errData.withLock { $0 }, as: UTF8.self))
}
