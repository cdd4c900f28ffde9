/* SPDX-License-Identifier: Apache-2.0 */
/* interrupt.c: see interrupt.h.  The handler only touches sig_atomic_t
 * flags, a monotonic clock and preformatted buffers, and calls write(2)
 * and _exit(2): all async-signal-safe. */
#include <config.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/exitcode.h"
#include "util/interrupt.h"
#include "util/log.h"

#define SLOTS 64
#define SLOT_LEN 160

static volatile sig_atomic_t got_signal;  /* the first signal's number */
static volatile sig_atomic_t first_at;    /* its monotonic second */
static volatile sig_atomic_t used[SLOTS]; /* slot holds a name */
static char names[SLOTS][SLOT_LEN];
static char hint[512];
static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static bool installed;

static void
say(const char *s)
{
    size_t len = strlen(s);

    while (len > 0) {
        ssize_t w = write(STDERR_FILENO, s, len);
        if (w <= 0) return;
        s += w;
        len -= (size_t)w;
    }
}

static long
mono_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec;
}

/* The second signal: one line naming what is in flight, then exit. */
static void
exit_now(void)
{
    int i, n = 0;

    say("\nnova-evac: interrupted again: exiting at once; in flight:");
    for (i = 0; i < SLOTS; i++) {
        if (!__atomic_load_n(&used[i], __ATOMIC_ACQUIRE)) continue;
        say(n++ ? ", " : " ");
        say(names[i]);
    }
    if (!n) say(" nothing");
    if (hint[0] && n) {
        say("; ");
        say(hint);
    }
    say("\n");
    _exit(NE_EXIT_INTERRUPTED);
}

static void
on_signal(int sig)
{
    long now = mono_seconds();

    if (got_signal && now - first_at <= NE_INTERRUPT_AGAIN_S) exit_now();
    first_at = (sig_atomic_t)now;
    if (got_signal) {
        say("\nnova-evac: interrupted again, but more than 3 s later: still stopping cleanly; "
            "interrupt twice within 3 s to exit at once\n");
        return;
    }
    got_signal = sig;
    say(sig == SIGTERM ? "\nnova-evac: terminated (SIGTERM)" : "\nnova-evac: interrupted (Ctrl-C)");
    say(": stopping cleanly, no new move starts (what is in flight is stopped or finished); "
        "interrupt again within 3 s to exit at once\n");
}

void
ne_interrupt_install(const char *h)
{
    struct sigaction sa;

    pthread_mutex_lock(&reg_lock);
    if (h) snprintf(hint, sizeof hint, "%s", h);
    pthread_mutex_unlock(&reg_lock);
    if (installed) return;
    installed = true;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

bool ne_interrupted(void) { return got_signal != 0; }
int ne_interrupt_signal(void) { return got_signal; }

int
ne_sleep_interruptible(unsigned seconds)
{
    unsigned steps = seconds * 5;

    while (steps-- > 0) {
        if (got_signal) return -1;
        nanosleep(&(struct timespec){0, 200000000L}, NULL);
    }
    return got_signal ? -1 : 0;
}

int
ne_inflight_add(const char *what)
{
    int i, slot = -1;

    pthread_mutex_lock(&reg_lock);
    for (i = 0; i < SLOTS && slot < 0; i++)
        if (!used[i]) slot = i;
    if (slot >= 0) {
        ne_escape(what, names[slot], SLOT_LEN);
        /* published after the name: the handler never sees half of one */
        __atomic_store_n(&used[slot], 1, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&reg_lock);
    return slot;
}

void
ne_inflight_remove(int slot)
{
    if (slot < 0 || slot >= SLOTS) return;
    pthread_mutex_lock(&reg_lock);
    __atomic_store_n(&used[slot], 0, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&reg_lock);
}
