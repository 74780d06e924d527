import Foundation
import Testing
import VMTuneTestSupport

/// Where profile names are looked up: --profile-dir, then DIR/etc/vmtune/profiles, then the
/// shipped profiles; ./profiles only when named as a path. Shadowing is said by `vmtune
/// profiles`, and mistyped names get a "did you mean".
@Suite struct ProfileLookupTests {
  /// A working directory with its own profiles/kvm-host.yaml and profiles/mine.yaml.
  static func workingDirectory(_ host: FixtureHost) throws -> String {
    try host.write("cwd/profiles/kvm-host.yaml", "apiVersion: vmtune/v1\nname: cwd-kvm\nsysctl:\n  swappiness: 33\n")
    try host.write("cwd/profiles/mine.yaml", "apiVersion: vmtune/v1\nname: mine\nsysctl:\n  swappiness: 33\n")
    return host.root + "/cwd"
  }

  @Test func profilesInTheWorkingDirectoryAreUsedOnlyWhenNamedAsAPath() throws {
    let host = try FixtureHost()
    let cwd = try Self.workingDirectory(host)
    let byName = try runVMTune(["plan", "kvm-host", "--root", host.root], cwd: cwd)
    #expect(byName.stdout.contains("Profile kvm-host ("), "\(byName.stdout)\(byName.stderr)")
    #expect(!byName.stdout.contains("cwd-kvm"))
    let byPath = try runVMTune(["plan", "profiles/kvm-host.yaml", "--root", host.root], cwd: cwd)
    #expect(byPath.stdout.contains("Profile cwd-kvm (profiles/kvm-host.yaml)"), "\(byPath.stderr)")
    let onlyHere = try runVMTune(["plan", "mine", "--root", host.root], cwd: cwd)
    #expect(onlyHere.status == 1)
    #expect(onlyHere.stderr.contains("vmtune: error: no profile 'mine'"), "\(onlyHere.stderr)")
    #expect(
      onlyHere.stderr.contains("hint: profiles/mine.yaml is in the working directory; name it as a path"),
      "\(onlyHere.stderr)")
    let list = try runVMTune(["profiles", "--root", host.root], cwd: cwd)
    #expect(!list.stdout.contains("mine"), "\(list.stdout)")
  }

  @Test func siteProfilesShadowTheShippedOnesAndProfilesSaysSo() throws {
    let host = try FixtureHost()
    try host.write(
      "etc/vmtune/profiles/kvm-host.yaml",
      "apiVersion: vmtune/v1\nname: kvm-host\ndescription: site hypervisors\nsysctl:\n  swappiness: 7\n")
    let plan = try runVMTune(["plan", "kvm-host", "--root", host.root])
    #expect(plan.stdout.contains("Profile kvm-host (\(host.root)/etc/vmtune/profiles/kvm-host.yaml)"), "\(plan.stdout)")
    #expect(plan.stdout.contains("60 → 7"))
    let list = try runVMTune(["profiles", "--root", host.root])
    #expect(list.status == 0)
    #expect(list.stdout.contains("kvm-host"))
    #expect(list.stdout.contains("site hypervisors"))
    let shipped = repositoryRoot() + "/profiles/kvm-host.yaml"
    #expect(
      list.stdout.contains("\(host.root)/etc/vmtune/profiles/kvm-host.yaml (shadows \(shipped))"), "\(list.stdout)")
    #expect(!list.stdout.contains("(shadows \(repositoryRoot())/profiles/base.yaml"))
  }

  @Test func mistypedProfileNamesGetADidYouMean() throws {
    let host = try FixtureHost()
    let r = try runVMTune(["plan", "kvm-hots", "--root", host.root])
    #expect(r.status == 1)
    #expect(r.stderr.contains("vmtune: error: no profile 'kvm-hots'"))
    #expect(r.stderr.contains("hint: did you mean 'kvm-host'?"), "\(r.stderr)")
    let far = try runVMTune(["plan", "qqqqqqqqqq", "--root", host.root])
    #expect(far.stderr.contains("hint: give a path, or a name from 'vmtune profiles'"), "\(far.stderr)")
  }

  @Test func mistypedIncludesGetADidYouMean() throws {
    let host = try FixtureHost()
    let p = try writeProfile(host, "include: [bsae]\nsysctl:\n  swappiness: 10\n")
    let r = try runVMTune(["validate", p, "--root", host.root])
    #expect(r.status == 1)
    #expect(r.stderr.contains("error: include: no profile named 'bsae'"), "\(r.stderr)")
    #expect(r.stderr.contains("hint: did you mean 'base'?"), "\(r.stderr)")
  }

  @Test func mistypedSubcommandsGetADidYouMean() throws {
    let r = try runVMTune(["aply", "kvm-host"])
    #expect(r.status == 64)
    #expect(r.stderr.contains("'aply'"), "\(r.stderr)")
    #expect(r.stderr.contains("hint: did you mean 'apply'?"), "\(r.stderr)")
    let far = try runVMTune(["zzzzzzzzzz"])
    #expect(far.status == 64)
    #expect(!far.stderr.contains("did you mean"))
  }
}
