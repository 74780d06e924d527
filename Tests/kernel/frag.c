/* Fragments the guest's free memory the way the incident reports show (thousands of order-0 pages,
 * few high-order blocks): map most of free RAM, touch every page, then free every other page
 * and keep the rest, so the buddy allocator cannot merge the freed halves.
 *
 * usage: frag MEGABYTES [hold-seconds]    prints "frag: holding N pages" and sleeps.
 * Static, no libc surprises: built with gcc -static into the initramfs. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv) {
    long mb = argc > 1 ? atol(argv[1]) : 256;
    long hold = argc > 2 ? atol(argv[2]) : 3600;
    long page = sysconf(_SC_PAGESIZE);
    size_t len = (size_t)mb << 20;
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) { perror("frag: mmap"); return 1; }
    /* No transparent huge pages: we want order-0 pages to free in a checkerboard. */
    madvise(p, len, MADV_NOHUGEPAGE);
    for (size_t off = 0; off < len; off += page) p[off] = 1;
    long kept = 0;
    for (size_t off = 0; off < len; off += 2 * page) {
        /* MADV_DONTNEED frees the page without splitting the mapping (munmap would create
         * one VMA per hole and hit max_map_count). */
        if (madvise(p + off, page, MADV_DONTNEED) != 0) { perror("frag: madvise"); return 1; }
    }
    kept = (long)(len / page / 2);
    printf("frag: holding %ld pages\n", kept);
    fflush(stdout);
    sleep(hold);
    return 0;
}
