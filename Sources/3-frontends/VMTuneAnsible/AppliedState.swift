import VMTuneApply
import VMTuneFrontend
import VMTuneKernel
import VMTunePlan
import VMTuneProfile

/// `state: applied` (and `checked`): plan, then apply unless check mode or `checked`. Writing
/// values or the sysctl.d file (`persist`) is a change; the diff shows both.
enum AppliedState {
  static func run(_ args: ModuleArguments) throws(VMTuneError) -> ModuleResult {
    let frontend = try args.frontend()
    let plan = try frontend.plan(args.profile ?? "")
    if !plan.blocked.isEmpty {
      throw .other(plan.blocked.map { "\($0.key): \($0.reason ?? "blocked")" }.joined(separator: "; "))
    }
    // Check mode must fail where the real run would: a guard refuses the plan without force.
    if !args.force, !plan.guardViolations.isEmpty, args.state == .applied {
      throw .apply(.guardViolation(plan.guardViolations))
    }
    var warnings = plan.warnings.filter { $0.severity == .warning }.map { w in
      w.key.map { "\($0): \(w.message)" } ?? w.message
    }
    let changes = plan.changes
    let values = ModuleResult.Diff(
      before_header: "vm sysctls (live)", after_header: "vm sysctls (\(plan.profile))",
      before: changes.map { "vm.\($0.key) = \($0.current?.description ?? "")\n" }.joined(),
      after: changes.map { "vm.\($0.key) = \($0.desired?.description ?? "")\n" }.joined())
    var result: ModuleResult
    var diffs = changes.isEmpty ? [] : [values]
    if args.state == .checked || args.checkMode {
      result = ModuleResult(
        changed: !changes.isEmpty,
        msg: changes.isEmpty ? "in sync with \(plan.profile)" : "\(changes.count) key(s) would change")
      if args.persist {
        let file = Persistence.preview(plan, files: frontend.files, name: args.persistFile)
        let path = file.path
        if file.changed {
          result.changed = true
          result.msg += changes.isEmpty ? "; \(path) would be written" : ", and \(path)"
          diffs.append(Self.fileDiff(path, before: file.before, after: file.after))
        }
        let keys = Persistence.render(plan).keys
        let name = args.persistFile ?? plan.persistFile ?? PersistFileName.defaultName
        warnings += Self.overrideWarnings(
          Persistence.overrides(of: keys, files: frontend.files, name: name), path: path)
      }
    } else {
      let report: ApplyReport
      do {
        report = try Applier(files: frontend.files).apply(
          plan, options: ApplyOptions(force: args.force, persist: args.persist, persistFile: args.persistFile))
      } catch {
        throw .apply(error)
      }
      let wrote = !report.writes.isEmpty
      result = ModuleResult(
        changed: wrote,
        msg: wrote
          ? "applied \(report.writes.count) change(s), journal generation \(report.generation ?? 0)"
          : "in sync with \(plan.profile)")
      result.journal_generation = report.generation
      if let r = report.recovered {
        warnings.append(
          "recovered an interrupted apply (journal \(r.generation)) first: \(r.report.restored.count) value(s) restored"
        )
      }
      if report.persisted == nil, report.generation != nil,
        let stale = Persistence.staleFile(after: plan, files: frontend.files)
      {
        warnings.append(
          "\(stale.path), written by an earlier persist, still sets \(stale.settings.joined(separator: ", ")): "
            + "those values come back at boot; use persist: true to update it, or state: \"off\" to remove it")
      }
      if let p = report.persisted {
        if p.changed {
          result.changed = true
          result.msg += "; wrote \(p.path)"
          diffs.append(Self.fileDiff(p.path, before: p.before, after: p.after ?? ""))
        }
        warnings += Self.overrideWarnings(p.overrides, path: p.path)
      }
    }
    result.plan = ModuleResult.PlanSummary(
      profile: plan.profile,
      changes: Dictionary(
        uniqueKeysWithValues: changes.map {
          ($0.key, "\($0.current?.description ?? "") -> \($0.desired?.description ?? "")")
        }),
      unchanged: plan.summary.unchanged, skipped: plan.summary.skipped)
    result.diff = diffs.isEmpty ? nil : diffs
    result.warnings = warnings
    return result
  }

  /// The sysctl.d file's diff: created (empty before), changed or removed (empty after).
  static func fileDiff(_ path: String, before: String?, after: String?) -> ModuleResult.Diff {
    ModuleResult.Diff(before_header: path, after_header: path, before: before ?? "", after: after ?? "")
  }

  /// Files read after ours at boot that set one of its keys: they win, so the task says so.
  static func overrideWarnings(_ overrides: [PersistResult.Override], path: String) -> [String] {
    overrides.map {
      "\($0.file):\($0.line) sets vm.\($0.key) = \($0.value) and is read after \(path) at boot, so it wins; "
        + "remove it or fold it into the profile"
    }
  }
}
