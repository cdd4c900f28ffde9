/* SPDX-License-Identifier: Apache-2.0 */
/* redact-t.c: secrets never reach a log, whatever the body looks like. */
#include <config.h>

#include <string.h>

#include "tap.h"
#include "util/mem.h"
#include "util/redact.h"

#define TOK "gAAAAABnSECRETTOKENxyz-_=="
#define L(s) (s), strlen(s)

static void
headers(void)
{
    CLEANUP_FREE char *a = redact_header(L("X-Auth-Token: " TOK "\r\n"));
    CLEANUP_FREE char *b = redact_header(L("x-subject-token:" TOK));
    CLEANUP_FREE char *c = redact_header(L("X-Auth-Token: other"));
    CLEANUP_FREE char *d = redact_header(L("Content-Type: application/json\r\n"));
    CLEANUP_FREE char *e = redact_header(L("Authorization: Basic YWRtaW46YWRtaW4="));
    CLEANUP_FREE char *f = redact_header(L("HTTP/1.1 200 OK\r\n"));

    ok(!strstr(a, "SECRET") && str_prefix(a, "X-Auth-Token: <redacted sha1:"), "token header: %s", a);
    ok(!strstr(b, "SECRET") && str_prefix(b, "x-subject-token: <redacted"), "subject token, any case");
    ok(strcmp(a + 14, c + 14) != 0, "two tokens get two fingerprints");
    is_str(d, "Content-Type: application/json", "plain header kept, CRLF removed");
    ok(!strstr(e, "YWRt"), "Authorization redacted");
    is_str(f, "HTTP/1.1 200 OK", "status line kept");
}

static void
bodies(void)
{
    static const char auth[] = "{\"auth\":{\"identity\":{\"methods\":[\"password\"],\"password\":"
                               "{\"user\":{\"name\":\"admin\",\"domain\":{\"id\":\"default\"},"
                               "\"password\":\"s3cr\\\"et\"}}}}}";
    static const char ac[] = "{\"application_credential\":{\"id\":\"abc\",\"secret\": \"TOPSECRET\"}}";
    CLEANUP_FREE char *a = redact_body(auth, strlen(auth), 4096);
    CLEANUP_FREE char *b = redact_body(ac, strlen(ac), 4096);
    CLEANUP_FREE char *c = redact_body(auth, strlen(auth) - 5, 4096);
    CLEANUP_FREE char *d = redact_body(L("{\"adminPass\":\"xyzzy\",\"token\":\"" TOK "\"}"), 4096);
    CLEANUP_FREE char *e = redact_body(L("{\"token\":{\"expires_at\":\"2026\"}}"), 4096);
    CLEANUP_FREE char *f = redact_body(auth, strlen(auth), 20);
    CLEANUP_FREE char *g = redact_body(L("{\"password\":\"abc"), 4096);
    CLEANUP_FREE char *h = redact_body("\x01\x02\xff", 3, 10);

    ok(!strstr(a, "s3cr") && strstr(a, "\"password\":\"<redacted>\"}") != NULL,
       "password in an auth body: %s", a);
    ok(strstr(a, "\"name\":\"admin\"") != NULL, "the user name is kept");
    ok(!strstr(b, "TOPSECRET") && strstr(b, "\"secret\": \"<redacted>\""), "application credential secret");
    ok(!strstr(c, "s3cr"), "a truncated body hides the secret too: %s", c);
    ok(!strstr(d, "xyzzy") && !strstr(d, "SECRET"), "adminPass and a token string");
    ok(strstr(e, "2026") != NULL, "a token object (not a secret) is shown");
    ok(strlen(f) <= 23 && str_suffix(f, "..."), "cut at max with ...");
    ok(!strstr(g, "abc"), "secret cut off in the middle: hidden (%s)", g);
    is_str(h, "...", "control bytes shown as dots");
    ok(redact_key_is_secret("OS_PASSWORD", 11) && redact_key_is_secret("new_secret", 10) &&
           !redact_key_is_secret("name", 4) && !redact_key_is_secret("tokens", 6),
       "secret key names");
}

int
main(void)
{
    headers();
    bodies();
    return done_testing();
}
