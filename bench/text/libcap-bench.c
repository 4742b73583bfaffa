/*
 * Times libcap 2.66's cap_to_text and cap_from_text on the input set the JS runner wrote
 * (bench/text/run.mjs), so both sides measure the same inputs in the same run.
 *   usage: libcap-bench <input file> format|parse <min ms>
 *   input lines: "F <e> <p> <i>" (hex masks) and "P <hex of the text>"
 * Runs one timed round (repeating the whole input set until <min ms> have passed) of
 * cap_to_text (format) or cap_from_text (parse) and prints one JSON line with its ns/op. The
 * runner alternates JS and C rounds, so that both see the same machine load, and both sides
 * count CPU time of the process (not wall time), so a busy machine slows neither side's clock.
 * Each cap_to_text result and each cap_from_text set is freed inside the timed loop, as a
 * caller must.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <time.h>

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double) ts.tv_sec * 1e9 + (double) ts.tv_nsec;
}

static char *unhex(const char *hex) {
    size_t n = strlen(hex) / 2;
    char *out = malloc(n + 1);
    for (size_t k = 0; k < n; k++) {
        unsigned byte;
        sscanf(hex + 2 * k, "%2x", &byte);
        out[k] = (char) byte;
    }
    out[n] = '\0';
    return out;
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: %s <input> format|parse <min ms>\n", argv[0]); return 2; }
    FILE *in = fopen(argv[1], "r");
    if (!in) { perror(argv[1]); return 2; }
    int format = strcmp(argv[2], "format") == 0;
    double min_ns = atof(argv[3]) * 1e6;
    size_t nsets = 0, ntexts = 0, capsets = 1024, captexts = 1024;
    cap_t *sets = malloc(capsets * sizeof *sets);
    char **texts = malloc(captexts * sizeof *texts);
    char *line = NULL;
    size_t size = 0;
    static const cap_flag_t flags[3] = { CAP_EFFECTIVE, CAP_PERMITTED, CAP_INHERITABLE };
    while (getline(&line, &size, in) > 0) {
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == 'F') {
            unsigned long long m[3];
            if (sscanf(line + 2, "%llx %llx %llx", &m[0], &m[1], &m[2]) != 3) continue;
            cap_t caps = cap_init();
            for (int s = 0; s < 3; s++)
                for (cap_value_t bit = 0; bit < 64; bit++)
                    if (m[s] >> bit & 1) cap_set_flag(caps, flags[s], 1, &bit, CAP_SET);
            if (nsets == capsets) sets = realloc(sets, (capsets *= 2) * sizeof *sets);
            sets[nsets++] = caps;
        } else if (line[0] == 'P') {
            if (ntexts == captexts) texts = realloc(texts, (captexts *= 2) * sizeof *texts);
            texts[ntexts++] = unhex(line + 2);
        }
    }
    fclose(in);

    volatile size_t sink = 0;
    double start = now_ns(), elapsed;
    size_t ops = 0;
    if (format) {
        do {
            for (size_t k = 0; k < nsets; k++) {
                char *text = cap_to_text(sets[k], NULL);
                sink += (unsigned char) text[0];
                cap_free(text);
            }
            ops += nsets;
        } while ((elapsed = now_ns() - start) < min_ns);
    } else {
        do {
            for (size_t k = 0; k < ntexts; k++) {
                cap_t caps = cap_from_text(texts[k]);
                sink += caps != NULL;
                cap_free(caps);
            }
            ops += ntexts;
        } while ((elapsed = now_ns() - start) < min_ns);
    }
    printf("{\"ns\":%.1f,\"sets\":%zu,\"texts\":%zu,\"sink\":%zu}\n", elapsed / ops, nsets, ntexts, (size_t) sink);
    return 0;
}
