import VMTuneHost

/// A tuned.conf file as tuned's ConfigParser reads it: `[section]` headers, `key=value` options
/// (`=` only), comment lines starting with `#` or `;`, inline comments after whitespace and `#`,
/// indented continuation lines, repeated sections merged and repeated options replaced.
public struct TunedINI: Sendable {
  public struct Option: Sendable, Hashable {
    public var key: String
    public var value: String
    public var source: ImportSource
    /// The line as written, trimmed.
    public var text: String
  }

  public struct Section: Sendable, Hashable {
    public var name: String
    /// Where the section header is.
    public var source: ImportSource
    public var options: [Option]

    /// The option named `key`.
    public func option(_ key: String) -> Option? { options.first { $0.key == key } }
  }

  public var file: String
  public var sections: [Section] = []
  /// Lines that are not headers, options or comments.
  public var findings: [ImportFinding] = []

  /// The section named `name`.
  public func section(_ name: String) -> Section? { sections.first { $0.name == name } }

  public static func parse(_ text: String, file: String) -> TunedINI {
    var ini = TunedINI(file: file)
    var current: Int?
    var lastOption: Int?
    for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let source = ImportSource(file: file, line: index + 1)
      let line = raw.trimmingWhitespace()
      if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
      if let s = current, let o = lastOption, raw.first == " " || raw.first == "\t" {
        ini.sections[s].options[o].value += "\n" + stripInlineComment(line)
        continue
      }
      if line.hasPrefix("["), let close = line.firstIndex(of: "]") {
        let name = String(line[line.index(after: line.startIndex)..<close])
        if let existing = ini.sections.firstIndex(where: { $0.name == name }) {
          current = existing
        } else {
          ini.sections.append(Section(name: name, source: source, options: []))
          current = ini.sections.count - 1
        }
        lastOption = nil
        continue
      }
      guard let s = current else {
        ini.findings.append(ImportFinding(.skipped, source, "\(line): outside any [section]"))
        continue
      }
      guard let equals = line.firstIndex(of: "=") else {
        ini.findings.append(ImportFinding(.skipped, source, "\(line): not 'key=value'"))
        lastOption = nil
        continue
      }
      let key = String(line[..<equals].trimmingWhitespace())
      let value = stripInlineComment(line[line.index(after: equals)...])
      let option = Option(key: key, value: value, source: source, text: String(line))
      if let o = ini.sections[s].options.firstIndex(where: { $0.key == key }) {
        ini.sections[s].options[o] = option
        lastOption = o
      } else {
        ini.sections[s].options.append(option)
        lastOption = ini.sections[s].options.count - 1
      }
    }
    return ini
  }

  /// `value` without an inline `#` comment (one that follows whitespace), trimmed.
  static func stripInlineComment(_ value: Substring) -> String {
    var previous: Character = " "
    for i in value.indices {
      if value[i] == "#", previous == " " || previous == "\t" {
        return String(value[..<i].trimmingWhitespace())
      }
      previous = value[i]
    }
    return String(value.trimmingWhitespace())
  }
}
