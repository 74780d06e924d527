/// Every `/proc/sys/vm` file vmtune knows, with the kernel's own validation rules
/// (docs/KERNEL.md, Knob ranges by kernel version).
public enum KnobCatalog {
  static let intMax: Int64 = 2_147_483_647
  static let intMin: Int64 = -2_147_483_648
  static let ulongMax: Int64 = .max

  /// All knobs by name.
  public static let all: [String: Knob] = {
    var table: [String: Knob] = [:]
    for knob in knobs { table[knob.name] = knob }
    return table
  }()

  /// Write-only one-shot files that must never be read or written as settings.
  public static let triggers: Set<String> = Set(all.values.filter(\.isTrigger).map(\.name))

  /// Looks up a knob by its file name under /proc/sys/vm.
  public static func knob(_ name: String) -> Knob? { all[name] }

  /// The closest known names to a mistyped one, for "did you mean …?".
  public static func suggestions(for name: String, limit: Int = 1) -> [String] {
    let lowered = name.lowercased()
    let scored = all.keys.map { ($0, editDistance(lowered, $0)) }
      .filter { $0.1 <= max(2, $0.0.count / 3) }
      .sorted { ($0.1, $0.0) < ($1.1, $1.0) }
    return scored.prefix(limit).map(\.0)
  }

  private static func int(
    _ name: String, _ unit: KnobUnit = .count, min: Int64? = intMin, max: Int64? = intMax,
    rank: Int = 50, since: KernelVersion? = nil, numa: Bool = false, default d: String? = nil,
    _ summary: String, effect: String? = nil
  ) -> Knob {
    Knob(
      name: name, type: .int, unit: unit, min: min, max: max, forbidden: nil, history: [],
      since: since, removedIn: nil, replacement: nil, numaOnly: numa, exclusiveWith: nil,
      choices: [], writeRank: rank, defaultValue: d, summary: summary, sideEffect: effect)
  }

  private static func ulong(
    _ name: String, _ unit: KnobUnit, min: Int64 = 0, rank: Int = 50,
    since: KernelVersion? = nil, numa: Bool = false, default d: String? = nil,
    _ summary: String, effect: String? = nil
  ) -> Knob {
    Knob(
      name: name, type: .ulong, unit: unit, min: min, max: ulongMax, forbidden: nil, history: [],
      since: since, removedIn: nil, replacement: nil, numaOnly: numa, exclusiveWith: nil,
      choices: [], writeRank: rank, defaultValue: d, summary: summary, sideEffect: effect)
  }

  private static func trigger(
    _ name: String, min: Int64?, max: Int64?, since: KernelVersion? = nil, _ summary: String,
    effect: String
  ) -> Knob {
    Knob(
      name: name, type: .trigger, unit: .enumeration, min: min, max: max, forbidden: nil,
      history: [], since: since, removedIn: nil, replacement: nil, numaOnly: false,
      exclusiveWith: nil, choices: [], writeRank: 100, defaultValue: nil, summary: summary,
      sideEffect: effect)
  }

  private static func removed(
    _ name: String, in version: KernelVersion, use replacement: String?, _ summary: String
  ) -> Knob {
    Knob(
      name: name, type: .int, unit: .count, min: nil, max: nil, forbidden: nil, history: [],
      since: nil, removedIn: version, replacement: replacement, numaOnly: false,
      exclusiveWith: nil, choices: [], writeRank: 50, defaultValue: nil, summary: summary,
      sideEffect: nil)
  }

