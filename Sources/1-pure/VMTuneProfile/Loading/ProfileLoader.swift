/// Loads a profile file and its `include:` parents, merges them (parents first, child wins) and
/// reports every error with `file:line:column`.
public struct ProfileLoader: Sendable {
  public static let apiVersion = "vmtune/v1"
  /// Larger files are refused before parsing (a profile is a few kB).
  public static let maxFileBytes = 1 << 20
  /// Deeper include chains are refused (a cycle guard independent of path spelling).
  public static let maxIncludeDepth = 16
  /// Files read for one profile, repeats counted: includes of includes multiply, and a few small
  /// files that each include the next a thousand times would otherwise load a billion.
  public static let maxLoads = 64

  public var reader: any ProfileReader
  /// Directories searched for included names after the including file's own directory.
  public var searchPath: [String]

  public init(reader: any ProfileReader, searchPath: [String] = []) {
    self.reader = reader
    self.searchPath = searchPath
  }

  /// Whether `name` is a valid profile name.
  public static func isValidName(_ name: String) -> Bool {
    guard let first = name.unicodeScalars.first, first.properties.isAlphabetic || ("0"..."9").contains(first) else {
      return false
    }
    return name.unicodeScalars.allSatisfy {
      ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || $0 == "-" || $0 == "_" || $0 == "."
    } && !name.contains("..")
  }

  /// Why an `include:` entry is refused (paths are not allowed, only names), or nil.
  static func includeProblem(_ name: String) -> String? {
    if name.utf8.contains(0) { return "include name contains a NUL byte" }
    if name.contains("/") || name.contains("..") {
      return "'\(name)' is a path; include takes profile names only"
    }
    if !isValidName(name) { return "'\(name)' is not a profile name" }
    return nil
  }

  /// Finds a profile given on the command line: a path (contains `/` or ends in .yaml) is used as
  /// is; a bare name is looked up in the search path.
  public func locate(_ nameOrPath: String) -> String? {
    if nameOrPath.contains("/") || nameOrPath.hasSuffix(".yaml") || nameOrPath.hasSuffix(".yml") {
      return reader.exists(nameOrPath) ? nameOrPath : nil
    }
    return find(nameOrPath, beside: nil)
  }

