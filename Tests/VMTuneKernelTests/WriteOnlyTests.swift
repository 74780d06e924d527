import Testing
import VMTuneKernel
import VMTuneProfile

/// The kernel layer knows the write-only files by itself; the catalog marks the same names as
/// triggers (actions, never settings). The two lists must not drift apart.
@Suite struct WriteOnlyTests {
  @Test func theKernelLayersWriteOnlyFilesAreTheCatalogsTriggers() {
    #expect(SysctlStore.writeOnly == KnobCatalog.triggers)
  }
}
