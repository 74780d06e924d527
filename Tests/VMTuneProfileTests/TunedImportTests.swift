import Testing
import VMTuneProfile

/// `vmtune import tuned` on in-memory tuned trees: include chains resolved like tuned's loader
/// (parents first, units merged option by option, `replace=1`, `drop=`), `[sysctl]` vm keys
/// imported, `>`/`<` as at_least/at_most, `[vm]` huge-page settings noted, variables reported.
@Suite struct TunedImportTests {
  static let tree: [String: String] = [
    "/usr/lib/tuned/base-perf/tuned.conf": """
    [main]
    summary=Base performance
    [sysctl]
    vm.dirty_ratio = 40
    vm.dirty_background_ratio = 10
    vm.swappiness=10
    net.core.somaxconn=>2048
    kernel.numa_balancing=0
    [vm]
    transparent_hugepages=never
    [cpu]
    governor=performance
    """,
    "/usr/lib/tuned/child/tuned.conf": """
    #
    # a child profile
    [main]
    summary=Child of base-perf   # an inline comment
    include=base-perf, -not-installed
    [variables]
    ratio=7
    [sysctl]
    vm.dirty_background_ratio = 5
    vm.max_map_count=>262144
    vm.min_free_kbytes=<90000
    vm.swappiness=${ratio}
    [sysctl.arm]
    type=sysctl
    uname_regex=aarch64
    vm.stat_interval=10
    """,
    "/etc/tuned/child/tuned.conf": """
    [main]
    summary=Site override of child
    include=base-perf
    [sysctl]
    replace=1
    vm.swappiness=1
    """,
    "/usr/lib/tuned/dropper/tuned.conf": """
    [main]
    include=base-perf
    [sysctl]
    drop=vm.dirty_ratio
    """,
    "/usr/lib/tuned/broken/tuned.conf": "[main]\ninclude=no-such-profile\n",
    "/usr/lib/tuned/virt/tuned.conf": "[main]\ninclude=${f:virt_check:child:base-perf}\n[sysctl]\nvm.swappiness=20\n",
    "/usr/lib/tuned/loop-a/tuned.conf": "[main]\ninclude=loop-b\n[sysctl]\nvm.swappiness=21\n",
    "/usr/lib/tuned/loop-b/tuned.conf": "[main]\ninclude=loop-a\n[sysctl]\nvm.swappiness=22\n",
  ]

  static let dirs = ["/etc/tuned", "/usr/lib/tuned"]

  static func load(_ path: String, dirs: [String] = TunedImportTests.dirs) throws(TunedImportError) -> ProfileImport {
    let reader = MemoryProfileReader(tree)
    return try TunedImporter(reader: reader, profileDirectories: dirs).importProfile(at: path)
  }

  @Test func includesMergeParentsFirstAndTheChildWins() throws {
    let result = try Self.load("/usr/lib/tuned/child/tuned.conf")
    let yaml = result.yaml()
    let p = try SysctlImportTests.load(yaml)
    #expect(p.name == "child")
    #expect(p.description == "Imported from tuned profile child: Child of base-perf")
    #expect(p.setting("dirty_ratio")?.target == .exact(.int(40)))
    #expect(p.setting("dirty_background_ratio")?.target == .exact(.int(5)))
    #expect(p.setting("max_map_count")?.target == .atLeast(262_144))
    #expect(p.setting("min_free_kbytes")?.target == .atMost(90000))
    // The child's swappiness=${ratio} replaces the parent's 10 in tuned, and is reported, not guessed.
    #expect(p.setting("swappiness") == nil)
    #expect(p.setting("stat_interval") == nil, "a unit conditional on uname is not imported")
    #expect(yaml.contains("/usr/lib/tuned/base-perf/tuned.conf:4: vm.dirty_ratio = 40"), "\(yaml)")
    #expect(
      yaml.contains(
        "/usr/lib/tuned/child/tuned.conf:9: vm.dirty_background_ratio = 5 (overrides "
          + "/usr/lib/tuned/base-perf/tuned.conf:5)"))
    #expect(yaml.contains("#   /usr/lib/tuned/child/tuned.conf\n#   /usr/lib/tuned/base-perf/tuned.conf"))
    let text = result.findings.map(\.description)
    #expect(
      text.contains(
        "/usr/lib/tuned/child/tuned.conf:12: skipped: vm.swappiness=${ratio}: uses a tuned variable "
          + "(${ratio}); vmtune does not expand them: set the value yourself"), "\(text)")
    #expect(
      text.contains(
        "/usr/lib/tuned/base-perf/tuned.conf:7: skipped: net.core.somaxconn=>2048: not a vm sysctl (vmtune manages "
          + "/proc/sys/vm)"))
    #expect(
      text.contains(
        "/usr/lib/tuned/base-perf/tuned.conf:10: note: [vm] transparent_hugepages=never: tuned sets the transparent "
          + "huge page mode in /sys/kernel/mm/transparent_hugepage, outside /proc/sys/vm; set it on the kernel command "
          + "line (transparent_hugepage=never) or keep tuned's [vm] for it"), "\(text)")
    #expect(
      text.contains { $0.hasPrefix("/usr/lib/tuned/child/tuned.conf:13: skipped: [sysctl.arm]: applies only where") })
    #expect(
      text.contains(
        "/usr/lib/tuned/child/tuned.conf:5: note: include of 'not-installed' skipped: it is optional (-) and not "
          + "installed"
      ))
    #expect(text.contains { $0.hasPrefix("/usr/lib/tuned/base-perf/tuned.conf:11: note: not imported: [cpu]") })
  }

  @Test func etcOverridesUsrLibAndReplaceDropsTheParentsOptions() throws {
    let result = try Self.load("child")
    let p = try SysctlImportTests.load(result.yaml())
    #expect(p.description == "Imported from tuned profile child: Site override of child")
    #expect(p.setting("swappiness")?.target == .exact(.int(1)))
    #expect(p.setting("dirty_ratio") == nil, "replace=1 drops the parent's [sysctl]")
  }

  @Test func dropRemovesNamedOptions() throws {
    let p = try SysctlImportTests.load(try Self.load("dropper").yaml())
    #expect(p.setting("dirty_ratio") == nil)
    #expect(p.setting("dirty_background_ratio")?.target == .exact(.int(10)))
  }

  @Test func includesThatCannotBeResolvedAreErrorsOrReported() throws {
    #expect(throws: TunedImportError.self) { try Self.load("broken") }
    do {
      _ = try Self.load("broken")
    } catch {
      #expect(
        error.description.contains(
          "/usr/lib/tuned/broken/tuned.conf:2: include of 'no-such-profile': no such tuned profile in "
            + "/etc/tuned, /usr/lib/tuned"
        ), "\(error)")
    }
    let virt = try Self.load("virt")
    #expect(
      virt.findings.map(\.description).contains(
        "/usr/lib/tuned/virt/tuned.conf:2: skipped: include=${f:virt_check:child:base-perf}: uses a tuned variable "
          + "or function; vmtune does not guess which profile it names: import that profile instead"))
    #expect(try SysctlImportTests.load(virt.yaml()).setting("swappiness")?.target == .exact(.int(20)))
    // A profile already loaded is not loaded again (tuned skips it too).
    let loop = try SysctlImportTests.load(try Self.load("loop-a").yaml())
    #expect(loop.setting("swappiness")?.target == .exact(.int(21)))
  }

  @Test func aMissingProfileIsAnError() {
    #expect(throws: TunedImportError.self) { try Self.load("nothing-here") }
  }
}
