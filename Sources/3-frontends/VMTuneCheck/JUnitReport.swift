import VMTuneFrontend

/// JUnit XML as Jenkins (junit and xunit plugins), GitLab and GitHub's JUnit reporters all read
/// it: `<testsuites name tests failures errors time>` (no `skipped` there: Jenkins' schema does
/// not declare it), a `<testsuite>` per host with every count, `errors` included, and a
/// `<testcase name classname time>` per key with a `<failure>`, `<skipped>` or `<error>`.
/// An unreadable snapshot is a testsuite of one testcase with an `<error>`; a check that could
/// not run at all is one such testsuite too. vmtune measures no durations: times are 0.
enum JUnitReport {
  struct Case {
    var classname: String
    var name: String
    /// `failure`, `error` or `skipped`, with its message, type and text; nil when it passed.
    var outcome: (element: String, message: String, type: String?, text: String)?
  }

  struct Suite {
    var name: String
    var file: String?
    var cases: [Case]

    func count(_ element: String) -> Int { cases.filter { $0.outcome?.element == element }.count }
  }

  static func render(_ results: CheckResults) -> String {
    let stamp = UTC.iso8601(results.timestamp)
    var suites = results.entries.map { entry -> Suite in
      switch entry {
      case .checked(let r): return suite(r)
      case .unreadable(let u):
        return Suite(
          name: "\(u.snapshot).\(results.profile)", file: u.snapshot,
          cases: [
            Case(
              classname: u.snapshot, name: "snapshot",
              outcome: ("error", "cannot read \(u.path): \(u.error)", "unreadable", ""))
          ])
      }
    }
    if let failure = results.failure {
      suites.append(
        Suite(
          name: "vmtune check \(results.profile)", file: nil,
          cases: [Case(classname: "vmtune", name: "check", outcome: ("error", failure, "error", ""))]))
    }
    let tests = suites.reduce(0) { $0 + $1.cases.count }
    let failures = suites.reduce(0) { $0 + $1.count("failure") }
    let errors = suites.reduce(0) { $0 + $1.count("error") }
    var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    out +=
      "<testsuites name=\"vmtune check\" tests=\"\(tests)\" failures=\"\(failures)\" errors=\"\(errors)\" time=\"0\">\n"
    for s in suites {
      out +=
        "  <testsuite name=\"\(xml(s.name))\" tests=\"\(s.cases.count)\" failures=\"\(s.count("failure"))\" "
        + "errors=\"\(s.count("error"))\" skipped=\"\(s.count("skipped"))\" time=\"0\" timestamp=\"\(stamp)\""
        + (s.file.map { " file=\"\(xml($0))\"" } ?? "") + ">\n"
      for c in s.cases {
        out += "    <testcase classname=\"\(xml(c.classname))\" name=\"\(xml(c.name))\" time=\"0\">"
        if let o = c.outcome {
          out += "<\(o.element) message=\"\(xml(o.message))\"" + (o.type.map { " type=\"\(xml($0))\"" } ?? "")
          out += o.text.isEmpty ? "/>" : ">\(xml(o.text))</\(o.element)>"
        }
        out += "</testcase>\n"
      }
      out += "  </testsuite>\n"
    }
    return out + "</testsuites>\n"
  }

  /// A host's testsuite: one testcase per key.
  static func suite(_ r: CheckReport) -> Suite {
    Suite(
      name: "\(r.host).\(r.profile)", file: r.snapshot,
      cases: r.keys.map { k in
        switch k.status {
        case "drift":
          return Case(
            classname: r.host, name: "vm.\(k.key)",
            outcome: ("failure", k.message ?? "", "drift", "live=\(k.live ?? "") want=\(k.want)"))
        case "skipped":
          return Case(classname: r.host, name: "vm.\(k.key)", outcome: ("skipped", k.message ?? "", nil, ""))
        default: return Case(classname: r.host, name: "vm.\(k.key)", outcome: nil)
        }
      })
  }

  /// Text and attribute values with the five XML specials escaped, line breaks as character
  /// references (attribute values would fold them into spaces) and the control characters XML
  /// 1.0 cannot carry as `?`.
  static func xml(_ s: String) -> String {
    var out = ""
    for c in s {
      switch c {
      case "\n": out += "&#10;"
      case "\t": out += "&#9;"
      case "\r\n", "\r": out += "&#10;"
      case _ where c.asciiValue.map { $0 < 0x20 || $0 == 0x7F } == true: out += "?"
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&apos;"
      default: out.append(c)
      }
    }
    return out
  }
}
