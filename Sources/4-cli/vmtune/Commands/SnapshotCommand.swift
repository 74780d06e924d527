import ArgumentParser
import VMTuneFrontend
import VMTuneHost
import VMTuneKernel
import VMTuneProfile

struct SnapshotCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "snapshot",
    abstract: "Print this host's vm sysctls, kernel, memory and NUMA layout as JSON.",
    discussion: "Plan or check offline against it: vmtune plan PROFILE --snapshot host.json")

  @OptionGroup var host: HostOptions

  func run() throws {
    // Everything a plan, a check or a diagnosis of the fragmentation needs; /proc/vmstat is
    // left out (event counters since boot mean nothing offline, and it is half the bytes).
    let snap = try host.frontend().readHost(tables: [.zoneinfo, .buddyinfo, .mm])
    print(try JSONFile.string(snap))
  }
}
