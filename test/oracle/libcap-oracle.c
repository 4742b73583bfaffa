/*
 * libcap-oracle: answers batches of questions about libcap's text formats, one line in, one
 * line out, so thousands of inputs cost one process. Built by test/oracle/build.ts against the
 * system's -lcap (Debian libcap-dev 2.66). Text arguments travel hex-encoded so that any byte
 * (tabs, newlines, \v, \f, \r, non-ASCII) reaches libcap unchanged.
 *
 *   M                   -> cap_max_bits()
 *   F <e> <p> <i>       -> cap_to_text of a cap_t with these raw 64-bit masks (hex)
 *   P <hextext>         -> "OK <e> <p> <i> <cap_to_text>" from cap_from_text, or "ERR <errno>"
 *   I <hextext>         -> "OK <i> <a> <nb> <cap_iab_to_text>" from cap_iab_from_text, or "ERR <errno>"
 *   J <i> <a> <nb>      -> cap_iab_to_text of an IAB built with cap_iab_set_vector (I, then A,
 *                          then NB; bits at or above cap_max_bits() are refused by libcap and
 *                          skipped), or "ERR"
 * Masks print as 16 lower-case hex digits. IAB vectors are read with cap_iab_get_vector, which
 * libcap limits to bits below cap_max_bits().
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>

static const cap_flag_t FLAGS[3] = { CAP_EFFECTIVE, CAP_PERMITTED, CAP_INHERITABLE };
static const cap_iab_vector_t VECTORS[3] = { CAP_IAB_INH, CAP_IAB_AMB, CAP_IAB_BOUND };

static int unhex(const char *hex, char *out, size_t cap) {
    size_t n = 0;
    while (hex[0] && hex[1] && hex[0] != '\n') {
        unsigned byte;
        if (sscanf(hex, "%2x", &byte) != 1 || n + 1 >= cap) return -1;
        out[n++] = (char) byte;
        hex += 2;
    }
    out[n] = '\0';
    return (int) n;
}

static uint64_t flag_mask(cap_t caps, cap_flag_t flag) {
    uint64_t mask = 0;
    for (int bit = 0; bit < 64; bit++) {
        cap_flag_value_t v = CAP_CLEAR;
        if (cap_get_flag(caps, (cap_value_t) bit, flag, &v) == 0 && v == CAP_SET) mask |= 1ULL << bit;
    }
    return mask;
}

static uint64_t vector_mask(cap_iab_t iab, cap_iab_vector_t vec) {
    uint64_t mask = 0;
    for (int bit = 0; bit < 64; bit++) {
        if (cap_iab_get_vector(iab, vec, (cap_value_t) bit)) mask |= 1ULL << bit;
    }
    return mask;
}

static void format_caps(const char *args) {
    unsigned long long masks[3];
    if (sscanf(args, "%llx %llx %llx", &masks[0], &masks[1], &masks[2]) != 3) { puts("BADREQ"); return; }
    cap_t caps = cap_init();
    for (int s = 0; s < 3; s++) {
        for (int bit = 0; bit < 64; bit++) {
            if (masks[s] >> bit & 1) {
                cap_value_t v = bit;
                cap_set_flag(caps, FLAGS[s], 1, &v, CAP_SET);
            }
        }
    }
    char *text = cap_to_text(caps, NULL);
    printf("%s\n", text ? text : "(null)");
    cap_free(text);
    cap_free(caps);
}

static void parse_caps(const char *hex, char *buf, size_t cap) {
    if (unhex(hex, buf, cap) < 0) { puts("BADREQ"); return; }
    errno = 0;
    cap_t caps = cap_from_text(buf);
    if (caps == NULL) { printf("ERR %d\n", errno); return; }
    char *text = cap_to_text(caps, NULL);
    printf("OK %016llx %016llx %016llx %s\n",
           (unsigned long long) flag_mask(caps, CAP_EFFECTIVE),
           (unsigned long long) flag_mask(caps, CAP_PERMITTED),
           (unsigned long long) flag_mask(caps, CAP_INHERITABLE), text ? text : "(null)");
    cap_free(text);
    cap_free(caps);
}

static void parse_iab(const char *hex, char *buf, size_t cap) {
    if (unhex(hex, buf, cap) < 0) { puts("BADREQ"); return; }
    errno = 0;
    cap_iab_t iab = cap_iab_from_text(buf);
    if (iab == NULL) { printf("ERR %d\n", errno); return; }
    char *text = cap_iab_to_text(iab);
    printf("OK %016llx %016llx %016llx %s\n",
           (unsigned long long) vector_mask(iab, CAP_IAB_INH),
           (unsigned long long) vector_mask(iab, CAP_IAB_AMB),
           (unsigned long long) vector_mask(iab, CAP_IAB_BOUND), text ? text : "(null)");
    cap_free(text);
    cap_free(iab);
}

static void format_iab(const char *args) {
    unsigned long long masks[3];
    if (sscanf(args, "%llx %llx %llx", &masks[0], &masks[1], &masks[2]) != 3) { puts("BADREQ"); return; }
    cap_iab_t iab = cap_iab_init();
    for (int v = 0; v < 3; v++) {
        for (int bit = 0; bit < 64; bit++) {
            if (masks[v] >> bit & 1) cap_iab_set_vector(iab, VECTORS[v], (cap_value_t) bit, CAP_SET);
        }
    }
    char *text = cap_iab_to_text(iab);
    printf("%s\n", text ? text : "ERR");
    cap_free(text);
    cap_free(iab);
}

int main(void) {
    size_t size = 0;
    char *line = NULL;
    size_t bufsize = 1 << 16;
    char *buf = malloc(bufsize);
    ssize_t got;
    while ((got = getline(&line, &size, stdin)) > 0) {
        if ((size_t) got / 2 + 1 > bufsize) { bufsize = (size_t) got; buf = realloc(buf, bufsize); }
        const char *args = got > 2 ? line + 2 : "";
        switch (line[0]) {
        case 'M': printf("%d\n", (int) cap_max_bits()); break;
        case 'F': format_caps(args); break;
        case 'P': parse_caps(args, buf, bufsize); break;
        case 'I': parse_iab(args, buf, bufsize); break;
        case 'J': format_iab(args); break;
        default: puts("BADREQ");
        }
    }
    free(line);
    free(buf);
    return 0;
}
