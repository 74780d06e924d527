import FoundationEssentials
import VMTuneApply
import VMTuneFrontend
import VMTuneKernel
import VMTunePlan

/// vmtune as an Ansible module: Ansible copies the binary to the target and runs it with the path
/// of a JSON arguments file; the module answers with one JSON object on stdout
/// (`changed`, `diff.before/after`, `failed`/`msg`), honouring check mode and diff mode.
///
/// Arguments: `profile` (required), `root` (default /), `profile_dir` (list), `persist` (bool),
/// `force` (bool), `state` (`applied` default, or `checked` to report drift only).
public struct AnsibleModule {
  struct Args: Decodable {
    var profile: String?
    var root: String?
    var profile_dir: [String]?
    var persist: Bool?
    var force: Bool?
    var state: String?
    var _ansible_check_mode: Bool?
    var _ansible_diff: Bool?
  }

  struct Diff: Encodable {
    var before: String
    var after: String
  }

  struct Result: Encodable {
    var changed: Bool
    var failed: Bool?
    var msg: String
    var diff: Diff?
    var plan: PlanSummary?
    var journal_generation: Int?
  }

  struct PlanSummary: Encodable {
    var profile: String
    var changes: [String: String]
    var unchanged: Int
    var skipped: Int
  }

  let args: Args
  let unknown: [String]

  /// Nil unless `argsPath` is a readable JSON object carrying Ansible's `_ansible_*` keys.
  public init?(argsPath: String) {
    guard !argsPath.hasPrefix("-"), HostFiles.plain.kind(argsPath) == .file,
      let bytes = try? HostFiles.plain.read(argsPath, limit: 1 << 20),
      bytes.first == UInt8(ascii: "{"),
      let raw = try? JSONDecoder().decode([String: AnyJSON].self, from: Data(bytes)),
      raw.keys.contains(where: { $0.hasPrefix("_ansible_") }),
      let parsed = try? JSONDecoder().decode(Args.self, from: Data(bytes))
    else { return nil }
    args = parsed
    let known: Set<String> = ["profile", "root", "profile_dir", "persist", "force", "state"]
    unknown = raw.keys.filter { !$0.hasPrefix("_ansible_") && !known.contains($0) }.sorted()
  }

  public func run() -> Int32 {
    do {
      let result = try execute()
      emit(result)
      return 0
    } catch {
      emit(
        Result(
          changed: false, failed: true, msg: (error as? VMTuneError)?.description ?? "\(error)", diff: nil, plan: nil,
          journal_generation: nil))
      return 1
    }
  }

  func execute() throws -> Result {
    if !unknown.isEmpty { throw VMTuneError.other("unsupported parameters: \(unknown.joined(separator: ", "))") }
    guard let name = args.profile else { throw VMTuneError.other("missing required argument: profile") }
    let state = args.state ?? "applied"
    guard state == "applied" || state == "checked" else {
      throw VMTuneError.other("state must be 'applied' or 'checked', got '\(state)'")
    }
    let frontend = try Frontend(root: args.root ?? "/", profileDirs: args.profile_dir ?? [])
    let plan = try frontend.plan(name)
    if !plan.blocked.isEmpty {
      throw VMTuneError.other(plan.blocked.map { "\($0.key): \($0.reason ?? "blocked")" }.joined(separator: "; "))
    }
    let changes = plan.changes
    let diff = Diff(
      before: changes.map { "vm.\($0.key) = \($0.current?.description ?? "")\n" }.joined(),
      after: changes.map { "vm.\($0.key) = \($0.desired?.description ?? "")\n" }.joined())
    let summary = PlanSummary(
      profile: plan.profile,
      changes: Dictionary(
        uniqueKeysWithValues: changes.map {
          ($0.key, "\($0.current?.description ?? "") -> \($0.desired?.description ?? "")")
        }),
      unchanged: plan.summary.unchanged, skipped: plan.summary.skipped)
    let showDiff = (args._ansible_diff ?? false) ? diff : nil
    // Check mode must fail where the real run would: a guard refuses the plan without force.
    if !(args.force ?? false), !plan.guardViolations.isEmpty, state == "applied" {
      throw VMTuneError.apply(.guardViolation(plan.guardViolations))
    }
    if state == "checked" || (args._ansible_check_mode ?? false) {
      let msg = changes.isEmpty ? "in sync with \(plan.profile)" : "\(changes.count) key(s) would change"
      return Result(changed: !changes.isEmpty, msg: msg, diff: changes.isEmpty ? nil : showDiff, plan: summary)
    }
    let report: ApplyReport
    do {
      report = try Applier(files: frontend.files).apply(
        plan, options: ApplyOptions(force: args.force ?? false, persist: args.persist ?? false))
    } catch {
      throw VMTuneError.apply(error)
    }
    let msg =
      report.writes.isEmpty
      ? "in sync with \(plan.profile)"
      : "applied \(report.writes.count) change(s), journal generation \(report.generation ?? 0)"
    return Result(
      changed: !report.writes.isEmpty, msg: msg, diff: report.writes.isEmpty ? nil : showDiff, plan: summary,
      journal_generation: report.generation)
  }

  func emit(_ result: Result) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let text =
      (try? encoder.encode(result)).map { String(decoding: $0, as: UTF8.self) }
      ?? "{\"failed\": true, \"msg\": \"encoding failed\"}"
    print(text)
  }
}

/// Any JSON value (only its presence matters: for recognising Ansible's argument files).
struct AnyJSON: Decodable {
  init(from decoder: any Decoder) throws {
    let c = try decoder.singleValueContainer()
    if c.decodeNil() { return }
    if (try? c.decode(Bool.self)) != nil { return }
    if (try? c.decode(Double.self)) != nil { return }
    if (try? c.decode(String.self)) != nil { return }
    if (try? c.decode([AnyJSON].self)) != nil { return }
    _ = try c.decode([String: AnyJSON].self)
  }
}
