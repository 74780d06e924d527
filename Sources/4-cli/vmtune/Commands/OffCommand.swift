import ArgumentParser
import VMTuneFrontend

struct OffCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "off",
    abstract: "Stop tuning: release every managed key to its baseline, remove the persist file.",
    discussion: """
      Like 'tuned-adm off'. Every key vmtune changed and still manages is written
      back to the host's baseline (its value before vmtune first changed it), the
      sysctl.d file vmtune wrote is removed, and a running 'vmtune agent' stands
      down until the next 'vmtune apply'. It is one journaled change (a new
      generation, recorded before the first write): 'vmtune rollback' undoes it,
      values and file. To release only some keys, list them under a profile's
      unmanage: and apply it.

      Exit status: 0 done or nothing to release, 1 failed (the host is restored).
      """)

  @OptionGroup var host: HostOptions

  @Flag(name: .long, help: "Do not ask for confirmation.")
  var yes = false

  @Option(
    name: .customLong("lock-timeout"), help: ArgumentHelp("Seconds to wait for another vmtune.", valueName: "SECONDS"))
  var lockTimeout: Int = 10

  @Flag(name: .customLong("no-color"), help: "Never colour the output.")
  var noColor = false

  func run() throws {
    let terminal = Terminal.detect(forceOff: noColor)
    let frontend = try host.frontend()
    if !yes, Terminal.stdinIsTerminal {
      guard Terminal.confirm("Release every key vmtune manages on \(host.files.rootDescription)?") else {
        throw VMTuneError.other("cancelled; nothing was written")
      }
    }
    let report = try frontend.turnOff(lockTimeoutSeconds: lockTimeout)
    for w in report.writes {
      print("  \(terminal.paint("-", .magenta)) \(w.key): \(w.from) → \(w.to) (released)")
    }
    if let p = report.persisted, p.removed { print("  \(terminal.paint("-", .magenta)) removed \(p.path)") }
    if let g = report.generation {
      print("vmtune is off: \(report.writes.count) key(s) released to their baseline; journal generation \(g).")
      print("A running agent stands down until the next 'vmtune apply'. Undo with: vmtune rollback")
    } else {
      print("vmtune is off: nothing to release. A running agent stands down until the next 'vmtune apply'.")
    }
  }
}
