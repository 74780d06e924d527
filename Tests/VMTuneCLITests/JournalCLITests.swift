import Foundation
import Testing
import VMTuneTestSupport

/// Journals end to end: a full state disk, hand-edited and corrupt journals, long histories and
/// rollbacks that meet values changed since.
@Suite struct JournalCLITests {
  let body = "sysctl:\n  min_free_kbytes: 90000\n  watermark_scale_factor: 200\n  swappiness: 10\n"

  /// With ~4 KiB left on the state file system the in-progress journal fits and the final one
  /// does not: apply must refuse before the first sysctl write, every time, instead of leaving
  /// every value written under "nothing was changed" and flipping the host on each run.
  @Test func fullStateDiskAfterTheFirstJournalWriteChangesNothing() throws {
    let host = try FixtureHost()
    let before = host.allValues()
    let p = try writeProfile(host, body)
    for run in 1...2 {
      let r = try runVMTune(["apply", p, "--root", host.root, "--yes", "--inject-fault", "space:4096"])
      #expect(r.status == 1, "run \(run): \(r.stdout)")
      #expect(r.stderr.contains("cannot write the rollback journal, so nothing was changed"), "\(r.stderr)")
      #expect(r.stderr.contains("ENOSPC"), "\(r.stderr)")
      #expect(host.allValues() == before, "run \(run) left the host changed")
      let list = try runVMTune(["rollback", "--list", "--root", host.root])
      #expect(!list.stdout.contains("in-progress"), "run \(run): \(list.stdout)")
    }
    let ok = try runVMTune(["apply", p, "--root", host.root, "--yes", "--inject-fault", "space:8192"])
    #expect(ok.status == 0, "\(ok.stderr)")
    #expect(host.value("swappiness") == "10")
    #expect(try runVMTune(["rollback", "--list", "--root", host.root]).stdout.contains("applied"))
  }

  /// The hand edit of a journal: rollback refuses it, naming the file, and writes nothing.
  @Test func handEditedJournalIsRefused() throws {
    let host = try FixtureHost()
    let p = try writeProfile(host, body)
    #expect(try runVMTune(["apply", p, "--root", host.root, "--yes"]).status == 0)
    let applied = host.allValues()
    let path = host.root + "/var/lib/vmtune/journal/000001.json"
    let text = try String(contentsOfFile: path, encoding: .utf8)
      .replacingOccurrences(of: "\"original\" : \"67584\"", with: "\"original\" : \"3000000\"")
      .replacingOccurrences(of: "\"original\" : \"60\"", with: "\"original\" : \"9999\"")
      .replacingOccurrences(of: "\"original\" : \"10\"", with: "\"original\" : \"10; echo pwned\"")
      .replacingOccurrences(
        of: "\"entries\" : [",
        with: "\"entries\" : [ { \"key\" : \"nr_hugepages\", \"original\" : \"5000\" }, "
          + "{ \"key\" : \"stat_refresh\", \"original\" : \"1\" },")
    try text.write(toFile: path, atomically: false, encoding: .utf8)
    let r = try runVMTune(["rollback", "--root", host.root, "--yes"])
    #expect(r.status == 1)
    #expect(r.stderr.contains(path), "\(r.stderr)")
    #expect(r.stderr.contains("nothing was written"), "\(r.stderr)")
    #expect(!r.stderr.contains("DecodingError"), "\(r.stderr)")
    #expect(host.allValues() == applied)
  }

