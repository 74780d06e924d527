import Testing
import VMTuneProfile
import VMTuneTestSupport

/// `unmanage:`, `persist:` and merging several profiles.
@Suite struct UnmanagePersistParsingTests {
  @Test func unmanageRemovesAnIncludedKey() throws {
    let reader = MemoryProfileReader([
      "a.yaml": "apiVersion: vmtune/v1\nname: a\nsysctl:\n  swappiness: 10\n  vfs_cache_pressure: 50\n",
      "c.yaml": "apiVersion: vmtune/v1\nname: c\ninclude: [a]\nunmanage: [vfs_cache_pressure]\n"
        + "persist: { file: 99-zz-vmtune.conf }\n",
    ])
    let c = try ProfileLoader(reader: reader).load(path: "c.yaml")
    #expect(c.settings.map(\.key) == ["swappiness"])
    #expect(c.unmanaged == ["vfs_cache_pressure"])
    #expect(c.persistFile == "99-zz-vmtune.conf")
  }

  @Test func unmanageErrorsNameTheKey() throws {
    #expect(throws: ProfileErrors.self) { try loadProfile("sysctl:\n  swappiness: 10\nunmanage: [swappiness]\n") }
    #expect(throws: ProfileErrors.self) { try loadProfile("unmanage: [swapiness]\n") }
    #expect(throws: ProfileErrors.self) { try loadProfile("persist: { file: ../etc/passwd }\n") }
    #expect(throws: ProfileErrors.self) { try loadProfile("persist: { file: vmtune.txt }\n") }
    #expect(try loadProfile("unmanage: [unchecked:shrink_inodes_with_pagecache]\n").unmanaged.count == 1)
  }

  /// `apply a b`: later wins, a later unmanage releases an earlier key.
  @Test func combineMergesInOrder() throws {
    let a = try loadProfile("sysctl:\n  swappiness: 30\n  vfs_cache_pressure: 50\n", name: "a")
    let b = try loadProfile("sysctl:\n  swappiness: 20\nunmanage: [vfs_cache_pressure]\n", name: "b")
    let merged = ProfileLoader.combine([a, b])
    #expect(merged.name == "a+b")
    #expect(merged.settings.map(\.key) == ["swappiness"])
    #expect(merged.setting("swappiness")?.target == .exact(.int(20)))
    #expect(merged.unmanaged == ["vfs_cache_pressure"])
  }
}
