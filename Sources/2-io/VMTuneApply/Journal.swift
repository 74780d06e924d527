import FoundationEssentials
import VMTuneKernel
import VMTuneProfile

/// One apply's record of the values it replaced, written (fsync, rename) before the first
/// sysctl write, so a crash at any point can be undone by the next run.
///
/// Format 2 carries a digest of the file's own bytes (``JournalDigest``), verified whenever a
/// journal is read; format 1 (no digest) is still read, and rollback checks every journal's
/// values against the catalog and the running kernel either way.
public struct Journal: Sendable, Hashable, Codable {
  public static let formatVersion = 2

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
    /// `desired` is the key's baseline: the apply released it (a profile switch, `unmanage:`,
    /// `vmtune off`), and vmtune no longer manages it.
    public var released = false

    public var key: String { knob.name }

    public init(knob: Knob, original: SysctlValue, desired: SysctlValue?, released: Bool = false) {
      self.knob = knob
      self.original = original
      self.desired = desired
      self.released = released
    }
  }

  /// The sysctl.d file an apply changed: what was there before (nil: nothing) and what it wrote
  /// (nil with `removed`: `vmtune off` removed it). Rollback puts `previous` back.
  public struct PersistRecord: Sendable, Hashable, Codable {
    /// Relative to the root: `etc/sysctl.d/NAME.conf`.
    public var path: String
    public var previous: String?
    /// The content written (nil in journals of vmtune before 0.2, and for a removal).
    public var written: String?
    public var removed: Bool?

    public init(path: String, previous: String?, written: String?, removed: Bool?) {
      self.path = path
      self.previous = previous
      self.written = written
      self.removed = removed
    }
  }

  public var formatVersion = Journal.formatVersion
  public var generation: Int
  /// Seconds since the epoch.
  public var createdAt: Int64
  public var profile: String
  public var files: [String]
  /// The command that made it: `apply`, `agent` (drift enforcement), `off`; nil in older journals.
  public var command: String?
  /// The profiles named on the command line, in merge order (`apply base latency`), as paths.
  public var sources: [String]?
  public var kernelRelease: String?
  public var state: State
  /// In write order.
  public var entries: [Entry]
  public var persisted: PersistRecord?
  /// A note on how the journal ended (`recovered after a crash`, the failing key…).
  public var note: String?
  /// SHA-256 of the file with this field zeroed (format 2); set when the journal is written.
  public var digest: String?
  /// The newest generation folded into this record by history compaction (nil: one apply). A
  /// folded record holds, per key, the oldest original and the newest value written.
  public var through: Int?
}

extension Journal.Entry: Codable {
  enum CodingKeys: String, CodingKey { case key, original, desired, released }

  /// Journals name knobs and store values as text; reading one back looks the knob up and parses
  /// the values with its type, so a hand-edited journal with an unknown key or a value of the
  /// wrong shape is refused as corrupt instead of being written to the kernel.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    knob = try KnobCatalog.decoding(try c.decode(String.self, forKey: .key), at: c.codingPath + [CodingKeys.key])
    original = try KnobCatalog.value(
      try c.decode(String.self, forKey: .original), of: knob, at: c.codingPath + [CodingKeys.original])
    desired = try c.decodeIfPresent(String.self, forKey: .desired).map { [knob] in
      try KnobCatalog.value($0, of: knob, at: c.codingPath + [CodingKeys.desired])
    }
    released = try c.decodeIfPresent(Bool.self, forKey: .released) ?? false
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(knob.codingName, forKey: .key)
    try c.encode(original, forKey: .original)
    try c.encodeIfPresent(desired, forKey: .desired)
    if released { try c.encode(released, forKey: .released) }
  }
}
