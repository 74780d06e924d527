import FoundationEssentials
import VMTuneKernel

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

  public func load(_ generation: Int) throws(ApplyError) -> Journal {
    let rel = Self.relativePath(generation)
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
      let data = try encoder.encode(journal)
      try files.writeAtomically(relative, Array(data), mode: 0o600)
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
