/* fuzz_policy.c - the INI policy reader (policy_load_string) on arbitrary text. */
#include "config.h"
#include "fuzz.h"
#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strndup(data, size);
	char cause[512];
	struct policy p;
	policy_init(&p);
	cause[0] = '\0';
	memset(cause, 'x', sizeof(cause));
	int rc = policy_load_string(&p, "fuzz.ini", text, cause, sizeof(cause));
	FUZZ_CHECK(rc == 0 || rc == -1);
	if (rc < 0) {
		/* The message is a string within the buffer, naming the file. */
		FUZZ_CHECK(memchr(cause, '\0', sizeof(cause)) != NULL);
		FUZZ_CHECK(strncmp(cause, "fuzz.ini", 8) == 0);
	} else {
		/* What was read is a policy that can be copied and freed as well. */
		struct policy q;
		policy_copy(&q, &p);
		FUZZ_CHECK(q.nenv == p.nenv && q.nrules == p.nrules);
		FUZZ_CHECK(q.threshold == p.threshold || (q.threshold != q.threshold && p.threshold != p.threshold));
		for (size_t i = 0; i < q.nenv; i++)
			FUZZ_CHECK(strcmp(q.env[i].name, p.env[i].name) == 0);
		policy_free(&q);
	}
	policy_free(&p);
	free(text);
	return 0;
}
