import ArgumentParser
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
    do {
      let snap = try HostSnapshot.read(host.files, triggers: KnobCatalog.triggers, tables: [.zoneinfo, .buddyinfo, .mm])
      print(try JSONOutput.string(snap))
    } catch {
      Terminal.error("vmtune: error: cannot read the host under \(host.files.rootDescription): \(error)")
      throw ExitCode.failure
    }
  }

  static func load(_ path: String) throws -> HostSnapshot {
    do {
      let snap = try JSONOutput.decode(HostSnapshot.self, from: path)
      guard snap.formatVersion == HostSnapshot.formatVersion else {
        Terminal.error("vmtune: error: \(path) is snapshot format \(snap.formatVersion); this vmtune reads \(HostSnapshot.formatVersion)")
        throw ExitCode.failure
      }
      return snap
    } catch let e as ExitCode {
      throw e
    } catch {
      Terminal.error("vmtune: error: cannot read snapshot \(path): \(error)")
      throw ExitCode.failure
    }
  }
}
