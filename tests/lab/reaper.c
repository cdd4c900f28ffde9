/* SPDX-License-Identifier: Apache-2.0 */
/* reaper: run a command as a child subreaper and reap every orphan below it.
 *
 * Why: libvirtd daemonizes QEMU, so QEMU's parent becomes
 * the nearest subreaper, by default PID 1.  On this box PID 1 reaps orphans
 * only every ~2 s, and libvirt treats a zombie QEMU as still alive, which
 * adds ~1.8 s to every migration, destroy and shutdown.  Running libvirtd
 * under this reaper makes QEMU our child, and we reap it at once.
 *
 * Usage: reaper [-p PIDFILE] CMD [ARG...]
 *   Forks CMD, then loops on wait4(-1).  SIGTERM/SIGINT/SIGHUP are forwarded
 *   to CMD while it runs; after CMD has exited, SIGTERM/SIGINT make the
 *   reaper exit at once (remaining orphans are then re-parented to PID 1).
 *   Each reaped process is logged to stderr with its CPU time, so the lab
 *   can report the CPU cost of every QEMU.  The reaper exits when it has no
 *   child left, with CMD's exit status (128+signal if CMD was killed).
 *
 * Build: cc -O2 -o reaper reaper.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t main_pid;   /* 0 once CMD has been reaped */
static volatile sig_atomic_t quit;

static void on_signal(int sig)
{
    pid_t p = main_pid;
    if (p > 0)
        kill(p, sig);
    else if (sig != SIGHUP)
        quit = 1;
}

static double tv(struct timeval t) { return t.tv_sec + t.tv_usec / 1e6; }

static void comm_of(pid_t pid, char *buf, size_t n)
{
    /* best effort: the process is a zombie until we reap it, /proc still has it */
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/comm", (int)pid);
    buf[0] = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    ssize_t r = read(fd, buf, n - 1);
    close(fd);
    if (r < 0)
        r = 0;
    buf[r] = 0;
    char *nl = strchr(buf, '\n');
    if (nl)
        *nl = 0;
}

int main(int argc, char **argv)
{
    const char *pidfile = NULL;
    int i = 1;
    if (i + 1 < argc && strcmp(argv[i], "-p") == 0) {
        pidfile = argv[i + 1];
        i += 2;
    }
    if (i < argc && strcmp(argv[i], "--") == 0)
        i++;
    if (i >= argc) {
        fprintf(stderr, "usage: reaper [-p PIDFILE] CMD [ARG...]\n");
        return 2;
    }
    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
        perror("reaper: prctl(PR_SET_CHILD_SUBREAPER)");
        return 1;
    }
    if (pidfile) {
        FILE *f = fopen(pidfile, "w");
        if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f) != 0) {
            fprintf(stderr, "reaper: cannot write %s: %s\n", pidfile, strerror(errno));
            return 1;
        }
    }

    /* block the forwarded signals until the handler knows the child's pid */
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    sigprocmask(SIG_BLOCK, &set, &old);

    pid_t child = fork();
    if (child < 0) {
        perror("reaper: fork");
        return 1;
    }
    if (child == 0) {
        sigprocmask(SIG_SETMASK, &old, NULL);
        execvp(argv[i], argv + i);
        fprintf(stderr, "reaper: exec %s: %s\n", argv[i], strerror(errno));
        _exit(127);
    }
    main_pid = child;

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigprocmask(SIG_SETMASK, &old, NULL);

    int rc = 0;
    for (;;) {
        if (quit)
            break;
        int st;
        struct rusage ru;
        char comm[32];
        siginfo_t si;
        /* peek first (WNOWAIT) so that /proc/PID/comm is still readable */
        memset(&si, 0, sizeof si);
        if (waitid(P_ALL, 0, &si, WEXITED | WNOWAIT) != 0) {
            if (errno == EINTR)
                continue;
            if (errno == ECHILD)
                break;
            perror("reaper: waitid");
            return 1;
        }
        comm_of(si.si_pid, comm, sizeof comm);
        pid_t p = wait4(si.si_pid, &st, 0, &ru);
        if (p < 0) {
            if (errno == EINTR)
                continue;
            perror("reaper: wait4");
            return 1;
        }
        time_t now = time(NULL);
        struct tm tm;
        char ts[32];
        strftime(ts, sizeof ts, "%H:%M:%S", localtime_r(&now, &tm));
        char how[32];
        if (WIFEXITED(st))
            snprintf(how, sizeof how, "exit %d", WEXITSTATUS(st));
        else
            snprintf(how, sizeof how, "signal %d", WTERMSIG(st));
        fprintf(stderr, "%s reaper: reaped pid %d (%s) %s, cpu user %.2fs sys %.2fs%s\n",
                ts, (int)p, comm[0] ? comm : "?", how, tv(ru.ru_utime), tv(ru.ru_stime),
                p == child ? " [main]" : "");
        if (p == child) {
            main_pid = 0;
            rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        }
    }
    if (pidfile)
        unlink(pidfile);
    return rc;
}
