import FoundationEssentials
import VMTuneKernel
import VMTuneProfile

/// A journal file that cannot be used: unreadable, not a journal, or changed since it was written.
public struct CorruptJournal: Sendable, Hashable, Codable {
  public var generation: Int
  public var path: String
  public var reason: String
}

/// Reads and writes journals under `<root>/var/lib/vmtune/journal/`, one file a generation.
///
/// A record that must follow sysctl writes (an apply's final `applied` record, rollback's
/// `rolled-back` one) is written before the first write as `NNNNNN.pending` beside the journal,
/// and put in place afterwards by a rename, which needs no new space: a full state file system
/// refuses the change before anything is written, never after.
public struct JournalStore: Sendable {
  public static let directory = "var/lib/vmtune/journal"
  public static let keep = 50
  public let files: HostFiles

  public init(files: HostFiles) { self.files = files }

  static func name(_ generation: Int) -> String { padded(generation) + ".json" }
  static func pendingName(_ generation: Int) -> String { padded(generation) + ".pending" }

  private static func padded(_ generation: Int) -> String {
    let digits = String(generation)
    return String(repeating: "0", count: max(0, 6 - digits.count)) + digits
  }

  /// The journal file of `generation`, relative to the root.
  public static func relativePath(_ generation: Int) -> String { "\(directory)/\(name(generation))" }

  /// Generations present, oldest first.
  public func generations() -> [Int] {
    files.list(Self.directory).compactMap { name in
      name.hasSuffix(".json") ? Int(name.dropLast(5)) : nil
    }.sorted()
  }

  /// The journal of `generation`, its digest verified.
  public func load(_ generation: Int) throws(ApplyError) -> Journal {
    let rel = Self.relativePath(generation)
    let bytes: [UInt8]
    do { bytes = try files.read(rel) } catch { throw .journal(error) }
    return try Self.decode(bytes, path: files.path(rel))
  }

  /// Decodes a journal file and checks its digest; any failure is ``ApplyError/corruptJournal(path:reason:)``
  /// with a one-line reason.
  static func decode(_ bytes: [UInt8], path: String) throws(ApplyError) -> Journal {
    let journal: Journal
    do {
      journal = try JSONDecoder().decode(Journal.self, from: Data(bytes))
    } catch {
      // An edit that broke the content usually broke the digest too: say both.
      let digest = JournalDigest.digest(of: bytes) != nil ? JournalDigest.verify(bytes).map { "\($0); " } : nil
      throw .corruptJournal(path: path, reason: (digest ?? "") + DecodingText.describe(error))
    }
    guard (1...Journal.formatVersion).contains(journal.formatVersion) else {
      throw .corruptJournal(
        path: path, reason: "journal format \(journal.formatVersion); this vmtune reads 1 to \(Journal.formatVersion)")
    }
    if journal.formatVersion >= 2, let why = JournalDigest.verify(bytes) {
      throw .corruptJournal(path: path, reason: why)
    }
    return journal
  }

  /// Every journal that can be read and verified, oldest first, and those that cannot, each
  /// with its path and why; one bad file does not hide the others.
  public func scan() -> (journals: [Journal], corrupt: [CorruptJournal]) {
    var journals: [Journal] = []
    var corrupt: [CorruptJournal] = []
    for g in generations() {
      do throws(ApplyError) {
        journals.append(try load(g))
      } catch {
        let reason: String
        switch error {
        case .corruptJournal(_, let why): reason = why
        case .journal(let e): reason = e.description
        default: reason = error.description
        }
        corrupt.append(CorruptJournal(generation: g, path: files.path(Self.relativePath(g)), reason: reason))
      }
    }
    return (journals, corrupt)
  }

  /// Creates the state directory (0700) and writes `journal` atomically (0600).
  public func save(_ journal: Journal) throws(ApplyError) {
    try write(journal, to: Self.relativePath(journal.generation))
  }

  /// Writes `journal` as the pending record of its generation: it takes its room on the state
  /// file system now, and ``commit(_:)`` puts it in place without needing more.
  public func stage(_ journal: Journal) throws(ApplyError) {
    try write(journal, to: "\(Self.directory)/\(Self.pendingName(journal.generation))")
  }

  /// Replaces the journal of `generation` with its pending record (a rename).
  public func commit(_ generation: Int) throws(KernelError) {
    try files.move("\(Self.directory)/\(Self.pendingName(generation))", to: Self.relativePath(generation))
  }

  /// Drops the pending record of `generation`, giving its room back.
  public func unstage(_ generation: Int) {
    try? files.remove("\(Self.directory)/\(Self.pendingName(generation))")
  }

  /// Removes pending records left by a run that died between staging and putting them in place
  /// (under the lock no other run has one in flight), giving their room back.
  func removeStalePending() {
    for name in files.list(Self.directory) where name.hasSuffix(".pending") {
      try? files.remove("\(Self.directory)/\(name)")
    }
  }

  /// Removes the journal of an apply that stopped before its first write.
  func discard(_ generation: Int) {
    unstage(generation)
    try? files.remove(Self.relativePath(generation))
  }

  private func write(_ journal: Journal, to relative: String) throws(ApplyError) {
    do {
      try files.secureStateDirectory("var/lib/vmtune")
      try files.secureStateDirectory(Self.directory)
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
      var record = journal
      record.formatVersion = Journal.formatVersion
      record.digest = JournalDigest.placeholder
      guard let sealed = JournalDigest.seal(Array(try encoder.encode(record))) else {
        throw ApplyError.corruptJournal(path: files.path(relative), reason: "the encoded journal has no digest field")
      }
      try files.writeAtomically(relative, sealed, mode: 0o600)
    } catch let e as KernelError {
      throw .journal(e)
    } catch let e as ApplyError {
      throw e
    } catch {
      throw .corruptJournal(path: files.path(relative), reason: "cannot encode: \(error)")
    }
  }

}
