import FoundationEssentials
import VMTuneKernel
import VMTuneProfile

/// One apply's record of the values it replaced, written (fsync, rename) before the first
/// sysctl write, so a crash at any point can be undone by the next run.
public struct Journal: Sendable, Hashable, Codable {
  public static let formatVersion = 1

  public enum State: String, Sendable, Hashable, Codable {
    /// Writes may have started and not finished: recover on the next run.
    case inProgress = "in-progress"
    /// Every write succeeded and was read back.
    case applied
    /// A write failed; every original was restored.
    case failed
    /// `vmtune rollback` (or crash recovery) restored the originals.
    case rolledBack = "rolled-back"
  }

  public struct Entry: Sendable, Hashable {
    public var knob: Knob
    /// The value before apply.
    public var original: SysctlValue
    /// What apply set; nil for keys recorded only because the kernel may zero them.
    public var desired: SysctlValue?

    public var key: String { knob.name }

    public init(knob: Knob, original: SysctlValue, desired: SysctlValue?) {
      self.knob = knob
      self.original = original
      self.desired = desired
    }
  }

  /// The sysctl.d file apply wrote, and what was there before (nil: nothing).
  public struct PersistRecord: Sendable, Hashable, Codable {
    public var path: String
    public var previous: String?
  }

  public var formatVersion = Journal.formatVersion
  public var generation: Int
  /// Seconds since the epoch.
  public var createdAt: Int64
  public var profile: String
  public var files: [String]
  public var kernelRelease: String?
  public var state: State
  /// In write order.
  public var entries: [Entry]
  public var persisted: PersistRecord?
  /// A note on how the journal ended (`recovered after a crash`, the failing key…).
  public var note: String?
}

/// Reads and writes journals under `<root>/var/lib/vmtune/journal/`, one file a generation.
public struct JournalStore: Sendable {
  public static let directory = "var/lib/vmtune/journal"
  public static let keep = 50
  public let files: HostFiles

  public init(files: HostFiles) { self.files = files }

  static func name(_ generation: Int) -> String {
    let digits = String(generation)
    return String(repeating: "0", count: max(0, 6 - digits.count)) + digits + ".json"
  }

  /// Generations present, oldest first.
  public func generations() -> [Int] {
    files.list(Self.directory).compactMap { name in
      name.hasSuffix(".json") ? Int(name.dropLast(5)) : nil
    }.sorted()
  }

  public func load(_ generation: Int) throws(ApplyError) -> Journal {
    let rel = "\(Self.directory)/\(Self.name(generation))"
    do {
      let bytes = try files.read(rel)
      return try JSONDecoder().decode(Journal.self, from: Data(bytes))
    } catch let e as KernelError {
      throw .journal(e)
    } catch {
      throw .corruptJournal(path: files.path(rel), reason: "\(error)")
    }
  }

  /// Every journal, oldest first; unreadable ones are reported, not skipped silently.
  public func all() throws(ApplyError) -> [Journal] {
    var out: [Journal] = []
    for g in generations() { out.append(try load(g)) }
    return out
  }

  /// Creates the state directory (0700) and writes `journal` atomically (0600).
  public func save(_ journal: Journal) throws(ApplyError) {
    do {
      try files.secureStateDirectory("var/lib/vmtune")
      try files.secureStateDirectory(Self.directory)
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
      let data = try encoder.encode(journal)
      try files.writeAtomically("\(Self.directory)/\(Self.name(journal.generation))", Array(data), mode: 0o600)
    } catch let e as KernelError {
      throw .journal(e)
    } catch {
      throw .corruptJournal(path: files.path(Self.directory), reason: "\(error)")
    }
  }

  /// Drops the oldest journals beyond ``keep``.
  public func prune() {
    let gens = generations()
    for g in gens.dropLast(Self.keep) {
      try? files.remove("\(Self.directory)/\(Self.name(g))")
    }
  }
}

extension Journal.Entry: Codable {
  enum CodingKeys: String, CodingKey { case key, original, desired }

  /// Journals name knobs and store values as text; reading one back looks the knob up and parses
  /// the values with its type, so a hand-edited journal with an unknown key or a value of the
  /// wrong shape is refused as corrupt instead of being written to the kernel.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    knob = try KnobCatalog.decoding(try c.decode(String.self, forKey: .key), at: c.codingPath)
    original = try KnobCatalog.value(try c.decode(String.self, forKey: .original), of: knob, at: c.codingPath)
    desired = try c.decodeIfPresent(String.self, forKey: .desired).map { [knob] in
      try KnobCatalog.value($0, of: knob, at: c.codingPath)
    }
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(knob.codingName, forKey: .key)
    try c.encode(original, forKey: .original)
    try c.encodeIfPresent(desired, forKey: .desired)
  }
}
