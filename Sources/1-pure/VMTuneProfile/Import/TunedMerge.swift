import VMTuneHost

/// A tuned profile's units after include merging, as tuned's `Merger` leaves them.
struct TunedMerge {
  /// One option of a unit, with the earlier values it replaced.
  struct Value {
    var option: TunedINI.Option
    var overrides: [ImportSource] = []
  }

  /// One plugin instance (a section other than `[main]`).
  struct Unit {
    var name: String
    var type: String
    /// Where the section was (last) defined.
    var source: ImportSource
    var enabled = true
    var conditions: [(key: String, value: String)] = []
    var options: [(key: String, value: Value)] = []

    subscript(key: String) -> Value? { options.first { $0.key == key }?.value }
  }

  /// `[main]` options (summary, include), later profiles winning.
  var main: [String: TunedINI.Option] = [:]
  var units: [Unit] = []

  /// Merges `profiles` in order (parents first), unit by unit: options update in place,
  /// `replace=1` starts the unit over, `drop=` removes the listed options of earlier profiles.
  init(_ profiles: [TunedINI]) {
    for profile in profiles {
      for section in profile.sections {
        if section.name == "main" {
          for o in section.options { main[o.key] = o }
          continue
        }
        merge(section)
      }
    }
  }

  mutating func merge(_ section: TunedINI.Section) {
    func flag(_ key: String) -> Bool? {
      section.option(key).map { ["true", "True", "1"].contains($0.value) }
    }
    let index: Int
    if let i = units.firstIndex(where: { $0.name == section.name }), flag("replace") != true {
      index = i
    } else {
      let fresh = Unit(name: section.name, type: section.name, source: section.source)
      if let i = units.firstIndex(where: { $0.name == section.name }) {
        units[i] = fresh
        index = i
      } else {
        units.append(fresh)
        index = units.count - 1
      }
    }
    var unit = units[index]
    unit.source = section.source
    unit.type = section.option("type")?.value ?? section.name
    if let enabled = flag("enabled") { unit.enabled = enabled }
    for key in ["uname_regex", "cpuinfo_regex"] {
      if let o = section.option(key) {
        unit.conditions.removeAll { $0.key == key }
        unit.conditions.append((key, o.value))
      }
    }
    if let drop = section.option("drop") {
      let names = drop.value.split(whereSeparator: { $0 == "," || $0 == ";" }).map { String($0.trimmingWhitespace()) }
      unit.options.removeAll { names.contains($0.key) }
    }
    for o in section.options where !TunedImporter.unitOptions.contains(o.key) {
      if let i = unit.options.firstIndex(where: { $0.key == o.key }) {
        let earlier = unit.options[i].value
        unit.options[i].value = Value(option: o, overrides: earlier.overrides + [earlier.option.source])
      } else {
        unit.options.append((o.key, Value(option: o)))
      }
    }
    units[index] = unit
  }
}

extension TunedMerge.Unit {
  /// tuned's [vm] plugin options that write /proc/sys/vm files (newer tuned).
  static let vmPluginSysctls: Set<String> = [
    "dirty_bytes", "dirty_ratio", "dirty_background_bytes", "dirty_background_ratio",
  ]

  var conditionText: String {
    conditions.map { "\($0.key) '\($0.value)'" }.joined(separator: " and ")
  }

  /// Adds this unit's vm settings to `result`, or says why they are not there.
  func importSettings(into result: inout ProfileImport) {
    switch type {
    case "sysctl":
      guard enabled else {
        return result.report(ImportFinding(.skipped, source, "[\(name)]: disabled (enabled=false)"))
      }
      guard conditions.isEmpty else {
        return result.report(
          ImportFinding(
            .skipped, source,
            "[\(name)]: applies only where \(conditionText) \(conditions.count > 1 ? "match" : "matches"), "
              + "which tuned decides at run time; not imported "
              + "(\(options.map(\.value.option.text).joined(separator: ", ")))"))
      }
      for (_, v) in options {
        result.add(
          ImportAssignment(
            key: v.option.key, value: v.option.value, source: v.option.source, text: v.option.text, tuned: true,
            overrides: v.overrides))
      }
    case "vm":
      importVM(into: &result)
    case "variables":
      break
    default:
      result.report(
        ImportFinding(
          .note, source, "not imported: [\(name)] (tuned's \(type) plugin; vmtune manages /proc/sys/vm only)"))
    }
  }

  /// [vm]: the huge-page mode is noted (it lives in /sys); newer tuned's dirty_* options are sysctls.
  func importVM(into result: inout ProfileImport) {
    let only = conditions.isEmpty ? "" : ", only where \(conditionText) \(conditions.count > 1 ? "match" : "matches")"
    for (key, v) in options {
      let o = v.option
      if Self.vmPluginSysctls.contains(key), conditions.isEmpty, enabled {
        var value = o.value
        var sysctl = key
        // tuned's [vm] dirty_bytes=40% means dirty_ratio=40.
        if value.hasSuffix("%"), key.hasSuffix("_bytes") {
          value.removeLast()
          sysctl = key.replacingSuffix("_bytes", with: "_ratio")
        }
        result.add(
          ImportAssignment(
            key: "vm." + sysctl, value: value, source: o.source, text: "[\(name)] \(o.text)", tuned: true,
            overrides: v.overrides))
      } else if key.hasPrefix("transparent_hugepage") {
        let mode = key == "transparent_hugepage.defrag" ? "defrag" : "mode"
        let cmdline = mode == "mode" ? " (transparent_hugepage=\(o.value))" : ""
        result.report(
          ImportFinding(
            .note, o.source,
            "[\(name)] \(o.text)\(only): tuned sets the transparent huge page \(mode) in "
              + "/sys/kernel/mm/transparent_hugepage, outside /proc/sys/vm; set it on the kernel command line"
              + "\(cmdline) or keep tuned's [vm] for it"))
      } else {
        result.report(ImportFinding(.skipped, o.source, "[\(name)] \(o.text): not a vm sysctl"))
      }
    }
  }
}

extension String {
  /// `self` with `suffix` replaced by `replacement` (unchanged when it does not end so).
  func replacingSuffix(_ suffix: String, with replacement: String) -> String {
    hasSuffix(suffix) ? String(dropLast(suffix.count)) + replacement : self
  }
}
