import VMTuneHost

/// What an imported assignment asks of a knob.
public enum ImportedValue: Sendable, Hashable {
  case exact(SysctlValue)
  /// tuned's `>N`: raise to N, never lower.
  case atLeast(Int64)
  /// tuned's `<N`: lower to N, never raise.
  case atMost(Int64)

  /// The value as profile YAML.
  var yaml: String {
    switch self {
    case .exact(.int(let n)): return String(n)
    case .exact(.list(let items)): return "[" + items.map(String.init).joined(separator: ", ") + "]"
    case .exact(.text(let s)): return ProfileImport.quoted(s)
    case .atLeast(let n): return "{ at_least: \(n) }"
    case .atMost(let n): return "{ at_most: \(n) }"
    }
  }
}

/// A vmtune profile built from other tools' settings (sysctl.conf files, tuned profiles): each
/// vm assignment validated against the knob catalog, everything else reported. ``yaml()`` is a
/// profile the loader accepts, with comments naming the source of every line.
public struct ProfileImport: Sendable {
  /// One imported setting.
  public struct Entry: Sendable, Hashable {
    public var knob: Knob
    public var value: ImportedValue
    public var source: ImportSource
    /// The line as written.
    public var text: String
    /// Earlier lines of the same key this one replaced.
    public var overrides: [ImportSource]
  }

  public var name: String
  public var description: String
  /// The command that made it (`vmtune import tuned`), for the header comment.
  public var origin: String
  /// Files read, in order.
  public private(set) var sources: [String] = []
  /// Settings in first-seen order (a replaced key keeps its place, as in tuned's merge).
  public private(set) var entries: [Entry] = []
  public private(set) var findings: [ImportFinding] = []

  public init(name: String, description: String, origin: String) {
    self.name = ProfileLoader.isValidName(name) ? name : "imported"
    self.description = description
    self.origin = origin
  }

  /// Records a file read (once).
  public mutating func addSource(_ file: String) {
    if !sources.contains(file) { sources.append(file) }
  }

  public mutating func report(_ finding: ImportFinding) { findings.append(finding) }

  /// Imports one assignment: a vm knob of the catalog with a value the kernel accepts, or a knob
  /// the catalog lacks (under `unchecked:`) with an int value; anything else is reported.
  public mutating func add(_ a: ImportAssignment) {
    func skip(_ reason: String) { findings.append(ImportFinding(.skipped, a.source, "\(a.text): \(reason)")) }
    guard let name = Self.vmName(a.key) else {
      return skip("not a vm sysctl (vmtune manages /proc/sys/vm)")
    }
    if name.contains("*") || name.contains("?") || name.contains("[") {
      return skip("a glob; name each vm sysctl")
    }
    var text = a.value
    if a.tuned, let variable = Self.variable(in: text) {
      return skip("uses a tuned variable (\(variable)); vmtune does not expand them: set the value yourself")
    }
    if a.tuned, text.count >= 2, let q = text.first, q == "\"" || q == "'", text.last == q {
      text = String(text.dropFirst().dropLast())
    }
    guard !text.isEmpty else { return skip("no value") }
    var modifier: Character?
    if a.tuned, text.count > 1, let first = text.first, first == ">" || first == "<" {
      modifier = first
      text = String(text.dropFirst()).trimmingWhitespace().description
    }
    let knob: Knob
    if let known = KnobCatalog.knob(name) {
      if let problem = DocumentParser.keyProblem(name) {
        return skip(problem.message + (problem.hint.map { "; \($0)" } ?? ""))
      }
      knob = known
    } else if let unchecked = KnobCatalog.unchecked(name) {
      knob = unchecked
    } else {
      let problem = KnobCatalog.uncheckedProblem(name) ?? ("is not a vm sysctl name", nil)
      return skip("\(name) \(problem.message)")
    }
    let value: ImportedValue
    switch Self.value(text, modifier: modifier, knob: knob) {
    case .failure(let why): return skip(why.message)
    case .success(let v): value = v
    }
    if knob.isUnchecked {
      findings.append(
        ImportFinding(
          .note, a.source,
          "\(name) is not in vmtune's catalog: imported under unchecked:, where only the kernel's int range is "
            + "checked (every plan warns about it)"))
    }
    put(Entry(knob: knob, value: value, source: a.source, text: a.text, overrides: a.overrides))
  }

  /// Adds or replaces `entry`; the kernel keeps only the last written member of an exclusive pair.
  mutating func put(_ entry: Entry) {
    if let partner = entry.knob.exclusiveWith, let i = entries.firstIndex(where: { $0.knob.name == partner }) {
      let dropped = entries.remove(at: i)
      findings.append(
        ImportFinding(
          .skipped, dropped.source,
          "\(dropped.text): \(entry.source) writes \(entry.knob.name) after it, and the kernel then zeroes \(partner)"))
    }
    if let i = entries.firstIndex(where: { $0.knob == entry.knob }) {
      var replaced = entry
      if replaced.overrides.isEmpty { replaced.overrides = [entries[i].source] }
      entries[i] = replaced
    } else {
      entries.append(entry)
    }
  }

