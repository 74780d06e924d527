extension PlanRequest {
  /// Parses a plain `plan` command line — the subcommand, profile names, and the long options `--root`,
  /// `--profile-dir`, `--snapshot`, `--format`, `--out`, `--no-color`, each as `--name value` or
  /// `--name=value` — without swift-argument-parser. Anything else (help, an unknown or repeated option,
  /// a missing value, no profile) returns nil and goes through swift-argument-parser, which owns every
  /// message. The reason: swift-argument-parser reflects over each command's properties on every run,
  /// and its protocol-conformance lookups cost more than planning itself; `plan` is the command that
  /// provisioning and fleet scripts run in loops.
  init?(fastPath arguments: [String]) {
    guard arguments.first == "plan" else { return nil }
    var request = PlanRequest()
    var seen: [Substring] = []
    var rest = arguments.dropFirst()
    while let argument = rest.popFirst() {
      guard argument.hasPrefix("-") else {
        request.profiles.append(argument)
        continue
      }
      var name = Substring(argument)
      var inlineValue: Substring?
      if let equals = argument.firstIndex(of: "=") {
        name = argument[..<equals]
        inlineValue = argument[argument.index(after: equals)...]
      }
      guard name != "--profile-dir" else {
        guard let value = Self.value(inlineValue, &rest) else { return nil }
        request.profileDirs.append(value)
        continue
      }
      guard !seen.contains(name) else { return nil }
      seen.append(name)
      if name == "--no-color" {
        guard inlineValue == nil else { return nil }
        request.noColor = true
        continue
      }
      guard let value = Self.value(inlineValue, &rest) else { return nil }
      switch name {
      case "--root": request.root = value
      case "--snapshot": request.snapshot = value
      case "--out": request.out = value
      case "--format":
        guard let format = OutputFormat(rawValue: value) else { return nil }
        request.format = format
      default: return nil
      }
    }
    guard !request.profiles.isEmpty else { return nil }
    self = request
  }

  /// An option's value: after `=`, or the next argument unless that looks like an option.
  private static func value(_ inline: Substring?, _ rest: inout ArraySlice<String>) -> String? {
    if let inline { return inline.isEmpty ? nil : String(inline) }
    guard let next = rest.first, !next.hasPrefix("-") else { return nil }
    rest.removeFirst()
    return next
  }
}
