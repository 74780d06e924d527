/* The "VM start" probe: what a hypervisor does when a guest boots and touches its RAM. Maps an
 * anonymous region, asks for transparent huge pages (MADV_HUGEPAGE, as qemu does for guest RAM),
 * touches every page and reports the wall time (CLOCK_MONOTONIC, mmap to last touch) and how
 * much of the region the kernel backed with huge pages (AnonHugePages of the mapping, read from
 * /proc/self/smaps while the mapping is still held). Exits when measured.
 *
 * usage: vmstart MEGABYTES    prints "vmstart mib=N wall_ms=N huge_kb=N huge_pct=N"
 * Static: built with gcc -static into the initramfs, like frag.c. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* AnonHugePages (kB) of the smaps entry that starts at `start`. */
static long huge_kb(void *start) {
    FILE *f = fopen("/proc/self/smaps", "r");
    if (!f) return -1;
    char line[512];
    int in = 0;
    long kb = -1;
    unsigned long lo, hi, want = (unsigned long)start;
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2) {
            in = lo <= want && want < hi;
        } else if (in && sscanf(line, "AnonHugePages: %ld kB", &kb) == 1) {
            break;
        }
    }
    fclose(f);
    return kb;
}

int main(int argc, char **argv) {
    long mb = argc > 1 ? atol(argv[1]) : 512;
    long page = sysconf(_SC_PAGESIZE);
    size_t len = (size_t)mb << 20;
    size_t huge = 2 << 20;
    double t0 = now_ms();
    /* Over-map by 2 MiB and start at a 2 MiB boundary, as qemu aligns guest RAM, so that every
     * 2 MiB of the region can be a huge page. */
    char *m = mmap(NULL, len + huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) { perror("vmstart: mmap"); return 1; }
    char *p = (char *)(((unsigned long)m + huge - 1) & ~(unsigned long)(huge - 1));
    if (madvise(p, len, MADV_HUGEPAGE) != 0) perror("vmstart: madvise(MADV_HUGEPAGE)");
    for (size_t off = 0; off < len; off += page) p[off] = 1;
    double t1 = now_ms();
    long kb = huge_kb(p);
    printf("vmstart mib=%ld wall_ms=%.0f huge_kb=%ld huge_pct=%ld\n", mb, t1 - t0, kb,
           kb < 0 ? -1 : kb * 100 / (mb * 1024));
    fflush(stdout);
    munmap(m, len + huge);
    return 0;
}
