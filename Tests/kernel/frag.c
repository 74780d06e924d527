/* Fragments the guest's free memory the way the incident reports show (thousands of order-0 pages,
 * few high-order blocks): map most of free RAM, touch every page, then free every other page
 * and keep the rest, so the buddy allocator cannot merge the freed halves.
 *
 * usage: frag MEGABYTES [hold-seconds] [alternate|random]
 *        prints "frag: holding N pages" and sleeps.
 * alternate (the default) frees every other page. random frees each page with probability 1/2
 * (a fixed xorshift sequence): about as many order-0 holes, but no period. With alternate,
 * `compact_memory` on 6.1 sometimes ends almost at once (in 4 of 15 trials: ~25,000 pages
 * free-scanned instead of ~340,000, order-4 blocks unchanged). That fits the free scanner's
 * sampling: after a block yields nothing it looks at every 2nd, 4th … 32nd page, and in one
 * phase of a period-2 pattern every sample is a used page.
 * Static, no libc surprises: built with gcc -static into the initramfs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv) {
    long mb = argc > 1 ? atol(argv[1]) : 256;
    long hold = argc > 2 ? atol(argv[2]) : 3600;
    int rnd = argc > 3 && strcmp(argv[3], "random") == 0;
    unsigned long long x = 0x9e3779b97f4a7c15ULL;
    long page = sysconf(_SC_PAGESIZE);
    size_t len = (size_t)mb << 20;
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) { perror("frag: mmap"); return 1; }
    /* No transparent huge pages: we want order-0 pages to free in a checkerboard. */
    madvise(p, len, MADV_NOHUGEPAGE);
    for (size_t off = 0; off < len; off += page) p[off] = 1;
    long kept = 0;
    for (size_t off = 0; off < len; off += page) {
        int drop;
        if (rnd) {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            drop = (x >> 32) & 1;
        } else {
            drop = (off / page) % 2 == 0;
        }
        if (!drop) { kept++; continue; }
        /* MADV_DONTNEED frees the page without splitting the mapping (munmap would create
         * one VMA per hole and hit max_map_count). */
        if (madvise(p + off, page, MADV_DONTNEED) != 0) { perror("frag: madvise"); return 1; }
    }
    printf("frag: holding %ld pages\n", kept);
    fflush(stdout);
    sleep(hold);
    return 0;
}
