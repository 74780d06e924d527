extension DocumentParser {
  /// Why `key` cannot be a vm sysctl setting, with a fix; nil when it is a settable knob.
  static func keyProblem(_ key: String) -> (message: String, hint: String?)? {
    if key.isEmpty { return ("empty key", nil) }
    if key.utf8.contains(0) { return ("key contains a NUL byte", "keys are file names under /proc/sys/vm") }
    if key.utf8.contains(UInt8(ascii: "/")) || key.contains("..") {
      return ("is a path, not a vm sysctl name", "keys are plain file names under /proc/sys/vm, e.g. 'swappiness'")
    }
    if key.hasPrefix("vm.") {
      let bare = String(key.dropFirst(3))
      return ("write the file name without the 'vm.' prefix", "use '\(bare)'")
    }
    if key.utf8.contains(UInt8(ascii: ".")) {
      return ("is not a vm sysctl", "vmtune manages /proc/sys/vm only; other sysctls belong in sysctl.d")
    }
    guard let knob = KnobCatalog.knob(key) else {
      let near = KnobCatalog.suggestions(for: key)
      return (
        "is not a vm sysctl vmtune knows",
        near.first.map { "did you mean '\($0)'?" }
          ?? "run 'vmtune explain' for the list; a knob your kernel has that vmtune lacks goes under 'unchecked:'"
      )
    }
    if let removed = knob.removedIn {
      return ("was removed in Linux \(removed)", knob.replacement.map { "use '\($0)' instead" })
    }
    if knob.isTrigger {
      let action = key == "drop_caches" ? "drop_caches" : "compact"
      return ("is a one-shot trigger, not a setting", "run it from 'actions: \(action):' with a schedule or condition")
    }
    return nil
  }

  mutating func parseSysctl(_ node: YAMLNode, profile: String) -> [Setting] {
    let settings = parseSection(node, .sysctl, profile: profile)
    // The kernel keeps only one of each exclusive pair: the one written last.
    for s in settings {
      if let other = s.knob.exclusiveWith, s.key < other,
        let o = settings.first(where: { $0.key == other })
      {
        fail(
          o.location.mark, "sysctl.\(other)",
          "\(s.key) and \(other) are mutually exclusive: writing one makes the kernel zero the other",
          hint: "keep only the one you want (line \(s.location.mark.line) sets \(s.key))")
      }
    }
    return settings
  }

  /// The `unchecked:` section: knobs the catalog lacks, each an int checked only against the
  /// kernel's int range.
  mutating func parseUnchecked(_ node: YAMLNode, profile: String) -> [Setting] {
    parseSection(node, .unchecked, profile: profile)
  }

  /// A section of settings: `sysctl:` (catalog knobs) or `unchecked:`.
  enum Section: String {
    case sysctl, unchecked

    /// What the section's mapping holds, for the error when it is not one.
    var holds: String {
      self == .sysctl ? "vm sysctl names to values" : "vm sysctl names to integers"
    }
  }

  /// The settings of one section's mapping, in order: each key resolved to its knob (a key that
  /// is not one is reported and skipped), each value parsed into its target.
  mutating func parseSection(_ node: YAMLNode, _ section: Section, profile: String) -> [Setting] {
    guard case .mapping(let pairs) = node.content else {
      if !node.isNull {
        fail(node.mark, section.rawValue, "expected a mapping of \(section.holds), got a \(node.kindName)")
      }
      return []
    }
    var settings: [Setting] = []
    for pair in pairs {
      let key = pair.key.scalar ?? ""
      let path = "\(section.rawValue).\(key)"
      guard let knob = knob(key, in: section, mark: pair.key.mark, path: path) else { continue }
      var conditions: [Condition] = []
      if let target = parseTarget(pair.value, knob: knob, path: path, conditions: &conditions) {
        settings.append(
          Setting(
            knob: knob, target: target, conditions: conditions,
            location: ProfileLocation(file: file, mark: pair.value.mark), profile: profile))
      }
    }
    return settings
  }

  /// The knob `key` names in `section`, or nil after reporting why it is not one.
  mutating func knob(_ key: String, in section: Section, mark: Mark?, path: String) -> Knob? {
    switch section {
    case .sysctl:
      if let problem = Self.keyProblem(key) {
        fail(mark, path, problem.message, hint: problem.hint)
        return nil
      }
      return KnobCatalog.knob(key)
    case .unchecked:
      guard let knob = KnobCatalog.unchecked(key) else {
        let problem = KnobCatalog.uncheckedProblem(key) ?? ("is not an unchecked knob", nil)
        fail(mark, path, problem.message, hint: problem.hint)
        return nil
      }
      return knob
    }
  }

  /// Parses one setting's value form; nil after reporting an error.
  mutating func parseTarget(
    _ node: YAMLNode, knob: Knob, path: String, conditions: inout [Condition]
  ) -> Target? {
    if case .mapping = node.content {
      return parseComparator(node, knob: knob, path: path, conditions: &conditions)
    }
    return parseExact(node, knob: knob, path: path).map(Target.exact)
  }

  /// Parses an exact value of the knob's type; nil after reporting an error.
  mutating func parseExact(_ node: YAMLNode, knob: Knob, path: String) -> SysctlValue? {
    if knob.name == "zone_reclaim_mode", case .sequence(let items) = node.content {
      return parseZoneReclaimBits(items, path: path).map(SysctlValue.int)
    }
    switch knob.type {
    case .intList:
      return parseIntList(node, path: path).map(SysctlValue.list)
    case .string:
      return parseChoice(node, knob: knob, path: path).map(SysctlValue.text)
    case .int, .ulong, .trigger:
      return checkedInteger(node, knob: knob, path: path).map(SysctlValue.int)
    }
  }

  /// zone_reclaim_mode as named bits (`[reclaim, write]`), or-ed together.
  mutating func parseZoneReclaimBits(_ items: [YAMLNode], path: String) -> Int64? {
    var bits: Int64 = 0
    for item in items {
      guard let name = item.scalar, let bit = Self.zoneReclaimBits[name] else {
        fail(
          item.mark, path, "'\(item.scalar ?? item.kindName)' is not a zone_reclaim_mode bit",
          hint: "use reclaim (1), write (2), unmap (4), or [] for 0")
        return nil
      }
      bits |= bit
    }
    return bits
  }

  /// A per-zone list (lowmem_reserve_ratio): a sequence, or a scalar of space-separated integers.
  mutating func parseIntList(_ node: YAMLNode, path: String) -> [Int64]? {
    var values: [Int64] = []
    for item in Self.intListItems(node) {
      guard let n = parseIntListItem(item, path: path) else { return nil }
      values.append(n)
    }
    guard !values.isEmpty else {
      fail(node.mark, path, "expected a list of integers, one per zone", hint: "e.g. [256, 256, 32, 0, 0]")
      return nil
    }
    return values
  }

  /// The items of a per-zone list; a scalar's items carry its mark.
  static func intListItems(_ node: YAMLNode) -> [YAMLNode] {
    switch node.content {
    case .sequence(let list):
      return list
    case .scalar(let text, _):
      return text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map {
        YAMLNode(.scalar(String($0), plain: true), mark: node.mark)
      }
    case .mapping:
      return []
    }
  }

  /// One entry of a per-zone list: an integer in 0 … INT_MAX.
  mutating func parseIntListItem(_ item: YAMLNode, path: String) -> Int64? {
    do throws(ScalarDecoding.Failure) {
      let n = try ScalarDecoding.integer(item)
      guard n >= 0, n <= KnobCatalog.intMax else {
        throw ScalarDecoding.Failure(
          message: "\(n) is outside 0 … \(KnobCatalog.intMax)",
          hint: "the kernel stores values below 1 as 0; write 0 to disable a zone's protection")
      }
      return n
    } catch {
      fail(item, path, error)
      return nil
    }
  }

  /// One of the choices of a string knob.
  mutating func parseChoice(_ node: YAMLNode, knob: Knob, path: String) -> String? {
    guard let s = node.scalar, knob.choices.contains(s) else {
      fail(
        node.mark, path, "'\(node.scalar ?? node.kindName)' is not accepted",
        hint: "use one of: \(knob.choices.joined(separator: ", "))")
      return nil
    }
    return s
  }

  /// An integer within the knob's kernel range and vmtune's own stricter policy.
  mutating func checkedInteger(_ node: YAMLNode, knob: Knob, path: String) -> Int64? {
    do throws(ScalarDecoding.Failure) {
      let n = try ScalarDecoding.integer(node)
      if let why = knob.rejection(of: n) {
        throw ScalarDecoding.Failure(message: why, hint: "accepted values: \(knob.rangeText)")
      }
      if knob.name == "zone_reclaim_mode", n > 7 {
        throw ScalarDecoding.Failure(
          message: "\(n) sets bits the kernel ignores (only 1 reclaim, 2 write, 4 unmap exist)",
          hint: "use 0 … 7 or named bits like [reclaim, write]")
      }
      return n
    } catch {
      fail(node, path, error)
      return nil
    }
  }

  /// Parses the mapping form (`{ at_most: 10 }`, `{ percent_of_ram: 1, min: … }`, `{ value: …, when: … }`);
  /// its `when:` goes to `conditions`. Nil after reporting an error.
  mutating func parseComparator(
    _ node: YAMLNode, knob: Knob, path: String, conditions: inout [Condition]
  ) -> Target? {
    guard let f = fields(node, path, allowed: Self.settingKeys) else { return nil }
    if let w = f["when"] { conditions = parseWhen(w, "\(path).when") }
    guard checkOneValueForm(f, node: node, path: path) else { return nil }
    if let exact = f["value"] ?? f["exact"] { return parseExact(exact, knob: knob, path: path).map(Target.exact) }
    guard knob.type == .int || knob.type == .ulong else {
      fail(node.mark, path, "\(knob.name) takes an exact value only")
      return nil
    }
    if f["at_least"] != nil || f["at_most"] != nil { return parseBounds(f, node: node, knob: knob, path: path) }
    return parsePercentOfRAM(f, node: node, knob: knob, path: path)
  }

  /// Whether the mapping `f` gives exactly one value form (value or exact, at_least/at_most,
  /// percent_of_ram) and min/max only with percent_of_ram; reports the problem when not.
  mutating func checkOneValueForm(_ f: [String: YAMLNode], node: YAMLNode, path: String) -> Bool {
    let exact = f["value"] ?? f["exact"]
    let bounded = f["at_least"] != nil || f["at_most"] != nil
    let percent = f["percent_of_ram"]
    let forms = [exact != nil, bounded, percent != nil].filter { $0 }.count
    if f["value"] != nil, f["exact"] != nil {
      fail(node.mark, path, "'value' and 'exact' mean the same; give one")
      return false
    }
    guard forms == 1 else {
      fail(
        node.mark, path, forms == 0 ? "no value given" : "give only one of value, at_least/at_most, percent_of_ram",
        hint: "e.g. { at_most: 10 } or { percent_of_ram: 1, min: 131072 }")
      return false
    }
    if percent == nil, let m = f["min"] ?? f["max"] {
      fail(
        m.mark, path, "min and max go with percent_of_ram", hint: "for bounds on the live value use at_least / at_most")
      return false
    }
    if percent == nil, let t = f["tolerance"] {
      fail(t.mark, "\(path).tolerance", "tolerance goes with percent_of_ram", hint: "other targets are exact")
      return false
    }
    return true
  }

  /// `at_least` and/or `at_most`: bounds on the live value (the lower one not above the upper one).
  mutating func parseBounds(_ f: [String: YAMLNode], node: YAMLNode, knob: Knob, path: String) -> Target? {
    let lo = f["at_least"].map { checkedInteger($0, knob: knob, path: "\(path).at_least") }
    let hi = f["at_most"].map { checkedInteger($0, knob: knob, path: "\(path).at_most") }
    switch (lo, hi) {
    case (let l??, let h??):
      guard l <= h else {
        fail(node.mark, path, "at_least \(l) is above at_most \(h)")
        return nil
      }
      return .between(l, h)
    case (let l??, nil): return .atLeast(l)
    case (nil, let h??): return .atMost(h)
    default: return nil
    }
  }

  /// `percent_of_ram` with optional `min`/`max`, for memory-sized knobs only.
  mutating func parsePercentOfRAM(_ f: [String: YAMLNode], node: YAMLNode, knob: Knob, path: String) -> Target? {
    guard let percent = f["percent_of_ram"], knob.unit.bytesPerUnit != nil else {
      fail(node.mark, path, "percent_of_ram needs a memory-sized knob; \(knob.name) is not one")
      return nil
    }
    do throws(ScalarDecoding.Failure) {
      var p = PercentOfRAM(milliPercent: try ScalarDecoding.milliPercent(percent))
      if let m = f["min"] { p.min = checkedInteger(m, knob: knob, path: "\(path).min") }
      if let m = f["max"] { p.max = checkedInteger(m, knob: knob, path: "\(path).max") }
      if let t = f["tolerance"] {
        do throws(ScalarDecoding.Failure) {
          p.toleranceMilliPercent = try ScalarDecoding.milliPercent(t, of: "the resolved value")
        } catch {
          fail(t, "\(path).tolerance", error)
        }
      }
      if let lo = p.min, let hi = p.max, lo > hi {
        throw ScalarDecoding.Failure(message: "min \(lo) is above max \(hi)")
      }
      return .percentOfRAM(p)
    } catch {
      fail(percent, "\(path).percent_of_ram", error)
      return nil
    }
  }
}
