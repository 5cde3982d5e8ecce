/* cli: helpers shared by commands (colour decision, diagnostics printer). */
#ifndef KT_CLI_UTIL_H
#define KT_CLI_UTIL_H

#include <stdbool.h>
#include <stdio.h>

#include <ktriage/error.h>

/* "auto" | "always" | "never" → whether to colour `f`. NO_COLOR (any value)
 * turns "auto" off; TERM=dumb too. Returns -1 for an unknown mode. */
int kt_cli_color(const char *mode, FILE *f);

/* A kt_diag_fn printing "ktriage: WHAT: warning: MSG" to stderr; userdata is
 * a pointer to an int counter of warnings (or NULL). */
void kt_cli_print_diag(void *ud, enum kt_sev sev, const char *what, const char *msg);

/* Seconds on the monotonic clock (progress lines, timings). */
double kt_cli_now(void);
/* Erase a progress line shown on standard error ("\r" + clear to end of
 * line), if *shown, after flushing standard output; clears *shown. */
void kt_cli_progress_clear(bool *shown);

/* End of a command: flush standard output; a write error (other than
 * EPIPE) is reported as "ktriage CMD: writing standard output: ..." and
 * turns `status` into 3. Returns the exit status. */
int kt_cli_finish_output(const char *cmd, int status);
/* Call right after writing to stdout: remembers the errno of the first
 * write error for kt_cli_finish_output(). */
void kt_cli_check_output(void);

#endif
