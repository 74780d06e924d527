import Testing
import VMTuneProfile

/// `vmtune import sysctl`: sysctl.conf / sysctl.d lines become a vmtune profile that the
/// project's own loader accepts; everything not imported is said with its file and line.
@Suite struct SysctlImportTests {
  /// Loads `yaml` with the real loader, as `vmtune validate` would.
  static func load(_ yaml: String) throws -> Profile {
    try ProfileLoader(reader: MemoryProfileReader(["imported.yaml": yaml])).load(path: "imported.yaml")
  }

  static func imported(_ files: [(String, String)], name: String = "imported") -> ProfileImport {
    var result = ProfileImport(name: name, description: "test", origin: "vmtune import sysctl")
    for (file, text) in files {
      result.addSource(file)
      let parsed = SysctlConf.parse(text, file: file)
      for finding in parsed.findings { result.report(finding) }
      for assignment in parsed.assignments { result.add(assignment) }
    }
    return result
  }

  static let conf = """
    # Kernel tuning
    ; an old-style comment
    vm.swappiness = 10
    vm/dirty_ratio=15
    -vm.max_map_count = 262144
       vm.vfs_cache_pressure    =   50   
    net.ipv4.ip_forward = 1
    kernel/pid_max = 65536
    this line has no equals sign
    vm.min_free_kbytes = 010
    vm.watermark_scale_factor = 5000
    vm.lowmem_reserve_ratio = 256 256 32
    vm.drop_caches = 3
    vm.shrink_inodes_with_pagecache = 1
    vm.zone_reclaim_mode = 1
    vm.numa_zonelist_order = Node
    vm.overcommit_memory =
    """

  @Test func sysctlSyntaxBecomesAProfileTheLoaderAccepts() throws {
    let result = Self.imported([("/etc/sysctl.d/90-site.conf", Self.conf)])
    let yaml = result.yaml()
    let p = try Self.load(yaml)
    #expect(p.name == "imported")
    #expect(p.setting("swappiness")?.target == .exact(.int(10)))
    #expect(p.setting("dirty_ratio")?.target == .exact(.int(15)))
    #expect(p.setting("max_map_count")?.target == .exact(.int(262_144)))
    #expect(p.setting("vfs_cache_pressure")?.target == .exact(.int(50)))
    #expect(p.setting("lowmem_reserve_ratio")?.target == .exact(.list([256, 256, 32])))
    #expect(p.setting("zone_reclaim_mode")?.target == .exact(.int(1)))
    #expect(p.setting("numa_zonelist_order")?.target == .exact(.text("Node")))
    #expect(p.setting("shrink_inodes_with_pagecache")?.knob.isUnchecked == true)
    #expect(p.setting("min_free_kbytes") == nil, "octal is reported, not guessed")
    #expect(p.setting("watermark_scale_factor") == nil, "out of range is reported, not emitted")
    #expect(p.setting("overcommit_memory") == nil)
    // Each setting names its source line in a comment above it.
    #expect(yaml.contains("  # /etc/sysctl.d/90-site.conf:3: vm.swappiness = 10\n  swappiness: 10\n"), "\(yaml)")
    #expect(yaml.contains("  # /etc/sysctl.d/90-site.conf:4: vm/dirty_ratio=15\n  dirty_ratio: 15\n"))
    #expect(yaml.contains("# Imported by vmtune import sysctl from /etc/sysctl.d/90-site.conf"))
  }

  @Test func whatIsNotImportedIsSaidWithFileAndLine() throws {
    let result = Self.imported([("/etc/sysctl.d/90-site.conf", Self.conf)])
    let skipped = result.findings.filter { $0.kind == .skipped }.map(\.description)
    let f = "/etc/sysctl.d/90-site.conf"
    #expect(skipped.contains("\(f):7: skipped: net.ipv4.ip_forward = 1: not a vm sysctl (vmtune manages /proc/sys/vm)"))
    #expect(skipped.contains("\(f):8: skipped: kernel/pid_max = 65536: not a vm sysctl (vmtune manages /proc/sys/vm)"))
    #expect(skipped.contains("\(f):9: skipped: this line has no equals sign: not 'key = value'"))
    #expect(skipped.contains { $0.hasPrefix("\(f):10: skipped: vm.min_free_kbytes = 010: '010' has a leading zero") })
    #expect(
      skipped.contains(
        "\(f):11: skipped: vm.watermark_scale_factor = 5000: 5000 is above the kernel's maximum 3000 for "
          + "watermark_scale_factor"))
    #expect(skipped.contains { $0.hasPrefix("\(f):13: skipped: vm.drop_caches = 3: is a one-shot trigger") })
    #expect(skipped.contains("\(f):17: skipped: vm.overcommit_memory =: no value"))
    let notes = result.findings.filter { $0.kind == .note }.map(\.description)
    #expect(notes.contains { $0.hasPrefix("\(f):14: note: shrink_inodes_with_pagecache is not in vmtune's catalog") })
    // The same lines appear as comments in the profile.
    let yaml = result.yaml()
    #expect(yaml.contains("#   \(f):7: net.ipv4.ip_forward = 1: not a vm sysctl (vmtune manages /proc/sys/vm)"))
  }

  @Test func laterFilesWinAndExclusivePairsKeepTheLastWritten() throws {
    let result = Self.imported([
      ("a.conf", "vm.swappiness = 30\nvm.dirty_ratio = 20\nvm.dirty_background_bytes = 67108864\n"),
      ("b.conf", "vm.swappiness = 5\nvm.dirty_bytes = 536870912\nvm.dirty_background_ratio = 5\n"),
    ])
    let yaml = result.yaml()
    let p = try Self.load(yaml)
    #expect(p.setting("swappiness")?.target == .exact(.int(5)))
    #expect(yaml.contains("  # b.conf:1: vm.swappiness = 5 (overrides a.conf:1)\n"), "\(yaml)")
    #expect(p.setting("dirty_bytes")?.target == .exact(.int(536_870_912)))
    #expect(p.setting("dirty_ratio") == nil)
    #expect(p.setting("dirty_background_ratio")?.target == .exact(.int(5)))
    #expect(p.setting("dirty_background_bytes") == nil)
    let dropped = result.findings.map(\.description)
    #expect(
      dropped.contains(
        "a.conf:2: skipped: vm.dirty_ratio = 20: b.conf:2 writes dirty_bytes after it, and the kernel then zeroes "
          + "dirty_ratio"), "\(dropped)")
  }

  @Test func anEmptyImportIsStillAValidProfile() throws {
    let result = Self.imported([("x.conf", "net.core.somaxconn = 1024\n")], name: "x")
    let p = try Self.load(result.yaml())
    #expect(p.settings.isEmpty)
    #expect(p.name == "x")
  }

  @Test func descriptionsAreQuotedSafely() throws {
    var result = ProfileImport(name: "q", description: "a \"quoted\" # text: with \\ and\nnewline", origin: "t")
    result.addSource("f")
    let p = try Self.load(result.yaml())
    #expect(p.description == "a \"quoted\" # text: with \\ and newline")
  }
}
