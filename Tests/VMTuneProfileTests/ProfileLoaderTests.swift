import Testing

@testable import VMTuneProfile

/// Loads `files[main]` from memory; names resolve beside it and in `lib/`.
func load(_ files: [String: String], main: String = "p.yaml") throws(ProfileErrors) -> Profile {
  try ProfileLoader(reader: MemoryProfileReader(files), searchPath: ["lib"]).load(path: main)
}

/// The errors a profile gives (fails the test when it loads).
func errors(_ text: String, sourceLocation: SourceLocation_ = #_sourceLocation) -> [ProfileError] {
  do {
    _ = try load(["p.yaml": "apiVersion: vmtune/v1\n" + text])
    Issue.record("profile loaded without errors", sourceLocation: sourceLocation)
    return []
  } catch {
    return error.errors
  }
}

typealias SourceLocation_ = Testing.SourceLocation

@Suite struct ProfileLoaderTests {
  @Test func plainValuesAndComparators() throws {
    let p = try load([
      "p.yaml": """
      apiVersion: vmtune/v1
      name: kvm-host
      description: test
      sysctl:
        swappiness: { at_most: 10 }
        vfs_cache_pressure: { at_least: 50, at_most: 150 }
        watermark_scale_factor: 200
        min_free_kbytes: { percent_of_ram: 1.5, min: 131072, max: 2097152 }
        zone_reclaim_mode: [reclaim, write]
        lowmem_reserve_ratio: [256, 256, 32]
        compaction_proactiveness: { value: 40, when: { kernel: ">=5.9" } }
      """
    ])
    #expect(p.name == "kvm-host")
    #expect(p.setting("swappiness")?.target == .atMost(10))
    #expect(p.setting("vfs_cache_pressure")?.target == .between(50, 150))
    #expect(p.setting("watermark_scale_factor")?.target == .exact(.int(200)))
    #expect(
      p.setting("min_free_kbytes")?.target
        == .percentOfRAM(PercentOfRAM(milliPercent: 1500, min: 131072, max: 2_097_152)))
    #expect(p.setting("zone_reclaim_mode")?.target == .exact(.int(3)))
    #expect(p.setting("lowmem_reserve_ratio")?.target == .exact(.list([256, 256, 32])))
    #expect(p.setting("compaction_proactiveness")?.conditions == [.kernel(.ge, KernelVersion(5, 9))])
    #expect(p.setting("swappiness")?.location.description == "p.yaml:5:15")
  }

  @Test func percentOfRAMResolvesInIntegers() {
    let p = PercentOfRAM(milliPercent: 1000, min: 131072, max: 2_097_152)
    // 1% of 24684084 kB = 246840.84 → floor 246840.
    #expect(p.resolve(memTotalKB: 24_684_084, bytesPerUnit: 1024) == 246_840)
    #expect(p.resolve(memTotalKB: 4_000_000, bytesPerUnit: 1024) == 131_072)
    #expect(p.resolve(memTotalKB: 400 << 20, bytesPerUnit: 1024) == 2_097_152)
    #expect(PercentOfRAM(milliPercent: 500).resolve(memTotalKB: 1 << 20, bytesPerUnit: 1) == 5_368_709)
  }

  @Test func includesMergeParentsFirstChildWins() throws {
    let p = try load([
      "p.yaml":
        "apiVersion: vmtune/v1\nname: child\ninclude: [base]\nsysctl:\n  swappiness: 5\n  dirty_bytes: 100000000\n",
      "lib/base.yaml":
        "apiVersion: vmtune/v1\nname: base\nsysctl:\n  swappiness: 10\n  dirty_ratio: 10\n  max_map_count: "
        + "262144\nguards: { max_min_free_percent: 3 }\n",
    ])
    #expect(p.files == ["p.yaml", "lib/base.yaml"])
    #expect(p.setting("swappiness")?.target == .exact(.int(5)))
    #expect(p.setting("swappiness")?.profile == "child")
    #expect(p.setting("max_map_count")?.profile == "base")
    // The child's dirty_bytes replaces the parent's dirty_ratio: the kernel keeps one of them.
    #expect(p.setting("dirty_ratio") == nil)
    #expect(p.setting("dirty_bytes") != nil)
    #expect(p.guards.maxMinFreePercent == 3)
  }

  @Test func profileWhenAppliesToItsOwnSettings() throws {
    let p = try load([
      "p.yaml": "apiVersion: vmtune/v1\ninclude: [numa]\nsysctl:\n  swappiness: 5\n",
      "numa.yaml":
        "apiVersion: vmtune/v1\nwhen: { numa_nodes: \">=2\", mem_total: \">= 64GiB\" }\n"
        + "sysctl:\n  zone_reclaim_mode: 0\n",
    ])
    #expect(p.setting("zone_reclaim_mode")?.conditions == [.numaNodes(.ge, 2), .memTotal(.ge, 64 << 20)])
    #expect(p.setting("swappiness")?.conditions == [])
  }

  @Test func includeCyclesAreErrors() {
    do {
      _ = try load([
        "p.yaml": "apiVersion: vmtune/v1\ninclude: [a]\n",
        "a.yaml": "apiVersion: vmtune/v1\ninclude: [b]\n",
        "b.yaml": "apiVersion: vmtune/v1\ninclude: [a]\n",
      ])
      Issue.record("cycle accepted")
    } catch {
      let e = error.errors.first
      #expect(e?.message == "include cycle: p → a → b → a")
      #expect(e?.file == "b.yaml")
      #expect(e?.mark == Mark(line: 2, column: 11))
    }
  }

  @Test func includeOfSelfIsACycle() {
    do {
      _ = try load(["p.yaml": "apiVersion: vmtune/v1\ninclude: [p]\n"])
      Issue.record("self include accepted")
    } catch {
      #expect(error.errors.first?.message.hasPrefix("include cycle") == true)
    }
  }

  @Test(arguments: ["../etc/passwd", "/etc/base", "sub/base", "a\u{0}b"])
  func includePathsAreRefused(name: String) {
    let e = errors("include: [\"\(name.replacingOccurrences(of: "\u{0}", with: "\\0"))\"]\n")
    #expect(e.first?.key == "include")
    #expect(e.first?.mark?.line == 2)
  }

  @Test func missingIncludeNamesTheSearchPath() {
    let e = errors("include: [nosuch]\n")
    #expect(e.first?.message == "no profile named 'nosuch'")
    #expect(e.first?.hint?.contains("lib") == true)
  }

  @Test func unknownKeysSuggestTheNearestName() {
    let e = errors("sysctl:\n  watermark_scale_facter: 100\n")
    #expect(e.count == 1)
    #expect(
      e.first?.description
        == "p.yaml:3:3: error: sysctl.watermark_scale_facter: is not a vm sysctl vmtune knows\n  hint: did you mean "
        + "'watermark_scale_factor'?"
    )
    let top = errors("sysctls:\n  swappiness: 1\n")
    #expect(top.first?.hint == "did you mean 'sysctl'?")
    let inner = errors("sysctl:\n  swappiness: { at_mots: 10 }\n")
    #expect(inner.first?.key == "sysctl.swappiness.at_mots")
    #expect(inner.first?.hint == "did you mean 'at_most'?")
  }

  @Test func outOfRangeValuesNameTheRange() {
    let e = errors("sysctl:\n  swappiness: 300\n")
    #expect(e.first?.message == "300 is above the kernel's maximum 200 for swappiness")
    #expect(e.first?.hint == "accepted values: 0 … 200")
    #expect(e.first?.mark == Mark(line: 3, column: 15))
    #expect(
      errors("sysctl:\n  watermark_scale_factor: 0\n").first?.message
        == "0 is below the kernel's minimum 1 for watermark_scale_factor")
    #expect(
      errors("sysctl:\n  percpu_pagelist_high_fraction: 3\n").first?.hint == "accepted values: 0, or 8 … 2147483647")
    #expect(errors("sysctl:\n  min_free_kbytes: 2147483648\n").first?.message.contains("maximum 2147483647") == true)
    #expect(errors("sysctl:\n  min_free_kbytes: -5\n").first?.message.contains("minimum 0") == true)
  }

  @Test func zoneReclaimModeBits() {
    #expect(
      errors("sysctl:\n  zone_reclaim_mode: 9\n").first?.message
        == "9 sets bits the kernel ignores (only 1 reclaim, 2 write, 4 unmap exist)")
    #expect(
      errors("sysctl:\n  zone_reclaim_mode: [reclaim, evict]\n").first?.hint
        == "use reclaim (1), write (2), unmap (4), or [] for 0")
  }

  @Test(arguments: [
    ("../../kernel/core_pattern", "is a path, not a vm sysctl name"),
    ("/proc/sys/vm/swappiness", "is a path, not a vm sysctl name"),
    ("kernel.core_pattern", "is not a vm sysctl"),
    ("vm.swappiness", "write the file name without the 'vm.' prefix"),
    ("drop_caches", "is a one-shot trigger, not a setting"),
    ("compact_memory", "is a one-shot trigger, not a setting"),
    ("percpu_pagelist_fraction", "was removed in Linux 5.14"),
  ])
  func keysThatAreNotSettings(key: String, message: String) {
    let e = errors("sysctl:\n  \"\(key)\": 1\n")
    #expect(e.first?.message == message)
    #expect(e.first?.mark == Mark(line: 3, column: 3))
    #expect(e.first?.hint != nil)
  }

  @Test func nulInKeyIsRefused() {
    #expect(errors("sysctl:\n  \"swap\\0piness\": 1\n").first?.message == "key contains a NUL byte")
  }

  @Test func numbersTheKernelWouldReadDifferently() {
    #expect(
      errors("sysctl:\n  swappiness: 010\n").first?.message
        == "'010' has a leading zero: the kernel reads it as octal (octal 8)")
    #expect(errors("sysctl:\n  swappiness: \"10\"\n").first?.hint == "remove the quotes: 10")
    #expect(errors("sysctl:\n  swappiness: 0x10\n").first?.message == "'0x10' is not a decimal integer")
    #expect(errors("sysctl:\n  swappiness: 1e2\n").first?.message == "expected an integer, got '1e2'")
    #expect(errors("sysctl:\n  swappiness: +5\n").first?.message == "expected an integer, got '+5'")
    #expect(errors("sysctl:\n  max_map_count: 99999999999999999999\n").first?.message.contains("does not fit") == true)
  }

  @Test func wrongTypes() {
    #expect(
      errors("sysctl: [swappiness]\n").first?.message == "expected a mapping of vm sysctl names to values, got a list")
    #expect(errors("sysctl:\n  swappiness: [1]\n").first?.message == "expected an integer, got a list")
    #expect(
      errors("sysctl:\n  swappiness: { percent_of_ram: 1 }\n").first?.message
        == "percent_of_ram needs a memory-sized knob; swappiness is not one")
    #expect(
      errors("sysctl:\n  swappiness: { at_most: 10, value: 3 }\n").first?.message
        == "give only one of value, at_least/at_most, percent_of_ram")
    #expect(
      errors("sysctl:\n  swappiness: { at_least: 50, at_most: 10 }\n").first?.message
        == "at_least 50 is above at_most 10")
    #expect(errors("name: \"bad/name\"\n").first?.key == "name")
  }

  @Test func duplicateKeysAreErrors() {
    let e = errors("sysctl:\n  swappiness: 1\n  swappiness: 2\n")
    #expect(e.first?.message == "duplicate key 'swappiness' (first defined at 3:3); remove one of them")
    #expect(e.first?.mark == Mark(line: 4, column: 3))
  }

  @Test func exclusivePairsInOneFileAreErrors() {
    let e = errors("sysctl:\n  dirty_ratio: 10\n  dirty_bytes: 100000000\n")
    #expect(
      e.first?.message
        == "dirty_bytes and dirty_ratio are mutually exclusive: writing one makes the kernel zero the other")
  }

  @Test func apiVersionIsRequired() throws {
    do {
      _ = try load(["p.yaml": "sysctl:\n  swappiness: 1\n"])
      Issue.record("missing apiVersion accepted")
    } catch {
      #expect(error.errors.first?.key == "apiVersion")
      #expect(error.errors.first?.message == "missing")
    }
  }

  @Test func conditionsParse() throws {
    let p = try load([
      "p.yaml":
        "apiVersion: vmtune/v1\nwhen: { numa_nodes: \">=2\", kernel: \"< 5.9\", cpus: 8, mem_total: \">512MiB\" }\n"
    ])
    #expect(
      p.conditions == [
        .numaNodes(.ge, 2), .memTotal(.gt, 512 * 1024), .kernel(.lt, KernelVersion(5, 9)), .cpus(.eq, 8),
      ])
    let host = HostFacts(numaNodes: 2, memTotalKB: 1 << 20, kernel: KernelVersion(5, 4), cpus: 8)
    #expect(p.conditions.allSatisfy { $0.holds(on: host) })
    #expect(Condition.kernel(.ge, KernelVersion(5, 9)).holds(on: host) == false)
    #expect(errors("when: { mem_total: \">= 64\" }\n").first?.hint == "write sizes like 512MiB, 64GiB or 1TiB")
    #expect(errors("when: { kernel: \">= five\" }\n").first?.key == "when.kernel")
  }

  @Test func actionsParseAndValidate() throws {
    let p = try load([
      "p.yaml": """
      apiVersion: vmtune/v1
      actions:
        compact:
          every: 15m
          when: { order: 4, fragmentation_index_above: 500 }
          nodes: [0, 1]
          jitter: 1m
        drop_caches:
          what: slab
          sync_first: true
          when: { order: 4, fragmentation_index_below: 500, free_blocks_below: 64 }
          min_interval: 6h
      """
    ])
    #expect(p.actions.count == 2)
    #expect(p.actions[0].kind == .compact)
    #expect(p.actions[0].everySeconds == 900)
    #expect(p.actions[0].nodes == [0, 1])
    #expect(p.actions[0].condition == Action.MemoryCondition(order: 4, fragmentationIndexAbove: 500))
    #expect(p.actions[1].what == .slab)
    #expect(p.actions[1].minIntervalSeconds == 21600)
    #expect(p.actions[1].syncFirst)
    #expect(
      errors("actions:\n  compact: { nodes: all }\n").first?.message == "runs neither on a schedule nor on a condition")
    #expect(errors("actions:\n  compact: { every: 15 }\n").first?.message == "'15' has no unit")
    // Found by `make fuzz`: a huge duration overflowed Int64 and trapped.
    #expect(
      errors("actions:\n  compact: { every: 99999999999999999d }\n").first?.message
        == "'99999999999999999d' is longer than a year")
    #expect(
      errors("actions:\n  compact: { when: { fragmentation_index_above: 500 } }\n").first?.message
        == "a condition needs the allocation order it protects")
    #expect(
      errors("actions:\n  drop_caches: { every: 1h, what: everything }\n").first?.hint
        == "use pagecache (1), slab (2) or all (3)")
    #expect(errors("actions:\n  defrag: { every: 1h }\n").first?.key == "actions.defrag")
  }

  @Test func invalidUTF8AndHugeFilesAreRefusedBeforeParsing() {
    struct Bytes: ProfileReader {
      var bytes: [UInt8]
      func read(_ path: String) throws -> [UInt8] { bytes }
      func exists(_ path: String) -> Bool { true }
    }
    let bad = Array("apiVersion: vmtune/v1\nname: \u{e9}\n".utf8).map { $0 == 0xC3 ? 0xFF : $0 }
    do {
      _ = try ProfileLoader(reader: Bytes(bytes: bad)).load(path: "x.yaml")
      Issue.record("invalid UTF-8 accepted")
    } catch {
      #expect(error.errors.first?.message == "invalid UTF-8")
      #expect(error.errors.first?.mark == Mark(line: 2, column: 7))
    }
    // A raw NUL byte is valid UTF-8 but never profile text: refused at its place too.
    let nul = Array("apiVersion: vmtune/v1\nname: \u{e9}x\n".utf8).map { $0 == UInt8(ascii: "x") ? 0 : $0 }
    #expect(ProfileLoader.firstInvalidUTF8(nul) == Mark(line: 2, column: 8))
    #expect(ProfileLoader.firstInvalidUTF8(Array("name: \u{e9}\n".utf8)) == nil)
    let huge = Array("apiVersion: vmtune/v1\n".utf8) + [UInt8](repeating: 0x23, count: 50 << 20)
    do {
      _ = try ProfileLoader(reader: Bytes(bytes: huge)).load(path: "big.yaml")
      Issue.record("50 MB profile accepted")
    } catch {
      #expect(error.errors.first?.message.contains("limited to 1048576") == true)
    }
  }
}
