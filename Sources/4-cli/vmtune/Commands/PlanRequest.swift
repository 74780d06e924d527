import ArgumentParser
import VMTuneFrontend
import VMTuneKernel
import VMTunePlan

/// What `vmtune plan` was asked, as plain values: built by swift-argument-parser from
/// ``PlanCommand``, or directly by ``init(fastPath:)`` for the common invocations.
struct PlanRequest: Equatable {
  var root = "/"
  var profileDirs: [String] = []
  var profiles: [String] = []
  var snapshot: String?
  var noColor = false
  var format: OutputFormat = .text
  var out: String?

  /// Plans, prints the plan (and saves it with `--out`), and throws the exit status.
  func run() throws {
    let plan = try Frontend(root: root, profileDirs: profileDirs).plan(profiles, snapshot: snapshot)
    if let out {
      do {
        try HostFiles.plain.writeAtomically(out, try JSONFile.bytes(plan), mode: 0o644)
      } catch {
        throw VMTuneError.other("cannot save the plan to \(out): \(error)")
      }
    }
    switch format {
    case .json: print(try JSONFile.string(plan))
    case .text: print(PlanText(terminal: .detect(forceOff: noColor)).render(plan, savedTo: out), terminator: "")
    }
    if plan.wouldBeRefused { throw ExitCode.failure }
    if !plan.changes.isEmpty { throw ExitCode(2) }
  }
}
