import ArgumentParser
import VMTuneFrontend
import VMTuneHost
import VMTuneKernel
import VMTunePlan
import VMTuneProfile

struct ExplainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "explain",
    abstract: "Explain a vm sysctl: what it does, what the kernel accepts, its live value.",
    discussion: """
      Without KEY, lists every knob vmtune knows. For the write-only actions
      (compact_memory, drop_caches; also spelled compact), --profile NAME shows the
      profile's action for it and whether its conditions hold on this host now.
      """)

  @OptionGroup var host: HostOptions

  @Argument(
    help: "A /proc/sys/vm file name, e.g. min_free_kbytes (vm. prefix accepted).", completion: Completions.knob)
  var key: String?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "With an action's knob: show this profile's action and whether it would run now.", valueName: "NAME"),
    completion: Completions.profile)
  var profile: String?

  func run() throws {
    guard var key else {
      for name in KnobCatalog.all.keys.sorted() {
        guard let k = KnobCatalog.knob(name) else { continue }
        print("\(pad(name, 30)) \(k.summary)")
      }
      return
    }
    if key.hasPrefix("vm.") { key = String(key.dropFirst(3)) }
    if key == "compact" { key = "compact_memory" }
    guard let k = KnobCatalog.knob(key) else {
      let hint =
        KnobCatalog.suggestions(for: key).first.map { "did you mean '\($0)'?" } ?? "'vmtune explain' lists them"
      throw VMTuneError.other("'\(key)' is not a vm sysctl vmtune knows", hint: hint)
    }
    print("vm.\(k.name)")
    print("  \(k.summary)")
    print("")
    print("  type       \(k.type.rawValue)\(k.unit == .count ? "" : " (\(k.unit.rawValue))")")
    print("  accepts    \(k.rangeText)")
    for h in k.history {
      print("             before \(h.before): \(h.min.map(String.init) ?? "-") … \(h.max.map(String.init) ?? "-")")
    }
    if let d = k.defaultValue { print("  default    \(d)") }
    if let s = k.since { print("  since      Linux \(s)") }
    if let r = k.removedIn { print("  removed    Linux \(r)\(k.replacement.map { " (use \($0))" } ?? "")") }
    if k.numaOnly { print("  needs      CONFIG_NUMA") }
    if let e = k.sideEffect { print("  on write   \(e)") }
    if let x = k.exclusiveWith { print("  exclusive  with \(x): the kernel keeps whichever was written last") }
    if WatermarkForecast.knobs.contains(k.name) {
      for (i, line) in WatermarkForecast.guardRules.enumerated() {
        print("  \(i == 0 ? "guards    " : "          ") \(line)")
      }
    }
    let store = SysctlStore(files: try host.frontend().files)
    if k.isTrigger {
      print("  live       (write-only trigger)")
      if let profile { try explainAction(k, profile: profile) }
    } else if let v = try? store.read(k.name) {
      print("  live       \(v)   (\(store.files.path(SysctlStore.directory + "/" + k.name)))")
    } else {
      print("  live       not present under \(host.files.rootDescription)")
    }
  }

  /// The profile's action that writes `knob`, when it would run, and whether it would now.
  func explainAction(_ knob: Knob, profile name: String) throws {
    let frontend = try host.frontend()
    let profile = try frontend.loadProfile(name)
    let kind: Action.Kind = knob.name == "drop_caches" ? .dropCaches : .compact
    guard let action = profile.actions.first(where: { $0.kind == kind }) else {
      print("  profile    \(profile.name) has no \(kind.rawValue) action")
      return
    }
    let snapshot = try frontend.readHost(keys: [], tables: [.buddyinfo, .zoneinfo])
    let forecast = ActionForecast.forecast(action, on: snapshot)
    print("  profile    \(profile.name) (\(action.location)): \(forecast.action)")
    print("  now        \(forecast.now)")
  }
}
