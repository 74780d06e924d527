import Testing

@testable import VMTuneProfile

/// The loader's work grows linearly with its input, and what no profile needs is refused with the
/// limit in the message. How long it takes is measured by bench/loader-scaling.py, not here.
@Suite struct LoaderLimitTests {
  /// `count` copies of `item`, comma-separated, as a flow list.
  func flowList(_ item: String, _ count: Int) -> String {
    "[" + Array(repeating: item, count: count).joined(separator: ", ") + "]"
  }

  @Test func aListOf90000ItemsIsRefusedWithTheLimit() {
    // 270 KB: took 75 s and was accepted.
    let found = errors("name: p\nsysctl:\n  lowmem_reserve_ratio: \(flowList("1", 90_000))\n")
    #expect(found.count == 1)
    #expect(found.first?.message == "a list longer than 1024 items; profiles list a few zones, nodes or includes")
    #expect(found.first?.mark == Mark(line: 4, column: 25), "at the list's start")
  }
}

extension LoaderLimitTests {
  /// Just under the 1 MiB the loader reads, after `apiVersion: vmtune/v1\nname: p\n`.
  static let budget = ProfileLoader.maxFileBytes - 64

  /// `line` repeated (numbered through `\(i)` by `make`) until the budget is spent.
  func lines(_ make: (Int) -> String) -> String {
    var out = ""
    var i = 0
    while true {
      let line = make(i)
      if out.utf8.count + line.utf8.count > Self.budget { return out }
      out += line
      i += 1
    }
  }

  @Test func oneMiBOfEveryShapeIsAcceptedOrRefusedWithTheLimit() throws {
    let description = "description: " + String(repeating: "x", count: Self.budget - 20) + "\n"
    let p = try load(["p.yaml": "apiVersion: vmtune/v1\nname: p\n" + description])
    #expect(p.description.utf8.count == Self.budget - 20, "a long scalar is accepted")
    let deepItem = String(repeating: "[", count: 70) + "1" + String(repeating: "]", count: 70)
    let shapes: [(String, String, String)] = [
      ("flow list", "sysctl:\n  lowmem_reserve_ratio: \(flowList("1", Self.budget / 3))\n", "a list longer than 1024"),
      ("block list", "sysctl:\n  lowmem_reserve_ratio:\n" + lines { _ in "  - 1\n" }, "a list longer than 1024"),
      ("many keys", "sysctl:\n" + lines { "  k\($0): 1\n" }, "a mapping with more than 1024 keys"),
      ("deep nesting", "guards: \(flowList(deepItem, Self.budget / 143))\n", "nesting deeper than 64 levels"),
      // Explicit (`? key`): libyaml itself refuses implicit keys over 1024 characters.
      ("long key", "? " + String(repeating: "k", count: Self.budget - 20) + "\n: 1\n", "a key longer than 256 bytes"),
      (
        "many nodes", "x: \(flowList(flowList("1", 1024), 300))\n",
        "more than 100000 YAML nodes"
      ),
    ]
    for (shape, body, message) in shapes {
      let found = errors("name: p\n" + body)
      #expect(found.count == 1, "\(shape)")
      #expect(found.first?.message.hasPrefix(message) == true, "\(shape): \(found.first?.message ?? "")")
    }
  }

  @Test func manyErrorsAreEachReportedWithTheirLine() {
    let body = (0..<1000).map { "  k\($0): 1\n" }.joined()
    let found = errors("name: p\nsysctl:\n" + body)
    #expect(found.count == 1000)
    #expect(found.last?.mark == Mark(line: 1003, column: 3))
    #expect(found.last?.sourceLine == "  k999: 1")
  }
}

extension LoaderLimitTests {
  /// Includes of includes multiply: 1024 × 1024 loads from two small files would take minutes.
  @Test func anIncludeTreeLoadsAtMostTheLimitOfFiles() throws {
    let header = "apiVersion: vmtune/v1\nname: "
    let fan = { (name: String, parent: String) in
      header + name + "\ninclude: " + self.flowList(parent, 10) + "\n"
    }
    let files = [
      "p.yaml": fan("p", "x"), "x.yaml": fan("x", "base"),
      "base.yaml": header + "base\nsysctl:\n  swappiness: 10\n",
    ]
    do {
      _ = try load(files)
      Issue.record("111 loads accepted")
    } catch {
      #expect(error.errors.count == 1, "\(error.errors)")
      let e = try #require(error.errors.first)
      #expect(e.message == "includes load more than 64 profile files; include each profile once")
      #expect(e.file == "x.yaml")
    }
    // Within the limit, a profile may include another more than once.
    var few = files
    few["p.yaml"] = header + "p\ninclude: [x, x]\n"
    #expect(try load(few).settings.map(\.key) == ["swappiness"])
  }
}
