import Testing

@testable import VMTuneProfile

@Suite struct YAMLParserTests {
  @Test func everyNodeCarriesLineAndColumn() throws {
    let root = try #require(try YAMLParser.parse("a: 1\nsysctl:\n  swappiness: 10\n  list: [1, 2]\n"))
    guard case .mapping(let pairs) = root.content else {
      Issue.record("root is not a mapping")
      return
    }
    #expect(pairs[0].key.mark == Mark(line: 1, column: 1))
    #expect(pairs[0].value.mark == Mark(line: 1, column: 4))
    guard case .mapping(let inner) = pairs[1].value.content else {
      Issue.record("sysctl is not a mapping")
      return
    }
    #expect(inner[0].key.scalar == "swappiness")
    #expect(inner[0].value.mark == Mark(line: 3, column: 15))
    guard case .sequence(let items) = inner[1].value.content else {
      Issue.record("list is not a sequence")
      return
    }
    #expect(items.map(\.mark) == [Mark(line: 4, column: 10), Mark(line: 4, column: 13)])
  }

  @Test func quotedScalarsAreNotPlain() throws {
    let root = try #require(try YAMLParser.parse("a: \"010\"\nb: 010\n"))
    guard case .mapping(let pairs) = root.content else {
      Issue.record("root is not a mapping: \(root.content)")
      return
    }
    try #require(pairs.count == 2)
    #expect(pairs[0].value.content == .scalar("010", plain: false))
    #expect(pairs[1].value.content == .scalar("010", plain: true))
  }

  @Test func duplicateKeysAreErrorsWithBothPositions() {
    #expect(
      throws: YAMLError.duplicateKey("swappiness", first: Mark(line: 2, column: 3), second: Mark(line: 3, column: 3))
    ) {
      try YAMLParser.parse("sysctl:\n  swappiness: 1\n  swappiness: 2\n")
    }
  }

  @Test func anchorsAndAliasesAreRefused() {
    #expect(throws: YAMLError.unsupported("anchors (&name)", Mark(line: 1, column: 4))) {
      try YAMLParser.parse("a: &x [1, 2]\nb: *x\n")
    }
    // The classic alias bomb never expands: the first anchor is refused.
    let bomb = "a: &a [\"lol\",\"lol\"]\nb: &b [*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b]\n"
    #expect(throws: YAMLError.self) { try YAMLParser.parse(bomb) }
  }

  @Test func tabsInIndentationAreSyntaxErrorsWithAPosition() throws {
    do {
      _ = try YAMLParser.parse("sysctl:\n\tswappiness: 1\n")
      Issue.record("tab indentation was accepted")
    } catch {
      guard case .syntax(let message, let mark) = error else {
        Issue.record("expected a syntax error, got \(error)")
        return
      }
      #expect(mark.line == 2)
      #expect(message == "while scanning for the next token: found character that cannot start any token")
    }
  }

  @Test func deepNestingIsRefused() {
    let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
    #expect(throws: YAMLError.tooDeep(limit: YAMLParser.maxDepth, Mark(line: 1, column: 65))) {
      try YAMLParser.parse(deep)
    }
  }

  @Test func listsLongerThanTheLimitAreRefusedAtTheirStart() throws {
    let limit = YAMLParser.maxItems
    let items = { (n: Int) in Array(repeating: "1", count: n).joined(separator: ", ") }
    #expect(throws: Never.self) { try YAMLParser.parse("a: [\(items(limit))]\n") }
    #expect(throws: YAMLError.listTooLong(limit: limit, Mark(line: 2, column: 6))) {
      try YAMLParser.parse("a:\n  b: [\(items(limit + 1))]\n")
    }
    let block = "a:\n" + String(repeating: "- 1\n", count: limit + 1)
    #expect(throws: YAMLError.listTooLong(limit: limit, Mark(line: 2, column: 1))) { try YAMLParser.parse(block) }
    #expect(
      YAMLError.listTooLong(limit: 1024, Mark(line: 1, column: 1)).description
        == "a list longer than 1024 items; profiles list a few zones, nodes or includes")
  }

  @Test func mappingsWithMoreKeysThanTheLimitAreRefusedAtTheirStart() throws {
    let limit = YAMLParser.maxKeys
    let keys = { (n: Int) in (0..<n).map { "  k\($0): 1\n" }.joined() }
    #expect(throws: Never.self) { try YAMLParser.parse("a:\n" + keys(limit)) }
    #expect(throws: YAMLError.tooManyKeys(limit: limit, Mark(line: 2, column: 3))) {
      try YAMLParser.parse("a:\n" + keys(limit + 1))
    }
    #expect(
      YAMLError.tooManyKeys(limit: 1024, Mark(line: 1, column: 1)).description
        == "a mapping with more than 1024 keys; a profile sets a few dozen")
  }

  @Test func keysLongerThanTheLimitAreRefused() throws {
    let limit = YAMLParser.maxKeyBytes
    #expect(throws: Never.self) { try YAMLParser.parse(String(repeating: "k", count: limit) + ": 1\n") }
    #expect(throws: YAMLError.keyTooLong(limit: limit, Mark(line: 2, column: 1))) {
      try YAMLParser.parse("a: 1\n" + String(repeating: "k", count: limit + 1) + ": 1\n")
    }
    #expect(
      YAMLError.keyTooLong(limit: 256, Mark(line: 1, column: 1)).description
        == "a key longer than 256 bytes; vm sysctl names are under 40")
  }

  @Test func moreNodesThanTheLimitAreRefused() throws {
    // 98 lists of 1024 items: within the list limit, over the node limit.
    let list = "[" + Array(repeating: "1", count: YAMLParser.maxItems).joined(separator: ", ") + "]"
    let text = "a: [" + Array(repeating: list, count: 98).joined(separator: ", ") + "]\n"
    do {
      _ = try YAMLParser.parse(text)
      Issue.record("100,352 nodes accepted")
    } catch {
      guard case .tooLarge(let limit, _) = error else {
        Issue.record("expected tooLarge, got \(error)")
        return
      }
      #expect(limit == YAMLParser.maxNodes)
      #expect(error.description == "more than 100000 YAML nodes; a profile needs far fewer")
    }
  }

  @Test func multipleDocumentsAndCustomTagsAreRefused() {
    #expect(throws: YAMLError.self) { try YAMLParser.parse("a: 1\n---\nb: 2\n") }
    #expect(throws: YAMLError.unsupported("custom tags (!python/object)", Mark(line: 1, column: 4))) {
      try YAMLParser.parse("a: !python/object 1\n")
    }
  }

  @Test func emptyDocumentHasNoRoot() throws {
    #expect(try YAMLParser.parse("") == nil)
    #expect(try YAMLParser.parse("# only a comment\n") == nil)
  }
}