  /// 2000 random bytes in an old generation: listed as corrupt; apply, rollback of newer
  /// generations and the agent keep working; no raw DecodingError anywhere.
  @Test func corruptOldGenerationIsListedAndSkipped() throws {
    let host = try FixtureHost()
    let first = try writeProfile(host, "sysctl:\n  swappiness: 10\n")
    let second = try writeProfile(host, "sysctl:\n  watermark_scale_factor: 200\n", name: "u")
    #expect(try runVMTune(["apply", first, "--root", host.root, "--yes"]).status == 0)
    var random = SplitMix64(seed: 13)
    let garbage = Data((0..<2000).map { _ in UInt8.random(in: 0...255, using: &random) })
    try garbage.write(to: URL(fileURLWithPath: host.root + "/var/lib/vmtune/journal/000001.json"))

    let list = try runVMTune(["rollback", "--list", "--root", host.root])
    #expect(list.status == 0, "\(list.stderr)")
    #expect(list.stdout.contains("corrupt"), "\(list.stdout)")
    let json = try runVMTune(["rollback", "--list", "--root", host.root, "--format", "json"])
    #expect(json.status == 0, "\(json.stderr)")
    #expect(json.stdout.contains("\"state\" : \"corrupt\""), "\(json.stdout)")

    let apply = try runVMTune(["apply", second, "--root", host.root, "--yes"])
    #expect(apply.status == 0, "\(apply.stderr)")
    #expect(apply.stderr.contains("000001.json"), "the skipped journal is named: \(apply.stderr)")
    #expect(host.value("watermark_scale_factor") == "200")

    try host.set("watermark_scale_factor", "10")
    let agent = try runVMTune(["agent", second, "--root", host.root, "--once"])
    #expect(agent.status == 0, "\(agent.stderr)")
    #expect(agent.stderr.contains("enforced watermark_scale_factor"), "\(agent.stderr)")
    #expect(host.value("watermark_scale_factor") == "200")

    let rollback = try runVMTune(["rollback", "--root", host.root, "--yes"])
    #expect(rollback.status == 0, "\(rollback.stderr)")
    for r in [list, json, apply, agent, rollback] { #expect(!(r.stdout + r.stderr).contains("DecodingError")) }
  }

  /// Whether `text` appears in the file at `path` within `seconds`.
  func waitFor(_ path: String, _ text: String, seconds: Double = 10) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
      if (try? String(contentsOfFile: path, encoding: .utf8))?.contains(text) == true { return true }
      Thread.sleep(forTimeInterval: 0.1)
    }
    return false
  }

  /// A rollback while `vmtune agent` runs: the agent stands down (logged) instead of putting the
  /// profile back within one interval as "changed outside vmtune"; the next apply resumes it.
  @Test func rollbackWhileTheAgentRunsIsNotUndone() throws {
    let host = try FixtureHost()
    let p = try writeProfile(host, "sysctl:\n  swappiness: 10\n  watermark_scale_factor: 200\n")
    #expect(try runVMTune(["apply", p, "--root", host.root, "--yes"]).status == 0)
    let log = host.root + "/agent.log"
    FileManager.default.createFile(atPath: log, contents: nil)
    let agent = Process()
    agent.executableURL = URL(fileURLWithPath: vmtuneBinary())
    agent.arguments = ["agent", p, "--root", host.root, "--interval", "1s"]
    agent.standardError = FileHandle(forWritingAtPath: log)
    agent.standardOutput = FileHandle.nullDevice
    try agent.run()
    defer { if agent.isRunning { kill(agent.processIdentifier, SIGKILL) } }
    // The agent's first cycle: the host is in sync.
    #expect(waitFor(log, "started: profile t"), "the agent did not start")
    Thread.sleep(forTimeInterval: 1.5)
    let r = try runVMTune(["rollback", "--root", host.root, "--yes"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(host.value("swappiness") == "60")
    Thread.sleep(forTimeInterval: 3)  // three intervals
    #expect(host.value("swappiness") == "60", "the agent undid the rollback")
    #expect(host.value("watermark_scale_factor") == "10")
    // SIGKILL: a child of the test runner inherits its blocked SIGTERM.
    kill(agent.processIdentifier, SIGKILL)
    agent.waitUntilExit()
    let text = try String(contentsOfFile: log, encoding: .utf8)
    #expect(text.contains("standing down: 'vmtune rollback' restored generation"), "\(text)")
    #expect(!text.contains("changed outside vmtune from 10 to 60"), "\(text)")

    // The next apply resumes enforcement.
    #expect(try runVMTune(["apply", p, "--root", host.root, "--yes"]).status == 0)
    try host.set("swappiness", "30")
    let once = try runVMTune(["agent", p, "--root", host.root, "--once"])
    #expect(once.stderr.contains("enforced swappiness: 30 → 10"), "\(once.stderr)")
  }

  /// A value changed since the apply refuses the rollback; forced, on another kernel release,
  /// rollback restores and warns.
  @Test func forcedRollbackOnAnotherKernelWarns() throws {
    let host = try FixtureHost()
    let before = host.allValues()
    let p = try writeProfile(host, "sysctl:\n  swappiness: 10\n  watermark_scale_factor: 200\n")
    #expect(try runVMTune(["apply", p, "--root", host.root, "--yes"]).status == 0)
    try host.set("swappiness", "30")  // someone else, after the apply
    let refused = try runVMTune(["rollback", "--root", host.root, "--yes"])
    #expect(refused.status == 1)
    #expect(refused.stderr.contains("swappiness: vmtune wrote 10, live 30 (the original was 60)"), "\(refused.stderr)")
    #expect(refused.stderr.contains("nothing was written"), "\(refused.stderr)")
    #expect(host.value("watermark_scale_factor") == "200")
    try host.write("proc/sys/kernel/osrelease", "6.19.2-test\n")
    let r = try runVMTune(["rollback", "--root", host.root, "--yes", "--force"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stderr.contains("warning: generation 1 was applied on kernel 6.18.44-test, this is 6.19.2-test"))
    #expect(r.stdout.contains("↺ swappiness: 30 → 60"), "\(r.stdout)")
    #expect(host.allValues() == before)
  }

  /// Apply, then 55 agent corrections of a key another tool keeps flipping: the pre-vmtune
  /// baseline (generation 1) survives compaction and `rollback --to 1` restores it.
  @Test func agentChurnKeepsThePreVMTuneBaseline() throws {
    let host = try FixtureHost()
    let before = host.allValues()
    let p = try writeProfile(host, "sysctl:\n  swappiness: 10\n  watermark_scale_factor: 200\n")
    #expect(try runVMTune(["apply", p, "--root", host.root, "--yes"]).status == 0)
    for i in 0..<55 {
      try host.set("swappiness", String(30 + i % 2))
      let once = try runVMTune(["agent", p, "--root", host.root, "--once"])
      #expect(once.stderr.contains("enforced swappiness"), "correction \(i): \(once.stderr)")
    }
    let list = try runVMTune(["rollback", "--list", "--root", host.root])
    let rows = list.stdout.split(separator: "\n").dropFirst()
    #expect(rows.count <= 50, "\(list.stdout)")
    #expect(rows.first?.hasPrefix("1 ") == true, "\(list.stdout)")
    let r = try runVMTune(["rollback", "--to", "1", "--root", host.root, "--yes"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(host.allValues() == before)
  }
}
