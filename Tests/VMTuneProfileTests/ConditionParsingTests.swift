import Testing
import VMTuneProfile
import VMTuneTestSupport

/// `actions.*.when:` in an operator's terms.
@Suite struct ConditionParsingTests {
  @Test func everyTestAndItsUnits() throws {
    let p = try loadProfile(
      """
      actions:
        compact:
          when:
            order: 9
            per: node
            free_blocks_below: 256
            free_below: 512MiB
            unusable_above: 90%
            fragmentation_score_above: 80
            headroom_below_percent: 5
            stalls_above: 0
            kswapd_scanned_above: 1000
      """)
    let c = try #require(p.actions.first?.conditions.first)
    #expect(c.order == 9 && c.scope == .node)
    #expect(c.freeBlocksBelow == 256)
    #expect(c.freeBytesBelow == 512 << 20)
    #expect(c.unusableAbove == 900)
    #expect(c.fragmentationScoreAbove == 80)
    #expect(c.headroomBelowPercent == 5)
    #expect(c.stallsAbove == 0)
    #expect(c.kswapdScannedAbove == 1000)
    #expect(
      c.summary == "order 9 per node: free order-9 blocks < 256, free in order-9+ blocks < 512 MiB, unusable > 90%, "
        + "fragmentation score > 80, watermark headroom < 5%, stalls per cycle > 0, kswapd scanned per cycle > 1000")
  }

  @Test func sharesAsFractionsOrPercentages() throws {
    for (text, permille) in [("0.9", 900), ("90%", 900), ("0.905", 905), ("90.5%", 905), ("1", 1000), ("0", 0)] {
      let p = try loadProfile("actions:\n  compact: { when: { order: 9, unusable_above: \(text) } }\n")
      #expect(p.actions.first?.condition?.unusableAbove == Int64(permille), "\(text)")
    }
    for bad in ["1.5", "101%", "0.9051", "90.55%", "-0.1", "x", "'0.9'"] {
      #expect(throws: ProfileErrors.self, "\(bad)") {
        try loadProfile("actions:\n  compact: { when: { order: 9, unusable_above: \(bad) } }\n")
      }
    }
  }

  @Test func aListOfConditionsMeansAny() throws {
    let p = try loadProfile(
      """
      actions:
        compact:
          when:
            - { order: 9, per: node, free_blocks_below: 256 }
            - { order: 4, unusable_above: 0.95 }
          min_interval: 10s
      """)
    #expect(p.actions.first?.conditions.map(\.order) == [9, 4])
  }

  @Test func mistakesNameTheKeyAndTheFix() {
    let missingOrder = errors("actions:\n  compact: { when: { unusable_above: 0.9 } }\n")
    #expect(missingOrder.first?.message == "a condition needs the allocation order it protects")
    #expect(missingOrder.first?.hint?.contains("order: 9") == true)
    let scope = errors("actions:\n  compact: { when: { order: 9, per: cpu, unusable_above: 0.9 } }\n")
    #expect(scope.first?.message == "per: 'cpu' is not node or zone")
    let empty = errors("actions:\n  compact: { when: [] }\n")
    #expect(empty.first?.message == "an empty list of conditions never holds")
    let nothing = errors("actions:\n  compact: { when: { order: 9, per: node } }\n")
    #expect(nothing.first?.message == "the condition tests nothing")
    let score = errors("actions:\n  compact: { when: { order: 9, fragmentation_score_above: 100 } }\n")
    #expect(score.first?.message == "fragmentation_score_above 100 is outside 0 … 99")
  }
}
