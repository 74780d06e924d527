import VMTuneProfile

extension Journal {
  /// The net change of `journals` (oldest first) as one list of entries: each key once, with the
  /// original the oldest of them replaced and the value the newest of them wrote (nil when the
  /// newest only recorded it as the exclusive partner of a key it wrote). Undoing these entries
  /// undoes the generations in reverse, and a value some other tool set between two of them and
  /// vmtune then overwrote does not come back.
  static func fold(_ journals: [Journal]) -> [Entry] {
    var order: [Knob] = []
    var folded: [Knob: Entry] = [:]
    for journal in journals {
      for entry in journal.entries {
        if var seen = folded[entry.knob] {
          seen.desired = entry.desired
          folded[entry.knob] = seen
        } else {
          order.append(entry.knob)
          folded[entry.knob] = entry
        }
      }
    }
    return order.compactMap { folded[$0] }
  }
}
