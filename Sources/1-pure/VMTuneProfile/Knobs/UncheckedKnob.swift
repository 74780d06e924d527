extension KnobCatalog {
  /// How saved plans, journals and profiles mark an unchecked knob's name.
  public static let uncheckedPrefix = "unchecked:"

  /// Why `name` cannot be an `unchecked:` knob, with a fix; nil when it can: a plain
  /// /proc/sys/vm file name (letters, digits, `_`, `-`) that the catalog does not know.
  public static func uncheckedProblem(_ name: String) -> (message: String, hint: String?)? {
    if knob(name) != nil {
      if let problem = DocumentParser.keyProblem(name) { return problem }
      return ("vmtune knows \(name)", "set it under 'sysctl:', where its range and history are checked")
    }
    if name.isEmpty || name.utf8.contains(0) || name.contains("/") || name.contains("..") || name.contains(".") {
      return DocumentParser.keyProblem(name)
    }
    guard
      name.unicodeScalars.allSatisfy({
        $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) || $0 == "_" || $0 == "-"
      })
    else {
      return ("is not a /proc/sys/vm file name", "vm knobs are named with letters, digits, '_' and '-'")
    }
    return nil
  }

  /// A knob the catalog lacks, as a profile's `unchecked:` section manages it: a C int whose only
  /// known rule is the kernel's int range (`proc_dointvec`), written after the catalogued knobs.
  /// Nil when `name` is catalogued or not a vm file name (``uncheckedProblem(_:)`` says why).
  public static func unchecked(_ name: String) -> Knob? {
    guard uncheckedProblem(name) == nil else { return nil }
    var knob = Knob(
      name: name, type: .int, unit: .count, min: intMin, max: intMax, forbidden: nil, history: [], since: nil,
      removedIn: nil, replacement: nil, numaOnly: false, exclusiveWith: nil, choices: [], writeRank: 95,
      defaultValue: nil,
      summary: "Not in vmtune's catalog (set from unchecked:): vmtune does not know what it does; only the kernel's "
        + "int range is checked.",
      sideEffect: nil)
    knob.isUnchecked = true
    return knob
  }

  /// The warning every plan of an unchecked knob carries.
  public static func uncheckedWarning(_ name: String) -> String {
    "\(name) is not in vmtune's knob catalog: vmtune does not know its semantics, side effects or write order, and "
      + "checks only the kernel's int range (it comes from the profile's unchecked: section)"
  }
}
