/// One profile file as written, before `include:` merging.
struct ProfileDocument {
  var file: String
  var apiVersion: String = ProfileLoader.apiVersion
  var name: String
  var description = ""
  var includes: [(name: String, mark: Mark)] = []
  var conditions: [Condition] = []
  var settings: [Setting] = []
  var actions: [Action] = []
  var guards = Guards()
  var unmanaged: [(knob: Knob, mark: Mark)] = []
  var persistFile: String?
}

/// Turns a YAML tree into a ``ProfileDocument``, collecting every error with its position.
struct DocumentParser {
  static let topLevelKeys = [
    "apiVersion", "name", "description", "include", "when", "sysctl", "unchecked", "unmanage", "actions", "guards",
    "persist",
  ]
  static let settingKeys = [
    "value", "exact", "at_least", "at_most", "percent_of_ram", "min", "max", "tolerance", "when",
  ]
  static let whenKeys = ["numa_nodes", "mem_total", "kernel", "cpus"]
  static let zoneReclaimBits: [String: Int64] = ["reclaim": 1, "zone": 1, "write": 2, "unmap": 4, "swap": 4]

  let file: String
  var errors: [ProfileError] = []

  init(file: String) { self.file = file }

  mutating func fail(_ mark: Mark?, _ key: String?, _ message: String, hint: String? = nil) {
    errors.append(ProfileError(file: file, mark: mark, key: key, message: message, hint: hint))
  }

  mutating func fail(_ node: YAMLNode, _ key: String?, _ failure: ScalarDecoding.Failure) {
    fail(node.mark, key, failure.message, hint: failure.hint)
  }

  /// The pairs of a mapping node, reporting keys outside `allowed` (with a suggestion).
  mutating func fields(_ node: YAMLNode, _ context: String, allowed: [String]) -> [String: YAMLNode]? {
    guard case .mapping(let pairs) = node.content else {
      if node.isNull { return [:] }
      fail(node.mark, context, "expected a mapping, got a \(node.kindName)")
      return nil
    }
    var result: [String: YAMLNode] = [:]
    for pair in pairs {
      let key = pair.key.scalar ?? ""
      if allowed.contains(key) {
        result[key] = pair.value
      } else {
        let near = allowed.map { ($0, editDistance(key, $0)) }.min { $0.1 < $1.1 }
        let hint =
          near.flatMap { $0.1 <= 3 ? "did you mean '\($0.0)'?" : nil }
          ?? "allowed keys: \(allowed.joined(separator: ", "))"
        let path = context.isEmpty ? key : "\(context).\(key)"
        fail(pair.key.mark, path, "unknown key", hint: hint)
      }
    }
    return result
  }

  mutating func parse(_ root: YAMLNode?, defaultName: String) -> ProfileDocument {
    var doc = ProfileDocument(file: file, name: defaultName)
    guard let root else {
      fail(Mark(line: 1, column: 1), nil, "the profile is empty", hint: "start with 'apiVersion: vmtune/v1'")
      return doc
    }
    guard let top = fields(root, "", allowed: Self.topLevelKeys) else { return doc }
    if let v = top["apiVersion"] {
      if v.scalar != ProfileLoader.apiVersion {
        fail(
          v.mark, "apiVersion", "unsupported version '\(v.scalar ?? v.kindName)'",
          hint: "use 'apiVersion: \(ProfileLoader.apiVersion)'")
      }
    } else {
      fail(root.mark, "apiVersion", "missing", hint: "add 'apiVersion: \(ProfileLoader.apiVersion)' as the first line")
    }
    if let v = top["name"] {
      if let s = v.scalar, ProfileLoader.isValidName(s) {
        doc.name = s
      } else {
        fail(
          v.mark, "name", "'\(v.scalar ?? v.kindName)' is not a profile name", hint: "use letters, digits, '-' and '_'")
      }
    }
    if let v = top["description"] {
      if let s = v.scalar {
        doc.description = s
      } else {
        fail(v.mark, "description", "expected text, got a \(v.kindName)")
      }
    }
    if let v = top["include"] { doc.includes = parseIncludes(v) }
    if let v = top["when"] { doc.conditions = parseWhen(v, "when") }
    if let v = top["sysctl"] { doc.settings = parseSysctl(v, profile: doc.name) }
    if let v = top["unchecked"] { doc.settings += parseUnchecked(v, profile: doc.name) }
    if let v = top["actions"] { doc.actions = parseActions(v) }
    if let v = top["guards"] { doc.guards = parseGuards(v) }
    if let v = top["unmanage"] { doc.unmanaged = parseUnmanage(v, settings: doc.settings) }
    if let v = top["persist"] { doc.persistFile = parsePersist(v) }
    return doc
  }

  mutating func parseIncludes(_ node: YAMLNode) -> [(name: String, mark: Mark)] {
    let items: [YAMLNode]
    switch node.content {
    case .sequence(let list): items = list
    case .scalar: items = [node]
    case .mapping:
      fail(node.mark, "include", "expected a list of profile names, got a mapping")
      return []
    }
    var result: [(name: String, mark: Mark)] = []
    for item in items {
      guard let name = item.scalar, !item.isNull else {
        fail(item.mark, "include", "expected a profile name, got a \(item.kindName)")
        continue
      }
      if let problem = ProfileLoader.includeProblem(name) {
        fail(item.mark, "include", problem, hint: "name a profile ('base') or a file beside this one ('base.yaml')")
        continue
      }
      result.append((name, item.mark))
    }
    return result
  }

  mutating func parseWhen(_ node: YAMLNode, _ context: String) -> [Condition] {
    guard let f = fields(node, context, allowed: Self.whenKeys) else { return [] }
    var result: [Condition] = []
    for key in Self.whenKeys {
      guard let v = f[key] else { continue }
      guard let text = v.scalar, !v.isNull else {
        fail(v.mark, "\(context).\(key)", "expected a comparison like \">=2\", got a \(v.kindName)")
        continue
      }
      let (op, operand) = ScalarDecoding.comparison(text)
      do throws(ScalarDecoding.Failure) {
        switch key {
        case "numa_nodes": result.append(.numaNodes(op, try ScalarDecoding.integer(text: String(operand))))
        case "cpus": result.append(.cpus(op, try ScalarDecoding.integer(text: String(operand))))
        case "mem_total": result.append(.memTotal(op, try ScalarDecoding.kilobytes(operand)))
        default:
          guard let version = KernelVersion(parsing: operand), !operand.isEmpty,
            operand.first?.isNumber == true
          else {
            throw ScalarDecoding.Failure(
              message: "'\(text)' is not a kernel version comparison", hint: "write \">=5.9\"")
          }
          result.append(.kernel(op, version))
        }
      } catch {
        fail(v, "\(context).\(key)", error)
      }
    }
    return result
  }

  mutating func parseGuards(_ node: YAMLNode) -> Guards {
    var guards = Guards()
    guard let f = fields(node, "guards", allowed: ["max_min_free_percent"]) else { return guards }
    if let v = f["max_min_free_percent"] {
      do throws(ScalarDecoding.Failure) {
        let n = try ScalarDecoding.integer(v)
        guard (1...100).contains(n) else {
          throw ScalarDecoding.Failure(message: "\(n) is outside 1 … 100")
        }
        guards.maxMinFreePercent = n
      } catch {
        fail(v, "guards.max_min_free_percent", error)
      }
    }
    return guards
  }
}
