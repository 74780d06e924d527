/// The module's answer: one JSON object on stdout, in Ansible's shape (`changed`, `failed`,
/// `msg`, `warnings`, `diff` as a list of before/after pairs with headers).
struct ModuleResult: Encodable {
  /// One before/after pair: Ansible's controller shows it as a unified diff under `--diff`.
  struct Diff: Encodable {
    var before_header: String
    var after_header: String
    var before: String
    var after: String
  }

  struct PlanSummary: Encodable {
    var profile: String
    var changes: [String: String]
    var unchanged: Int
    var skipped: Int
  }

  var changed: Bool
  var failed: Bool?
  var msg: String
  /// Shown by the controller as `[WARNING]: …`; omitted when empty.
  var warnings: [String]?
  /// Only when the controller asked for diffs (`--diff`).
  var diff: [Diff]?
  var plan: PlanSummary?
  var journal_generation: Int?
  /// `state: rolled_back`: the journal generations undone, newest first.
  var rolled_back_generations: [Int]?

  init(changed: Bool, msg: String) {
    self.changed = changed
    self.msg = msg
  }

  static func failure(_ msg: String, warnings: [String]) -> ModuleResult {
    var r = ModuleResult(changed: false, msg: msg)
    r.failed = true
    r.warnings = warnings.isEmpty ? nil : warnings
    return r
  }
}
