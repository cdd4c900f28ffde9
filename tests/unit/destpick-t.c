/* SPDX-License-Identifier: Apache-2.0 */
/* destpick-t.c: destination choice: fit by disk, RAM, CPU, spread, largest first. */
#include <config.h>

#include <string.h>

#include "model/place.h"
#include "tap.h"

#define GiB (1024ULL * 1024 * 1024)
#define MiB_KIB 1024ULL

static struct ne_place_inst
inst(const char *name, uint64_t disk, uint64_t ram_mib)
{
    struct ne_place_inst i;
    memset(&i, 0, sizeof i);
    i.name = name;
    i.disk_bytes = disk;
    i.ram_kib = ram_mib * MiB_KIB;
    i.needs_host = true;
    return i;
}

int
main(void)
{
    struct ne_place_host h[2];
    struct ne_place_inst v[4];

    memset(h, 0, sizeof h);
    h[0] = (struct ne_place_host){.name = "node01", .free_disk = 50 * GiB,
                                  .free_ram_kib = 8192 * MiB_KIB, .usable = true};
    h[1] = (struct ne_place_host){.name = "node03", .free_disk = 300 * GiB,
                                  .free_ram_kib = 8192 * MiB_KIB, .usable = true};
    v[0] = inst("small-a", 10 * GiB, 1024);
    v[1] = inst("big", 230 * GiB, 2048);
    v[2] = inst("small-b", 10 * GiB, 1024);
    v[3] = inst("huge", 400 * GiB, 1024);
    ne_place(v, 4, h, 2);
    is_int(v[1].host, 1, "the field report's too-large instance goes where the disk fits (node03)");
    is_int(v[3].host, -1, "an instance no host can hold is not placed");
    ok(strstr(v[3].why, "node01: disk") && strstr(v[3].why, "node03: disk"),
       "the reason names every host and the disk shortfall");
    ok(v[0].host >= 0 && v[2].host >= 0, "small instances placed");
    ok(v[0].host != v[2].host || h[0].planned_n + h[1].planned_n == 3, "spread across hosts");
    is_int(h[0].planned_n + h[1].planned_n, 3, "three placed in all");

    /* CPU incompatibility and unusable hosts */
    memset(h, 0, sizeof h);
    h[0] = (struct ne_place_host){.name = "node01", .free_disk = 50 * GiB,
                                  .free_ram_kib = 8192 * MiB_KIB, .usable = true};
    h[1] = (struct ne_place_host){.name = "node03", .usable = false,
                                  .unusable_why = "compute service disabled"};
    v[0] = inst("cpu", 1 * GiB, 512);
    v[0].veto[0] = "CPU not compatible";
    ne_place(v, 1, h, 2);
    is_int(v[0].host, -1, "no compatible CPU, no placement");
    ok(strstr(v[0].why, "CPU not compatible") && strstr(v[0].why, "disabled"),
       "reasons for both hosts");

    /* RAM: what is already planned counts */
    memset(h, 0, sizeof h);
    h[0] = (struct ne_place_host){.name = "node01", .free_disk = 500 * GiB,
                                  .free_ram_kib = 3000 * MiB_KIB, .usable = true};
    v[0] = inst("r1", GiB, 2000);
    v[1] = inst("r2", GiB, 2000);
    ne_place(v, 2, h, 1);
    ok((v[0].host == 0) != (v[1].host == 0), "second instance does not fit in the RAM left");
    ok(strstr(v[v[0].host == 0 ? 1 : 0].why, "RAM") != NULL, "RAM shortfall reported");

    /* needs_host false is left alone */
    v[0] = inst("skip", GiB, 1);
    v[0].needs_host = false;
    ne_place(v, 1, h, 1);
    is_int(v[0].host, -1, "instances that need no host are not placed");
    return done_testing();
}
