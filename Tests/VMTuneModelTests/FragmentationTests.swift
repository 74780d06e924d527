import Testing

@testable import VMTuneModel

@Suite struct FragmentationTests {
  @Test func allFreeMemoryInOrderZeroBlocks() {
    // The KVM host's OOM report: Node 0 Normal: 1648026*4kB, every higher order empty.
    let counts: [UInt64] = [1_648_026] + Array(repeating: 0, count: 10)
    #expect(Fragmentation.index(counts, order: 0) == -1000)
    #expect([1, 2, 3, 4, 9, 10].map { Fragmentation.index(counts, order: $0) } == [500, 750, 875, 938, 999, 1000])
  }

  @Test func mixedZone() {
    // `__fragmentation_index()` on [100,50,20,10,0…]: orders 0–3 satisfiable; order 4: free 360 pages in 180 blocks,
    // 1000 - (1000 + 360*1000/16)/180 = 1000 - 23500/180 = 1000 - 130 = 870; order 9: 991.
    let counts: [UInt64] = [100, 50, 20, 10, 0, 0, 0, 0, 0, 0, 0]
    #expect((0...3).map { Fragmentation.index(counts, order: $0) } == [-1000, -1000, -1000, -1000])
    #expect(Fragmentation.index(counts, order: 4) == 870)
    #expect(Fragmentation.index(counts, order: 9) == 991)
    #expect(Fragmentation.index(Array(repeating: 0, count: 11), order: 4) == 0)
  }

  /// debugfs extfrag/unusable_index on the 6.18 host, reproduced digit for digit.
  @Test func unusableIndexMatchesDebugfs() {
    let zones: [([UInt64], String)] = [
      ([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 3], "0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.066 0.200"),
      ([1, 2, 4, 2, 5, 4, 3, 4, 5, 3, 751], "0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.001 0.002 0.004"),
      (
        [1010, 1093, 1105, 779, 454, 329, 312, 249, 182, 179, 433],
        "0.000 0.001 0.004 0.011 0.020 0.031 0.047 0.077 0.125 0.195 0.333"
      ),
    ]
    for (counts, debugfs) in zones {
      let ours = (0...10).map { Fragmentation.debugfsText(Fragmentation.unusableIndex(counts, order: $0)) }
      #expect(ours.joined(separator: " ") == debugfs)
      // extfrag_index: every entry -1.000 (a block of every order exists in every zone).
      #expect((0...10).allSatisfy { Fragmentation.index(counts, order: $0) == -1000 })
    }
    #expect(Fragmentation.debugfsText(-1000) == "-1.000")
    #expect(Fragmentation.debugfsText(870) == "0.870")
    #expect(Fragmentation.unusableIndex(Array(repeating: 0, count: 11), order: 3) == 1000)
    #expect(Fragmentation.extfragPercent(Array(repeating: 0, count: 11), order: 3) == 0)
  }

  /// The Xen host with order-4 failures: `Node 0, zone Normal 127146 68215 1614 0 0 0 0 0 0 0 1` —
  /// one order-10 block left.
  @Test func xenHostBeforeDropCachesAndCompaction() {
    let normal: [UInt64] = [127_146, 68215, 1614, 0, 0, 0, 0, 0, 0, 0, 1]
    // The single order-10 block makes every order "available" to the index…
    #expect(Fragmentation.index(normal, order: 4) == -1000)
    // …while almost all free memory is unusable for order 4: free = 127146 + 2*68215 + 4*1614 + 1024
    // = 271056 pages; usable = 1 << 10 = 1024; (271056 - 1024)*1000/271056 = 996.
    #expect(Fragmentation.unusableIndex(normal, order: 4) == 996)
    // DMA32 32995 4377 762 211 157 108 68 23 3 0 0: order-4 blocks remain (157 + 108*2 + 68*4 + 23*8 + 3*16 = 877).
    let dma32: [UInt64] = [32995, 4377, 762, 211, 157, 108, 68, 23, 3, 0, 0]
    #expect(Fragmentation.contigInfo(dma32, order: 4).freeBlocksSuitable == 877)
  }

  /// The 400 GB KVM host on 2014/11/25: Node 0 Normal 4374385 85408 0…; Node 1 Normal 1830850 261703 460 14 0….
  @Test func fragmentedTwoNodeKVMHost() {
    let node0: [UInt64] = [4_374_385, 85408, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    let node1: [UInt64] = [1_830_850, 261_703, 460, 14, 0, 0, 0, 0, 0, 0, 0]
    // Node 0: free 4374385 + 2*85408 = 4545201 pages in 4459793 blocks;
    // 1000 - (1000 + 4545201000/16)/4459793 = 1000 - 284076062/4459793 = 1000 - 63 = 937.
    #expect(Fragmentation.index(node0, order: 4) == 937)
    // Node 1: free 1830850 + 523406 + 1840 + 112 = 2356208 in 2093027 blocks;
    // 1000 - (1000 + 147263000)/2093027 = 1000 - 70 = 930.
    #expect(Fragmentation.index(node1, order: 4) == 930)
    // Both far above extfrag_threshold 500: fragmentation, not shortage — compaction's case.
    #expect(Fragmentation.index(node1, order: 3) == -1000)
    #expect(Fragmentation.unusableIndex(node0, order: 2) == 1000)
  }
}

@Suite struct CompactionTests {
  let fragmented: [UInt64] = [4_374_385, 85408, 0, 0, 0, 0, 0, 0, 0, 0, 0]

