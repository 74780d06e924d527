import Testing

@testable import VMTuneProfile

@Suite struct KnobCatalogTests {
  @Test(arguments: [
    // (knob, value, accepted) from docs/KERNEL.md, Knob ranges by kernel version.
    ("swappiness", Int64(200), true), ("swappiness", 201, false), ("swappiness", -1, false),
    ("watermark_scale_factor", 0, false), ("watermark_scale_factor", 3000, true),
    ("watermark_scale_factor", 3001, false),
    ("min_free_kbytes", 2_147_483_647, true), ("min_free_kbytes", 2_147_483_648, false), ("min_free_kbytes", -1, false),
    ("percpu_pagelist_high_fraction", 0, true), ("percpu_pagelist_high_fraction", 7, false),
    ("percpu_pagelist_high_fraction", 8, true),
    ("vfs_cache_pressure_denom", 99, false), ("vfs_cache_pressure_denom", 100, true),
    ("dirty_bytes", 8191, false), ("dirty_bytes", 8192, true), ("dirty_background_bytes", 0, false),
    ("overcommit_ratio", -5, true), ("overcommit_memory", 3, false), ("extfrag_threshold", 1001, false),
    ("compaction_proactiveness", 100, true), ("compaction_proactiveness", 101, false), ("page-cluster", 32, false),
    ("zone_reclaim_mode", 100, true), ("defrag_mode", 2, false),
  ])
  func kernelRanges(knob: String, value: Int64, accepted: Bool) throws {
    let k = try #require(KnobCatalog.knob(knob))
    #expect((k.rejection(of: value) == nil) == accepted)
  }

  @Test func olderKernelsHadNarrowerRanges() throws {
    let swappiness = try #require(KnobCatalog.knob("swappiness"))
    #expect(swappiness.rejection(of: 150, on: KernelVersion(5, 4)) != nil)
    #expect(swappiness.rejection(of: 150, on: KernelVersion(5, 8)) == nil)
    let wsf = try #require(KnobCatalog.knob("watermark_scale_factor"))
    #expect(wsf.range(on: KernelVersion(5, 15)).max == 1000)
    #expect(wsf.range(on: KernelVersion(6, 1)).max == 3000)
  }

  @Test func triggersAndExclusionsAreMarked() throws {
    #expect(KnobCatalog.knob("drop_caches")?.isTrigger == true)
    #expect(KnobCatalog.knob("compact_memory")?.isTrigger == true)
    #expect(KnobCatalog.knob("dirty_ratio")?.exclusiveWith == "dirty_bytes")
    #expect(KnobCatalog.knob("dirty_background_bytes")?.exclusiveWith == "dirty_background_ratio")
    #expect(KnobCatalog.knob("overcommit_kbytes")?.exclusiveWith == "overcommit_ratio")
    #expect(KnobCatalog.knob("compaction_proactiveness")?.since == KernelVersion(5, 9))
  }

  @Test func writeOrderFollowsTheReference() throws {
    func rank(_ k: String) -> Int { KnobCatalog.knob(k)?.writeRank ?? -1 }
    #expect(rank("lowmem_reserve_ratio") < rank("min_free_kbytes"))
    #expect(rank("min_free_kbytes") < rank("watermark_scale_factor"))
    #expect(rank("dirty_ratio") < rank("dirty_bytes"))
    #expect(rank("overcommit_ratio") < rank("overcommit_memory"))
    #expect(rank("nr_hugepages") > rank("swappiness"))
  }

  @Test func suggestionsFindNearMisses() {
    #expect(KnobCatalog.suggestions(for: "watermark_scale_facter") == ["watermark_scale_factor"])
    #expect(KnobCatalog.suggestions(for: "swapiness") == ["swappiness"])
    #expect(KnobCatalog.suggestions(for: "completely_unrelated_thing").isEmpty)
  }

  @Test func kernelVersionsParseUnameStrings() {
    #expect(KernelVersion(parsing: "6.18.44-fc-v669") == KernelVersion(6, 18, 44))
    #expect(KernelVersion(parsing: "2.6.32-358.23.2.el5.x86_64") == KernelVersion(2, 6, 32))
    #expect(KernelVersion(parsing: "5.15") == KernelVersion(5, 15, 0))
    #expect(KernelVersion(parsing: "garbage") == nil)
    #expect(KernelVersion(2, 6, 35) < KernelVersion(3, 0))
  }
}
