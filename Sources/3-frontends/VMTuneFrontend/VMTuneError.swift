import VMTuneApply
import VMTuneHost
import VMTuneKernel
import VMTuneProfile

/// Every way a command can fail, as a value. Commands and frontends throw these; one printer at
/// the top of the program (the CLI's, the Ansible module's) turns them into text.
public enum VMTuneError: Error, Sendable, CustomStringConvertible {
  /// Problems in a profile, each at `file:line:column` with the source line when known.
  case profile(ProfileErrors)
  /// No profile by that name in the search path; `hint` names the nearest one when there is one.
  case noProfile(name: String, searched: [String], hint: String? = nil)
  /// `--root` is not a directory.
  case noRoot(path: String, reason: String)
  /// The host under a root could not be read.
  case host(root: String, KernelError)
  /// A file the user named (plan, snapshot, log) could not be read or decoded.
  case file(path: String, what: String, reason: String, hint: String? = nil)
  /// Apply, rollback or the journal stopped; the text says what is on the host.
  case apply(ApplyError)
  /// Anything else, with the fix when one is known.
  case other(String, hint: String? = nil)

  /// The hint line, when there is one.
  public var hint: String? {
    switch self {
    case .noProfile(_, _, let hint): return hint ?? "give a path, or a name from 'vmtune profiles'"
    case .noRoot: return "--root takes a directory laid out like / (proc/sys/vm, proc/meminfo, …)"
    case .file(_, _, _, let hint), .other(_, let hint): return hint
    default: return nil
    }
  }

  /// The message without the hint (profile errors carry their own hints).
  public var message: String {
    switch self {
    case .profile(let errors): return errors.description
    case .noProfile(let name, let searched, _):
      return "no profile '\(name)' (looked in \(searched.joined(separator: ", ")))"
    case .noRoot(let path, let reason): return "--root \(path): \(reason)"
    case .host(let root, let e): return "cannot read the host under \(root): \(e)"
    case .file(let path, let what, let reason, _): return "cannot read \(what) \(path): \(reason)"
    case .apply(let e): return e.description
    case .other(let message, _): return message
    }
  }

  public var description: String { message + (hint.map { "\n  hint: \($0)" } ?? "") }
}