  /// `swappiness` for `vm.swappiness`, `vm/swappiness` and `-vm.swappiness`; nil for other trees.
  static func vmName(_ key: String) -> String? {
    var k = Substring(key.trimmingWhitespace())
    if k.hasPrefix("-") { k = k.dropFirst() }
    guard let separator = k.firstIndex(where: { $0 == "." || $0 == "/" }), k[..<separator] == "vm" else { return nil }
    let rest = k[k.index(after: separator)...]
    // vm has no subdirectories: `vm.a.b` or `vm/a/b` names something else.
    let sep = k[separator]
    guard !rest.isEmpty, !rest.contains(sep) else { return nil }
    return String(rest)
  }

  /// The first `${…}` in `text`, if any.
  static func variable(in text: String) -> String? {
    guard let start = text.firstRange(of: "${") else { return nil }
    let tail = text[start.lowerBound...]
    guard let end = tail.firstIndex(of: "}") else { return String(tail) }
    return String(tail[...end])
  }

  struct Refusal: Error { var message: String }

  /// `text` as a value of `knob`, checked as the loader checks profile values.
  static func value(_ text: String, modifier: Character?, knob: Knob) -> Result<ImportedValue, Refusal> {
    do throws(ScalarDecoding.Failure) {
      switch knob.type {
      case .int, .ulong, .trigger:
        let n = try ScalarDecoding.integer(text: text)
        if let why = knob.rejection(of: n) { throw ScalarDecoding.Failure(message: why) }
        if knob.name == "zone_reclaim_mode", n > 7 {
          throw ScalarDecoding.Failure(message: "\(n) sets bits the kernel ignores (only 1, 2 and 4 exist)")
        }
        switch modifier {
        case ">": return .success(.atLeast(n))
        case "<": return .success(.atMost(n))
        default: return .success(.exact(.int(n)))
        }
      case .intList:
        guard modifier == nil else { throw ScalarDecoding.Failure(message: "'>' and '<' need a single number") }
        var items: [Int64] = []
        for field in text.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
          let n = try ScalarDecoding.integer(text: String(field))
          guard n >= 0, n <= KnobCatalog.intMax else {
            throw ScalarDecoding.Failure(message: "\(n) is outside 0 … \(KnobCatalog.intMax)")
          }
          items.append(n)
        }
        return .success(.exact(.list(items)))
      case .string:
        guard modifier == nil, knob.choices.contains(text) else {
          throw ScalarDecoding.Failure(
            message: "'\(text)' is not accepted (\(knob.choices.joined(separator: ", ")))")
        }
        return .success(.exact(.text(text)))
      }
    } catch {
      return .failure(Refusal(message: error.message + (error.hint.map { "; \($0)" } ?? "")))
    }
  }

  /// `text` as a YAML double-quoted scalar on one line.
  static func quoted(_ text: String) -> String {
    var out = "\""
    for c in ImportFinding.oneLine(text) {
      switch c {
      case "\\": out += "\\\\"
      case "\"": out += "\\\""
      default: out.append(c)
      }
    }
    return out + "\""
  }

  /// The profile: a header naming the sources, the settings each under a comment naming its line,
  /// and what was not imported.
  public func yaml() -> String {
    var out = ""
    if sources.count == 1 {
      out += "# Imported by \(origin) from \(sources[0])\n"
    } else {
      out += "# Imported by \(origin) from:\n" + sources.map { "#   \($0)\n" }.joined()
    }
    out += "# Review it, then: vmtune validate FILE && vmtune plan FILE\n"
    out += "apiVersion: \(ProfileLoader.apiVersion)\nname: \(name)\ndescription: \(Self.quoted(description))\n"
    let checked = entries.filter { !$0.knob.isUnchecked }
    let unchecked = entries.filter(\.knob.isUnchecked)
    out += checked.isEmpty ? "sysctl: {}\n" : "sysctl:\n" + checked.map(Self.lines).joined()
    if !unchecked.isEmpty {
      out += "# Not in vmtune's catalog: only the kernel's int range is checked, and every plan warns.\n"
      out += "unchecked:\n" + unchecked.map(Self.lines).joined()
    }
    let skipped = findings.filter { $0.kind == .skipped }
    let notes = findings.filter { $0.kind == .note }
    if !skipped.isEmpty {
      out += "#\n# Not imported:\n" + skipped.map { "#   \(Self.located($0))\n" }.joined()
    }
    if !notes.isEmpty {
      out += "#\n# Notes:\n" + notes.map { "#   \(Self.located($0))\n" }.joined()
    }
    return out
  }

  static func lines(_ e: Entry) -> String {
    let overrides = e.overrides.isEmpty ? "" : " (overrides \(e.overrides.map(\.description).joined(separator: ", ")))"
    return "  # \(e.source): \(ImportFinding.oneLine(e.text))\(overrides)\n  \(e.knob.name): \(e.value.yaml)\n"
  }

  static func located(_ f: ImportFinding) -> String { (f.source.map { "\($0): " } ?? "") + f.text }
}
