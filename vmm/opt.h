/* What every command line of keel shares: numbers, sizes, -v/-q, one-line errors, and matching --name[=VALUE] options. */
#ifndef KEEL_VMM_OPT_H
#define KEEL_VMM_OPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/log.h"

/* opt_err - write one line (printf @fmt) into @err; returns -EINVAL, for `return opt_err(...)`. */
int opt_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * opt_parse_uint - @s as a decimal number in [0, @max] with nothing after it. Returns 0, -EINVAL
 * (no digits, a sign, or something after them) or -ERANGE (above @max, or past 64 bits).
 */
int opt_parse_uint(const char *s, unsigned long long max, unsigned long long *out);

/*
 * opt_parse_size - "256M", "1G", "512k", "2T", "64MiB", "4096K"; a bare number means MiB (as
 * QEMU's -m). Returns 0, -EINVAL (not a size) or -ERANGE (overflows 64 bits).
 */
int opt_parse_size(const char *s, uint64_t *out);

/*
 * opt_number - @s, the value of option @name, as a decimal number in [@min, @max]. Returns 0, or
 * -EINVAL with "NAME S: not a number" or "NAME S: must be between MIN and MAX" in @err.
 */
int opt_number(const char *name, const char *s, unsigned long long min, unsigned long long max,
	       unsigned long long *out, char *err, size_t errlen);

/* opt_is_help - is @arg -h or --help? */
bool opt_is_help(const char *arg);

/*
 * opt_verbosity - when @arg is -v / --verbose (one step more talkative; after -q it starts again
 * at 1) or -q / --quiet (-1), update *@verbosity and return true; otherwise false.
 */
bool opt_verbosity(const char *arg, int *verbosity);

/* opt_log_level - the log level of a verbosity: -1 errors only, 0 warnings, 1 info, 2 and more debug. */
enum log_level opt_log_level(int verbosity);

/* One option a command line knows. */
struct opt_def {
	const char *name;	/* "--disk" */
	bool value;		/* takes a value: "--disk VALUE" or "--disk=VALUE"; false: a flag */
	bool eq_value;		/* a flag that may take a value, after '=' only: "--rng", "--rng=VALUE" */
};

/*
 * opt_next - match argv[*@i] against @defs by its name (the part before any '='). A value option
 * takes what follows '=' or else the next argument (then *@i moves onto it); a flag takes none
 * (*@value is NULL) unless it is an eq_value one given with '='. Returns the index in @defs, or -EINVAL with one line in @err: an unknown
 * option or unexpected argument, a value missing or given to a flag. @cmd names the command in
 * the hint ("keel" gives "(see 'keel --help')").
 */
int opt_next(int argc, char *const argv[], int *i, const struct opt_def *defs, size_t ndefs, const char *cmd,
	     const char **value, char *err, size_t errlen);

#endif
