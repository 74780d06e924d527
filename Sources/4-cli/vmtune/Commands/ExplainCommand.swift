import ArgumentParser
import VMTuneFrontend
import VMTuneKernel
import VMTuneProfile

struct ExplainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "explain",
    abstract: "Explain a vm sysctl: what it does, what the kernel accepts, its live value.",
    discussion: "Without KEY, lists every knob vmtune knows.")

  @OptionGroup var host: HostOptions

  @Argument(help: "A /proc/sys/vm file name, e.g. min_free_kbytes (vm. prefix accepted).")
  var key: String?

  func run() throws {
    guard var key else {
      for name in KnobCatalog.all.keys.sorted() {
        guard let k = KnobCatalog.knob(name) else { continue }
        print("\(pad(name, 30)) \(k.summary)")
      }
      return
    }
    if key.hasPrefix("vm.") { key = String(key.dropFirst(3)) }
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
    let store = SysctlStore(files: try host.frontend().files)
    if k.isTrigger {
      print("  live       (write-only trigger)")
    } else if let v = try? store.read(k.name) {
      print("  live       \(v)   (\(store.files.path(SysctlStore.directory + "/" + k.name)))")
    } else {
      print("  live       not present under \(host.files.rootDescription)")
    }
  }
}