  @Test func fragmentedZoneWithPlentyFreeIsCompacted() {
    let d = Compaction.decide(
      CompactionInput(freeBlocks: fragmented, order: 4, freePages: 4_545_201, minWatermark: 10000, lowWatermark: 12500))
    #expect(d == .compact(index: 937))
  }

  @Test func tooLittleFreeMeansReclaimFirst() {
    // low 12500 + compact_gap(4) = 2 << 4 = 32 → needs more than 12532 free pages.
    let d = Compaction.decide(
      CompactionInput(
        freeBlocks: [12000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], order: 4, freePages: 12000, minWatermark: 10000,
        lowWatermark: 12500))
    #expect(d == .reclaimTooLittleFree(freePages: 12000, needed: 12533))
  }

  @Test func lowIndexMeansShortOfMemory() {
    // 2000 order-3 blocks: order 4 index = 1000 - (1000 + 16000*1000/16)/2000 = 1000 - 500 = 500 → reclaim.
    let counts: [UInt64] = [0, 0, 0, 2000, 0, 0, 0, 0, 0, 0, 0]
    #expect(Fragmentation.index(counts, order: 4) == 500)
    #expect(
      Compaction.decide(
        CompactionInput(freeBlocks: counts, order: 4, freePages: 16000, minWatermark: 100, lowWatermark: 125))
        == .reclaimShortOfMemory(index: 500))
    // Order 3 is not costly: the index is not consulted (4.8+)… the blocks are there anyway.
    #expect(
      Compaction.decide(
        CompactionInput(freeBlocks: counts, order: 3, freePages: 16000, minWatermark: 100, lowWatermark: 125))
        == .alreadyAvailable)
    // For order 2 with only order-1 blocks, 4.8+ compacts regardless of the index; ≤4.7 did not.
    let order1: [UInt64] = [0, 3000, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    #expect(Fragmentation.index(order1, order: 2) == 500)
    #expect(
      Compaction.decide(
        CompactionInput(freeBlocks: order1, order: 2, freePages: 6000, minWatermark: 100, lowWatermark: 125))
        == .compact(index: 500))
    #expect(
      Compaction.decide(
        CompactionInput(
          freeBlocks: order1, order: 2, freePages: 6000, minWatermark: 100, lowWatermark: 125, costlyOrderRule: false))
        == .reclaimShortOfMemory(index: 500))
  }

  /// 6.18 host: Normal's extfrag_for_order(9) = 19, weighted 5505024*19/(6291358+1) = 16; DMA 6 → 0.
  @Test func proactiveScoreOfTheLiveHost() {
    let dma: [UInt64] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 3]
    let dma32: [UInt64] = [1, 2, 4, 2, 5, 4, 3, 4, 5, 3, 751]
    let normal: [UInt64] = [1010, 1093, 1105, 779, 454, 329, 312, 249, 182, 179, 433]
    #expect(Fragmentation.extfragPercent(normal, order: 9) == 19)
    #expect(Fragmentation.extfragPercent(dma, order: 9) == 6)
    #expect(
      ProactiveCompaction.weightedZoneScore(normal, present: 5_505_024, nodePresent: 6_291_358, hugePageOrder: 9) == 16)
    let score = ProactiveCompaction.nodeScore([(dma, 3998), (dma32, 782_336), (normal, 5_505_024)], hugePageOrder: 9)
    #expect(score == 16)
    #expect(!ProactiveCompaction.wouldCompact(nodeScore: score, proactiveness: 20))
  }

  @Test func proactivenessWatermarks() {
    // `fragmentation_score_wmark()`: docs/KERNEL.md, Proactive compaction.
    #expect(ProactiveCompaction.watermarks(proactiveness: 20) == (80, 90))
    #expect(ProactiveCompaction.watermarks(proactiveness: 10) == (90, 100))
    #expect(ProactiveCompaction.watermarks(proactiveness: 50) == (50, 60))
    #expect(ProactiveCompaction.watermarks(proactiveness: 95) == (5, 15))
    #expect(ProactiveCompaction.watermarks(proactiveness: 100) == (5, 15))
    #expect(!ProactiveCompaction.wouldCompact(nodeScore: 99, proactiveness: 0))
    #expect(ProactiveCompaction.wouldCompact(nodeScore: 61, proactiveness: 50))
  }
}
