/* SPDX-License-Identifier: Apache-2.0 */
/* interrupt-t.c: the first SIGINT/SIGTERM only sets the flag (and cuts an
 * interruptible sleep short); a second within 3 s exits 130 after one line
 * naming what is in flight.  Each case runs in a child process. */
#include <config.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/exitcode.h"
#include "util/interrupt.h"
#include "tap.h"

/* Runs fn in a child with stderr into a pipe; its exit status and stderr. */
static int
child(void (*fn)(void), char *err, size_t len)
{
    int p[2], st = -1;
    ssize_t n, got = 0;
    pid_t pid;

    if (pipe(p) < 0) return -1;
    pid = fork();
    if (pid == 0) {
        dup2(p[1], 2);
        close(p[0]);
        fn();
        _exit(0);
    }
    close(p[1]);
    while ((n = read(p[0], err + got, len - 1 - (size_t)got)) > 0) got += n;
    err[got] = '\0';
    close(p[0]);
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void
once(void)
{
    ne_interrupt_install(NULL);
    if (ne_interrupted()) _exit(10);
    raise(SIGINT);
    if (!ne_interrupted() || ne_interrupt_signal() != SIGINT) _exit(11);
    if (ne_sleep_interruptible(60) != -1) _exit(12); /* at once, not after 60 s */
    _exit(0);
}

static void
twice(void)
{
    int a, b;

    ne_interrupt_install("finish with 'nova-evac drain node01 --resume'");
    a = ne_inflight_add("vm-a");
    b = ne_inflight_add("vm\nb");
    ne_inflight_add("vm-c");
    ne_inflight_remove(a);
    (void)b;
    raise(SIGTERM);
    raise(SIGINT); /* exits 130 */
    _exit(0);
}

int
main(void)
{
    char err[1024];
    int rc;

    rc = child(once, err, sizeof err);
    is_int(rc, 0, "one signal: the flag is set, an interruptible sleep returns at once, no exit");
    ok(strstr(err, "interrupted (Ctrl-C): stopping cleanly") != NULL, "the first signal is said");
    rc = child(twice, err, sizeof err);
    is_int(rc, NE_EXIT_INTERRUPTED, "a second signal within 3 s exits 130");
    ok(strstr(err, "terminated (SIGTERM)") != NULL, "SIGTERM is named");
    ok(strstr(err, "interrupted again: exiting at once; in flight: vm\\nb, vm-c; finish with "
                   "'nova-evac drain node01 --resume'\n") != NULL,
       "one line names what is in flight (escaped, removed ones left out) and the next step");
    return done_testing();
}
