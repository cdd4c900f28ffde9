/* SPDX-License-Identifier: Apache-2.0 */
/* fault.c: see fault.h.  The one place below the command layer that reads
 * the environment: a test hook, read once. */
#include <config.h>

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "util/fault.h"

#define FAULT_MAX 16

struct fault {
    char name[64];
    unsigned long at, seen;
    int sig;            /* SIGKILL, or SIGSTOP for "=stop" */
};

static struct fault faults[FAULT_MAX];
static size_t nfaults;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* "a,b#3,c#2=stop": one entry per item; a malformed count means 1. */
static void
load(void)
{
    const char *p = getenv("NOVA_EVAC_FAULT");

    while (p && *p && nfaults < FAULT_MAX) {
        size_t len = strcspn(p, ",");
        const char *eq = memchr(p, '=', len);
        size_t ilen = eq ? (size_t)(eq - p) : len;
        const char *hash = memchr(p, '#', ilen);
        size_t nlen = hash ? (size_t)(hash - p) : ilen;
        struct fault *f = &faults[nfaults];

        if (nlen > 0 && nlen < sizeof f->name) {
            memcpy(f->name, p, nlen);
            f->name[nlen] = '\0';
            f->at = hash ? strtoul(hash + 1, NULL, 10) : 1;
            if (f->at == 0) f->at = 1;
            f->sig = eq && len - ilen == 5 && memcmp(eq, "=stop", 5) == 0 ? SIGSTOP : SIGKILL;
            nfaults++;
        }
        p += len;
        if (*p == ',') p++;
    }
}

void
ne_fault_point(const char *name)
{
    size_t i;

    pthread_once(&once, load);
    if (nfaults == 0) return;
    pthread_mutex_lock(&lock);
    for (i = 0; i < nfaults; i++)
        if (strcmp(faults[i].name, name) == 0 && ++faults[i].seen == faults[i].at)
            raise(faults[i].sig); /* SIGSTOP: every thread stops here until SIGCONT */
    pthread_mutex_unlock(&lock);
}