  private static let knobs: [Knob] = {
    var list: [Knob] = [
      // Watermarks and the page allocator (docs/KERNEL.md, Watermarks).
      int(
        "min_free_kbytes", .kilobytes, min: 0, rank: 20,
        default: "computed: 4*sqrt(lowmem kB), clamped 128…262144, raised for THP",
        "Free memory (kB) the kernel keeps in reserve; sets every zone's min watermark, and low/high above it.",
        effect: "recomputes every zone's min/low/high/promo watermarks and resets watermark boosts"),
      int(
        "watermark_scale_factor", .perTenThousand, min: 1, max: 3000, rank: 21,
        since: KernelVersion(4, 6), default: "10",
        "Distance between the min, low and high watermarks, in 1/10000 of a zone's memory: how early kswapd wakes and "
          + "how long it runs.",
        effect: "recomputes every zone's watermarks"),
      int(
        "watermark_boost_factor", .perTenThousand, min: 0, rank: 22, since: KernelVersion(5, 0),
        default: "15000",
        "How far (in 1/10000 of the high watermark) kswapd temporarily raises watermarks after a fragmentation event; "
          + "0 disables boosting."
      ),
      int(
        "defrag_mode", .boolean, min: 0, max: 1, rank: 23, since: KernelVersion(6, 15), default: "0",
        "1 makes the allocator reclaim and compact before mixing pageblock types, keeping high-order memory available; "
          + "best set right after boot."
      ),
      int(
        "lowmem_reserve_ratio", .count, rank: 10, default: "256 256 32 0 0",
        "Per-zone divisors protecting lower zones from allocations that could use higher zones (zoneinfo "
          + "'protection:')."
      ),
      int(
        "min_unmapped_ratio", .percent, min: 0, max: 100, numa: true, default: "1",
        "Percent of a zone's pages that must be unmapped page cache before node reclaim runs (only with "
          + "zone_reclaim_mode)."
      ),
      int(
        "min_slab_ratio", .percent, min: 0, max: 100, numa: true, default: "5",
        "Percent of a zone's pages in reclaimable slab before node reclaim shrinks slab (only with "
          + "zone_reclaim_mode)."),
      int(
        "zone_reclaim_mode", .bitmask, min: 0, numa: true, default: "0",
        "Node-local reclaim before allocating off-node: bit 1 reclaim, 2 write dirty pages, 4 unmap/swap. 0 (default "
          + "since 3.16) suits file servers and most hosts."
      ),
      // Compaction (docs/KERNEL.md, Compaction suitability, Proactive compaction).
      int(
        "compaction_proactiveness", .count, min: 0, max: 100, since: KernelVersion(5, 9),
        default: "20",
        "How hard kcompactd compacts in the background (0 off, 100 most); it acts when the node's fragmentation score "
          + "exceeds 100-proactiveness+10.",
        effect: "a non-zero write wakes kcompactd for an immediate check (5.15+)"),
      int(
        "extfrag_threshold", .count, min: 0, max: 1000, since: KernelVersion(2, 6, 35),
        default: "500",
        "Fragmentation index (0…1000) above which a failing high-order allocation is compacted rather than reclaimed."),
      int(
        "compact_unevictable_allowed", .boolean, min: 0, max: 1, since: KernelVersion(4, 1),
        default: "1",
        "1 lets compaction move mlocked (unevictable) pages."),
      int(
        "percpu_pagelist_high_fraction", .count, min: 0, since: KernelVersion(5, 14), default: "0",
        "0 auto-tunes per-CPU page lists; N >= 8 caps each at 1/N of the zone."),
      // Reclaim and caches.
      int(
        "swappiness", .count, min: 0, max: 200, default: "60",
        "Relative cost of swapping anonymous memory vs dropping page cache: 0 avoids swap, 100 equal, up to 200 "
          + "prefers swap."
      ),
      int(
        "vfs_cache_pressure", .count, min: 0, default: "100",
        "How eagerly dentry and inode caches are reclaimed relative to page cache; 0 never (OOM risk)."),
      int(
        "vfs_cache_pressure_denom", .count, min: 100, since: KernelVersion(6, 17), default: "100",
        "Denominator for vfs_cache_pressure (values below 100 are refused)."),
      // Dirty page writeback (docs/KERNEL.md, Write order and exclusive pairs).
      int(
        "dirty_ratio", .percent, min: 0, max: 100, rank: 30, default: "20",
        "Percent of dirtyable memory at which writers are throttled into writeback.",
        effect: "writing a changed value clears dirty_bytes"),
      int(
        "dirty_background_ratio", .percent, min: 0, max: 100, rank: 31, default: "10",
        "Percent of dirtyable memory at which background writeback starts.",
        effect: "every write clears dirty_background_bytes"),
      ulong(
        "dirty_bytes", .bytes, min: 8192, rank: 32, default: "0",
        "Absolute dirty limit in bytes (alternative to dirty_ratio; the last one written wins).",
        effect: "writing a changed value clears dirty_ratio"),
      ulong(
        "dirty_background_bytes", .bytes, min: 1, rank: 33, default: "0",
        "Absolute background writeback threshold in bytes (alternative to dirty_background_ratio).",
        effect: "every write clears dirty_background_ratio"),
      int(
        "dirty_expire_centisecs", .centiseconds, min: 0, default: "3000",
        "Age (1/100 s) after which dirty data is written out by the flusher threads."),
      int(
        "dirty_writeback_centisecs", .centiseconds, default: "500",
        "Interval (1/100 s) between flusher wake-ups; 0 disables periodic writeback.",
        effect: "a non-zero write wakes the flusher threads immediately"),
      int(
        "dirtytime_expire_seconds", .seconds, min: 0, default: "43200",
        "Age after which lazytime inode timestamps are written out."),
      // Overcommit.
      int(
        "overcommit_memory", .enumeration, min: 0, max: 2, rank: 41, default: "0",
        "0 heuristic overcommit, 1 always allow, 2 strict accounting against CommitLimit."),
      int(
        "overcommit_ratio", .percent, rank: 40, default: "50",
        "Percent of RAM counted in CommitLimit under overcommit_memory=2 (the kernel accepts any int).",
        effect: "any write clears overcommit_kbytes"),
      ulong(
        "overcommit_kbytes", .kilobytes, rank: 40, since: KernelVersion(3, 14), default: "0",
        "Absolute CommitLimit base in kB (alternative to overcommit_ratio).",
        effect: "any write, even 0, clears overcommit_ratio"),
      ulong(
        "admin_reserve_kbytes", .kilobytes, since: KernelVersion(3, 10), default: "min(free/32, 8192)",
        "Memory (kB) kept for root under strict overcommit."),
      ulong(
        "user_reserve_kbytes", .kilobytes, since: KernelVersion(3, 10), default: "min(free/32, 131072)",
        "Memory (kB) kept back from a single user process under strict overcommit."),
      // Statistics, maps, swap.
      int(
        "numa_stat", .boolean, min: 0, max: 1, since: KernelVersion(4, 16), default: "1",
        "NUMA allocation counters; 0 disables and zeroes them.",
        effect: "writing 0 clears the NUMA counters"),
      int(
        "stat_interval", .seconds, min: intMin, max: intMax / 1000, default: "1",
        "Seconds between folds of per-CPU vm statistics."),
      int(
        "max_map_count", .count, min: 0, default: "65530",
        "Maximum number of memory map areas a process may have."),
      int(
        "page-cluster", .log2Pages, min: 0, max: 31, default: "3",
        "log2 of the pages read ahead from swap at once; 0 disables swap readahead."),
      // Huge pages.
      ulong(
        "nr_hugepages", .count, rank: 90, default: "0",
        "Size of the persistent huge page pool; the kernel may allocate fewer and still succeed.",
        effect: "allocates or frees huge pages now; run compaction first for better success"),
      ulong(
        "nr_hugepages_mempolicy", .count, rank: 90, numa: true, default: "0",
        "Like nr_hugepages, but allocated on the nodes of the writer's memory policy."),
      ulong(
        "nr_overcommit_hugepages", .count, default: "0",
        "Surplus huge pages the pool may grow by on demand."),
      int(
        "hugetlb_shm_group", .gid, default: "0",
        "Group allowed to create SysV shared memory with huge pages."),
      int(
        "hugetlb_optimize_vmemmap", .boolean, min: 0, max: 1, since: KernelVersion(5, 19),
        default: "0", "Frees the struct page tails of huge pages (HVO)."),
      // OOM and address space.
      int(
        "panic_on_oom", .enumeration, min: 0, max: 2, default: "0",
        "0 kill a process on OOM, 1 panic unless constrained by cpuset/mempolicy, 2 always panic."),
      int(
        "oom_kill_allocating_task", .boolean, default: "0",
        "Non-zero kills the task that triggered OOM instead of scanning for the largest."),
      int(
        "oom_dump_tasks", .boolean, default: "1",
        "Non-zero logs the task list on OOM."),
      ulong(
        "mmap_min_addr", .bytes, default: "65536",
        "Lowest address a process may mmap (guards NULL dereference exploits)."),
      int(
        "mmap_rnd_bits", .count, default: "28", "ASLR bits for mmap base (arch-specific range)."),
      int(
        "mmap_rnd_compat_bits", .count, default: "8", "ASLR bits for 32-bit compat mmap base."),
      int(
        "legacy_va_layout", .boolean, min: 0, default: "0", "Non-zero selects the legacy mmap layout."),
      int(
        "laptop_mode", .seconds, default: "0",
        "Seconds of disk-idle batching for laptops; 0 off."),
      int(
        "page_lock_unfairness", .count, min: 0, default: "5",
        "Wake-ups a page lock waiter tolerates before it gets the lock fairly."),
      int(
        "unprivileged_userfaultfd", .boolean, min: 0, max: 1, default: "0",
        "1 lets unprivileged users create userfaultfd descriptors."),
      int(
        "memfd_noexec", .enumeration, min: 0, max: 2, since: KernelVersion(6, 3), default: "0",
        "Default exec permission of memfd_create() files (0 exec, 1 noexec by default, 2 enforce)."),
      int(
        "highmem_is_dirtyable", .boolean, min: 0, max: 1, default: "0",
        "Counts highmem as dirtyable (32-bit CONFIG_HIGHMEM kernels only)."),
      // Triggers (docs/KERNEL.md, Triggers (write-only files)): actions, never settings.
      trigger(
        "drop_caches", min: 1, max: 4, since: KernelVersion(2, 6, 16),
        "One-shot: 1 drops clean page cache, 2 reclaimable slab, 3 both, 4 silences the log line.",
        effect: "runs synchronously in the writer; use actions: drop_caches"),
      trigger(
        "compact_memory", min: 1, max: 1, since: KernelVersion(2, 6, 35),
        "One-shot: compacts all zones of all nodes (only 1 is accepted since 6.5; any write before).",
        effect: "runs synchronously in the writer; use actions: compact"),
      trigger(
        "stat_refresh", min: nil, max: nil, since: KernelVersion(4, 4),
        "One-shot: any read or write folds per-CPU vm counters.",
        effect: "folds counters; fails with EINVAL when a counter is negative"),
      // Removed knobs, so profiles written for old kernels get a useful answer.
      removed(
        "percpu_pagelist_fraction", in: KernelVersion(5, 14), use: "percpu_pagelist_high_fraction",
        "Per-CPU page list size as a fraction of the zone (removed in 5.14)."),
      removed("block_dump", in: KernelVersion(5, 12), use: nil, "Block I/O debugging (removed in 5.12)."),
      removed("nr_pdflush_threads", in: KernelVersion(2, 6, 32), use: nil, "pdflush thread count (removed)."),
    ]
    // Range history and extra rules.
    func edit(_ name: String, _ body: (inout Knob) -> Void) {
      if let i = list.firstIndex(where: { $0.name == name }) { body(&list[i]) }
    }
    edit("watermark_scale_factor") { $0.history = [RangeChange(before: KernelVersion(5, 16), min: nil, max: 1000)] }
    edit("swappiness") { $0.history = [RangeChange(before: KernelVersion(5, 8), min: nil, max: 100)] }
    edit("percpu_pagelist_high_fraction") { $0.forbidden = 1...7 }
    edit("lowmem_reserve_ratio") {
      $0.type = .intList
      $0.min = nil
      $0.max = nil
    }
    edit("dirty_ratio") { $0.exclusiveWith = "dirty_bytes" }
    edit("dirty_bytes") { $0.exclusiveWith = "dirty_ratio" }
    edit("dirty_background_ratio") { $0.exclusiveWith = "dirty_background_bytes" }
    edit("dirty_background_bytes") { $0.exclusiveWith = "dirty_background_ratio" }
    edit("overcommit_ratio") { $0.exclusiveWith = "overcommit_kbytes" }
    edit("overcommit_kbytes") { $0.exclusiveWith = "overcommit_ratio" }
    list.append(
      Knob(
        name: "numa_zonelist_order", type: .string, unit: .enumeration, min: nil, max: nil,
        forbidden: nil, history: [], since: nil, removedIn: nil, replacement: nil, numaOnly: true,
        exclusiveWith: nil, choices: ["Default", "Node", "Zone", "default", "node", "zone"],
        writeRank: 50, defaultValue: "Node",
        summary: "Zonelist ordering; since 4.14 only Node ordering exists and writes are accepted for compatibility.",
        sideEffect: nil))
    return list
  }()
}

/// Levenshtein distance, for suggestions.
func editDistance(_ a: String, _ b: String) -> Int {
  let a = Array(a.utf8)
  let b = Array(b.utf8)
  if a.isEmpty { return b.count }
  if b.isEmpty { return a.count }
  var previous = Array(0...b.count)
  var current = [Int](repeating: 0, count: b.count + 1)
  for i in 1...a.count {
    current[0] = i
    for j in 1...b.count {
      let cost = a[i - 1] == b[j - 1] ? 0 : 1
      current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
    }
    swap(&previous, &current)
  }
  return previous[b.count]
}
