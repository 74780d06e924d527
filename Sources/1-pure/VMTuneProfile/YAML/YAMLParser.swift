internal import CYaml

/// Composes a YAML document into ``YAMLNode``s using libyaml's event API.
///
/// The composer is deliberately strict: one document, no anchors or aliases (no alias bombs),
/// no custom tags, no duplicate keys, bounded depth, node count, list and mapping sizes and key
/// length. Its work is linear in the input: each node is appended once, in place.
public enum YAMLParser {
  public static let maxDepth = 64
  public static let maxNodes = 100_000
  /// Items in one list: a profile lists a few zones, nodes (at most 1024 on Linux) or includes.
  public static let maxItems = 1024
  /// Keys in one mapping: a profile sets a few dozen sysctls.
  public static let maxKeys = 1024
  /// Bytes in one key: the longest vm sysctl name is under 40.
  public static let maxKeyBytes = 256

  /// Parses `bytes` and returns the root node, or nil for an empty document.
  public static func parse(_ bytes: [UInt8]) throws(YAMLError) -> YAMLNode? {
    var parser = yaml_parser_t()
    guard yaml_parser_initialize(&parser) == 1 else {
      throw .syntax("libyaml could not initialise a parser", Mark(line: 1, column: 1))
    }
    defer { yaml_parser_delete(&parser) }
    return try bytes.withUnsafeBufferPointer { (buffer) throws(YAMLError) -> YAMLNode? in
      // libyaml reads through the pointer only while parsing; the buffer outlives it.
      let base = buffer.baseAddress ?? UnsafePointer<UInt8>(bitPattern: 1)!
      yaml_parser_set_input_string(&parser, base, buffer.count)
      var composer = Composer()
      return try composer.run(&parser)
    }
  }

  /// Parses UTF-8 text; a convenience for tests.
  public static func parse(_ text: String) throws(YAMLError) -> YAMLNode? {
    try parse(Array(text.utf8))
  }
}

private struct Composer {
  /// An open list or mapping. Frames are changed in place on the stack (never copied out and
  /// back), so appending an item costs the same however long the list already is.
  private struct Frame {
    var mark: Mark
    var isMapping: Bool
    var items: [YAMLNode] = []
    var pairs: [YAMLNode.Pair] = []
    var pendingKey: YAMLNode?
    var seen: [String: Mark] = [:]
  }

  private var stack: [Frame] = []
  private var root: YAMLNode?
  private var documents = 0
  private var nodes = 0

  mutating func run(_ parser: inout yaml_parser_t) throws(YAMLError) -> YAMLNode? {
    while true {
      var event = yaml_event_t()
      guard yaml_parser_parse(&parser, &event) == 1 else {
        throw Composer.parserError(parser)
      }
      defer { yaml_event_delete(&event) }
      let mark = Mark(
        line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
      switch event.type {
      case YAML_STREAM_END_EVENT:
        return root
      case YAML_DOCUMENT_START_EVENT:
        documents += 1
        if documents > 1 {
          throw .unsupported("multiple YAML documents (---)", mark)
        }
      case YAML_ALIAS_EVENT:
        throw .unsupported("aliases (*name)", mark)
      case YAML_SCALAR_EVENT:
        let s = event.data.scalar
        try Composer.refuse(anchor: s.anchor, tag: s.tag, at: mark)
        let text = String(decoding: UnsafeBufferPointer(start: s.value, count: s.length), as: UTF8.self)
        let plain = s.style == YAML_PLAIN_SCALAR_STYLE
        try add(YAMLNode(.scalar(text, plain: plain), mark: mark))
      case YAML_SEQUENCE_START_EVENT:
        try Composer.refuse(
          anchor: event.data.sequence_start.anchor, tag: event.data.sequence_start.tag, at: mark)
        try push(Frame(mark: mark, isMapping: false))
      case YAML_MAPPING_START_EVENT:
        try Composer.refuse(
          anchor: event.data.mapping_start.anchor, tag: event.data.mapping_start.tag, at: mark)
        try push(Frame(mark: mark, isMapping: true))
      case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
        guard let frame = stack.popLast() else { break }
        let content: YAMLNode.Content = frame.isMapping ? .mapping(frame.pairs) : .sequence(frame.items)
        try add(YAMLNode(content, mark: frame.mark))
      default:
        break
      }
    }
  }

  private mutating func push(_ frame: Frame) throws(YAMLError) {
    if stack.count >= YAMLParser.maxDepth {
      throw .tooDeep(limit: YAMLParser.maxDepth, frame.mark)
    }
    stack.append(frame)
  }

  private mutating func add(_ node: YAMLNode) throws(YAMLError) {
    nodes += 1
    if nodes > YAMLParser.maxNodes {
      throw .tooLarge(limit: YAMLParser.maxNodes, node.mark)
    }
    let top = stack.count - 1
    guard top >= 0 else {
      root = node
      return
    }
    guard stack[top].isMapping else {
      if stack[top].items.count >= YAMLParser.maxItems {
        throw .listTooLong(limit: YAMLParser.maxItems, stack[top].mark)
      }
      stack[top].items.append(node)
      return
    }
    if let key = stack[top].pendingKey {
      stack[top].pairs.append(YAMLNode.Pair(key: key, value: node))
      stack[top].pendingKey = nil
      return
    }
    guard let keyText = node.scalar else {
      throw .unsupported("complex mapping keys (a list or mapping used as a key)", node.mark)
    }
    if keyText.utf8.count > YAMLParser.maxKeyBytes {
      throw .keyTooLong(limit: YAMLParser.maxKeyBytes, node.mark)
    }
    if let first = stack[top].seen[keyText] {
      throw .duplicateKey(keyText, first: first, second: node.mark)
    }
    if stack[top].pairs.count >= YAMLParser.maxKeys {
      throw .tooManyKeys(limit: YAMLParser.maxKeys, stack[top].mark)
    }
    stack[top].seen[keyText] = node.mark
    stack[top].pendingKey = node
  }

  private static func refuse(
    anchor: UnsafeMutablePointer<yaml_char_t>?, tag: UnsafeMutablePointer<yaml_char_t>?, at mark: Mark
  ) throws(YAMLError) {
    if anchor != nil {
      throw .unsupported("anchors (&name)", mark)
    }
    if let tag {
      let text = String(cString: tag)
      if !text.hasPrefix("tag:yaml.org,2002:") {
        throw .unsupported("custom tags (\(text))", mark)
      }
    }
  }

  private static func parserError(_ parser: yaml_parser_t) -> YAMLError {
    let problem = parser.problem.map { String(cString: $0) } ?? "unknown error"
    let context = parser.context.map { String(cString: $0) + ": " } ?? ""
    let m = parser.problem_mark
    return .syntax(context + problem, Mark(line: Int(m.line) + 1, column: Int(m.column) + 1))
  }
}
