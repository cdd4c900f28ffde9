/* SPDX-License-Identifier: Apache-2.0 */
/* exitcode.h: the process exit codes, shared by the commands and the core
 * functions that return them. */
#ifndef NE_EXITCODE_H
#define NE_EXITCODE_H

/* Exit codes, documented in nova-evac(8). */
enum {
    NE_EXIT_OK = 0,
    NE_EXIT_PARTIAL = 1,  /* some instances not moved / not repaired */
    NE_EXIT_USAGE = 2,    /* usage or configuration error */
    NE_EXIT_REFUSED = 3,  /* a safety check refused to act */
    NE_EXIT_UNREACHABLE = 4, /* libvirt, an API or the database could not be reached */
    /* interrupted (SIGINT/SIGTERM) before everything asked was done; the
     * shell's 128 + SIGINT, whichever of the two signals it was */
    NE_EXIT_INTERRUPTED = 130,
};

#endif
