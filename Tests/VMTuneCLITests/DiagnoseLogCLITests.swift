import Foundation
import Testing
import VMTuneTestSupport

/// `vmtune diagnose --log`: logs from other hosts, with or without a live host, gzipped, missing.
@Suite struct DiagnoseLogCLITests {
  static let journal = fixturePath("logs/journal-split-meminfo.log")

  @Test func aMissingLogIsNoSuchFile() throws {
    let r = try runVMTune(["diagnose", "--log", "/nonexistent/kern.log"])
    #expect(r.status == 1)
    #expect(r.stderr.contains("vmtune: error: cannot read the log /nonexistent/kern.log: no such file"), "\(r.stderr)")
    #expect(!r.stderr.contains("this kernel does not have it"))
  }

  /// Under a root with no /proc, the log alone is diagnosed: the memory its reports recorded,
  /// titled with the host, time, failure and kernel they describe.
  @Test func aLogAloneNeedsNoLiveHost() throws {
    let empty = FileManager.default.temporaryDirectory.path + "/vmtune-empty-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: empty) }
    let r = try runVMTune(["diagnose", "--root", empty, "--log", Self.journal, "--no-color"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(
      r.stdout.contains(
        "No live host (\(empty) has no proc/meminfo): the memory states the log recorded on host store-12."),
      "\(r.stdout)")
    #expect(
      r.stdout.contains(
        "Host store-12 at Mar 09 02:14:31 (log line 18), at the order-3 allocation failure of nfsd (line 1), "
          + "Linux 4.19.0-18-amd64"))
    #expect(r.stdout.contains("Node 1 Normal  (log line 18)"))
    #expect(r.stdout.contains("order 3: index "))
    #expect(!r.stdout.contains("This host"))
    let json = try runVMTune(["diagnose", "--root", empty, "--log", Self.journal, "--format", "json"])
    let obj = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
    #expect(obj?["live"] as? Bool == false)
    #expect((obj?["states"] as? [[String: Any]])?.map { $0["kind"] as? String } == ["logged"])
  }

  /// With a live host too, this host's state and the log's are both shown, each titled; a
  /// gzipped log reads the same.
  @Test func aLiveHostAndAnotherHostsLogAreShownApart() throws {
    let host = try FixtureHost(hostname: "vm")
    try host.write("proc/buddyinfo", "Node 0, zone Normal 1010 1093 1105 779 454 329 312 249 182 179 433\n")
    for log in [Self.journal, Self.journal + ".gz"] {
      let r = try runVMTune(["diagnose", "--root", host.root, "--log", log, "--no-color"])
      #expect(r.status == 0, "\(r.stderr)")
      #expect(
        r.stdout.contains("The log is from host store-12, not this host (vm): its memory states are shown apart."))
      let live = try #require(r.stdout.range(of: "This host (vm) now: /proc/buddyinfo"))
      let logged = try #require(r.stdout.range(of: "Host store-12 at Mar 09 02:14:31 (log line 18)"))
      #expect(live.lowerBound < logged.lowerBound)
      #expect(r.stdout.contains("Node 0 Normal  (buddyinfo)") && r.stdout.contains("Node 0 Normal  (log line 18)"))
      #expect(r.stdout.contains("1 order-3 allocation failure(s) (atomic) by nfsd — first at line 1"))
    }
  }

  /// `dmesg -T` output: the date is not part of the process name.
  @Test func dmesgTimesAreNotProcessNames() throws {
    let host = try FixtureHost()
    try host.write(
      "kern.log",
      "[Mon Apr 20 15:08:07 2020] kworker/u16:2: page allocation failure: order:4, mode:0x820(GFP_ATOMIC)\n")
    let r = try runVMTune(["diagnose", "--root", host.root, "--log", host.root + "/kern.log", "--no-color"])
    #expect(r.stdout.contains("1 order-4 allocation failure(s) (atomic) by kworker/u16:2 — first at line 1"))
  }
}
