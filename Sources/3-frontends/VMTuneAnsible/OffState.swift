import VMTuneApply
import VMTuneFrontend
import VMTuneKernel
import VMTunePlan
import VMTuneProfile

/// `state: off`: what `vmtune off` does — every key vmtune manages written back to its baseline,
/// the sysctl.d file vmtune wrote removed, a running agent stood down — as one journaled change
/// that `state: rolled_back` (or `vmtune rollback`) undoes. Once off, a second run changes nothing.
/// Check mode plans the same release and says what would change.
enum OffState {
  static func run(_ args: ModuleArguments) throws(VMTuneError) -> ModuleResult {
    let frontend = try args.frontend()
    let files = frontend.files
    if args.checkMode {
      let plan = try frontend.plan(Profile(name: "off"))
      let owned = Applier.persistedFile(Applier(files: files).journals.scan().journals).flatMap { rel in
        files.kind(rel) == .missing ? nil : (path: files.path(rel), text: try? files.readText(rel))
      }
      var result = ModuleResult(
        changed: !plan.changes.isEmpty || owned != nil,
        msg: "\(plan.changes.count) key(s) would be released to their baseline"
          + (owned.map { "; \($0.path) would be removed" } ?? ""))
      result.diff = Self.diffs(
        plan.changes.map { ($0.key, $0.current?.description ?? "", $0.desired?.description ?? "") },
        file: owned.map { AppliedState.fileDiff($0.path, before: $0.text, after: nil) })
      return result
    }
    let report = try frontend.turnOff()
    let removed = report.persisted.flatMap { $0.removed ? $0 : nil }
    var result = ModuleResult(
      changed: !report.writes.isEmpty || removed != nil,
      msg: report.generation == nil
        ? "vmtune is off: nothing to release"
        : "vmtune is off: \(report.writes.count) key(s) released to their baseline, journal generation "
          + "\(report.generation ?? 0)" + (removed.map { "; removed \($0.path)" } ?? ""))
    result.journal_generation = report.generation
    result.diff = Self.diffs(
      report.writes.map { ($0.key, $0.from.description, $0.to.description) },
      file: removed.map { AppliedState.fileDiff($0.path, before: $0.before, after: nil) })
    return result
  }

  /// The values' diff (live → baseline) and the file's, when there is anything to show.
  static func diffs(_ values: [(key: String, from: String, to: String)], file: ModuleResult.Diff?)
    -> [ModuleResult.Diff]?
  {
    var diffs: [ModuleResult.Diff] = []
    if !values.isEmpty {
      diffs.append(
        ModuleResult.Diff(
          before_header: "vm sysctls (live)", after_header: "vm sysctls (baseline, before vmtune)",
          before: values.map { "vm.\($0.key) = \($0.from)\n" }.joined(),
          after: values.map { "vm.\($0.key) = \($0.to)\n" }.joined()))
    }
    if let file { diffs.append(file) }
    return diffs.isEmpty ? nil : diffs
  }
}
