import Testing
import VMTuneHost

@testable import VMTuneProfile

@Suite struct ProfilePathTests {
  @Test func directories() {
    #expect(ProfilePath.directory(of: "profiles/kvm-host.yaml") == "profiles")
    #expect(ProfilePath.directory(of: "/etc/vmtune/profiles/kvm-host.yaml") == "/etc/vmtune/profiles")
    #expect(ProfilePath.directory(of: "kvm-host.yaml") == "")
    #expect(ProfilePath.directory(of: "/kvm-host.yaml") == "/")
  }

  @Test func joins() {
    #expect(ProfilePath.join("", "kvm-host.yaml") == "kvm-host.yaml")
    #expect(ProfilePath.join("profiles", "kvm-host.yaml") == "profiles/kvm-host.yaml")
    #expect(ProfilePath.join("profiles/", "kvm-host.yaml") == "profiles/kvm-host.yaml")
    #expect(ProfilePath.join("/", "kvm-host.yaml") == "/kvm-host.yaml")
    // What the loader does with an include beside its file.
    let dir = ProfilePath.directory(of: "/etc/vmtune/profiles/child.yaml")
    #expect(ProfilePath.join(dir, "base.yml") == "/etc/vmtune/profiles/base.yml")
  }

  @Test func stems() {
    #expect(ProfilePath.stem("profiles/kvm-host.yaml") == "kvm-host")
    #expect(ProfilePath.stem("kvm-host.yml") == "kvm-host")
    #expect(ProfilePath.stem("a.b.yaml") == "a.b")
    #expect(ProfilePath.stem("hosts/web-1") == "web-1")
    #expect(ProfilePath.stem("notes.txt") == "notes.txt")
    #expect(ProfilePath.stem("dir/") == "dir")
    #expect(ProfilePath.stem("") == "")
    #expect(ProfilePath.stem("profiles/.yaml") == ".yaml")  // a dot file, not an empty stem
    #expect(ProfilePath.stem("/") == "/")
  }

  @Test func scalarsTrimSpacesTabsAndLineEnds() throws {
    #expect(try ScalarDecoding.kilobytes(" 64 MiB\t") == 64 * 1024)
    #expect(try ScalarDecoding.kilobytes("1G\n") == 1 << 20)
    #expect(" >= 5 ".trimmingWhitespace() == ">= 5")
  }
}
