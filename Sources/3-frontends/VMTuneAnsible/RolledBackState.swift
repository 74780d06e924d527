import VMTuneApply
import VMTuneFrontend
import VMTuneKernel

/// `state: rolled_back`: vmtune's rollback of every applied journal (or of those from
/// `generation` on), newest first, with the sysctl.d file they wrote put back. Once they are
/// rolled back there is nothing left to undo, so a second run changes nothing. Check mode
/// restores through memory and says what would change.
enum RolledBackState {
  static func run(_ args: ModuleArguments) throws(VMTuneError) -> ModuleResult {
    let frontend = try args.frontend()
    let files = frontend.files
    let applier = Applier(files: files)
    let applied = applier.journals.scan().journals.filter { $0.state == .applied }
    let targets = applied.filter { $0.generation >= (args.generation ?? 0) }.sorted { $0.generation < $1.generation }
    guard let oldest = targets.first?.generation else {
      let from = args.generation.map { " from generation \($0) on" } ?? ""
      return ModuleResult(changed: false, msg: "nothing to roll back: no applied journal\(from)")
    }
    let fileBefore = files.kind(Persistence.relativePath) == .file ? try? files.readText(Persistence.relativePath) : nil
    let report: RollbackReport
    do {
      report =
        try args.checkMode
        ? applier.rollbackPreview(to: oldest, force: args.force) : applier.rollback(to: oldest, force: args.force)
    } catch {
      throw .apply(error)
    }
    let generations = report.generations.map(String.init).joined(separator: ", ")
    let restored = report.restore.restored.count
    var result = ModuleResult(
      changed: true,
      msg: args.checkMode
        ? "would roll back generation(s) \(generations): \(restored) value(s) to restore"
        : "rolled back generation(s) \(generations): \(restored) value(s) restored")
    result.rolled_back_generations = report.generations
    result.warnings = report.warnings + report.restore.failures.map { "\($0.key): \($0.error)" }
    var diffs: [ModuleResult.Diff] = []
    var first: [String: String] = [:]
    var last: [String: String] = [:]
    for r in report.restore.restored {
      if first[r.key] == nil { first[r.key] = r.from.description }
      last[r.key] = r.to.description
    }
    if !last.isEmpty {
      let keys = last.keys.sorted()
      diffs.append(
        ModuleResult.Diff(
          before_header: "vm sysctls (live)", after_header: "vm sysctls (before generation \(oldest))",
          before: keys.map { "vm.\($0) = \(first[$0] ?? "")\n" }.joined(),
          after: keys.map { "vm.\($0) = \(last[$0] ?? "")\n" }.joined()))
    }
    if let record = targets.first(where: { $0.persisted != nil })?.persisted, fileBefore != record.previous {
      diffs.append(AppliedState.fileDiff(files.path(record.path), before: fileBefore, after: record.previous))
    }
    result.diff = diffs.isEmpty ? nil : diffs
    return result
  }
}
