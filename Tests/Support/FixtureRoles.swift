import Foundation

extension FixtureHost {
  /// A running process: `proc/PID/comm` holding `comm` (the kernel truncates it to 15 bytes).
  public func addProcess(pid: Int, comm: String) throws {
    try write("proc/\(pid)/comm", String(decoding: Array(comm.utf8.prefix(15)), as: UTF8.self) + "\n")
  }

  /// A device node under dev/ (a regular file stands in for it: only its presence is read).
  public func addDevice(_ name: String) throws {
    try write("dev/\(name)", "")
  }
}
