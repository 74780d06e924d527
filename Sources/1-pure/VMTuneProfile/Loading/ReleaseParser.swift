extension DocumentParser {
  /// `unmanage: [swappiness, dirty_bytes]`: keys this profile releases to the host's baseline,
  /// including ones an included profile sets. A key both set and unmanaged in one file is an error.
  mutating func parseUnmanage(_ node: YAMLNode, settings: [Setting]) -> [(knob: Knob, mark: Mark)] {
    let items: [YAMLNode]
    switch node.content {
    case .sequence(let list): items = list
    case .scalar where !node.isNull: items = [node]
    case .scalar: return []
    case .mapping:
      fail(node.mark, "unmanage", "expected a list of vm sysctl names, got a mapping")
      return []
    }
    var result: [(knob: Knob, mark: Mark)] = []
    for item in items {
      guard let key = item.scalar, !item.isNull else {
        fail(item.mark, "unmanage", "expected a vm sysctl name, got a \(item.kindName)")
        continue
      }
      let knob: Knob
      if key.hasPrefix(KnobCatalog.uncheckedPrefix) {
        let name = String(key.dropFirst(KnobCatalog.uncheckedPrefix.count))
        guard let unchecked = KnobCatalog.unchecked(name) else {
          let problem = KnobCatalog.uncheckedProblem(name) ?? ("is not an unchecked knob", nil)
          fail(item.mark, "unmanage", "'\(key)' \(problem.message)", hint: problem.hint)
          continue
        }
        knob = unchecked
      } else if let problem = Self.keyProblem(key) {
        fail(item.mark, "unmanage", "'\(key)' \(problem.message)", hint: problem.hint)
        continue
      } else if let known = KnobCatalog.knob(key) {
        knob = known
      } else {
        continue
      }
      if settings.contains(where: { $0.knob == knob }) {
        fail(
          item.mark, "unmanage", "'\(key)' is also set in this profile",
          hint: "remove it from sysctl: to release it, or from unmanage: to keep managing it")
        continue
      }
      result.append((knob, item.mark))
    }
    return result
  }

  /// `persist: { file: 99-zz-vmtune.conf }`: the sysctl.d file name `apply --persist` writes.
  mutating func parsePersist(_ node: YAMLNode) -> String? {
    guard let f = fields(node, "persist", allowed: ["file"]), let v = f["file"] else { return nil }
    guard let name = v.scalar, !v.isNull else {
      fail(v.mark, "persist.file", "expected a file name, got a \(v.kindName)")
      return nil
    }
    if let problem = PersistFileName.problem(name) {
      fail(v.mark, "persist.file", problem, hint: "a name like '99-zz-vmtune.conf' in /etc/sysctl.d")
      return nil
    }
    return name
  }
}

/// The sysctl.d file names `apply --persist` accepts: a plain `NAME.conf` in /etc/sysctl.d.
public enum PersistFileName {
  /// The name used when neither the profile nor `--persist-file` gives one.
  public static let defaultName = "90-vmtune.conf"

  /// Why `name` cannot be the persist file (a path, no `.conf`, odd characters), or nil.
  public static func problem(_ name: String) -> String? {
    if name.contains("/") { return "'\(name)' is a path; give a file name in /etc/sysctl.d" }
    guard name.hasSuffix(".conf"), name.count > 5, name.count <= 128 else {
      return "'\(name)' does not end in .conf (sysctl.d reads only *.conf files)"
    }
    let allowed = name.unicodeScalars.allSatisfy {
      ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
        || "-_.+".unicodeScalars
          .contains($0)
    }
    if !allowed || name.hasPrefix(".") {
      return "'\(name)' may hold only letters, digits, '-', '_', '+' and '.', and not start with '.'"
    }
    return nil
  }
}
