import Foundation
import Testing
import VMTuneHost
import VMTuneKernel
import VMTuneTestSupport

/// Page size and the number of buddy orders are facts of the host: a 64 KiB-page arm64 host's
/// 14-column buddyinfo is 126 GiB free, not 7.8.
@Suite struct PageSizeTests {
  @Test func a64KiBHostIsRecognisedFromZoneinfo() throws {
    let host = try FixtureHost.arm64With64KiBPages()
    let s = try HostSnapshot.read(host.files)
    #expect(s.pageSize == PageSize(bytes: 65536, source: .zoneinfo))
    #expect(s.orderCount == 14)
    #expect(s.hugePageOrder == 13, "512 MiB THP: PAGE_SHIFT 16 - 3")
    #expect(s.pageSize.kilobytes(2_059_823) == 131_828_672)
  }

  @Test func withoutZoneinfoBuddyinfosFourteenOrdersTell() throws {
    let host = try FixtureHost.arm64With64KiBPages()
    try FileManager.default.removeItem(atPath: host.root + "/proc/zoneinfo")
    let s = try HostSnapshot.read(host.files)
    #expect(s.pageSize == PageSize(bytes: 65536, source: .buddyinfo))
  }

  @Test func aTreeThatSaysNothingIsAssumedFourKiBAndSaysSo() throws {
    let host = try FixtureHost()
    let s = try HostSnapshot.read(host.files)
    #expect(s.pageSize == .assumed)
    #expect(s.pageSize.description == "4 KiB (assumed)")
    #expect(s.orderCount == 11)
    #expect(s.hugePageOrder == 9)
  }

  @Test func theFourKiBTestHostIsRecognised() throws {
    // MemTotal 4024116 kB = 1006029 managed pages × 4 kB.
    let host = try fourGiBHostBeforeRunawayReserve()
    #expect(try HostSnapshot.read(host.files).pageSize == PageSize(bytes: 4096, source: .zoneinfo))
  }

  @Test func theLiveHostsPageSizeIsRecorded() throws {
    let s = try HostSnapshot.read(HostFiles(root: "/"), keys: [], tables: [])
    #expect(s.pageSize.source == .host)
    #expect(s.pageSize.bytes == UInt64(getpagesize()))
  }

  @Test func nonsenseRatiosFitNoPageSize() {
    // MemTotal 1000 kB over 7 managed pages is 146 KiB a page: no Linux page size.
    let s = PageSize.infer(
      memInfo: MemInfo(values: ["MemTotal": 1000]),
      zoneInfo: ZoneInfo(zones: [
        {
          var z = ZoneStats(node: 0, name: "Normal")
          z.managed = 7
          return z
        }()
      ]),
      buddyInfo: nil)
    #expect(s == .assumed)
  }
}
