import VMTuneHost

/// sysctl.conf(5) and sysctl.d(5) files: `key = value` lines; blank lines and lines starting with
/// `#` or `;` are comments; whitespace around keys and values is ignored; a leading `-` on the
/// key means "ignore a failure to set it"; keys separate their parts with `.` or `/`.
public enum SysctlConf {
  /// The assignments of `text` in order, and the lines that are not assignments.
  public static func parse(_ text: String, file: String) -> (assignments: [ImportAssignment], findings: [ImportFinding])
  {
    var assignments: [ImportAssignment] = []
    var findings: [ImportFinding] = []
    for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let line = raw.trimmingWhitespace()
      if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
      let source = ImportSource(file: file, line: index + 1)
      guard let equals = line.firstIndex(of: "=") else {
        findings.append(ImportFinding(.skipped, source, "\(line): not 'key = value'"))
        continue
      }
      let key = line[..<equals].trimmingWhitespace()
      guard !key.isEmpty else {
        findings.append(ImportFinding(.skipped, source, "\(line): no key before '='"))
        continue
      }
      assignments.append(
        ImportAssignment(
          key: String(key), value: String(line[line.index(after: equals)...].trimmingWhitespace()), source: source,
          text: String(line)))
    }
    return (assignments, findings)
  }
}
