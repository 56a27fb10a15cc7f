/*
 * fuzz_policy.c - the INI policy reader (policy_load_string) on arbitrary text: it fails with a message
 * naming the file, or reads a policy that copies, and that policy_write writes as a policy the reader
 * takes back and that writes the same text again (once what cannot be written is left out).
 */
#include "config.h"
#include "fuzz.h"
#include "keys.h"
#include "policy.h"

/* p as policy_write writes it, malloc'd. */
static char *written(const struct policy *p)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		abort();
	policy_write(f, p, NULL);
	fclose(f);
	return text;
}

/* Does policy_write say it left something out (a comment line "# ...: left out")? */
static int left_out(const char *text)
{
	for (const char *line = text; *line;) {
		const char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) : strlen(line);
		if (line[0] == '#' && n >= 10 && memcmp(line + n - 10, ": left out", 10) == 0)
			return 1;
		line += n + (nl != NULL);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strndup(data, size);
	char cause[512];
	struct policy p;
	policy_init(&p);
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
		for (size_t i = 0; i < q.nenv; i++)
			FUZZ_CHECK(strcmp(q.env[i].name, p.env[i].name) == 0);
		policy_free(&q);

		/* Written and read back, it is the same policy: it writes the same text. Where the writer left
		 * something out (a value it cannot write, said in a "# ...: left out" comment), the policy read
		 * back writes the same text from then on. */
		char *once = written(&p);
		struct policy r;
		policy_init(&r);
		if (policy_load_string(&r, "written.ini", once, cause, sizeof(cause)) < 0) {
			fprintf(stderr, "policy_write wrote what the reader refuses: %s\n%s", cause, once);
			abort();
		}
		char *twice = written(&r);
		if (left_out(once)) {
			struct policy r2;
			policy_init(&r2);
			FUZZ_CHECK(policy_load_string(&r2, "twice.ini", twice, cause, sizeof(cause)) == 0);
			char *thrice = written(&r2);
			FUZZ_CHECK(!left_out(twice));
			FUZZ_CHECK(strcmp(twice, thrice) == 0);
			free(thrice);
			policy_free(&r2);
		} else if (strcmp(once, twice) != 0) {
			fprintf(stderr, "read back, the policy writes differently:\n%s---\n%s", once, twice);
			abort();
		}
		free(once);
		free(twice);
		policy_free(&r);
	}
	policy_free(&p);
	free(text);
	return 0;
}