  /// The profile names (file stems of `.yaml` and `.yml` files) in `dirs`, without repeats.
  public func names(in dirs: [String]) -> [String] {
    var seen: Set<String> = []
    return dirs.flatMap { reader.list($0) }.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }
      .map(ProfilePath.stem).filter { seen.insert($0).inserted }
  }

  private func find(_ name: String, beside dir: String?) -> String? {
    let files = name.hasSuffix(".yaml") || name.hasSuffix(".yml") ? [name] : [name + ".yaml", name + ".yml"]
    for d in (dir.map { [$0] } ?? []) + searchPath {
      for f in files {
        let path = ProfilePath.join(d, f)
        if reader.exists(path) { return path }
      }
    }
    return nil
  }

  /// Loads and merges the profile at `path`.
  public func load(path: String) throws(ProfileErrors) -> Profile {
    var state = LoadState()
    let merged = try load(path: path, chain: [], includedFrom: nil, state: &state)
    if !state.errors.isEmpty { throw ProfileErrors(state.errors) }
    var profile = merged
    profile.files = state.files
    return profile
  }

  private struct LoadState {
    var errors: [ProfileError] = []
    /// Every file read, in order (repeats included).
    var files: [String] = []
    /// Set once ``maxLoads`` is reached and reported: later includes are skipped silently.
    var overLoadLimit = false
  }

  /// Loads the file at `path` and the parents it includes, merged; `chain` holds the including
  /// files, outermost first. Errors that do not stop this file are collected in `state`.
  private func load(
    path: String, chain: [String], includedFrom: ProfileError?, state: inout LoadState
  ) throws(ProfileErrors) -> Profile {
    let bytes = try readFile(path, includedFrom: includedFrom, state: &state)
    let doc = try parseDocument(bytes, path: path, state: &state)
    let parents = loadIncludes(of: doc, path: path, chain: chain, state: &state)
    return Self.merge(parents: parents, child: doc)
  }

  /// The bytes of `path` (recorded in `state.files`), refused when unreadable, too large or not UTF-8.
  /// A read error is reported at `includedFrom`, the include that named the file, if any.
  private func readFile(_ path: String, includedFrom: ProfileError?, state: inout LoadState) throws(ProfileErrors)
    -> [UInt8]
  {
    let bytes: [UInt8]
    do {
      bytes = try reader.read(path)
    } catch {
      var e = includedFrom ?? ProfileError(file: path, mark: nil, message: "")
      e.message = "cannot read \(path): \(error)"
      if includedFrom == nil { e.hint = "give a profile path, or a name from 'vmtune profiles'" }
      throw ProfileErrors([e])
    }
    state.files.append(path)
    if let problem = Self.contentProblem(bytes, path: path) { throw ProfileErrors([problem]) }
    return bytes
  }

  /// Why the bytes of `path` cannot be a profile (too large, not UTF-8), or nil.
  static func contentProblem(_ bytes: [UInt8], path: String) -> ProfileError? {
    if bytes.count > maxFileBytes {
      return ProfileError(
        file: path, mark: nil,
        message: "the file is \(bytes.count) bytes; profiles are limited to \(maxFileBytes)",
        hint: "a profile sets a few dozen keys; check that this is the right file")
    }
    if let bad = firstInvalidUTF8(bytes) {
      return ProfileError(file: path, mark: bad, message: "invalid UTF-8", hint: "save the file as UTF-8")
    }
    return nil
  }

  /// The profile document in `bytes`; a YAML error stops the load, document errors go to `state`.
  private func parseDocument(_ bytes: [UInt8], path: String, state: inout LoadState) throws(ProfileErrors)
    -> ProfileDocument
  {
    let root: YAMLNode?
    do {
      root = try YAMLParser.parse(bytes)
    } catch {
      throw ProfileErrors([Self.quoting(ProfileError(file: path, mark: error.mark, message: error.description), bytes)])
    }
    var parser = DocumentParser(file: path)
    let doc = parser.parse(root, defaultName: ProfilePath.stem(path))
    state.errors += Self.quoting(parser.errors, bytes)
    return doc
  }

  /// The profiles `doc` (the file at `path`) includes, in order; those that fail add their errors to `state`.
  private func loadIncludes(
    of doc: ProfileDocument, path: String, chain: [String], state: inout LoadState
  ) -> [Profile] {
    var parents: [Profile] = []
    for include in doc.includes {
      let site = ProfileError(file: path, mark: include.mark, key: "include", message: "")
      switch includeTarget(include.name, site: site, path: path, chain: chain) {
      case .failure(let e):
        state.errors.append(e)
      case .success(let target):
        if state.overLoadLimit { return parents }
        if state.files.count >= Self.maxLoads {
          var e = site
          e.message = "includes load more than \(Self.maxLoads) profile files; include each profile once"
          state.errors.append(e)
          state.overLoadLimit = true
          return parents
        }
        do {
          parents.append(try load(path: target, chain: chain + [path], includedFrom: site, state: &state))
        } catch {
          state.errors += error.errors
        }
      }
    }
    return parents
  }

  /// The file an include of `name` in `path` loads, or the error at `site`: no such profile, an
  /// include cycle, or too deep a chain.
  private func includeTarget(
    _ name: String, site: ProfileError, path: String, chain: [String]
  ) -> Result<String, ProfileError> {
    var e = site
    let beside = ProfilePath.directory(of: path)
    guard let target = find(name, beside: beside) else {
      e.message = "no profile named '\(name)'"
      let looked =
        "looked beside \(path) and in \(searchPath.isEmpty ? "no search path" : searchPath.joined(separator: ", "))"
      e.hint =
        NameSuggestion.hint(for: name, among: names(in: [beside] + searchPath)).map { "\($0) (\(looked))" } ?? looked
      return .failure(e)
    }
    if chain.contains(target) || target == path {
      e.message = "include cycle: " + (chain + [path, target]).map(ProfilePath.stem).joined(separator: " → ")
      e.hint = "remove one of the includes in the cycle"
      return .failure(e)
    }
    if chain.count + 1 >= Self.maxIncludeDepth {
      e.message = "includes nest deeper than \(Self.maxIncludeDepth) levels"
      return .failure(e)
    }
    return .success(target)
  }

  /// Parents in order, then the child: later settings replace earlier ones key by key (and drop
  /// the earlier value of the knob's mutually exclusive partner).
  static func merge(parents: [Profile], child doc: ProfileDocument) -> Profile {
    var settings: [Setting] = []
    var actions: [Action] = []
    var guards = Guards()
    func put(_ s: Setting) {
      if let partner = s.knob.exclusiveWith {
        settings.removeAll { $0.key == partner }
      }
      if let i = settings.firstIndex(where: { $0.key == s.key }) {
        settings[i] = s
      } else {
        settings.append(s)
      }
    }
    func putAction(_ a: Action) {
      actions.removeAll { $0.kind == a.kind }
      actions.append(a)
    }
    var unmanaged: [String] = []
    var persistFile: String?
    func unmanage(_ knob: Knob) {
      settings.removeAll { $0.knob == knob }
      if !unmanaged.contains(knob.codingName) { unmanaged.append(knob.codingName) }
    }
    for p in parents {
      for s in p.settings {
        unmanaged.removeAll { $0 == s.knob.codingName }
        put(s)
      }
      p.actions.forEach(putAction)
      if let g = p.guards.maxMinFreePercent { guards.maxMinFreePercent = g }
      for name in p.unmanaged { if let knob = KnobCatalog.decodingName(name) { unmanage(knob) } }
      if let f = p.persistFile { persistFile = f }
    }
    for var s in doc.settings {
      s.conditions = doc.conditions + s.conditions
      unmanaged.removeAll { $0 == s.knob.codingName }
      put(s)
    }
    for u in doc.unmanaged { unmanage(u.knob) }
    doc.actions.forEach(putAction)
    if let g = doc.guards.maxMinFreePercent { guards.maxMinFreePercent = g }
    var profile = Profile(
      apiVersion: doc.apiVersion, name: doc.name, description: doc.description,
      settings: settings, actions: actions, guards: guards, conditions: doc.conditions)
    profile.unmanaged = unmanaged
    profile.persistFile = doc.persistFile ?? persistFile
    return profile
  }

  /// Several loaded profiles as one, merged in order as `include:` merges parents (later wins
  /// key by key, `unmanage:` of a later one releases an earlier one's key): `vmtune apply base
  /// latency`, like tuned's `profile a b`. One profile is returned as it is.
  public static func combine(_ profiles: [Profile]) -> Profile {
    guard profiles.count > 1 else { return profiles.first ?? Profile(name: "none") }
    let name = profiles.map(\.name).joined(separator: "+")
    var merged = merge(parents: profiles, child: ProfileDocument(file: "", name: name))
    merged.description = profiles.map(\.description).filter { !$0.isEmpty }.joined(separator: " + ")
    merged.files = profiles.flatMap(\.files)
    return merged
  }

  /// `error` with the text of the line its mark points into (tabs kept, at most 200 characters).
  static func quoting(_ error: ProfileError, _ bytes: [UInt8]) -> ProfileError {
    quoting([error], bytes)[0]
  }

  /// `errors`, each with the text of the line its mark points into (tabs kept, at most 200
  /// characters). The lines are found in one pass over `bytes`, however many errors there are.
  static func quoting(_ errors: [ProfileError], _ bytes: [UInt8]) -> [ProfileError] {
    guard errors.contains(where: { $0.mark != nil && $0.sourceLine == nil }) else { return errors }
    var lineStarts = [0]
    for (i, b) in bytes.enumerated() where b == 0x0A { lineStarts.append(i + 1) }
    return errors.map { error in
      guard let mark = error.mark, error.sourceLine == nil, (1...lineStarts.count).contains(mark.line) else {
        return error
      }
      let start = lineStarts[mark.line - 1]
      var end = start
      while end < bytes.count, bytes[end] != 0x0A, end - start < 200 { end += 1 }
      var e = error
      e.sourceLine = String(decoding: bytes[start..<end], as: UTF8.self)
      return e
    }
  }

  /// Position of the first byte that is not valid UTF-8, if any.
  static func firstInvalidUTF8(_ bytes: [UInt8]) -> Mark? {
    // The common case, valid text without NUL, in one pass of the standard library's validator.
    if !bytes.contains(0), String(validating: bytes, as: UTF8.self) != nil { return nil }
    var line = 1
    var column = 1
    var i = 0
    while i < bytes.count {
      let b = bytes[i]
      let length: Int
      switch b {
      case 0x00...0x7F: length = 1
      case 0xC2...0xDF: length = 2
      case 0xE0...0xEF: length = 3
      case 0xF0...0xF4: length = 4
      default: return Mark(line: line, column: column)
      }
      if i + length > bytes.count { return Mark(line: line, column: column) }
      for k in 1..<length where bytes[i + k] & 0xC0 != 0x80 {
        return Mark(line: line, column: column)
      }
      if b == 0 { return Mark(line: line, column: column) }
      if b == 0x0A {
        line += 1
        column = 1
      } else {
        column += 1
      }
      i += length
    }
    return nil
  }
}
