import VMTuneFrontend
import VMTuneHost
import VMTuneKernel
import VMTuneModel

/// Our indexes in the exact layout of debugfs `extfrag/extfrag_index` and `extfrag/unusable_index`
/// (`"Node %d, zone %8s "` then one `"%2d.%03d "` or `"%d.%03d "` per order), so the two can be diffed.
enum DebugfsText {
  static func render(_ zones: [FreeAreas]) -> String {
    var out = "extfrag_index:\n"
    for z in zones { out += line(z, pad: true) { Fragmentation.index(z.counts, order: $0) } }
    out += "unusable_index:\n"
    for z in zones { out += line(z, pad: false) { Fragmentation.unusableIndex(z.counts, order: $0) } }
    return out
  }

  /// extfrag_index prints `%2d.%03d ` (a space before non-negative values), unusable_index `%d.%03d `.
  static func line(_ z: FreeAreas, pad: Bool, _ value: (Int) -> Int) -> String {
    var s = "Node \(z.node), zone \(String(repeating: " ", count: max(0, 8 - z.zone.count)))\(z.zone) "
    for order in z.counts.indices {
      let v = value(order)
      let text = Fragmentation.debugfsText(v)
      s += (pad && v >= 0 ? " " + text : text) + " "
    }
    return s + "\n"
  }
}
