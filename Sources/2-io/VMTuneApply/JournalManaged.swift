import VMTunePlan
import VMTuneProfile

extension Journal {
  /// What the applied journals among `journals` (oldest first) say vmtune manages: each key's
  /// baseline is its original in the oldest of them (the host before vmtune; history compaction
  /// keeps the first generation and folds keep the oldest original), and a key is managed when
  /// the newest of them that wrote it did not release it.
  public static func managed(_ journals: [Journal]) -> ManagedKeys {
    var keys = ManagedKeys()
    for journal in journals where journal.state == .applied {
      for entry in journal.entries {
        if keys.baseline[entry.knob] == nil { keys.baseline[entry.knob] = entry.original }
        guard entry.desired != nil else { continue }
        if entry.released {
          keys.managed.removeAll { $0 == entry.knob }
        } else if !keys.managed.contains(entry.knob) {
          keys.managed.append(entry.knob)
        }
      }
    }
    return keys
  }
}
