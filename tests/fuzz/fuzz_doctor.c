/* fuzz_doctor.c - numarun doctor's parsers of /proc and cgroup text: cpu.stat, limits, task io, status,
 * CPU lists, task syscall, sysfs choices; and the report writers over what they give. */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include "cgroup.h"
#include "doctor.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strndup(data, size);

	struct cgroup_cpu_stat cs;
	if (cgroup_parse_cpu_stat(text, &cs) == 0)
		FUZZ_CHECK(cs.nr_periods >= 0 && cs.nr_throttled >= 0 && cs.throttled_usec >= -1);
	long long soft = 7, hard = 7;
	if (doctor_parse_limits_nofile(text, &soft, &hard) == 0)
		FUZZ_CHECK(soft >= -1 && hard >= -1);
	struct doctor_task_io io;
	doctor_parse_task_io(text, &io);
	struct doctor_status st;
	if (doctor_parse_status(text, &st) == 0) {
		FUZZ_CHECK(strlen(st.cpus_allowed) < sizeof(st.cpus_allowed));
		FUZZ_CHECK(st.thp_enabled >= -1 && st.thp_enabled <= 1);
		long n = doctor_cpulist_count(st.cpus_allowed);
		FUZZ_CHECK(n >= -1);
	}
	FUZZ_CHECK(doctor_cpulist_count(text) >= -1);
	long nr = 0;
	unsigned long long sp = 0, pc = 0;
	int k = doctor_parse_syscall(text, &nr, &sp, &pc);
	FUZZ_CHECK(k >= -1 && k <= 2);
	FUZZ_CHECK(k != 1 || nr >= 0);
	FUZZ_CHECK(k != 0 || nr < 0);
	char choice[16];
	doctor_sysfs_choice(text, choice, sizeof(choice));
	FUZZ_CHECK(strlen(choice) < sizeof(choice));

	/* The writers, with the input as every string they print. */
	struct doctor_report *r = calloc(1, sizeof(*r));
	if (!r)
		abort();
	snprintf(r->comm, sizeof(r->comm), "%s", text);
	struct doctor_finding *f = doctor_add(r, "syscalls", DOCTOR_WARNING, "%s", text);
	doctor_ev_str(f, text, text, text);
	doctor_ev_num(f, "n", size ? (double)data[0] : NAN, 1, text, text);
	doctor_note(r, "%s", text);
	doctor_add(r, "throttling", DOCTOR_PROBLEM, "x");
	doctor_sort(r);
	FUZZ_CHECK(strcmp(r->f[0].id, "throttling") == 0);
	FILE *out = fopen("/dev/null", "w");
	if (!out)
		abort();
	doctor_print_json(out, r);
	doctor_print_text(out, r, 2);
	fclose(out);
	FUZZ_CHECK(doctor_exit_status(r) == EXIT_DOCTOR_PROBLEM);
	free(r);
	free(text);
	return 0;
}
