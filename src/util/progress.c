/* SPDX-License-Identifier: Apache-2.0 */
/* progress.c: see progress.h. */
#include <config.h>

#include <stdio.h>
#include <unistd.h>

#include "util/log.h"
#include "util/progress.h"

static bool disabled;

void progress_disable(void) { disabled = true; }

bool
progress_enabled(void)
{
    return !disabled && !ne_quiet() && isatty(STDERR_FILENO);
}

static void
bar(const char *label, double frac, const char *text, bool final)
{
    char b[31], lab[160];
    int i, fill;

    if (frac < 0) frac = 0;
    if (!final && frac > 0.99) frac = 0.99;
    if (frac > 1) frac = 1;
    fill = (int)(frac * 30);
    for (i = 0; i < 30; i++) b[i] = i < fill ? '#' : '.';
    b[30] = '\0';
    ne_escape(label, lab, sizeof lab); /* an instance's name, as messages show it */
    fprintf(stderr, "\r\033[K%s [%s] %3d%% %s%s", lab, b, (int)(frac * 100), text,
            final ? "\n" : "");
    fflush(stderr);
}

void
progress_draw(const char *label, double frac, const char *text)
{
    if (progress_enabled()) bar(label, frac, text, false);
}

void
progress_done(const char *label, bool ok, const char *text)
{
    char lab[160];

    if (!progress_enabled()) return;
    if (ok) {
        bar(label, 1.0, text, true);
    } else {
        ne_escape(label, lab, sizeof lab);
        fprintf(stderr, "\r\033[K%s: %s\n", lab, text);
    }
}
