import Testing

@testable import VMTuneProfile

/// `actions.compact.until: { unusable_below: … }`: compaction that stops at a target.
@Suite struct CompactUntilParsingTests {
  @Test func aTargetAsAPercentOrAFraction() throws {
    for (text, permille) in [("50%", 500), ("0.5", 500), ("5%", 50), ("95%", 950), ("0.3", 300)] {
      let p = try load([
        "p.yaml": "apiVersion: vmtune/v1\nactions:\n  compact:\n    when: { order: 9, unusable_above: 70% }\n"
          + "    until: { unusable_below: \(text) }\n"
      ])
      #expect(p.actions.first?.untilUnusableBelow == Int64(permille), "\(text)")
    }
  }

  @Test func theKernelsRangeAndWholePercents() {
    for text in ["4%", "96%", "50.5%", "0.505", "100%"] {
      let e = errors("actions:\n  compact:\n    every: 1h\n    until: { unusable_below: \(text) }\n")
      #expect(e.first?.key == "actions.compact.until.unusable_below", "\(text)")
      #expect(e.first?.message.contains("whole percent between 5% and 95%") == true, "\(text): \(e)")
    }
  }

  @Test func untilNeedsItsTargetAndCoversEveryNode() {
    let empty = errors("actions:\n  compact:\n    every: 1h\n    until: {}\n")
    #expect(empty.first?.message == "says nothing to compact until")
    #expect(empty.first?.hint == "use 'until: { unusable_below: 50% }'")
    let nodes = errors("actions:\n  compact:\n    every: 1h\n    nodes: [0]\n    until: { unusable_below: 50% }\n")
    #expect(nodes.first?.key == "actions.compact.nodes")
    #expect(nodes.first?.message == "'until' compacts through kcompactd, on every node above the target")
    #expect(nodes.first?.mark == Mark(line: 5, column: 12))
    let drop = errors("actions:\n  drop_caches:\n    every: 1h\n    until: { unusable_below: 50% }\n")
    #expect(drop.first?.key?.hasPrefix("actions.drop_caches") == true, "\(drop)")
  }
}
