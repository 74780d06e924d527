import VMTuneFrontend
import VMTuneProfile

/// The module's arguments, checked and converted the way Ansible's `argument_spec` does for
/// Python modules: unsupported names refused with the supported ones listed, required
/// arguments, and the types `str`, `bool` (`yes/no`, `on/off`, `true/false`, `y/n`, `t/f`,
/// `1/0`, any case), `int` (digits in a string too) and `list` of `str` (a comma-separated
/// string is split), with `choices`. A scalar given for a string is converted with a warning.
struct ModuleArguments: Sendable {
  /// `state:` — what the task makes true.
  enum State: String, CaseIterable, Sendable {
    /// The profile is applied (the default).
    case applied
    /// Drift is reported; nothing is written.
    case checked
    /// Every applied journal (or those from `generation` on) is undone by vmtune's rollback.
    case rolledBack = "rolled_back"
    /// What `vmtune off` does: every managed key back to its baseline, the persist file removed.
    case off
  }

  /// The names and types of the module's options (what the documentation's `options` lists).
  static let spec: [(name: String, type: String)] = [
    ("force", "bool"), ("generation", "int"), ("persist", "bool"), ("persist_file", "str"), ("profile", "str"),
    ("profile_dir", "list"), ("root", "str"), ("state", "str"),
  ]

  var profile: String?
  var root = "/"
  var profileDirs: [String] = []
  var persist = false
  /// `persist_file`: the sysctl.d file name (implies `persist`), as `vmtune apply --persist-file`.
  var persistFile: String?
  var force = false
  var state = State.applied
  var generation: Int?
  /// Ansible's own keys.
  var checkMode = false
  var diff = false
  /// Conversions worth saying (a number given for a string).
  var warnings: [String] = []

  /// Checks and converts `raw` (the arguments file's object), in Ansible's order: unsupported
  /// names, required arguments, types, choices.
  init(_ raw: [String: JSONValue]) throws(VMTuneError) {
    let module = raw["_ansible_module_name"]?.scalarText ?? "vmtune"
    let names = Set(Self.spec.map(\.name))
    let unknown = raw.keys.filter { !$0.hasPrefix("_ansible_") && !names.contains($0) }.sorted()
    if !unknown.isEmpty {
      throw .other(
        "Unsupported parameters for (\(module)) module: \(unknown.joined(separator: ", ")). "
          + "Supported parameters include: \(names.sorted().joined(separator: ", ")).")
    }
    let given = raw.filter { $0.value != .null }
    checkMode = (try? Self.bool("_ansible_check_mode", given["_ansible_check_mode"] ?? .bool(false))) ?? false
    diff = (try? Self.bool("_ansible_diff", given["_ansible_diff"] ?? .bool(false))) ?? false
    // YAML 1.1 (Ansible's loader) reads an unquoted `state: off` as the boolean false.
    var stateText: String?
    if given["state"] == .bool(false) {
      warnings.append("state: off was read as the boolean false (YAML 1.1); quote it: state: \"off\"")
      stateText = "off"
    } else {
      stateText = try given["state"].map { v throws(VMTuneError) in try str("state", v) }
    }
    if let stateText {
      guard let s = State(rawValue: stateText) else {
        let choices = State.allCases.map(\.rawValue).joined(separator: ", ")
        throw .other("value of state must be one of: \(choices), got: \(stateText)")
      }
      state = s
    }
    if state != .rolledBack, state != .off, given["profile"] == nil {
      throw .other("missing required arguments: profile")
    }
    profile = try given["profile"].map { v throws(VMTuneError) in try str("profile", v) }
    root = try given["root"].map { v throws(VMTuneError) in try str("root", v) } ?? "/"
    profileDirs = try given["profile_dir"].map { v throws(VMTuneError) in try list("profile_dir", v) } ?? []
    persist = try given["persist"].map { v throws(VMTuneError) in try Self.bool("persist", v) } ?? false
    persistFile = try given["persist_file"].map { v throws(VMTuneError) in try str("persist_file", v) }
    if let name = persistFile {
      if let problem = PersistFileName.problem(name) { throw .other("persist_file: \(problem)") }
      persist = true
    }
    force = try given["force"].map { v throws(VMTuneError) in try Self.bool("force", v) } ?? false
    generation = try given["generation"].map { v throws(VMTuneError) in try Self.int("generation", v) }
    if generation != nil, state != .rolledBack {
      warnings.append("generation is used only with state: rolled_back; ignored with state: \(state.rawValue)")
    }
  }

  /// The frontend over `root` and `profile_dir`.
  func frontend() throws(VMTuneError) -> Frontend { try Frontend(root: root, profileDirs: profileDirs) }

  static func unconvertible(_ name: String, _ value: JSONValue, _ type: String, _ why: String) -> VMTuneError {
    .other("argument '\(name)' is of type \(value.typeName) and we were unable to convert to \(type): \(why)")
  }

  /// Ansible's booleans: `y yes on 1 true t` and `n no off 0 false f` in any case, 1 and 0.
  static func bool(_ name: String, _ value: JSONValue) throws(VMTuneError) -> Bool {
    switch value {
    case .bool(let b): return b
    case .int(1): return true
    case .int(0): return false
    case .double(1): return true
    case .double(0): return false
    case .string(let s):
      switch s.lowercased() {
      case "y", "yes", "on", "1", "true", "t": return true
      case "n", "no", "off", "0", "false", "f": return false
      default: throw unconvertible(name, value, "bool", "'\(s)' is not a valid boolean")
      }
    default:
      throw unconvertible(
        name, value, "bool", "\(value.scalarText.map { "'\($0)'" } ?? value.typeName) is not a valid boolean")
    }
  }

  /// A string; a number or boolean is converted as Python prints it, with a warning.
  mutating func str(_ name: String, _ value: JSONValue) throws(VMTuneError) -> String {
    if case .string(let s) = value { return s }
    guard let text = value.scalarText else {
      throw Self.unconvertible(name, value, "str", "a \(value.typeName) is not a string")
    }
    warnings.append(
      "The value '\(text)' (type \(value.typeName)) in a string field was converted to '\(text)' (type string). "
        + "If this does not look like what you expect, quote the entire value to ensure it does not change.")
    return text
  }

  /// A list of strings: a list as it is, a comma-separated string split, a number as one item.
  mutating func list(_ name: String, _ value: JSONValue) throws(VMTuneError) -> [String] {
    switch value {
    case .array(let items):
      var out: [String] = []
      for item in items { out.append(try str(name, item)) }
      return out
    case .string(let s): return s.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    case .int, .double: return [value.scalarText ?? ""]
    default: throw Self.unconvertible(name, value, "list", "a \(value.typeName) is not a list")
    }
  }

  /// An integer: a number without a fraction, or a string of digits.
  static func int(_ name: String, _ value: JSONValue) throws(VMTuneError) -> Int {
    switch value {
    case .int(let i): return Int(i)
    case .double(let d) where d == d.rounded() && abs(d) < 1e15: return Int(d)
    case .string(let s):
      guard let i = Int(s.trimmingSpaces()) else { throw unconvertible(name, value, "int", "'\(s)' is not an integer") }
      return i
    default: throw unconvertible(name, value, "int", "\(value.scalarText ?? value.typeName) is not an integer")
    }
  }
}

extension String {
  fileprivate func trimmingSpaces() -> String {
    String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
  }
}
